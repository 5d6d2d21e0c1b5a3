//! End-to-end tests of `layerwise check` and `layerwise rule`.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::temp_project as project;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_fixtures")
}

/// Runs the binary in `dir`; returns (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run layerwise");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run_in(dir, &all);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (code, value)
}

fn codes(value: &serde_json::Value) -> Vec<String> {
    value["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn slow_single_stage_pattern_gets_layer_order_and_cache_findings() {
    let (code, value) = json(&fixtures().join("slow"), &["."]);
    assert_eq!(code, 1);
    let found = codes(&value);
    for expected in ["LW101", "LW102", "LW112", "LW301", "LW304", "LW305"] {
        assert!(
            found.iter().any(|c| c == expected),
            "{expected} missing from {found:?}"
        );
    }
    let lw101 = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "LW101")
        .unwrap();
    assert!(
        lw101["help"]
            .as_str()
            .unwrap()
            .contains("COPY requirements.txt ./"),
        "{lw101}"
    );
    assert_eq!(lw101["location"]["line"], 3);
    // The install the copy invalidates, as a related location.
    let related = &lw101["related"][0];
    assert_eq!(related["location"]["line"], 4, "{lw101}");
    assert!(
        related["message"]
            .as_str()
            .unwrap()
            .contains("`pip install` re-runs"),
        "{lw101}"
    );
    let lw102 = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "LW102")
        .unwrap();
    assert!(
        lw102["help"]
            .as_str()
            .unwrap()
            .contains("target=/root/.cache/pip"),
        "{lw102}"
    );
}

