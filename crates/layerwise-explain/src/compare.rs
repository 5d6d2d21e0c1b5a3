//! Prediction: which steps miss the cache, and the cause told in words.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::plan::{CachePlan, FileRecord, PlannedStep};
use crate::state::RecordedStep;

/// One step of the prediction, in Dockerfile order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictedStep {
    pub stage: String,
    pub instruction: String,
    pub line: usize,
    /// `k` of BuildKit's `[stage k/n]`.
    #[serde(skip)]
    pub position: u32,
    /// The prediction: a cache hit.
    pub cached: bool,
    /// Why it re-runs (`None` when cached).
    pub cause: Option<String>,
    /// Whether the cause is this step's own input (the first re-run of a
    /// chain) rather than an earlier step re-running.
    #[serde(skip)]
    pub root: bool,
    /// Expected cost in seconds: the last measured run, 0 when cached,
    /// `None` when never measured.
    pub expected_s: Option<f64>,
}

/// Compares `plan` with what the baseline built. `old` is the baseline's
/// steps (empty when nothing was recorded).
pub fn predict(
    plan: &CachePlan,
    old: &[RecordedStep],
    no_baseline_cause: &str,
) -> Vec<PredictedStep> {
    let known: HashSet<&str> = old.iter().map(|s| s.planned.key.as_str()).collect();
    let results: HashMap<&str, usize> = plan
        .steps
        .iter()
        .map(|s| (s.key.as_str(), s.line))
        .collect();
    let mut out = Vec::with_capacity(plan.steps.len());
    let mut missed: HashSet<&str> = HashSet::new();
    for step in &plan.steps {
        let counterpart = counterpart(step, plan, old);
        let cost = counterpart.and_then(|c| {
            c.ran_s
                .or((c.cached == Some(false)).then_some(c.duration_s))
        });
        if known.contains(step.key.as_str()) {
            out.push(PredictedStep {
                stage: step.stage.clone(),
                instruction: step.instruction.clone(),
                line: step.line,
                position: step.position,
                cached: true,
                cause: None,
                root: false,
                expected_s: Some(0.0),
            });
            continue;
        }
        missed.insert(step.key.as_str());
        let (cause, root) = if !step.independent_of_parent
            && missed.contains(merged_parent(step, plan))
            && results.contains_key(merged_parent(step, plan))
        {
            match step.parent_line {
                Some(l) => (format!("follows from line {l}"), false),
                None => ("follows from an earlier step".to_string(), false),
            }
        } else if old.is_empty() {
            (no_baseline_cause.to_string(), true)
        } else {
            match counterpart {
                None => ("new step, not in the previous build".to_string(), true),
                Some(c) => (describe(&c.planned, step, plan, &missed), true),
            }
        };
        out.push(PredictedStep {
            stage: step.stage.clone(),
            instruction: step.instruction.clone(),
            line: step.line,
            position: step.position,
            cached: false,
            cause: Some(cause),
            root,
            expected_s: cost,
        });
    }
    out
}

/// The key of the step `step` builds on, as the plan records results. A
/// `--link` parent's result differs from its key, so look it up by line.
fn merged_parent<'p>(step: &'p PlannedStep, plan: &'p CachePlan) -> &'p str {
    match plan
        .steps
        .iter()
        .find(|s| Some(s.line) == step.parent_line && s.independent_of_parent)
    {
        Some(p) => p.key.as_str(),
        None => step.parent_key.as_str(),
    }
}

/// The baseline step that corresponds to `step`: same stage and text, else
/// the same ordinal among the stage's steps of the same keyword.
pub fn counterpart<'o>(
    step: &PlannedStep,
    plan: &CachePlan,
    old: &'o [RecordedStep],
) -> Option<&'o RecordedStep> {
    if let Some(s) = old
        .iter()
        .find(|o| o.planned.stage == step.stage && o.planned.instruction == step.instruction)
    {
        return Some(s);
    }
    let ordinal = plan
        .steps
        .iter()
        .filter(|s| s.stage == step.stage && s.keyword == step.keyword)
        .position(|s| s.line == step.line)?;
    old.iter()
        .filter(|o| o.planned.stage == step.stage && o.planned.keyword == step.keyword)
        .nth(ordinal)
}

