//! Code frames for people.

use std::io::{IsTerminal, Write};

use layerwise_rules::Severity;

use crate::commands::check::FileReport;

/// Colour only on a terminal, and never when `NO_COLOR` is set.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

pub fn write(out: &mut dyn Write, reports: &[FileReport], color: bool) -> std::io::Result<()> {
    let paint = Paint(color);
    let (mut errors, mut warnings, mut infos, mut fixable) = (0, 0, 0, 0);
    for report in reports {
        for (line, col, message) in &report.errors {
            writeln!(
                out,
                "{}:{line}:{col}: {}: {message}",
                paint.wrap("1", &report.path),
                paint.wrap("1;31", "error")
            )?;
            if let Some(file) = &report.file
                && *line > 0
            {
                frame(out, &paint, file, *line, *col, *col + 1, "1;31")?;
            }
            writeln!(out)?;
        }
        let Some(file) = &report.file else { continue };
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => infos += 1,
            }
            if d.fix.is_some() {
                fixable += 1;
            }
            let start = file.position(d.span.start);
            let end = file.position(d.span.end);
            writeln!(
                out,
                "{}:{}:{}: {} {}: {}",
                paint.wrap("1", &report.path),
                start.line,
                start.column,
                paint.wrap(
                    severity_color(d.severity),
                    &format!("{}[{}]", d.severity, d.code)
                ),
                paint.wrap("2", d.name),
                d.message
            )?;
            let end_col = if end.line == start.line {
                end.column
            } else {
                usize::MAX
            };
            frame(
                out,
                &paint,
                file,
                start.line,
                start.column,
                end_col,
                severity_color(d.severity),
            )?;
            if let Some(help) = &d.help {
                writeln!(out, "   = {}: {help}", paint.wrap("1", "help"))?;
            }
            if let Some(fix) = &d.fix {
                let kind = match fix.applicability {
                    layerwise_rules::Applicability::Safe => "fix",
                    layerwise_rules::Applicability::Unsafe => "unsafe fix",
                };
                writeln!(out, "   = {}: {}", paint.wrap("1", kind), fix.message)?;
            }
            writeln!(out)?;
        }
    }
    let total = errors + warnings + infos;
    let input_errors: usize = reports.iter().map(|r| r.errors.len()).sum();
    if total == 0 && input_errors == 0 {
        let files = reports.len();
        writeln!(
            out,
            "All checks passed ({files} file{}).",
            if files == 1 { "" } else { "s" }
        )?;
    } else {
        write!(
            out,
            "Found {total} finding{} ({errors} error, {warnings} warning, {infos} info)",
            if total == 1 { "" } else { "s" }
        )?;
        if fixable > 0 {
            write!(out, "; {fixable} with a fix")?;
        }
        if input_errors > 0 {
            write!(
                out,
                "; {input_errors} file error{}",
                if input_errors == 1 { "" } else { "s" }
            )?;
        }
        writeln!(out, ".")?;
    }
    Ok(())
}

/// Prints one source line with a caret underline from `col` to `end_col` (exclusive).
fn frame(
    out: &mut dyn Write,
    paint: &Paint,
    file: &layerwise_syntax::Dockerfile,
    line: usize,
    col: usize,
    end_col: usize,
    color: &str,
) -> std::io::Result<()> {
    let index = file.line_index();
    let Some(start) = index.line_start(line) else {
        return Ok(());
    };
    let end = index.line_start(line + 1).unwrap_or(file.source().len());
    let text = file
        .source()
        .get(start..end)
        .unwrap_or("")
        .trim_end_matches(['\n', '\r']);
    let text = text.replace('\t', " ");
    let width = line.to_string().len();
    let chars = text.chars().count();
    let from = col.max(1).min(chars + 1);
    let to = end_col.min(chars + 1).max(from + 1);
    writeln!(out, "{:width$} {}", "", paint.wrap("1;34", "|"))?;
    writeln!(
        out,
        "{} {} {text}",
        paint.wrap("1;34", &line.to_string()),
        paint.wrap("1;34", "|")
    )?;
    writeln!(
        out,
        "{:width$} {} {}{}",
        "",
        paint.wrap("1;34", "|"),
        " ".repeat(from - 1),
        paint.wrap(color, &"^".repeat(to - from))
    )?;
    Ok(())
}
