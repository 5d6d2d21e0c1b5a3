//! layerwise as a Docker CLI plugin, run by the real docker CLI (the first
//! `docker` on PATH must support plugins: 19.03 and later do; no engine is
//! needed). `DOCKER_CONFIG` points at a temporary directory, so the user's
//! plugins are untouched.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{examples_dir, layerwise, text};

fn with_config(config: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env("DOCKER_CONFIG", config)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"))
}

#[test]
fn metadata_call_answers_the_plugin_schema() {
    let out = layerwise(&["docker-cli-plugin-metadata"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(meta["SchemaVersion"], "0.1.0");
    assert_eq!(meta["Vendor"], "layerwise");
    assert_eq!(meta["Version"], env!("CARGO_PKG_VERSION"));
    assert!(
        meta["ShortDescription"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
}

#[test]
fn docker_layerwise_check_runs_through_the_docker_cli() {
    let config = tempfile::tempdir().expect("tempdir");
    let bin = env!("CARGO_BIN_EXE_layerwise");
    let install = with_config(config.path(), bin, &["plugin", "install"]);
    assert_eq!(install.status.code(), Some(0), "{}", text(&install));
    let link = config.path().join("cli-plugins/docker-layerwise");
    assert_eq!(
        std::fs::read_link(&link).expect("a link"),
        Path::new(bin).canonicalize().expect("binary")
    );
    // Installing again replaces the link.
    let again = with_config(config.path(), bin, &["plugin", "install"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));

    let listed = with_config(config.path(), "docker", &["--help"]);
    let help = text(&listed);
    // The CLI lists plugin commands with a star and their ShortDescription.
    assert!(
        help.lines()
            .any(|l| l.trim_start().starts_with("layerwise*")
                && l.contains("Lint, fix and build Python Dockerfiles")),
        "{help}"
    );

    let example = examples_dir().join("flask-requirements/Dockerfile.naive");
    let example = example.to_str().expect("utf-8 path");
    let check = with_config(config.path(), "docker", &["layerwise", "check", example]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(
        text(&check).contains("warning[LW101] copy-before-install"),
        "{}",
        text(&check)
    );

    let json = with_config(
        config.path(),
        "docker",
        &[
            "layerwise",
            "check",
            "--format",
            "json",
            "--select",
            "LW101",
            example,
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(report["diagnostics"][0]["code"], "LW101", "{}", text(&json));

    let version = with_config(config.path(), "docker", &["layerwise", "--version"]);
    assert_eq!(version.status.code(), Some(0), "{}", text(&version));
    assert!(
        text(&version).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        text(&version)
    );
}

#[test]
fn install_leaves_a_file_that_is_not_a_link_alone() {
    let config = tempfile::tempdir().expect("tempdir");
    let plugins = config.path().join("cli-plugins");
    std::fs::create_dir_all(&plugins).expect("mkdir");
    let theirs = plugins.join("docker-layerwise");
    std::fs::write(&theirs, "#!/bin/sh\necho mine\n").expect("write");
    let out = with_config(
        config.path(),
        env!("CARGO_BIN_EXE_layerwise"),
        &["plugin", "install"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("exists and is not a link"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&theirs).expect("kept"),
        "#!/bin/sh\necho mine\n"
    );
}
