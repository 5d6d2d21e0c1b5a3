//! The restructure on shapes seen in real repositories: what it carries into
//! the production stage instead of refusing, and where.

use layerwise_fix::{Options, Outcome, fix_source};
use layerwise_rules::Settings;

fn restructured(dockerfile: &str, files: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let options = Options {
        unsafe_fixes: true,
        ..Options::default()
    };
    fix_source(dockerfile, &Settings::default(), Some(dir.path()), &options).unwrap()
}

/// The production stage of a restructured file.
fn production(outcome: &Outcome) -> &str {
    let at = outcome
        .fixed
        .find("AS production")
        .unwrap_or_else(|| panic!("not restructured: {:?}\n{}", outcome.notes, outcome.fixed));
    &outcome.fixed[at..]
}

fn position(text: &str, line: &str) -> usize {
    text.find(line)
        .unwrap_or_else(|| panic!("`{line}` missing from:\n{text}"))
}

const FLASK: &[(&str, &str)] = &[
    ("requirements.txt", "flask==3.0.0\ngunicorn==22.0.0\n"),
    ("app.py", "import flask\napp = flask.Flask(__name__)\n"),
    ("manage.py", ""),
];

#[test]
fn user_creation_and_code_steps_are_carried_in_order() {
    let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nRUN useradd -m appuser && mkdir -p /data\nCOPY . .\nRUN python manage.py collectstatic --noinput\nRUN chown -R appuser /app\nUSER appuser\nCMD [\"gunicorn\", \"app:app\"]\n";
    let outcome = restructured(src, FLASK);
    let prod = production(&outcome);
    let venv = position(prod, "COPY --from=builder /opt/venv /opt/venv");
    let users = position(prod, "RUN useradd -m appuser && mkdir -p /data");
    let code = position(prod, "COPY . .");
    let static_files = position(prod, "RUN python manage.py collectstatic --noinput");
    let chown = position(prod, "RUN chown -R appuser /app");
    let user = position(prod, "USER appuser");
    assert!(
        venv < users && users < code && code < static_files && static_files < chown && chown < user,
        "{prod}"
    );
    // The original's own user replaces the layout's.
    assert!(!prod.contains("groupadd"), "{prod}");
}

#[test]
fn specific_path_copies_stand_in_for_the_whole_context() {
    let src = "FROM python:3.11-slim\nWORKDIR /srv\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app.py ./\nCMD [\"gunicorn\", \"app:app\"]\n";
    let outcome = restructured(src, FLASK);
    let prod = production(&outcome);
    assert!(prod.contains("COPY app.py ./\n"), "{prod}");
    assert!(!prod.contains("COPY . ."), "{prod}");
    assert!(prod.contains("WORKDIR /srv\n"), "{prod}");
}

#[test]
fn relative_workdir_is_resolved() {
    let src = "FROM python:3.11-slim\nWORKDIR /srv\nWORKDIR api\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n";
    let outcome = restructured(src, FLASK);
    assert!(
        production(&outcome).contains("WORKDIR /srv/api\n"),
        "{}",
        outcome.fixed
    );
}

#[test]
fn a_run_mixing_install_and_other_commands_is_refused_with_what_to_change() {
    let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && python manage.py migrate\nCMD [\"gunicorn\", \"app:app\"]\n";
    let outcome = restructured(src, FLASK);
    assert!(!outcome.fixed.contains("AS production"));
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.contains("line 4") && n.contains("put them in a RUN of their own")),
        "{:?}",
        outcome.notes
    );
}

