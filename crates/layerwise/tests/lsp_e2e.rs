//! `layerwise server` end to end with a real LSP client: pytest-lsp
//! (installed from the package index into a temporary venv) starts the
//! binary, opens a naive Dockerfile, reads the diagnostics, applies LW101's
//! quick fix as incremental changes, reads the new diagnostics, hovers and
//! shuts down (`tests/lsp/test_session.py`). Without the index the test skips
//! with a printed reason, unless `LAYERWISE_REQUIRE_DOCKER=1`, where it fails.
//! A build of the Dockerfile is recorded first (as `layerwise build` records
//! one, with BuildKit's steps written out) in a cache directory of the test's
//! own, so the hover shows what that build did.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{examples_dir, text};
use layerwise_engine::testing::finished_step;
use layerwise_explain::{BuildFiles, Inputs};

/// Records a build of `dockerfile` under `cache_home` (what `XDG_CACHE_HOME`
/// names for the server): everything cached but the install, which ran 42 s.
fn record_build(cache_home: &Path, dockerfile: &Path) {
    let files = BuildFiles::new(dockerfile.parent().unwrap(), Some(dockerfile))
        .unwrap()
        .with_state_root(&cache_home.join("layerwise"));
    let plan = files.plan(&Inputs::default(), &BTreeMap::new()).unwrap();
    let steps = [
        finished_step("[1/4] FROM docker.io/library/python:3.11-slim", true, 0),
        finished_step("[2/4] WORKDIR /app", true, 0),
        finished_step("[3/4] COPY . .", true, 0),
        finished_step(
            "[4/4] RUN pip install --no-cache-dir -r requirements.txt",
            false,
            42,
        ),
    ];
    let recorded =
        layerwise_explain::record_plan(&files, &Inputs::default(), &plan, &steps).unwrap();
    assert_eq!(recorded.matched, 4, "{recorded:?}");
}

#[test]
fn pytest_lsp_session_with_diagnostics_fix_and_hover() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(venv) = common::venv_with_or_skip(tmp.path(), &["pytest-lsp"]) else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/test_session.py");
    let dockerfile = examples_dir().join("flask-requirements/Dockerfile.naive");
    let cache_home = tmp.path().join("cache");
    record_build(&cache_home, &dockerfile);
    // A server that does not exit after `exit` hangs the session: give up
    // after five minutes rather than hold the test run.
    let out = Command::new("timeout")
        .arg("300")
        .arg(venv.join("bin/python"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .args(["-o", "asyncio_mode=auto"])
        .args(["-o", "asyncio_default_fixture_loop_scope=function"])
        .arg(&script)
        .env("LAYERWISE_BIN", env!("CARGO_BIN_EXE_layerwise"))
        .env("LAYERWISE_DOCKERFILE", &dockerfile)
        .env("XDG_CACHE_HOME", &cache_home)
        .current_dir(tmp.path())
        .output()
        .expect("pytest runs");
    let report = text(&out);
    assert!(out.status.success(), "pytest-lsp session failed:\n{report}");
    assert!(report.contains("1 passed"), "{report}");
}
