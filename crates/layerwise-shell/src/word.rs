//! Quote removal and expansion detection for one shell word.
//!
//! The parser only tells us where a word starts and ends; what the word *means*
//! (its text once quotes are gone, and whether the shell would expand parts of
//! it) is decided here by a single left-to-right scan that follows the POSIX
//! quoting rules. Expansions are kept verbatim in the text so that callers can
//! still recognise e.g. `$VENV/bin/pip`.

use std::ops::Range;

/// Result of scanning one raw word.
#[derive(Debug, Default)]
pub(crate) struct Unquoted {
    /// Text after quote removal; expansions are kept as written.
    pub text: String,
    /// False when the word contains an expansion, substitution or glob.
    pub literal: bool,
    /// For each byte of `text`, the absolute byte offset in the source it came
    /// from. Only filled when asked for, since most words never need it.
    pub map: Vec<usize>,
    /// Absolute byte ranges of the inside of `$(…)` and `` `…` `` found in the
    /// word, so their commands can be analysed too.
    pub substitutions: Vec<Range<usize>>,
}

struct Scanner<'a> {
    raw: &'a str,
    base: usize,
    want_map: bool,
    out: Unquoted,
}

impl Scanner<'_> {
    fn push(&mut self, src: usize, c: char) {
        self.out.text.push(c);
        if self.want_map {
            for k in 0..c.len_utf8() {
                self.out.map.push(self.base + src + k);
            }
        }
    }

    fn push_str(&mut self, src: usize, s: &str) {
        for (k, c) in s.char_indices() {
            self.push(src + k, c);
        }
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.raw.get(i..).and_then(|s| s.chars().next())
    }
}

/// Removes quotes from `raw`, which starts at byte `base` of the script.
pub(crate) fn unquote(raw: &str, base: usize, want_map: bool) -> Unquoted {
    let mut s = Scanner {
        raw,
        base,
        want_map,
        out: Unquoted {
            literal: true,
            ..Unquoted::default()
        },
    };
    let mut i = 0;
    while let Some(c) = s.char_at(i) {
        match c {
            '\\' => match s.char_at(i + 1) {
                Some('\n') => i += 2,
                Some(n) => {
                    s.push(i + 1, n);
                    i += 1 + n.len_utf8();
                }
                None => {
                    s.push(i, '\\');
                    i += 1;
                }
            },
            '\'' => {
                let end = find_char(raw, i + 1, '\'');
                let content = raw.get(i + 1..end).unwrap_or("");
                s.push_str(i + 1, content);
                i = end + 1;
            }
            '"' => i = scan_double(&mut s, i + 1),
            '$' => match s.char_at(i + 1) {
                Some('\'') => i = scan_ansi_c(&mut s, i + 2),
                Some('"') => i = scan_double(&mut s, i + 2),
                _ => i = scan_dollar(&mut s, i),
            },
            '`' => i = scan_backtick(&mut s, i),
            '*' | '?' | '[' => {
                s.out.literal = false;
                s.push(i, c);
                i += 1;
            }
            '~' if i == 0 => {
                s.out.literal = false;
                s.push(i, c);
                i += 1;
            }
            '{' => {
                if is_brace_expansion(raw, i) {
                    s.out.literal = false;
                }
                s.push(i, c);
                i += 1;
            }
            _ => {
                s.push(i, c);
                i += c.len_utf8();
            }
        }
    }
    s.out
}

/// Index of the next unescaped-by-quoting `needle` at or after `from`, or the
/// end of the string when the quote is unterminated.
fn find_char(raw: &str, from: usize, needle: char) -> usize {
    raw.get(from..)
        .and_then(|rest| rest.find(needle))
        .map_or(raw.len(), |k| from + k)
}

/// Scans the inside of a double-quoted string starting at `i`; returns the
/// index just past the closing quote.
fn scan_double(s: &mut Scanner<'_>, mut i: usize) -> usize {
    while let Some(c) = s.char_at(i) {
        match c {
            '"' => return i + 1,
            '\\' => match s.char_at(i + 1) {
                Some('\n') => i += 2,
                Some(n @ ('$' | '`' | '"' | '\\')) => {
                    s.push(i + 1, n);
                    i += 2;
                }
                _ => {
                    s.push(i, '\\');
                    i += 1;
                }
            },
            '$' => i = scan_dollar(s, i),
            '`' => i = scan_backtick(s, i),
            _ => {
                s.push(i, c);
                i += c.len_utf8();
            }
        }
    }
    i
}

/// Scans `$'…'` (ANSI-C quoting) whose content starts at `i`.
fn scan_ansi_c(s: &mut Scanner<'_>, mut i: usize) -> usize {
    while let Some(c) = s.char_at(i) {
        match c {
            '\'' => return i + 1,
            '\\' => {
                let Some(n) = s.char_at(i + 1) else {
                    s.push(i, '\\');
                    return i + 1;
                };
                let decoded = match n {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\x07',
                    'b' => '\x08',
                    'e' | 'E' => '\x1b',
                    'f' => '\x0c',
                    'v' => '\x0b',
                    other => other,
                };
                s.push(i + 1, decoded);
                i += 1 + n.len_utf8();
            }
            _ => {
                s.push(i, c);
                i += c.len_utf8();
            }
        }
    }
    i
}