#[test]
fn without_the_restructure_the_reorder_still_applies() {
    let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n";
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in FLASK {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let options = Options {
        unsafe_fixes: true,
        restructure: false,
        ..Options::default()
    };
    let outcome = fix_source(src, &Settings::default(), Some(dir.path()), &options).unwrap();
    assert!(!outcome.applied.iter().any(|a| a.code == "restructure"));
    assert!(outcome.applied.iter().any(|a| a.code == "LW101"));
    assert!(
        outcome
            .fixed
            .contains("COPY requirements.txt ./\nRUN --mount=type=cache"),
        "{}",
        outcome.fixed
    );
    assert!(
        outcome
            .fixed
            .ends_with("COPY . .\nCMD [\"gunicorn\", \"app:app\"]\n"),
        "{}",
        outcome.fixed
    );
    // With it, the same file is restructured.
    assert!(
        restructured(src, FLASK)
            .applied
            .iter()
            .any(|a| a.code == "restructure")
    );
}

const PSYCOPG: &[(&str, &str)] = &[
    ("requirements.txt", "psycopg2==2.9.9\nflask==3.0.0\n"),
    ("app.py", "import flask\napp = flask.Flask(__name__)\n"),
];

#[test]
fn an_original_without_apt_gets_none_in_either_stage() {
    // It built on its base as it is: the full image has gcc and libpq.
    let src = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let outcome = restructured(src, PSYCOPG);
    production(&outcome);
    assert!(!outcome.fixed.contains("apt-get"), "{}", outcome.fixed);
}

#[test]
fn an_original_with_apt_keeps_it_and_the_libraries_it_needs_at_run_time() {
    let src = "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let outcome = restructured(src, PSYCOPG);
    let prod = production(&outcome);
    let builder = &outcome.fixed[..outcome.fixed.find("AS production").unwrap()];
    assert!(builder.contains("libpq-dev"), "{builder}");
    assert!(prod.contains("libpq5"), "{prod}");
    assert!(!prod.contains("gcc"), "{prod}");
}

#[test]
fn a_manifest_copied_under_another_name_is_not_restructured() {
    let files: &[(&str, &str)] = &[
        ("requirements.txt", "psycopg2==2.9.9\n"),
        ("requirements_unix.txt", "flask==3.0.0\n"),
        ("app.py", "import flask\n"),
    ];
    let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements_unix.txt requirements.txt\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    let outcome = restructured(src, files);
    assert!(
        !outcome.fixed.contains("AS production"),
        "{}",
        outcome.fixed
    );
    let notes = format!("{:?}", outcome.notes);
    assert!(
        notes.contains("copies requirements_unix.txt as requirements.txt"),
        "{notes}"
    );
    // Into a directory, the name stays: the restructure goes ahead.
    let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt /app\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    production(&restructured(src, FLASK));
}

/// The builder stage of a restructured file.
fn builder(outcome: &Outcome) -> &str {
    production(outcome);
    &outcome.fixed[..outcome.fixed.find("AS production").unwrap()]
}

const PIP_FLASK: &str = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n";

#[test]
fn a_pip_file_is_restructured_to_install_with_uv_as_init_does() {
    let outcome = restructured(PIP_FLASK, FLASK);
    let builder = builder(&outcome);
    assert!(
        builder.contains("COPY --from=ghcr.io/astral-sh/uv:"),
        "{builder}"
    );
    assert!(
        builder.contains("uv venv /opt/venv \\\n    && uv pip install -r requirements.txt"),
        "{builder}"
    );
    assert!(!builder.contains("pip --python"), "{builder}");
    let applied = &outcome.applied[0];
    assert_eq!(applied.code, "restructure");
    assert!(applied.message.contains("uv pip"), "{}", applied.message);
}

#[test]
fn install_with_pip_keeps_pip_and_a_uv_mirror_is_used_when_named() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in FLASK {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let fix = |install: layerwise_fix::restructure::Install| {
        let options = Options {
            unsafe_fixes: true,
            install,
            ..Options::default()
        };
        fix_source(PIP_FLASK, &Settings::default(), Some(dir.path()), &options).unwrap()
    };
    let pip = fix(layerwise_fix::restructure::Install {
        frontend: layerwise_init::Frontend::Pip,
        uv_source: None,
    });
    let builder_text = builder(&pip);
    assert!(
        builder_text.contains("pip --python /opt/venv/bin/python install -r requirements.txt"),
        "{builder_text}"
    );
    assert!(!builder_text.contains("astral-sh/uv"), "{builder_text}");
    let mirror = fix(layerwise_fix::restructure::Install {
        frontend: layerwise_init::Frontend::Uv,
        uv_source: Some(layerwise_init::UvSource::Image(
            "mirror.example/uv:0.13.9".into(),
        )),
    });
    assert!(
        builder(&mirror).contains("COPY --from=mirror.example/uv:0.13.9 /uv /uvx /bin/"),
        "{}",
        mirror.fixed
    );
}

#[test]
fn pip_configured_by_its_variables_stays_pip() {
    // uv does not read PIP_INDEX_URL: installing with it would reach another index.
    for setting in [
        "ENV PIP_INDEX_URL=https://pypi.internal.example/simple\n",
        "ARG PIP_EXTRA_INDEX_URL\n",
    ] {
        let src = format!(
            "FROM python:3.11-slim\n{setting}WORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n"
        );
        let outcome = restructured(&src, FLASK);
        let builder = builder(&outcome);
        assert!(
            builder.contains("pip --python /opt/venv/bin/python install -r requirements.txt"),
            "{builder}"
        );
        assert!(builder.contains(setting.trim_end()), "{builder}");
    }
}

#[test]
fn install_options_the_layout_would_drop_are_refused_naming_them() {
    let files: Vec<(&str, &str)> = FLASK
        .iter()
        .copied()
        .chain([("constraints.txt", "flask<4\n"), ("pip.conf", "[global]\n")])
        .collect();
    for (install, expected) in [
        (
            "RUN pip install --extra-index-url https://download.example/whl -r requirements.txt",
            "`--extra-index-url` changes what the install resolves",
        ),
        (
            "RUN pip install --pre -r requirements.txt",
            "`--pre` changes what the install resolves",
        ),
        (
            "RUN pip install -c constraints.txt -r requirements.txt",
            "`-c constraints.txt`",
        ),
        (
            "COPY pip.conf /etc/pip.conf\nRUN pip install -r requirements.txt",
            "pip's configuration is copied to /etc/pip.conf",
        ),
    ] {
        let src = format!(
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\n{install}\nCMD [\"gunicorn\", \"app:app\"]\n"
        );
        let outcome = restructured(&src, &files);
        assert!(
            !outcome.fixed.contains("AS production"),
            "{}",
            outcome.fixed
        );
        let notes = format!("{:?}", outcome.notes);
        assert!(notes.contains(expected), "{install}: {notes}");
    }
}
