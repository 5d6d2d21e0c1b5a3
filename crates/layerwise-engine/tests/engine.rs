//! Builds on the real engine (skipped with a reason when none answers).

use std::time::{SystemTime, UNIX_EPOCH};

use layerwise_engine::testing::engine_or_skip;
use layerwise_engine::{BuildOptions, Engine, Event, PathChoice, SecretSpec, Step};

/// A tar archive of (path, contents) pairs.
fn context(files: &[(&str, &str)]) -> bytes::Bytes {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, contents.as_bytes())
            .unwrap();
    }
    bytes::Bytes::from(builder.into_inner().unwrap())
}

fn unique(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("layerwise-test-{name}-{}-{nanos}", std::process::id())
}

async fn build(
    engine: &Engine,
    options: &BuildOptions,
    files: &[(&str, &str)],
) -> layerwise_engine::BuildOutcome {
    let mut ignore = |_: &Event, _: &[Step]| {};
    engine
        .build(options, context(files), &mut ignore)
        .await
        .expect("build ran")
}

const TWO_STAGE: &str = "\
FROM python:3.11-slim AS builder
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN --mount=type=cache,target=/root/.cache/pip pip install six==1.16.0
FROM python:3.11-slim
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
CMD [\"python\", \"-c\", \"import six; print('six', six.__version__)\"]
";

#[tokio::test]
async fn two_stage_build_with_a_pip_cache_mount_runs() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let tag = unique("smoke");
    let options = BuildOptions {
        tags: vec![tag.clone()],
        ..BuildOptions::default()
    };
    let mut events = 0usize;
    let mut observer = |_: &Event, _: &[Step]| events += 1;
    let outcome = engine
        .build(
            &options,
            context(&[("Dockerfile", TWO_STAGE)]),
            &mut observer,
        )
        .await
        .expect("build ran");
    assert!(outcome.succeeded(), "{:?}", outcome.failure);
    assert_eq!(outcome.path, layerwise_engine::BuildPath::Api);
    assert!(events > 0, "progress was observed");
    let names: Vec<&str> = outcome.steps.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("[builder 3/3] RUN --mount=type=cache")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("[stage-1 2/2] COPY --from=builder")),
        "{names:?}"
    );
    assert!(
        outcome
            .steps
            .iter()
            .all(|s| !s.name.starts_with("[internal]"))
    );
    let (code, output) = engine.run(&tag, &[]).await.expect("container ran");
    assert_eq!((code, output.trim()), (0, "six 1.16.0"));
    // A script bypasses the image's entrypoint, runs without network, and
    // keeps its two streams apart.
    let script = engine
        .run_script(&tag, "echo out; echo err >&2; ls /sys/class/net; exit 3")
        .await
        .expect("script ran");
    assert_eq!(script.code, 3);
    assert_eq!(script.stderr.trim(), "err");
    let mut lines = script.stdout.lines();
    assert_eq!(lines.next(), Some("out"));
    assert_eq!(
        lines.collect::<Vec<_>>(),
        ["lo"],
        "only loopback: no network"
    );
    let inspect = engine.inspect_image(&tag).await.expect("image inspected");
    assert!(inspect.size.unwrap_or(0) > 0);
    engine.remove_image(&tag).await.expect("image removed");
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn sessions_are_closed_after_every_build() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let dockerfile = "FROM python:3.11-slim\nRUN echo layerwise-fd-check > /check\n";
    let options = BuildOptions::default();
    // Warm up: the client's connection pool settles after the first builds.
    for _ in 0..2 {
        assert!(
            build(&engine, &options, &[("Dockerfile", dockerfile)])
                .await
                .succeeded()
        );
    }
    let before = open_fds();
    for _ in 0..20 {
        let outcome = build(&engine, &options, &[("Dockerfile", dockerfile)]).await;
        assert!(outcome.succeeded(), "{:?}", outcome.failure);
    }
    let after = open_fds();
    assert!(
        after <= before + 1,
        "file descriptors grew from {before} to {after} over 20 builds"
    );
}

#[tokio::test]
async fn secrets_reach_the_build_through_the_session() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("token");
    std::fs::write(&secret, "s3cret-value").unwrap();
    let dockerfile = "FROM python:3.11-slim\n\
        RUN --mount=type=secret,id=token,required=true test \"$(cat /run/secrets/token)\" = s3cret-value\n";
    let options = BuildOptions {
        secrets: vec![SecretSpec::parse(&format!("id=token,src={}", secret.display())).unwrap()],
        no_cache: true,
        ..BuildOptions::default()
    };
    let outcome = build(&engine, &options, &[("Dockerfile", dockerfile)]).await;
    assert!(outcome.succeeded(), "{:?}", outcome.failure);

    let missing = BuildOptions {
        no_cache: true,
        ..BuildOptions::default()
    };
    let outcome = build(&engine, &missing, &[("Dockerfile", dockerfile)]).await;
    assert!(
        !outcome.succeeded(),
        "a required secret that is not provided fails the step"
    );
}

#[tokio::test]
async fn failing_steps_carry_their_logs() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let dockerfile = "FROM python:3.11-slim\nRUN echo about-to-fail && exit 3\n";
    let options = BuildOptions {
        no_cache: true,
        ..BuildOptions::default()
    };
    let outcome = build(&engine, &options, &[("Dockerfile", dockerfile)]).await;
    let failure = outcome.failure.expect("the build failed");
    assert!(failure.step.unwrap().contains("RUN echo about-to-fail"));
    assert!(
        failure.logs.iter().any(|l| l.contains("about-to-fail")),
        "{:?}",
        failure.logs
    );
    assert!(failure.message.contains('3'), "{}", failure.message);
}

#[tokio::test]
async fn the_cli_path_parses_plain_progress() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let tag = unique("cli");
    let dockerfile = "FROM python:3.11-slim\nRUN echo via-cli > /via\n";
    let options = BuildOptions {
        tags: vec![tag.clone()],
        path: PathChoice::Cli,
        ..BuildOptions::default()
    };
    let mut ignore = |_: &Event, _: &[Step]| {};
    let outcome = match engine
        .build(
            &options,
            context(&[("Dockerfile", dockerfile)]),
            &mut ignore,
        )
        .await
    {
        Ok(outcome) => outcome,
        Err(layerwise_engine::EngineError::Cli(reason)) => {
            eprintln!("skipped: {reason}");
            return;
        }
        Err(err) => panic!("{err}"),
    };
    assert!(outcome.succeeded(), "{:?}", outcome.failure);
    assert!(matches!(outcome.path, layerwise_engine::BuildPath::Cli(_)));
    assert!(
        outcome
            .image_id
            .as_deref()
            .is_some_and(|id| id.starts_with("sha256:"))
    );
    assert!(
        outcome
            .steps
            .iter()
            .any(|s| s.instruction == "RUN echo via-cli > /via"),
        "{:?}",
        outcome.steps
    );
    assert!(engine.image_exists(&tag).await.unwrap());
    engine.remove_image(&tag).await.unwrap();
}
