//! The fallback road: a docker CLI that can run BuildKit builds (buildx, or
//! a pre-23 CLI with `DOCKER_BUILDKIT=1`), fed the same tar context on stdin
//! (or, for large contexts, the context directory, which BuildKit's file
//! sync transfers incrementally), its `--progress=plain` output parsed into
//! the same steps.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use crate::build::{BuildOutcome, BuildPath, Observer, finish};
use crate::options::{BuildOptions, SecretSource};
use crate::progress::{Tracker, VertexUpdate};
use crate::{Engine, EngineError};

/// A CLI able to build with BuildKit, and how to invoke it.
#[derive(Debug, Clone)]
struct Cli {
    program: PathBuf,
    buildx: bool,
}

async fn succeeds(program: &PathBuf, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .await
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Candidates in PATH order, then the distribution location.
fn candidates() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("docker"))
                .collect()
        })
        .unwrap_or_default();
    found.push(PathBuf::from("/usr/bin/docker"));
    let mut unique = Vec::new();
    for candidate in found {
        if candidate.is_file() && !unique.contains(&candidate) {
            unique.push(candidate);
        }
    }
    unique
}

/// Whether a docker CLI that can run BuildKit builds is installed.
pub async fn cli_available() -> bool {
    find_cli().await.is_ok()
}

/// Whether a docker CLI with buildx is installed (cache exports other than
/// inline need it).
pub async fn buildx_available() -> bool {
    find_cli().await.is_ok_and(|cli| cli.buildx)
}

/// The probe runs once per process: `cli_available` and the build that
/// follows it would otherwise each spawn the candidates again.
async fn find_cli() -> Result<Cli, EngineError> {
    static FOUND: tokio::sync::OnceCell<Option<Cli>> = tokio::sync::OnceCell::const_new();
    FOUND.get_or_init(probe_cli).await.clone().ok_or_else(|| {
        EngineError::Cli(
            "no docker CLI with BuildKit found (need `docker buildx`, or a docker CLI older than 23.0)"
                .into(),
        )
    })
}

async fn probe_cli() -> Option<Cli> {
    for program in candidates() {
        if succeeds(&program, &["buildx", "version"]).await.is_some() {
            return Some(Cli {
                program,
                buildx: true,
            });
        }
        // Before 23.0 the classic `docker build` switches to BuildKit with
        // DOCKER_BUILDKIT=1; later CLIs refuse that without buildx.
        let version = succeeds(&program, &["version", "--format", "{{.Client.Version}}"]).await;
        let major = version
            .as_deref()
            .and_then(|v| v.split('.').next()?.parse::<u32>().ok());
        if major.is_some_and(|m| m < 23) {
            return Some(Cli {
                program,
                buildx: false,
            });
        }
    }
    None
}

/// A cache export only a BuildKit client runs needs `docker buildx`; the
/// error says which CLIs were looked at and what works without it.
pub(crate) async fn require_buildx(spec: &str) -> Result<(), EngineError> {
    match find_cli().await {
        Ok(cli) if cli.buildx => Ok(()),
        found => {
            let looked = candidates()
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>();
            let why = match found {
                Ok(cli) => format!("{} has no buildx", cli.program.display()),
                Err(_) if looked.is_empty() => "no docker CLI is installed".to_string(),
                Err(_) => format!("none of {} has buildx", looked.join(", ")),
            };
            Err(EngineError::InvalidOption(format!(
                "--cache-to {spec} needs docker buildx ({why}); the Engine API's builder \
                 exports only an inline cache: use --cache-to type=inline --push, and \
                 --cache-from the pushed image"
            )))
        }
    }
}

