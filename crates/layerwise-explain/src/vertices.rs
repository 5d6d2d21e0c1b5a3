//! Which BuildKit vertex made which Dockerfile instruction: the one mapping
//! `build`'s report, the recorded state and `explain` rely on.
//!
//! The plan has a step for every instruction that makes (or stands for) a
//! vertex, FROM of every stage included. BuildKit shows one vertex for
//! identical steps (the same base image in two stages, a step repeated
//! across stages on the same parent) and names it after one of them; the
//! others find it through their shared cache key.

use std::collections::{BTreeSet, HashMap};

use layerwise_engine::Step;
use serde::Serialize;

use crate::plan::{CachePlan, PlannedStep};

/// One row of a build report: a Dockerfile instruction and what BuildKit did for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRow {
    /// BuildKit's name for the vertex, to find it again.
    #[serde(skip)]
    pub vertex: String,
    pub stage: String,
    pub line: usize,
    pub instruction: String,
    pub cached: bool,
    /// Zero for a cache hit, and for a row whose vertex is timed on an earlier row.
    pub duration_s: f64,
    /// Line of the earlier row that shares this row's vertex (and carries its time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_vertex_as: Option<usize>,
}

/// For each planned step, the index in `steps` of the vertex that made it
/// (`None` when BuildKit showed none, e.g. after a failure stopped the build).
pub fn vertex_of_steps(plan: &CachePlan, steps: &[Step]) -> Vec<Option<usize>> {
    // BuildKit leaves the stage out of vertex names when the Dockerfile
    // builds one stage.
    let single_stage = plan
        .steps
        .iter()
        .map(|s| s.stage.as_str())
        .collect::<BTreeSet<_>>()
        .len()
        <= 1;
    let mut found: Vec<Option<usize>> = plan
        .steps
        .iter()
        .map(|p| named_vertex(p, steps, single_stage))
        .collect();
    // A vertex another build defined first keeps that build's name
    // (`[production 2/5] WORKDIR /srv`): one no step claimed is found by its text.
    for i in 0..found.len() {
        if found[i].is_none() {
            let p = &plan.steps[i];
            found[i] = (0..steps.len()).find(|v| {
                !found.contains(&Some(*v))
                    && crate::plan::collapse(&steps[*v].instruction) == p.instruction
            });
        }
    }
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for (p, v) in plan.steps.iter().zip(&found) {
        if let Some(v) = v {
            by_key.entry(p.key.as_str()).or_insert(*v);
        }
    }
    for (p, v) in plan.steps.iter().zip(found.iter_mut()) {
        if v.is_none() {
            *v = by_key.get(p.key.as_str()).copied();
        }
    }
    found
}

/// The vertex named after `p`: same stage, position and keyword, else the
/// same stage, keyword and text (BuildKit shows the text it ran).
fn named_vertex(p: &PlannedStep, steps: &[Step], single_stage: bool) -> Option<usize> {
    let same_stage =
        |s: &Step| s.stage.eq_ignore_ascii_case(&p.stage) || (single_stage && s.stage.is_empty());
    let keyword_of = |s: &Step| {
        s.instruction
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase()
    };
    let candidates = || {
        steps
            .iter()
            .enumerate()
            .filter(|(_, s)| same_stage(s) && keyword_of(s) == p.keyword.to_ascii_uppercase())
    };
    if let Some(image) = p.inputs.get("image").filter(|_| p.keyword == "FROM") {
        return image_vertex(image, steps, same_stage);
    }
    candidates()
        .find(|(_, s)| s.index == p.position)
        .or_else(|| {
            candidates().find(|(_, s)| crate::plan::collapse(&s.instruction) == p.instruction)
        })
        .map(|(i, _)| i)
}

/// The vertex of base image `image`, found by its reference (BuildKit
/// shows it fully qualified). One vertex serves every stage and every
/// build using the image, and BuildKit names it after whichever defined it
/// first (`[1/5] FROM …`, another project's stage): the name is only a
/// preference.
fn image_vertex(image: &str, steps: &[Step], same_stage: impl Fn(&Step) -> bool) -> Option<usize> {
    let is_image = |s: &Step| {
        s.instruction
            .strip_prefix("FROM ")
            .map(str::trim)
            .is_some_and(|r| r == image || r.ends_with(&format!("/{image}")))
    };
    let matching: Vec<usize> = (0..steps.len()).filter(|&i| is_image(&steps[i])).collect();
    matching
        .iter()
        .copied()
        .find(|&i| same_stage(&steps[i]))
        .or(matching.first().copied())
}

/// The report rows of a build of `plan`, in the plan's (Dockerfile) order:
/// one per planned step BuildKit showed a vertex for.
pub fn rows(plan: &CachePlan, steps: &[Step]) -> Vec<StepRow> {
    row_of_steps(plan, steps).into_iter().flatten().collect()
}

