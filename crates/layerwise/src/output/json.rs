//! One JSON document with every finding.

use std::io::Write;

use serde_json::{Value, json};

use layerwise_rules::FileReport;

pub fn value(reports: &[FileReport]) -> Value {
    let mut diagnostics = Vec::new();
    let mut errors = Vec::new();
    for report in reports {
        for (line, column, message) in &report.errors {
            errors.push(
                json!({"file": report.path, "line": line, "column": column, "message": message}),
            );
        }
        let Some(file) = &report.file else { continue };
        for d in &report.diagnostics {
            let (start, end) = super::range(file, d.span);
            let fix = d.fix.as_ref().map(|f| {
                json!({
                    "applicability": f.applicability,
                    "message": f.message,
                    "edits": f.edits.iter().map(|e| {
                        let (s, t) = super::range(file, e.span);
                        json!({
                            "start": e.span.start, "end": e.span.end,
                            "location": {"line": s.line, "column": s.column},
                            "end_location": {"line": t.line, "column": t.column},
                            "replacement": e.replacement,
                        })
                    }).collect::<Vec<_>>(),
                })
            });
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|r| {
                    let (s, t) = super::range(file, r.span);
                    json!({
                        "message": r.message,
                        "location": {"line": s.line, "column": s.column},
                        "end_location": {"line": t.line, "column": t.column},
                        "span": {"start": r.span.start, "end": r.span.end},
                    })
                })
                .collect();
            diagnostics.push(json!({
                "file": report.path,
                "code": d.code,
                "name": d.name,
                "severity": d.severity,
                "message": d.message,
                "help": d.help,
                "location": {"line": start.line, "column": start.column},
                "end_location": {"line": end.line, "column": end.column},
                "span": {"start": d.span.start, "end": d.span.end},
                "fix": fix,
                "related": related,
            }));
        }
    }
    json!({
        "version": 1,
        "files": reports.len(),
        "diagnostics": diagnostics,
        "errors": errors,
    })
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &value(reports))?;
    writeln!(out)
}
