//! Inline cache through a registry: build with `--cache-to type=inline`,
//! push, empty the local build cache and image, rebuild with
//! `--cache-from` and get cache hits. Runs a local registry (Debian's
//! `docker-registry`) on a loopback port, which the engine treats as
//! insecure without configuration.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use layerwise_engine::testing::engine_available_or_skip;

mod common;
use common::registry::registry_or_skip;
use common::{layerwise, read_report, text};

/// (instruction, cached) of the report's non-FROM steps.
fn report_steps(path: &Path) -> Vec<(String, bool)> {
    common::report_steps(&read_report(path))
        .into_iter()
        .filter(|s| !s.instruction.starts_with("FROM"))
        .map(|s| (s.instruction, s.cached))
        .collect()
}

/// Same lock as build_engine.rs: pruning the cache must not race the
/// tests that expect cache hits.
struct CacheLock(PathBuf);

impl CacheLock {
    fn acquire() -> CacheLock {
        let path = std::env::temp_dir().join("layerwise-build-cache-tests.lock");
        let started = Instant::now();
        loop {
            if std::fs::create_dir(&path).is_ok() {
                return CacheLock(path);
            }
            if started.elapsed().as_secs() > 600 {
                let _ = std::fs::remove_dir(&path);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for CacheLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn inline_cache_round_trips_through_a_registry() {
    if !engine_available_or_skip() {
        return;
    }
    let Some(registry) = registry_or_skip() else {
        return;
    };
    let _lock = CacheLock::acquire();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let token = format!("{}-{nanos}", std::process::id());
    let image = format!(
        "127.0.0.1:{}/layerwise-test-cache-{token}:v1",
        registry.port
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.txt"),
        format!("# {token}\nsix==1.16.0\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app.py"),
        "import six\nprint(six.__version__)\n",
    )
    .unwrap();
    // Single stage: an inline cache describes the layers of the exported image only.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:3.11-slim\n\
         COPY requirements.txt /tmp/requirements.txt\n\
         RUN --mount=type=cache,target=/root/.cache/pip pip install -r /tmp/requirements.txt\n\
         COPY app.py /app/app.py\n",
    )
    .unwrap();
    let project = dir.path().to_str().unwrap();
    let first_report = dir.path().join("first.json");
    let output = layerwise(&[
        "build",
        project,
        "-t",
        &image,
        "--cache-to",
        "type=inline",
        "--progress",
        "plain",
        "--report",
        "json",
        first_report.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(
        report_steps(&first_report)
            .iter()
            .all(|(_, cached)| !cached)
    );

    common::block_on(async {
        let engine = layerwise_engine::Engine::connect().await.unwrap();
        engine
            .push(&image)
            .await
            .expect("push to the local registry");
        engine
            .prune_build_cache(true)
            .await
            .expect("build cache pruned");
        engine.remove_image(&image).await.expect("image removed");
        assert!(!engine.image_exists(&image).await.unwrap());
    });

    let second_report = dir.path().join("second.json");
    let output = layerwise(&[
        "build",
        project,
        "-t",
        &image,
        "--cache-from",
        &image,
        "--progress",
        "plain",
        "--report",
        "json",
        second_report.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let steps = report_steps(&second_report);
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert!(
        steps.iter().all(|(_, cached)| *cached),
        "steps come from the registry cache: {steps:?}"
    );

    common::block_on(async {
        let engine = layerwise_engine::Engine::connect().await.unwrap();
        let _ = engine.remove_image(&image).await;
    });
}
