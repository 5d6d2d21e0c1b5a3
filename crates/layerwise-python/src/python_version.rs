//! Choosing the Python base image from what the project says about its
//! Python version.

use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use serde::Serialize;

use crate::source::Source;

/// Minor versions of 3.x that have maintained `python:3.X-slim` images;
/// a constraint picks the highest of these it allows.
pub const KNOWN_MINORS: [u64; 5] = [9, 10, 11, 12, 13];

/// The minor used when nothing in the project names a version.
pub const DEFAULT_MINOR: u64 = 12;

/// The Python version the image should carry, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PythonVersion {
    /// `3.X`.
    pub version: String,
    /// Base image tag, e.g. `python:3.11-slim`.
    pub image: String,
    /// The constraint or pin as written, when one was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// Where it came from; `None` means the default was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

impl PythonVersion {
    pub(crate) fn from_minor(
        minor: u64,
        constraint: Option<String>,
        source: Option<Source>,
    ) -> Self {
        PythonVersion {
            version: format!("3.{minor}"),
            image: format!("python:3.{minor}-slim"),
            constraint,
            source,
        }
    }

    /// The default, when the project does not say.
    pub fn default_version() -> Self {
        PythonVersion::from_minor(DEFAULT_MINOR, None, None)
    }
}

/// The tag of an official `python` image reference (`python:3.11-slim`,
/// `docker.io/library/python:3.11-slim` → `3.11-slim`); `None` for any
/// other image.
pub fn official_python_tag(image: &str) -> Option<&str> {
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    let image = image.strip_prefix("library/").unwrap_or(image);
    image.strip_prefix("python:")
}

/// `3.11`, `3.11.4`, `python-3.11.4`, `cpython-3.11` or `3.11-dev` → 11.
/// Returns `None` for non-3.x or unparsable text.
pub fn minor_from_pin(text: &str) -> Option<u64> {
    let text = text.trim();
    let text = text
        .strip_prefix("python-")
        .or_else(|| text.strip_prefix("cpython-"))
        .or_else(|| text.strip_prefix("cpython@"))
        .unwrap_or(text);
    let mut parts = text.split(['.', '-', '+']);
    let major = parts.next()?.parse::<u64>().ok()?;
    let minor = parts
        .next()?
        .trim_end_matches(|c: char| !c.is_ascii_digit());
    (major == 3).then(|| minor.parse().ok()).flatten()
}

/// The highest known minor allowed by a PEP 440 specifier set such as
/// `>=3.10,<3.12`. A minor counts as allowed when any of its patch releases is.
pub fn highest_allowed_pep440(spec: &str) -> Option<u64> {
    let specifiers = VersionSpecifiers::from_str(spec).ok()?;
    highest_allowed(|v| specifiers.contains(v))
}

fn highest_allowed(allows: impl Fn(&Version) -> bool) -> Option<u64> {
    KNOWN_MINORS.iter().rev().copied().find(|&minor| {
        (0..=30u64)
            .chain(std::iter::once(99))
            .any(|patch| allows(&Version::new([3, minor, patch])))
    })
}

/// Translates one Poetry constraint (`^3.11`, `~3.10`, `>=3.9,<4.0`, `3.11.*`,
/// `3.11`) to PEP 440 specifiers. Poetry's syntax is its own, not PEP 440.
fn poetry_to_pep440(constraint: &str) -> Option<String> {
    let mut out = Vec::new();
    for part in constraint
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        if part == "*" {
            continue;
        }
        if let Some(rest) = part.strip_prefix('^') {
            let nums = numbers(rest)?;
            let upper = match nums.as_slice() {
                [0, 0, patch, ..] => format!("0.0.{}", patch.saturating_add(1)),
                [0, minor, ..] => format!("0.{}", minor.saturating_add(1)),
                [major, ..] => format!("{}", major.saturating_add(1)),
                [] => return None,
            };
            out.push(format!(">={rest}"));
            out.push(format!("<{upper}"));
        } else if let Some(rest) = part.strip_prefix('~').filter(|r| !r.starts_with('=')) {
            let nums = numbers(rest)?;
            let upper = match nums.as_slice() {
                [major] => format!("{}", major.saturating_add(1)),
                [major, minor, ..] => format!("{major}.{}", minor.saturating_add(1)),
                [] => return None,
            };
            out.push(format!(">={rest}"));
            out.push(format!("<{upper}"));
        } else if part.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(format!("=={part}"));
        } else {
            out.push(part.to_string());
        }
    }
    Some(out.join(","))
}

