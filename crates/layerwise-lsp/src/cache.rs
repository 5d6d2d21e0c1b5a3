//! What the cache does with an instruction, from `layerwise-explain`'s
//! model, for the hover: the inputs of its BuildKit cache key and, when
//! `layerwise build` recorded a build of the project, what that build did
//! with the step and whether the next one is predicted to re-run it. The
//! model reads the Dockerfile and the context from disk, so this is shown
//! only while the editor's text is the saved file (lines would not match
//! otherwise). No engine is asked and the state is only read; the hash cache
//! next to it is updated as `explain` updates it.

use std::fmt::Write;
use std::path::Path;

use layerwise_explain::plan::{CachePlan, PlannedStep};
use layerwise_explain::{BuildFiles, State, counterpart, predict, state};

/// Longest value shown for one key input (a whole RUN script can be long).
const VALUE_CHARS: usize = 100;
/// Context files named under a COPY/ADD; the rest are counted.
const FILES_SHOWN: usize = 5;

/// The cache facts of the step made by the instruction on 1-based `line` of
/// `dockerfile`, as Markdown; `None` when the editor's `text` is not what is
/// saved, or no step starts on that line. The document's directory is the
/// build context, as in `check`.
pub fn step_facts(dockerfile: &Path, text: &str, line: usize) -> Option<String> {
    let files = BuildFiles::new(dockerfile.parent()?, Some(dockerfile)).ok()?;
    step_facts_in(&files, text, line)
}

/// [`step_facts`] for a project whose state may live outside the user's
/// cache directory.
fn step_facts_in(files: &BuildFiles, text: &str, line: usize) -> Option<String> {
    if std::fs::read_to_string(&files.dockerfile).ok()? != text {
        return None;
    }
    // A state that cannot be used is left where it is: `explain` and
    // `build` report it and set it aside.
    let last = files
        .state_path()
        .ok()
        .and_then(|path| state::read(&path, &files.dir, &files.dockerfile).ok()?);
    // Planned as the last build was made (its build arguments, target and
    // base image IDs), so the prediction compares like with like.
    let (inputs, image_ids) = last
        .as_ref()
        .map(|s| (s.inputs.clone(), s.image_ids()))
        .unwrap_or_default();
    let plan = files.plan(&inputs, &image_ids).ok()?;
    let step = plan.steps.iter().find(|s| s.line == line)?;
    let mut out = key_inputs(step);
    if let Some(last) = &last {
        out.push_str(&last_build(&plan, step, last));
    }
    Some(out)
}

fn key_inputs(step: &PlannedStep) -> String {
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
        for path in step.files.keys().take(FILES_SHOWN) {
            let _ = writeln!(out, "  - `{}`", path.replace('`', "'"));
        }
        if step.files.len() > FILES_SHOWN {
            let _ = writeln!(out, "  - … and {} more", step.files.len() - FILES_SHOWN);
        }
    }
    out
}

/// What the recorded build did with `step`, and the prediction for the next.
fn last_build(plan: &CachePlan, step: &PlannedStep, last: &State) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut out = format!(
        "\n**Last recorded build** ({}): ",
        age(now.saturating_sub(last.recorded_at))
    );
    match counterpart(step, plan, &last.steps) {
        None => out.push_str("this step was not in it.\n"),
        Some(recorded) => match (recorded.cached, recorded.ran_s) {
            (Some(true), Some(ran)) => {
                let _ = writeln!(out, "cached (it took {ran:.1}s the last time it ran).");
            }
            (Some(true), None) => out.push_str("cached.\n"),
            (Some(false), _) => {
                let _ = writeln!(out, "ran, {:.1}s.", recorded.duration_s);
            }
            (None, _) => {
                out.push_str("no step of its own (BuildKit merged it with an identical one).\n")
            }
        },
    }
    let predicted = predict(plan, &last.steps, "no previous build recorded");
    match predicted.iter().find(|p| p.line == step.line) {
        Some(p) if p.cached => out.push_str("\n**Next build**: a cache hit.\n"),
        Some(p) => {
            let cost = p
                .expected_s
                .map_or(String::new(), |s| format!(" (about {s:.1}s)"));
            let _ = writeln!(
                out,
                "\n**Next build** re-runs it{cost}: {}.",
                p.cause.as_deref().unwrap_or("its cache key changed")
            );
        }
        None => {}
    }
    out
}

