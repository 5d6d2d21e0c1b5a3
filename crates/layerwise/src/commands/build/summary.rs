//! What a finished build prints (the step table, or the failure) and the
//! `--report json` file.

use std::path::Path;

use anyhow::Context;
use layerwise_engine::BuildOutcome;
use layerwise_explain::StepRow;

use super::Progress;
use super::display::round_ms;
use crate::output::truncate;

pub(super) struct Finished {
    pub(super) service: Option<String>,
    pub(super) rows: Vec<StepRow>,
    pub(super) outcome: BuildOutcome,
}

pub(super) fn print_summary(
    service: Option<&str>,
    rows: &[StepRow],
    outcome: &BuildOutcome,
    progress: Progress,
) {
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    if let Some(failure) = &outcome.failure {
        eprintln!();
        match &failure.step {
            Some(step) => eprintln!("error: build failed at step {step}"),
            None => eprintln!("error: build failed"),
        }
        if let Some(row) = rows
            .iter()
            .find(|r| failure.step.as_deref() == Some(r.vertex.as_str()))
        {
            eprintln!(
                "  Dockerfile line {} (stage {}): {}",
                row.line, row.stage, row.instruction
            );
        }
        eprintln!("  {}", failure.message);
        if !failure.logs.is_empty() {
            eprintln!("  last output:");
            for line in failure.last_lines(20) {
                eprintln!("    {line}");
            }
        }
        return;
    }
    if progress == Progress::Quiet {
        return;
    }
    if progress == Progress::Json {
        let value = serde_json::json!({
            "service": service,
            "image_id": outcome.image_id,
            "total_s": round_ms(outcome.elapsed),
            "path": outcome.path.to_string(),
            "context_sent_bytes": outcome.context_sent,
            "steps": rows,
        });
        println!("{value}");
        return;
    }
    let title = service
        .map(|s| format!("service {s}: "))
        .unwrap_or_default();
    println!();
    println!("{title}built with {}", outcome.path);
    let stage_width = rows.iter().map(|r| r.stage.len()).max().unwrap_or(5).max(5);
    println!(
        "{:<stage_width$}  {:>5}  {:<60}  {:<6}  {:>8}",
        "STAGE", "LINE", "INSTRUCTION", "", "TIME"
    );
    for row in rows {
        let line = row.line;
        let status = if row.cached { "cached" } else { "ran" };
        // A vertex several instructions share is timed on its first row.
        let time = match row.same_vertex_as {
            _ if row.cached => "-".to_string(),
            Some(first) => format!("=line {first}"),
            None => format!("{:.2}s", row.duration_s),
        };
        println!(
            "{:<stage_width$}  {line:>5}  {:<60}  {status:<6}  {time:>8}",
            row.stage,
            truncate(&row.instruction, 60)
        );
    }
    match outcome.context_sent {
        Some(bytes) => println!(
            "total {:.2}s, {} of context sent",
            outcome.elapsed.as_secs_f64(),
            layerwise_context::human_bytes(bytes as f64)
        ),
        None => println!(
            "total {:.2}s, context sent by file sync",
            outcome.elapsed.as_secs_f64()
        ),
    }
    let slowest = rows
        .iter()
        .filter(|r| !r.cached)
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    match slowest {
        Some(row) => println!(
            "slowest step that ran: line {} ({:.2}s): {}",
            row.line,
            row.duration_s,
            truncate(&row.instruction, 80)
        ),
        None => println!("every step came from the cache"),
    }
    if let Some(id) = &outcome.image_id {
        println!("image {id}");
    }
}

pub(super) fn write_report(path: &Path, finished: &[Finished]) -> anyhow::Result<()> {
    let one = |f: &Finished| {
        serde_json::json!({
            "image_id": f.outcome.image_id,
            "total_s": round_ms(f.outcome.elapsed),
            "context_sent_bytes": f.outcome.context_sent,
            "steps": f.rows,
        })
    };
    let value = match finished {
        [single] if single.service.is_none() => one(single),
        many => serde_json::json!({
            "services": many.iter().map(|f| {
                let mut value = one(f);
                value["service"] = serde_json::json!(f.service);
                value
            }).collect::<Vec<_>>()
        }),
    };
    let text = serde_json::to_string_pretty(&value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
