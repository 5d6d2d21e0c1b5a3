//! `detect` on small fixture projects: one per manager and layout, and every
//! error path.

use std::fs;
use std::path::Path;

use layerwise_python::{AppKind, DetectError, PackageManager, Source, detect};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, content).expect("write");
    }
    dir
}

fn detect_ok(files: &[(&str, &str)]) -> layerwise_python::PythonProject {
    let dir = project(files);
    match detect(dir.path()) {
        Ok(project) => project,
        Err(err) => panic!("{err}"),
    }
}

fn detect_err(files: &[(&str, &str)]) -> DetectError {
    let dir = project(files);
    match detect(dir.path()) {
        Ok(project) => panic!("expected an error, got {project:?}"),
        Err(err) => err,
    }
}

const UV_LOCK: &str = "version = 1\nrequires-python = \">=3.11\"\n\n[[package]]\nname = \"svc\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n";

#[test]
fn empty_directory_is_a_clear_error() {
    let err = detect_err(&[]);
    assert!(matches!(err, DetectError::NoManifest { .. }));
    assert!(err.to_string().contains("requirements.txt"), "{err}");
}

#[test]
fn not_a_directory() {
    let dir = project(&[("file.txt", "x")]);
    let err = detect(&dir.path().join("file.txt")).expect_err("file");
    assert!(matches!(err, DetectError::NotADirectory { .. }));
    let err = detect(&dir.path().join("missing")).expect_err("missing");
    assert!(matches!(err, DetectError::Missing { .. }));
    assert!(
        err.to_string().ends_with("missing: no such directory"),
        "{err}"
    );
}

#[test]
fn two_lock_files_of_different_managers_conflict() {
    let err = detect_err(&[
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
        ("uv.lock", UV_LOCK),
        ("poetry.lock", "[metadata]\n"),
    ]);
    assert_eq!(
        err,
        DetectError::ConflictingLocks {
            first: "uv.lock".into(),
            first_manager: "uv".into(),
            second: "poetry.lock".into(),
            second_manager: "Poetry".into(),
        }
    );
    let message = err.to_string();
    assert!(message.contains("uv.lock") && message.contains("poetry.lock"));
    assert!(message.contains("delete the other"), "{message}");
}

#[test]
fn lock_without_manifest() {
    let err = detect_err(&[("Pipfile.lock", "{\"default\": {}}")]);
    assert_eq!(
        err,
        DetectError::MissingManifest {
            lock: "Pipfile.lock".into(),
            manifest: "Pipfile".into()
        }
    );
    let err = detect_err(&[("uv.lock", UV_LOCK)]);
    assert!(
        matches!(err, DetectError::MissingManifest { ref manifest, .. } if manifest == "pyproject.toml")
    );
}

#[test]
fn malformed_pyproject_reports_position() {
    let err = detect_err(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\ndependencies = [\"flask\"\n",
    )]);
    match err {
        DetectError::Parse {
            ref path,
            line,
            column,
            ..
        } => {
            assert_eq!(path, "pyproject.toml");
            assert!(line >= 3, "line {line}");
            assert!(column >= 1);
        }
        ref other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with("pyproject.toml:"), "{err}");
}

#[test]
fn malformed_locks_report_position() {
    let err = detect_err(&[
        ("pyproject.toml", "[project]\nname = \"x\"\n"),
        ("uv.lock", "version = 1\n[[package]\nname = \"a\"\n"),
    ]);
    assert!(
        matches!(err, DetectError::Parse { ref path, line: 2, .. } if path == "uv.lock"),
        "{err:?}"
    );
    let err = detect_err(&[
        ("Pipfile", "[packages]\nflask = \"*\"\n"),
        (
            "Pipfile.lock",
            "{\n  \"default\": {\n    \"flask\": {\"version\": \"==3.0.0\"},\n  }\n}\n",
        ),
    ]);
    assert!(
        matches!(err, DetectError::Parse { ref path, line: 4, .. } if path == "Pipfile.lock"),
        "{err:?}"
    );
}

#[test]
fn malformed_requirements_report_position() {
    let err = detect_err(&[("requirements.txt", "flask==3.0\ngunicorn>=\n")]);
    assert!(
        matches!(err, DetectError::Parse { ref path, line: 2, .. } if path == "requirements.txt"),
        "{err:?}"
    );
}

