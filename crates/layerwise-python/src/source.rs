//! Provenance: every detected fact says which file (and line) it came from, so
//! `init` can explain its choices and a user can check them.

use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

/// A file inside the project, relative to the project root, with an optional
/// 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Source {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    /// 1-based line number, when the fact comes from one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Source {
    /// A fact about a whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Source {
            path: path.into(),
            line: None,
        }
    }

    /// A fact from one line of a file.
    pub fn line(path: impl Into<String>, line: usize) -> Self {
        Source {
            path: path.into(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.path),
            None => f.write_str(&self.path),
        }
    }
}

/// 1-based line and column of a byte offset in `text`; offsets past the end
/// or inside a multi-byte character are clamped rather than panicking.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// 1-based line of the start of a span, if the span is known.
pub(crate) fn span_line(text: &str, span: Option<Range<usize>>) -> Option<usize> {
    span.map(|s| line_col(text, s.start).0)
}

/// Path of `path` relative to `root`, with `/` separators; `..` and `.`
/// components are resolved lexically so that includes such as
/// `requirements/../base.txt` compare equal to `base.txt`.
pub(crate) fn relative_display(root: &Path, path: &Path) -> String {
    let (root, path) = (normalize(root), normalize(path));
    let root_parts: Vec<Component<'_>> = root.components().collect();
    let path_parts: Vec<Component<'_>> = path.components().collect();
    let common = root_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); root_parts.len() - common];
    parts.extend(
        path_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Lexically normalised absolute path (no filesystem access), used to detect
/// include cycles even when a file is reached through different spellings.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let at_parent = matches!(out.components().next_back(), Some(Component::ParentDir));
                if at_parent || !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 5), (2, 3));
        // Inside the two-byte 'é' and past the end: clamped, no panic.
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(line_col(text, 100), (3, 2));
    }

    #[test]
    fn relative_display_resolves_dots() {
        let root = Path::new("/p");
        assert_eq!(
            relative_display(root, Path::new("/p/requirements/../base.txt")),
            "base.txt"
        );
        assert_eq!(relative_display(root, Path::new("/p/./a/b.txt")), "a/b.txt");
        assert_eq!(relative_display(root, Path::new("/p")), ".");
        assert_eq!(
            relative_display(Path::new("/a/b/../p"), Path::new("/a/p/x.txt")),
            "x.txt"
        );
        assert_eq!(
            relative_display(root, Path::new("/p/../shared/req.txt")),
            "../shared/req.txt"
        );
    }

    #[test]
    fn normalize_keeps_leading_parents() {
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(normalize(Path::new("../../b")), PathBuf::from("../../b"));
        assert_eq!(normalize(Path::new("./x/./y/..")), PathBuf::from("x"));
    }

    #[test]
    fn source_display() {
        assert_eq!(Source::line("a.txt", 3).to_string(), "a.txt:3");
        assert_eq!(Source::file("a.txt").to_string(), "a.txt");
    }
}
