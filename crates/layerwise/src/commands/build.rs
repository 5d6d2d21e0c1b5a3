//! `layerwise build [DIR]`: a BuildKit build through the Docker Engine API
//! with a per-step table (stage, Dockerfile line, cached or ran, duration),
//! an optional JSON report, and `--compose` to build every service.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use layerwise_engine::{
    BuildOptions, BuildOutcome, CacheTo, Engine, EngineError, Event, PathChoice, SecretSpec, Step,
    parse_cache_from,
};
use layerwise_explain::StepRow;

use crate::exit;

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
    /// Do not use the build cache.
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

/// One image to build: where its context and Dockerfile are and how.
struct Job {
    /// The compose service, if any.
    service: Option<String>,
    context: PathBuf,
    dockerfile: PathBuf,
    options: BuildOptions,
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
        Some(file) => compose_jobs(&args.dir, file, &base),
        None => single_job(&args, base),
    };
    let jobs = match jobs {
        Ok(jobs) => jobs,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_jobs(jobs, args.progress, report))
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
        None => crate::commands::check::default_dockerfile(&context)?,
    };
    Ok(vec![Job {
        service: None,
        context,
        dockerfile,
        options,
    }])
}

/// A Dockerfile ready to send: the context tar and the parsed file.
struct Prepared {
    /// The Dockerfile's path inside the context, with `/` separators.
    dockerfile_in_context: String,
    /// The canonical context directory.
    context: PathBuf,
    /// What the build can read from the context.
    walk: layerwise_context::Walk,
}

/// From this many selected bytes on, `--via auto` builds through a docker
/// CLI's file sync (when one is installed) rather than sending a tar: the
/// tar is sent whole on every build, file sync only sends what changed.
/// `LAYERWISE_FILE_SYNC_MIN_BYTES` overrides it.
const FILE_SYNC_MIN_BYTES: u64 = 256 << 20;

impl Prepared {
    /// The deterministic tar of the selected files.
    fn tar(&self) -> Result<bytes::Bytes, String> {
        let mut tar = Vec::new();
        layerwise_context::write_tar(&self.walk, &mut tar).map_err(|e| e.to_string())?;
        Ok(bytes::Bytes::from(tar))
    }

    /// Whether the selected files are large enough for file sync to pay.
    fn large(&self) -> bool {
        let threshold = std::env::var("LAYERWISE_FILE_SYNC_MIN_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(FILE_SYNC_MIN_BYTES);
        self.walk.total_file_bytes() >= threshold
    }
}

fn prepare(job: &Job) -> Result<Prepared, String> {
    let context = job
        .context
        .canonicalize()
        .map_err(|e| format!("build context {}: {e}", job.context.display()))?;
    if !context.is_dir() {
        return Err(format!(
            "build context {} is not a directory",
            job.context.display()
        ));
    }
    let dockerfile_path = job
        .dockerfile
        .canonicalize()
        .map_err(|e| format!("Dockerfile {}: {e}", job.dockerfile.display()))?;
    let relative = dockerfile_path.strip_prefix(&context).map_err(|_| {
        format!(
            "Dockerfile {} is outside the build context {}; move it into the context",
            job.dockerfile.display(),
            job.context.display()
        )
    })?;
    let dockerfile_in_context = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let source = std::fs::read(&dockerfile_path)
        .map_err(|e| format!("reading {}: {e}", job.dockerfile.display()))?;
    let source = String::from_utf8(source)
        .map_err(|_| format!("{} is not UTF-8 text", job.dockerfile.display()))?;
    let dockerfile = layerwise_syntax::parse(&source);
    if let Some(error) = dockerfile.build_errors().first() {
        let position = dockerfile.position(error.span.start);
        return Err(format!(
            "{}:{}:{}: {}",
            job.dockerfile.display(),
            position.line,
            position.column,
            error
        ));
    }
    let walk_options = layerwise_context::WalkOptions {
        sources: layerwise_explain::plan::context_sources(&dockerfile),
        ..layerwise_context::WalkOptions::for_build(&context, &dockerfile_in_context)
            .map_err(|e| e.to_string())?
    };
    let walk = layerwise_context::walk(&context, &walk_options).map_err(|e| e.to_string())?;
    Ok(Prepared {
        dockerfile_in_context,
        context,
        walk,
    })
}

fn round_ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0).round() / 1000.0
}