#[test]
fn poetry_1_project_with_private_source() {
    let project = detect_ok(&[
        (
            "pyproject.toml",
            "[tool.poetry]\nname = \"svc\"\nversion = \"0.1.0\"\n\n\
             [tool.poetry.dependencies]\npython = \"~3.10\"\nfastapi = \"^0.110\"\nuvicorn = {extras = [\"standard\"], version = \"^0.29\"}\nPillow = \"9.0.1\"\n\n\
             [tool.poetry.scripts]\nsvc = \"svc.main:run\"\n\n\
             [[tool.poetry.source]]\nname = \"corp\"\nurl = \"https://pkgs.example.com/simple/\"\npriority = \"supplemental\"\n\n\
             [build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
        ),
        ("svc/__init__.py", ""),
        (
            "svc/main.py",
            "from fastapi import FastAPI\napp = FastAPI()\n",
        ),
    ]);
    assert_eq!(project.manager, PackageManager::Poetry);
    assert_eq!(project.manifests, ["pyproject.toml"]);
    let names: Vec<&str> = project
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["fastapi", "uvicorn", "pillow"]);
    assert!(
        project.dependencies.iter().all(|d| !d.pep508),
        "Poetry constraints"
    );
    assert_eq!(project.python.version, "3.10");
    assert_eq!(
        project.python.source,
        Some(Source::line("pyproject.toml", 6))
    );
    assert!(project.install_project);
    let app = project.app.expect("app");
    assert_eq!(app.target.as_deref(), Some("svc.main:app"));
    assert!(app.server_declared);
    assert_eq!(project.native.len(), 1, "old Pillow builds from source");
    assert_eq!(
        project.native[0].build_packages,
        ["libjpeg62-turbo-dev", "zlib1g-dev", "gcc"]
    );
    assert_eq!(project.indexes.len(), 1);
    assert_eq!(project.indexes[0].name.as_deref(), Some("corp"));
    assert_eq!(project.indexes[0].declared_in, "tool.poetry.source");
    assert!(project.indexes[0].advice.contains("POETRY_HTTP_BASIC_CORP"));
    assert_eq!(project.indexes[0].source.line, Some(16));
}

#[test]
fn poetry_package_mode_false_installs_dependencies_only() {
    let project = detect_ok(&[(
        "pyproject.toml",
        "[tool.poetry]\npackage-mode = false\n[tool.poetry.dependencies]\npython = \"^3.11\"\nrequests = \"*\"\n[build-system]\nbuild-backend = \"poetry.core.masonry.api\"\n",
    )]);
    assert!(!project.install_project);
    assert_eq!(project.python.version, "3.13");
}

#[test]
fn uv_with_credentials_in_index_and_transitive_native() {
    let project = detect_ok(&[
        (
            "pyproject.toml",
            "[project]\nname = \"svc\"\nversion = \"0.1\"\nrequires-python = \">=3.10,<3.13\"\ndependencies = [\"mylib\"]\n\n\
             [[tool.uv.index]]\nname = \"internal\"\nurl = \"https://bot:s3cret@pkgs.example.com/simple\"\n",
        ),
        (
            "uv.lock",
            "version = 1\n\n[[package]]\nname = \"mylib\"\nversion = \"1.0\"\n\n[[package]]\nname = \"psycopg2\"\nversion = \"2.9.9\"\n",
        ),
    ]);
    assert_eq!(project.manager, PackageManager::Uv);
    assert_eq!(project.python.version, "3.12");
    assert_eq!(project.native.len(), 1);
    assert_eq!(project.native[0].package, "psycopg2");
    assert_eq!(project.native[0].source, Source::line("uv.lock", 8));
    let index = &project.indexes[0];
    assert!(index.embedded_credentials);
    assert_eq!(index.url, "https://***@pkgs.example.com/simple");
    assert!(index.advice.contains("UV_INDEX_INTERNAL_USERNAME"));
    let json = serde_json::to_string(&project).expect("json");
    assert!(
        !json.contains("s3cret"),
        "credentials must never be reported"
    );
}

