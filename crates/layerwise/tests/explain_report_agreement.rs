//! `explain --format json` and `build --report json` list the same steps for
//! the same Dockerfile and target, so the prediction can be checked step by
//! step: multi-stage files with merged steps, `--target`, and stages the
//! target does not need. Needs the engine and the `python:3.11-slim` image.

mod common;

use std::path::Path;
use std::process::Command;

use common::{read_report, text};

/// The example: both stages start with the same FROM and WORKDIR,
/// which BuildKit runs once.
const MERGED: &str = "\
FROM python:3.11-slim AS Deps
WORKDIR /srv
COPY requirements.txt ./
RUN mkdir -p /install && cp requirements.txt /install/

FROM python:3.11-slim
WORKDIR /srv
COPY --from=deps /install /usr/local
COPY . .
";

/// A stage built on another, a stage only the unused target needs, and a
/// target that stops before the last stage.
const TARGETED: &str = "\
FROM python:3.11-slim AS base
WORKDIR /app
COPY requirements.txt ./

FROM base AS tools
RUN cp requirements.txt /tools.txt

FROM python:3.11-slim AS unused
RUN echo never built

FROM base AS app
COPY --from=tools /tools.txt /tools.txt
COPY app.py ./

FROM app AS release
RUN echo release
";

/// Runs the binary with `XDG_CACHE_HOME` at `cache`, so the state `build`
/// records is the one `explain` reads.
fn layerwise(cache: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .expect("layerwise runs")
}

/// (stage, line, instruction, cached) of every step of a report or prediction.
fn rows(value: &serde_json::Value) -> Vec<(String, u64, String, bool)> {
    value["steps"]
        .as_array()
        .expect("steps array")
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().expect("stage").to_string(),
                s["line"].as_u64().expect("every row has a line"),
                s["instruction"].as_str().expect("instruction").to_string(),
                s["cached"].as_bool().expect("cached"),
            )
        })
        .collect()
}

fn build(cache: &Path, dir: &Path, extra: &[&str]) -> serde_json::Value {
    let report = dir.join("report.json");
    let mut args = vec![
        "build",
        dir.to_str().unwrap(),
        "--progress",
        "quiet",
        "--report",
        "json",
        report.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = layerwise(cache, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let value = read_report(&report);
    std::fs::remove_file(&report).unwrap();
    value
}

fn explain(cache: &Path, dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["explain", dir.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = layerwise(cache, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("explain prints JSON")
}

/// Builds, edits `file` (uniquely, so BuildKit's shared cache cannot have
/// the result), predicts, builds again: both list the same rows.
fn predicted_rows_equal_built_rows(
    dockerfile: &str,
    extra: &[&str],
    file: &str,
) -> Vec<(String, u64, String, bool)> {
    let token = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        format!("six  # {token}\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("app.py"), format!("print('{token}')\n")).unwrap();
    std::fs::write(dir.path().join(".dockerignore"), "report.json\n").unwrap();
    let first = build(cache.path(), dir.path(), extra);
    let path = dir.path().join(file);
    let mut content = std::fs::read_to_string(&path).unwrap();
    content.push_str(&format!("# edit {token}\n"));
    std::fs::write(&path, content).unwrap();
    let predicted = explain(cache.path(), dir.path(), extra);
    let built = build(cache.path(), dir.path(), extra);
    let (predicted, built, first) = (rows(&predicted), rows(&built), rows(&first));
    assert_eq!(
        predicted.len(),
        built.len(),
        "lengths differ\npredicted {predicted:#?}\nbuilt {built:#?}"
    );
    for (p, b) in predicted.iter().zip(&built) {
        // BuildKit 0.8 marks a local base image's FROM vertex cached or
        // not by what its solver holds from other builds, not by the image
        // (docs/cache-model.md, "Reports"): that one status is not compared.
        if p.2.starts_with("FROM python:") {
            assert_eq!((&p.0, p.1, &p.2), (&b.0, b.1, &b.2));
        } else {
            assert_eq!(p, b, "prediction and build disagree");
        }
    }
    let same_steps = |a: &[(String, u64, String, bool)], b: &[(String, u64, String, bool)]| {
        a.iter()
            .map(|r| (&r.0, r.1))
            .eq(b.iter().map(|r| (&r.0, r.1)))
    };
    assert!(
        same_steps(&first, &built),
        "the first build lists other steps: {first:#?}"
    );
    built
}

#[test]
fn merged_steps_have_a_row_each_in_both_reports() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    let rows = predicted_rows_equal_built_rows(MERGED, &[], "app.py");
    let lines: Vec<(&str, u64)> = rows.iter().map(|r| (r.0.as_str(), r.1)).collect();
    assert_eq!(
        lines,
        [
            ("Deps", 1),
            ("Deps", 2),
            ("Deps", 3),
            ("Deps", 4),
            ("stage-1", 6),
            ("stage-1", 7),
            ("stage-1", 8),
            ("stage-1", 9)
        ]
    );
    let reran: Vec<u64> = rows
        .iter()
        .filter(|r| !r.3 && !r.2.starts_with("FROM python:"))
        .map(|r| r.1)
        .collect();
    assert_eq!(reran, [9], "a code edit re-runs only the last COPY");
}

#[test]
fn a_target_lists_only_the_stages_it_needs_in_both_reports() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    let rows = predicted_rows_equal_built_rows(TARGETED, &["--target", "app"], "requirements.txt");
    let lines: Vec<(&str, u64)> = rows.iter().map(|r| (r.0.as_str(), r.1)).collect();
    assert_eq!(
        lines,
        [
            ("base", 1),
            ("base", 2),
            ("base", 3),
            ("tools", 5),
            ("tools", 6),
            ("app", 11),
            ("app", 12),
            ("app", 13)
        ],
        "unused and release are not built"
    );
    let reran: Vec<u64> = rows
        .iter()
        .filter(|r| !r.3 && !r.2.starts_with("FROM python:"))
        .map(|r| r.1)
        .collect();
    assert_eq!(
        reran,
        [3, 5, 6, 11, 12, 13],
        "a dependency edit re-runs its COPY and all that builds on it"
    );
}
