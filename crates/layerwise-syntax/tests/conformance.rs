//! BuildKit's own parser test cases: every positive case must dump exactly
//! like BuildKit, every negative case must produce an error, and reported
//! lines must match.

use std::fs;
use std::path::{Path, PathBuf};

use layerwise_syntax::{dump::dump, parse};

/// The conformance folder, or `None` (with the reason printed) when it is
/// absent and not required.
fn conformance_dir() -> Option<PathBuf> {
    let dir = layerwise_syntax::testing::buildkit_parser_dir();
    if dir.is_dir() {
        return Some(dir);
    }
    let required = std::env::var("LAYERWISE_CONFORMANCE").is_ok_and(|v| v == "required");
    assert!(
        !required,
        "LAYERWISE_CONFORMANCE=required but {} is missing",
        dir.display()
    );
    eprintln!(
        "skipping: {} not found (set LAYERWISE_CONFORMANCE=required to fail instead)",
        dir.display()
    );
    None
}

fn case_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    cases.sort();
    cases
}

#[test]
fn positive_cases_dump_like_buildkit() {
    let Some(dir) = conformance_dir() else { return };
    let cases = case_dirs(&dir.join("testfiles"));
    assert_eq!(cases.len(), 33, "expected BuildKit's 33 positive cases");
    let mut failures = Vec::new();
    for case in &cases {
        let source = fs::read_to_string(case.join("Dockerfile")).expect("readable Dockerfile");
        let expected = fs::read_to_string(case.join("result")).expect("readable result");
        let dockerfile = parse(&source);
        assert_eq!(
            dockerfile.to_source(),
            source,
            "round trip of {}",
            case.display()
        );
        let actual = dump(&dockerfile);
        if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                case.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn positive_cases_have_no_parser_level_errors() {
    use layerwise_syntax::ParseErrorKind::*;
    let Some(dir) = conformance_dir() else { return };
    for case in case_dirs(&dir.join("testfiles")) {
        let source = fs::read_to_string(case.join("Dockerfile")).expect("readable Dockerfile");
        let dockerfile = parse(&source);
        // BuildKit's parser accepts these files; what its later instruction
        // checks reject (e.g. `CMD --doit`) may be reported, parser errors may not.
        for error in dockerfile.errors() {
            assert!(
                !matches!(
                    error.kind,
                    NoInstructions | InvalidDirective | InvalidJson | UnterminatedHeredoc
                ),
                "{}: unexpected {:?}: {}",
                case.display(),
                error.kind,
                error.message
            );
        }
    }
}

#[test]
fn negative_cases_fail() {
    let Some(dir) = conformance_dir() else { return };
    let cases = case_dirs(&dir.join("testfiles-negative"));
    assert_eq!(cases.len(), 4, "expected BuildKit's 4 negative cases");
    for case in cases {
        let source = fs::read_to_string(case.join("Dockerfile")).expect("readable Dockerfile");
        let dockerfile = parse(&source);
        assert!(
            !dockerfile.errors().is_empty(),
            "{} parsed without error",
            case.display()
        );
        assert_eq!(dockerfile.to_source(), source);
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let expected = match name {
            "empty_dockerfile" | "only_comments" => "file with no instructions",
            "env_no_value" => "ENV must have two arguments",
            "shykes-nested-json" => {
                "when using JSON array syntax, arrays must be comprised of strings only"
            }
            other => panic!("unknown negative case {other}"),
        };
        assert_eq!(dockerfile.errors()[0].message, expected, "{name}");
    }
}

#[test]
fn line_numbers_match_buildkit() {
    let Some(dir) = conformance_dir() else { return };
    let source =
        fs::read_to_string(dir.join("testfile-line/Dockerfile")).expect("readable Dockerfile");
    let dockerfile = parse(&source);
    assert!(dockerfile.errors().is_empty(), "{:?}", dockerfile.errors());
    let lines: Vec<(usize, usize)> = dockerfile
        .instructions()
        .map(|i| dockerfile.lines(i.span))
        .collect();
    // The values BuildKit's TestLineInformation expects.
    assert_eq!(lines, [(5, 5), (11, 12), (17, 31)]);
}
