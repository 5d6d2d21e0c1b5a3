//! `fix --unsafe-fixes --verify --write` on small synthetic projects whose
//! builds a restructure used to break or slow down, on the real engine: the
//! fixed build builds, installs the same packages, and its code edit re-runs
//! no install. Skips without an engine unless `LAYERWISE_REQUIRE_DOCKER=1`.

use std::path::Path;
use std::process::Command;

const LAYERWISE: &str = env!("CARGO_BIN_EXE_layerwise");

/// A unique token, so no file here is a cache hit from another run.
fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("{nanos}-{}", std::process::id())
}

fn write(dir: &Path, files: &[(&str, String)]) {
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
}

fn setuptools_package(name: &str, token: &str) -> String {
    format!(
        "# {token}\n[build-system]\nrequires = [\"setuptools>=64\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n\n[tool.setuptools]\npackages = [\"{}\"]\n",
        name.replace('-', "_")
    )
}

/// An sdist in a `--find-links` directory, packed by the system `tar` as
/// `.tar.gz`: current pip takes no other sdist format.
fn sdist(dir: &Path, name: &str, token: &str) {
    let module = name.replace('-', "_");
    let staging = tempfile::tempdir().expect("tempdir");
    let root = format!("{module}-0.1.0");
    write(
        &staging.path().join(&root),
        &[
            ("pyproject.toml", setuptools_package(name, token)),
            (
                "PKG-INFO",
                format!("Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n"),
            ),
            (&format!("{module}/__init__.py"), String::new()),
        ],
    );
    std::fs::create_dir_all(dir.join("wheels")).expect("mkdir");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(dir.join(format!("wheels/{root}.tar.gz")))
        .arg("-C")
        .arg(staging.path())
        .arg(&root)
        .status()
        .expect("run tar");
    assert!(status.success(), "tar packs the sdist");
}

