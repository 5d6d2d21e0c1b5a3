//! Splitting an instruction line into keyword, flags and arguments, and
//! BuildKit's per-instruction argument shapes ("line parsers").

use crate::error::{ParseError, ParseErrorKind};
use crate::instruction::{
    ArgDeclaration, Arguments, ExecForm, Flag, InstructionKind, KeyValue, Separator,
};
use crate::json::{JsonArrayError, parse_array};
use crate::logical::LogicalLine;
use crate::span::Spanned;
use crate::text::{is_space, is_token_space_byte, split_token_space, trim_range};

/// A flag with the logical offset of every byte of its processed value, so
/// parts of the value (mount options) can be mapped back to the source.
pub(crate) struct ExtractedFlag {
    pub(crate) flag: Flag,
    pub(crate) value_offsets: Vec<usize>,
}

/// The keyword of `text[start..end]` (after `TrimSpace`) and where the rest begins.
pub(crate) fn split_keyword(text: &str, start: usize, end: usize) -> (usize, usize, usize, usize) {
    let (a, b) = trim_range(text, start, end);
    let bytes = text.as_bytes();
    let mut c = a;
    while c < b && !is_token_space_byte(bytes[c]) {
        c += 1;
    }
    let mut d = c;
    while d < b && is_token_space_byte(bytes[d]) {
        d += 1;
    }
    (a, c, d, b)
}

/// BuildKit's `extractBuilderFlags`: leading words starting with `--` are
/// flags (quotes removed, `\` escapes the next byte); `--` alone ends them.
/// Returns the flags and the offset where the arguments begin.
pub(crate) fn extract_flags(
    ll: &LogicalLine,
    start: usize,
    end: usize,
) -> (Vec<ExtractedFlag>, usize) {
    let text = ll.text.as_str();
    let bytes = text.as_bytes();
    let mut flags = Vec::new();
    let mut pos = start;
    // Whitespace as Go's byte-wise unicode.IsSpace sees it, restricted to
    // ASCII so that words never split a multi-byte character.
    let space = |b: u8| b == b' ' || (0x09..=0x0d).contains(&b);
    loop {
        while pos < end && space(bytes[pos]) {
            pos += 1;
        }
        if pos >= end {
            return (flags, end);
        }
        if !(bytes[pos] == b'-' && pos + 1 < end && bytes[pos + 1] == b'-') {
            return (flags, pos);
        }
        let word_start = pos;
        let mut word: Vec<u8> = Vec::new();
        let mut offsets: Vec<usize> = Vec::new();
        let mut quote: Option<u8> = None;
        let mut blank_ok = false;
        while pos < end {
            let mut b = bytes[pos];
            match quote {
                None if space(b) => break,
                None if b == b'\'' || b == b'"' => {
                    quote = Some(b);
                    blank_ok = true;
                    pos += 1;
                    continue;
                }
                Some(q) if b == q => {
                    quote = None;
                    pos += 1;
                    continue;
                }
                _ => {}
            }
            if b == b'\\' {
                if pos + 1 == end {
                    quote = None;
                    pos += 1;
                    continue;
                }
                pos += 1;
                b = bytes[pos];
            }
            word.push(b);
            offsets.push(pos);
            pos += 1;
        }
        if word == b"--" {
            return (flags, pos);
        }
        if !blank_ok && word.is_empty() {
            continue;
        }
        let word = String::from_utf8(word)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        flags.push(make_flag(ll, word, offsets, word_start, pos));
    }
}

fn make_flag(
    ll: &LogicalLine,
    text: String,
    offsets: Vec<usize>,
    start: usize,
    end: usize,
) -> ExtractedFlag {
    let span = ll.span(start, end);
    let at = |i: usize| offsets.get(i).copied().unwrap_or(end);
    let body = text.get(2..).unwrap_or_default();
    let (flag, value_offsets) = match body.find('=') {
        Some(eq) => {
            let name_end = if eq == 0 { at(2) } else { at(2 + eq - 1) + 1 };
            let name = Spanned::new(body[..eq].to_string(), ll.span(at(2), name_end));
            let value_start = at(2 + eq) + 1;
            let value = Spanned::new(body[eq + 1..].to_string(), ll.span(value_start, end));
            let value_offsets = offsets
                .get(3 + eq..)
                .map(<[usize]>::to_vec)
                .unwrap_or_default();
            (
                Flag {
                    span,
                    text,
                    name,
                    value: Some(value),
                },
                value_offsets,
            )
        }
        None => {
            let name = Spanned::new(body.to_string(), ll.span(at(2).min(end), end));
            (
                Flag {
                    span,
                    text,
                    name,
                    value: None,
                },
                Vec::new(),
            )
        }
    };
    ExtractedFlag {
        flag,
        value_offsets,
    }
}

