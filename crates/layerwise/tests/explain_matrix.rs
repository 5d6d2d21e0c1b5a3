//! `explain` against the real engine: for each scenario, the prediction made
//! before a build must equal what BuildKit then does, step by step.

use std::collections::BTreeMap;
use std::path::Path;

use layerwise_engine::{BuildOptions, Engine, Step};
use layerwise_explain::{BuildFiles, Inputs};

const BASE: &str = "python:3.11-slim";

fn dockerfile(base: &str, tools_cmd: &str) -> String {
    format!(
        "FROM {base} AS tools\n\
         RUN {tools_cmd}\n\
         \n\
         FROM {base} AS app\n\
         ARG GIT_SHA=dev\n\
         WORKDIR /app\n\
         COPY requirements.txt ./\n\
         RUN --mount=type=cache,target=/root/.cache/pip pip install --disable-pip-version-check -r requirements.txt\n\
         COPY app/ ./\n\
         RUN echo \"$GIT_SHA\" > /sha.txt && ls -l /app > /listing.txt\n\
         CMD [\"python\", \"main.py\"]\n"
    )
}

fn write(dir: &Path, path: &str, content: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// The context as `layerwise build` sends it.
fn context_tar(dir: &Path) -> bytes::Bytes {
    let dockerfile = dir.join("Dockerfile");
    let ignore = layerwise_ignore::DockerIgnore::load(dir, &dockerfile).unwrap();
    let options = layerwise_context::WalkOptions {
        ignore: ignore.map(|(_, i)| i),
        sources: None,
        always_include: vec!["Dockerfile".into(), ".dockerignore".into()],
    };
    let walk = layerwise_context::walk(dir, &options).unwrap();
    let mut tar = Vec::new();
    layerwise_context::write_tar(&walk, &mut tar).unwrap();
    bytes::Bytes::from(tar)
}

async fn build(
    engine: &Engine,
    dir: &Path,
    tag: &str,
    args: &BTreeMap<String, String>,
) -> Vec<Step> {
    let options = BuildOptions {
        dockerfile: "Dockerfile".into(),
        tags: vec![tag.into()],
        build_args: args.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ..BuildOptions::default()
    };
    let outcome = engine
        .build(&options, context_tar(dir), &mut |_, _| {})
        .await
        .expect("build request");
    if let Some(f) = &outcome.failure {
        panic!("build failed: {} {:?}", f.message, f.logs);
    }
    outcome.steps
}

/// Builds a one-line image on top of `BASE` and tags it `tag`: a base image
/// with an ID of its own.
async fn make_base(engine: &Engine, tag: &str, label: &str) {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        &format!("FROM {BASE}\nRUN echo {label} > /layerwise-test-base.txt\n"),
    );
    build(engine, dir.path(), tag, &BTreeMap::new()).await;
}

