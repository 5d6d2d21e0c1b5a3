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
use layerwise_bench::edits;
use layerwise_bench::measure::{self, Candidate, Setup, Stop};
use layerwise_bench::report::{Run, format_seconds};
use layerwise_engine::{BuildOutcome, Engine, EngineError, Event, Step};
use layerwise_python::PythonProject;

use crate::exit;
use crate::output::truncate;

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
    /// Also estimate times on a link of this many Mbit/s from the bytes each build
    /// received (counted at this machine's network adapters for a local engine,
    /// else the sizes installers printed).
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
        token: measure::token(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let progress = Progress::new(setup.builds(plans.len()));
    let result = runtime.block_on(async {
        let engine = Engine::connect().await?;
        Ok::<_, EngineError>(measure::bench(&engine, &setup, &plans, &progress).await)
    });
    progress.finish();
    let report = match result {
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("hint: {hint}");
            }
            return Ok(exit::ENGINE_UNAVAILABLE);
        }
        Ok(Ok(report)) => report,
        Ok(Err(stop)) => return Ok(stopped(stop)),
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
    Ok(exit::SUCCESS)
}

/// The Dockerfiles to measure, in report order.
fn plans(args: &BenchArgs, project: Option<&PythonProject>) -> Result<Vec<Candidate>, String> {
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
    let user = |label: &str, path: &Path| -> Result<Candidate, String> {
        let text = layerwise_syntax::read_buildable(path)
            .map_err(|e| e.to_string())?
            .source()
            .to_string();
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
        Ok(Candidate {
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
            Candidate {
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

/// Says why the bench stopped; the exit code.
fn stopped(stop: Stop) -> u8 {
    match stop {
        Stop::Interrupted => {
            eprintln!("interrupted: bench cancelled, temporary images and files removed");
            exit::INTERRUPTED
        }
        Stop::Failed(outcome, context) => {
            report_failure(&outcome, &context);
            exit::BUILD_FAILED
        }
        Stop::Engine(err) => {
            eprintln!("error: the engine failed during the bench: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("hint: {hint}");
            }
            match err {
                EngineError::Unreachable { .. } | EngineError::TooOld { .. } => {
                    exit::ENGINE_UNAVAILABLE
                }
                _ => exit::BUILD_FAILED,
            }
        }
        Stop::Io(message) => {
            eprintln!("error: {message}");
            exit::INPUT_ERROR
        }
    }
}

fn report_failure(outcome: &BuildOutcome, context: &str) {
    eprintln!("error: the build failed during {context}");
    if let Some(failure) = &outcome.failure {
        eprintln!("{}", failure.describe(FAILURE_TAIL));
    }
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

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl measure::Progress for Progress {
    fn start(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(what.to_string());
        }
    }

    fn event(&self, event: &Event, steps: &[Step]) {
        if let (Some(bar), Event::Started(i)) = (&self.bar, event)
            && let Some(step) = steps.get(*i)
        {
            bar.set_message(truncate(&step.name, 60));
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
}
