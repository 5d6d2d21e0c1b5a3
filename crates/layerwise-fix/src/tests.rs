use super::*;

fn unsafe_opts() -> Options {
    Options {
        unsafe_fixes: true,
        ..Options::default()
    }
}

fn fix(src: &str, options: &Options) -> Outcome {
    fix_source(src, &Settings::default(), None, options).expect("parses")
}

#[test]
fn unparseable_input_is_an_error_with_position() {
    let err = fix_source(
        "FROM python\nRUN --mount=type=bogus x\n",
        &Settings::default(),
        None,
        &Options::default(),
    );
    let err = err.expect_err("bad mount type must not parse");
    assert_eq!(err.line, 2, "{err}");
}

#[test]
fn safe_fixes_only_by_default() {
    let src = "FROM python:3.12-slim\n# keep me\nRUN pip install --no-cache-dir -r requirements.txt\nCMD python app.py\n";
    let out = fix(src, &Options::default());
    // LW304 (exec-form CMD) is safe, LW102 (cache mount) is not.
    assert!(
        out.fixed.contains("CMD [\"python\", \"app.py\"]"),
        "{}",
        out.fixed
    );
    assert!(!out.fixed.contains("--mount=type=cache"), "{}", out.fixed);
    assert!(
        out.notes.iter().any(|n| n.contains("LW102")),
        "{:?}",
        out.notes
    );
    assert!(out.fixed.contains("# keep me\n"));
}

#[test]
fn unsafe_fixes_add_cache_mount_and_drop_no_cache_dir() {
    let src = "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n";
    let out = fix(src, &unsafe_opts());
    assert!(
        out.fixed.contains(
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt"
        ),
        "{}",
        out.fixed
    );
    assert!(out.converged);
    let again = fix(&out.fixed, &unsafe_opts());
    assert_eq!(again.fixed, out.fixed, "idempotent");
}

#[test]
fn copy_before_install_moves_the_whole_copy_after_the_install() {
    let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY --chown=1000 . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let out = fix(src, &unsafe_opts());
    let copy_req = out
        .fixed
        .find("COPY --chown=1000 requirements.txt ./")
        .expect(&out.fixed);
    let install = out
        .fixed
        .find("pip install -r requirements.txt")
        .expect(&out.fixed);
    let copy_all = out.fixed.find("COPY --chown=1000 . .").expect(&out.fixed);
    assert!(copy_req < install && install < copy_all, "{}", out.fixed);
    let (_, diags) = layerwise_rules::check_source(&out.fixed, &Settings::default(), None);
    assert!(!diags.iter().any(|d| d.code == "LW101"), "{diags:?}");
}

#[test]
fn copy_before_install_leaves_local_installs_alone() {
    let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\n";
    let out = fix(src, &unsafe_opts());
    assert_eq!(out.fixed.matches("COPY").count(), 1, "{}", out.fixed);
    assert!(out.fixed.contains("COPY . .\nRUN"), "{}", out.fixed);
}

#[test]
fn lone_apt_update_is_merged_and_cached() {
    let src =
        "FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get install -y curl \\\n    git\n";
    let out = fix(src, &unsafe_opts());
    assert!(!out.fixed.contains("RUN apt-get update\n"), "{}", out.fixed);
    assert!(
        out.fixed.contains(
            "apt-get update && apt-get install --no-install-recommends -y curl \\\n    git"
        ),
        "{}",
        out.fixed
    );
    assert!(out.fixed.contains("target=/var/lib/apt"), "{}", out.fixed);
    let (_, diags) = layerwise_rules::check_source(&out.fixed, &Settings::default(), None);
    assert!(
        !diags.iter().any(|d| d.code == "LW107" || d.code == "LW108"),
        "{diags:?}"
    );
}

#[test]
fn overlapping_edits_wait_for_the_next_round() {
    let a = Span::new(3, 3);
    assert!(overlaps(a, Span::new(3, 3)));
    assert!(overlaps(Span::new(2, 6), Span::new(4, 5)));
    assert!(!overlaps(Span::new(2, 4), Span::new(4, 6)));
    assert!(overlaps(Span::new(2, 6), Span::new(4, 4)));
}

#[test]
fn select_and_ignore_are_respected() {
    let src = "FROM python:3.12-slim\nCMD python app.py\n";
    let mut settings = Settings::default();
    settings
        .select(&[], &["LW304".to_string(), "LW305".to_string()])
        .unwrap();
    let out = fix_source(src, &settings, None, &Options::default()).unwrap();
    assert_eq!(out.fixed, src);
    assert!(!out.changed());
    let mut settings = Settings::default();
    settings.select(&["LW305".to_string()], &[]).unwrap();
    let out = fix_source(src, &settings, None, &Options::default()).unwrap();
    assert!(out.fixed.contains("PYTHONUNBUFFERED=1"), "{}", out.fixed);
    assert!(out.fixed.contains("CMD python app.py\n"), "{}", out.fixed);
}

#[test]
fn diff_names_both_sides() {
    let d = unified_diff("Dockerfile", Some("a\nb\n"), "a\nc\n");
    assert!(
        d.contains("--- a/Dockerfile") && d.contains("+++ b/Dockerfile") && d.contains("-b\n+c\n"),
        "{d}"
    );
    let d = unified_diff(".dockerignore", None, ".git\n");
    assert!(d.contains("--- /dev/null") && d.contains("+.git"), "{d}");
}

fn project_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn restructure_only_when_every_copied_path_is_in_the_context() {
    let src = "FROM python:3.11-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
    let files = [
        ("requirements.txt", "six==1.16.0\n./libs/alpha\n"),
        ("libs/alpha/setup.py", ""),
        ("app.py", ""),
    ];
    let dir = project_dir(&files);
    let out = fix_source(src, &Settings::default(), Some(dir.path()), &unsafe_opts()).unwrap();
    assert!(
        out.fixed.contains("COPY libs/alpha libs/alpha\n"),
        "the local path is copied before the install:\n{}",
        out.fixed
    );
    // The same project with the local package kept out of the context: the
    // install could not read it, so the file is not restructured.
    let mut ignored = files.to_vec();
    ignored.push((".dockerignore", "libs\n"));
    let dir = project_dir(&ignored);
    let out = fix_source(src, &Settings::default(), Some(dir.path()), &unsafe_opts()).unwrap();
    assert!(!out.fixed.contains("AS builder"), "{}", out.fixed);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("not restructured") && n.contains("`libs/alpha`")),
        "{:?}",
        out.notes
    );
}
