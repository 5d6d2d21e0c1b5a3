//! `layerwise doctor`: is there an engine, can it run BuildKit builds, which
//! Dockerfile features does its built-in frontend understand, how big is the
//! build cache — each problem with its fix.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use layerwise_engine::system::{FrontendFeatures, frontend_features};
use layerwise_engine::{Address, Engine, EngineError, HostSource};

use crate::exit;

#[derive(Args, Debug, Clone)]
pub struct DoctorArgs {
    /// The project directory whose `.dockerignore` is checked.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Build cache above this size earns a pruning hint.
const LARGE_CACHE: u64 = 10 << 30;

pub fn run(args: DoctorArgs) -> anyhow::Result<u8> {
    if !args.dir.is_dir() {
        let why = if args.dir.exists() {
            "not a directory"
        } else {
            "no such directory"
        };
        eprintln!("error: {}: {why}", args.dir.display());
        return Ok(exit::INPUT_ERROR);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(diagnose(args))
}

fn ok(message: impl AsRef<str>) {
    println!("ok    {}", message.as_ref());
}

fn info(message: impl AsRef<str>) {
    println!("info  {}", message.as_ref());
}

/// Advice that holds on every engine: not a finding about this one.
fn tip(message: impl AsRef<str>) {
    println!("tip   {}", message.as_ref());
}

fn problem(message: impl AsRef<str>, fix: impl AsRef<str>) {
    println!("warn  {}", message.as_ref());
    println!("      fix: {}", fix.as_ref());
}

fn human(bytes: u64) -> String {
    layerwise_context::human_bytes(bytes as f64)
}

async fn diagnose(args: DoctorArgs) -> anyhow::Result<u8> {
    let mut problems = 0;
    let engine = match Engine::connect().await {
        Ok(engine) => engine,
        Err(err) => {
            println!("fail  {err}");
            match err.hint() {
                Some(hint) if matches!(err, EngineError::TooOld { .. }) => {
                    println!("      fix: {hint}")
                }
                _ if matches!(err, EngineError::InvalidOption(_)) => {
                    println!(
                        "      fix: correct the engine settings (DOCKER_HOST, DOCKER_TLS_VERIFY, \
                         DOCKER_CERT_PATH, or the Docker context)"
                    );
                    check_dockerignore(&args.dir);
                    return Ok(exit::INPUT_ERROR);
                }
                _ => println!(
                    "      fix: start the engine (`sudo systemctl start docker`, or Docker Desktop), \
                     or set DOCKER_HOST / DOCKER_CONTEXT to a running one"
                ),
            }
            check_dockerignore(&args.dir);
            return Ok(exit::ENGINE_UNAVAILABLE);
        }
    };
    let location = engine.location();
    let via = match &location.source {
        HostSource::EnvHost => "DOCKER_HOST".to_string(),
        HostSource::Context(name) => format!("Docker context {name}"),
        HostSource::Default => "the default socket".to_string(),
    };
    ok(format!("engine reachable at {} (via {via})", location.host));
    let dial = engine.dial();
    // Parsed already by connect: only a valid address gets here.
    let address = location.address().ok();
    let road = match &address {
        Some(Address::Ssh(target)) => format!(
            "through ssh to {} (`docker system dial-stdio` there)",
            target.host
        ),
        Some(Address::Tls { files, .. }) if files.verify => format!(
            "over TLS, engine verified with {}",
            files.dir.join("ca.pem").display()
        ),
        Some(Address::Tls { .. }) => {
            "over TLS, engine NOT verified (DOCKER_TLS without DOCKER_TLS_VERIFY)".to_string()
        }
        Some(Address::Tcp(_)) => "over plain TCP, unencrypted".to_string(),
        _ => "over a unix socket".to_string(),
    };
    let remote = address.as_ref().is_some_and(Address::is_remote);
    match engine.round_trip().await {
        Ok(time) => ok(format!(
            "{} engine, {road}; round trip {:.1} ms (median of 5 pings)",
            if remote { "remote" } else { "local" },
            time.as_secs_f64() * 1000.0
        )),
        Err(err) => info(format!("round trip not measured: {err}")),
    }
    if remote {
        info(format!(
            "builds send only what the Dockerfile's COPY/ADD select to {} (the report's `sent` bytes)",
            dial.docker_host()
        ));
    }
    let engine_info = engine.info().await?;
    ok(format!(
        "Docker Engine {} ({}/{}), API {} (engine supports {}..)",
        engine_info.engine_version,
        engine_info.os,
        engine_info.arch,
        engine_info.api_version,
        engine_info.min_api_version
    ));
    let features = frontend_features(&engine_info.engine_version);
    if engine_info.os.eq_ignore_ascii_case("linux") {
        let default = match engine_info.default_builder.as_deref() {
            Some("2") => "the default builder",
            Some(_) => "available, not the default builder",
            None => "available through the API (layerwise asks for it explicitly)",
        };
        ok(format!("BuildKit {}: {default}", features.buildkit));
    } else {
        problems += 1;
        problem(
            format!("BuildKit may be unavailable on a {} engine", engine_info.os),
            "build on a Linux engine (Docker 19.03+)",
        );
    }
    problems += report_features(&features);
    match engine.has_local_frontend_image().await {
        Ok(true) => ok("a docker/dockerfile frontend image is present locally"),
        Ok(false) => info(
            "a `# syntax=` line would pull a docker/dockerfile frontend image from a registry: \
             builds without registry access fail with it; omit the line to use the built-in frontend",
        ),
        Err(err) => info(format!("could not list frontend images: {err}")),
    }
    match engine.build_cache_usage().await {
        Ok(usage) => {
            ok(format!(
                "build cache: {} in {} records ({} reclaimable)",
                human(usage.bytes),
                usage.records,
                human(usage.reclaimable)
            ));
            if usage.reclaimable > LARGE_CACHE {
                problems += 1;
                problem(
                    format!("{} of build cache is reclaimable", human(usage.reclaimable)),
                    "`docker builder prune` (add `-a` to drop everything, including cache mounts)",
                );
            }
        }
        Err(err) => info(format!("build cache usage unavailable: {err}")),
    }
    tip(
        "if a cached layer holds outdated dependencies, rebuild with \
         `layerwise build --no-cache` (or `--pull` for newer base images)",
    );
    problems += check_dockerignore(&args.dir);
    if problems == 0 {
        println!("healthy");
    }
    Ok(exit::SUCCESS)
}

fn report_features(features: &FrontendFeatures) -> usize {
    let mut problems = 0;
    if features.run_mounts_without_syntax {
        ok("RUN --mount=type=cache / secret mounts: supported by the built-in frontend");
    } else if features.run_mounts {
        problems += 1;
        problem(
            "RUN --mount needs `# syntax=docker/dockerfile:experimental` on this engine",
            "upgrade to Docker 20.10+, where cache mounts work without a syntax line",
        );
    } else {
        problems += 1;
        problem(
            "RUN --mount is not supported by this engine",
            "upgrade to Docker 20.10+",
        );
    }
    if features.heredocs && features.copy_link {
        ok("heredocs (RUN <<EOF) and COPY --link: supported by the built-in frontend");
    } else {
        info(
            "heredocs (RUN <<EOF) and COPY --link need Dockerfile frontend 1.4 (Docker 23+); \
             this engine's built-in frontend rejects them",
        );
    }
    problems
}

fn check_dockerignore(dir: &std::path::Path) -> usize {
    match layerwise_ignore::DockerIgnore::load(dir, &dir.join("Dockerfile")) {
        Ok(Some((found, _))) => {
            ok(format!(".dockerignore present ({})", found.display()));
            0
        }
        Ok(None) if dir.join("Dockerfile").is_file() => {
            problem(
                format!("no .dockerignore in {}", dir.display()),
                "add one (e.g. `layerwise init` writes it) so .git, venvs and caches stay out of the context",
            );
            1
        }
        Ok(None) => {
            info(format!("no .dockerignore in {}", dir.display()));
            0
        }
        Err(err) => {
            problem(err.to_string(), "fix the pattern syntax");
            1
        }
    }
}