/// Tells what differs between a step's baseline inputs and its current ones.
fn describe(
    old: &PlannedStep,
    new: &PlannedStep,
    plan: &CachePlan,
    missed: &HashSet<&str>,
) -> String {
    let mut causes: Vec<String> = Vec::new();
    let mut files_differ = false;
    let names: std::collections::BTreeSet<&String> =
        old.inputs.keys().chain(new.inputs.keys()).collect();
    for name in names {
        let (a, b) = (old.inputs.get(name), new.inputs.get(name));
        if a == b {
            continue;
        }
        let (kind, rest) = name.split_once(':').unwrap_or((name.as_str(), ""));
        let text = match kind {
            "src" | "bind" => {
                files_differ = true;
                continue;
            }
            "image-id" => format!(
                "base image {} has new content",
                new.inputs.get("image").map_or("", String::as_str)
            ),
            "image" => {
                if old.inputs.contains_key("image-id")
                    && old.inputs.get("image-id") == new.inputs.get("image-id")
                {
                    continue;
                }
                format!("base image changed: {} → {}", show(a), show(b))
            }
            "arg" => match (a, b) {
                (None, Some(_)) => format!("ARG {rest} is now set"),
                (Some(_), None) => format!("ARG {rest} is no longer set"),
                _ => format!("ARG {rest} changed"),
            },
            "env" => match (a, b) {
                (None, Some(_)) => format!("ENV {rest} is new"),
                (Some(_), None) => format!("ENV {rest} was removed"),
                _ => format!("ENV {rest} changed"),
            },
            "command" => "the command changed".to_string(),
            "workdir" => format!("WORKDIR changed: {} → {}", show(a), show(b)),
            "user" => format!("USER changed: {} → {}", show(a), show(b)),
            "from-stage-key" => format!(
                "stage {} changed",
                new.inputs.get("from-stage").map_or("", String::as_str)
            ),
            "mount-from" => format!("the stage or image mounted by mount {rest} changed"),
            "mount" => format!("mount changed: {}", show(b)),
            "from-image-id" => format!(
                "image {} has a new ID",
                new.inputs.get("from-image").map_or("", String::as_str)
            ),
            other => format!("{other} changed"),
        };
        causes.push(text);
    }
    if files_differ {
        let files = describe_files(&old.files, &new.files);
        if files.is_empty() {
            causes.push("the selected files changed".to_string());
        } else {
            causes.insert(0, files);
        }
    }
    if causes.is_empty() {
        let parent_missed = missed.contains(new.parent_key.as_str())
            || plan
                .steps
                .iter()
                .any(|s| s.key == new.parent_key && missed.contains(s.key.as_str()));
        return match (parent_missed, new.parent_line) {
            (_, Some(l)) => format!("follows from line {l}"),
            _ => "not in the cache of the previous build".to_string(),
        };
    }
    causes.join("; ")
}

fn show(v: Option<&String>) -> &str {
    v.map_or("(unset)", String::as_str)
}

