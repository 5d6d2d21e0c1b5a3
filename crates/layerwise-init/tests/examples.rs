//! `init`'s output for every bundled example: it parses, has the two-stage
//! layout, copies only manifests before the install, and never runs as root.

use std::path::{Path, PathBuf};

use layerwise_init::{Installer, Options, Overrides, UvSource, generate, plan_for, tools};
use layerwise_syntax::{InstructionKind, parse};

fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// (keyword, logical line) of every instruction.
fn instructions(text: &str) -> Vec<(InstructionKind, String)> {
    let file = parse(text);
    assert!(
        file.errors().is_empty(),
        "generated Dockerfile has parse errors: {:?}\n{text}",
        file.errors()
    );
    file.instructions()
        .map(|i| (i.kind, i.logical_line(file.source()).to_string()))
        .collect()
}

#[test]
fn every_example_gets_the_two_stage_layout() {
    let dirs = examples();
    assert!(
        dirs.len() >= 6,
        "expected the six bundled examples, found {dirs:?}"
    );
    for dir in dirs {
        let project =
            layerwise_python::detect(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let plan = plan_for(&dir, &project, &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let files = generate(&plan, Options::default());
        let dockerfile = &files[0].contents;
        let steps = instructions(dockerfile);
        let froms: Vec<&String> = steps
            .iter()
            .filter(|(k, _)| *k == InstructionKind::From)
            .map(|(_, l)| l)
            .collect();
        // Two stages, or four when a package's editable install runs apart
        // from its dependencies' (both stages start from `base`).
        let names: Vec<&str> = froms
            .iter()
            .map(|l| l.rsplit(' ').next().unwrap_or(""))
            .collect();
        let project_apart = names == ["base", "builder", "project", "production"];
        assert!(
            names == ["builder", "production"] || project_apart,
            "{}: stages {names:?}\n{dockerfile}",
            dir.display()
        );
        if project_apart {
            assert!(froms[1].starts_with("FROM base "), "{}", froms[1]);
            assert!(froms[2].starts_with("FROM base "), "{}", froms[2]);
            let project_stage = dockerfile
                .split("AS project\n")
                .nth(1)
                .and_then(|rest| rest.split("\nFROM ").next())
                .unwrap_or_default();
            assert!(
                project_stage.contains("install --no-deps --editable ."),
                "{}: {project_stage}",
                dir.display()
            );
            assert!(
                dockerfile.contains("COPY --from=project /opt/venv /opt/venv\nCOPY . .\n"),
                "{dockerfile}"
            );
        }

        // In the builder, every COPY before the dependency install names only manifests.
        let builder_end = steps
            .iter()
            .rposition(|(k, _)| *k == InstructionKind::From)
            .unwrap_or(0);
        let install = steps[..builder_end].iter().position(|(k, l)| {
            *k == InstructionKind::Run
                && l.contains("--mount=type=cache,target=/root/.cache/")
                // Not the step installing the manager itself (with pip, or
                // with uv into the system Python).
                && !["uv", "poetry", "pipenv", "pdm"].iter().any(|tool| {
                    l.contains(&format!("pip install {tool}"))
                        || l.contains(&format!("--system {tool}"))
                })
        });
        if plan.installer != Installer::SetupPy {
            let install = install.unwrap_or_else(|| {
                panic!(
                    "{}: no cached dependency install\n{dockerfile}",
                    dir.display()
                )
            });
            for (kind, line) in &steps[..install] {
                // A copy from an image (uv's binary) reads no context.
                if *kind == InstructionKind::Copy && !line.starts_with("COPY --from=") {
                    assert!(
                        !line.starts_with("COPY . "),
                        "{}: whole context copied before the install",
                        dir.display()
                    );
                    let words: Vec<&str> = line.split_whitespace().skip(1).collect();
                    let sources = &words[..words.len().saturating_sub(1)];
                    for source in sources {
                        assert!(
                            plan.manifests.iter().any(|m| m == source),
                            "{}: {source} is not a manifest",
                            dir.display()
                        );
                    }
                }
            }
            // Every manifest is copied before the install.
            let copied: Vec<&str> = steps[..install]
                .iter()
                .filter(|(k, _)| *k == InstructionKind::Copy)
                .flat_map(|(_, l)| l.split_whitespace().skip(1).collect::<Vec<_>>())
                .collect();
            for manifest in &plan.manifests {
                assert!(
                    copied.contains(&manifest.as_str()),
                    "{}: {manifest} not copied first",
                    dir.display()
                );
            }
        }

        let production = &steps[builder_end..];
        assert!(
            production
                .iter()
                .any(|(_, l)| l == "COPY --from=builder /opt/venv /opt/venv")
        );
        assert!(production.iter().any(|(k, l)| *k == InstructionKind::Env
            && l.contains("PATH=\"/opt/venv/bin:$PATH\"")
            && l.contains("VIRTUAL_ENV=/opt/venv")
            && l.contains("PYTHONUNBUFFERED=1")));
        let user = production
            .iter()
            .rfind(|(k, _)| *k == InstructionKind::User)
            .map(|(_, l)| l.clone());
        assert_eq!(user.as_deref(), Some("USER app"), "{}", dir.display());
        let (kind, cmd) = production.last().expect("instructions");
        assert_eq!(*kind, InstructionKind::Cmd);
        assert!(
            cmd.starts_with("CMD [\""),
            "{}: exec-form CMD, got {cmd}",
            dir.display()
        );
        // Compilers never reach the production stage.
        for (_, line) in production {
            assert!(
                !line.contains(" gcc") && !line.contains("-dev"),
                "{}: build package in production: {line}",
                dir.display()
            );
        }
        assert!(
            !dockerfile.contains("# syntax="),
            "must build on Engine 20.10's built-in frontend"
        );
        assert!(!dockerfile.contains("<<"), "no heredocs on Engine 20.10");
    }
}

#[test]
fn requirement_includes_keep_their_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flask-requirements");
    let project = layerwise_python::detect(&dir).expect("detect");
    let plan = plan_for(&dir, &project, &Overrides::default()).expect("plan");
    let dockerfile = &generate(&plan, Options::default())[0].contents;
    assert!(
        dockerfile.contains("COPY requirements.txt ./\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("COPY requirements/base.txt requirements/\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("pip install -r requirements.txt\n"),
        "{dockerfile}"
    );
}

#[test]
fn native_dependencies_split_between_stages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/django-postgres");
    let project = layerwise_python::detect(&dir).expect("detect");
    let plan = plan_for(&dir, &project, &Overrides::default()).expect("plan");
    let dockerfile = &generate(&plan, Options::default())[0].contents;
    let (builder, production) = dockerfile.split_once("AS production").expect("two stages");
    assert!(
        builder.contains("libpq-dev") && builder.contains("gcc"),
        "{builder}"
    );
    assert!(
        production.contains("libpq5") && !production.contains("libpq-dev"),
        "{production}"
    );
    // Both stages' apt share one locked cache and one set of lists, so only
    // the first downloads them; production's comes after its user, so the
    // builder's, on the critical path, takes the lock first.
    for stage in [builder, production] {
        assert!(
            stage.contains("id=apt-cache,target=/var/cache/apt,sharing=locked")
                && stage.contains("id=apt-lists,target=/var/lib/apt/lists,sharing=locked")
                && stage.contains("apt-get update -o Acquire::Languages=none"),
            "{stage}"
        );
    }
    let user = production.find("useradd").expect("a user");
    let apt = production.find("apt-get").expect("an apt install");
    assert!(user < apt, "{production}");
    let compose = &generate(&plan, Options::default())[2].contents;
    assert!(compose.contains("image: postgres:16"), "{compose}");
}

#[test]
fn a_project_without_a_start_command_gets_a_marked_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "six==1.16.0\n").unwrap();
    std::fs::write(dir.path().join("lib.py"), "X = 1\n").unwrap();
    let project = layerwise_python::detect(dir.path()).unwrap();
    assert!(plan_for(dir.path(), &project, &Overrides::default()).is_err());
    let (plan, warning) =
        layerwise_init::plan_or_placeholder(dir.path(), &project, &Overrides::default()).unwrap();
    let warning = warning.expect("a warning for the placeholder");
    assert!(warning.contains("placeholder"), "{warning}");
    assert_eq!(plan.command, layerwise_init::PLACEHOLDER_COMMAND);
    let dockerfile = &generate(&plan, Options::default())[0].contents;
    let cmd = instructions(dockerfile)
        .into_iter()
        .rfind(|(k, _)| *k == InstructionKind::Cmd)
        .expect("a CMD")
        .1;
    assert!(cmd.contains("no start command"), "{cmd}");
    // A project with a command gets no warning.
    std::fs::write(
        dir.path().join("main.py"),
        "if __name__ == '__main__':\n    pass\n",
    )
    .unwrap();
    let project = layerwise_python::detect(dir.path()).unwrap();
    let (plan, warning) =
        layerwise_init::plan_or_placeholder(dir.path(), &project, &Overrides::default()).unwrap();
    assert_eq!(warning, None);
    assert_eq!(plan.command, ["python", "main.py"]);
}

#[test]
fn uv_comes_from_its_image_unless_the_index_is_asked_for() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flask-requirements");
    let project = layerwise_python::detect(&dir).expect("detect");
    let render = |uv_source: Option<UvSource>| {
        let overrides = Overrides {
            uv_source,
            ..Overrides::default()
        };
        let plan = plan_for(&dir, &project, &overrides).expect("plan");
        generate(&plan, Options::default())[0].contents.clone()
    };
    let image = format!("COPY --from={} /uv /uvx /bin/", tools::uv_image());
    let default = render(None);
    assert!(default.contains(&image), "{default}");
    assert!(!default.contains("pip install uv"), "{default}");
    // The binary is copied before its first use.
    assert!(default.find(&image) < default.find("uv venv"), "{default}");

    let mirror = render(Some(UvSource::Image("mirror.example/uv:1".into())));
    assert!(
        mirror.contains("COPY --from=mirror.example/uv:1 /uv /uvx /bin/"),
        "{mirror}"
    );

    let index = render(Some(UvSource::Index));
    assert!(!index.contains("/uv /uvx /bin/"), "{index}");
    assert!(
        index.contains(&format!("pip install {}", tools::UV)),
        "{index}"
    );
}
