//! `layerwise explain` from the command line: output shapes, `--since`, and
//! bad input (no panics, clear messages). No engine needed.

use std::path::Path;
use std::process::{Command, Output};

const DOCKERFILE: &str = "FROM python:3.11-slim AS tools\nRUN echo tools\n\nFROM python:3.11-slim AS app\nARG GIT_SHA=dev\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY app/ ./\nCMD [\"python\", \"main.py\"]\n";

fn write(dir: &Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", DOCKERFILE);
    write(dir.path(), "requirements.txt", "six==1.16.0\n");
    write(dir.path(), "app/main.py", "print('hi')\n");
    dir
}

/// Runs `layerwise explain` with its state under `cache` and no engine.
fn explain(cache: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .arg("explain")
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn without_a_recorded_build_every_step_reruns() {
    let dir = project();
    let cache = tempfile::tempdir().unwrap();
    let out = explain(
        cache.path(),
        &[dir.path().to_str().unwrap(), "--format", "json"],
    );
    let v = json(&out);
    let steps = v["steps"].as_array().unwrap();
    let lines: Vec<u64> = steps.iter().map(|s| s["line"].as_u64().unwrap()).collect();
    // The unused `tools` stage is skipped; WORKDIR makes a step.
    assert_eq!(lines, vec![4, 6, 7, 8, 9]);
    assert!(steps.iter().all(|s| s["cached"] == false));
    assert_eq!(steps[0]["cause"], "no previous build recorded");
    assert_eq!(steps[1]["cause"], "follows from line 4");
    assert_eq!(v["skipped_stages"], serde_json::json!(["tools"]));
    assert_eq!(steps[0]["stage"], "app");

    let human = explain(cache.path(), &[dir.path().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("no previous build recorded"), "{text}");
    assert!(text.contains("stage tools: not built"), "{text}");
    assert!(text.contains("5 of 5 steps re-run"), "{text}");
}

#[test]
fn since_compares_with_a_git_revision() {
    let dir = project();
    let cache = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "git {args:?}");
    };
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: no git");
        return;
    }
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "one"]);
    write(dir.path(), "requirements.txt", "six==1.16.0\nidna==3.7\n");
    let d = dir.path().to_str().unwrap();
    let v = json(&explain(
        cache.path(),
        &[d, "--since", "HEAD", "--format", "json"],
    ));
    let steps = v["steps"].as_array().unwrap();
    let cached: Vec<bool> = steps
        .iter()
        .map(|s| s["cached"].as_bool().unwrap())
        .collect();
    assert_eq!(cached, vec![true, true, false, false, false]);
    assert_eq!(steps[2]["cause"], "requirements.txt changed: +1 line");
    assert_eq!(steps[3]["cause"], "follows from line 7");
    assert_eq!(v["baseline"], "git HEAD");

    // Once committed, the tree equals the revision: everything is cached.
    git(&["commit", "-q", "-am", "two"]);
    let v = json(&explain(
        cache.path(),
        &[d, "--since", "HEAD", "--format", "json"],
    ));
    let steps = v["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["cached"] == true), "{v}");
    assert_eq!(v["total_s"], 0.0);

    let bad = explain(cache.path(), &[d, "--since", "no-such-rev"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no-such-rev"), "{}", stderr(&bad));
}

#[test]
fn corrupt_state_is_set_aside_with_a_note() {
    let dir = project();
    let cache = tempfile::tempdir().unwrap();
    let project = layerwise_explain::BuildFiles::new(dir.path(), None).unwrap();
    let state = layerwise_explain::state::state_path(
        Some(&cache.path().join("layerwise")),
        &project.dir,
        &project.dockerfile,
    )
    .unwrap();
    std::fs::create_dir_all(state.parent().unwrap()).unwrap();
    std::fs::write(&state, b"\x00garbage{").unwrap();
    let out = explain(
        cache.path(),
        &[dir.path().to_str().unwrap(), "--format", "json"],
    );
    let v = json(&out);
    assert!(
        stderr(&out).contains("ignored the state file"),
        "{}",
        stderr(&out)
    );
    assert!(!state.exists(), "the corrupt file is moved aside");
    assert_eq!(v["steps"][0]["cause"], "no previous build recorded");
}

#[test]
fn bad_input_gives_messages_not_panics() {
    let cache = tempfile::tempdir().unwrap();
    // No Dockerfile.
    let empty = tempfile::tempdir().unwrap();
    let out = explain(cache.path(), &[empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Dockerfile"), "{}", stderr(&out));

    // A COPY source that is a symlink loop.
    let dir = project();
    std::os::unix::fs::symlink("loop", dir.path().join("loop")).unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM python:3.11-slim\nCOPY loop /x\n",
    );
    let out = explain(cache.path(), &[dir.path().to_str().unwrap()]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("symbolic links"), "{err}");

    // A Dockerfile that does not parse.
    write(
        dir.path(),
        "Dockerfile",
        "FROM python:3.11-slim\nCOPY --mount=type=cache x /y\nRUN [\"unterminated\n",
    );
    let out = explain(cache.path(), &[dir.path().to_str().unwrap()]);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));

    // An unreadable file (skipped when running as root, who reads anyway).
    let dir = project();
    let secret = dir.path().join("app/main.py");
    std::fs::set_permissions(&secret, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    if std::fs::read(&secret).is_err() {
        let out = explain(cache.path(), &[dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("permission denied"),
            "{}",
            stderr(&out)
        );
    }

    // Unknown target.
    let out = explain(
        cache.path(),
        &[dir.path().to_str().unwrap(), "--target", "nope"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope"));
}

#[test]
fn files_buildkit_rejects_are_input_errors_with_position() {
    let cache = tempfile::tempdir().unwrap();
    for (source, expected) in [
        ("", "Dockerfile:1:1: file with no instructions"),
        (
            "RUN echo hi\n",
            "Dockerfile:1:1: no build stage in current context",
        ),
        (
            "ARG V=1\n",
            "Dockerfile:2:1: dockerfile contains no stages to build",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "Dockerfile", source);
        let out = explain(cache.path(), &[dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{source:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{source:?}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "{source:?}: {:?}", out.stdout);
    }
}

#[test]
fn the_dockerfile_check_finds_is_used_and_a_missing_one_gets_a_hint() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Containerfile",
        "FROM python:3.11-slim\nRUN echo hi\n",
    );
    let out = explain(
        cache.path(),
        &[dir.path().to_str().unwrap(), "--format", "json"],
    );
    let steps = json(&out)["steps"].as_array().unwrap().len();
    assert_eq!(steps, 2, "{}", stderr(&out));

    let empty = tempfile::tempdir().unwrap();
    let out = explain(cache.path(), &[empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("-f FILE") && stderr(&out).contains("layerwise init"),
        "{}",
        stderr(&out)
    );
}
