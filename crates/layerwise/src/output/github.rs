//! GitHub Actions workflow commands: one annotation per finding.

use std::io::Write;

use layerwise_rules::Severity;

use layerwise_rules::FileReport;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> std::io::Result<()> {
    for report in reports {
        let file = escape_property(&report.path);
        for (line, col, message) in &report.errors {
            writeln!(
                out,
                "::error file={file},line={line},col={col}::{}",
                escape_data(message)
            )?;
        }
        let Some(parsed) = &report.file else { continue };
        for d in &report.diagnostics {
            let (start, end) = super::range(parsed, d.span);
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut position = format!("line={},col={}", start.line, start.column);
            if end.line == start.line {
                position.push_str(&format!(",endColumn={}", end.column));
            } else {
                position.push_str(&format!(",endLine={}", end.line));
            }
            writeln!(
                out,
                "::{kind} file={file},{position},title={}::{}",
                escape_property(&format!("{} {}", d.code, d.name)),
                escape_data(&d.message)
            )?;
        }
    }
    Ok(())
}
