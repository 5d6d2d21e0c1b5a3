//! Go `filepath.Match` globs, the syntax BuildKit accepts in COPY/ADD sources.
//!
//! Grammar (Unix): `*` is any run of non-`/` characters, `?` one non-`/`
//! character, `[...]` a non-empty class of characters or `lo-hi` ranges,
//! negated by a leading `^` (a leading `!` is an ordinary member, as in Go),
//! and `\` makes the next character literal. There is no `**`: two stars are
//! just two stars. A class may match `/`, as Go's does.

use crate::nfa::{Class, Pred, Program, ProgramBuilder};
use std::fmt;

/// A syntax error in a glob, with the 1-based character column in the pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {kind} in pattern {pattern:?}")]
pub struct GlobError {
    /// The pattern as given.
    pub pattern: String,
    /// 1-based character column of the offending construct.
    pub column: usize,
    /// What is wrong.
    pub kind: GlobErrorKind,
}

/// The ways a glob can be malformed (all are Go's `ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobErrorKind {
    /// `[` without a closing `]`.
    UnterminatedClass,
    /// `[]`, `[^]`, or a `]`/`-` where a class member was expected.
    BadClassMember,
    /// A `\` with nothing after it.
    TrailingBackslash,
    /// A range whose start is after its end, e.g. `[z-a]` (only rejected
    /// where BuildKit rejects it: in `.dockerignore` patterns).
    ReversedRange,
}

impl fmt::Display for GlobErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GlobErrorKind::UnterminatedClass => "unterminated character class `[`",
            GlobErrorKind::BadClassMember => "empty or malformed character class",
            GlobErrorKind::TrailingBackslash => "trailing `\\` escapes nothing",
            GlobErrorKind::ReversedRange => "character range is out of order",
        })
    }
}

/// A token of a Go glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GlobTok {
    Lit(char),
    /// `?`
    Any,
    /// `*`
    Star,
    Class(Class),
}

/// Parses a class starting right after `[` at `chars[start]`; returns the
/// class and the index just past the closing `]`.
/// Errors carry the 0-based index where the problem was found.
pub(crate) fn parse_class(
    chars: &[char],
    start: usize,
) -> Result<(Class, usize), (usize, GlobErrorKind)> {
    let open = start.saturating_sub(1);
    let mut i = start;
    let mut negated = false;
    if chars.get(i) == Some(&'^') {
        negated = true;
        i += 1;
    }
    let mut ranges = Vec::new();
    loop {
        if chars.get(i) == Some(&']') && !ranges.is_empty() {
            return Ok((Class { negated, ranges }, i + 1));
        }
        let (lo, after) = class_char(chars, i, open)?;
        i = after;
        let mut hi = lo;
        if chars.get(i) == Some(&'-') {
            let (h, after) = class_char(chars, i + 1, open)?;
            hi = h;
            i = after;
        }
        ranges.push((lo, hi));
    }
}

/// One class member character (Go's `getEsc`): not `-` or `]`, `\` escapes,
/// and something must follow it.
fn class_char(
    chars: &[char],
    i: usize,
    open: usize,
) -> Result<(char, usize), (usize, GlobErrorKind)> {
    let mut i = i;
    match chars.get(i) {
        None => return Err((open, GlobErrorKind::UnterminatedClass)),
        Some('-') | Some(']') => return Err((i, GlobErrorKind::BadClassMember)),
        Some('\\') => {
            i += 1;
            if chars.get(i).is_none() {
                return Err((open, GlobErrorKind::UnterminatedClass));
            }
        }
        Some(_) => {}
    }
    let c = match chars.get(i) {
        Some(c) => *c,
        None => return Err((open, GlobErrorKind::UnterminatedClass)),
    };
    if i + 1 >= chars.len() {
        return Err((open, GlobErrorKind::UnterminatedClass));
    }
    Ok((c, i + 1))
}

/// Tokenizes a Go glob, validating the whole pattern as Go's `Match` does.
pub(crate) fn tokenize(pattern: &str) -> Result<Vec<GlobTok>, GlobError> {
    let chars: Vec<char> = pattern.chars().collect();
    let err = |(pos, kind): (usize, GlobErrorKind)| GlobError {
        pattern: pattern.to_string(),
        column: pos + 1,
        kind,
    };
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '*' => {
                if toks.last() != Some(&GlobTok::Star) {
                    toks.push(GlobTok::Star);
                }
                i += 1;
            }
            '?' => {
                toks.push(GlobTok::Any);
                i += 1;
            }
            '\\' => match chars.get(i + 1) {
                Some(&next) => {
                    toks.push(GlobTok::Lit(next));
                    i += 2;
                }
                None => return Err(err((i, GlobErrorKind::TrailingBackslash))),
            },
            '[' => {
                let (class, after) = parse_class(&chars, i + 1).map_err(err)?;
                toks.push(GlobTok::Class(class));
                i = after;
            }
            other => {
                toks.push(GlobTok::Lit(other));
                i += 1;
            }
        }
    }
    Ok(toks)
}

