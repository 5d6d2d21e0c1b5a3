//! The bench itself: every scenario of every Dockerfile, `runs` times, in
//! temporary copies of the project, built through `layerwise-build`; the
//! images it tags are removed afterwards whatever happens (Ctrl-C too).

use std::path::{Path, PathBuf};

use layerwise_build::{BuildError, BuiltImages, Interrupt, until_interrupted};
use layerwise_engine::{BuildOutcome, Engine, EngineError, Event, Step};
use layerwise_python::PythonProject;

use crate::downloads;
use crate::edits::{self, DependencyEdit};
use crate::network::Adapters;
use crate::report::{Breakdown, ImageFacts, Machine, Report, Run, Scenario, ScenarioKind, Variant};

/// The name the measured Dockerfile gets inside each temporary copy.
const BENCH_DOCKERFILE: &str = "layerwise-bench.Dockerfile";
/// Image repository prefix of every image bench creates.
pub const IMAGE_PREFIX: &str = "layerwise-bench-";

/// One Dockerfile to measure.
pub struct Candidate {
    pub label: String,
    pub description: String,
    pub text: String,
    /// Ignore rules to use for it in the copy, when the project's own
    /// `.dockerignore` is not the one that applies.
    pub ignore: Option<String>,
}

/// What every run of every candidate shares.
pub struct Setup {
    pub dir: PathBuf,
    pub project: Option<PythonProject>,
    pub code_file: Option<String>,
    pub dependency: Result<DependencyEdit, String>,
    pub runs: u32,
    pub bandwidth: Option<f64>,
    pub token: String,
}

impl Setup {
    /// Builds a whole bench makes: three cold-or-unchanged scenarios per
    /// run, plus each edit the project allows.
    pub fn builds(&self, candidates: usize) -> u64 {
        let per_run = 3 + u64::from(self.code_file.is_some()) + u64::from(self.dependency.is_ok());
        candidates as u64 * u64::from(self.runs) * per_run
    }
}

/// Where a bench shows its progress.
pub trait Progress: Sync {
    /// A scenario's build starts; `what` names candidate, run and scenario.
    fn start(&self, what: &str);
    /// Build progress from the engine.
    fn event(&self, event: &Event, steps: &[Step]);
    /// A scenario's build finished.
    fn done(&self, what: &str, run: &Run);
}

/// Why measuring stopped early.
pub enum Stop {
    /// A build failed; the string says during which scenario.
    Failed(Box<BuildOutcome>, String),
    Engine(EngineError),
    Io(String),
    /// Ctrl-C: the running build was cancelled.
    Interrupted,
}

/// A short token unique to this bench, for image tags and cache ids.
pub fn token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", std::process::id(), nanos)
}

/// Images this bench built, to remove at the end whatever happens, and how
/// it reached the engine.
#[derive(Default)]
struct Created {
    images: BuiltImages,
    build_path: Option<String>,
}

/// Measures every candidate; `engine` must be connected.
pub async fn bench(
    engine: &Engine,
    setup: &Setup,
    plans: &[Candidate],
    progress: &dyn Progress,
) -> Result<Report, Stop> {
    let cache_before = engine.build_cache_usage().await.ok();
    let workspace = tempfile::Builder::new()
        .prefix("layerwise-bench-")
        .tempdir()
        .map_err(|e| Stop::Io(format!("creating the temporary copy: {e}")))?;
    let mut interrupt =
        Interrupt::listen().map_err(|e| Stop::Io(format!("listening for Ctrl-C: {e}")))?;
    let mut created = Created::default();
    let measured = {
        let work = measure(
            engine,
            setup,
            plans,
            workspace.path(),
            progress,
            &mut created,
        );
        until_interrupted(&mut interrupt, work).await
    };
    created.images.remove(engine).await;
    drop(workspace);
    let variants = measured.map_err(|_| Stop::Interrupted)??;
    let mut notes = Vec::new();
    for variant in &variants {
        if let Some(why) = variant
            .image
            .as_ref()
            .and_then(|i| i.import_failure.as_ref())
        {
            notes.push(format!("{}: start-up not timed: {why}", variant.label));
        }
    }
    if let Some(module) = import_module(setup) {
        notes.push(format!(
            "start-up is the median time `import {module}` takes in {IMPORT_RUNS} new containers \
             of each image (without bytecode compiled at build time, every start compiles it again)"
        ));
    }
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
                .filter(|p| p.how == downloads::Fetch::Downloaded)
                .map(|p| p.name.clone())
                .collect();
            notes.push(format!(
                "{}: the warm download cache did not spare downloading {} again ({}); the \
                 installer found nothing usable for them in its cache mount",
                plan.label,
                crate::report::human_bytes(warm_bytes),
                fetched.join(", ")
            ));
        }
    }
    if let Some(mbit) = setup.bandwidth {
        let counted = variants
            .iter()
            .flat_map(|v| &v.scenarios)
            .filter(|s| s.seconds.is_some())
            .all(|s| s.received_bytes.is_some());
        let bytes = if counted {
            "the bytes this machine's network adapters received during the build (packages, \
             index pages, TLS)"
        } else {
            "the sizes the installers printed for their downloads (a lower bound: the \
             network adapters could not be read)"
        };
        notes.push(format!(
            "estimates at {mbit} Mbit/s add the transfer time of {bytes} to the measured time"
        ));
    }
    if let (Some(before), Ok(after)) = (cache_before, engine.build_cache_usage().await) {
        notes.push(format!(
            "the build cache grew by {} (layers and this bench's private download caches; \
             `docker builder prune` reclaims it)",
            crate::report::human_bytes(after.bytes.saturating_sub(before.bytes) as f64)
        ));
    }
    if setup.project.is_none() {
        notes.push("no Python project was detected".into());
    }
    Ok(Report {
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
        temporary_images: created.images.tags().to_vec(),
        import_module: import_module(setup),
    })
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

