//! Helpers shared by the end-to-end tests (each test binary uses a subset).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod registry;

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

/// A new temporary directory holding `files` (path, contents).
pub fn temp_project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, contents) in files {
        let path = tmp.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    tmp
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

/// Runs `command` until a host process whose command line contains
/// `marker` (a build's RUN step) is running, sends it SIGINT, and checks
/// what every interrupted command owes: exit 130 within 30 s saying
/// "interrupted", and the step's process gone from the host within a
/// minute (the engine cancelled the solve). Returns the command's output.
pub fn interrupt_while_running(command: &mut Command, marker: &str) -> Output {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("layerwise starts");
    let started = std::time::Instant::now();
    while !process_running(marker) {
        assert!(
            started.elapsed().as_secs() < 120,
            "the RUN step never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended before the RUN step"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let interrupted = std::time::Instant::now();
    let output = child.wait_with_output().expect("layerwise exits");
    let all = text(&output);
    assert_eq!(output.status.code(), Some(130), "{all}");
    assert!(
        interrupted.elapsed().as_secs() < 30,
        "exit took {:?}: {all}",
        interrupted.elapsed()
    );
    assert!(all.contains("interrupted"), "{all}");
    let cancelled = std::time::Instant::now();
    while process_running(marker) {
        assert!(
            cancelled.elapsed().as_secs() < 60,
            "the RUN step still runs on the engine after the interrupt"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    output
}

pub use layerwise_engine::testing::outside_world_required;

/// A new venv under `dir` with `packages` installed from the package index.
/// Without the index: `None` after printing why the test skips, or a panic
/// under `LAYERWISE_REQUIRE_DOCKER=1`.
pub fn venv_with_or_skip(dir: &Path, packages: &[&str]) -> Option<PathBuf> {
    match venv_with(dir, packages) {
        Ok(venv) => Some(venv),
        Err(reason) if !outside_world_required() => {
            eprintln!("skipping: {reason}");
            None
        }
        Err(reason) => panic!("LAYERWISE_REQUIRE_DOCKER=1 but {reason}"),
    }
}

fn venv_with(dir: &Path, packages: &[&str]) -> Result<PathBuf, String> {
    let venv = dir.join("venv");
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !made.status.success() {
        return Err(format!("python3 -m venv failed: {}", text(&made)));
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(["--retries", "1", "--timeout", "30"])
        .args(packages)
        .output()
        .map_err(|e| format!("pip: {e}"))?;
    if !pip.status.success() {
        return Err(format!(
            "the package index did not give {packages:?}: {}",
            text(&pip)
        ));
    }
    Ok(venv)
}

/// `binary`, installing the Debian `package` that provides it when it is
/// missing (tests that run a registry or an sshd; CI installs both first).
pub fn debian_binary(binary: &str, package: &str) -> Option<PathBuf> {
    if !Path::new(binary).is_file() {
        let install = || {
            Command::new("apt-get")
                .args(["install", "-y", "-q", package])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !install() {
            let _ = Command::new("apt-get")
                .args(["update", "-q"])
                .stdout(std::process::Stdio::null())
                .status();
            install();
        }
    }
    Path::new(binary).is_file().then(|| binary.into())
}

/// Runs `future` to completion on a runtime of its own (for tests that ask
/// the engine something between runs of the binary).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// Runs the binary with `env` set (and the caller's DOCKER_* variables
/// that would compete with it removed).
pub fn layerwise_with(env: &[(&str, String)], args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_layerwise"));
    command.args(args);
    for name in [
        "DOCKER_HOST",
        "DOCKER_CONTEXT",
        "DOCKER_TLS_VERIFY",
        "DOCKER_TLS",
        "DOCKER_CERT_PATH",
    ] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}