/// How long ago, for people: minutes, hours or days.
fn age(seconds: u64) -> String {
    match seconds {
        0..60 => "just now".to_string(),
        60..3_600 => format!("{} min ago", seconds / 60),
        3_600..86_400 => format!("{} h ago", seconds / 3_600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::BTreeMap;

    use layerwise_engine::testing::finished_step as vertex;
    use layerwise_explain::Inputs;

    const DOCKERFILE: &str = "FROM python:3.11-slim\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n";

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "flask\n").unwrap();
        std::fs::write(dir.path().join("app.py"), "print('hi')\n").unwrap();
        dir
    }

    #[test]
    fn copy_and_run_show_their_key_inputs_only_for_the_saved_text() {
        let dir = project();
        let dockerfile = dir.path().join("Dockerfile");
        let files = BuildFiles::new(dir.path(), Some(&dockerfile))
            .unwrap()
            .with_state_root(&dir.path().join("no-state"));

        let copy = step_facts_in(&files, DOCKERFILE, 2).expect("COPY has a step");
        assert!(copy.contains("requirements.txt"), "{copy}");
        assert!(
            copy.contains("context files read (after `.dockerignore`): 1"),
            "{copy}"
        );
        assert!(!copy.contains("Last recorded build"), "{copy}");
        assert!(copy.contains("\n  - `requirements.txt`\n"), "{copy}");
        let run = step_facts_in(&files, DOCKERFILE, 3).expect("RUN has a step");
        assert!(run.contains("- command: `"), "{run}");
        assert!(run.contains("pip install"), "{run}");

        assert!(step_facts_in(&files, "FROM python:3.11-slim\n", 2).is_none());
        assert!(step_facts_in(&files, DOCKERFILE, 9).is_none());
    }

    #[test]
    fn a_copy_lists_the_files_it_sends_after_dockerignore() {
        let dir = project();
        for n in 0..7 {
            std::fs::write(dir.path().join(format!("mod{n}.py")), "x = 1\n").unwrap();
        }
        std::fs::write(dir.path().join("secret.env"), "TOKEN=1\n").unwrap();
        std::fs::write(dir.path().join(".dockerignore"), "*.env\n").unwrap();
        let dockerfile = dir.path().join("Dockerfile");
        let files = BuildFiles::new(dir.path(), Some(&dockerfile))
            .unwrap()
            .with_state_root(&dir.path().join("no-state"));
        let copy = step_facts_in(&files, DOCKERFILE, 4).expect("COPY . . has a step");
        // Dockerfile, .dockerignore, app.py, requirements.txt and seven
        // modules; not the ignored secret.env.
        assert!(
            copy.contains("context files read (after `.dockerignore`): 11\n"),
            "{copy}"
        );
        assert!(copy.contains("  - `app.py`\n"), "{copy}");
        assert!(copy.contains("  - … and 6 more\n"), "{copy}");
        assert!(!copy.contains("secret.env"), "{copy}");
    }

    #[test]
    fn a_recorded_build_shows_what_it_did_and_what_the_next_one_reruns() {
        let dir = project();
        let dockerfile = dir.path().join("Dockerfile");
        let state_root = tempfile::tempdir().unwrap();
        let files = BuildFiles::new(dir.path(), Some(&dockerfile))
            .unwrap()
            .with_state_root(state_root.path());
        // Record a build the way `layerwise build` does, with BuildKit's
        // outcome per step: the install ran for 42 s, the rest was cached.
        let plan = files.plan(&Inputs::default(), &BTreeMap::new()).unwrap();
        let steps = [
            vertex("[1/4] FROM docker.io/library/python:3.11-slim", true, 0),
            vertex("[2/4] COPY requirements.txt ./", true, 0),
            vertex("[3/4] RUN pip install -r requirements.txt", false, 42),
            vertex("[4/4] COPY . .", true, 0),
        ];
        layerwise_explain::record_plan(&files, &Inputs::default(), &plan, &steps).unwrap();

        let run = step_facts_in(&files, DOCKERFILE, 3).expect("RUN has a step");
        assert!(
            run.contains("**Last recorded build** (just now): ran, 42.0s."),
            "{run}"
        );
        assert!(run.contains("**Next build**: a cache hit."), "{run}");
        let copy = step_facts_in(&files, DOCKERFILE, 4).expect("COPY has a step");
        assert!(copy.contains("build** (just now): cached."), "{copy}");

        // A dependency edit: the install is predicted to re-run, for that
        // reason, at the cost it took last time.
        std::fs::write(dir.path().join("requirements.txt"), "flask\nrequests\n").unwrap();
        let run = step_facts_in(&files, DOCKERFILE, 3).expect("RUN has a step");
        assert!(
            run.contains("**Next build** re-runs it (about 42.0s): follows from line 2."),
            "{run}"
        );
        let copy = step_facts_in(&files, DOCKERFILE, 2).expect("COPY has a step");
        assert!(copy.contains("**Next build** re-runs it"), "{copy}");
        assert!(copy.contains("requirements.txt"), "{copy}");
    }

    #[test]
    fn ages_read_in_the_largest_unit() {
        assert_eq!(age(5), "just now");
        assert_eq!(age(600), "10 min ago");
        assert_eq!(age(7_200), "2 h ago");
        assert_eq!(age(3 * 86_400), "3 days ago");
    }
}
