//! Predicts which steps the next BuildKit build re-runs, and why.
//!
//! [`plan()`] models BuildKit's cache key of every step the target needs
//! (docs/cache-model.md says what it covers and where it stops). After a
//! build, [`record`] stores those keys next to what BuildKit really did, in
//! a state file under the user's cache directory. [`explain`] recomputes the
//! keys for the tree as it is now and compares: a step whose key was built
//! before is a cache hit; the first miss of a stage gets its cause in words,
//! later misses follow from it. [`explain_since`] compares with a git
//! revision instead of a recorded build.

mod compare;
mod git;
pub mod plan;
pub mod state;
mod vertices;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use compare::{PredictedStep, counterpart, describe_files, predict};
pub use plan::{CachePlan, FileRecord, Inputs, PlannedStep, base_images, plan};
pub use state::{RecordedStep, State, StateNotice, Unusable};
pub use vertices::{StepRow, row_of_steps, rows, vertex_of_steps};

use layerwise_engine::{Engine, Step};

/// Why explaining (or recording) could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("{path}: {op}: {source}")]
    Io {
        path: PathBuf,
        op: &'static str,
        source: std::io::Error,
    },
    #[error(transparent)]
    Dockerfile(#[from] layerwise_syntax::ReadError),
    #[error("target stage {target:?} is not in the Dockerfile")]
    NoTarget { target: String },
    #[error(transparent)]
    Context(#[from] layerwise_context::ContextError),
    #[error("no cache directory: neither XDG_CACHE_HOME nor HOME is an absolute path")]
    NoCacheDir,
    #[error("git: {0}")]
    Git(String),
    #[error("{0}")]
    Other(String),
}

/// A project directory (the build context) and its Dockerfile, canonical.
#[derive(Debug, Clone)]
pub struct BuildFiles {
    pub dir: PathBuf,
    pub dockerfile: PathBuf,
    /// Where state files go instead of the user's cache directory.
    pub state_root: Option<PathBuf>,
}

impl BuildFiles {
    /// Resolves both paths; the Dockerfile defaults to `DIR/Dockerfile`.
    pub fn new(dir: &Path, dockerfile: Option<&Path>) -> Result<BuildFiles, ExplainError> {
        let canon = |p: &Path| {
            p.canonicalize().map_err(|source| ExplainError::Io {
                path: p.to_path_buf(),
                op: "resolve",
                source,
            })
        };
        let dir = canon(dir)?;
        if !dir.is_dir() {
            return Err(ExplainError::Other(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        let dockerfile = match dockerfile {
            Some(p) => canon(p)?,
            None => canon(&dir.join("Dockerfile"))?,
        };
        Ok(BuildFiles {
            dir,
            dockerfile,
            state_root: None,
        })
    }

    /// Keeps state under `root` instead of the user's cache directory.
    pub fn with_state_root(mut self, root: &Path) -> BuildFiles {
        self.state_root = Some(root.to_path_buf());
        self
    }

    pub fn state_path(&self) -> Result<PathBuf, ExplainError> {
        state::state_path(self.state_root.as_deref(), &self.dir, &self.dockerfile)
    }

    fn stat_cache_path(&self) -> Option<PathBuf> {
        self.state_path().ok().map(|p| p.with_extension("stat"))
    }

    /// The model's plan of the tree as it is now, hashing through the project's stat cache.
    pub fn plan(
        &self,
        inputs: &Inputs,
        image_ids: &BTreeMap<String, String>,
    ) -> Result<CachePlan, ExplainError> {
        plan::plan(
            &self.dir,
            &self.dockerfile,
            inputs,
            image_ids,
            self.stat_cache_path().as_deref(),
        )
    }

    /// Base image references of the target's FROM lines.
    pub fn base_images(&self, inputs: &Inputs) -> Vec<String> {
        std::fs::read_to_string(&self.dockerfile)
            .map(|s| base_images(&s, inputs))
            .unwrap_or_default()
    }
}

/// What identifies each of `references` for the cache (its layer chain,
/// else its image ID); images the engine does not have are left out.
pub async fn image_ids(engine: &Engine, references: &[String]) -> BTreeMap<String, String> {
    let mut ids = BTreeMap::new();
    for r in references {
        if let Ok(image) = engine.docker().inspect_image(r).await
            && let Some(id) = image.id
        {
            // BuildKit keys a base image by its layers: a retag to an image
            // that differs only in its config (a LABEL) stays a cache hit.
            let layers = image.root_fs.and_then(|fs| fs.layers).unwrap_or_default();
            let value = if layers.is_empty() {
                id
            } else {
                format!(
                    "layers:{}",
                    &blake3::hash(layers.join(",").as_bytes()).to_hex()[..32]
                )
            };
            ids.insert(r.clone(), value);
        }
    }
    ids
}

/// What [`record`] stored.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: PathBuf,
    /// Steps matched with a BuildKit step.
    pub matched: usize,
    pub notices: Vec<String>,
}

/// Records a finished build: the model's keys for the tree as it is now,
/// next to BuildKit's outcome per step. Call right after the build.
pub fn record(
    project: &BuildFiles,
    inputs: &Inputs,
    image_ids: &BTreeMap<String, String>,
    steps: &[Step],
) -> Result<Recorded, ExplainError> {
    let plan = project.plan(inputs, image_ids)?;
    record_plan(project, inputs, &plan, steps)
}

/// [`record`] with the plan already made (the one the build's report rows came from).
pub fn record_plan(
    project: &BuildFiles,
    inputs: &Inputs,
    plan: &CachePlan,
    steps: &[Step],
) -> Result<Recorded, ExplainError> {
    let path = project.state_path()?;
    let (previous, notice) = state::load(&path, &project.dir, &project.dockerfile);
    let mut notices: Vec<String> = notice.map(|n| n.to_string()).into_iter().collect();
    notices.extend(plan.warnings.iter().cloned());
    // A vertex several steps share is timed on the first of them only.
    let outcomes: Vec<Option<(bool, f64)>> = row_of_steps(plan, steps)
        .into_iter()
        .map(|row| row.map(|r| (r.cached, r.duration_s)))
        .collect();
    let matched = outcomes.iter().filter(|o| o.is_some()).count();
    let old_steps: &[RecordedStep] = previous.as_ref().map_or(&[], |s| s.steps.as_slice());
    let recorded: Vec<RecordedStep> = plan
        .steps
        .iter()
        .zip(outcomes)
        .map(|(p, outcome)| {
            let previous_cost = old_steps
                .iter()
                .find(|o| o.planned.stage == p.stage && o.planned.instruction == p.instruction)
                .and_then(|o| o.ran_s);
            let (cached, duration) = match outcome {
                Some((c, d)) => (Some(c), d),
                None => (None, 0.0),
            };
            let ran_s = match cached {
                Some(false) => Some(round_ms(duration)),
                _ => previous_cost,
            };
            RecordedStep {
                planned: p.clone(),
                cached,
                duration_s: round_ms(duration),
                ran_s,
            }
        })
        .collect();
    let state = State {
        format: state::FORMAT.into(),
        version: state::VERSION,
        project: project.dir.to_string_lossy().into_owned(),
        dockerfile: project.dockerfile.to_string_lossy().into_owned(),
        recorded_at: state::now_secs(),
        inputs: inputs.clone(),
        images: plan.images.clone(),
        steps: recorded,
    };
    state::save(&path, &state)?;
    Ok(Recorded {
        path,
        matched,
        notices,
    })
}

/// Looks the base images up on `engine` and plans the tree as it is now:
/// right after a build, what its report rows and [`record_plan`] need.
pub async fn plan_build(
    engine: &Engine,
    project: &BuildFiles,
    inputs: &Inputs,
) -> Result<CachePlan, ExplainError> {
    let ids = image_ids(engine, &project.base_images(inputs)).await;
    project.plan(inputs, &ids)
}

pub(crate) fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// The prediction for the next build.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// What the tree is compared with: `previous build`, `git REV`, `none`.
    pub baseline: String,
    pub steps: Vec<PredictedStep>,
    /// Sum of the expected cost of the steps that re-run (seconds).
    pub expected_s: f64,
    /// Steps that re-run without a measured cost.
    pub unmeasured: usize,
    pub skipped_stages: Vec<String>,
    pub notices: Vec<String>,
}

use serde::Serialize;

fn explanation(
    baseline: String,
    plan: &CachePlan,
    predicted: Vec<PredictedStep>,
    notices: Vec<String>,
) -> Explanation {
    let expected_s = round_ms(
        predicted
            .iter()
            .filter(|s| !s.cached)
            .filter_map(|s| s.expected_s)
            .sum(),
    );
    let unmeasured = predicted
        .iter()
        .filter(|s| !s.cached && s.expected_s.is_none())
        .count();
    Explanation {
        baseline,
        steps: predicted,
        expected_s,
        unmeasured,
        skipped_stages: plan.skipped_stages.clone(),
        notices,
    }
}

/// Image IDs to use: those the engine gave, else the recorded ones (with a
/// notice that they were not checked).
fn effective_ids(
    given: Option<&BTreeMap<String, String>>,
    previous: Option<&State>,
    notices: &mut Vec<String>,
) -> BTreeMap<String, String> {
    match given {
        Some(ids) => ids.clone(),
        None => {
            let recorded = previous.map(State::image_ids).unwrap_or_default();
            if !recorded.is_empty() {
                notices.push(
                    "no Docker engine reachable: base image IDs were not checked, assumed unchanged"
                        .to_string(),
                );
            }
            recorded
        }
    }
}

/// Compares the tree as it is now with the last recorded build.
/// `image_ids` is `None` when no engine could be asked.
pub fn explain(
    project: &BuildFiles,
    inputs: &Inputs,
    image_ids: Option<&BTreeMap<String, String>>,
) -> Result<Explanation, ExplainError> {
    let path = project.state_path()?;
    let (previous, notice) = state::load(&path, &project.dir, &project.dockerfile);
    let mut notices: Vec<String> = notice.map(|n| n.to_string()).into_iter().collect();
    let ids = effective_ids(image_ids, previous.as_ref(), &mut notices);
    let plan = project.plan(inputs, &ids)?;
    notices.extend(plan.warnings.iter().cloned());
    let old: Vec<RecordedStep> = previous.map(|s| s.steps).unwrap_or_default();
    let baseline = if old.is_empty() {
        "none"
    } else {
        "previous build"
    };
    let predicted = predict(&plan, &old, "no previous build recorded");
    Ok(explanation(baseline.to_string(), &plan, predicted, notices))
}

/// Compares the tree as it is now with git revision `rev` (no build needed).
pub fn explain_since(
    project: &BuildFiles,
    inputs: &Inputs,
    image_ids: Option<&BTreeMap<String, String>>,
    rev: &str,
) -> Result<Explanation, ExplainError> {
    let path = project.state_path()?;
    let (previous, notice) = state::load(&path, &project.dir, &project.dockerfile);
    let mut notices: Vec<String> = notice.map(|n| n.to_string()).into_iter().collect();
    let ids = effective_ids(image_ids, previous.as_ref(), &mut notices);
    let old_tree = git::materialize(&project.dir, &project.dockerfile, rev)?;
    let old_plan = plan::plan_with(
        &old_tree.dir,
        &old_tree.dockerfile,
        inputs,
        &ids,
        None,
        true,
    )?;
    let plan = plan::plan_with(&project.dir, &project.dockerfile, inputs, &ids, None, true)?;
    notices.extend(plan.warnings.iter().cloned());
    let costs: Vec<RecordedStep> = previous.map(|s| s.steps).unwrap_or_default();
    let old: Vec<RecordedStep> = old_plan
        .steps
        .iter()
        .map(|p| {
            let ran_s = costs
                .iter()
                .find(|c| c.planned.stage == p.stage && c.planned.instruction == p.instruction)
                .and_then(|c| c.ran_s);
            RecordedStep {
                planned: p.clone(),
                cached: None,
                duration_s: 0.0,
                ran_s,
            }
        })
        .collect();
    let predicted = predict(&plan, &old, &format!("not in the Dockerfile at {rev}"));
    Ok(explanation(format!("git {rev}"), &plan, predicted, notices))
}