/// A compiled Go-style glob for COPY/ADD sources and other single-path tests.
///
/// ```
/// use layerwise_ignore::Glob;
/// let g = Glob::new("requirements*.txt").unwrap();
/// assert!(g.matches("requirements-dev.txt"));
/// assert!(!g.matches("deps/requirements.txt"));
/// ```
#[derive(Debug, Clone)]
pub struct Glob {
    pattern: String,
    literal: Option<String>,
    program: Program,
}

impl Glob {
    /// Compiles `pattern`, rejecting what Go's `filepath.Match` rejects.
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        let toks = tokenize(pattern)?;
        let literal = toks
            .iter()
            .map(|t| match t {
                GlobTok::Lit(c) => Some(*c),
                _ => None,
            })
            .collect::<Option<String>>();
        let mut b = ProgramBuilder::default();
        for tok in toks {
            match tok {
                GlobTok::Lit(c) => b.one(Pred::Lit(c)),
                GlobTok::Any => b.one(Pred::NotSlash),
                GlobTok::Star => b.many(Pred::NotSlash),
                GlobTok::Class(class) => b.one(Pred::Class(class)),
            }
        }
        Ok(Glob {
            pattern: pattern.to_string(),
            literal,
            program: b.finish(),
        })
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The unescaped text when the pattern has no wildcards (`a\*b` → `a*b`).
    pub fn literal(&self) -> Option<&str> {
        self.literal.as_deref()
    }

    /// True when the whole of `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        match &self.literal {
            Some(lit) => lit == name,
            None => self.program.matches(name),
        }
    }
}

/// One-shot `filepath.Match(pattern, name)`.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, GlobError> {
    Ok(Glob::new(pattern)?.matches(name))
}

/// True when `s` contains an unescaped `*`, `?` or `[` — BuildKit's test for
/// "this COPY source is a wildcard" (a `\` skips the character after it).
pub fn has_wildcards(s: &str) -> bool {
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's own `filepath.Match` table (Unix rows), as expected results.
    #[test]
    fn go_match_table() {
        let ok: &[(&str, &str, bool)] = &[
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*", "abc", true),
            ("a*", "ab/c", false),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[c]", "abc", true),
            ("ab[b-d]", "abc", true),
            ("ab[e-g]", "abc", false),
            ("ab[^c]", "abc", false),
            ("ab[^b-d]", "abc", false),
            ("ab[^e-g]", "abc", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("a?b", "a☺b", true),
            ("a[^a]b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("a[^a][^a][^a]b", "a☺b", false),
            ("[a-ζ]*", "α", true),
            ("*[a-ζ]", "A", false),
            ("a?b", "a/b", false),
            ("a*b", "a/b", false),
            ("[\\]a]", "]", true),
            ("[\\-]", "-", true),
            ("[x\\-]", "x", true),
            ("[x\\-]", "-", true),
            ("[x\\-]", "z", false),
            ("[\\-x]", "x", true),
            ("[\\-x]", "-", true),
            ("[\\-x]", "a", false),
            ("*x", "xxx", true),
            ("[!a]", "!", true),
            ("[!a]", "b", false),
            ("a[^x]b", "a/b", true),
            ("[z-a]", "m", false),
        ];
        for &(pat, name, want) in ok {
            assert_eq!(glob_match(pat, name), Ok(want), "Match({pat:?}, {name:?})");
        }
    }

    #[test]
    fn go_bad_patterns() {
        let bad: &[(&str, usize, GlobErrorKind)] = &[
            ("[]a]", 2, GlobErrorKind::BadClassMember),
            ("[-]", 2, GlobErrorKind::BadClassMember),
            ("[x-]", 4, GlobErrorKind::BadClassMember),
            ("[-x]", 2, GlobErrorKind::BadClassMember),
            ("\\", 1, GlobErrorKind::TrailingBackslash),
            ("[a-b-c]", 5, GlobErrorKind::BadClassMember),
            ("[", 1, GlobErrorKind::UnterminatedClass),
            ("[^", 1, GlobErrorKind::UnterminatedClass),
            ("[^bc", 1, GlobErrorKind::UnterminatedClass),
            ("a[", 2, GlobErrorKind::UnterminatedClass),
            ("ok/then[", 8, GlobErrorKind::UnterminatedClass),
        ];
        for &(pat, column, kind) in bad {
            let err = glob_match(pat, "a").expect_err(pat);
            assert_eq!((err.column, err.kind), (column, kind), "{pat:?}");
        }
    }

    #[test]
    fn literal_and_wildcard_detection() {
        assert_eq!(
            Glob::new("a\\*b").map(|g| g.literal().map(str::to_owned)),
            Ok(Some("a*b".into()))
        );
        assert_eq!(Glob::new("a*b").map(|g| g.literal().is_none()), Ok(true));
        assert!(has_wildcards("src/*.py"));
        assert!(has_wildcards("a[bc]"));
        assert!(!has_wildcards("a\\*b"));
        assert!(!has_wildcards("requirements.txt"));
    }
}
