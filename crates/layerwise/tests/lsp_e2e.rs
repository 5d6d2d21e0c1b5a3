//! `layerwise server` end to end with a real LSP client: pytest-lsp
//! (installed from the package index into a temporary venv) starts the
//! binary, opens a naive Dockerfile, reads the diagnostics, applies LW101's
//! quick fix as incremental changes, reads the new diagnostics, hovers and
//! shuts down (`tests/lsp/test_session.py`). Without the index the test skips
//! with a printed reason, unless `LAYERWISE_REQUIRE_DOCKER=1`, where it fails.

mod common;

use std::path::Path;
use std::process::Command;

use common::{examples_dir, text};

#[test]
fn pytest_lsp_session_with_diagnostics_fix_and_hover() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let Some(venv) = common::venv_with_or_skip(tmp.path(), &["pytest-lsp"]) else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/test_session.py");
    let dockerfile = examples_dir().join("flask-requirements/Dockerfile.naive");
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
        .current_dir(tmp.path())
        .output()
        .expect("pytest runs");
    let report = text(&out);
    assert!(out.status.success(), "pytest-lsp session failed:\n{report}");
    assert!(report.contains("1 passed"), "{report}");
}
