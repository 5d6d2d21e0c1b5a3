//! moby/patternmatcher semantics: ordered patterns, `!` exceptions, `**`,
//! and "a pattern matching a parent directory matches everything below it".
//!
//! Each pattern is classified the way patternmatcher classifies it (exact,
//! prefix `dir/**`, suffix `**/name`, or general), because the classes are not
//! equivalent to one regular language: a leading `**` followed by literal text
//! is a plain suffix test, so `**file` matches `dir/myfile`, while `**/a*`
//! only matches whole components. General patterns follow patternmatcher's
//! translation: `*` → `[^/]*`, `?` → `[^/]`, `**/` inside → `(.*/)?`, trailing
//! `**` → `.*` (Go's `.` stops at a newline), classes as written.
//!
//! Known deviations, all for patterns nobody writes on purpose: patternmatcher
//! hands `\d`, `\w`, `\s` … to Go's regexp (so `\d` means "a digit") and
//! mangles `*`/`?` inside brackets; here an escaped character is always
//! literal and bracket members are always literal.

use crate::clean::clean;
use crate::glob::{self, GlobErrorKind};
use crate::nfa::{Pred, Program, ProgramBuilder};

/// How a single pattern is tested, mirroring patternmatcher's match types.
#[derive(Debug, Clone)]
enum Kind {
    /// No wildcard: string equality.
    Exact,
    /// `literal**`: the path starts with `literal`.
    Prefix(String),
    /// `**literal`: the path ends with `literal` (or equals it minus a
    /// leading `/`).
    Suffix(String),
    /// Anything else.
    General(Program),
}

/// One cleaned pattern of a [`PatternList`].
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    exception: bool,
    kind: Kind,
    /// Literal text every match must start with (conservative: stops at the
    /// first wildcard). Used to decide whether a directory can be skipped.
    literal_prefix: String,
    /// True when the pattern has wildcards other than a trailing `/*` or
    /// `/**` (BuildKit's own notion of a "prefix-only" pattern).
    has_inner_wildcards: bool,
}

/// Why a pattern was rejected; `column` is a 1-based character column in the
/// cleaned pattern text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompileError {
    pub(crate) column: usize,
    pub(crate) kind: PatternErrorKind,
}

/// The ways a `.dockerignore` or include pattern can be malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternErrorKind {
    /// A line that is only `!`.
    LoneExclamation,
    /// A glob syntax error (same rules as Go's `filepath.Match`).
    Glob(GlobErrorKind),
}

impl std::fmt::Display for PatternErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatternErrorKind::LoneExclamation => {
                f.write_str("illegal exclusion pattern \"!\" (an exception needs a path)")
            }
            PatternErrorKind::Glob(kind) => kind.fmt(f),
        }
    }
}

impl Pattern {
    /// Builds a pattern the way patternmatcher's `New` does: trim, clean,
    /// split off a leading `!`, validate. Returns `None` for blank input.
    pub(crate) fn new(raw: &str) -> Option<Result<Pattern, CompileError>> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        let cleaned = clean(trimmed);
        let (exception, text) = match cleaned.strip_prefix('!') {
            Some("") => {
                return Some(Err(CompileError {
                    column: 1,
                    kind: PatternErrorKind::LoneExclamation,
                }));
            }
            Some(rest) => (true, rest.to_string()),
            None => (false, cleaned),
        };
        Some(compile(&text).map(|(kind, literal_prefix)| {
            let has_inner_wildcards = glob::has_wildcards(strip_trailing_glob(&text));
            Pattern {
                text,
                exception,
                kind,
                literal_prefix,
                has_inner_wildcards,
            }
        }))
    }

    /// The cleaned pattern text, without the `!`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True for `!` patterns, which re-include what earlier patterns matched.
    pub fn is_exception(&self) -> bool {
        self.exception
    }

    /// True when the pattern contains wildcards other than a trailing `/*` or
    /// `/**`; BuildKit walks every directory below an excluded one as soon as
    /// any exception has such wildcards.
    pub fn has_inner_wildcards(&self) -> bool {
        self.has_inner_wildcards
    }

    /// Tests `path` itself, without parent matching.
    pub fn matches_exact(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix(prefix) => path.starts_with(prefix.as_str()),
            Kind::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|s| path == s)
            }
            Kind::General(program) => program.matches(path),
        }
    }

    /// Tests `path` and each of its parent directories (patternmatcher's
    /// `MatchesOrParentMatches` for one pattern).
    pub fn matches(&self, path: &str) -> bool {
        if self.matches_exact(path) {
            return true;
        }
        path.match_indices('/')
            .any(|(i, _)| i > 0 && self.matches_exact(&path[..i]))
    }

    /// Whether some path strictly below directory `dir` could match this
    /// pattern directly. Conservative: `true` whenever unsure.
    pub fn may_match_below(&self, dir: &str) -> bool {
        if dir.is_empty() || dir == "." {
            return true;
        }
        let dir_slash = format!("{dir}/");
        match &self.kind {
            Kind::Exact => self.text.starts_with(&dir_slash),
            Kind::Prefix(prefix) => compatible(prefix, &dir_slash),
            Kind::Suffix(_) => true,
            Kind::General(_) => compatible(&self.literal_prefix, &dir_slash),
        }
    }
}