/// Shapes the arguments `text[start..end]` of `kind` the way BuildKit's
/// dispatch table does. Parser-level errors go to `errors`.
pub(crate) fn parse_arguments(
    kind: InstructionKind,
    ll: &LogicalLine,
    start: usize,
    end: usize,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Arguments {
    use InstructionKind::*;
    match kind {
        Add | Copy | Volume => maybe_json_to_list(ll, start, end, errors),
        Arg => name_or_name_value(ll, start, end, escape),
        Cmd | Entrypoint | Run | Shell => maybe_json(ll, start, end, errors),
        Env | Label => name_value(kind, ll, start, end, escape, errors),
        Expose | From => whitespace_words(ll, start, end),
        Healthcheck => health_config(ll, start, end, errors),
        Maintainer | StopSignal | User | Workdir => {
            if start == end {
                Arguments::None
            } else {
                Arguments::Text(Spanned::new(
                    ll.text[start..end].to_string(),
                    ll.span(start, end),
                ))
            }
        }
        // ONBUILD is handled by the caller, which recurses.
        Onbuild | Unknown => Arguments::Ignored,
    }
}

fn whitespace_words(ll: &LogicalLine, start: usize, end: usize) -> Arguments {
    if start == end {
        return Arguments::None;
    }
    Arguments::Words(
        split_token_space(&ll.text, start, end)
            .into_iter()
            .map(|(a, b)| Spanned::new(ll.text[a..b].to_string(), ll.span(a, b)))
            .collect(),
    )
}

/// `Err(Some(error))` for a non-string element, `Err(None)` if not JSON.
fn json(ll: &LogicalLine, start: usize, end: usize) -> Result<Arguments, Option<ParseError>> {
    match parse_array(&ll.text, start, end) {
        Ok(array) => Ok(Arguments::Exec(ExecForm {
            span: ll.span(array.start, array.end),
            elements: array
                .elements
                .into_iter()
                .map(|e| Spanned::new(e.value, ll.span(e.start, e.end)))
                .collect(),
        })),
        Err(JsonArrayError::NotJson) => Err(None),
        Err(JsonArrayError::NotStringArray(a, b)) => Err(Some(ParseError::new(
            ParseErrorKind::InvalidJson,
            ll.span(a, b),
            "when using JSON array syntax, arrays must be comprised of strings only",
        ))),
    }
}

fn maybe_json(
    ll: &LogicalLine,
    start: usize,
    end: usize,
    errors: &mut Vec<ParseError>,
) -> Arguments {
    if start == end {
        return Arguments::None;
    }
    match json(ll, start, end) {
        Ok(args) => args,
        Err(Some(error)) => {
            errors.push(error);
            Arguments::None
        }
        Err(None) => Arguments::Text(Spanned::new(
            ll.text[start..end].to_string(),
            ll.span(start, end),
        )),
    }
}

fn maybe_json_to_list(
    ll: &LogicalLine,
    start: usize,
    end: usize,
    errors: &mut Vec<ParseError>,
) -> Arguments {
    match json(ll, start, end) {
        Ok(args) => args,
        Err(Some(error)) => {
            errors.push(error);
            Arguments::None
        }
        Err(None) => whitespace_words(ll, start, end),
    }
}

fn health_config(
    ll: &LogicalLine,
    start: usize,
    end: usize,
    errors: &mut Vec<ParseError>,
) -> Arguments {
    let bytes = ll.text.as_bytes();
    let ascii_space = |b: u8| b == b' ' || (0x09..=0x0d).contains(&b);
    let mut sep = start;
    while sep < end && !ascii_space(bytes[sep]) {
        sep += 1;
    }
    let mut next = sep;
    while next < end && ascii_space(bytes[next]) {
        next += 1;
    }
    if sep == start {
        return Arguments::None;
    }
    let kind = Spanned::new(ll.text[start..sep].to_string(), ll.span(start, sep));
    let command = maybe_json(ll, next, end, errors);
    Arguments::Healthcheck {
        kind,
        command: Box::new(command),
    }
}

/// BuildKit's `parseWords`: whitespace-separated words where quotes group
/// (and are kept) and the escape character keeps the next character.
/// Returns each word with its offsets.
pub(crate) fn parse_words(
    text: &str,
    start: usize,
    end: usize,
    escape: char,
) -> Vec<(String, usize, usize)> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut word_start = start;
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = text[start..end]
        .char_indices()
        .map(|(i, c)| (start + i, c))
        .peekable();
    while let Some((pos, ch)) = chars.next() {
        let after = pos + ch.len_utf8();
        if !in_word {
            if is_space(ch) {
                continue;
            }
            in_word = true;
            word_start = pos;
        }
        match quote {
            None => {
                if is_space(ch) {
                    if blank_ok || !word.is_empty() {
                        words.push((std::mem::take(&mut word), word_start, pos));
                    }
                    word.clear();
                    blank_ok = false;
                    in_word = false;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    if after == end {
                        continue;
                    }
                    word.push(ch);
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                    continue;
                }
                word.push(ch);
            }
            Some(q) => {
                if ch == q {
                    quote = None;
                }
                if ch == escape && q != '\'' {
                    if after == end {
                        quote = None;
                        continue;
                    }
                    word.push(ch);
                    if let Some((_, next)) = chars.next() {
                        word.push(next);
                    }
                    continue;
                }
                word.push(ch);
            }
        }
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push((word, word_start, end));
    }
    words
}

