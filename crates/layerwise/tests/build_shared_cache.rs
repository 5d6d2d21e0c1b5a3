//! A team's shared build cache, on one machine: `init --registry --ci
//! github` generates the project's build, compose file and CI job; engine A
//! (the machine's) runs the CI job's build command, which pushes the image
//! with its inline cache to a local registry; engine B (a second `dockerd`
//! started by the test, empty but for the base images) builds the same
//! commit with `build --compose`, whose `cache_from` imports that cache, and
//! re-runs nothing, then re-runs only the code COPY after a code edit.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use layerwise_engine::testing::{SpareEngine, engine_available_or_skip};

mod common;
use common::registry::registry_or_skip;
use common::{
    ReportStep, layerwise, layerwise_with, outside_world_required, read_report, report_steps, text,
};

/// Runs the binary against the engine at `docker_host`.
fn run_on(docker_host: &str, args: &[&str]) -> std::process::Output {
    layerwise_with(&[("DOCKER_HOST", docker_host.to_string())], args)
        .output()
        .expect("layerwise runs")
}

/// Images a Dockerfile names in `FROM` and `COPY --from=` (stage names
/// excluded): what engine B needs before it can build offline.
fn named_images(dockerfile: &str) -> Vec<String> {
    let mut stages = Vec::new();
    let mut images = Vec::new();
    for line in dockerfile.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["FROM", image, rest @ ..] => {
                if let ["AS", name] = rest {
                    stages.push(name.to_string());
                }
                images.push(image.to_string());
            }
            ["COPY", flags @ ..] => images.extend(
                flags
                    .iter()
                    .filter_map(|w| w.strip_prefix("--from="))
                    .map(str::to_string),
            ),
            _ => {}
        }
    }
    images.retain(|image| !stages.contains(image));
    images.sort();
    images.dedup();
    images
}

/// The non-FROM steps of a report, of its one compose service if it has
/// services.
fn non_from_steps(report: &Path) -> Vec<ReportStep> {
    let mut value = read_report(report);
    if let Some(services) = value["services"].as_array() {
        assert_eq!(services.len(), 1, "one service: {value}");
        value = services[0].clone();
    }
    report_steps(&value)
        .into_iter()
        .filter(|s| !s.instruction.starts_with("FROM"))
        .collect()
}

