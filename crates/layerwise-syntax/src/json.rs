//! Detection of JSON (exec) form, following BuildKit: after leading
//! whitespace the text must start with `[` and be one valid JSON value; any
//! syntax error means "not JSON" (the caller falls back to shell form), while
//! valid JSON with a non-string element is an error of its own.

/// Why a text is not a usable JSON array of strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonArrayError {
    /// Not JSON, or not an array: treat the text as shell form.
    NotJson,
    /// Valid JSON array, but an element is not a string. Offsets of that element.
    NotStringArray(usize, usize),
}

/// One string element: decoded value and offsets (quotes included).
pub(crate) struct JsonString {
    pub(crate) value: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The array: offsets of `[`..`]` and its elements.
pub(crate) struct JsonArray {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) elements: Vec<JsonString>,
}

/// Go's encoding/json nesting limit.
const MAX_DEPTH: usize = 10_000;

/// Parses `text[start..end]` as a JSON array of strings.
pub(crate) fn parse_array(
    text: &str,
    start: usize,
    end: usize,
) -> Result<JsonArray, JsonArrayError> {
    let slice = &text[start..end];
    let lead = slice.len() - slice.trim_start_matches(char::is_whitespace).len();
    let begin = start + lead;
    if !text[begin..end].starts_with('[') {
        return Err(JsonArrayError::NotJson);
    }
    let mut p = Scanner {
        bytes: &text.as_bytes()[..end],
        pos: begin,
    };
    // Top-level elements: (start, end, decoded string if it is a string).
    let mut elements: Vec<(usize, usize, Option<String>)> = Vec::new();
    p.pos += 1;
    p.skip_ws();
    if p.peek() == Some(b']') {
        p.pos += 1;
    } else {
        loop {
            p.skip_ws();
            let el_start = p.pos;
            let value = if p.peek() == Some(b'"') {
                Some(p.string().ok_or(JsonArrayError::NotJson)?)
            } else {
                p.value().ok_or(JsonArrayError::NotJson)?;
                None
            };
            elements.push((el_start, p.pos, value));
            p.skip_ws();
            match p.next() {
                Some(b',') => continue,
                Some(b']') => break,
                _ => return Err(JsonArrayError::NotJson),
            }
        }
    }
    let array_end = p.pos;
    p.skip_ws();
    if p.pos != end {
        return Err(JsonArrayError::NotJson);
    }
    let mut strings = Vec::with_capacity(elements.len());
    for (s, e, value) in elements {
        match value {
            Some(value) => strings.push(JsonString {
                value,
                start: s,
                end: e,
            }),
            None => return Err(JsonArrayError::NotStringArray(s, e)),
        }
    }
    Ok(JsonArray {
        start: begin,
        end: array_end,
        elements: strings,
    })
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Validates any JSON value without building it. Containers are tracked
    /// on an explicit stack so deep nesting cannot overflow the call stack.
    fn value(&mut self) -> Option<()> {
        // true = inside an object, false = inside an array
        let mut stack: Vec<bool> = Vec::new();
        loop {
            self.skip_ws();
            // Parse one value start.
            match self.peek()? {
                b'[' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        stack.push(false);
                        if stack.len() > MAX_DEPTH {
                            return None;
                        }
                        continue;
                    }
                }
                b'{' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        stack.push(true);
                        if stack.len() > MAX_DEPTH {
                            return None;
                        }
                        self.object_key()?;
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // After a complete value: close containers or move to the next element.
            loop {
                let Some(&in_object) = stack.last() else {
                    return Some(());
                };
                self.skip_ws();
                match (self.next()?, in_object) {
                    (b',', false) => break,
                    (b',', true) => {
                        self.skip_ws();
                        self.object_key()?;
                        break;
                    }
                    (b']', false) | (b'}', true) => {
                        stack.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    fn object_key(&mut self) -> Option<()> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.string()?;
        self.skip_ws();
        (self.next()? == b':').then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16)?;
        }
        self.pos += 4;
        Some(v)
    }

    /// Parses and decodes a string starting at `"`. Lone surrogates become
    /// U+FFFD as in Go.
    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = String::new();
        let mut run_start = self.pos;
        loop {
            let b = self.peek()?;
            match b {
                b'"' => {
                    out.push_str(self.slice(run_start, self.pos));
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(self.slice(run_start, self.pos));
                    self.pos += 1;
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    out.push(c);
                    run_start = self.pos;
                }
                0..=0x1f => return None,
                _ => self.pos += 1,
            }
        }
    }

    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            let save = self.pos;
            if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                self.pos += 2;
                if let Some(second) = self.hex4()
                    && (0xDC00..0xE000).contains(&second)
                {
                    let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                    return Some(char::from_u32(c).unwrap_or('\u{FFFD}'));
                }
            }
            self.pos = save;
            return Some('\u{FFFD}');
        }
        Some(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }

    fn slice(&self, start: usize, end: usize) -> &str {
        // The scanner only stops on ASCII bytes, so these are char boundaries.
        std::str::from_utf8(&self.bytes[start..end]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Result<Vec<String>, JsonArrayError> {
        parse_array(text, 0, text.len()).map(|a| a.elements.into_iter().map(|e| e.value).collect())
    }

    #[test]
    fn accepts_string_arrays() {
        assert_eq!(strings(" [ \"a\", \"b\" ] ").unwrap(), vec!["a", "b"]);
        assert_eq!(strings("[]").unwrap(), Vec::<String>::new());
        assert_eq!(
            strings(r#"["\" \\ \/ \b \f \n \r \t \u0000 \ud83d\ude00 \ud800"]"#).unwrap(),
            vec!["\" \\ / \u{8} \u{c} \n \r \t \0 😀 \u{FFFD}"]
        );
    }

    #[test]
    fn invalid_json_falls_back() {
        for text in [
            "['a']",
            "[\"a\"",
            "[\"a]",
            "[\"a\",]",
            "[\"a\"] x",
            "x [\"a\"]",
            "[01]",
            "[\"\t\"]",
            "[1, \"a\"",
        ] {
            assert_eq!(strings(text).err(), Some(JsonArrayError::NotJson), "{text}");
        }
    }

    #[test]
    fn non_string_elements_are_errors() {
        assert!(matches!(
            strings(r#"[ "echo", [ "nested json" ] ]"#),
            Err(JsonArrayError::NotStringArray(10, 27))
        ));
        assert!(matches!(
            strings("[1]"),
            Err(JsonArrayError::NotStringArray(1, 2))
        ));
        assert!(matches!(
            strings(r#"[{"a": [1, {"b": null}]}, true]"#),
            Err(JsonArrayError::NotStringArray(..))
        ));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = format!("[{}{}]", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(strings(&text).err(), Some(JsonArrayError::NotJson));
    }
}