fn name_or_name_value(ll: &LogicalLine, start: usize, end: usize, escape: char) -> Arguments {
    let words = parse_words(&ll.text, start, end, escape);
    if words.is_empty() {
        return Arguments::None;
    }
    Arguments::Declarations(
        words
            .into_iter()
            .map(|(word, a, b)| {
                let span = ll.span(a, b);
                let (name, default) = match word.find('=') {
                    Some(eq) => {
                        let name =
                            Spanned::new(word[..eq].to_string(), ll.span(a, (a + eq).min(b)));
                        let default = Spanned::new(
                            word[eq + 1..].to_string(),
                            ll.span((a + eq + 1).min(b), b),
                        );
                        (name, Some(default))
                    }
                    None => (Spanned::new(word.clone(), span), None),
                };
                ArgDeclaration {
                    word: Spanned::new(word, span),
                    name,
                    default,
                }
            })
            .collect(),
    )
}

fn name_value(
    kind: InstructionKind,
    ll: &LogicalLine,
    start: usize,
    end: usize,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Arguments {
    let words = parse_words(&ll.text, start, end, escape);
    let Some(first) = words.first() else {
        return Arguments::None;
    };
    if !first.0.contains('=') {
        // Legacy `KEY value`: the value is the rest of the line as written.
        let bytes = ll.text.as_bytes();
        let mut key_end = start;
        while key_end < end && !is_token_space_byte(bytes[key_end]) {
            key_end += 1;
        }
        let mut value_start = key_end;
        while value_start < end && is_token_space_byte(bytes[value_start]) {
            value_start += 1;
        }
        if key_end == end {
            errors.push(ParseError::new(
                ParseErrorKind::MissingArguments,
                ll.span(start, end),
                format!("{} must have two arguments", kind.keyword()),
            ));
            return Arguments::None;
        }
        return Arguments::KeyValues(vec![KeyValue {
            span: ll.span(start, end),
            key: Spanned::new(ll.text[start..key_end].to_string(), ll.span(start, key_end)),
            value: Spanned::new(
                ll.text[value_start..end].to_string(),
                ll.span(value_start, end),
            ),
            separator: Separator::Whitespace,
        }]);
    }
    let mut pairs = Vec::with_capacity(words.len());
    for (word, a, b) in words {
        let Some(eq) = word.find('=') else {
            errors.push(ParseError::new(
                ParseErrorKind::InvalidArguments,
                ll.span(a, b),
                format!("Syntax error - can't find = in {word:?}. Must be of the form: name=value"),
            ));
            return Arguments::KeyValues(pairs);
        };
        let eq_at = (a + eq).min(b);
        pairs.push(KeyValue {
            span: ll.span(a, b),
            key: Spanned::new(word[..eq].to_string(), ll.span(a, eq_at)),
            value: Spanned::new(word[eq + 1..].to_string(), ll.span((eq_at + 1).min(b), b)),
            separator: Separator::Equals,
        });
    }
    Arguments::KeyValues(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        parse_words(s, 0, s.len(), '\\')
            .into_iter()
            .map(|w| w.0)
            .collect()
    }

    #[test]
    fn parse_words_keeps_quotes_and_escapes() {
        assert_eq!(words("a=b c=\"d e\""), ["a=b", "c=\"d e\""]);
        assert_eq!(words("a=x\\ y b"), ["a=x\\ y", "b"]);
        assert_eq!(words("a='x\\'"), ["a='x\\'"]);
        assert_eq!(words("trailing\\"), ["trailing"]);
        assert_eq!(words("e=\"\""), ["e=\"\""]);
    }

    #[test]
    fn flags_are_extracted_with_spans() {
        let text = "--mount=\"type=cache,target=/x\" --link -- --notaflag /d";
        let mut ll = LogicalLine::new(0);
        ll.push(text, 0, text.len());
        let (flags, rest) = extract_flags(&ll, 0, text.len());
        assert_eq!(flags.len(), 2);
        assert_eq!(flags[0].flag.text, "--mount=type=cache,target=/x");
        assert_eq!(flags[0].flag.name.value, "mount");
        assert_eq!(flags[0].flag.name.span, crate::Span::new(2, 7));
        let value = flags[0].flag.value.as_ref().unwrap();
        assert_eq!(value.span, crate::Span::new(8, 30));
        assert_eq!(flags[0].value_offsets[0], 9);
        assert_eq!(flags[1].flag.text, "--link");
        assert_eq!(&text[rest..], " --notaflag /d");
    }
}