/// "requirements.txt changed: +1 line; file mode of run.sh changed".
pub fn describe_files(
    old: &BTreeMap<String, FileRecord>,
    new: &BTreeMap<String, FileRecord>,
) -> String {
    let mut parts = Vec::new();
    let paths: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for p in paths {
        match (old.get(p), new.get(p)) {
            (None, Some(_)) => parts.push(format!("{p} added")),
            (Some(_), None) => parts.push(format!("{p} removed")),
            (Some(a), Some(b)) => {
                if a.kind != b.kind {
                    parts.push(format!("{p} changed from a {} to a {}", a.kind, b.kind));
                    continue;
                }
                if a.content != b.content {
                    parts.push(match (&a.lines, &b.lines) {
                        (Some(la), Some(lb)) => format!("{p} changed: {}", line_delta(la, lb)),
                        _ if a.kind == "link" => format!("link {p} points elsewhere"),
                        _ => format!("{p} changed"),
                    });
                }
                if a.mode & 0o7777 != b.mode & 0o7777 {
                    parts.push(format!(
                        "file mode of {p} changed ({:o} → {:o})",
                        a.mode & 0o7777,
                        b.mode & 0o7777
                    ));
                }
            }
            (None, None) => {}
        }
    }
    let shown = 3;
    if parts.len() > shown {
        let more = parts.len() - shown;
        parts.truncate(shown);
        parts.push(format!("and {more} more"));
    }
    parts.join("; ")
}

/// "+2 lines, -1 line" from multisets of line hashes.
fn line_delta(old: &[u32], new: &[u32]) -> String {
    let mut counts: HashMap<u32, i64> = HashMap::new();
    for l in trim_last(old) {
        *counts.entry(*l).or_default() -= 1;
    }
    for l in trim_last(new) {
        *counts.entry(*l).or_default() += 1;
    }
    let added: i64 = counts.values().filter(|&&c| c > 0).sum();
    let removed: i64 = -counts.values().filter(|&&c| c < 0).sum::<i64>();
    let plural = |n: i64| if n == 1 { "line" } else { "lines" };
    match (added, removed) {
        (0, 0) => "lines reordered or whitespace at the end changed".to_string(),
        (a, 0) => format!("+{a} {}", plural(a)),
        (0, r) => format!("-{r} {}", plural(r)),
        (a, r) => format!("+{a} -{r} {}", plural(a.max(r))),
    }
}

/// A trailing newline leaves an empty last piece that is not a line.
fn trim_last(lines: &[u32]) -> &[u32] {
    let empty = {
        let h = blake3::hash(b"");
        let b = h.as_bytes();
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    };
    match lines.split_last() {
        Some((last, rest)) if *last == empty => rest,
        _ => lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &str, mode: u32) -> FileRecord {
        FileRecord {
            kind: "file".into(),
            mode,
            content: blake3::hash(content.as_bytes()).to_hex().to_string(),
            lines: Some(
                content
                    .split('\n')
                    .map(|l| {
                        let h = blake3::hash(l.as_bytes());
                        let b = h.as_bytes();
                        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn file_changes_in_words() {
        let mut a = BTreeMap::new();
        a.insert(
            "requirements.txt".to_string(),
            file("six==1.16.0\n", 0o100644),
        );
        a.insert("entrypoint.sh".to_string(), file("run\n", 0o100644));
        let mut b = a.clone();
        b.insert(
            "requirements.txt".to_string(),
            file("six==1.16.0\nidna\n", 0o100644),
        );
        assert_eq!(describe_files(&a, &b), "requirements.txt changed: +1 line");
        let mut c = a.clone();
        c.insert("entrypoint.sh".to_string(), file("run\n", 0o100755));
        assert_eq!(
            describe_files(&a, &c),
            "file mode of entrypoint.sh changed (644 → 755)"
        );
        let mut d = a.clone();
        d.remove("entrypoint.sh");
        d.insert("new.py".to_string(), file("x\n", 0o100644));
        assert_eq!(
            describe_files(&a, &d),
            "entrypoint.sh removed; new.py added"
        );
    }

    #[test]
    fn line_deltas() {
        let h = |s: &str| file(s, 0).lines.unwrap();
        assert_eq!(line_delta(&h("a\nb\n"), &h("a\n")), "-1 line");
        assert_eq!(line_delta(&h("a\nb\n"), &h("a\nc\nd\n")), "+2 -1 lines");
    }
}
