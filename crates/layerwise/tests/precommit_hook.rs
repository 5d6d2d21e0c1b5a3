//! The pre-commit hooks in `.pre-commit-hooks.yaml`, run by the real
//! `pre-commit` (installed from the package index into a temporary venv) on a
//! git repository with a naive Dockerfile. Without the index the test skips
//! with a printed reason, unless `LAYERWISE_REQUIRE_DOCKER=1` (the switch for
//! every test that needs the outside world), where it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{examples_dir, text};
use layerwise_rules::discover::is_dockerfile_name;
use yaml_rust2::{Yaml, YamlLoader};

fn hooks_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.pre-commit-hooks.yaml")
}

fn hooks() -> Vec<Yaml> {
    let text = std::fs::read_to_string(hooks_file()).expect("hooks file");
    let docs = YamlLoader::load_from_str(&text).expect("hooks file is YAML");
    docs[0].as_vec().expect("a list of hooks").clone()
}

fn hook(id: &str) -> Yaml {
    hooks()
        .into_iter()
        .find(|h| h["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("no hook {id}"))
}

/// Whether pre-commit would hand `path` to the hook (it uses Python's
/// `re.search`; these patterns mean the same in Rust's regex).
fn selects(hook: &Yaml, path: &str) -> bool {
    let files = regex::Regex::new(hook["files"].as_str().expect("files")).expect("files regex");
    let exclude =
        regex::Regex::new(hook["exclude"].as_str().expect("exclude")).expect("exclude regex");
    files.is_match(path) && !exclude.is_match(path)
}

#[test]
fn hooks_select_the_files_check_discovers() {
    let names = [
        "Dockerfile",
        "Containerfile",
        "Dockerfile.prod",
        "Dockerfile.dev.arm64",
        "Containerfile.ci",
        "api.Dockerfile",
        "worker.dockerfile",
        "Dockerfile.dockerignore",
        "Dockerfile.prod.dockerignore",
        "Dockerfile.md",
        "Dockerfile.txt",
        "Dockerfile.orig",
        "Dockerfile.bak",
        "Dockerfile.swp",
        "Dockerfile.",
        "Dockerfiles",
        "MyDockerfile",
        "dockerfile",
        "README.md",
        ".dockerignore",
    ];
    for id in ["layerwise-check", "layerwise-fix"] {
        let hook = hook(id);
        for name in names {
            let expected = is_dockerfile_name(name);
            for path in [name.to_string(), format!("services/api/{name}")] {
                assert_eq!(selects(&hook, &path), expected, "{id}: {path}");
            }
        }
    }
}

fn run(program: impl AsRef<std::ffi::OsStr>, args: &[&str], dir: &Path, path_env: &str) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path_env)
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("command runs")
}

fn git(args: &[&str], dir: &Path, path_env: &str) -> String {
    let out = run("git", args, dir, path_env);
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn check_hook_fails_on_a_naive_dockerfile_and_passes_once_fixed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(venv) = common::venv_with_or_skip(tmp.path(), &["pre-commit"]) else {
        return;
    };
    let pre_commit = venv.join("bin/pre-commit");
    // The hooks run the layerwise under test, found on PATH as users' is.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_layerwise"))
        .parent()
        .expect("bin dir");
    let path_env = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    // A repository of hooks holding the working tree's hooks file, at a commit.
    let hooks_repo = tmp.path().join("hooks");
    std::fs::create_dir_all(&hooks_repo).expect("mkdir");
    std::fs::copy(hooks_file(), hooks_repo.join(".pre-commit-hooks.yaml")).expect("copy");
    git(&["init", "-q"], &hooks_repo, &path_env);
    git(&["add", "."], &hooks_repo, &path_env);
    git(&["commit", "-q", "-m", "hooks"], &hooks_repo, &path_env);
    let rev = git(&["rev-parse", "HEAD"], &hooks_repo, &path_env);

    // The user's project: the Flask example's naive Dockerfile.
    let project = tmp.path().join("project");
    common::copy_tree(&examples_dir().join("flask-requirements"), &project);
    std::fs::rename(project.join("Dockerfile.naive"), project.join("Dockerfile")).expect("mv");
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: layerwise-check\n      \
             - id: layerwise-fix\n        args: [--unsafe-fixes]\n        stages: [manual]\n",
            hooks_repo.display()
        ),
    )
    .expect("config");
    git(&["init", "-q"], &project, &path_env);
    git(&["add", "."], &project, &path_env);
    let home = tmp.path().join("pre-commit-home");
    let pre_commit_run = |args: &[&str]| {
        let mut command = Command::new(&pre_commit);
        command
            .args(args)
            .current_dir(&project)
            .env("PATH", &path_env)
            .env("PRE_COMMIT_HOME", &home)
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        command.output().expect("pre-commit runs")
    };

    let naive = pre_commit_run(&["run", "--all-files"]);
    assert_eq!(naive.status.code(), Some(1), "{}", text(&naive));
    let report = text(&naive);
    assert!(
        report.contains("layerwise check") && report.contains("Failed"),
        "{report}"
    );
    assert!(
        report.contains("Dockerfile:4:1: warning[LW101]"),
        "{report}"
    );

    // The opt-in fix hook (manual stage here) rewrites the file: pre-commit
    // fails a hook that modified files, and the file is fixed.
    let fix = pre_commit_run(&[
        "run",
        "--all-files",
        "--hook-stage",
        "manual",
        "layerwise-fix",
    ]);
    assert_eq!(fix.status.code(), Some(1), "{}", text(&fix));
    assert!(
        text(&fix).contains("files were modified by this hook"),
        "{}",
        text(&fix)
    );
    let fixed = std::fs::read_to_string(project.join("Dockerfile")).expect("fixed");
    assert!(
        fixed.contains("/opt/venv") && fixed.contains("USER "),
        "{fixed}"
    );

    git(&["add", "."], &project, &path_env);
    let clean = pre_commit_run(&["run", "--all-files"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    assert!(text(&clean).contains("Passed"), "{}", text(&clean));
}
