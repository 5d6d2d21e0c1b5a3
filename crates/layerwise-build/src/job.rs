//! A build job: what to build, the context checked and walked, and the
//! road it takes to the engine.

use std::path::{Path, PathBuf};

use layerwise_engine::{BuildOptions, BuildOutcome, Engine, EngineError, Observer, PathChoice};

/// One image to build: where its context and Dockerfile are and how.
#[derive(Debug, Clone)]
pub struct Job {
    /// The compose service, if any.
    pub service: Option<String>,
    pub context: PathBuf,
    pub dockerfile: PathBuf,
    pub options: BuildOptions,
}

/// A job's context ready to send.
pub struct Prepared {
    /// The Dockerfile's path inside the context, with `/` separators.
    pub dockerfile_in_context: String,
    /// The canonical context directory.
    pub context: PathBuf,
    /// What the build can read from the context.
    pub walk: layerwise_context::Walk,
}

/// From this many selected bytes on, [`PathChoice::Auto`] builds through a
/// docker CLI's file sync (when one is installed) rather than sending a tar:
/// the tar is sent whole on every build, file sync only sends what changed.
/// `LAYERWISE_FILE_SYNC_MIN_BYTES` overrides it.
pub const FILE_SYNC_MIN_BYTES: u64 = 256 << 20;

/// Why a build gave no outcome.
#[derive(Debug)]
pub enum BuildError {
    /// The context could not be read or packed.
    Context(String),
    /// The engine refused or failed (a failed step is an outcome, not this).
    Engine(EngineError),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Context(message) => f.write_str(message),
            BuildError::Engine(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

impl Prepared {
    /// The deterministic tar of the selected files.
    fn tar(&self) -> Result<bytes::Bytes, BuildError> {
        let mut tar = Vec::new();
        layerwise_context::write_tar(&self.walk, &mut tar)
            .map_err(|e| BuildError::Context(e.to_string()))?;
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

/// Checks the job's context and Dockerfile (inside the context, parsing
/// without errors) and walks what the build can read.
pub fn prepare(job: &Job) -> Result<Prepared, String> {
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
    let dockerfile =
        layerwise_syntax::read_buildable(&job.dockerfile).map_err(|e| e.to_string())?;
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

/// Builds a prepared job. With [`PathChoice::Auto`], a large context goes
/// through a docker CLI's file sync when one is installed (the outcome then
/// carries a note saying so); otherwise the tar of what the build can read
/// is sent. Dropping the future cancels the build on the engine.
pub async fn run_prepared(
    engine: &Engine,
    job: &Job,
    prepared: &Prepared,
    observer: &mut Observer<'_>,
) -> Result<BuildOutcome, BuildError> {
    let mut options = job.options.clone();
    options.dockerfile = prepared.dockerfile_in_context.clone();
    let mut sync_note = None;
    let tar = if options.path == PathChoice::Auto
        && prepared.large()
        && layerwise_engine::cli_available().await
    {
        options.context_dir = Some(prepared.context.clone());
        sync_note = Some(format!(
            "the build can read {} of the context: sent through a docker CLI's file sync, which re-sends only changed files",
            layerwise_context::human_bytes(prepared.walk.total_file_bytes() as f64)
        ));
        bytes::Bytes::new()
    } else {
        prepared.tar()?
    };
    let mut notes = Vec::from_iter(sync_note);
    loop {
        let mut outcome = engine
            .build(&options, tar.clone(), observer)
            .await
            .map_err(BuildError::Engine)?;
        // Engines before BuildKit 0.9 fail the whole build when a cache
        // image does not exist yet (a team's very first CI run); newer ones
        // build without it. Do what they do, and say so.
        if let Some(missing) = missing_cache_image(&outcome, &options.cache_from) {
            notes.push(format!(
                "no build cache at {missing} yet (the registry has no such image): built without it; \
                 pushing this build with --cache-to type=inline creates it"
            ));
            options.cache_from.retain(|image| image != &missing);
            continue;
        }
        outcome.notes.extend(notes);
        return Ok(outcome);
    }
}

/// The `--cache-from` image a build failed on because it does not exist.
fn missing_cache_image(outcome: &BuildOutcome, cache_from: &[String]) -> Option<String> {
    let failure = outcome.failure.as_ref()?;
    let image = failure
        .step
        .as_deref()?
        .strip_prefix("importing cache manifest from ")?;
    (failure.message.contains("not found") && cache_from.iter().any(|c| c == image))
        .then(|| image.to_string())
}

/// Builds `dockerfile` (a name inside `dir`) with everything in `dir` it can
/// read as the context, into `tag`, with `label` on the image (it marks
/// what a tool built, so nothing it leaves is mistaken for the user's).
/// Dropping the future cancels the build.
pub async fn build_directory(
    engine: &Engine,
    dir: &Path,
    dockerfile: &str,
    tag: &str,
    label: (&str, &str),
    no_cache: bool,
    observer: &mut Observer<'_>,
) -> Result<BuildOutcome, BuildError> {
    let context = layerwise_context::context_tar(dir, dockerfile)
        .map(bytes::Bytes::from)
        .map_err(|e| BuildError::Context(e.to_string()))?;
    let options = BuildOptions {
        dockerfile: dockerfile.to_string(),
        tags: vec![tag.to_string()],
        labels: vec![(label.0.to_string(), label.1.to_string())],
        no_cache,
        ..BuildOptions::default()
    };
    engine
        .build(&options, context, observer)
        .await
        .map_err(BuildError::Engine)
}