/// Runs every scenario of every Dockerfile `setup.runs` times.
async fn measure(
    engine: &Engine,
    setup: &Setup,
    plans: &[Candidate],
    workspace: &Path,
    progress: &dyn Progress,
    created: &mut Created,
) -> Result<Vec<Variant>, Stop> {
    // An engine elsewhere fetches over its own network, not this machine's.
    let local_engine = engine
        .location()
        .address()
        .is_ok_and(|address| !address.is_remote());
    let adapters = local_engine.then(Adapters::of_this_machine).flatten();
    let received = || adapters.as_ref().and_then(Adapters::received);
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
                // The empty-cache build ignores the layer cache and, with it,
                // the cache mounts; the warm one re-runs every RUN over the
                // cache mounts the empty one filled.
                let no_cache = kind == ScenarioKind::ColdEmptyCache;
                if kind == ScenarioKind::ColdWarmCache {
                    write(
                        &copy.join(BENCH_DOCKERFILE),
                        &edits::bust_run_cache(&text, &marker),
                    )?;
                }
                let received_before = received();
                let outcome = build(engine, &copy, &tag, no_cache, progress, created).await?;
                let received_after = received();
                if kind == ScenarioKind::ColdWarmCache {
                    write(&copy.join(BENCH_DOCKERFILE), &text)?;
                }
                if !outcome.succeeded() {
                    return Err(Stop::Failed(Box::new(outcome), what));
                }
                let mut run = run_of(&outcome);
                run.received_bytes = received_before
                    .zip(received_after)
                    .map(|(before, after)| after.saturating_sub(before));
                progress.done(&what, &run);
                if kind == ScenarioKind::ColdEmptyCache && image.is_none() {
                    image = image_facts(engine, &tag).await;
                    if let (Some(facts), Some(module)) = (&mut image, import_module(setup)) {
                        match import_time(engine, &tag, &module).await {
                            Ok(seconds) => facts.import_seconds = Some(seconds),
                            Err(why) => facts.import_failure = Some(why),
                        }
                    }
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
    progress: &dyn Progress,
    created: &mut Created,
) -> Result<BuildOutcome, Stop> {
    created.images.tag(tag);
    let mut observer = |event: &Event, steps: &[Step]| progress.event(event, steps);
    let outcome = layerwise_build::build_directory(
        engine,
        dir,
        BENCH_DOCKERFILE,
        tag,
        ("layerwise.bench", tag),
        no_cache,
        &mut observer,
    )
    .await
    .map_err(|e| match e {
        BuildError::Context(message) => Stop::Io(message),
        BuildError::Engine(err) => Stop::Engine(err),
    })?;
    created
        .build_path
        .get_or_insert_with(|| outcome.path.to_string());
    created.images.built(&outcome);
    Ok(outcome)
}

/// Time, steps and downloads of one successful build. `FROM` steps are
/// left out: BuildKit reports resolving the base image as work even when
/// nothing was rebuilt.
fn run_of(outcome: &BuildOutcome) -> Run {
    let ran: Vec<&Step> = outcome.ran_steps().collect();
    let cached: Vec<&Step> = outcome.work_steps().filter(|step| step.cached).collect();
    let logs = ran.iter().flat_map(|s| s.logs.iter().map(String::as_str));
    Run {
        seconds: outcome.elapsed.as_secs_f64(),
        steps_ran: ran.iter().map(|s| s.name.clone()).collect(),
        steps_cached: cached.iter().map(|s| s.name.clone()).collect(),
        breakdown: Breakdown {
            step_seconds: ran.iter().map(|s| s.duration().as_secs_f64()).collect(),
            export_seconds: outcome.export_time.map(|t| t.as_secs_f64()),
        },
        downloads: downloads::parse(logs),
        received_bytes: None,
    }
}

async fn image_facts(engine: &Engine, tag: &str) -> Option<ImageFacts> {
    let inspect = engine.inspect_image(tag).await.ok()?;
    Some(ImageFacts {
        size_bytes: u64::try_from(inspect.size?).ok()?,
        layers: inspect.root_fs?.layers.map(|l| l.len()).unwrap_or(0),
        import_seconds: None,
        import_failure: None,
    })
}

/// Containers started per image to time the application's import.
const IMPORT_RUNS: usize = 3;

/// The module of the application object (`app.main` of `app.main:app`), when
/// the project has one and its name needs no quoting.
fn import_module(setup: &Setup) -> Option<String> {
    let target = setup.project.as_ref()?.app.as_ref()?.target.as_ref()?;
    let module = target.split(':').next()?;
    let plain = !module.is_empty()
        && module
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_'));
    plain.then(|| module.to_string())
}

/// Median seconds the image's Python spends importing `module`, each time in
/// a new container (as a container start does), started as the image's user
/// in its work dir, without network.
async fn import_time(engine: &Engine, tag: &str, module: &str) -> Result<f64, String> {
    let script = format!(
        "python -c 'import importlib, time; t = time.perf_counter(); \
         importlib.import_module(\"{module}\"); print(time.perf_counter() - t)'"
    );
    let mut times = Vec::new();
    for _ in 0..IMPORT_RUNS {
        let run = engine
            .run_script(tag, &script)
            .await
            .map_err(|e| e.to_string())?;
        let seconds = run.stdout.trim().parse::<f64>().ok();
        match (run.code, seconds) {
            (0, Some(seconds)) => times.push(seconds),
            _ => {
                let why = run.stderr.lines().last().unwrap_or("no output").to_string();
                return Err(format!("`import {module}` exited {}: {why}", run.code));
            }
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}