#[test]
fn slow_pattern_human_output() {
    let (code, stdout, _) = run_in(
        &fixtures().join("slow"),
        &["check", "Dockerfile", "--select", "LW101,LW102"],
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}

#[test]
fn reference_multi_stage_dockerfile_has_no_findings() {
    let (code, value) = json(&fixtures().join("reference"), &["."]);
    assert_eq!(codes(&value), Vec::<String>::new(), "{value:#}");
    assert_eq!(code, 0);
    let (code, stdout, _) = run_in(&fixtures().join("reference"), &["check"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("All checks passed"), "{stdout}");
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("sarif-schema-2.1.0.json")).expect("schema parses");
    // The published schema's `language` patterns have a stray `]` that a
    // strict regex check rejects; layerwise never emits `language`, so the
    // patterns are replaced by the intended one before compiling.
    for def in ["run", "toolComponent"] {
        schema["definitions"][def]["properties"]["language"]["pattern"] =
            serde_json::Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let (code, stdout, _) = run_in(
        &fixtures().join("slow"),
        &["check", "--format", "sarif", "."],
    );
    assert_eq!(code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("sarif is json");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() > 40);
    let result = &run["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Dockerfile"
    );
    assert!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let lw101 = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "LW101")
        .expect("LW101 result");
    let related = &lw101["relatedLocations"][0];
    assert_eq!(
        related["physicalLocation"]["region"]["startLine"], 4,
        "{lw101}"
    );
    assert!(
        related["message"]["text"]
            .as_str()
            .unwrap()
            .contains("`pip install` re-runs"),
        "{lw101}"
    );
    // A broken file is reported as a notification and still validates.
    let (code, stdout, _) = run_in(
        &fixtures(),
        &[
            "check",
            "--format",
            "sarif",
            "broken/Dockerfile",
            "slow/Dockerfile",
        ],
    );
    assert_eq!(code, 2);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).expect("sarif is json");
    assert!(validator.is_valid(&sarif));
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn github_annotations() {
    let (code, stdout, _) = run_in(
        &fixtures().join("slow"),
        &[
            "check",
            "--format",
            "github",
            "--select",
            "LW101",
            "Dockerfile",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(
            "::warning file=Dockerfile,line=3,col=1,endColumn=9,title=LW101 copy-before-install::"
        ),
        "{stdout}"
    );
}

#[test]
fn parse_errors_exit_2_but_other_files_are_checked() {
    let (code, stdout, _) = run_in(
        &fixtures(),
        &[
            "check",
            "broken/Dockerfile",
            "slow/Dockerfile",
            "--select",
            "LW101",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stdout.contains("broken/Dockerfile:") && stdout.contains(": error: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("slow/Dockerfile:3:1: warning[LW101]"),
        "{stdout}"
    );
}

#[test]
fn select_ignore_and_fail_on() {
    let dir = fixtures().join("slow");
    let (_, value) = json(
        &dir,
        &["Dockerfile", "--select", "cache", "--ignore", "LW102"],
    );
    let found = codes(&value);
    assert!(
        found.iter().all(|c| c.starts_with("LW1")) && !found.contains(&"LW102".to_string()),
        "{found:?}"
    );
    // Docker check names and hadolint codes select the covering rules.
    let (_, value) = json(&dir, &["Dockerfile", "--select", "JSONArgsRecommended"]);
    assert_eq!(codes(&value), ["LW304"]);
    let (code, _) = json(
        &dir,
        &["Dockerfile", "--select", "LW305", "--fail-on", "warning"],
    );
    assert_eq!(code, 0, "info findings stay below the warning threshold");
    let (code, _, stderr) = run_in(&dir, &["check", "--select", "NOPE"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule selector `NOPE`"), "{stderr}");
}

#[test]
fn configuration_is_found_walking_up() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("pyproject.toml"),
        "[project]\nname='x'\n\n[tool.layerwise]\nignore = [\"LW102\", \"missing-pythonunbuffered\"]\nfail-on = \"error\"\n[tool.layerwise.severity]\nLW101 = \"error\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("docker")).unwrap();
    std::fs::copy(
        fixtures().join("slow/Dockerfile"),
        root.join("docker/Dockerfile"),
    )
    .unwrap();
    let (code, value) = json(root, &["docker/Dockerfile"]);
    let found = codes(&value);
    assert!(
        !found.contains(&"LW102".to_string()) && !found.contains(&"LW305".to_string()),
        "{found:?}"
    );
    let lw101 = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "LW101")
        .unwrap();
    assert_eq!(lw101["severity"], "error");
    assert_eq!(code, 1, "an error-level finding fails with fail-on = error");
    std::fs::write(
        root.join("docker/layerwise.toml"),
        "select = [\"LW304\"]\nfail-on = \"error\"\n",
    )
    .unwrap();
    let (code, value) = json(root, &["docker/Dockerfile"]);
    assert_eq!(codes(&value), ["LW304"], "the nearest configuration wins");
    assert_eq!(code, 0);
    std::fs::write(root.join("docker/layerwise.toml"), "selectt = []\n").unwrap();
    let (code, _, stderr) = run_in(root, &["check", "docker/Dockerfile"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown configuration key `selectt`"),
        "{stderr}"
    );
}

#[test]
fn inline_suppressions() {
    let tmp = tempfile::tempdir().unwrap();
    let src = "FROM python:3.12\n# layerwise: ignore[LW304]\nCMD python a.py\n# hadolint ignore=DL3025\nCMD python b.py\nCMD python c.py\n";
    std::fs::write(tmp.path().join("Dockerfile"), src).unwrap();
    let (_, value) = json(tmp.path(), &["Dockerfile", "--select", "LW304"]);
    let lines: Vec<u64> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [6]);
    std::fs::write(
        tmp.path().join("Dockerfile"),
        format!("# check=skip=JSONArgsRecommended\n{src}"),
    )
    .unwrap();
    let (code, value) = json(tmp.path(), &["Dockerfile", "--select", "LW304"]);
    assert_eq!(codes(&value), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn rule_command_prints_docs() {
    let dir = fixtures();
    let (code, stdout, _) = run_in(&dir, &["rule", "LW101"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("copy-before-install") && stdout.contains("Why is this bad?"),
        "{stdout}"
    );
    let (_, by_alias, _) = run_in(&dir, &["rule", "DL3025"]);
    assert!(by_alias.contains("LW304"));
    let (code, all, _) = run_in(&dir, &["rule", "--all"]);
    assert_eq!(code, 0);
    assert!(all.contains("LW101") && all.contains("LW509"));
    let (code, _, _) = run_in(&dir, &["rule", "LW999"]);
    assert_eq!(code, 2);
}

#[test]
fn directories_find_dockerfile_variants() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "Dockerfile",
        "api.Dockerfile",
        "Dockerfile.dev",
        "Containerfile",
        "Dockerfile.dockerignore",
        "notes.md",
    ] {
        std::fs::write(tmp.path().join(name), "FROM python:3.12\nCMD python x.py\n").unwrap();
    }
    let (_, value) = json(tmp.path(), &[".", "--select", "LW304"]);
    assert_eq!(value["files"], 4);
}

/// Runs the binary in `dir` with `stdin` as standard input.
fn run_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run layerwise");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().expect("wait for layerwise");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn long_lines_print_a_window_and_output_stays_small() {
    let installs: Vec<String> = (0..1000).map(|i| format!("pip install a{i}")).collect();
    let source = format!("FROM python:3.11-slim\nRUN {}\n", installs.join(" && "));
    let tmp = project(&[("Dockerfile", source.as_bytes())]);
    let (code, stdout, _) = run_in(tmp.path(), &["check", "."]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.len() < 100_000, "{} bytes of output", stdout.len());
    let longest = stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 300, "a {longest}-character line:\n{stdout}");
    assert!(stdout.contains("pip in…"), "{stdout}");
}

#[test]
fn files_buildkit_rejects_are_input_errors() {
    for (source, expected) in [
        ("", "Dockerfile:1:1: error: file with no instructions"),
        (
            "# only a comment\n",
            "Dockerfile:2:1: error: file with no instructions",
        ),
        (
            "RUN pip install flask\n",
            "Dockerfile:1:1: error: no build stage in current context: RUN before the first FROM",
        ),
        (
            "ARG PY=3.11\n",
            "Dockerfile:2:1: error: dockerfile contains no stages to build",
        ),
    ] {
        let tmp = project(&[("Dockerfile", source.as_bytes())]);
        let (code, stdout, _) = run_in(tmp.path(), &["check", "Dockerfile"]);
        assert_eq!(code, 2, "{source:?}: {stdout}");
        assert!(stdout.contains(expected), "{source:?}: {stdout}");
    }
    // ARG before FROM is allowed.
    let tmp = project(&[(
        "Dockerfile",
        b"ARG PY=3.11\nFROM python:${PY}-slim\nUSER nobody\n",
    )]);
    let (code, stdout, _) = run_in(tmp.path(), &["check", "Dockerfile", "--select", "LW5"]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn a_broken_dockerignore_is_an_input_error() {
    for (ignore, at) in [("ok\n[\n", ":2:1:"), ("!\n", ":1:"), ("x\\\n", ":1:")] {
        let tmp = project(&[
            ("Dockerfile", b"FROM python:3.11-slim\nUSER nobody\n"),
            (".dockerignore", ignore.as_bytes()),
        ]);
        let (code, stdout, _) = run_in(tmp.path(), &["check", "."]);
        assert_eq!(code, 2, "{ignore:?}: {stdout}");
        let line = stdout
            .lines()
            .find(|l| l.contains(".dockerignore"))
            .unwrap_or_else(|| panic!("{ignore:?}: {stdout}"));
        assert!(line.contains(at) && line.contains(": error: "), "{line}");
    }
}

#[test]
fn a_path_without_dockerfiles_is_an_input_error() {
    let tmp = project(&[("app.py", b"print(1)\n")]);
    let (code, stdout, _) = run_in(tmp.path(), &["check", "."]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains(".: error: no Dockerfile found"), "{stdout}");
    assert!(!stdout.contains("All checks passed"), "{stdout}");
}

#[test]
fn dash_reads_standard_input() {
    let tmp = project(&[]);
    let source = b"FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n";
    let (code, stdout, _) = run_with_stdin(
        tmp.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "web/Dockerfile",
            "--select",
            "LW102",
        ],
        source,
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("web/Dockerfile:3:5: warning[LW102]"),
        "{stdout}"
    );
    let (code, stdout, _) = run_with_stdin(tmp.path(), &["check", "-"], b"");
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("-:1:1: error: file with no instructions"),
        "{stdout}"
    );
}

#[test]
fn invalid_utf8_is_reported_where_it_is() {
    let tmp = project(&[("Dockerfile", b"FROM python:3.11-slim\nRUN echo \xff\n")]);
    let (code, stdout, _) = run_in(tmp.path(), &["check", "Dockerfile"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("Dockerfile:2:10: error: not valid UTF-8"),
        "{stdout}"
    );
}

#[test]
fn rule_all_with_a_code_is_a_usage_error() {
    let (code, stdout, stderr) = run_in(&fixtures(), &["rule", "--all", "LW101"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}
