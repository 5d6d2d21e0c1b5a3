//! `layerwise build` on the real engine: cache behaviour across edits,
//! failures, compose, and the faults that need no engine.

use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use layerwise_engine::testing::engine_available_or_skip;

mod common;
use common::{interrupt_while_running, layerwise, read_report, text};

fn unique(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("layerwise-test-{name}-{}-{nanos}", std::process::id())
}

fn write(dir: &Path, name: &str, contents: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn remove_image(reference: &str) {
    common::block_on(async {
        if let Ok(engine) = layerwise_engine::Engine::connect().await {
            let _ = engine.remove_image(reference).await;
        }
    });
}

/// Serializes tests that depend on the engine's build cache with the test
/// that prunes it (test binaries may run in parallel).
struct CacheLock(std::path::PathBuf);

impl CacheLock {
    fn acquire() -> CacheLock {
        let path = std::env::temp_dir().join("layerwise-build-cache-tests.lock");
        let started = std::time::Instant::now();
        loop {
            if std::fs::create_dir(&path).is_ok() {
                return CacheLock(path);
            }
            // A lock left by a killed run is stale after ten minutes.
            if started.elapsed().as_secs() > 600 {
                let _ = std::fs::remove_dir(&path);
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

impl Drop for CacheLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// (instruction, line, cached) for each step of a `--report json` file.
fn report_steps(path: &Path) -> Vec<(String, u64, bool)> {
    let value = read_report(path);
    assert!(
        value["image_id"].as_str().unwrap().starts_with("sha256:"),
        "{value}"
    );
    assert!(value["total_s"].as_f64().unwrap() > 0.0);
    common::report_steps(&value)
        .into_iter()
        .map(|s| (s.instruction, s.line, s.cached))
        .collect()
}

/// Steps other than FROM: the base image is local, so BuildKit may report
/// it either way.
fn built_steps(steps: &[(String, u64, bool)]) -> Vec<&(String, u64, bool)> {
    steps
        .iter()
        .filter(|(i, _, _)| !i.starts_with("FROM"))
        .collect()
}

#[test]
fn rebuilds_run_only_what_changed() {
    if !engine_available_or_skip() {
        return;
    }
    let _lock = CacheLock::acquire();
    let dir = tempfile::tempdir().unwrap();
    let token = unique("cache");
    write(
        dir.path(),
        "requirements.txt",
        &format!("# {token}\nsix==1.16.0\n"),
    );
    write(
        dir.path(),
        "app.py",
        "import six\nprint('v1', six.__version__)\n",
    );
    write(dir.path(), ".dockerignore", "*.md\n");
    write(dir.path(), "notes.md", "not sent\n");
    write(
        dir.path(),
        "Dockerfile",
        &format!(
            "FROM python:3.11-slim AS builder\n\
             RUN python -m venv /opt/venv && echo {token}\n\
             ENV PATH=/opt/venv/bin:$PATH\n\
             COPY requirements.txt .\n\
             RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n\
             FROM python:3.11-slim\n\
             COPY --from=builder /opt/venv /opt/venv\n\
             ENV PATH=/opt/venv/bin:$PATH\n\
             COPY app.py /app/app.py\n\
             CMD [\"python\", \"/app/app.py\"]\n"
        ),
    );
    let project = dir.path().to_str().unwrap();
    let report = dir.path().join("report.json");
    let report_arg = report.to_str().unwrap();
    let tag = unique("cache");
    let build = |extra: &[&str]| {
        let mut args = vec![
            "build",
            project,
            "-t",
            &tag,
            "--progress",
            "plain",
            "--report",
            "json",
            report_arg,
        ];
        args.extend_from_slice(extra);
        let output = layerwise(&args);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        (output, report_steps(&report))
    };

    let (output, first) = build(&[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("slowest step that ran"),
        "{}",
        text(&output)
    );
    let lines: Vec<u64> = first.iter().map(|s| s.1).collect();
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "report in Dockerfile order: {first:?}"
    );
    assert!(
        first
            .iter()
            .any(|s| s.1 == 5 && s.0.contains("pip install -r requirements.txt")),
        "{first:?}"
    );
    assert!(
        first
            .iter()
            .any(|s| s.1 == 9 && s.0 == "COPY app.py /app/app.py"),
        "{first:?}"
    );
    assert!(built_steps(&first).len() >= 5, "{first:?}");
    assert!(
        built_steps(&first).iter().all(|s| !s.2),
        "first build runs every step: {first:?}"
    );

    let (_, second) = build(&[]);
    assert!(
        built_steps(&second).iter().all(|s| s.2),
        "rebuild is all cache hits: {second:?}"
    );

    write(
        dir.path(),
        "app.py",
        "import six\nprint('v2', six.__version__)\n",
    );
    let (_, third) = build(&[]);
    for (instruction, line, cached) in built_steps(&third) {
        let expect_cached = *line != 9;
        assert_eq!(
            *cached, expect_cached,
            "after a code edit, line {line} {instruction}: {third:?}"
        );
    }

    let (_, fourth) = build(&["--no-cache"]);
    assert!(
        built_steps(&fourth).iter().all(|s| !s.2),
        "--no-cache runs everything: {fourth:?}"
    );
    remove_image(&tag);
}

#[test]
fn a_failing_run_shows_the_step_and_its_output() {
    if !engine_available_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let token = unique("fail");
    write(
        dir.path(),
        "Dockerfile",
        &format!("FROM python:3.11-slim\nRUN echo {token} && echo boom-output && exit 7\n"),
    );
    let output = layerwise(&["build", dir.path().to_str().unwrap(), "--progress", "quiet"]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(4), "{all}");
    assert!(all.contains("Dockerfile line 2"), "{all}");
    assert!(
        all.contains(&format!("RUN echo {token} && echo boom-output && exit 7")),
        "{all}"
    );
    assert!(
        all.contains("    boom-output"),
        "the step's log is shown: {all}"
    );
}

#[test]
fn compose_builds_every_service_in_dependency_order() {
    if !engine_available_or_skip() {
        return;
    }
    let _lock = CacheLock::acquire();
    let dir = tempfile::tempdir().unwrap();
    let api = unique("api");
    let web = unique("web");
    write(
        dir.path(),
        "api/Dockerfile",
        "FROM python:3.11-slim\nARG GREETING\nRUN echo \"$GREETING\" > /greeting\n",
    );
    write(
        dir.path(),
        "web/Dockerfile",
        "FROM python:3.11-slim\nCOPY index.html /srv/index.html\n",
    );
    write(dir.path(), "web/index.html", "<p>hi</p>\n");
    write(
        dir.path(),
        "compose.yaml",
        &format!(
            "services:\n  web:\n    build: ./web\n    image: {web}\n    depends_on: [api]\n  \
             api:\n    build:\n      context: ./api\n      args:\n        GREETING: hello\n    image: {api}\n  \
             db:\n    image: postgres:16\n"
        ),
    );
    let report = dir.path().join("report.json");
    let output = layerwise(&[
        "build",
        dir.path().to_str().unwrap(),
        "--compose",
        "--progress",
        "plain",
        "--report",
        "json",
        report.to_str().unwrap(),
    ]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let api_at = stderr.find("building service api").expect(&all);
    let web_at = stderr.find("building service web").expect(&all);
    assert!(
        api_at < web_at,
        "api is built before web, which depends on it"
    );
    assert!(!stderr.contains("building service db"));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let services: Vec<&str> = value["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["api", "web"]);
    common::block_on(async {
        let engine = layerwise_engine::Engine::connect().await.unwrap();
        let (code, output) = engine.run(&api, &["cat", "/greeting"]).await.unwrap();
        assert_eq!(
            (code, output.trim()),
            (0, "hello"),
            "build args reach the service"
        );
        assert!(engine.image_exists(&web).await.unwrap());
    });
    remove_image(&api);
    remove_image(&web);
}

#[test]
fn input_errors_exit_2() {
    let missing = layerwise(&["build", "/nonexistent/layerwise/context"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM python:3.11-slim\nCOPY\n");
    let bad = layerwise(&["build", dir.path().to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("Dockerfile:2:"),
        "{}",
        text(&bad)
    );
    // A file without a build stage is rejected before the engine sees it.
    write(dir.path(), "Dockerfile", "RUN echo hi\n");
    let no_stage = layerwise(&["build", dir.path().to_str().unwrap()]);
    assert_eq!(no_stage.status.code(), Some(2), "{}", text(&no_stage));
    assert!(
        String::from_utf8_lossy(&no_stage.stderr).contains("Dockerfile:1:1: no build stage"),
        "{}",
        text(&no_stage)
    );
    // Without a Dockerfile, the error says how to name or write one.
    let empty = tempfile::tempdir().unwrap();
    let none = layerwise(&["build", empty.path().to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
    let stderr = String::from_utf8_lossy(&none.stderr);
    assert!(
        stderr.contains("-f FILE") && stderr.contains("layerwise init"),
        "{}",
        text(&none)
    );
    // A registry cache export needs buildx; without it, exit 2 saying what works.
    write(dir.path(), "Dockerfile", "FROM python:3.11-slim\n");
    let report = layerwise(&[
        "build",
        dir.path().to_str().unwrap(),
        "--cache-to",
        "type=registry,ref=x,mode=max",
    ]);
    let buildx = common::block_on(layerwise_engine::buildx_available());
    if buildx {
        eprintln!("buildx is installed: the missing-buildx message is not checked");
    } else {
        assert_eq!(report.status.code(), Some(2), "{}", text(&report));
        let stderr = String::from_utf8_lossy(&report.stderr);
        assert!(
            stderr.contains("needs docker buildx")
                && stderr.contains("--cache-to type=inline --push"),
            "{}",
            text(&report)
        );
    }
    let unknown = layerwise(&[
        "build",
        dir.path().to_str().unwrap(),
        "--cache-to",
        "type=carrier-pigeon",
    ]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
}

#[test]
fn no_engine_exits_3_and_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM python:3.11-slim\n");
    let output = Command::new(env!("CARGO_BIN_EXE_layerwise"))
        .args(["build", dir.path().to_str().unwrap()])
        .env("DOCKER_HOST", "unix:///nonexistent/layerwise.sock")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    let all = text(&output);
    assert_eq!(output.status.code(), Some(3), "{all}");
    assert!(
        all.contains("/nonexistent/layerwise.sock (from DOCKER_HOST)"),
        "{all}"
    );
    assert!(all.contains("hint: start the Docker engine"), "{all}");
}

#[test]
fn ctrl_c_cancels_the_build_on_the_engine_and_tags_nothing() {
    if !engine_available_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tag = unique("interrupt");
    // A sleep length no other process uses, to find the build's container.
    let seconds = 300 + std::process::id() % 97;
    let marker = format!("sleep {seconds}");
    write(
        dir.path(),
        "Dockerfile",
        &format!("FROM python:3.11-slim\nRUN echo {tag} && {marker}\n"),
    );
    interrupt_while_running(
        Command::new(env!("CARGO_BIN_EXE_layerwise")).args([
            "build",
            dir.path().to_str().unwrap(),
            "-t",
            &tag,
            "--progress",
            "plain",
        ]),
        &marker,
    );
    let tagged = common::block_on(async {
        let engine = layerwise_engine::Engine::connect().await.unwrap();
        engine.docker().inspect_image(&tag).await.is_ok()
    });
    assert!(!tagged, "an interrupted build must tag nothing");
}

#[test]
fn large_contexts_go_through_file_sync_and_keep_the_cache_rules() {
    if !engine_available_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let token = unique("sync");
    write(dir.path(), "app.py", &format!("print('{token}')\n"));
    write(dir.path(), "notes.md", "ignored\n");
    write(dir.path(), ".dockerignore", "*.md\n");
    write(
        dir.path(),
        "Dockerfile",
        &format!("FROM python:3.11-slim\nRUN echo {token}\nCOPY . /app/\nRUN ls /app > /listing\n"),
    );
    let tag = unique("sync");
    let project = dir.path().to_str().unwrap();
    // Outside the context: `COPY . /app/` would see it change.
    let reports = tempfile::tempdir().unwrap();
    let report = reports.path().join("report.json");
    let build = || {
        // Any context counts as large here, so the CLI road is taken.
        let output = Command::new(env!("CARGO_BIN_EXE_layerwise"))
            .env("LAYERWISE_FILE_SYNC_MIN_BYTES", "1")
            .args(["build", project, "-t", &tag, "--progress", "plain"])
            .args(["--report", "json", report.to_str().unwrap()])
            .output()
            .expect("layerwise runs");
        let all = text(&output);
        assert_eq!(output.status.code(), Some(0), "{all}");
        assert!(all.contains("file sync"), "the road is named: {all}");
        report_steps(&report)
    };
    let first = build();
    assert!(built_steps(&first).iter().all(|s| !s.2), "{first:?}");
    let again = build();
    assert!(built_steps(&again).iter().all(|s| s.2), "{again:?}");
    // An ignored file changes nothing; a code edit re-runs the copy.
    write(dir.path(), "notes.md", "still ignored\n");
    assert!(built_steps(&build()).iter().all(|s| s.2));
    write(dir.path(), "app.py", &format!("print('{token} v2')\n"));
    let edited = build();
    let ran: Vec<&str> = built_steps(&edited)
        .iter()
        .filter(|s| !s.2)
        .map(|s| s.0.as_str())
        .collect();
    assert_eq!(
        ran,
        ["COPY . /app/", "RUN ls /app > /listing"],
        "{edited:?}"
    );
    remove_image(&tag);
}