/// Checks the prediction for every step BuildKit showed, returns a report
/// line per mismatch.
fn compare(
    scenario: &str,
    predicted: &layerwise_explain::Explanation,
    actual: &[Step],
) -> Vec<String> {
    let mut problems = Vec::new();
    // BuildKit 0.8 reports the FROM of a local image as resolved, never
    // cached, whether or not it changed; its cost is nil.
    for step in actual
        .iter()
        .filter(|s| !s.instruction.starts_with("FROM "))
    {
        let Some(p) = predicted
            .steps
            .iter()
            .find(|p| p.stage.eq_ignore_ascii_case(&step.stage) && p.position == step.index)
        else {
            problems.push(format!("{scenario}: no prediction for {}", step.name));
            continue;
        };
        if p.cached != step.cached {
            problems.push(format!(
                "{scenario}: {} predicted cached={} ({:?}), BuildKit cached={}",
                step.name, p.cached, p.cause, step.cached
            ));
        }
    }
    let shown: Vec<String> = actual
        .iter()
        .map(|s| format!("{}:{}", s.stage, s.index))
        .collect();
    for p in &predicted.steps {
        if !shown.contains(&format!("{}:{}", p.stage, p.position)) && !p.cached && p.line != 4 {
            problems.push(format!(
                "{scenario}: predicted a re-run of line {} that BuildKit did not show",
                p.line
            ));
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn predictions_match_buildkit() {
    let Some(engine) = layerwise_engine::testing::engine_or_skip().await else {
        return;
    };
    if !engine.image_exists(BASE).await.unwrap_or(false) {
        eprintln!("skipped: {BASE} is not available locally");
        return;
    }
    let unique = format!("{}-{}", std::process::id(), layerwise_now());
    let base_tag = format!("layerwise-explain-test-base:{unique}");
    let app_tag = format!("layerwise-explain-test-app:{unique}");
    make_base(&engine, &base_tag, &format!("one-{unique}")).await;

    let project_dir = tempfile::tempdir().unwrap();
    let state_dir = tempfile::tempdir().unwrap();
    let dir = project_dir.path();
    write(
        dir,
        "Dockerfile",
        &dockerfile(&base_tag, "echo tools > /tools.txt"),
    );
    write(dir, ".dockerignore", "app/notes.md\n");
    write(dir, "requirements.txt", "six==1.16.0\n");
    write(dir, "app/main.py", &format!("print('hello {unique}')\n"));
    write(dir, "app/entrypoint.sh", "#!/bin/sh\nexec python main.py\n");
    write(dir, "app/notes.md", "notes\n");
    let project = BuildFiles::new(dir, None)
        .unwrap()
        .with_state_root(state_dir.path());

    let mut args = BTreeMap::new();
    let mut problems = Vec::new();
    let run = async |name: &str, args: &BTreeMap<String, String>, expect_reruns: &[usize]| {
        let inputs = Inputs {
            target: None,
            build_args: args.clone(),
        };
        let ids = layerwise_explain::image_ids(&engine, &project.base_images(&inputs)).await;
        let predicted = layerwise_explain::explain(&project, &inputs, Some(&ids)).unwrap();
        let steps = build(&engine, dir, &app_tag, args).await;
        let mut found = compare(name, &predicted, &steps);
        let reruns: Vec<usize> = predicted
            .steps
            .iter()
            .filter(|s| !s.cached)
            .map(|s| s.line)
            .collect();
        if name != "first build" && reruns != expect_reruns {
            found.push(format!(
                "{name}: predicted re-runs at lines {reruns:?}, expected {expect_reruns:?}"
            ));
        }
        let recorded = layerwise_explain::record(&project, &inputs, &ids, &steps).unwrap();
        assert!(
            recorded.matched >= 5,
            "{name}: only {} steps matched BuildKit's: {:?}",
            recorded.matched,
            steps
                .iter()
                .map(|s| (&s.stage, s.index, &s.instruction))
                .collect::<Vec<_>>()
        );
        eprintln!(
            "{name}: {:?}",
            predicted
                .steps
                .iter()
                .map(|s| (s.line, s.cached, s.cause.clone()))
                .collect::<Vec<_>>()
        );
        found
    };

    // Lines: 4 FROM, 6 WORKDIR, 7 COPY req, 8 RUN pip, 9 COPY app, 10 RUN echo.
    problems.extend(run("first build", &args, &[]).await);
    problems.extend(run("no change", &args, &[]).await);

    write(
        dir,
        "app/main.py",
        &format!("print('hello again {unique}')\n"),
    );
    problems.extend(run("code edit", &args, &[9, 10]).await);

    write(dir, "requirements.txt", "six==1.16.0\n# pinned\n");
    problems.extend(run("manifest edit", &args, &[7, 8, 9, 10]).await);

    write(dir, "app/notes.md", "other notes\n");
    problems.extend(run("dockerignored edit", &args, &[]).await);

    args.insert("GIT_SHA".into(), "abc123".into());
    problems.extend(run("ARG change", &args, &[8, 9, 10]).await);

    let script = dir.join("app/entrypoint.sh");
    let mut perms = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms).unwrap();
    problems.extend(run("chmod", &args, &[9, 10]).await);

    write(
        dir,
        "Dockerfile",
        &dockerfile(&base_tag, "echo tools v2 > /tools.txt"),
    );
    problems.extend(run("unused stage edit", &args, &[]).await);

    make_base(&engine, &base_tag, &format!("two-{unique}")).await;
    problems.extend(run("base image retag", &args, &[4, 6, 7, 8, 9, 10]).await);

    for image in [&app_tag, &base_tag] {
        let _ = engine.remove_image(image).await;
    }
    assert!(problems.is_empty(), "mismatches:\n{}", problems.join("\n"));
}

fn layerwise_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
