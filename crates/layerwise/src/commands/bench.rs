//! `layerwise bench [DIR]`: measures cold builds, no-change rebuilds, a code
//! edit and a dependency edit for one or two Dockerfiles, in temporary
//! copies of the project, and reports median times, downloads, image size
//! and layers as Markdown, JSON and HTML.
//!
//! The user's tree is never written to. Images are tagged
//! `layerwise-bench-TOKEN:…` and removed afterwards, also after Ctrl-C or a
//! failed build. Package-download cache mounts get ids private to each run
//! (see `layerwise_bench::edits::isolate_cache_mounts`), so "empty download
//! cache" is measured without pruning the build cache others rely on.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use layerwise_bench::downloads;
use layerwise_bench::edits::{self, DependencyEdit};
use layerwise_bench::report::{
    ImageFacts, Machine, Report, Run, Scenario, ScenarioKind, Variant, format_seconds,
};
use layerwise_engine::{BuildOptions, BuildOutcome, Engine, EngineError, Event, Step};
use layerwise_python::Project;

use crate::exit;

/// The name the measured Dockerfile gets inside each temporary copy.
const BENCH_DOCKERFILE: &str = "layerwise-bench.Dockerfile";
/// Image repository prefix of every image bench creates.
pub const IMAGE_PREFIX: &str = "layerwise-bench-";
/// Log lines shown when a build fails.
const FAILURE_TAIL: usize = 40;

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// The project directory (the build context).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The Dockerfile to measure (default: DIR/Dockerfile, else DIR/Dockerfile.naive).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Also measure this Dockerfile, reported as "Before" (FILE is "After").
    #[arg(long, value_name = "FILE", conflicts_with = "init")]
    pub baseline: Option<PathBuf>,
    /// Compare FILE ("Before") with the Dockerfile `layerwise init` would
    /// generate ("After"), without writing it into the project.
    #[arg(long)]
    pub init: bool,
    /// Runs per scenario; figures are medians.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub runs: u32,
    /// Also estimate times on a link of this many Mbit/s from the bytes downloaded.
    #[arg(long, value_name = "MBIT")]
    pub bandwidth: Option<f64>,
    /// Write the report as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the report as an HTML page with an SVG chart.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the Markdown table (it is printed either way).
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
}

/// One Dockerfile to measure.
struct Plan {
    label: String,
    description: String,
    text: String,
    /// Ignore rules to use for it in the copy, when the project's own
    /// `.dockerignore` is not the one that applies.
    ignore: Option<String>,
}

/// What every run of every variant shares.
struct Setup {
    dir: PathBuf,
    project: Option<Project>,
    code_file: Option<String>,
    dependency: Result<DependencyEdit, String>,
    runs: u32,
    bandwidth: Option<f64>,
    token: String,
}