#[test]
fn pdm_project() {
    let project = detect_ok(&[
        (
            "pyproject.toml",
            "[project]\nname = \"svc\"\nversion = \"0.1\"\ndependencies = [\"mysqlclient>=2\"]\n\n[tool.pdm]\ndistribution = false\n\n\
             [[tool.pdm.source]]\nname = \"private\"\nurl = \"https://${PDM_USER}:${PDM_TOKEN}@pkgs.example.com/simple\"\n",
        ),
        (
            "pdm.lock",
            "[metadata]\n\n[[package]]\nname = \"mysqlclient\"\nversion = \"2.2.4\"\n",
        ),
    ]);
    assert_eq!(project.manager, PackageManager::Pdm);
    assert_eq!(project.manifests, ["pyproject.toml", "pdm.lock"]);
    assert!(!project.install_project);
    assert_eq!(project.native[0].runtime_packages, ["libmariadb3"]);
    assert!(project.indexes[0].env_credentials);
    assert_eq!(project.python.version, "3.12", "default when nothing says");
    assert_eq!(project.python.source, None);
}

#[test]
fn pipfile_without_lock_with_sources() {
    let project = detect_ok(&[
        (
            "Pipfile",
            "[[source]]\nurl = \"https://pypi.org/simple\"\nname = \"pypi\"\n\n[[source]]\nurl = \"https://${TOKEN}@pkgs.example.com/simple\"\nname = \"corp\"\n\n\
             [packages]\nflask = \"*\"\npyodbc = \"==4.0.39\"\nsvc = {path = \".\", editable = true}\n\n[requires]\npython_full_version = \"3.11.4\"\n",
        ),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
    ]);
    assert_eq!(project.manager, PackageManager::Pipenv);
    assert_eq!(project.manifests, ["Pipfile"]);
    assert!(project.install_project);
    let names: Vec<&str> = project
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["flask", "pyodbc"]);
    assert_eq!(project.python.constraint.as_deref(), Some("3.11.4"));
    assert_eq!(
        project.indexes.len(),
        1,
        "the default index is not reported"
    );
    assert_eq!(project.native[0].runtime_packages, ["unixodbc"]);
    let app = project.app.expect("app");
    assert!(!app.server_declared, "gunicorn is missing");
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.message.contains("gunicorn"))
    );
}

#[test]
fn setup_cfg_and_setup_py() {
    let project = detect_ok(&[
        ("setup.py", "from setuptools import setup\nsetup()\n"),
        (
            "setup.cfg",
            "[metadata]\nname = svc\n\n[options]\npackages = find:\ninstall_requires =\n    requests>=2\n    lxml<4.6\n\n[options.entry_points]\n",
        ),
        ("runtime.txt", "python-3.9.18\n"),
    ]);
    assert_eq!(project.manager, PackageManager::Pip);
    assert_eq!(project.manifests, ["setup.py", "setup.cfg"]);
    assert!(project.install_project);
    let names: Vec<&str> = project
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["requests", "lxml"]);
    assert_eq!(project.dependencies[1].source, Source::line("setup.cfg", 8));
    assert_eq!(project.python.image, "python:3.9-slim");
    assert!(project.native.is_empty(), "a version range is not a pin");

    let bare = detect_ok(&[(
        "setup.py",
        "from setuptools import setup\nsetup(install_requires=['x'])\n",
    )]);
    assert!(bare.dependencies.is_empty());
    assert!(bare.warnings.iter().any(|w| w.message.contains("setup.py")));
}

#[test]
fn bad_setup_cfg_requirement() {
    let err = detect_err(&[(
        "setup.cfg",
        "[options]\ninstall_requires =\n    requests>>2\n",
    )]);
    assert!(
        matches!(err, DetectError::Parse { ref path, line: 3, .. } if path == "setup.cfg"),
        "{err:?}"
    );
}

