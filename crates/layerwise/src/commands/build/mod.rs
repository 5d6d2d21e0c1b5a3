//! `layerwise build [DIR]`: a BuildKit build through the Docker Engine API
//! with a per-step table (stage, Dockerfile line, cached or ran, duration),
//! an optional JSON report, and `--compose` to build every service.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use layerwise_build::{BuildError, Interrupt, Interrupted, Job, prepare, until_interrupted};
use layerwise_engine::{
    BuildOptions, CacheTo, Engine, EngineError, Event, PathChoice, SecretSpec, Step,
    parse_cache_from,
};

use crate::exit;

mod display;
mod summary;

use display::Display;
use summary::{Finished, print_summary, write_report};

#[derive(Args, Debug, Clone)]
pub struct BuildArgs {
    /// The build context directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The Dockerfile (default: DIR/Dockerfile, else the one Dockerfile-named
    /// file in DIR, such as Containerfile); must lie inside the context.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Name and optionally tag the image (repeatable).
    #[arg(short = 't', long = "tag", value_name = "NAME[:TAG]")]
    pub tags: Vec<String>,
    /// Build this stage and what it needs.
    #[arg(long)]
    pub target: Option<String>,
    /// Set a build-time variable (`KEY=VALUE`, or `KEY` to take it from the environment).
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Expose a secret to RUN --mount=type=secret: `id=ID,src=PATH` or `id=ID,env=VAR`.
    #[arg(long = "secret", value_name = "SPEC")]
    pub secrets: Vec<String>,
    /// Do not use the build cache (BuildKit then starts cache mounts empty too).
    #[arg(long)]
    pub no_cache: bool,
    /// Always look for newer base images.
    #[arg(long)]
    pub pull: bool,
    /// Target platform, e.g. linux/amd64.
    #[arg(long)]
    pub platform: Option<String>,
    /// Network mode for RUN instructions (default, none, host).
    #[arg(long)]
    pub network: Option<String>,
    /// How to show progress.
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    pub progress: Progress,
    /// Import build cache from an image (`REF` or `type=registry,ref=REF`).
    #[arg(long = "cache-from", value_name = "REF")]
    pub cache_from: Vec<String>,
    /// Export build cache: only `type=inline` is possible through the Engine API.
    #[arg(long = "cache-to", value_name = "SPEC")]
    pub cache_to: Vec<String>,
    /// Push every tag to its registry after a successful build (with
    /// `--cache-to type=inline`, the pushed image carries the cache another
    /// engine imports with `--cache-from`).
    #[arg(long)]
    pub push: bool,
    /// Build every service with a `build:` section of a compose file, in
    /// `depends_on` order (default: compose.yaml or docker-compose.yml in DIR).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = ".")]
    pub compose: Option<PathBuf>,
    /// Write a report: `--report json FILE`.
    #[arg(long, num_args = 2, value_names = ["FORMAT", "FILE"])]
    pub report: Option<Vec<String>>,
    /// Which road to BuildKit: the Engine API, a docker CLI, or auto.
    #[arg(long, value_enum, default_value_t = Via::Auto, hide = true)]
    pub via: Via,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Auto,
    Plain,
    Quiet,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Auto,
    Api,
    Cli,
}

