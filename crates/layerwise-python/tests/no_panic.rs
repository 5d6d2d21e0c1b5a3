//! Arbitrary file contents never make detection panic: every input ends in a
//! `PythonProject` or a `DetectError`.

use std::fs;

use proptest::prelude::*;

fn run(files: &[(&str, &str)]) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        fs::write(dir.path().join(name), content).expect("write");
    }
    if let Err(err) = layerwise_python::detect(dir.path()) {
        // Errors must render without panicking too.
        assert!(!err.to_string().is_empty());
    }
}

/// Text built from fragments that matter to the parsers, so that cases reach
/// deep into them rather than failing on the first byte.
fn fragments() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("-r ".to_string()),
        Just("-c ".to_string()),
        Just("-e .".to_string()),
        Just("requirements.txt".to_string()),
        Just("flask>=3".to_string()),
        Just(" --hash=sha256:ab".to_string()),
        Just(" ; python_version < '3.9'".to_string()),
        Just("\\\n".to_string()),
        Just("\n".to_string()),
        Just("# c".to_string()),
        Just("[project]".to_string()),
        Just("dependencies = [".to_string()),
        Just("\"psycopg2==2.9\"".to_string()),
        Just("]".to_string()),
        Just("[[package]]".to_string()),
        Just("name = ".to_string()),
        Just("{\"default\": {".to_string()),
        Just("}".to_string()),
        Just("web: ".to_string()),
        Just("gunicorn -b 0.0.0.0:${PORT:-".to_string()),
        Just("é".to_string()),
        "[ -~]{0,12}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn requirements_files(text in fragments(), other in fragments()) {
        run(&[("requirements.txt", &text), ("requirements-dev.txt", &other), ("Procfile", &other)]);
    }

    #[test]
    fn pyproject_and_locks(text in fragments(), lock in fragments()) {
        run(&[("pyproject.toml", &text), ("uv.lock", &lock)]);
        run(&[("pyproject.toml", &text), ("poetry.lock", &lock)]);
    }

    #[test]
    fn pipfiles(text in fragments(), lock in fragments()) {
        run(&[("Pipfile", &text), ("Pipfile.lock", &lock), ("runtime.txt", &lock)]);
    }

    #[test]
    fn setup_cfg_and_version_files(text in fragments(), version in fragments()) {
        run(&[("setup.cfg", &text), (".python-version", &version), ("app.py", &text)]);
    }
}