/// Live progress output.
enum Display {
    Bar(ProgressBar),
    Plain,
    Json,
    Quiet,
}

impl Display {
    fn new(progress: Progress) -> Display {
        match progress {
            Progress::Auto if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::new_spinner();
                let style = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style);
                bar.enable_steady_tick(Duration::from_millis(120));
                Display::Bar(bar)
            }
            Progress::Auto | Progress::Plain => Display::Plain,
            Progress::Json => Display::Json,
            Progress::Quiet => Display::Quiet,
        }
    }

    fn event(&self, event: &Event, steps: &[Step]) {
        let step_of = |index: &usize| steps.get(*index);
        match (self, event) {
            (Display::Quiet, _) => {}
            (Display::Json, event) => {
                let value = match event {
                    Event::Started(i) => step_of(i).map(|s| {
                        serde_json::json!({"event": "started", "step": s.name, "cached": s.cached})
                    }),
                    Event::Log(i, line) => step_of(i)
                        .map(|s| serde_json::json!({"event": "log", "step": s.name, "line": line})),
                    Event::Finished(i) => step_of(i).map(|s| {
                        serde_json::json!({"event": "finished", "step": s.name, "cached": s.cached,
                            "duration_s": round_ms(s.duration()), "error": s.error})
                    }),
                };
                if let Some(value) = value {
                    eprintln!("{value}");
                }
            }
            (Display::Plain, Event::Started(i)) => {
                if let Some(step) = step_of(i) {
                    eprintln!("=> {}", step.name);
                }
            }
            (Display::Plain, Event::Log(i, line)) => {
                if let Some(step) = step_of(i) {
                    eprintln!("   {} | {line}", short_name(step));
                }
            }
            (Display::Plain, Event::Finished(i)) => {
                if let Some(step) = step_of(i) {
                    eprintln!("   {} {}", short_name(step), status_word(step));
                }
            }
            (Display::Bar(bar), Event::Started(_)) => bar.set_message(running(steps)),
            (Display::Bar(bar), Event::Log(i, line)) => {
                if let Some(step) = step_of(i) {
                    bar.set_message(format!("{} | {}", short_name(step), truncate(line, 60)));
                }
            }
            (Display::Bar(bar), Event::Finished(i)) => {
                if let Some(step) = step_of(i) {
                    bar.println(format!(
                        "{} {}",
                        status_word(step),
                        truncate(&step.name, 90)
                    ));
                }
                bar.set_message(running(steps));
            }
        }
    }

    fn finish(&self) {
        if let Display::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

fn short_name(step: &Step) -> String {
    let stage = if step.stage.is_empty() {
        String::new()
    } else {
        format!("{} ", step.stage)
    };
    format!("[{stage}{}/{}]", step.index, step.count)
}

fn status_word(step: &Step) -> String {
    if step.error.is_some() {
        "ERROR".to_string()
    } else if step.cached {
        "CACHED".to_string()
    } else {
        format!("DONE {:.1}s", step.duration().as_secs_f64())
    }
}

fn running(steps: &[Step]) -> String {
    let names: Vec<String> = steps
        .iter()
        .filter(|s| !s.is_done() && s.error.is_none() && s.started.is_some())
        .map(|s| truncate(&s.name, 70))
        .collect();
    if names.is_empty() {
        "building".to_string()
    } else {
        names.join("  ")
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Where layerwise looked and how to get an engine.
fn explain_engine_error(err: &EngineError) {
    eprintln!("error: {err}");
    match err {
        EngineError::Unreachable { .. } => eprintln!(
            "hint: start the Docker engine (e.g. `sudo systemctl start docker`, or Docker Desktop), \
             or point DOCKER_HOST / DOCKER_CONTEXT at a running one; `layerwise doctor` checks the setup"
        ),
        EngineError::TooOld { .. } => eprintln!(
            "hint: upgrade Docker to 20.10 or newer (BuildKit needs 18.09+, cache mounts without \
             a syntax line 20.10+)"
        ),
        _ => {}
    }
}

struct Finished {
    service: Option<String>,
    rows: Vec<StepRow>,
    outcome: BuildOutcome,
}

async fn run_jobs(
    jobs: Vec<Job>,
    progress: Progress,
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
    let mut finished = Vec::new();
    let mut code = exit::SUCCESS;
    for (job, prepared) in jobs.into_iter().zip(prepared) {
        if let Some(service) = &job.service
            && progress != Progress::Quiet
        {
            eprintln!("building service {service}");
        }
        let mut options = job.options.clone();
        options.dockerfile = prepared.dockerfile_in_context.clone();
        let mut sync_note = None;
        let tar = if options.path == PathChoice::Auto
            && prepared.large()
            && layerwise_engine::cli_available().await
        {
            options.context_dir = Some(prepared.context.clone());
            sync_note = Some(format!(
                "the build can read {:.0} MB of the context: sent through a docker CLI's file sync, which re-sends only changed files",
                prepared.walk.total_file_bytes() as f64 / 1e6
            ));
            bytes::Bytes::new()
        } else {
            match prepared.tar() {
                Ok(tar) => tar,
                Err(message) => {
                    eprintln!("error: {message}");
                    return Ok(exit::INPUT_ERROR);
                }
            }
        };
        let display = Display::new(progress);
        let mut observer = |event: &Event, steps: &[Step]| display.event(event, steps);
        let build = engine.build(&options, tar, &mut observer);
        // Dropping the build future closes the request and the session: the
        // engine cancels the solve and tags nothing.
        let result = tokio::select! {
            result = build => result,
            _ = tokio::signal::ctrl_c() => {
                display.finish();
                eprintln!("interrupted: build cancelled");
                return Ok(exit::INTERRUPTED);
            }
        };
        display.finish();
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(err @ EngineError::InvalidOption(_)) => {
                eprintln!("error: {err}");
                return Ok(exit::INPUT_ERROR);
            }
            Err(err @ (EngineError::Unreachable { .. } | EngineError::TooOld { .. })) => {
                explain_engine_error(&err);
                return Ok(exit::ENGINE_UNAVAILABLE);
            }
            Err(err) => {
                eprintln!("error: the build could not run: {err}");
                return Ok(exit::BUILD_FAILED);
            }
        };
        let mut outcome = outcome;
        outcome.notes.extend(sync_note);
        let failed = !outcome.succeeded();
        let rows = rows_and_record(&engine, &job, &outcome, !failed).await;
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
    }
    if let Some(path) = report {
        write_report(&path, &finished)?;
    }
    Ok(code)
}

fn print_summary(
    service: Option<&str>,
    rows: &[StepRow],
    outcome: &BuildOutcome,
    progress: Progress,
) {
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    if let Some(failure) = &outcome.failure {
        eprintln!();
        match &failure.step {
            Some(step) => eprintln!("error: build failed at step {step}"),
            None => eprintln!("error: build failed"),
        }
        if let Some(row) = rows
            .iter()
            .find(|r| failure.step.as_deref() == Some(r.vertex.as_str()))
        {
            eprintln!(
                "  Dockerfile line {} (stage {}): {}",
                row.line, row.stage, row.instruction
            );
        }
        eprintln!("  {}", failure.message);
        if !failure.logs.is_empty() {
            eprintln!("  last output:");
            for line in failure.last_lines(20) {
                eprintln!("    {line}");
            }
        }
        return;
    }
    if progress == Progress::Quiet {
        return;
    }
    if progress == Progress::Json {
        let value = serde_json::json!({
            "service": service,
            "image_id": outcome.image_id,
            "total_s": round_ms(outcome.elapsed),
            "path": outcome.path.to_string(),
            "steps": rows,
        });
        println!("{value}");
        return;
    }
    let title = service
        .map(|s| format!("service {s}: "))
        .unwrap_or_default();
    println!();
    println!("{title}built with {}", outcome.path);
    let stage_width = rows.iter().map(|r| r.stage.len()).max().unwrap_or(5).max(5);
    println!(
        "{:<stage_width$}  {:>5}  {:<60}  {:<6}  {:>8}",
        "STAGE", "LINE", "INSTRUCTION", "", "TIME"
    );
    for row in rows {
        let line = row.line;
        let status = if row.cached { "cached" } else { "ran" };
        // A vertex several instructions share is timed on its first row.
        let time = match row.same_vertex_as {
            _ if row.cached => "-".to_string(),
            Some(first) => format!("=line {first}"),
            None => format!("{:.2}s", row.duration_s),
        };
        println!(
            "{:<stage_width$}  {line:>5}  {:<60}  {status:<6}  {time:>8}",
            row.stage,
            truncate(&row.instruction, 60)
        );
    }
    println!("total {:.2}s", outcome.elapsed.as_secs_f64());
    let slowest = rows
        .iter()
        .filter(|r| !r.cached)
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    match slowest {
        Some(row) => println!(
            "slowest step that ran: line {} ({:.2}s): {}",
            row.line,
            row.duration_s,
            truncate(&row.instruction, 80)
        ),
        None => println!("every step came from the cache"),
    }
    if let Some(id) = &outcome.image_id {
        println!("image {id}");
    }
}

/// The report rows of a finished build, from the same plan `layerwise
/// explain` predicts with; after a build that worked, that plan is also
/// recorded for the next `explain`. A build is never failed for this: a plan
/// or state that cannot be made is a note.
async fn rows_and_record(
    engine: &Engine,
    job: &Job,
    outcome: &BuildOutcome,
    record: bool,
) -> Vec<StepRow> {
    let inputs = layerwise_explain::Inputs {
        target: job.options.target.clone(),
        build_args: job.options.build_args.iter().cloned().collect(),
    };
    let planned = match layerwise_explain::Project::new(&job.context, Some(&job.dockerfile)) {
        Ok(project) => layerwise_explain::plan_build(engine, &project, &inputs)
            .await
            .map(|plan| (project, plan)),
        Err(err) => Err(err),
    };
    let (project, plan) = match planned {
        Ok(planned) => planned,
        Err(err) => {
            eprintln!(
                "note: no per-instruction report: the Dockerfile could not be planned: {err}"
            );
            return Vec::new();
        }
    };
    let rows = layerwise_explain::rows(&plan, &outcome.steps);
    if record {
        match layerwise_explain::record_plan(&project, &inputs, &plan, &outcome.steps) {
            Ok(recorded) => {
                for notice in recorded.notices {
                    eprintln!("note: {notice}");
                }
            }
            Err(err) => eprintln!("note: build state for `layerwise explain` not recorded: {err}"),
        }
    }
    rows
}

fn write_report(path: &Path, finished: &[Finished]) -> anyhow::Result<()> {
    let one = |f: &Finished| {
        serde_json::json!({
            "image_id": f.outcome.image_id,
            "total_s": round_ms(f.outcome.elapsed),
            "steps": f.rows,
        })
    };
    let value = match finished {
        [single] if single.service.is_none() => one(single),
        many => serde_json::json!({
            "services": many.iter().map(|f| {
                let mut value = one(f);
                value["service"] = serde_json::json!(f.service);
                value
            }).collect::<Vec<_>>()
        }),
    };
    let text = serde_json::to_string_pretty(&value)?;
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The services of a compose file that have a `build:` section, dependencies first.
fn compose_jobs(dir: &Path, file: &Path, base: &BuildOptions) -> Result<Vec<Job>, String> {
    let path = if file.as_os_str().is_empty() || file == Path::new(".") {
        [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
        ]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("no compose.yaml or docker-compose.yml in {}", dir.display()))?
    } else {
        file.to_path_buf()
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let services = compose::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let project = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".to_string());
    let project = compose::project_name(&project);
    let order = compose::order(&services)?;
    let mut jobs = Vec::new();
    for index in order {
        let service = &services[index];
        let Some(build) = &service.build else {
            continue;
        };
        let context = root.join(&build.context);
        let dockerfile = context.join(build.dockerfile.as_deref().unwrap_or("Dockerfile"));
        let mut options = base.clone();
        options.tags = match &service.image {
            Some(image) => vec![image.clone()],
            None => vec![format!("{project}-{}", service.name)],
        };
        options.tags.extend(base.tags.iter().cloned());
        if build.target.is_some() {
            options.target = build.target.clone();
        }
        for (key, value) in &build.args {
            options.build_args.retain(|(k, _)| k != key);
            options.build_args.push((key.clone(), value.clone()));
        }
        jobs.push(Job {
            service: Some(service.name.clone()),
            context,
            dockerfile,
            options,
        });
    }
    if jobs.is_empty() {
        return Err(format!(
            "{}: no service has a build section",
            path.display()
        ));
    }
    Ok(jobs)
}

mod compose {
    //! The part of the compose format `build --compose` needs.

    use yaml_rust2::{Yaml, YamlLoader};

    #[derive(Debug, Clone, PartialEq)]
    pub struct Service {
        pub name: String,
        pub image: Option<String>,
        pub build: Option<Build>,
        pub depends_on: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Build {
        pub context: String,
        pub dockerfile: Option<String>,
        pub target: Option<String>,
        pub args: Vec<(String, String)>,
    }

    fn scalar(yaml: &Yaml) -> Option<String> {
        match yaml {
            Yaml::String(s) => Some(s.clone()),
            Yaml::Integer(i) => Some(i.to_string()),
            Yaml::Real(r) => Some(r.clone()),
            Yaml::Boolean(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Services in file order.
    pub fn parse(text: &str) -> Result<Vec<Service>, String> {
        let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
        let doc = docs.first().ok_or("empty compose file")?;
        let services = doc["services"].as_hash().ok_or("no services mapping")?;
        let mut out = Vec::new();
        for (name, body) in services {
            let name = scalar(name).ok_or("a service name is not a string")?;
            let build = match &body["build"] {
                Yaml::BadValue | Yaml::Null => None,
                Yaml::String(context) => Some(Build {
                    context: context.clone(),
                    ..Build::default()
                }),
                Yaml::Hash(_) => {
                    let section = &body["build"];
                    let args = match &section["args"] {
                        Yaml::Hash(map) => map
                            .iter()
                            .filter_map(|(k, v)| Some((scalar(k)?, scalar(v).unwrap_or_default())))
                            .collect(),
                        Yaml::Array(list) => list
                            .iter()
                            .filter_map(scalar)
                            .filter_map(|item| {
                                let (k, v) = item.split_once('=')?;
                                Some((k.to_string(), v.to_string()))
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    Some(Build {
                        context: scalar(&section["context"]).unwrap_or_else(|| ".".into()),
                        dockerfile: scalar(&section["dockerfile"]),
                        target: scalar(&section["target"]),
                        args,
                    })
                }
                _ => return Err(format!("service {name}: build must be a path or a mapping")),
            };
            let depends_on = match &body["depends_on"] {
                Yaml::Array(list) => list.iter().filter_map(scalar).collect(),
                Yaml::Hash(map) => map.keys().filter_map(scalar).collect(),
                _ => Vec::new(),
            };
            out.push(Service {
                name,
                image: scalar(&body["image"]),
                build,
                depends_on,
            });
        }
        Ok(out)
    }

    /// Indices in an order where every service comes after what it depends on.
    pub fn order(services: &[Service]) -> Result<Vec<usize>, String> {
        let mut order = Vec::new();
        let mut state = vec![0u8; services.len()]; // 0 new, 1 visiting, 2 done
        fn visit(
            i: usize,
            services: &[Service],
            state: &mut [u8],
            order: &mut Vec<usize>,
        ) -> Result<(), String> {
            match state[i] {
                2 => return Ok(()),
                1 => {
                    return Err(format!(
                        "depends_on cycle through service {}",
                        services[i].name
                    ));
                }
                _ => {}
            }
            state[i] = 1;
            for dependency in &services[i].depends_on {
                let j = services
                    .iter()
                    .position(|s| &s.name == dependency)
                    .ok_or_else(|| {
                        format!(
                            "service {} depends on unknown service {dependency}",
                            services[i].name
                        )
                    })?;
                visit(j, services, state, order)?;
            }
            state[i] = 2;
            order.push(i);
            Ok(())
        }
        for i in 0..services.len() {
            visit(i, services, &mut state, &mut order)?;
        }
        Ok(order)
    }

    /// Compose's project name rule: lower-case letters, digits, `_` and `-`.
    pub fn project_name(dir: &str) -> String {
        let name: String = dir
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        if name.is_empty() {
            "project".to_string()
        } else {
            name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_services_are_ordered_by_depends_on() {
        let text = "\
services:
  web:
    build:
      context: ./web
      args:
        MODE: prod
    depends_on: [api]
  api:
    build: ./api
    image: example/api:1
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16
";
        let services = compose::parse(text).unwrap();
        assert_eq!(services.len(), 3);
        assert_eq!(
            services[0].build.as_ref().unwrap().args,
            vec![("MODE".to_string(), "prod".to_string())]
        );
        let order: Vec<&str> = compose::order(&services)
            .unwrap()
            .iter()
            .map(|&i| services[i].name.as_str())
            .collect();
        assert_eq!(order, ["db", "api", "web"]);
        let cyclic =
            compose::parse("services:\n  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n").unwrap();
        assert!(compose::order(&cyclic).is_err());
        assert_eq!(compose::project_name("My App"), "myapp");
    }
}
