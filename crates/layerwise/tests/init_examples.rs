//! `layerwise init` on every bundled example, proven on the real engine: the
//! generated build passes `check` with no findings, builds, the container
//! answers, and a one-line code edit re-runs only the code layers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{copy_tree, examples_dir, read_report, text};

const LAYERWISE: &str = env!("CARGO_BIN_EXE_layerwise");
/// Debian's 20.10 CLI, used here only to run and remove containers.
const DOCKER: &str = "/usr/bin/docker";

/// How each example proves it works, and which file a code edit touches.
struct Example {
    name: &'static str,
    edit: &'static str,
    check: Check,
}

enum Check {
    /// GET this path on port 8000 answers 200.
    Http(&'static str),
    /// Running the image prints this.
    Output(&'static str),
}

const EXAMPLES: &[Example] = &[
    Example {
        name: "flask-requirements",
        edit: "app.py",
        check: Check::Http("/health"),
    },
    Example {
        name: "django-postgres",
        edit: "health/views.py",
        check: Check::Http("/health"),
    },
    Example {
        name: "fastapi-uv",
        edit: "app/main.py",
        check: Check::Http("/health"),
    },
    Example {
        name: "poetry-app",
        edit: "src/quotes/server.py",
        check: Check::Http("/health"),
    },
    Example {
        name: "pipenv-app",
        edit: "service.py",
        check: Check::Http("/health"),
    },
    Example {
        name: "src-layout-cli",
        edit: "src/hello_layers/cli.py",
        check: Check::Output("app: hello-layers"),
    },
];

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
}

fn build(dir: &Path, tag: &str, report: &Path) -> Value {
    let output = run(Command::new(LAYERWISE)
        .args([
            "build",
            "--progress",
            "plain",
            "-t",
            tag,
            "--report",
            "json",
        ])
        .arg(report)
        .arg(dir));
    assert!(
        output.status.success(),
        "build of {tag} failed\n{}",
        text(&output)
    );
    read_report(report)
}

/// (stage, instruction, cached) of every step in the report.
fn steps(report: &Value) -> Vec<(String, String, bool)> {
    common::report_steps(report)
        .into_iter()
        .map(|s| (s.stage, s.instruction, s.cached))
        .collect()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

fn answers_http(image: &str, path: &str) {
    let started = run(Command::new(DOCKER).args(["run", "-d", "-p", "127.0.0.1::8000", image]));
    assert!(
        started.status.success(),
        "docker run {image}\n{}",
        text(&started)
    );
    let container = String::from_utf8_lossy(&started.stdout).trim().to_string();
    let port_out = run(Command::new(DOCKER).args(["port", &container, "8000"]));
    let mapping = String::from_utf8_lossy(&port_out.stdout).to_string();
    let port: u16 = mapping
        .lines()
        .next()
        .and_then(|l| l.rsplit(':').next())
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no port mapping for {container}: {mapping}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = None;
    while Instant::now() < deadline {
        last = http_get(port, path);
        if last
            .as_deref()
            .is_some_and(|r| r.starts_with("HTTP/1.") && r.contains(" 200 "))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let logs = run(Command::new(DOCKER).args(["logs", &container]));
    run(Command::new(DOCKER).args(["rm", "-f", &container]));
    let response = last.unwrap_or_default();
    assert!(
        response.contains(" 200 "),
        "{image} did not answer GET {path} with 200: {response}\n{}",
        text(&logs)
    );
}

fn prints(image: &str, expected: &str) {
    let output = run(Command::new(DOCKER).args(["run", "--rm", image]));
    assert!(output.status.success(), "{image}\n{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout).to_lowercase();
    assert!(
        stdout.contains(expected),
        "{image} printed {stdout:?}, expected {expected:?}"
    );
}

fn init_build_and_edit(example: &Example) {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path().join(example.name);
    copy_tree(&examples_dir().join(example.name), &dir);

    let init = run(Command::new(LAYERWISE).arg("init").arg("--force").arg(&dir));
    assert!(
        init.status.success(),
        "init {}\n{}",
        example.name,
        text(&init)
    );

    let check = run(Command::new(LAYERWISE)
        .arg("check")
        .arg(dir.join("Dockerfile")));
    assert_eq!(
        check.status.code(),
        Some(0),
        "check must report nothing on what init generates ({})\n{}",
        example.name,
        text(&check)
    );
    // Not even a finding below the failure threshold.
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("All checks passed"),
        "check reported findings on what init generates ({})\n{}",
        example.name,
        text(&check)
    );

    let tag = format!("layerwise-test-init-{}:latest", example.name);
    let first = build(&dir, &tag, &temp.path().join("first.json"));
    assert!(
        steps(&first).iter().any(|(_, _, cached)| !cached),
        "a first build runs steps"
    );
    match example.check {
        Check::Http(path) => answers_http(&tag, path),
        Check::Output(text) => prints(&tag, text),
    }

    // A one-line code edit, new on every run: an edit seen before would find
    // its layer in the engine's cache from an earlier run.
    let edited = dir.join(example.edit);
    let mut source = std::fs::read_to_string(&edited).expect("source file");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    source.push_str(&format!("\n# edited by the rebuild test {nanos}\n"));
    std::fs::write(&edited, source).expect("edit");
    let second = build(&dir, &tag, &temp.path().join("second.json"));
    let steps = steps(&second);
    // In each stage, every step before the first code layer stays cached; the
    // steps after it follow from it.
    let mut code_seen_in: Vec<String> = Vec::new();
    for (stage, instruction, cached) in &steps {
        let is_code_layer =
            instruction.starts_with("COPY . ") || instruction.starts_with("COPY --from=builder");
        if is_code_layer && !code_seen_in.contains(stage) {
            code_seen_in.push(stage.clone());
        }
        // Resolving the base image shows as work even when nothing is rebuilt.
        let is_base = instruction.to_ascii_uppercase().starts_with("FROM ");
        if !code_seen_in.contains(stage) && !is_base {
            assert!(
                cached,
                "{}: after a code edit, `{instruction}` ({stage}) should be cached\n{second:#}",
                example.name
            );
        }
    }
    assert!(
        steps
            .iter()
            .any(|(stage, i, cached)| stage == "production" && i.starts_with("COPY . ") && !cached),
        "{}: the code layer re-ran\n{second:#}",
        example.name
    );
    run(Command::new(DOCKER).args(["rmi", "-f", &tag]));
}

macro_rules! example_test {
    ($test:ident, $index:expr) => {
        #[test]
        fn $test() {
            if !layerwise_engine::testing::engine_available_or_skip() {
                return;
            }
            init_build_and_edit(&EXAMPLES[$index]);
        }
    };
}

example_test!(flask_requirements, 0);
example_test!(django_postgres, 1);
example_test!(fastapi_uv, 2);
example_test!(poetry_app, 3);
example_test!(pipenv_app, 4);
example_test!(src_layout_cli, 5);
