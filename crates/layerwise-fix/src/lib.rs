//! `layerwise fix`: applies rule fixes to a Dockerfile as byte-range edits.
//!
//! Every fix comes from the [`layerwise_rules`] diagnostic that carries it
//! (a rule's fix lives in the rule's file), plus the `.dockerignore` the
//! LW112/LW113 rules write as a [`SideFile`]. Edits are
//! applied in rounds: each round re-parses and re-checks the text, applies
//! every fix that does not overlap one already taken in that round, and the
//! loop stops at a fixed point. Text outside the edited spans (comments,
//! blank lines, casing, continuations) is never touched.
//!
//! The opt-in [`restructure`] turns a single-stage image into the builder
//! venv + production layout that `layerwise init` generates.

pub mod restructure;
pub mod verify;
pub mod write;

use std::path::Path;

use layerwise_rules::{Applicability, ContextDir, Diagnostic, Edit, Fix, Settings};
use layerwise_syntax::{Dockerfile, ParseErrorKind, Span};

/// What `fix` may do.
#[derive(Clone, Debug)]
pub struct Options {
    /// Also apply fixes marked [`Applicability::Unsafe`] (and the restructure).
    pub unsafe_fixes: bool,
    /// Upper bound on re-check rounds; a file that still changes after this
    /// many is reported as not converged.
    pub max_rounds: usize,
    /// With `unsafe_fixes`, also try the restructure (off to get the rule
    /// fixes alone, e.g. when verification refused the restructured build).
    pub restructure: bool,
    /// What the restructure installs with, as `init` does (`uv pip` by
    /// default; a file that installs with uv keeps uv whatever this says).
    pub install: restructure::Install,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            unsafe_fixes: false,
            max_rounds: 10,
            restructure: true,
            install: restructure::Install::default(),
        }
    }
}

/// One fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The rule code, or `restructure`.
    pub code: String,
    /// What the fix did.
    pub message: String,
    /// 1-based line in the text of the round it was applied in.
    pub line: usize,
    pub round: usize,
}

/// The edits of one round, on the text that round started from.
#[derive(Clone, Debug)]
pub struct Round {
    pub before: String,
    pub edits: Vec<Edit>,
}

pub use layerwise_rules::SideFile;

/// The result of fixing one file.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub original: String,
    pub fixed: String,
    pub applied: Vec<Applied>,
    pub rounds: Vec<Round>,
    /// Fixes that exist but were not applied, and why (unsafe, refused).
    pub notes: Vec<String>,
    /// Other files the fix changes.
    pub side_files: Vec<SideFile>,
    /// False when `max_rounds` was reached while the text still changed.
    pub converged: bool,
}

impl Outcome {
    /// Whether anything would be written.
    pub fn changed(&self) -> bool {
        self.fixed != self.original
            || self
                .side_files
                .iter()
                .any(|s| s.before.as_ref() != Some(&s.after))
    }
}

/// A Dockerfile that cannot be fixed because it does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFailure {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ParseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The first parse error of `file` that stops fixing (an empty file is fine).
pub fn parse_failure(file: &Dockerfile) -> Option<ParseFailure> {
    let source = file.source();
    file.errors()
        .iter()
        .find(|e| e.kind != ParseErrorKind::NoInstructions || !source.trim().is_empty())
        .map(|e| {
            let p = file.position(e.span.start);
            ParseFailure {
                line: p.line,
                column: p.column,
                message: e.message.clone(),
            }
        })
}

/// A candidate fix for one diagnostic, before overlap resolution.
struct Candidate {
    code: String,
    line: usize,
    fix: Fix,
}

