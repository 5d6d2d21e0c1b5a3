//! `check --format gitlab` and `--format junit`, read the way CI reads them:
//! GitLab's required Code Quality fields as a JSON schema, JUnit XML through an
//! XML parser and through `junitparser` (a Python consumer from the package
//! index); `--exit-zero` and hadolint's `--failure-threshold` spelling.

mod common;

use std::path::Path;
use std::process::Command;

use common::{examples_dir, layerwise, temp_project, text};

const NAIVE: &[u8] = b"FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n\
RUN pip install --no-cache-dir -r requirements.txt\nCMD python app.py\n";

/// The codes `--format json` reports for `paths`, in order.
fn json_codes(paths: &[&str]) -> Vec<String> {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(paths);
    let out = layerwise(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect()
}

#[test]
fn gitlab_report_has_the_fields_gitlab_requires() {
    let project = temp_project(&[("Dockerfile", NAIVE), ("requirements.txt", b"flask\n")]);
    let empty = temp_project(&[("Dockerfile", b"")]);
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gitlab-codequality-schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema")).expect("json");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    // The report for `path`, after its exit code and its schema are checked.
    let report = |path: &str, exit: i32| {
        let out = layerwise(&["check", "--format", "gitlab", path]);
        assert_eq!(out.status.code(), Some(exit), "{}", text(&out));
        let issues: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&issues)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{issues:#}");
        issues
    };

    let dockerfile = project.path().join("Dockerfile");
    let dockerfile = dockerfile.to_str().expect("utf-8");
    let issues = report(dockerfile, 1);
    let issues = issues.as_array().expect("array");
    let checks: Vec<String> = issues
        .iter()
        .map(|i| i["check_name"].as_str().expect("check_name").to_string())
        .collect();
    let expected: Vec<String> = json_codes(&[dockerfile])
        .iter()
        .map(|c| format!("layerwise/{c}"))
        .collect();
    assert_eq!(checks, expected);
    assert!(
        checks.contains(&"layerwise/LW101".to_string()),
        "{checks:?}"
    );
    let lw101 = issues
        .iter()
        .find(|i| i["check_name"] == "layerwise/LW101")
        .expect("LW101");
    assert_eq!(lw101["location"]["lines"]["begin"], 3);
    assert_eq!(lw101["location"]["path"], dockerfile);

    // Fingerprints: unique within a report, the same in the next pipeline.
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fp"))
        .collect();
    let again = report(dockerfile, 1);
    let again_prints: Vec<&str> = again
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fp"))
        .collect();
    assert_eq!(prints, again_prints);
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), issues.len(), "fingerprints collide");

    // A file that cannot be checked is an issue too (and exit 2).
    let broken = empty.path().join("Dockerfile");
    let issues = report(broken.to_str().expect("utf-8"), 2);
    assert_eq!(issues[0]["check_name"], "layerwise/input-error");
    assert_eq!(issues[0]["severity"], "blocker");
}

#[test]
fn junit_report_parses_with_counts_matching_the_findings() {
    let naive = examples_dir().join("flask-requirements/Dockerfile.naive");
    let naive = naive.to_str().expect("utf-8");
    let project = temp_project(&[(
        "Dockerfile",
        b"FROM python:3.11-slim\nUSER nobody\nENV PYTHONUNBUFFERED=1\nCMD [\"python\"]\n",
    )]);
    let clean_file = project.path().join("Dockerfile");
    let clean_file = clean_file.to_str().expect("utf-8");
    assert!(
        json_codes(&[clean_file]).is_empty(),
        "the clean file has findings"
    );

    let out = layerwise(&["check", "--format", "junit", naive, clean_file]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let xml = String::from_utf8(out.stdout.clone()).expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2, "{xml}");
    let failure_types: Vec<String> = suites[0]
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.attribute("type").expect("type").to_string())
        .collect();
    assert_eq!(failure_types, json_codes(&[naive]));
    assert_eq!(
        suites[0].attribute("failures"),
        Some(failure_types.len().to_string().as_str())
    );
    assert_eq!(
        root.attribute("failures"),
        Some(failure_types.len().to_string().as_str())
    );
    let clean_cases: Vec<_> = suites[1]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(clean_cases.len(), 1);
    assert!(clean_cases[0].children().all(|n| !n.is_element()), "{xml}");

    // junitparser, as CI plugins read it: every case failed or passed as above.
    let tmp = tempfile::tempdir().expect("tempdir");
    let report = tmp.path().join("report.xml");
    std::fs::write(&report, &xml).expect("write");
    let Some(venv) = common::venv_with_or_skip(tmp.path(), &["junitparser==3.2.0"]) else {
        return;
    };
    let script = "import sys\nfrom junitparser import JUnitXml, Failure\n\
        xml = JUnitXml.fromfile(sys.argv[1])\n\
        for suite in xml:\n\
        \x20   for case in suite:\n\
        \x20       kinds = [type(r).__name__ + ':' + (r.type or '') for r in case.result]\n\
        \x20       print(suite.name, case.classname, 'passed' if case.is_passed else ','.join(kinds))\n";
    let parsed = Command::new(venv.join("bin/python"))
        .args(["-c", script])
        .arg(&report)
        .output()
        .expect("python runs");
    assert!(parsed.status.success(), "{}", text(&parsed));
    let lines: Vec<String> = String::from_utf8_lossy(&parsed.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let mut expected: Vec<String> = json_codes(&[naive])
        .iter()
        .map(|code| format!("{naive} {naive} Failure:{code}"))
        .collect();
    expected.push(format!("{clean_file} {clean_file} passed"));
    assert_eq!(lines, expected);
}

#[test]
fn exit_zero_and_failure_threshold() {
    let naive = examples_dir().join("flask-requirements/Dockerfile.naive");
    let naive = naive.to_str().expect("utf-8");
    let findings = layerwise(&["check", naive]);
    assert_eq!(findings.status.code(), Some(1), "{}", text(&findings));
    let zero = layerwise(&["check", "--exit-zero", naive]);
    assert_eq!(zero.status.code(), Some(0), "{}", text(&zero));
    assert!(
        text(&zero).contains("LW101"),
        "findings still printed: {}",
        text(&zero)
    );
    // The naive example has warnings and infos but no errors.
    let threshold = layerwise(&["check", "--failure-threshold", "error", naive]);
    assert_eq!(threshold.status.code(), Some(0), "{}", text(&threshold));
    let threshold = layerwise(&["check", "--failure-threshold", "warning", naive]);
    assert_eq!(threshold.status.code(), Some(1), "{}", text(&threshold));
    let empty = temp_project(&[("Dockerfile", b"")]);
    let broken = empty.path().join("Dockerfile");
    let broken = layerwise(&["check", "--exit-zero", broken.to_str().expect("utf-8")]);
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken));
}
