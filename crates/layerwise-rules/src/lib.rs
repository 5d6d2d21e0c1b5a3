//! The layerwise lint rules and the engine that runs them.
//!
//! Rules live one per file under `rules/<category>/`, each with a stable
//! code (`LW101`), a kebab-case name, a default [`Severity`], Markdown docs
//! (What it does / Why is this bad? / Example / Use instead) and, where the
//! rewrite is exact, a [`Fix`] made of byte-range [`Edit`]s.
//!
//! ```
//! use layerwise_rules::{check_source, Settings};
//! let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n";
//! let (_file, diagnostics) = check_source(src, &Settings::default(), None);
//! assert!(diagnostics.iter().any(|d| d.code == "LW101"));
//! ```

pub mod config;
pub mod context;
pub mod context_dir;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod registry;
pub mod report;
pub mod rules;
pub mod suppress;

use std::collections::BTreeMap;

use layerwise_model::Model;
use layerwise_syntax::Dockerfile;

pub use config::{Config, RuleOptions, load_config};
pub use context::Context;
pub use context_dir::ContextDir;
pub use diagnostic::{Applicability, Diagnostic, Edit, Finding, Fix, Related, Severity, SideFile};
pub use registry::{Category, Fixes, Rule};
pub use report::{FileReport, check_bytes};
pub use suppress::Suppressions;

/// Which rules run and how severe their findings are.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Per rule (indexed like [`registry::all`]): whether it runs.
    pub enabled: Vec<bool>,
    /// Severity overrides by rule code.
    pub severity: BTreeMap<&'static str, Severity>,
    /// Build arguments and target for the model.
    pub model: layerwise_model::Options,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: vec![true; registry::all().len()],
            severity: BTreeMap::new(),
            model: layerwise_model::Options::default(),
        }
    }
}

impl Settings {
    /// Restricts to `select` (if non-empty) then removes `ignore`. Unknown
    /// selectors are an error naming them.
    pub fn select(&mut self, select: &[String], ignore: &[String]) -> Result<(), String> {
        if !select.is_empty() {
            let mut enabled = vec![false; self.enabled.len()];
            for s in select {
                for i in
                    registry::resolve(s).ok_or_else(|| format!("unknown rule selector `{s}`"))?
                {
                    enabled[i] = true;
                }
            }
            self.enabled = enabled;
        }
        for s in ignore {
            for i in registry::resolve(s).ok_or_else(|| format!("unknown rule selector `{s}`"))? {
                self.enabled[i] = false;
            }
        }
        Ok(())
    }

    /// Sets the severity of every rule a selector matches.
    pub fn set_severity(&mut self, selector: &str, severity: Severity) -> Result<(), String> {
        for i in registry::resolve(selector)
            .ok_or_else(|| format!("unknown rule selector `{selector}`"))?
        {
            self.severity.insert(registry::all()[i].code, severity);
        }
        Ok(())
    }
}

/// Runs the enabled rules over a parsed file. Diagnostics come back sorted
/// by position, suppressions applied, fixes validated against the source.
pub fn check(
    file: &Dockerfile,
    settings: &Settings,
    project: Option<&ContextDir>,
) -> Vec<Diagnostic> {
    let model = Model::new(file, &settings.model);
    let context = Context {
        file,
        model: &model,
        project,
    };
    let suppressions = Suppressions::collect(file);
    let mut out = Vec::new();
    let mut findings = Vec::new();
    for (index, rule) in registry::all().iter().enumerate() {
        if !settings.enabled.get(index).copied().unwrap_or(true) {
            continue;
        }
        findings.clear();
        (rule.check)(&context, &mut findings);
        for f in findings.drain(..) {
            if suppressions.is_suppressed(rule.code, f.span) {
                continue;
            }
            // A fix that does not apply cleanly is dropped, never emitted.
            let fix = f.fix.filter(|fix| fix.applies_to(file.source()));
            out.push(Diagnostic {
                code: rule.code,
                name: rule.name,
                severity: settings
                    .severity
                    .get(rule.code)
                    .copied()
                    .unwrap_or(rule.severity),
                message: f.message,
                help: f.help,
                span: f.span,
                fix,
                related: f.related,
            });
        }
    }
    out.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
    out
}

/// Parses `source` and checks it.
pub fn check_source(
    source: &str,
    settings: &Settings,
    project: Option<&ContextDir>,
) -> (Dockerfile, Vec<Diagnostic>) {
    let file = layerwise_syntax::parse(source);
    let diagnostics = check(&file, settings, project);
    (file, diagnostics)
}

#[cfg(test)]
pub(crate) mod test_util;