/// Fixes `source`. `project_dir` is the build context (for manifests, the
/// `.dockerignore` and the restructure); without it only fixes that need no
/// project are applied.
pub fn fix_source(
    source: &str,
    settings: &Settings,
    project_dir: Option<&Path>,
    options: &Options,
) -> Result<Outcome, ParseFailure> {
    let first = layerwise_syntax::parse(source);
    if let Some(failure) = parse_failure(&first) {
        return Err(failure);
    }
    let mut project = project_dir.map(ContextDir::load);
    let mut outcome = Outcome {
        original: source.to_string(),
        fixed: source.to_string(),
        applied: Vec::new(),
        rounds: Vec::new(),
        notes: Vec::new(),
        side_files: Vec::new(),
        converged: true,
    };
    // The .dockerignore first: what the context sends decides nothing in the
    // Dockerfile's text, but LW112/LW113 should not be reported afterwards.
    if let (Some(dir), Some(p)) = (project_dir, project.as_mut()) {
        let diagnostics = layerwise_rules::check(&first, settings, Some(p));
        if let Some(side) = layerwise_rules::rules::cache::dockerignore::fix_file(
            dir,
            p,
            &diagnostics,
            &mut outcome.notes,
        ) {
            if let Ok(ignore) = layerwise_ignore::DockerIgnore::parse(&side.after) {
                p.dockerignore = Some(ignore);
                p.dockerignore_error = None;
            }
            outcome.side_files.push(side);
        }
    }
    let mut current = source.to_string();
    let mut converged = false;
    for round in 0..options.max_rounds {
        let file = layerwise_syntax::parse(&current);
        if parse_failure(&file).is_some() {
            // A fix produced text that does not parse: keep the last good
            // round's result. This is a bug in a fix, so say so.
            outcome
                .notes
                .push("a fix produced text that does not parse; it was discarded".to_string());
            break;
        }
        let diagnostics = layerwise_rules::check(&file, settings, project.as_ref());
        let mut candidates = Vec::new();
        if round == 0
            && options.unsafe_fixes
            && options.restructure
            && restructure::enabled(settings)
        {
            match project_dir
                .map(|dir| restructure::restructure(&file, settings, dir, &options.install))
            {
                Some(Ok(fix)) => candidates.push(Candidate {
                    code: "restructure".to_string(),
                    line: 1,
                    fix,
                }),
                Some(Err(restructure::Refusal::NotApplicable)) | None => {}
                Some(Err(restructure::Refusal::Unsafe(reason))) => {
                    outcome.notes.push(format!("not restructured: {reason}"));
                }
            }
        }
        if candidates.is_empty() {
            collect(
                &file,
                &diagnostics,
                options,
                round,
                &mut candidates,
                &mut outcome.notes,
            );
        }
        let (edits, taken) = select(&candidates);
        if edits.is_empty() {
            converged = true;
            break;
        }
        let Some(next) = apply(&current, &edits) else {
            break;
        };
        if next == current {
            converged = true;
            break;
        }
        for c in taken {
            outcome.applied.push(Applied {
                code: c.code.clone(),
                message: c.fix.message.clone(),
                line: c.line,
                round: round + 1,
            });
        }
        outcome.rounds.push(Round {
            before: current.clone(),
            edits,
        });
        current = next;
    }
    outcome.notes.sort();
    outcome.notes.dedup();
    outcome.converged = converged;
    outcome.fixed = current;
    Ok(outcome)
}

/// Gathers the fixes the round's diagnostics carry.
fn collect(
    file: &Dockerfile,
    diagnostics: &[Diagnostic],
    options: &Options,
    round: usize,
    out: &mut Vec<Candidate>,
    notes: &mut Vec<String>,
) {
    for d in diagnostics {
        let line = file.position(d.span.start).line;
        let Some(fix) = d.fix.clone() else { continue };
        if fix.applicability == Applicability::Unsafe && !options.unsafe_fixes {
            if round == 0 {
                notes.push(format!(
                    "line {line}: {} `{}` needs --unsafe-fixes: {}",
                    d.code, d.name, fix.message
                ));
            }
            continue;
        }
        if fix.apply(file.source()).is_none() {
            continue;
        }
        out.push(Candidate {
            code: d.code.to_string(),
            line,
            fix,
        });
    }
}

/// Whether two edits touch the same bytes. Two insertions at one offset
/// count as overlapping: their order would be a guess.
fn overlaps(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end)
        || a.start == b.start
        || (a.is_empty() && b.start < a.start && a.start < b.end)
        || (b.is_empty() && a.start < b.start && b.start < a.end)
}

/// Takes candidates in order, skipping any that overlaps one already taken.
fn select(candidates: &[Candidate]) -> (Vec<Edit>, Vec<&Candidate>) {
    let mut edits: Vec<Edit> = Vec::new();
    let mut taken = Vec::new();
    for c in candidates {
        if c.fix.edits.is_empty() {
            continue;
        }
        let clash = c
            .fix
            .edits
            .iter()
            .any(|e| edits.iter().any(|t| overlaps(e.span, t.span)));
        if clash {
            continue;
        }
        edits.extend(c.fix.edits.iter().cloned());
        taken.push(c);
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    (edits, taken)
}

/// Applies sorted, non-overlapping edits; `None` if one is out of bounds.
pub fn apply(source: &str, edits: &[Edit]) -> Option<String> {
    Fix::new(Applicability::Safe, "", edits.to_vec()).apply(source)
}

/// A unified diff of `before` → `after` labelled with `path`.
pub fn unified_diff(path: &str, before: Option<&str>, after: &str) -> String {
    let old = before.unwrap_or("");
    let diff = similar::TextDiff::from_lines(old, after);
    let from = if before.is_some() {
        format!("a/{path}")
    } else {
        "/dev/null".to_string()
    };
    diff.unified_diff()
        .context_radius(3)
        .header(&from, &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests;
