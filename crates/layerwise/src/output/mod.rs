//! Rendering check results: human code frames, JSON, SARIF and GitHub
//! workflow commands.

mod github;
mod human;
mod json;
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
}

/// Writes all reports in `format`.
pub fn write(out: &mut dyn Write, format: Format, reports: &[FileReport]) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(out, reports, human::use_color()),
        Format::Json => json::write(out, reports),
        Format::Sarif => sarif::write(out, reports),
        Format::Github => github::write(out, reports),
    }
}

/// Start and end positions of a span (end exclusive, 1-based columns).
pub fn range(file: &Dockerfile, span: Span) -> (Position, Position) {
    (file.position(span.start), file.position(span.end))
}

/// `text` cut to `max` characters, the cut marked with `…`.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}
