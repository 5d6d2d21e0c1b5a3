//! `layerwise fix --unsafe-fixes --verify` on every example's
//! `Dockerfile.naive`, on the real engine: both Dockerfiles build, the
//! installed packages and app files are the same, the USER change is listed,
//! and the written result has no cache or size findings left. Skips without
//! an engine unless `LAYERWISE_REQUIRE_DOCKER=1`.

use std::path::Path;
use std::process::Command;

mod common;
use common::{copy_tree, interrupt_while_running};

const LAYERWISE: &str = env!("CARGO_BIN_EXE_layerwise");

#[test]
fn flask_example_fix_is_proven_on_the_engine() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("flask-requirements");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flask-requirements"),
        &dir,
    );
    let _ = std::fs::remove_file(dir.join(".dockerignore"));
    let original = std::fs::read_to_string(dir.join("Dockerfile.naive")).unwrap();
    let images_before = verify_images();
    let out = Command::new(LAYERWISE)
        .args(["fix", "--unsafe-fixes", "--verify", "Dockerfile.naive"])
        .current_dir(&dir)
        .output()
        .expect("run layerwise");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "changes are reported as a diff\n{stderr}"
    );
    assert!(stderr.contains("same packages and app files"), "{stderr}");
    assert!(stderr.contains("USER: (unset) -> \"app\""), "{stderr}");
    assert!(stderr.contains("after a code edit"), "{stderr}");
    assert!(!stderr.contains("packages only in"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.join("Dockerfile.naive")).unwrap(),
        original,
        "verify without --write changes nothing"
    );
    assert_no_verify_images(&images_before);
}

/// Fixes, verifies and writes one example in a temporary copy; returns the
/// verification account (stderr).
fn verify_and_write(example: &str) -> String {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(example);
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(example),
        &dir,
    );
    let _ = std::fs::remove_file(dir.join(".dockerignore"));
    // These examples prove the restructure (same packages, code edits that
    // re-run no install); whether a dependency edit got slower depends on the
    // network and the machine's load, and is held by fix_never_worse and the
    // threshold's unit test, so it is reported here, not refused.
    let out = Command::new(LAYERWISE)
        .args([
            "fix",
            "--unsafe-fixes",
            "--verify",
            "--write",
            "--allow-slower",
            "Dockerfile.naive",
        ])
        .current_dir(&dir)
        .output()
        .expect("run layerwise");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "verified and written\n{stderr}");
    assert!(stderr.contains("same packages and app files"), "{stderr}");
    assert!(stderr.contains("USER: (unset) -> \"app\""), "{stderr}");
    // The timings are measured, not asserted (they depend on the network);
    // `--nocapture` shows them.
    let timings = stderr.lines().find(|l| l.starts_with("builds:"));
    println!("{example}: {}", timings.expect("timings are reported"));
    // What makes the fixed code edit fast: it re-runs copies, never an install.
    let fixed_edit = stderr
        .lines()
        .find_map(|l| l.strip_prefix("fixed: the code edit re-ran "))
        .expect("the fixed code edit's steps are reported");
    assert!(
        fixed_edit.contains("COPY . .") && !fixed_edit.contains("RUN"),
        "{example}: the fixed code edit re-ran {fixed_edit}"
    );
    let original_edit = stderr
        .lines()
        .find_map(|l| l.strip_prefix("original: the code edit re-ran "))
        .expect("the original code edit's steps are reported");
    assert!(
        original_edit.contains("RUN"),
        "{example}: the naive code edit re-runs the install: {original_edit}"
    );
    let check = Command::new(LAYERWISE)
        .args([
            "check",
            "--select",
            "cache,size",
            "--context",
            ".",
            "Dockerfile.naive",
        ])
        .current_dir(&dir)
        .output()
        .expect("run layerwise check");
    assert_eq!(
        check.status.code(),
        Some(0),
        "no cache or size findings after the fix:\n{}",
        String::from_utf8_lossy(&check.stdout)
    );
    stderr
}

#[test]
fn django_example_fix_is_proven_on_the_engine() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    let stderr = verify_and_write("django-postgres");
    assert!(stderr.contains("build-only apt packages"), "{stderr}");
}

#[test]
fn uv_example_fix_is_proven_on_the_engine() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    verify_and_write("fastapi-uv");
}

#[test]
fn poetry_example_fix_is_proven_on_the_engine() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    verify_and_write("poetry-app");
}

#[test]
fn pipenv_example_fix_is_proven_on_the_engine() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    verify_and_write("pipenv-app");
}

#[test]
fn src_layout_example_fix_is_proven_on_the_engine() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    verify_and_write("src-layout-cli");
}

#[test]
fn ctrl_c_during_verification_removes_its_images_and_exits_130() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // A sleep length no other process uses, to see the build's RUN on the host.
    let seconds = 400 + std::process::id() % 97;
    let marker = format!("sleep {seconds}");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM python:3.11-slim\nRUN {marker}\nCMD python -c \"print(1)\"\n"),
    )
    .expect("write Dockerfile");
    let images_before = verify_images();
    interrupt_while_running(
        Command::new(LAYERWISE)
            .args(["fix", "--verify", "Dockerfile"])
            .current_dir(dir.path()),
        &marker,
    );
    assert_no_verify_images(&images_before);
}

/// The images verify built that are on the engine now, tagged or left
/// untagged by a rebuild. The engine is shared (other runs, other
/// checkouts), so a test compares before and after instead of expecting none.
fn verify_images() -> std::collections::BTreeSet<String> {
    let images = Command::new("/usr/bin/docker")
        .args([
            "image",
            "ls",
            "--all",
            "--filter",
            "label=layerwise.verify",
            "--format",
            "{{.ID}} {{.Repository}}",
        ])
        .output()
        .expect("docker image ls");
    assert!(images.status.success(), "docker image ls failed");
    String::from_utf8_lossy(&images.stdout)
        .lines()
        .map(String::from)
        .collect()
}

/// No verify image appeared since `before`.
fn assert_no_verify_images(before: &std::collections::BTreeSet<String>) {
    let left: Vec<String> = verify_images().difference(before).cloned().collect();
    assert!(left.is_empty(), "verify removes its images: {left:?} left");
}