/// For each planned step, its row (`None` when BuildKit showed no vertex for it).
pub fn row_of_steps(plan: &CachePlan, steps: &[Step]) -> Vec<Option<StepRow>> {
    let mut timed: HashMap<usize, usize> = HashMap::new();
    plan.steps
        .iter()
        .zip(vertex_of_steps(plan, steps))
        .map(|(p, v)| {
            let v = v?;
            let step = &steps[v];
            let same_vertex_as = match timed.get(&v) {
                Some(&line) => Some(line),
                None => {
                    timed.insert(v, p.line);
                    None
                }
            };
            // A cache hit costs nothing even when BuildKit timed its lookup.
            let duration_s = if step.cached || same_vertex_as.is_some() {
                0.0
            } else {
                crate::round_ms(step.duration().as_secs_f64())
            };
            Some(StepRow {
                vertex: step.name.clone(),
                stage: p.stage.clone(),
                line: p.line,
                instruction: p.instruction.clone(),
                cached: step.cached,
                duration_s,
                same_vertex_as,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use layerwise_engine::testing::finished_step as vertex;

    use crate::plan::{Inputs, plan};

    fn plan_of(dockerfile: &str, files: &[(&str, &str)], target: Option<&str>) -> CachePlan {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
        for (p, c) in files {
            std::fs::write(dir.path().join(p), c).unwrap();
        }
        let inputs = Inputs {
            target: target.map(str::to_string),
            ..Inputs::default()
        };
        plan(
            dir.path(),
            &dir.path().join("Dockerfile"),
            &inputs,
            &BTreeMap::new(),
            None,
        )
        .unwrap()
    }

    /// The example: both stages start with the same FROM and WORKDIR.
    const MERGED: &str = "\
FROM python:3.12-slim AS Deps
WORKDIR /srv
COPY requirements.txt ./
RUN pip install --prefix=/install -r requirements.txt

FROM python:3.12-slim
WORKDIR /srv
COPY --from=deps /install /usr/local
COPY . .
";

    #[test]
    fn merged_vertices_give_every_instruction_its_row_and_their_time_once() {
        let plan = plan_of(MERGED, &[("requirements.txt", "six\n")], None);
        // What BuildKit 0.8 shows: one FROM and one WORKDIR for both stages,
        // named after a stage of another build that made them first.
        let steps = [
            vertex(
                "[production 1/5] FROM docker.io/library/python:3.12-slim",
                true,
                0,
            ),
            vertex("[production 2/5] WORKDIR /srv", false, 1),
            vertex("[deps 3/4] COPY requirements.txt ./", true, 0),
            vertex(
                "[deps 4/4] RUN pip install --prefix=/install -r requirements.txt",
                true,
                0,
            ),
            vertex(
                "[stage-1 3/4] COPY --from=deps /install /usr/local",
                false,
                2,
            ),
            vertex("[stage-1 4/4] COPY . .", false, 3),
        ];
        let rows = rows(&plan, &steps);
        let lines: Vec<(&str, usize)> = rows.iter().map(|r| (r.stage.as_str(), r.line)).collect();
        assert_eq!(
            lines,
            [
                ("Deps", 1),
                ("Deps", 2),
                ("Deps", 3),
                ("Deps", 4),
                ("stage-1", 6),
                ("stage-1", 7),
                ("stage-1", 8),
                ("stage-1", 9)
            ]
        );
        let workdirs: Vec<&StepRow> = rows.iter().filter(|r| r.line == 2 || r.line == 7).collect();
        assert_eq!(workdirs[0].duration_s, 1.0);
        assert_eq!(workdirs[1].duration_s, 0.0);
        assert_eq!(workdirs[1].same_vertex_as, Some(2));
        assert!(workdirs.iter().all(|r| !r.cached));
        assert_eq!(rows[4].instruction, "FROM python:3.12-slim");
        assert!(rows[0].cached && rows[4].cached);
        assert_eq!(rows[4].same_vertex_as, Some(1));
    }

    #[test]
    fn a_stage_built_on_another_has_a_from_row_sharing_its_base_vertex() {
        let df = "FROM python:3.12-slim AS base\nRUN echo base\nFROM base AS app\nRUN echo app\nFROM scratch AS unused\n";
        let plan = plan_of(df, &[], Some("app"));
        assert_eq!(plan.skipped_stages, ["unused"]);
        let steps = [
            vertex(
                "[base 1/2] FROM docker.io/library/python:3.12-slim",
                true,
                0,
            ),
            vertex("[base 2/2] RUN echo base", false, 4),
            vertex("[app 2/2] RUN echo app", false, 1),
        ];
        let rows = rows(&plan, &steps);
        let summary: Vec<(usize, bool, f64, Option<usize>)> = rows
            .iter()
            .map(|r| (r.line, r.cached, r.duration_s, r.same_vertex_as))
            .collect();
        assert_eq!(
            summary,
            [
                (1, true, 0.0, None),
                (2, false, 4.0, None),
                (3, false, 0.0, Some(2)),
                (4, false, 1.0, None)
            ]
        );
    }

    #[test]
    fn single_stage_vertices_without_a_stage_name_are_found_by_position() {
        let plan = plan_of(
            "FROM python:3.11-slim\nRUN echo $HOME\nRUN echo two\n",
            &[],
            None,
        );
        let steps = [
            vertex("[3/3] RUN echo two", false, 1),
            vertex("[2/3] RUN echo /root", true, 0),
        ];
        let rows = rows(&plan, &steps);
        assert_eq!(
            rows.iter().map(|r| (r.line, r.cached)).collect::<Vec<_>>(),
            [(2, true), (3, false)],
            "the FROM has no vertex here, so it has no row"
        );
        assert_eq!(rows[1].stage, "stage-0");
    }
}