pub fn run(args: BuildArgs) -> anyhow::Result<u8> {
    let report = match &args.report {
        None => None,
        Some(values) => match values.as_slice() {
            [format, file] if format == "json" => Some(PathBuf::from(file)),
            [format, _] => {
                eprintln!("error: --report supports only json, not {format}");
                return Ok(exit::INPUT_ERROR);
            }
            _ => return Ok(exit::INPUT_ERROR),
        },
    };
    let base = match base_options(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    let jobs = match &args.compose {
        Some(file) => layerwise_build::compose::jobs(&args.dir, file, &base),
        None => single_job(&args, base),
    };
    let jobs = match jobs {
        Ok(jobs) => jobs,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    if args.push
        && let Some(job) = jobs.iter().find(|job| job.options.tags.is_empty())
    {
        let what = job
            .service
            .as_deref()
            .map_or("the image".to_string(), |s| format!("service {s}"));
        eprintln!(
            "error: --push needs a name for {what}: give -t NAME[:TAG] (or `image:` in the compose file)"
        );
        return Ok(exit::INPUT_ERROR);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_jobs(jobs, args.progress, args.push, report))
}

fn base_options(args: &BuildArgs) -> Result<BuildOptions, String> {
    let mut options = BuildOptions {
        tags: args.tags.clone(),
        target: args.target.clone(),
        no_cache: args.no_cache,
        pull: args.pull,
        platform: args.platform.clone(),
        network: args.network.clone(),
        path: match args.via {
            Via::Auto => PathChoice::Auto,
            Via::Api => PathChoice::Api,
            Via::Cli => PathChoice::Cli,
        },
        ..BuildOptions::default()
    };
    options.build_args = super::build_args(&args.build_args);
    for spec in &args.secrets {
        options
            .secrets
            .push(SecretSpec::parse(spec).map_err(|e| e.to_string())?);
    }
    for spec in &args.cache_from {
        options
            .cache_from
            .push(parse_cache_from(spec).map_err(|e| e.to_string())?);
    }
    for spec in &args.cache_to {
        let cache_to = CacheTo::parse(spec).map_err(|e| e.to_string())?;
        if !options.cache_to.contains(&cache_to) {
            options.cache_to.push(cache_to);
        }
    }
    Ok(options)
}

fn single_job(args: &BuildArgs, options: BuildOptions) -> Result<Vec<Job>, String> {
    let context = args.dir.clone();
    if !context.is_dir() {
        return Err(format!(
            "build context {} is not a directory",
            context.display()
        ));
    }
    let dockerfile = match &args.file {
        Some(file) => file.clone(),
        None => layerwise_rules::discover::default_dockerfile(&context)?,
    };
    Ok(vec![Job {
        service: None,
        context,
        dockerfile,
        options,
    }])
}

/// Where layerwise looked and how to get an engine.
fn explain_engine_error(err: &EngineError) {
    eprintln!("error: {err}");
    if let Some(hint) = err.hint() {
        eprintln!("hint: {hint}");
    }
}

async fn run_jobs(
    jobs: Vec<Job>,
    progress: Progress,
    push: bool,
    report: Option<PathBuf>,
) -> anyhow::Result<u8> {
    let mut prepared = Vec::new();
    for job in &jobs {
        match prepare(job) {
            Ok(p) => prepared.push(p),
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(exit::INPUT_ERROR);
            }
        }
    }
    let engine = match Engine::connect().await {
        Ok(engine) => engine,
        Err(err) => {
            explain_engine_error(&err);
            return Ok(match err {
                EngineError::InvalidOption(_) => exit::INPUT_ERROR,
                _ => exit::ENGINE_UNAVAILABLE,
            });
        }
    };
    let mut interrupt = Interrupt::listen().context("listening for Ctrl-C")?;
    let mut finished = Vec::new();
    let mut code = exit::SUCCESS;
    for (job, prepared) in jobs.into_iter().zip(prepared) {
        if let Some(service) = &job.service
            && progress != Progress::Quiet
        {
            eprintln!("building service {service}");
        }
        let display = Display::new(progress);
        let mut observer = |event: &Event, steps: &[Step]| display.event(event, steps);
        let build = layerwise_build::run_prepared(&engine, &job, &prepared, &mut observer);
        let result = until_interrupted(&mut interrupt, build).await;
        display.finish();
        let outcome = match result {
            Err(Interrupted) => {
                eprintln!("interrupted: build cancelled");
                return Ok(exit::INTERRUPTED);
            }
            Ok(Ok(outcome)) => outcome,
            Ok(Err(BuildError::Context(message))) => {
                eprintln!("error: {message}");
                return Ok(exit::INPUT_ERROR);
            }
            Ok(Err(BuildError::Engine(err @ EngineError::InvalidOption(_)))) => {
                eprintln!("error: {err}");
                return Ok(exit::INPUT_ERROR);
            }
            Ok(Err(BuildError::Engine(
                err @ (EngineError::Unreachable { .. } | EngineError::TooOld { .. }),
            ))) => {
                explain_engine_error(&err);
                return Ok(exit::ENGINE_UNAVAILABLE);
            }
            Ok(Err(BuildError::Engine(err))) => {
                eprintln!("error: the build could not run: {err}");
                return Ok(exit::BUILD_FAILED);
            }
        };
        let failed = !outcome.succeeded();
        let job_tags = job.options.tags.clone();
        let (rows, notes) = layerwise_build::step_rows(&engine, &job, &outcome, !failed).await;
        for note in notes {
            eprintln!("note: {note}");
        }
        if progress != Progress::Quiet || failed {
            print_summary(job.service.as_deref(), &rows, &outcome, progress);
        }
        finished.push(Finished {
            service: job.service,
            rows,
            outcome,
        });
        if failed {
            code = exit::BUILD_FAILED;
            break;
        }
        if push && let Err(code) = push_tags(&engine, &job_tags, progress).await {
            return Ok(code);
        }
    }
    if let Some(path) = report {
        write_report(&path, &finished)?;
    }
    Ok(code)
}

/// Pushes each tag, printing what the registry received; the exit code
/// when a push fails.
async fn push_tags(engine: &Engine, tags: &[String], progress: Progress) -> Result<(), u8> {
    for tag in tags {
        match engine.push(tag).await {
            Ok(pushed) => {
                if progress != Progress::Quiet {
                    let digest = pushed.digest.as_deref().unwrap_or("no digest reported");
                    eprintln!(
                        "pushed {tag}: {} layers sent, {} already in the registry ({digest})",
                        pushed.layers_sent, pushed.layers_present
                    );
                }
            }
            Err(err @ (EngineError::Unreachable { .. } | EngineError::TooOld { .. })) => {
                explain_engine_error(&err);
                return Err(exit::ENGINE_UNAVAILABLE);
            }
            Err(err) => {
                eprintln!("error: pushing {tag}: {err}");
                return Err(exit::BUILD_FAILED);
            }
        }
    }
    Ok(())
}