#[test]
fn requirements_with_private_index_and_no_binary() {
    let project = detect_ok(&[
        (
            "requirements.txt",
            "--index-url https://__token__:abc123@pkgs.example.com/simple\n--no-binary lxml\nlxml==5.2.1\n-c constraints.txt\n",
        ),
        ("constraints.txt", "cryptography==3.3.2\n"),
        ("main.py", "if __name__ == \"__main__\":\n    print('hi')\n"),
    ]);
    assert_eq!(project.manifests, ["requirements.txt", "constraints.txt"]);
    let names: Vec<&str> = project
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["lxml"], "constraints are not dependencies");
    assert_eq!(project.native.len(), 1);
    assert_eq!(
        project.native[0].build_packages,
        ["libxml2-dev", "libxslt1-dev", "gcc"]
    );
    assert_eq!(
        project.indexes[0].url,
        "https://***@pkgs.example.com/simple"
    );
    assert_eq!(
        project.indexes[0].source,
        Source::line("requirements.txt", 1)
    );
    assert!(project.indexes[0].advice.contains("type=secret"));
    assert_eq!(project.app.expect("app").kind, AppKind::Script);
}

#[test]
fn requirements_installing_the_project_itself() {
    let project = detect_ok(&[
        ("requirements.txt", "-e .\nflask\n"),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\nrequires-python = \">=3.11\"\n",
        ),
    ]);
    assert_eq!(project.manager, PackageManager::Pip);
    assert!(project.install_project);
    assert_eq!(
        project.install_project_source,
        Some(Source::line("requirements.txt", 1))
    );
    assert_eq!(project.python.version, "3.13");
}

#[test]
fn python_version_file_wins_and_bad_pins_warn() {
    let project = detect_ok(&[
        ("requirements.txt", "flask\n"),
        (".python-version", "# comment\n3.10.14\n"),
        ("runtime.txt", "python-3.12.1\n"),
    ]);
    assert_eq!(project.python.version, "3.10");
    assert_eq!(
        project.python.source,
        Some(Source::line(".python-version", 2))
    );

    let project = detect_ok(&[
        ("requirements.txt", "flask\n"),
        (".python-version", "pypy3.10\n"),
    ]);
    assert_eq!(project.python.version, "3.12");
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.source == Some(Source::line(".python-version", 1)))
    );

    let project = detect_ok(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\nrequires-python = \">=3.14\"\n",
    )]);
    assert_eq!(project.python.version, "3.12");
    assert!(
        project
            .warnings
            .iter()
            .any(|w| w.message.contains(">=3.14"))
    );
}

#[test]
fn django_asgi_in_src_layout() {
    let project = detect_ok(&[
        ("requirements.txt", "django\nuvicorn\n"),
        (
            "src/manage.py",
            "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n",
        ),
        ("src/site_conf/__init__.py", ""),
        (
            "src/site_conf/settings.py",
            "ASGI_APPLICATION = \"site_conf.asgi.application\"\n",
        ),
    ]);
    assert!(project.src_layout);
    let app = project.app.expect("app");
    assert_eq!(
        app.command,
        [
            "uvicorn",
            "site_conf.asgi:application",
            "--host",
            "0.0.0.0",
            "--port",
            "8000",
            "--app-dir",
            "src"
        ]
    );
    assert_eq!(app.source, Source::line("src/site_conf/settings.py", 1));
}

#[test]
fn detect_accepts_relative_paths() {
    let dir = project(&[
        ("requirements.txt", "-r sub/base.txt\n"),
        ("sub/base.txt", "six\n"),
    ]);
    let nested = dir.path().join("sub").join("..");
    let project = detect(Path::new(&nested)).expect("detect");
    assert_eq!(project.manifests, ["requirements.txt", "sub/base.txt"]);
}

#[test]
fn any_requirements_txt_and_includes_outside_the_project() {
    let dir = project(&[
        ("app/requirements-web.txt", "-r ../shared/base.txt\nflask\n"),
        ("shared/base.txt", "six\n"),
    ]);
    let project = detect(&dir.path().join("app")).expect("detect");
    assert_eq!(project.manager_source, Source::file("requirements-web.txt"));
    assert_eq!(
        project.manifests,
        ["requirements-web.txt", "../shared/base.txt"]
    );
    let warning = project
        .warnings
        .iter()
        .find(|w| w.message.contains("outside the project"))
        .expect("warning");
    assert_eq!(
        warning.source,
        Some(Source::line("requirements-web.txt", 1))
    );
}
