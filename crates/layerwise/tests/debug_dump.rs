//! `layerwise debug dump`: BuildKit's dump on stdout, errors as
//! FILE:LINE:COL on stderr with exit code 2.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(args)
        .output()
        .expect("layerwise runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn dumps_a_valid_dockerfile() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(
        &path,
        "FROM python:3.12\nCOPY --link a /b\nENV K v\nCMD [\"x\"]\n",
    )
    .expect("write");
    let (code, stdout, stderr) = run(&["debug", "dump", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "(from \"python:3.12\")\n(copy [\"--link\"] \"a\" \"/b\")\n(env \"K\" \"v\" \"\")\n(cmd \"x\")\n"
    );
    assert!(stderr.is_empty());
}

#[test]
fn reports_errors_with_positions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\nRUN <<EOF\nnever closed\n").expect("write");
    let file = path.to_str().unwrap();
    let (code, _, stderr) = run(&["debug", "dump", file]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        format!("{file}:2:5: error: unterminated heredoc: no line \"EOF\" ends it\n")
    );
}

#[test]
fn missing_file_is_an_input_error() {
    let (code, _, stderr) = run(&["debug", "dump", "/nonexistent/Dockerfile"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read /nonexistent/Dockerfile"),
        "{stderr}"
    );
}

#[test]
fn invalid_utf8_is_an_input_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, b"FROM a\nRUN echo \xff\n").expect("write");
    let (code, _, stderr) = run(&["debug", "dump", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains(":2:10: not valid UTF-8"), "{stderr}");
}

#[test]
fn conformance_case_through_the_cli() {
    let case = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/buildkit-parser/testfiles/env");
    if !case.is_dir() {
        eprintln!("skipping: {} not found", case.display());
        return;
    }
    let (code, stdout, stderr) = run(&["debug", "dump", case.join("Dockerfile").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        std::fs::read_to_string(case.join("result")).expect("result")
    );
}