pub(crate) async fn build(
    engine: &Engine,
    options: &BuildOptions,
    context: bytes::Bytes,
    observer: &mut Observer<'_>,
) -> Result<BuildOutcome, EngineError> {
    let cli = find_cli().await?;
    let iid_dir = tempfile_dir()?;
    let iid_file = iid_dir.join("iid");
    let mut command = Command::new(&cli.program);
    if cli.buildx {
        command.args(["buildx", "build", "--load"]);
    } else {
        command.arg("build").env("DOCKER_BUILDKIT", "1");
    }
    command
        .env("DOCKER_HOST", engine.dial().docker_host())
        .env_remove("DOCKER_CONTEXT");
    command
        .arg("--progress=plain")
        .arg("--iidfile")
        .arg(&iid_file);
    command.args(arguments(options));
    // `-f` is relative to the context: run in it and name it `.`.
    let from_dir = options.context_dir.is_some();
    match &options.context_dir {
        Some(dir) => command.current_dir(dir).arg("."),
        None => command.arg("-"),
    };
    command
        .stdin(if from_dir {
            Stdio::null()
        } else {
            Stdio::piped()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| EngineError::Cli(format!("starting {}: {e}", cli.program.display())))?;
    let stdin = child.stdin.take();
    if stdin.is_none() && !from_dir {
        return Err(EngineError::Cli("no stdin".into()));
    }
    let writer = tokio::spawn(async move {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(&context).await;
            let _ = stdin.shutdown().await;
        }
    });
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| EngineError::Cli("no stderr".into()))?;
    let mut lines = BufReader::new(stderr).lines();
    let mut parser = PlainParser::default();
    let mut other = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        if !parser.feed(&line, observer) {
            other.push(line);
        }
    }
    let _ = writer.await;
    let status = child
        .wait()
        .await
        .map_err(|e| EngineError::Cli(e.to_string()))?;
    let image_id = std::fs::read_to_string(&iid_file)
        .ok()
        .map(|s| s.trim().to_string());
    let _ = std::fs::remove_dir_all(&iid_dir);
    let mut tracker = parser.tracker;
    tracker.finish();
    let stream_error = (!status.success()).then(|| {
        let tail: Vec<&str> = other
            .iter()
            .rev()
            .take(5)
            .rev()
            .map(String::as_str)
            .collect();
        if tail.is_empty() {
            format!("docker build exited with {status}")
        } else {
            tail.join("\n")
        }
    });
    let image_id = if status.success() {
        image_id.filter(|i| !i.is_empty())
    } else {
        None
    };
    Ok(finish(
        tracker,
        image_id,
        stream_error,
        BuildPath::Cli(cli.program.display().to_string()),
    ))
}

