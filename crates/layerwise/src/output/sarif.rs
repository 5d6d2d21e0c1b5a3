//! SARIF 2.1.0, shaped for GitHub code scanning: every rule in
//! `tool.driver.rules` with help text, results with physical locations.

use std::io::Write;

use layerwise_rules::{Severity, registry};
use serde_json::{Value, json};

use layerwise_rules::FileReport;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn value(reports: &[FileReport]) -> Value {
    let rules: Vec<Value> = registry::all()
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.docs.trim(), "markdown": r.docs.trim()},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": [r.category.name()], "aliases": r.aliases},
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for report in reports {
        for (line, column, message) in &report.errors {
            let mut n = json!({"level": "error", "message": {"text": message}});
            if *line > 0 {
                n["locations"] = json!([{"physicalLocation": {
                    "artifactLocation": {"uri": super::repo_path(&report.path)},
                    "region": {"startLine": line, "startColumn": (*column).max(1)},
                }}]);
            }
            notifications.push(n);
        }
        let Some(file) = &report.file else { continue };
        for d in &report.diagnostics {
            let index = registry::all()
                .iter()
                .position(|r| r.code == d.code)
                .unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text = format!("{text}. Help: {help}");
            }
            let uri = super::repo_path(&report.path);
            let physical = |span| {
                let (start, end) = super::range(file, span);
                json!({
                    "artifactLocation": {"uri": uri},
                    "region": {
                        "startLine": start.line,
                        "startColumn": start.column,
                        "endLine": end.line,
                        "endColumn": end.column,
                    },
                })
            };
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [{"physicalLocation": physical(d.span)}],
            });
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, r)| {
                        json!({
                            "id": id,
                            "physicalLocation": physical(r.span),
                            "message": {"text": r.message},
                        })
                    })
                    .collect();
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "layerwise",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/layerwise/layerwise",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &value(reports))?;
    writeln!(out)
}
