//! Rendering check results: human code frames, JSON, SARIF, GitHub workflow
//! commands, GitLab Code Quality and JUnit XML.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use std::io::Write;

use clap::ValueEnum;
use layerwise_syntax::{Dockerfile, Position, Span};

use layerwise_rules::FileReport;

/// Output formats of `layerwise check`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Code frames for people (coloured on a terminal).
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report (Code Climate JSON subset).
    Gitlab,
    /// JUnit XML: a test suite per file, a failing test case per finding.
    Junit,
}

/// Writes all reports in `format`.
pub fn write(out: &mut dyn Write, format: Format, reports: &[FileReport]) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(out, reports, human::use_color()),
        Format::Json => json::write(out, reports),
        Format::Sarif => sarif::write(out, reports),
        Format::Github => github::write(out, reports),
        Format::Gitlab => gitlab::write(out, reports),
        Format::Junit => junit::write(out, reports),
    }
}

/// Start and end positions of a span (end exclusive, 1-based columns).
pub fn range(file: &Dockerfile, span: Span) -> (Position, Position) {
    (file.position(span.start), file.position(span.end))
}

/// A path relative to the repository, with forward slashes, as code scanning
/// and code-quality viewers expect.
pub fn repo_path(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

/// `text` cut to `max` characters, the cut marked with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}
