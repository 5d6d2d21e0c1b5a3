//! What an instruction puts into its BuildKit cache key, from
//! `layerwise-explain`'s model, for the hover. The model reads the Dockerfile
//! and the context from disk, so this is shown only while the editor's text
//! is the saved file (lines would not match otherwise).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use layerwise_explain::BuildFiles;
use layerwise_explain::plan::Inputs;

/// Longest value shown for one key input (a whole RUN script can be long).
const VALUE_CHARS: usize = 100;

/// The cache key inputs of the step made by the instruction on 1-based
/// `line` of `dockerfile`, as Markdown; `None` when the editor's `text` is
/// not what is saved, or no step starts on that line.
pub fn key_inputs(dockerfile: &Path, text: &str, line: usize) -> Option<String> {
    if std::fs::read_to_string(dockerfile).ok()? != text {
        return None;
    }
    let dir = dockerfile.parent()?;
    let files = BuildFiles::new(dir, Some(dockerfile)).ok()?;
    let plan = files.plan(&Inputs::default(), &BTreeMap::new()).ok()?;
    let step = plan.steps.iter().find(|s| s.line == line)?;
    let mut out = format!(
        "**Cache key** of step {} in stage `{}` (the next build re-runs it when one of these changes, or the step before it re-runs):\n\n",
        step.position, step.stage
    );
    for (label, value) in &step.inputs {
        let shown: String = value.chars().take(VALUE_CHARS).collect();
        let more = if shown.len() < value.len() { "…" } else { "" };
        let _ = writeln!(out, "- {label}: `{}{more}`", shown.replace('`', "'"));
    }
    if !step.files.is_empty() {
        let _ = writeln!(
            out,
            "- context files read (after `.dockerignore`): {}",
            step.files.len()
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_and_run_show_their_key_inputs_only_for_the_saved_text() {
        let dir = tempfile::tempdir().unwrap();
        let text = "FROM python:3.11-slim\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\n";
        let dockerfile = dir.path().join("Dockerfile");
        std::fs::write(&dockerfile, text).unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "flask\n").unwrap();

        let copy = key_inputs(&dockerfile, text, 2).expect("COPY has a step");
        assert!(copy.contains("requirements.txt"), "{copy}");
        assert!(
            copy.contains("context files read (after `.dockerignore`): 1"),
            "{copy}"
        );
        let run = key_inputs(&dockerfile, text, 3).expect("RUN has a step");
        assert!(run.contains("- command: `"), "{run}");
        assert!(run.contains("pip install"), "{run}");

        assert!(key_inputs(&dockerfile, "FROM python:3.11-slim\n", 2).is_none());
        assert!(key_inputs(&dockerfile, text, 9).is_none());
    }
}