/// True when one string is a prefix of the other, i.e. some string can start
/// with both.
fn compatible(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// BuildKit's `patternWithoutTrailingGlob`.
fn strip_trailing_glob(p: &str) -> &str {
    let p = p.strip_suffix("/**").unwrap_or(p);
    p.strip_suffix("/*").unwrap_or(p)
}

/// Classifies and compiles a cleaned pattern (no leading `!`).
fn compile(text: &str) -> Result<(Kind, String), CompileError> {
    // Syntax is validated with Go glob rules, as patternmatcher does.
    if let Err(e) = glob::tokenize(text) {
        return Err(CompileError {
            column: e.column,
            kind: PatternErrorKind::Glob(e.kind),
        });
    }
    #[derive(PartialEq)]
    enum Detected {
        Exact,
        Prefix,
        Suffix,
        General,
    }
    let chars: Vec<char> = text.chars().collect();
    let mut b = ProgramBuilder::default();
    let mut detected = Detected::Exact;
    let mut literal_prefix = String::new();
    let mut prefix_open = true;
    let mut pos = 0;
    let mut iteration = 0usize;
    while let Some(&ch) = chars.get(pos) {
        pos += 1;
        match ch {
            '*' if chars.get(pos) == Some(&'*') => {
                pos += 1;
                if chars.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos >= chars.len() {
                    if detected == Detected::Exact {
                        detected = Detected::Prefix;
                    } else {
                        b.many(Pred::NotNewline);
                        detected = Detected::General;
                    }
                } else {
                    b.any_dirs();
                    detected = Detected::General;
                }
                if iteration == 0 {
                    detected = Detected::Suffix;
                }
                prefix_open = false;
            }
            '*' => {
                b.many(Pred::NotSlash);
                detected = Detected::General;
                prefix_open = false;
            }
            '?' => {
                b.one(Pred::NotSlash);
                detected = Detected::General;
                prefix_open = false;
            }
            '\\' => {
                // Validation guarantees a following character.
                let lit = chars.get(pos).copied().unwrap_or('\\');
                pos += 1;
                b.one(Pred::Lit(lit));
                detected = Detected::General;
                if prefix_open {
                    literal_prefix.push(lit);
                }
            }
            '[' => {
                let (class, after) =
                    glob::parse_class(&chars, pos).map_err(|(p, kind)| CompileError {
                        column: p + 1,
                        kind: PatternErrorKind::Glob(kind),
                    })?;
                if class.ranges.iter().any(|&(lo, hi)| lo > hi) {
                    // Go's regexp refuses `[z-a]`, so BuildKit fails the build.
                    return Err(CompileError {
                        column: pos,
                        kind: PatternErrorKind::Glob(GlobErrorKind::ReversedRange),
                    });
                }
                pos = after;
                b.one(Pred::Class(class));
                detected = Detected::General;
                prefix_open = false;
            }
            ']' => {
                b.one(Pred::Lit(']'));
                detected = Detected::General;
                if prefix_open {
                    literal_prefix.push(']');
                }
            }
            other => {
                b.one(Pred::Lit(other));
                if prefix_open {
                    literal_prefix.push(other);
                }
            }
        }
        iteration += 1;
    }
    let kind = match detected {
        Detected::Exact => Kind::Exact,
        Detected::Prefix => Kind::Prefix(text.strip_suffix("**").unwrap_or(text).to_string()),
        Detected::Suffix => Kind::Suffix(text.strip_prefix("**").unwrap_or(text).to_string()),
        Detected::General => Kind::General(b.finish()),
    };
    Ok((kind, literal_prefix))
}

/// An ordered list of patterns where the last matching pattern decides, as in
/// patternmatcher. Used for `.dockerignore` and for BuildKit's include
/// patterns (the COPY/ADD sources the client is asked to send).
#[derive(Debug, Clone, Default)]
pub struct PatternList {
    patterns: Vec<Pattern>,
}

/// A pattern rejected by [`PatternList::new`]: which input (0-based index),
/// the 1-based column in its cleaned text, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pattern {index} ({pattern:?}), column {column}: {kind}")]
pub struct PatternError {
    /// Index of the offending pattern in the input.
    pub index: usize,
    /// The pattern as given.
    pub pattern: String,
    /// 1-based character column in the cleaned pattern.
    pub column: usize,
    /// What is wrong.
    pub kind: PatternErrorKind,
}

impl PatternList {
    /// Compiles patterns like patternmatcher's `New` (blank ones are dropped).
    pub fn new<I, S>(patterns: I) -> Result<PatternList, PatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = Vec::new();
        for (index, raw) in patterns.into_iter().enumerate() {
            let raw = raw.as_ref();
            match Pattern::new(raw) {
                None => {}
                Some(Ok(p)) => out.push(p),
                Some(Err(e)) => {
                    return Err(PatternError {
                        index,
                        pattern: raw.to_string(),
                        column: e.column,
                        kind: e.kind,
                    });
                }
            }
        }
        Ok(PatternList { patterns: out })
    }

    pub(crate) fn from_patterns(patterns: Vec<Pattern>) -> PatternList {
        PatternList { patterns }
    }

    pub(crate) fn push(&mut self, pattern: Pattern) {
        self.patterns.push(pattern);
    }

    /// The compiled patterns in order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// True when there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// True when any pattern is a `!` exception.
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(Pattern::is_exception)
    }

    /// patternmatcher's `MatchesOrParentMatches`: the last pattern matching
    /// `path` or one of its parents decides; `.` and the empty path never match.
    pub fn matches(&self, path: &str) -> bool {
        let path = normalize(path);
        if path == "." || path.is_empty() {
            return false;
        }
        let mut matched = false;
        for p in &self.patterns {
            // A pattern can only flip the current answer.
            if p.exception != matched {
                continue;
            }
            if p.matches(&path) {
                matched = !p.exception;
            }
        }
        matched
    }

    /// True when a non-exception pattern could match something strictly
    /// below `dir`.
    pub fn may_match_below(&self, dir: &str) -> bool {
        let dir = normalize(dir);
        self.patterns
            .iter()
            .any(|p| !p.exception && p.may_match_below(&dir))
    }

    /// True when an exception pattern could match something strictly below `dir`.
    pub fn exception_may_match_below(&self, dir: &str) -> bool {
        let dir = normalize(dir);
        self.patterns
            .iter()
            .any(|p| p.exception && p.may_match_below(&dir))
    }
}

/// Cleans a caller's path into the form patterns are matched against
/// (slash-separated, relative, no `./`, no trailing `/`).
pub(crate) fn normalize(path: &str) -> std::borrow::Cow<'_, str> {
    let simple = !path.is_empty()
        && !path.starts_with('/')
        && !path.ends_with('/')
        && !path.contains("//")
        && path.split('/').all(|c| c != "." && c != "..");
    if simple {
        std::borrow::Cow::Borrowed(path)
    } else {
        let cleaned = clean(path);
        let rel = cleaned.trim_start_matches('/');
        std::borrow::Cow::Owned(if rel.is_empty() {
            ".".to_string()
        } else {
            rel.to_string()
        })
    }
}
