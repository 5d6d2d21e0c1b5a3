//! `layerwise init` on projects a newcomer brings: entry points without a
//! framework, no entry point at all, an existing Dockerfile and compose file,
//! and bad paths. No engine needed.

use std::path::Path;
use std::process::{Command, Output};

mod common;

fn init(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .arg("init")
        .arg(dir)
        .args(args)
        .output()
        .expect("run layerwise")
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    common::temp_project(&bytes)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const GUARD: &str = "def main():\n    pass\n\nif __name__ == \"__main__\":\n    main()\n";

#[test]
fn a_guarded_module_in_a_package_is_the_command() {
    let tmp = project(&[
        ("requirements.txt", "six==1.16.0\n"),
        ("jobs/__init__.py", ""),
        ("jobs/run.py", GUARD),
    ]);
    let out = init(tmp.path(), &["--stdout"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(r#"CMD ["python", "-m", "jobs.run"]"#),
        "{}",
        stdout(&out)
    );
}

#[test]
fn without_a_command_a_placeholder_is_written_with_a_warning_once() {
    let tmp = project(&[("requirements.txt", "six==1.16.0\n"), ("lib.py", "X = 1\n")]);
    let out = init(tmp.path(), &["--stdout"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no start command"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stderr(&out).matches("placeholder").count(),
        1,
        "{}",
        stderr(&out)
    );
    let write = init(tmp.path(), &[]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    // The same warnings in both modes.
    let warnings = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("warning:"))
            .map(String::from)
            .collect()
    };
    assert_eq!(warnings(&stderr(&write)), warnings(&stderr(&out)));
    let dockerfile = std::fs::read_to_string(tmp.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.contains("no start command"), "{dockerfile}");
}

#[test]
fn force_keeps_the_python_version_and_the_compose_file() {
    let compose = "services:\n  web:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n  worker:\n    build: .\n";
    let tmp = project(&[
        ("requirements.txt", "six==1.16.0\n"),
        ("main.py", GUARD),
        (
            "Dockerfile",
            "FROM python:3.9-slim\nCOPY . .\nCMD python main.py\n",
        ),
        ("compose.yaml", compose),
    ]);
    let out = init(tmp.path(), &["--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dockerfile = std::fs::read_to_string(tmp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("FROM python:3.9-slim AS builder"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("3.11"), "{dockerfile}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("compose.yaml")).unwrap(),
        compose
    );
    assert!(stderr(&out).contains("kept "), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("existing Dockerfile"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_directory_is_named_as_missing() {
    let out = init(Path::new("/nonexistent/project"), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/nonexistent/project: no such directory"),
        "{}",
        stderr(&out)
    );
}
