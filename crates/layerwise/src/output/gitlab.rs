//! GitLab Code Quality: a JSON array of issues (the subset of Code Climate's
//! format GitLab reads) with description, check_name, fingerprint, severity
//! and location.path / location.lines.begin.

use std::collections::HashMap;
use std::io::Write;

use layerwise_rules::registry::{self, Category};
use layerwise_rules::{FileReport, Severity};
use serde_json::{Value, json};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// Code Climate's category for a rule's code.
fn category(code: &str) -> &'static str {
    match registry::find(code).map(|rule| rule.category) {
        Some(Category::Cache | Category::Size) => "Performance",
        Some(Category::Security) => "Security",
        Some(Category::Hadolint) => "Style",
        Some(Category::Buildkit) | None => "Bug Risk",
    }
}

/// Fingerprints identify an issue across pipelines (GitLab compares them to
/// show what a merge request fixed or added), so they hash what the finding
/// is and where, plus a counter for identical findings in one place.
struct Fingerprints(HashMap<String, usize>);

impl Fingerprints {
    fn next(&mut self, parts: &[&str]) -> String {
        let key = parts.join("\0");
        let seen = self.0.entry(key.clone()).or_insert(0);
        let input = format!("{key}\0{seen}");
        *seen += 1;
        blake3::hash(input.as_bytes()).to_hex()[..32].to_string()
    }
}

pub fn value(reports: &[FileReport]) -> Value {
    let mut fingerprints = Fingerprints(HashMap::new());
    let mut issues = Vec::new();
    for report in reports {
        let path = super::repo_path(&report.path);
        for (line, _column, message) in &report.errors {
            let line = (*line).max(1);
            issues.push(json!({
                "type": "issue",
                "description": message,
                "check_name": "layerwise/input-error",
                "categories": ["Bug Risk"],
                "fingerprint": fingerprints.next(&["input-error", &path, message, &line.to_string()]),
                "severity": "blocker",
                "location": {"path": path, "lines": {"begin": line}},
            }));
        }
        let Some(file) = &report.file else { continue };
        for d in &report.diagnostics {
            let (start, end) = super::range(file, d.span);
            let position = format!("{}:{}", start.line, start.column);
            let description = match &d.help {
                Some(help) => format!("{}: {}. Help: {help}", d.code, d.message),
                None => format!("{}: {}", d.code, d.message),
            };
            issues.push(json!({
                "type": "issue",
                "description": description,
                "check_name": format!("layerwise/{}", d.code),
                "categories": [category(d.code)],
                "fingerprint": fingerprints.next(&[d.code, &path, &d.message, &position]),
                "severity": severity(d.severity),
                "location": {
                    "path": path,
                    "lines": {"begin": start.line, "end": end.line},
                },
            }));
        }
    }
    Value::Array(issues)
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &value(reports))?;
    writeln!(out)
}
