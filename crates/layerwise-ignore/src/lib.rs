//! `.dockerignore` with the exact semantics of BuildKit and the Docker CLI,
//! plus the Go-style globs BuildKit accepts in COPY/ADD sources.
//!
//! Why not a gitignore crate: `.dockerignore` only looks like `.gitignore`.
//! Its patterns are anchored at the context root (`foo` does not match
//! `a/foo`), a trailing `/` is cleaned away rather than meaning "directories
//! only", a `!` exception can re-include a file below an excluded directory,
//! `[!x]` is not a negation (Go uses `[^x]`), and `**` has patternmatcher's
//! own prefix/suffix rules. Getting any of these wrong changes what is sent
//! to the builder and therefore the cache keys, so the rules are implemented
//! here directly:
//!
//! * reading (`ReadAll`): a UTF-8 BOM is dropped, lines starting with `#`
//!   are comments (only in column 1), lines are trimmed, blank lines
//!   skipped, `!` may be followed by spaces, each pattern is cleaned like Go's
//!   `filepath.Clean` and a leading `/` is removed;
//! * matching (`MatchesOrParentMatches`): the last pattern that matches the
//!   path or any of its parent directories decides;
//! * walking: an excluded directory is skipped only when no exception
//!   pattern could match something inside it.

mod clean;
mod glob;
mod nfa;
mod pattern;

use std::path::{Path, PathBuf};

pub use clean::clean;
pub use glob::{Glob, GlobError, GlobErrorKind, glob_match, has_wildcards};
pub use pattern::{Pattern, PatternError, PatternErrorKind, PatternList};

/// A syntax error in a `.dockerignore` file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind} (pattern {pattern:?})")]
pub struct IgnoreError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based character column in the line.
    pub column: usize,
    /// The pattern text as it appears on the line (trimmed).
    pub pattern: String,
    /// What is wrong.
    pub kind: PatternErrorKind,
}

/// A `.dockerignore` file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file exists but could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A pattern is malformed.
    #[error("{path}:{}:{}: {}", source.line, source.column, source.kind)]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line, column and reason.
        source: IgnoreError,
    },
}

impl LoadError {
    /// The `.dockerignore` file concerned.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. } | LoadError::Syntax { path, .. } => path,
        }
    }

    /// 1-based line and column of a malformed pattern; `None` for a read error.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            LoadError::Io { .. } => None,
            LoadError::Syntax { source, .. } => Some((source.line, source.column)),
        }
    }

    /// What is wrong, without the file and position.
    pub fn reason(&self) -> String {
        match self {
            LoadError::Io { source, .. } => source.to_string(),
            LoadError::Syntax { source, .. } => source.kind.to_string(),
        }
    }
}

/// One pattern line of a `.dockerignore`, after reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreLine {
    /// 1-based line number in the file (0 for patterns added in code).
    pub line: usize,
    /// The pattern as patternmatcher receives it (`!` prefix kept).
    pub pattern: String,
}

/// Parsed `.dockerignore` rules.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    lines: Vec<IgnoreLine>,
    list: PatternList,
}

impl DockerIgnore {
    /// Parses the text of a `.dockerignore` file.
    pub fn parse(text: &str) -> Result<DockerIgnore, IgnoreError> {
        let mut lines = Vec::new();
        let mut patterns = Vec::new();
        for (idx, raw_line) in text.split('\n').enumerate() {
            let line_no = idx + 1;
            // Go's line scanner drops one trailing `\r`.
            let mut raw = raw_line.strip_suffix('\r').unwrap_or(raw_line);
            if idx == 0 {
                raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
            }
            if raw.starts_with('#') {
                continue;
            }
            let Some(pattern) = read_pattern(raw) else {
                continue;
            };
            match Pattern::new(&pattern) {
                None => {}
                Some(Ok(p)) => {
                    patterns.push(p);
                    lines.push(IgnoreLine {
                        line: line_no,
                        pattern,
                    });
                }
                Some(Err(e)) => {
                    return Err(IgnoreError {
                        line: line_no,
                        column: column_in_line(raw, &pattern, e.column),
                        pattern: raw.trim().to_string(),
                        kind: e.kind,
                    });
                }
            }
        }
        Ok(DockerIgnore {
            lines,
            list: PatternList::from_patterns(patterns),
        })
    }

