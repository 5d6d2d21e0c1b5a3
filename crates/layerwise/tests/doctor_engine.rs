//! `layerwise doctor` against the real engine and against none.

use std::process::Command;

use layerwise_engine::testing::engine_available_or_skip;

#[test]
fn reports_engine_buildkit_features_and_cache() {
    if !engine_available_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM python:3.11-slim\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(["doctor", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ok    engine reachable at"), "{stdout}");
    assert!(stdout.contains("ok    Docker Engine "), "{stdout}");
    assert!(stdout.contains(", API 1."), "{stdout}");
    assert!(stdout.contains("ok    BuildKit "), "{stdout}");
    assert!(stdout.contains("RUN --mount"), "{stdout}");
    assert!(stdout.contains("COPY --link"), "{stdout}");
    assert!(stdout.contains("# syntax="), "{stdout}");
    assert!(stdout.contains("build cache: "), "{stdout}");
    assert!(stdout.contains("warn  no .dockerignore"), "{stdout}");
    assert!(stdout.contains("fix: add one"), "{stdout}");
    // General advice is marked as such, not as a finding about this engine.
    assert!(!stdout.contains("info  stale"), "{stdout}");
    assert!(stdout.contains("tip   if a cached layer"), "{stdout}");
}

#[test]
fn no_engine_exits_3_with_the_fix() {
    let output = Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .arg("doctor")
        .env("DOCKER_HOST", "unix:///nonexistent/doctor.sock")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("/nonexistent/doctor.sock"), "{stdout}");
    assert!(stdout.contains("fix: start the engine"), "{stdout}");
}

#[test]
fn a_missing_directory_is_an_input_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(["doctor", "/nonexistent/project"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/nonexistent/project: no such directory"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("healthy"));
}
