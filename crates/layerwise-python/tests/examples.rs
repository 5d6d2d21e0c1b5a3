//! `detect` on each project in `examples/`: what `init` and the build tests
//! rely on.

use std::path::PathBuf;

use layerwise_python::{AppKind, Framework, PackageManager, PythonProject, Source, detect};

fn example(name: &str) -> PythonProject {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    match detect(&dir) {
        Ok(project) => project,
        Err(err) => panic!("{name}: {err}"),
    }
}

fn names(project: &PythonProject) -> Vec<&str> {
    project
        .dependencies
        .iter()
        .map(|d| d.name.as_str())
        .collect()
}

fn argv(project: &PythonProject) -> Vec<&str> {
    project
        .app
        .as_ref()
        .map(|a| a.command.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn every_example_pins_python_3_11() {
    for name in [
        "flask-requirements",
        "django-postgres",
        "fastapi-uv",
        "poetry-app",
        "pipenv-app",
        "src-layout-cli",
    ] {
        let project = example(name);
        assert_eq!(project.python.image, "python:3.11-slim", "{name}");
        assert!(
            project.python.source.is_some(),
            "{name}: version must come from a file"
        );
        assert!(
            project.warnings.is_empty(),
            "{name}: {:?}",
            project.warnings
        );
        assert!(project.indexes.is_empty(), "{name}");
        let app = project
            .app
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no app"));
        assert!(app.server_declared, "{name}");
    }
}

#[test]
fn flask_requirements() {
    let project = example("flask-requirements");
    assert_eq!(project.manager, PackageManager::Pip);
    assert_eq!(
        project.manifests,
        ["requirements.txt", "requirements/base.txt"]
    );
    assert_eq!(names(&project), ["flask", "gunicorn"]);
    assert_eq!(
        project.dependencies[0].source,
        Source::line("requirements/base.txt", 2)
    );
    assert!(!project.install_project);
    assert_eq!(
        project.python.source,
        Some(Source::line(".python-version", 1))
    );
    let app = project.app.as_ref().expect("app");
    assert_eq!(app.framework, Some(Framework::Flask));
    assert_eq!(
        argv(&project),
        ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
    );
    assert_eq!(app.port, Some(8000));
    assert_eq!(app.source.path, "app.py");
    assert!(project.native.is_empty());
}

#[test]
fn django_postgres() {
    let project = example("django-postgres");
    assert_eq!(project.manager, PackageManager::Pip);
    assert_eq!(project.manifests, ["requirements.txt"]);
    assert_eq!(names(&project), ["django", "psycopg2", "gunicorn"]);
    assert_eq!(project.python.source, Some(Source::line("runtime.txt", 1)));
    let app = project.app.as_ref().expect("app");
    assert_eq!(app.framework, Some(Framework::Django));
    assert_eq!(app.target.as_deref(), Some("mysite.wsgi:application"));
    assert_eq!(
        argv(&project),
        [
            "gunicorn",
            "--bind",
            "0.0.0.0:8000",
            "mysite.wsgi:application"
        ]
    );
    assert_eq!(app.source.path, "mysite/settings.py");
    assert_eq!(project.native.len(), 1);
    let psycopg2 = &project.native[0];
    assert_eq!(psycopg2.package, "psycopg2");
    assert_eq!(psycopg2.build_packages, ["libpq-dev", "gcc"]);
    assert_eq!(psycopg2.runtime_packages, ["libpq5"]);
    assert_eq!(psycopg2.source, Source::line("requirements.txt", 3));
}

#[test]
fn fastapi_uv() {
    let project = example("fastapi-uv");
    assert_eq!(project.manager, PackageManager::Uv);
    assert_eq!(project.manager_source, Source::file("uv.lock"));
    assert_eq!(project.manifests, ["pyproject.toml", "uv.lock"]);
    assert_eq!(names(&project), ["fastapi", "uvicorn"]);
    assert!(
        !project.install_project,
        "no build backend: dependencies only"
    );
    let locked: Vec<&str> = project.locked.iter().map(|p| p.name.as_str()).collect();
    assert!(
        locked.contains(&"starlette") && locked.contains(&"pydantic"),
        "{locked:?}"
    );
    assert!(
        !locked.contains(&"fastapi-uv"),
        "the project itself is not a locked package"
    );
    let app = project.app.as_ref().expect("app");
    assert_eq!(app.framework, Some(Framework::FastApi));
    assert_eq!(
        argv(&project),
        [
            "uvicorn",
            "app.main:app",
            "--host",
            "0.0.0.0",
            "--port",
            "8000"
        ]
    );
}

#[test]
fn poetry_app() {
    let project = example("poetry-app");
    assert_eq!(project.manager, PackageManager::Poetry);
    assert_eq!(project.manifests, ["pyproject.toml", "poetry.lock"]);
    assert_eq!(names(&project), ["flask", "waitress"]);
    assert!(project.install_project);
    assert_eq!(
        project.build_backend.as_deref(),
        Some("poetry.core.masonry.api")
    );
    assert!(project.src_layout);
    assert_eq!(project.python.constraint.as_deref(), Some(">=3.11,<3.12"));
    let locked: Vec<&str> = project.locked.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        locked,
        [
            "blinker",
            "click",
            "flask",
            "itsdangerous",
            "jinja2",
            "markupsafe",
            "waitress",
            "werkzeug"
        ]
    );
    let app = project.app.as_ref().expect("app");
    assert_eq!(app.server.as_deref(), Some("waitress-serve"));
    assert_eq!(
        argv(&project),
        [
            "waitress-serve",
            "--listen=0.0.0.0:8000",
            "quotes.server:app"
        ]
    );
}

#[test]
fn pipenv_app() {
    let project = example("pipenv-app");
    assert_eq!(project.manager, PackageManager::Pipenv);
    assert_eq!(project.manifests, ["Pipfile", "Pipfile.lock"]);
    assert_eq!(names(&project), ["bottle", "gunicorn"]);
    assert_eq!(project.python.source, Some(Source::line("Pipfile", 13)));
    let app = project.app.as_ref().expect("app");
    assert_eq!(app.kind, AppKind::Procfile);
    assert_eq!(
        argv(&project),
        [
            "gunicorn",
            "--bind",
            "0.0.0.0:8000",
            "--workers",
            "2",
            "service:app"
        ]
    );
    assert_eq!(app.port, Some(8000));
    let versions: Vec<(&str, &str)> = project
        .locked
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert!(versions.contains(&("bottle", "0.13.4")), "{versions:?}");
}

#[test]
fn src_layout_cli() {
    let project = example("src-layout-cli");
    assert_eq!(project.manager, PackageManager::Pip);
    assert_eq!(project.manifests, ["pyproject.toml"]);
    assert_eq!(names(&project), ["click"]);
    assert_eq!(project.dependencies[0].requirement, "click>=8.1,<9");
    assert!(project.dependencies[0].pep508);
    assert_eq!(project.requirements_file, None);
    assert!(project.install_project);
    assert!(project.src_layout);
    assert_eq!(project.build_backend.as_deref(), Some("hatchling.build"));
    let app = project.app.as_ref().expect("app");
    assert_eq!(app.kind, AppKind::ConsoleScript);
    assert_eq!(argv(&project), ["hello-layers"]);
    assert_eq!(app.target.as_deref(), Some("hello_layers.cli:main"));
    assert_eq!(app.port, None);
}

#[test]
fn projects_serialize_for_summaries() {
    let project = example("django-postgres");
    let json = serde_json::to_value(&project).expect("serialize");
    assert_eq!(json["manager"], "pip");
    assert_eq!(json["python"]["image"], "python:3.11-slim");
    assert_eq!(json["native"][0]["source"]["line"], 3);
    assert_eq!(json["app"]["kind"], "web-app");
}
