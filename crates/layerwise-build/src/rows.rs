//! The report's rows of a finished build.

use layerwise_engine::{BuildOutcome, Engine};
use layerwise_explain::StepRow;

use crate::Job;

/// The report rows of a finished build, from the same plan `layerwise
/// explain` predicts with; when `record` (the build worked), that plan is
/// also recorded for the next `explain`. A build is never failed for this:
/// a plan or state that cannot be made is one of the notes returned.
pub async fn step_rows(
    engine: &Engine,
    job: &Job,
    outcome: &BuildOutcome,
    record: bool,
) -> (Vec<StepRow>, Vec<String>) {
    let inputs = layerwise_explain::Inputs {
        target: job.options.target.clone(),
        build_args: job.options.build_args.iter().cloned().collect(),
    };
    let planned = match layerwise_explain::BuildFiles::new(&job.context, Some(&job.dockerfile)) {
        Ok(project) => layerwise_explain::plan_build(engine, &project, &inputs)
            .await
            .map(|plan| (project, plan)),
        Err(err) => Err(err),
    };
    let (project, plan) = match planned {
        Ok(planned) => planned,
        Err(err) => {
            let note =
                format!("no per-instruction report: the Dockerfile could not be planned: {err}");
            return (Vec::new(), vec![note]);
        }
    };
    let rows = layerwise_explain::rows(&plan, &outcome.steps);
    let mut notes = Vec::new();
    if record {
        match layerwise_explain::record_plan(&project, &inputs, &plan, &outcome.steps) {
            Ok(recorded) => notes.extend(recorded.notices),
            Err(err) => notes.push(format!(
                "build state for `layerwise explain` not recorded: {err}"
            )),
        }
    }
    (rows, notes)
}
