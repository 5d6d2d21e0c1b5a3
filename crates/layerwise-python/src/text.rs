//! Requirement files as pip reads them: UTF-8, or the encoding a byte-order
//! mark names. Editors on Windows save `pip freeze > requirements.txt` as
//! UTF-16 with a mark; pip installs from it, so layerwise reads it too, and
//! writes edits back in the same encoding.

use std::io;
use std::path::Path;

/// How a text file is stored on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 behind the mark `EF BB BF`.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl TextEncoding {
    fn mark(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8 => &[],
            TextEncoding::Utf8Bom => &[0xEF, 0xBB, 0xBF],
            TextEncoding::Utf16Le => &[0xFF, 0xFE],
            TextEncoding::Utf16Be => &[0xFE, 0xFF],
        }
    }

    /// `text` stored in this encoding, mark included.
    pub fn encode(self, text: &str) -> Vec<u8> {
        let mut out = self.mark().to_vec();
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => out.extend_from_slice(text.as_bytes()),
            TextEncoding::Utf16Le => out.extend(text.encode_utf16().flat_map(u16::to_le_bytes)),
            TextEncoding::Utf16Be => out.extend(text.encode_utf16().flat_map(u16::to_be_bytes)),
        }
        out
    }
}

/// Decodes `bytes` as pip does: by the byte-order mark when there is one
/// (UTF-32 marks are refused as rare), else as UTF-8.
pub fn decode(bytes: &[u8]) -> io::Result<(String, TextEncoding)> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(invalid("stored as UTF-32, which layerwise does not read"));
    }
    let utf16 = |rest: &[u8], encoding: TextEncoding| {
        if !rest.len().is_multiple_of(2) {
            return Err(invalid("not valid UTF-16 (an odd number of bytes)"));
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|pair| match encoding {
                TextEncoding::Utf16Be => u16::from_be_bytes([pair[0], pair[1]]),
                _ => u16::from_le_bytes([pair[0], pair[1]]),
            })
            .collect();
        String::from_utf16(&units)
            .map(|text| (text, encoding))
            .map_err(|_| invalid("not valid UTF-16"))
    };
    if let Some(rest) = bytes.strip_prefix(TextEncoding::Utf16Le.mark()) {
        return utf16(rest, TextEncoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(TextEncoding::Utf16Be.mark()) {
        return utf16(rest, TextEncoding::Utf16Be);
    }
    let (rest, encoding) = match bytes.strip_prefix(TextEncoding::Utf8Bom.mark()) {
        Some(rest) => (rest, TextEncoding::Utf8Bom),
        None => (bytes, TextEncoding::Utf8),
    };
    String::from_utf8(rest.to_vec())
        .map(|text| (text, encoding))
        .map_err(|_| invalid("stream did not contain valid UTF-8"))
}

/// Reads a requirement file as pip would (see [`decode`]).
pub fn read_text(path: &Path) -> io::Result<(String, TextEncoding)> {
    decode(&std::fs::read(path)?)
}

/// Writes `text` to `path` in `encoding`.
pub fn write_text(path: &Path, text: &str, encoding: TextEncoding) -> io::Result<()> {
    std::fs::write(path, encoding.encode(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mark_round_trips() {
        let text = "flask==3.0.0\r\ncertifi==2022.12.7 ; python_version >= '3.11'\r\n";
        for encoding in [
            TextEncoding::Utf8,
            TextEncoding::Utf8Bom,
            TextEncoding::Utf16Le,
            TextEncoding::Utf16Be,
        ] {
            let bytes = encoding.encode(text);
            assert_eq!(decode(&bytes).unwrap(), (text.to_string(), encoding));
        }
    }

    #[test]
    fn utf16_without_its_pair_of_bytes_and_utf32_are_errors() {
        let mut bytes = TextEncoding::Utf16Le.encode("six");
        bytes.push(b'x');
        assert!(decode(&bytes).unwrap_err().to_string().contains("UTF-16"));
        assert!(
            decode(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0])
                .unwrap_err()
                .to_string()
                .contains("UTF-32")
        );
        assert!(
            decode(&[b'a', 0xFF])
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
    }
}
