//! Requirement files that install local paths or the project itself: the
//! generated builder copies what they point to before the install, and the
//! project installs from its own metadata, never from a requirement line
//! that has no code to read.

use std::path::Path;

use layerwise_init::{Frontend, Options, Overrides, generate, plan_for};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

fn dockerfile(dir: &Path, frontend: Frontend) -> String {
    let project = layerwise_python::detect(dir).expect("detect");
    let overrides = Overrides {
        command: Some(vec!["python".into(), "-m".into(), "app".into()]),
        frontend: Some(frontend),
        ..Overrides::default()
    };
    let plan = plan_for(dir, &project, &overrides).expect("plan");
    generate(&plan, Options::default())[0].contents.clone()
}

/// The builder stage, up to the copy of the whole context (if any).
fn before_code(text: &str) -> &str {
    let builder = text.split("AS production").next().expect("builder");
    builder.split("COPY . .").next().expect("prefix")
}

const HATCH_PYPROJECT: &str = "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[project]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\"six\"]\n";

#[test]
fn local_requirement_paths_are_copied_before_the_install() {
    let dir = project(&[
        (
            "requirements.txt",
            "six==1.16.0\n./libs/alpha\n-e ./libs/beta\nfile:libs/gamma#egg=gamma\n--find-links ./wheels\nwheelhouse-pkg==0.1.0\n",
        ),
        ("libs/alpha/pyproject.toml", ""),
        ("libs/beta/pyproject.toml", ""),
        ("libs/gamma/pyproject.toml", ""),
        ("wheels/wheelhouse_pkg-0.1.0.tar", ""),
        ("app.py", ""),
    ]);
    let text = dockerfile(dir.path(), Frontend::Pip);
    let head = before_code(&text);
    for path in ["libs/alpha", "libs/beta", "libs/gamma", "wheels"] {
        assert!(
            head.contains(&format!("COPY {path} {path}\n")),
            "{path} is copied to its own path before the install:\n{text}"
        );
    }
    assert!(
        head.contains("pip --python /opt/venv/bin/python install -r requirements.txt"),
        "{text}"
    );
    assert!(!text.contains("sed -i"), "nothing to drop:\n{text}");
    let ignore = &generate(
        &plan_for(
            dir.path(),
            &layerwise_python::detect(dir.path()).unwrap(),
            &Overrides {
                command: Some(vec!["python".into()]),
                ..Overrides::default()
            },
        )
        .unwrap(),
        Options::default(),
    )[1]
    .contents;
    assert!(ignore.contains("\n!wheels\n"), "{ignore}");
}

#[test]
fn project_line_with_a_skeleton_installs_editable_before_the_code() {
    let dir = project(&[
        ("requirements.txt", "six==1.16.0\n-e .\n"),
        ("pyproject.toml", HATCH_PYPROJECT),
        ("demo/__init__.py", ""),
    ]);
    let text = dockerfile(dir.path(), Frontend::Pip);
    let head = before_code(&text);
    assert!(
        !text
            .split("AS production")
            .next()
            .unwrap()
            .contains("COPY . ."),
        "the builder needs no code:\n{text}"
    );
    assert!(
        head.contains("sed -i -E") && head.contains("' requirements.txt \\\n"),
        "the project line is dropped before the install:\n{text}"
    );
    assert!(head.contains("COPY pyproject.toml ./\n"), "{text}");
    assert!(
        head.contains(
            "&& pip --python /opt/venv/bin/python install -r requirements.txt --editable .\n"
        ),
        "one install takes the requirements and the project, editable, with its own dependencies:\n{text}"
    );
    assert!(
        head.find("COPY pyproject.toml") < head.find("sed -i"),
        "the stand-ins come before the one install:\n{text}"
    );
}

#[test]
fn project_line_without_a_skeleton_installs_after_the_code() {
    let dir = project(&[
        ("requirements.txt", "six==1.16.0\n.[extra]\n"),
        (
            "setup.py",
            "from setuptools import setup\nsetup(name='demo', version='0.1')\n",
        ),
        ("app.py", ""),
    ]);
    let text = dockerfile(dir.path(), Frontend::Uv);
    let builder = text.split("AS production").next().unwrap();
    let (head, tail) = builder
        .split_once("COPY . .")
        .expect("builder copies the code");
    assert!(
        head.contains("uv pip install -r requirements.txt"),
        "{text}"
    );
    assert!(
        tail.contains("uv pip install '.[extra]'"),
        "the project installs with its extras after the code:\n{text}"
    );
}

#[test]
fn only_the_project_listed_skips_the_dependency_install() {
    let dir = project(&[
        ("requirements.txt", "-e .\n"),
        ("pyproject.toml", HATCH_PYPROJECT),
        ("demo/__init__.py", ""),
    ]);
    let text = dockerfile(dir.path(), Frontend::Pip);
    assert!(!text.contains("-r requirements.txt"), "{text}");
    assert!(!text.contains("sed -i"), "{text}");
    assert!(
        before_code(&text).contains("pip --python /opt/venv/bin/python install --editable ."),
        "{text}"
    );
}

#[test]
fn pyproject_dependencies_are_a_readable_step() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"demo\"\nversion = \"0.1.0\"\ndependencies = [\"six>=1.16\", \"attrs; python_version >= '3.8'\"]\n",
        ),
        ("app.py", ""),
    ]);
    let pip = dockerfile(dir.path(), Frontend::Pip);
    assert!(!pip.contains("tomllib"), "{pip}");
    assert!(
        pip.contains("pip --python /opt/venv/bin/python install 'six>=1.16' 'attrs; python_version >= '\"'\"'3.8'\"'\"''")
            || pip.contains("pip --python /opt/venv/bin/python install 'six>=1.16' \"attrs; python_version >= '3.8'\""),
        "the list layerwise read, quoted for the shell:\n{pip}"
    );
    let uv = dockerfile(dir.path(), Frontend::Uv);
    assert!(uv.contains("uv pip install -r pyproject.toml"), "{uv}");
    assert!(uv.contains("uv pip install --no-deps ."), "{uv}");
}

#[test]
fn pip_installs_into_a_venv_without_a_pip_of_its_own_on_official_images() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "six==1.16.0\n").unwrap();
    std::fs::write(dir.path().join("app.py"), "print('hi')\n").unwrap();
    let text = dockerfile(dir.path(), Frontend::Pip);
    // Made by the install's own RUN: without pip to bootstrap it is instant.
    assert!(
        text.contains(
            "    python -m venv --without-pip /opt/venv \\\n    && pip --python /opt/venv/bin/python install -r requirements.txt"
        ),
        "{text}"
    );
    assert!(!text.contains("RUN python -m venv --without-pip"), "{text}");

    // Another base image's pip may predate `--python`: the venv brings its own.
    let project = layerwise_python::detect(dir.path()).expect("detect");
    let overrides = Overrides {
        command: Some(vec!["python".into(), "app.py".into()]),
        frontend: Some(Frontend::Pip),
        base_image: Some("debian:12".into()),
        ..Overrides::default()
    };
    let plan = plan_for(dir.path(), &project, &overrides).expect("plan");
    let text = generate(&plan, Options::default())[0].contents.clone();
    assert!(text.contains("RUN python -m venv /opt/venv\n"), "{text}");
    assert!(
        text.contains("    pip install -r requirements.txt"),
        "{text}"
    );
}