/// Scans an expansion starting with `$` at `i`, keeping it verbatim.
fn scan_dollar(s: &mut Scanner<'_>, i: usize) -> usize {
    let raw = s.raw;
    let bytes = raw.as_bytes();
    let end = match bytes.get(i + 1) {
        Some(b'(') if bytes.get(i + 2) == Some(&b'(') => matching_close(raw, i + 3, b'(', b')')
            .map_or(raw.len(), |close| {
                // Arithmetic `$(( … ))` ends with two parentheses.
                if bytes.get(close + 1) == Some(&b')') {
                    close + 2
                } else {
                    close + 1
                }
            }),
        Some(b'(') => {
            let close = matching_close(raw, i + 2, b'(', b')');
            let inner_end = close.unwrap_or(raw.len());
            s.out.substitutions.push(s.base + i + 2..s.base + inner_end);
            close.map_or(raw.len(), |c| c + 1)
        }
        Some(b'{') => matching_close(raw, i + 2, b'{', b'}').map_or(raw.len(), |c| c + 1),
        Some(b'[') => matching_close(raw, i + 2, b'[', b']').map_or(raw.len(), |c| c + 1),
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
            let mut j = i + 1;
            while bytes
                .get(j)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                j += 1;
            }
            j
        }
        Some(b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') => i + 2,
        _ => {
            // A lone `$` is an ordinary character.
            s.push(i, '$');
            return i + 1;
        }
    };
    s.out.literal = false;
    let end = end.min(raw.len());
    if let Some(text) = raw.get(i..end) {
        s.push_str(i, text);
    }
    end
}

/// Scans a backquoted command substitution starting at `i`.
fn scan_backtick(s: &mut Scanner<'_>, i: usize) -> usize {
    let bytes = s.raw.as_bytes();
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != b'`' {
        j += if bytes[j] == b'\\' { 2 } else { 1 };
    }
    let inner_end = j.min(bytes.len());
    s.out.substitutions.push(s.base + i + 1..s.base + inner_end);
    let end = (j + 1).min(bytes.len());
    s.out.literal = false;
    if let Some(text) = s.raw.get(i..end) {
        s.push_str(i, text);
    }
    end
}

/// Finds the byte index of the bracket closing one already opened before
/// `from`, skipping quoted text and nested brackets. `None` if unterminated.
pub(crate) fn matching_close(raw: &str, from: usize, open: u8, close: u8) -> Option<usize> {
    let bytes = raw.as_bytes();
    let mut depth = 1usize;
    let mut j = from;
    while j < bytes.len() {
        let b = bytes[j];
        match b {
            b'\\' => j += 1,
            b'\'' => j = find_char(raw, j + 1, '\''),
            b'"' => {
                j += 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    } else if bytes[j] == b'$' && bytes.get(j + 1) == Some(&b'(') {
                        j = matching_close(raw, j + 2, b'(', b')')?;
                    }
                    j += 1;
                }
            }
            b'`' => {
                j += 1;
                while j < bytes.len() && bytes[j] != b'`' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
            }
            _ if b == open => depth += 1,
            _ if b == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// True when the unquoted `{` at `i` starts a brace expansion (`{a,b}` or
/// `{1..3}`) rather than a literal brace.
fn is_brace_expansion(raw: &str, i: usize) -> bool {
    let Some(close) = matching_close(raw, i + 1, b'{', b'}') else {
        return false;
    };
    raw.get(i + 1..close)
        .is_some_and(|inner| inner.contains(',') || inner.contains(".."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(raw: &str) -> (String, bool) {
        let r = unquote(raw, 0, false);
        (r.text, r.literal)
    }

    #[test]
    fn removes_quotes() {
        assert_eq!(u("'a b'"), ("a b".into(), true));
        assert_eq!(u(r#""a\"b""#), ("a\"b".into(), true));
        assert_eq!(u(r#"a\ b"#), ("a b".into(), true));
        assert_eq!(u(r#""x\n""#), ("x\\n".into(), true));
        assert_eq!(u("$'a\\tb'"), ("a\tb".into(), true));
        assert_eq!(u("'foo[bar]'==1.0"), ("foo[bar]==1.0".into(), true));
    }

    #[test]
    fn detects_expansions() {
        assert_eq!(u("$VENV/bin/pip"), ("$VENV/bin/pip".into(), false));
        assert_eq!(u("\"${A:-x}\"/y"), ("${A:-x}/y".into(), false));
        assert_eq!(u("*.whl"), ("*.whl".into(), false));
        assert_eq!(u("~/x"), ("~/x".into(), false));
        assert_eq!(u("a{b,c}"), ("a{b,c}".into(), false));
        assert_eq!(u("a{b}"), ("a{b}".into(), true));
        assert_eq!(u("cost$"), ("cost$".into(), true));
        assert_eq!(u("$((1+2))x"), ("$((1+2))x".into(), false));
    }

    #[test]
    fn records_substitutions() {
        let raw = "a$(echo \"$(b)\")`c`";
        let r = unquote(raw, 10, false);
        assert!(!r.literal);
        assert_eq!(r.text, raw);
        let inner: Vec<&str> = r
            .substitutions
            .iter()
            .map(|x| &raw[x.start - 10..x.end - 10])
            .collect();
        assert_eq!(inner, vec!["echo \"$(b)\"", "c"]);
    }

    #[test]
    fn map_points_at_source_bytes() {
        let raw = r#"'ab'"c\"d"é"#;
        let r = unquote(raw, 5, true);
        assert_eq!(r.text, "abc\"dé");
        assert_eq!(r.map.len(), r.text.len());
        for (k, &src) in r.map.iter().enumerate() {
            if r.text.is_char_boundary(k) {
                let out = r.text[k..].chars().next();
                let inp = raw[src - 5..].chars().next();
                assert_eq!(out, inp, "byte {k}");
            }
        }
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for raw in [
            "'abc", "\"abc", "$(abc", "${abc", "`abc", "\\", "$", "$'\\", "{",
        ] {
            let _ = unquote(raw, 0, true);
        }
    }
}
