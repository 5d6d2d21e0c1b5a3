//! Parser directives (`# syntax=`, `# escape=`, `# check=`) at the top of a file.

use crate::instruction::DirectiveKind;

/// A directive-shaped comment: `#` then `key = value`.
pub(crate) struct DirectiveMatch {
    pub(crate) kind: Option<DirectiveKind>,
    pub(crate) name: (usize, usize),
    pub(crate) value: (usize, usize),
}

/// Go regexp `\s`: space, tab, newline, form feed, carriage return.
fn is_re_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0c}' | '\r')
}

/// Matches `line` (already left-trimmed, line end removed) against
/// BuildKit's directive grammar `#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`.
/// Offsets are relative to `line`. `kind` is `None` for unknown keys, which
/// end directive scanning like any other comment.
pub(crate) fn match_directive(line: &str) -> Option<DirectiveMatch> {
    let rest = line.strip_prefix('#')?;
    let after_hash = 1;
    let trimmed = rest.trim_start_matches(char::is_whitespace);
    let name_start = after_hash + rest.len() - trimmed.len();
    let bytes = line.as_bytes();
    if !bytes.get(name_start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut name_end = name_start;
    while name_end < line.len() && bytes[name_end].is_ascii_alphanumeric() {
        name_end += 1;
    }
    let after_name = &line[name_end..];
    let eq_rel = after_name.len() - after_name.trim_start_matches(is_re_space).len();
    if !after_name[eq_rel..].starts_with('=') {
        return None;
    }
    let value_part = &after_name[eq_rel + 1..];
    let value_lead = value_part.len() - value_part.trim_start_matches(is_re_space).len();
    let value_start = name_end + eq_rel + 1 + value_lead;
    let value_end = value_start + line[value_start..].trim_end_matches(is_re_space).len();
    if value_end <= value_start {
        return None;
    }
    let kind = match line[name_start..name_end].to_ascii_lowercase().as_str() {
        "syntax" => Some(DirectiveKind::Syntax),
        "escape" => Some(DirectiveKind::Escape),
        "check" => Some(DirectiveKind::Check),
        _ => None,
    };
    Some(DirectiveMatch {
        kind,
        name: (name_start, name_end),
        value: (value_start, value_end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_grammar() {
        let m = match_directive("# escape = `").unwrap();
        assert_eq!(m.kind, Some(DirectiveKind::Escape));
        assert_eq!((m.name, m.value), ((2, 8), (11, 12)));
        let m = match_directive("#SYNTAX=docker/dockerfile:1  ").unwrap();
        assert_eq!(m.kind, Some(DirectiveKind::Syntax));
        assert_eq!(m.value, (8, 27));
        assert_eq!(match_directive("# foo=bar").unwrap().kind, None);
        assert!(match_directive("# escape =").is_none());
        assert!(match_directive("# just a comment").is_none());
        assert!(match_directive("#1a=b").is_none());
        assert!(match_directive("FROM x").is_none());
    }
}