/// Runs the fix with `--verify --write`; returns its stderr after checking
/// that it verified and wrote, and that the fixed code edit re-ran no RUN.
fn verify_and_write(dir: &Path) -> String {
    let original = std::fs::read_to_string(dir.join("Dockerfile")).expect("read");
    let out = Command::new(LAYERWISE)
        .args(["fix", "--unsafe-fixes", "--verify", "--write", "Dockerfile"])
        .current_dir(dir)
        .output()
        .expect("run layerwise");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "verified and written\n{stderr}");
    assert!(stderr.contains("same packages and app files"), "{stderr}");
    let fixed = std::fs::read_to_string(dir.join("Dockerfile")).expect("read");
    assert_ne!(fixed, original, "a verified fix was written");
    // When the restructure is refused as slower, the rule fixes alone are
    // verified next: the last report is the one that was written.
    let fixed_edit = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("fixed: the code edit re-ran "))
        .expect("the fixed code edit's steps are reported");
    assert!(
        !fixed_edit.contains("RUN"),
        "the fixed code edit re-ran {fixed_edit}\n{fixed}"
    );
    let fell_back = stderr.contains("trying the fixes without the restructure");
    assert!(
        stderr.contains("dependency edit: ")
            && (fell_back || !stderr.contains("slower after the fix")),
        "both scenarios are timed, and what was written is not slower after the fix:\n{stderr}"
    );
    println!(
        "{}",
        stderr
            .lines()
            .filter(|l| l.starts_with("builds:") || l.starts_with("dependency edit:"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    stderr
}

#[test]
fn every_local_path_form_in_requirements_builds_after_the_fix() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let token = token();
    write(
        dir,
        &[
            (
                "requirements.txt",
                "six==1.16.0\n-e .\n./libs/alpha\n-e ./libs/beta\nfile:libs/gamma\n--find-links ./wheels\nlayerwise-test-wheelhouse==0.1.0\n".to_string(),
            ),
            (
                "pyproject.toml",
                format!("# {token}\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"demo\"\nversion = \"0.1.0\"\n"),
            ),
            ("demo/__init__.py", format!("# {token}\n")),
            (
                "demo/__main__.py",
                "import alpha, beta, gamma, layerwise_test_wheelhouse, six\nprint('ok')\n".to_string(),
            ),
            ("libs/alpha/pyproject.toml", setuptools_package("alpha", &token)),
            ("libs/alpha/alpha/__init__.py", String::new()),
            ("libs/beta/pyproject.toml", setuptools_package("beta", &token)),
            ("libs/beta/beta/__init__.py", String::new()),
            ("libs/gamma/pyproject.toml", setuptools_package("gamma", &token)),
            ("libs/gamma/gamma/__init__.py", String::new()),
            (
                "Dockerfile",
                "FROM python:3.11-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"-m\", \"demo\"]\n".to_string(),
            ),
        ],
    );
    sdist(dir, "layerwise-test-wheelhouse", &token);
    verify_and_write(dir);
    let fixed = std::fs::read_to_string(dir.join("Dockerfile")).expect("read");
    for path in ["libs/alpha", "libs/beta", "libs/gamma", "wheels"] {
        assert!(fixed.contains(&format!("COPY {path} {path}\n")), "{fixed}");
    }
}

#[test]
fn project_installed_from_pyproject_before_the_code_stays_before_it() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let token = token();
    write(
        dir,
        &[
            (
                "pyproject.toml",
                format!("# {token}\n[build-system]\nrequires = [\"setuptools>=64\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"svc\"\nversion = \"0.1.0\"\ndependencies = [\"six==1.16.0\"]\n"),
            ),
            ("app.py", format!("# {token}\nimport six\nprint(six.__version__)\n")),
            (
                "Dockerfile",
                "FROM python:3.11-slim\nWORKDIR /srv\nCOPY pyproject.toml .\nRUN pip install .\nCOPY . .\nCMD [\"python\", \"app.py\"]\n".to_string(),
            ),
        ],
    );
    verify_and_write(dir);
    let fixed = std::fs::read_to_string(dir.join("Dockerfile")).expect("read");
    // Restructured or not (a restructure timed slower is not written), the
    // project installs from its metadata before the code is copied.
    // `pip install .`, or `uv pip install --no-deps .` after the
    // dependencies installed from pyproject.toml.
    let lines: Vec<&str> = fixed.lines().collect();
    let install = lines
        .iter()
        .position(|l| l.contains(" install ") && l.trim_end().ends_with(" ."))
        .expect("the project install stays");
    let code = lines
        .iter()
        .position(|l| *l == "COPY . .")
        .expect("the code copy stays");
    assert!(
        install < code,
        "the project still installs from its metadata alone:\n{fixed}"
    );
    assert!(!fixed.contains("tomllib"), "{fixed}");
}

#[test]
fn a_manifest_copied_under_another_name_gets_the_rule_fixes_not_the_restructure() {
    if !layerwise_engine::testing::engine_available_or_skip() {
        return;
    }
    // The image's requirements.txt is requirements_unix.txt under another
    // name; the context's own requirements.txt cannot install. A restructure
    // would install the context's file (and fail to build): it is refused,
    // and the rule fixes alone (a cache mount on the install) are verified
    // and written.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let token = token();
    write(
        dir,
        &[
            (
                "requirements.txt",
                format!("# {token}\nlayerwise-test-no-such-package==0.0.1\n"),
            ),
            ("requirements_unix.txt", format!("# {token}\nsix==1.16.0\n")),
            ("app.py", format!("# {token}\nimport six\nprint(six.__version__)\n")),
            (
                "Dockerfile",
                "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements_unix.txt requirements.txt\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n".to_string(),
            ),
        ],
    );
    let stderr = verify_and_write(dir);
    assert!(
        stderr.contains("copies requirements_unix.txt as requirements.txt"),
        "the restructure is refused, saying why:\n{stderr}"
    );
    let fixed = std::fs::read_to_string(dir.join("Dockerfile")).expect("read");
    assert!(!fixed.contains("AS production"), "{fixed}");
    let install = fixed.find("RUN ").expect("the install stays");
    let code = fixed.find("COPY . .").expect("the code copy stays");
    assert!(
        install < code,
        "the install moved above the code copy:\n{fixed}"
    );
}
