//! `layerwise fix --unsafe-fixes --write` on every bundled naive Dockerfile:
//! the result parses, `check` reports no cache or size findings, a second
//! run changes nothing, and the fixed files are snapshotted.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{copy_tree, examples_dir, text};

const LAYERWISE: &str = env!("CARGO_BIN_EXE_layerwise");

const EXAMPLES: &[&str] = &[
    "flask-requirements",
    "django-postgres",
    "fastapi-uv",
    "poetry-app",
    "pipenv-app",
    "src-layout-cli",
];

/// Findings expected to remain after the fix, per example: none.
const KNOWN: &[(&str, &str)] = &[];

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(LAYERWISE)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run layerwise")
}

#[test]
fn every_example_is_fixed_clean_and_idempotently() {
    for name in EXAMPLES {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join(name);
        copy_tree(&examples_dir().join(name), &dir);
        // The project's own ignore file would hide the fix of LW112.
        let _ = std::fs::remove_file(dir.join(".dockerignore"));

        let diff = run(&["fix", "--unsafe-fixes", "Dockerfile.naive"], &dir);
        assert_eq!(
            diff.status.code(),
            Some(1),
            "{name}: --diff reports changes\n{}",
            text(&diff)
        );
        let original =
            std::fs::read_to_string(examples_dir().join(name).join("Dockerfile.naive")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("Dockerfile.naive")).unwrap(),
            original,
            "{name}: the diff mode writes nothing"
        );

        let write = run(
            &["fix", "--unsafe-fixes", "--write", "Dockerfile.naive"],
            &dir,
        );
        assert_eq!(write.status.code(), Some(0), "{name}\n{}", text(&write));
        let fixed = std::fs::read_to_string(dir.join("Dockerfile.naive")).unwrap();
        assert_ne!(fixed, original, "{name}: something was fixed");
        let parsed = layerwise_syntax::parse(&fixed);
        assert!(
            parsed.errors().is_empty(),
            "{name}: {:?}\n{fixed}",
            parsed.errors()
        );
        assert!(
            !fixed.contains("# syntax="),
            "{name}: builds on the engine's built-in frontend"
        );

        let check = run(
            &[
                "check",
                "--format",
                "json",
                "--select",
                "cache,size",
                "--context",
                ".",
                "Dockerfile.naive",
            ],
            &dir,
        );
        let report: serde_json::Value = serde_json::from_slice(&check.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", text(&check)));
        let mut codes = Vec::new();
        collect_codes(&report, &mut codes);
        let expected: Vec<String> = KNOWN
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, c)| c.to_string())
            .collect();
        assert_eq!(
            codes,
            expected,
            "{name}: cache/size findings after fix\n{}\n{fixed}",
            text(&check)
        );

        let again = run(&["fix", "--unsafe-fixes", "Dockerfile.naive"], &dir);
        assert_eq!(
            again.status.code(),
            Some(0),
            "{name}: fix is idempotent\n{}",
            text(&again)
        );
        assert!(
            again.stdout.is_empty(),
            "{name}: no diff the second time\n{}",
            text(&again)
        );

        let ignore = std::fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default();
        insta::assert_snapshot!(
            format!("fix_{name}"),
            format!("{fixed}\n# --- .dockerignore\n{ignore}")
        );
    }
}

/// Every `"code"` string in a JSON report.
fn collect_codes(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("code", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_codes(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_codes(i, out)),
        _ => {}
    }
}

#[test]
fn diff_mode_prints_the_dockerignore_too_and_exits_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("requirements.txt"), "flask\n").unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM python:3.12-slim\n# install\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python app.py\n",
    )
    .unwrap();
    let out = run(&["fix", "--diff", "Dockerfile"], dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(stdout.contains("+++ b/Dockerfile"), "{stdout}");
    assert!(
        stdout.contains("--- /dev/null") && stdout.contains(".dockerignore"),
        "{stdout}"
    );
    assert!(stdout.contains("+COPY requirements.txt ./"), "{stdout}");
    assert!(
        !dir.join(".dockerignore").exists(),
        "diff mode writes nothing"
    );
    // Nothing was written, and the report says so.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(": would fix LW"), "{stderr}");
    assert!(stderr.contains(".dockerignore: would create"), "{stderr}");
    assert!(
        !stderr.contains(": fixed ") && !stderr.contains(": created"),
        "{stderr}"
    );
    let write = run(&["fix", "--write", "Dockerfile"], dir);
    let stderr = String::from_utf8_lossy(&write.stderr);
    assert!(
        stderr.contains(": fixed LW") && stderr.contains(".dockerignore: created"),
        "{stderr}"
    );
}

#[test]
fn unparseable_input_exits_two_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = "FROM python:3.12\nRUN --mount=type=nope true\nCMD python x.py\n";
    std::fs::write(tmp.path().join("Dockerfile"), src).unwrap();
    let out = run(&["fix", "--write", "Dockerfile"], tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Dockerfile:2:"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("Dockerfile")).unwrap(),
        src
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_dockerfile_is_fixed_once_through_the_link() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("requirements.txt"), "flask\n").unwrap();
    std::fs::write(
        dir.join("Dockerfile.real"),
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python app.py\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("Dockerfile.real", dir.join("Dockerfile")).unwrap();
    let out = run(&["fix", "--write", "."], dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let link = std::fs::symlink_metadata(dir.join("Dockerfile")).unwrap();
    assert!(link.file_type().is_symlink(), "the link became a file");
    let fixed = std::fs::read_to_string(dir.join("Dockerfile.real")).unwrap();
    assert!(fixed.contains("COPY requirements.txt ./"), "{fixed}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches(": written").count(), 2, "{stderr}");
    assert_eq!(stderr.matches("fixed LW101").count(), 1, "{stderr}");
}

#[test]
fn crlf_files_stay_crlf() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("requirements.txt"), "flask\r\n").unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM python:3.12-slim\r\nWORKDIR /app\r\nCOPY . .\r\nRUN pip install -r requirements.txt\r\nCMD python app.py\r\n",
    )
    .unwrap();
    let out = run(&["fix", "--write", "Dockerfile"], dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let fixed = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(fixed.contains("COPY requirements.txt ./"), "{fixed:?}");
    assert_eq!(
        fixed.matches('\n').count(),
        fixed.matches("\r\n").count(),
        "{fixed:?}"
    );
}