fn tempfile_dir() -> Result<PathBuf, EngineError> {
    let dir = std::env::temp_dir().join(format!("layerwise-iid-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).map_err(|e| EngineError::Cli(e.to_string()))?;
    Ok(dir)
}

/// `docker build` arguments for the options (context and progress aside).
fn arguments(options: &BuildOptions) -> Vec<String> {
    let mut args = Vec::new();
    if !options.dockerfile.is_empty() {
        args.extend(["-f".to_string(), options.dockerfile.clone()]);
    }
    for tag in &options.tags {
        args.extend(["-t".to_string(), tag.clone()]);
    }
    if let Some(target) = &options.target {
        args.extend(["--target".to_string(), target.clone()]);
    }
    for (key, value) in options.effective_build_args() {
        args.extend(["--build-arg".to_string(), format!("{key}={value}")]);
    }
    for (key, value) in &options.labels {
        args.extend(["--label".to_string(), format!("{key}={value}")]);
    }
    for secret in &options.secrets {
        let source = match &secret.source {
            SecretSource::File(path) => format!("src={}", path.display()),
            SecretSource::Env(name) => format!("env={name}"),
        };
        args.extend(["--secret".to_string(), format!("id={},{source}", secret.id)]);
    }
    if options.no_cache {
        args.push("--no-cache".into());
    }
    if options.pull {
        args.push("--pull".into());
    }
    if let Some(platform) = &options.platform {
        args.extend(["--platform".to_string(), platform.clone()]);
    }
    if let Some(network) = &options.network {
        args.extend(["--network".to_string(), network.clone()]);
    }
    for reference in &options.cache_from {
        args.extend(["--cache-from".to_string(), reference.clone()]);
    }
    if let Some(spec) = options.buildx_cache_export() {
        args.extend(["--cache-to".to_string(), spec.to_string()]);
    }
    args
}

/// Parses BuildKit's plain progress: `#N NAME`, then `#N 0.123 LOG`,
/// `#N CACHED`, `#N DONE 1.2s`, `#N ERROR: MESSAGE`.
#[derive(Default)]
pub(crate) struct PlainParser {
    pub(crate) tracker: Tracker,
    names: std::collections::HashMap<String, String>,
}

impl PlainParser {
    /// Feeds one line; false when it is not progress output.
    pub(crate) fn feed(&mut self, line: &str, observer: &mut Observer<'_>) -> bool {
        let Some(rest) = line.strip_prefix('#') else {
            return false;
        };
        let Some((number, text)) = rest.split_once(' ') else {
            return false;
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let digest = format!("#{number}");
        let text = text.trim_end();
        let mut events = Vec::new();
        let now = SystemTime::now();
        let Some(name) = self.names.get(&digest).cloned() else {
            self.names.insert(digest.clone(), text.to_string());
            self.update(&digest, text, false, Some(now), None, None, &mut events);
            self.emit(events, observer);
            return true;
        };
        if text == name || text.starts_with("sha256:") {
            return true;
        }
        if text == "CACHED" {
            self.update(&digest, &name, true, None, None, None, &mut events);
        } else if let Some(duration) = text.strip_prefix("DONE ") {
            let seconds = duration.trim_end_matches('s').parse::<f64>().unwrap_or(0.0);
            let elapsed = Duration::try_from_secs_f64(seconds).unwrap_or_default();
            let started = now.checked_sub(elapsed);
            self.update(&digest, &name, false, started, Some(now), None, &mut events);
            if let Some(started) = started {
                self.tracker.correct_start(&digest, started);
            }
        } else if let Some(message) = text.strip_prefix("ERROR") {
            let message = message.trim_start_matches(':').trim().to_string();
            self.update(
                &digest,
                &name,
                false,
                None,
                Some(now),
                Some(message),
                &mut events,
            );
        } else {
            // `0.123 output` carries a timestamp; status lines do not.
            let log = match text.split_once(' ') {
                Some((stamp, rest)) if stamp.parse::<f64>().is_ok() => rest,
                _ => text,
            };
            self.tracker.push_log(&digest, log.to_string(), &mut events);
        }
        self.emit(events, observer);
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        digest: &str,
        name: &str,
        cached: bool,
        started: Option<SystemTime>,
        completed: Option<SystemTime>,
        error: Option<String>,
        events: &mut Vec<crate::Event>,
    ) {
        let update = VertexUpdate {
            digest,
            name,
            cached,
            started,
            completed,
            error,
        };
        self.tracker.update(update, events);
    }

    fn emit(&self, events: Vec<crate::Event>, observer: &mut Observer<'_>) {
        for event in events {
            observer(&event, self.tracker.steps());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = "\
#1 [internal] load build definition from Dockerfile
#1 sha256:0f1e
#1 transferring dockerfile: 212B done
#1 DONE 0.0s

#5 [builder 1/3] FROM docker.io/library/python:3.11-slim
#5 CACHED

#6 [builder 2/3] RUN pip install six==1.16.0
#6 sha256:77aa
#6 1.402 Collecting six==1.16.0
#6 2.010 Successfully installed six-1.16.0
#6 DONE 2.5s

#7 [builder 3/3] RUN exit 3
#7 ERROR: executor failed running [/bin/sh -c exit 3]: exit code: 3
------
 > [builder 3/3] RUN exit 3:
------
";

    #[test]
    fn plain_progress_becomes_steps() {
        let mut parser = PlainParser::default();
        let mut seen = 0;
        let mut observer = |_: &crate::Event, _: &[crate::Step]| seen += 1;
        let mut rejected = 0;
        for line in PLAIN.lines() {
            if !parser.feed(line, &mut observer) {
                rejected += 1;
            }
        }
        assert!(seen > 0);
        assert_eq!(
            rejected, 6,
            "blank lines and the error box are not progress"
        );
        let steps = parser.tracker.steps();
        assert_eq!(steps.len(), 3);
        assert!(steps[0].cached);
        assert!(!steps[1].cached);
        assert_eq!(
            steps[1].logs,
            vec![
                "Collecting six==1.16.0",
                "Successfully installed six-1.16.0"
            ]
        );
        let duration = steps[1].duration().as_secs_f64();
        assert!((duration - 2.5).abs() < 0.01, "{duration}");
        let (name, message, _) = parser.tracker.failure().unwrap();
        assert_eq!(name, "[builder 3/3] RUN exit 3");
        assert!(message.contains("exit code: 3"));
    }

    #[test]
    fn options_become_cli_arguments() {
        let options = BuildOptions {
            dockerfile: "docker/Dockerfile".into(),
            tags: vec!["app:1".into()],
            target: Some("prod".into()),
            secrets: vec![crate::SecretSpec::parse("id=t,env=TOKEN").unwrap()],
            no_cache: true,
            cache_from: vec!["r/app:cache".into()],
            ..BuildOptions::default()
        };
        let args = arguments(&options).join(" ");
        assert_eq!(
            args,
            "-f docker/Dockerfile -t app:1 --target prod --secret id=t,env=TOKEN --no-cache \
             --cache-from r/app:cache"
        );
    }
}
