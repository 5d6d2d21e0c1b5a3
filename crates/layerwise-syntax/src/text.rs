//! Character classes and trimming exactly as BuildKit's Go code uses them.

/// Go's `unicode.IsSpace`: the Unicode White_Space property, which is what
/// Rust's `char::is_whitespace` implements.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// The separator class `[\t\v\f\r ]` that BuildKit uses to split a command
/// from its arguments and whitespace-delimited arguments from each other.
pub(crate) fn is_token_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `strings.TrimSpace` over `text[start..end]`, returned as offsets into `text`.
pub(crate) fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let slice = &text[start..end];
    let left = slice.len() - slice.trim_start_matches(is_space).len();
    let right = slice.trim_end_matches(is_space).len();
    if right <= left {
        (start + left, start + left)
    } else {
        (start + left, start + right)
    }
}

/// Splits `text[start..end]` on runs of `[\t\v\f\r ]`, returning the offsets
/// of the non-empty pieces (Go's `regexp.Split(-1)` after a `TrimSpace`).
pub(crate) fn split_token_space(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut i = start;
    while i < end {
        while i < end && is_token_space_byte(bytes[i]) {
            i += 1;
        }
        let word_start = i;
        while i < end && !is_token_space_byte(bytes[i]) {
            i += 1;
        }
        if i > word_start {
            pieces.push((word_start, i));
        }
    }
    pieces
}