pub fn run(args: BenchArgs) -> anyhow::Result<u8> {
    if let Some(mbit) = args.bandwidth
        && !(mbit.is_finite() && mbit > 0.0)
    {
        eprintln!("error: --bandwidth must be a positive number of Mbit/s");
        return Ok(exit::INPUT_ERROR);
    }
    if !args.dir.is_dir() {
        eprintln!("error: {} is not a directory", args.dir.display());
        return Ok(exit::INPUT_ERROR);
    }
    let project = layerwise_python::detect(&args.dir);
    let plans = match plans(&args, project.as_ref().ok()) {
        Ok(plans) => plans,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    let project = project.ok();
    let code_file =
        layerwise_python::code_file(&args.dir, project.as_ref().and_then(|p| p.app.as_ref()));
    let dependency = match &project {
        Some(project) => {
            if project.manager != layerwise_python::PackageManager::Pip {
                eprintln!(
                    "locking the dependency edit with {} (once, in a temporary copy)…",
                    project.manager
                );
            }
            edits::plan_dependency_edit(&args.dir, project)
        }
        None => Err("no Python project was detected, so there is no manifest to edit".into()),
    };
    let setup = Setup {
        dir: args.dir.clone(),
        project,
        code_file,
        dependency,
        runs: args.runs,
        bandwidth: args.bandwidth,
        token: token(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let (code, report) = runtime.block_on(bench(&setup, &plans))?;
    let Some(report) = report else {
        return Ok(code);
    };
    let markdown = report.to_markdown();
    print!("{markdown}");
    let outputs = [
        (&args.markdown, markdown),
        (&args.json, report.to_json()),
        (&args.html, layerwise_bench::html::render(&report)),
    ];
    for (path, text) in outputs {
        if let Some(path) = path {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(code)
}

/// A short token unique to this bench, for image tags and cache ids.
fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", std::process::id(), nanos)
}

/// The Dockerfiles to measure, in report order.
fn plans(args: &BenchArgs, project: Option<&Project>) -> Result<Vec<Plan>, String> {
    let main = match &args.file {
        Some(file) => file.clone(),
        None => {
            let plain = args.dir.join("Dockerfile");
            let naive = args.dir.join("Dockerfile.naive");
            if plain.is_file() {
                plain
            } else if naive.is_file() {
                naive
            } else {
                return Err(format!(
                    "no Dockerfile in {} (give one with -f)",
                    args.dir.display()
                ));
            }
        }
    };
    let user = |label: &str, path: &Path| -> Result<Plan, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let parsed = layerwise_syntax::parse(&text);
        if let Some(error) = parsed.errors().first() {
            let at = parsed.position(error.span.start);
            return Err(format!(
                "{}:{}:{}: {error}",
                path.display(),
                at.line,
                at.column
            ));
        }
        // A Dockerfile-specific ignore file follows the Dockerfile.
        let specific = layerwise_ignore::locate(&args.dir, path)
            .filter(|found| found.file_name() != Some(std::ffi::OsStr::new(".dockerignore")));
        let ignore = match specific {
            Some(found) => Some(
                std::fs::read_to_string(&found)
                    .map_err(|e| format!("reading {}: {e}", found.display()))?,
            ),
            None => None,
        };
        Ok(Plan {
            label: label.into(),
            description: format!("`{}`", path.display()),
            text,
            ignore,
        })
    };
    if args.init {
        let project = project.ok_or_else(|| {
            format!(
                "--init: no Python project detected in {}",
                args.dir.display()
            )
        })?;
        // The start command does not matter for build timings.
        let (plan, _) =
            layerwise_init::plan_or_placeholder(&args.dir, project, &Default::default())
                .map_err(|e| format!("--init: {e}"))?;
        let files = layerwise_init::generate(&plan, Default::default());
        let text = files
            .iter()
            .find(|f| f.path == "Dockerfile")
            .map(|f| f.contents.clone())
            .ok_or("--init produced no Dockerfile")?;
        let ignore = if args.dir.join(".dockerignore").is_file() {
            None
        } else {
            files
                .iter()
                .find(|f| f.path == ".dockerignore")
                .map(|f| f.contents.clone())
        };
        return Ok(vec![
            user("Before", &main)?,
            Plan {
                label: "After".into(),
                description: "the Dockerfile `layerwise init` generates".into(),
                text,
                ignore,
            },
        ]);
    }
    match &args.baseline {
        Some(baseline) => Ok(vec![user("Before", baseline)?, user("After", &main)?]),
        None => Ok(vec![user("Dockerfile", &main)?]),
    }
}

/// Images this bench tagged, to remove at the end whatever happens.
#[derive(Default)]
struct Created {
    tags: Vec<String>,
    build_path: Option<String>,
}

/// Why measuring stopped early.
enum Stop {
    Failed(Box<BuildOutcome>, String),
    Engine(EngineError),
    Io(String),
}

async fn bench(setup: &Setup, plans: &[Plan]) -> anyhow::Result<(u8, Option<Report>)> {
    let engine = match Engine::connect().await {
        Ok(engine) => engine,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok((exit::ENGINE_UNAVAILABLE, None));
        }
    };
    let cache_before = engine.build_cache_usage().await.ok();
    let workspace = tempfile::Builder::new()
        .prefix("layerwise-bench-")
        .tempdir()
        .context("creating the temporary copy")?;
    let per_run = 3 + u64::from(setup.code_file.is_some()) + u64::from(setup.dependency.is_ok());
    let total = plans.len() as u64 * u64::from(setup.runs) * per_run;
    let progress = Progress::new(total);
    let mut created = Created::default();
    let measured = {
        let work = measure(
            &engine,
            setup,
            plans,
            workspace.path(),
            &progress,
            &mut created,
        );
        tokio::select! {
            result = work => Some(result),
            _ = tokio::signal::ctrl_c() => None,
        }
    };
    progress.finish();
    for tag in &created.tags {
        // A tag already gone (e.g. the build was cancelled before tagging)
        // is not worth reporting.
        let _ = engine.remove_image(tag).await;
    }
    drop(workspace);
    let variants = match measured {
        None => {
            eprintln!("interrupted: bench cancelled, temporary images and files removed");
            return Ok((exit::INTERRUPTED, None));
        }
        Some(Err(Stop::Failed(outcome, context))) => {
            report_failure(&outcome, &context);
            return Ok((exit::BUILD_FAILED, None));
        }
        Some(Err(Stop::Engine(err))) => {
            eprintln!("error: the engine failed during the bench: {err}");
            let code = match err {
                EngineError::Unreachable { .. } | EngineError::TooOld { .. } => {
                    exit::ENGINE_UNAVAILABLE
                }
                _ => exit::BUILD_FAILED,
            };
            return Ok((code, None));
        }
        Some(Err(Stop::Io(message))) => {
            eprintln!("error: {message}");
            return Ok((exit::INPUT_ERROR, None));
        }
        Some(Ok(variants)) => variants,
    };
    let mut notes = Vec::new();
    if let Some(file) = &setup.code_file {
        notes.push(format!(
            "the code edit appends one comment line to `{file}`, a new line each run"
        ));
    }
    if let Ok(edit) = &setup.dependency {
        let lock = edit.lock.as_ref().map_or(String::new(), |lock| {
            format!(
                ", with `{}` regenerated once beforehand by `{}`",
                lock.file, lock.command
            )
        });
        notes.push(format!(
            "the dependency edit adds `{}` to `{}`{lock}",
            edit.requirement, edit.file
        ));
    }
    for plan in plans {
        if edits::isolate_cache_mounts(&plan.text, "").1 == 0 {
            notes.push(format!(
                "{} has no cache mounts: its two cold builds differ only by noise",
                plan.label
            ));
        }
    }
    for (plan, variant) in plans.iter().zip(&variants) {
        let bytes = |kind| {
            variant
                .scenario(kind)
                .and_then(|s| s.downloaded_bytes)
                .map(|b| b.median)
        };
        let warm = variant.scenario(ScenarioKind::ColdWarmCache);
        if edits::isolate_cache_mounts(&plan.text, "").1 > 0
            && let (Some(empty), Some(warm_bytes), Some(warm)) = (
                bytes(ScenarioKind::ColdEmptyCache),
                bytes(ScenarioKind::ColdWarmCache),
                warm.and_then(|w| w.runs.last()),
            )
            && empty > 0.0
            && warm_bytes >= empty
        {
            let fetched: Vec<String> = warm
                .downloads
                .packages
                .iter()
                .filter(|p| p.how == layerwise_bench::downloads::Fetch::Downloaded)
                .map(|p| p.name.clone())
                .collect();
            notes.push(format!(
                "{}: the warm download cache did not spare downloading {} again ({}); pip \
                 keeps nothing in its cache mount when the index's answers are not \
                 cacheable, as on this network",
                plan.label,
                layerwise_bench::report::human_bytes(warm_bytes),
                fetched.join(", ")
            ));
        }
    }
    if let Some(mbit) = setup.bandwidth {
        notes.push(format!(
            "estimates at {mbit} Mbit/s add the downloaded bytes' transfer time to the measured time"
        ));
    }
    if let (Some(before), Ok(after)) = (cache_before, engine.build_cache_usage().await) {
        notes.push(format!(
            "the build cache grew by {} (layers and this bench's private download caches; \
             `docker builder prune` reclaims it)",
            layerwise_bench::report::human_bytes(after.bytes.saturating_sub(before.bytes) as f64)
        ));
    }
    if setup.project.is_none() {
        notes.push("no Python project was detected".into());
    }
    let report = Report {
        project: setup.dir.display().to_string(),
        runs: setup.runs as usize,
        bandwidth_mbit: setup.bandwidth,
        machine: Machine {
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            os: os_name(),
            engine: format!(
                "Docker Engine {} (API {})",
                engine.engine_version(),
                engine.api_version()
            ),
            build_path: created.build_path.unwrap_or_else(|| "engine".into()),
        },
        variants,
        notes,
        temporary_images: created.tags.clone(),
    };
    Ok((exit::SUCCESS, Some(report)))
}

fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

fn report_failure(outcome: &BuildOutcome, context: &str) {
    eprintln!("error: the build failed during {context}");
    if let Some(failure) = &outcome.failure {
        eprintln!("{}", failure.describe(FAILURE_TAIL));
    }
}

/// Runs every scenario of every Dockerfile `setup.runs` times.
async fn measure(
    engine: &Engine,
    setup: &Setup,
    plans: &[Plan],
    workspace: &Path,
    progress: &Progress,
    created: &mut Created,
) -> Result<Vec<Variant>, Stop> {
    let mut variants = Vec::new();
    for (v, plan) in plans.iter().enumerate() {
        let mut runs: Vec<Vec<Run>> = vec![Vec::new(); ScenarioKind::ALL.len()];
        let mut image = None;
        for r in 0..setup.runs {
            let marker = format!("{}-{v}-{r}", setup.token);
            let copy = workspace.join(format!("v{v}-r{r}"));
            edits::copy_tree(&setup.dir, &copy)
                .map_err(|e| Stop::Io(format!("copying {}: {e}", setup.dir.display())))?;
            let (text, _) = edits::isolate_cache_mounts(&plan.text, &marker);
            write(&copy.join(BENCH_DOCKERFILE), &text)?;
            if let Some(ignore) = &plan.ignore {
                write(
                    &copy.join(format!("{BENCH_DOCKERFILE}.dockerignore")),
                    ignore,
                )?;
            }
            for (s, kind) in ScenarioKind::ALL.into_iter().enumerate() {
                match kind {
                    ScenarioKind::CodeEdit => {
                        let Some(file) = &setup.code_file else {
                            continue;
                        };
                        edits::apply_code_edit(&copy, file, &marker)
                            .map_err(|e| Stop::Io(format!("editing {file}: {e}")))?;
                    }
                    ScenarioKind::DependencyEdit => {
                        let Ok(edit) = &setup.dependency else {
                            continue;
                        };
                        edits::apply_dependency_edit(&copy, edit, &marker)
                            .map_err(|e| Stop::Io(format!("editing {}: {e}", edit.file)))?;
                    }
                    _ => {}
                }
                let what = format!(
                    "{}, run {}/{}, {}",
                    plan.label,
                    r + 1,
                    setup.runs,
                    kind.title().to_lowercase()
                );
                progress.start(&what);
                let tag = format!("{IMAGE_PREFIX}{}:v{v}-r{r}-s{s}", setup.token);
                let no_cache = matches!(
                    kind,
                    ScenarioKind::ColdEmptyCache | ScenarioKind::ColdWarmCache
                );
                let outcome = build(engine, &copy, &tag, no_cache, progress, created).await?;
                if !outcome.succeeded() {
                    return Err(Stop::Failed(Box::new(outcome), what));
                }
                let run = run_of(&outcome);
                progress.done(&what, &run);
                if kind == ScenarioKind::ColdEmptyCache && image.is_none() {
                    image = image_facts(engine, &tag).await;
                }
                runs[s].push(run);
            }
            // Later runs start again from the original tree.
            let _ = std::fs::remove_dir_all(&copy);
        }
        let mut scenarios = Vec::new();
        for (kind, runs) in ScenarioKind::ALL.into_iter().zip(runs) {
            scenarios.push(scenario(setup, kind, runs));
        }
        variants.push(Variant {
            label: plan.label.clone(),
            dockerfile: plan.description.clone(),
            scenarios,
            image,
        });
    }
    Ok(variants)
}

fn scenario(setup: &Setup, kind: ScenarioKind, runs: Vec<Run>) -> Scenario {
    let detail = match kind {
        ScenarioKind::CodeEdit => setup.code_file.clone(),
        ScenarioKind::DependencyEdit => setup
            .dependency
            .as_ref()
            .ok()
            .map(|e| format!("{} in {}", e.requirement, e.file)),
        _ => None,
    };
    let skipped = match kind {
        ScenarioKind::CodeEdit if setup.code_file.is_none() => {
            Some("no Python source file found to edit".to_string())
        }
        ScenarioKind::DependencyEdit => setup.dependency.as_ref().err().cloned(),
        _ => None,
    };
    match skipped {
        Some(reason) => Scenario::skipped(kind, detail, reason),
        None => Scenario::measured(kind, detail, runs, setup.bandwidth),
    }
}

fn write(path: &Path, text: &str) -> Result<(), Stop> {
    std::fs::write(path, text).map_err(|e| Stop::Io(format!("writing {}: {e}", path.display())))
}

/// Builds the copy at `dir` with its bench Dockerfile.
async fn build(
    engine: &Engine,
    dir: &Path,
    tag: &str,
    no_cache: bool,
    progress: &Progress,
    created: &mut Created,
) -> Result<BuildOutcome, Stop> {
    let context = layerwise_context::context_tar(dir, BENCH_DOCKERFILE)
        .map(bytes::Bytes::from)
        .map_err(|e| Stop::Io(e.to_string()))?;
    let options = BuildOptions {
        dockerfile: BENCH_DOCKERFILE.into(),
        tags: vec![tag.to_string()],
        no_cache,
        ..BuildOptions::default()
    };
    created.tags.push(tag.to_string());
    let mut observer = |event: &Event, steps: &[Step]| progress.event(event, steps);
    let outcome = engine
        .build(&options, context, &mut observer)
        .await
        .map_err(Stop::Engine)?;
    created
        .build_path
        .get_or_insert_with(|| outcome.path.to_string());
    Ok(outcome)
}

/// Time, steps and downloads of one successful build. `FROM` steps are
/// left out: BuildKit reports resolving the base image as work even when
/// nothing was rebuilt.
fn run_of(outcome: &BuildOutcome) -> Run {
    let (ran, cached): (Vec<&Step>, Vec<&Step>) =
        outcome.work_steps().partition(|step| !step.cached);
    let logs = ran.iter().flat_map(|s| s.logs.iter().map(String::as_str));
    Run {
        seconds: outcome.elapsed.as_secs_f64(),
        steps_ran: ran.iter().map(|s| s.name.clone()).collect(),
        steps_cached: cached.iter().map(|s| s.name.clone()).collect(),
        downloads: downloads::parse(logs),
    }
}

async fn image_facts(engine: &Engine, tag: &str) -> Option<ImageFacts> {
    let inspect = engine.docker().inspect_image(tag).await.ok()?;
    Some(ImageFacts {
        size_bytes: u64::try_from(inspect.size?).ok()?,
        layers: inspect.root_fs?.layers.map(|l| l.len()).unwrap_or(0),
    })
}

/// A progress bar on a terminal, one line per build otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    count: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            total,
            count: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn start(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(what.to_string());
        }
    }

    fn event(&self, event: &Event, steps: &[Step]) {
        if let (Some(bar), Event::Started(i)) = (&self.bar, event)
            && let Some(step) = steps.get(*i)
        {
            let mut name = step.name.clone();
            if name.chars().count() > 60 {
                name = name.chars().take(59).collect::<String>() + "…";
            }
            bar.set_message(name);
        }
    }

    fn done(&self, what: &str, run: &Run) {
        let n = self
            .count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        match &self.bar {
            Some(bar) => bar.inc(1),
            None => eprintln!(
                "[{n}/{}] {what}: {} ({} step{} ran)",
                self.total,
                format_seconds(run.seconds),
                run.steps_ran.len(),
                if run.steps_ran.len() == 1 { "" } else { "s" }
            ),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
