//! Helpers for rule tests: run one rule and render what it reports.

use std::fmt::Write;

use crate::{ContextDir, Settings, check_source, registry};

/// Runs only `code` over `source` and renders each diagnostic as
/// `line:col CODE message`, with help, fix and the fixed source.
pub fn lint(code: &str, source: &str) -> String {
    lint_in(code, source, None)
}

/// A temporary project directory holding `files`, loaded.
fn project_with(files: &[(&str, &str)]) -> (tempfile::TempDir, ContextDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    let project = ContextDir::load(dir.path());
    (dir, project)
}

/// Like [`lint`], with a project directory holding `files`.
pub fn lint_project(code: &str, source: &str, files: &[(&str, &str)]) -> String {
    let (_dir, project) = project_with(files);
    lint_in(code, source, Some(&project))
}

/// The text after applying the fix of the first `code` finding, with the
/// fix's applicability; `None` when there is no finding or it has no fix.
/// A project directory holds `files` when any are given.
pub fn first_fix(
    code: &str,
    source: &str,
    files: &[(&str, &str)],
) -> Option<(crate::Applicability, String)> {
    let project = (!files.is_empty()).then(|| project_with(files));
    first_fix_in(code, source, project.as_ref().map(|(_, p)| p))
}

/// Like [`first_fix`], with a project loaded by the caller.
pub fn first_fix_in(
    code: &str,
    source: &str,
    project: Option<&ContextDir>,
) -> Option<(crate::Applicability, String)> {
    let mut settings = Settings::default();
    settings.select(&[code.to_string()], &[]).expect("select");
    let (_, diagnostics) = check_source(source, &settings, project);
    let fix = diagnostics.into_iter().find(|d| d.code == code)?.fix?;
    Some((fix.applicability, fix.apply(source).expect("fix applies")))
}

fn lint_in(code: &str, source: &str, project: Option<&ContextDir>) -> String {
    let mut settings = Settings::default();
    let rule = registry::find(code).expect("rule exists");
    settings
        .select(&[rule.code.to_string()], &[])
        .expect("select");
    let (file, diagnostics) = check_source(source, &settings, project);
    let mut out = String::new();
    for d in &diagnostics {
        let p = file.position(d.span.start);
        let _ = writeln!(
            out,
            "{}:{} {} [{}] {}",
            p.line, p.column, d.code, d.severity, d.message
        );
        let _ = writeln!(out, "  span: {:?}", file.text(d.span));
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  help: {help}");
        }
        for related in &d.related {
            let p = file.position(related.span.start);
            let _ = writeln!(
                out,
                "  related {}:{} {:?}: {}",
                p.line,
                p.column,
                file.text(related.span),
                related.message
            );
        }
        if let Some(fix) = &d.fix {
            let fixed = fix.apply(source).expect("fix applies");
            let _ = writeln!(
                out,
                "  fix ({:?}): {}\n{}",
                fix.applicability,
                fix.message,
                indent(&fixed)
            );
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    | {l}\n")).collect()
}