#[test]
fn a_second_engine_imports_the_pushed_cache_and_rebuilds_only_the_code() {
    if !engine_available_or_skip() {
        return;
    }
    let Some(registry) = registry_or_skip() else {
        return;
    };
    let engine_b = match SpareEngine::start(&[]) {
        Ok(engine) => engine,
        Err(why) => {
            assert!(
                !outside_world_required(),
                "a second engine could not start: {why}"
            );
            eprintln!("skipped: a second engine could not start: {why}");
            return;
        }
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let token = format!("{}-{nanos}", std::process::id());
    let repository = format!("127.0.0.1:{}/layerwise-team-{token}", registry.port);
    let image = format!("{repository}:latest");

    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(dir.join(".python-version"), "3.11\n").unwrap();
    std::fs::write(
        dir.join("requirements.txt"),
        format!("# {token}\nsix==1.16.0\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("app.py"),
        format!("# {token}\nimport six\nprint(six.__version__)\n"),
    )
    .unwrap();
    let dir_arg = dir.to_str().unwrap();
    // Reports outside the context, or they would be the code edit.
    let reports = tempfile::tempdir().unwrap();
    let output = layerwise(&["init", dir_arg, "--registry", &repository, "--ci", "github"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let compose = std::fs::read_to_string(dir.join("compose.yaml")).unwrap();
    assert!(
        compose.contains(&format!("cache_from:\n        - {image}")),
        "{compose}"
    );
    let ci_command = ci_build_command(&dir.join(".github/workflows/image.yml"));

    // Engine A: the CI runner, running the job's build command.
    let commit_tag = format!("{repository}:c0ffee{nanos}");
    let ci_args: Vec<String> = ci_command
        .replace("${{ github.sha }}", &format!("c0ffee{nanos}"))
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect();
    // The runner's registry login sits in a credential helper, as with
    // Docker Desktop or a cloud helper: a real `docker-credential-*` program
    // speaking the helper protocol, which records whom it was asked about.
    let docker_config = tempfile::tempdir().unwrap();
    let helper_log = docker_config.path().join("asked");
    std::fs::write(
        docker_config.path().join("config.json"),
        r#"{"credsStore":"lwtest"}"#,
    )
    .unwrap();
    let helper = docker_config.path().join("docker-credential-lwtest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread -r server\necho \"$server\" >> {}\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"ci\",\"Secret\":\"token\"}}' \"$server\"\n",
            helper_log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        docker_config.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(&ci_args)
        .current_dir(dir)
        .env("DOCKER_CONFIG", docker_config.path())
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{ci_args:?}\n{}",
        text(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The team's very first build: the cache image does not exist yet.
    assert!(
        stderr.contains(&format!("no build cache at {image} yet")),
        "{stderr}"
    );
    for pushed in [&commit_tag, &image] {
        assert!(stderr.contains(&format!("pushed {pushed}")), "{stderr}");
    }
    let asked = std::fs::read_to_string(&helper_log).unwrap_or_default();
    assert!(
        asked.contains(&format!("127.0.0.1:{}", registry.port)),
        "the credential helper was asked for the registry: {asked:?}"
    );

    // Engine B: a fresh machine that has only the base images.
    common::block_on(async {
        let a = layerwise_engine::Engine::connect().await.unwrap();
        let b = engine_b.connect().await.unwrap();
        assert!(b.image_exists(&image).await.is_ok_and(|exists| !exists));
        let images = named_images(&dockerfile);
        let names: Vec<&str> = images.iter().map(String::as_str).collect();
        a.copy_images_to(&b, &names)
            .await
            .unwrap_or_else(|e| panic!("copying {names:?} to engine B: {e}"));
    });

    let b_report = reports.path().join("b.json");
    let build_on_b = |report: &Path| {
        run_on(
            &engine_b.host(),
            &[
                "build",
                dir_arg,
                "--compose",
                "--progress",
                "plain",
                "--report",
                "json",
                report.to_str().unwrap(),
            ],
        )
    };
    let output = build_on_b(&b_report);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\nengine B log:\n{}",
        text(&output),
        engine_b.log_tail()
    );
    let steps = non_from_steps(&b_report);
    let ran: Vec<&ReportStep> = steps.iter().filter(|s| !s.cached).collect();
    assert!(
        ran.is_empty(),
        "engine B re-ran steps the registry cache had: {ran:?}"
    );
    assert!(
        steps.iter().any(|s| s.instruction.starts_with("RUN")),
        "the dependency install is among the cached steps: {steps:?}"
    );

    // A code edit on B re-runs the code COPY and nothing before it.
    std::fs::write(
        dir.join("app.py"),
        format!("# {token} edited on B\nimport six\nprint(six.__version__)\n"),
    )
    .unwrap();
    let edit_report = reports.path().join("edit.json");
    let output = build_on_b(&edit_report);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let ran: Vec<String> = non_from_steps(&edit_report)
        .into_iter()
        .filter(|s| !s.cached)
        .map(|s| s.instruction)
        .collect();
    assert_eq!(ran, vec!["COPY . .".to_string()], "after a code edit on B");

    common::block_on(async {
        let a = layerwise_engine::Engine::connect().await.unwrap();
        let _ = a.remove_image(&image).await;
        let _ = a.remove_image(&commit_tag).await;
    });
}

/// The `layerwise build` line of a generated GitHub workflow.
fn ci_build_command(workflow: &Path) -> String {
    let text = std::fs::read_to_string(workflow).unwrap();
    let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("the workflow is YAML");
    let steps = docs[0]["jobs"]["image"]["steps"]
        .as_vec()
        .expect("jobs.image.steps");
    steps
        .iter()
        .filter_map(|step| step["run"].as_str())
        .find(|run| run.starts_with("layerwise build"))
        .unwrap_or_else(|| panic!("no layerwise build step in\n{text}"))
        .to_string()
}

#[test]
fn named_images_skips_stage_names() {
    let images = named_images(
        "FROM python:3.11-slim AS builder\nCOPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/\n\
         FROM python:3.11-slim AS production\nCOPY --from=builder /opt/venv /opt/venv\n",
    );
    assert_eq!(
        images,
        vec!["ghcr.io/astral-sh/uv:0.13.9", "python:3.11-slim"]
    );
}