fn numbers(text: &str) -> Option<Vec<u64>> {
    text.split('.').map(|n| n.parse().ok()).collect()
}

/// The highest known minor allowed by a Poetry constraint, `||` alternatives
/// included.
pub fn highest_allowed_poetry(constraint: &str) -> Option<u64> {
    constraint
        .split("||")
        .filter_map(|alt| poetry_to_pep440(alt).and_then(|spec| highest_allowed_pep440(&spec)))
        .max()
}

#[cfg(test)]
mod tests {
    #[test]
    fn official_python_tags_in_every_spelling() {
        for image in [
            "python:3.11-slim",
            "docker.io/library/python:3.11-slim",
            "library/python:3.11-slim",
        ] {
            assert_eq!(official_python_tag(image), Some("3.11-slim"), "{image}");
        }
        assert_eq!(official_python_tag("debian:12"), None);
        assert_eq!(official_python_tag("ghcr.io/x/python:3.11"), None);
    }

    use super::*;

    #[test]
    fn pins() {
        assert_eq!(minor_from_pin("3.11\n"), Some(11));
        assert_eq!(minor_from_pin("3.11.4"), Some(11));
        assert_eq!(minor_from_pin("python-3.10.13"), Some(10));
        assert_eq!(minor_from_pin("3.13-dev"), Some(13));
        assert_eq!(minor_from_pin("2.7.18"), None);
        assert_eq!(minor_from_pin("pypy3.10"), None);
        assert_eq!(minor_from_pin(""), None);
    }

    #[test]
    fn pep440_constraints_choose_the_highest_known_minor() {
        assert_eq!(highest_allowed_pep440(">=3.9"), Some(13));
        assert_eq!(highest_allowed_pep440(">=3.10,<3.12"), Some(11));
        assert_eq!(highest_allowed_pep440("==3.11.*"), Some(11));
        assert_eq!(highest_allowed_pep440("~=3.10.2"), Some(10));
        assert_eq!(highest_allowed_pep440("<=3.11.4"), Some(11));
        assert_eq!(highest_allowed_pep440(">=3.14"), None);
        assert_eq!(highest_allowed_pep440("not a spec"), None);
    }

    #[test]
    fn poetry_constraints() {
        assert_eq!(highest_allowed_poetry("^3.11"), Some(13));
        assert_eq!(highest_allowed_poetry("~3.10"), Some(10));
        assert_eq!(highest_allowed_poetry(">=3.9,<3.12"), Some(11));
        assert_eq!(highest_allowed_poetry("3.11.*"), Some(11));
        assert_eq!(highest_allowed_poetry("~3.9 || ~3.11"), Some(11));
        assert_eq!(highest_allowed_poetry("^2.7"), None);
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        assert_eq!(highest_allowed_poetry("^18446744073709551615"), None);
        assert_eq!(highest_allowed_poetry("~3.18446744073709551615"), None);
    }

    proptest::proptest! {
        #[test]
        fn constraints_never_panic(text in "[0-9^~<>=!*.,| a-z]{0,24}") {
            let _ = highest_allowed_pep440(&text);
            let _ = highest_allowed_poetry(&text);
            let _ = minor_from_pin(&text);
        }
    }

    #[test]
    fn image_tag() {
        assert_eq!(
            PythonVersion::from_minor(11, None, None).image,
            "python:3.11-slim"
        );
        assert_eq!(PythonVersion::default_version().version, "3.12");
    }
}
