//! Helpers shared by the end-to-end tests (each test binary uses a subset).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the layerwise binary with `args` and waits for it.
pub fn layerwise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(args)
        .output()
        .expect("layerwise runs")
}

/// Exit code, stdout and stderr of a run, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The bundled examples directory.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Copies a directory tree (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// One step of a `layerwise build --report json` file.
#[derive(Debug, Clone)]
pub struct ReportStep {
    pub stage: String,
    pub instruction: String,
    pub line: u64,
    pub cached: bool,
}

/// Reads a `--report json` file.
pub fn read_report(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("report written");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("report is JSON: {e}\n{text}"))
}

/// The steps of a report, in BuildKit's order.
pub fn report_steps(report: &serde_json::Value) -> Vec<ReportStep> {
    report["steps"]
        .as_array()
        .expect("steps array")
        .iter()
        .map(|s| ReportStep {
            stage: s["stage"].as_str().unwrap_or_default().to_string(),
            instruction: s["instruction"].as_str().expect("instruction").to_string(),
            line: s["line"].as_u64().unwrap_or(0),
            cached: s["cached"].as_bool().expect("cached is a bool"),
        })
        .collect()
}

/// Whether a process whose command line contains `needle` is running (the
/// engine runs build containers as host processes).
pub fn process_running(needle: &str) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        std::fs::read(e.path().join("cmdline")).is_ok_and(|raw| {
            let line = String::from_utf8_lossy(&raw).replace('\0', " ");
            line.contains(needle) && !line.contains("layerwise")
        })
    })
}