    /// Reads and parses the ignore file BuildKit would use for this build
    /// (see [`locate`]); `Ok(None)` when there is none.
    pub fn load(
        context_dir: &Path,
        dockerfile: &Path,
    ) -> Result<Option<(PathBuf, DockerIgnore)>, LoadError> {
        let Some(path) = locate(context_dir, dockerfile) else {
            return Ok(None);
        };
        DockerIgnore::read(&path).map(|ignore| Some((path, ignore)))
    }

    /// Reads and parses the `.dockerignore` at `path`: the one loader every
    /// command uses, so a broken file gives the same error everywhere.
    pub fn read(path: &Path) -> Result<DockerIgnore, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        DockerIgnore::parse(&text).map_err(|source| LoadError::Syntax {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The pattern lines in file order.
    pub fn lines(&self) -> &[IgnoreLine] {
        &self.lines
    }

    /// The compiled patterns.
    pub fn patterns(&self) -> &PatternList {
        &self.list
    }

    /// True when there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Appends an exception for `rel_path` (like the Docker CLI does for the
    /// Dockerfile and `.dockerignore`, which are always sent).
    pub fn keep(&mut self, rel_path: &str) {
        let trimmed = rel_path.trim().trim_start_matches('/');
        let escaped = escape(trimmed);
        let pattern = format!("!{escaped}");
        if let Some(Ok(p)) = Pattern::new(&pattern) {
            self.list.push(p);
            self.lines.push(IgnoreLine { line: 0, pattern });
        }
    }

    /// True when `rel_path` (slash-separated, relative to the context root)
    /// is excluded from the build context.
    pub fn is_excluded(&self, rel_path: &str) -> bool {
        self.list.matches(rel_path)
    }

    /// True when the walker may skip directory `rel_dir` without reading it:
    /// it is excluded and no exception pattern could re-include anything
    /// inside it.
    pub fn can_skip_dir(&self, rel_dir: &str) -> bool {
        self.is_excluded(rel_dir) && !self.list.exception_may_match_below(rel_dir)
    }
}

/// Applies the reading rules to one non-comment line; `None` when blank.
fn read_pattern(raw: &str) -> Option<String> {
    let mut pattern = raw.trim();
    if pattern.is_empty() {
        return None;
    }
    let invert = pattern.starts_with('!');
    if invert {
        pattern = pattern[1..].trim();
    }
    let mut out = String::new();
    if invert {
        out.push('!');
    }
    if !pattern.is_empty() {
        let cleaned = clean(pattern);
        let body = match cleaned.strip_prefix('/') {
            Some(rest) if !rest.is_empty() => rest.to_string(),
            _ => cleaned,
        };
        out.push_str(&body);
    }
    Some(out)
}

/// Maps a column in the cleaned pattern back to the source line when the
/// cleaned text appears there verbatim; otherwise points at the pattern start.
fn column_in_line(raw: &str, pattern: &str, column: usize) -> usize {
    let body = pattern.trim_start_matches('!');
    let start_of = |needle: &str| raw.find(needle).map(|b| raw[..b].chars().count());
    match start_of(body) {
        Some(start) if !body.is_empty() => start + column,
        _ => start_of(raw.trim()).map_or(1, |s| s + 1),
    }
}

/// Escapes glob metacharacters so a literal path can be used as a pattern.
pub fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Finds the ignore file BuildKit uses: `<Dockerfile>.dockerignore` next to
/// the Dockerfile wins over `<context>/.dockerignore`.
pub fn locate(context_dir: &Path, dockerfile: &Path) -> Option<PathBuf> {
    if let Some(name) = dockerfile.file_name() {
        let mut specific = name.to_os_string();
        specific.push(".dockerignore");
        let candidate = dockerfile.with_file_name(specific);
        if candidate.is_file() {
            return Some(candidate);
        }
    }
    let generic = context_dir.join(".dockerignore");
    generic.is_file().then_some(generic)
}

#[cfg(test)]
mod tests;
