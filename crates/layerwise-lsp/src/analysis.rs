//! One check of a document, and its findings as LSP diagnostics.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use layerwise_rules::{ContextDir, FileReport, RuleOptions, Settings, Severity, docs, registry};
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Range, Url,
};

use crate::document::Document;

/// What `layerwise` calls itself in diagnostics.
pub const SOURCE: &str = "layerwise";

/// The result of checking one version of a document.
pub struct Analysis {
    /// The file on disk the document stands for (`None` for an unsaved buffer).
    pub path: Option<PathBuf>,
    pub settings: Settings,
    pub report: FileReport,
    /// A configuration file that cannot be used, as `PATH:LINE:COL: message`.
    pub config_error: Option<String>,
}

impl Analysis {
    /// Checks `document` as `check` checks the file at `path`: the nearest
    /// configuration up from it and its directory as the build context. Both
    /// are read again on every call, so an edited `layerwise.toml` or
    /// `.dockerignore` applies to the next change.
    pub fn run(document: &Document, path: Option<&Path>) -> Analysis {
        let checked =
            std::panic::catch_unwind(AssertUnwindSafe(|| Analysis::check(document, path)));
        checked.unwrap_or_else(|panic| {
            // The document stays open and the next change is checked again;
            // the editor shows why this version has no findings.
            let reason = crate::panic_message(panic.as_ref());
            let name = path.map_or_else(|| "Dockerfile".to_string(), |p| p.display().to_string());
            Analysis {
                path: path.map(Path::to_path_buf),
                settings: Settings::default(),
                report: FileReport {
                    path: name,
                    file: None,
                    errors: vec![(1, 1, format!("internal error while checking: {reason}"))],
                    diagnostics: Vec::new(),
                },
                config_error: None,
            }
        })
    }

    fn check(document: &Document, path: Option<&Path>) -> Analysis {
        let (settings, config_error) = match path {
            Some(path) => match RuleOptions::default().check_settings_for(path) {
                Ok((_, settings)) => (settings, None),
                Err(error) => (Settings::default(), Some(error)),
            },
            None => (Settings::default(), None),
        };
        let project = path.and_then(|p| {
            let dir = p.parent()?;
            Some(ContextDir::load_for(dir, p))
        });
        let name = path.map_or_else(|| PathBuf::from("Dockerfile"), Path::to_path_buf);
        let report = layerwise_rules::check_bytes(
            &name,
            Ok(document.text().as_bytes().to_vec()),
            &settings,
            project.as_ref(),
        );
        Analysis {
            path: path.map(Path::to_path_buf),
            settings,
            report,
            config_error,
        }
    }

    /// Every finding, parse error and configuration error as a diagnostic
    /// of the document at `uri`.
    pub fn diagnostics(&self, uri: &Url, document: &Document) -> Vec<lsp_types::Diagnostic> {
        let mut out = Vec::new();
        if let Some(error) = &self.config_error {
            out.push(error_diagnostic(Range::default(), error.clone()));
        }
        for (line, column, message) in &self.report.errors {
            let at = document.position(document.offset_of_line_column(*line, *column));
            out.push(error_diagnostic(Range::new(at, at), message.clone()));
        }
        out.extend(
            self.report
                .diagnostics
                .iter()
                .map(|d| to_lsp(d, uri, document)),
        );
        out
    }
}

fn error_diagnostic(range: Range, message: String) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_string()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

/// One finding as the editor shows it: the rule's code linking to its docs,
/// the message with the help line under it, the other lines it names.
pub fn to_lsp(
    d: &layerwise_rules::Diagnostic,
    uri: &Url,
    document: &Document,
) -> lsp_types::Diagnostic {
    let code_description = registry::find(d.code)
        .and_then(|rule| Url::parse(&docs::rule_url(rule)).ok())
        .map(|href| CodeDescription { href });
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let related_information = (!d.related.is_empty()).then(|| {
        d.related
            .iter()
            .map(|related| DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), document.range(related.span)),
                message: related.message.clone(),
            })
            .collect()
    });
    lsp_types::Diagnostic {
        range: document.range(d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description,
        source: Some(SOURCE.to_string()),
        message,
        related_information,
        ..lsp_types::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_become_diagnostics_with_code_and_docs_link() {
        let doc = Document::new(
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                .to_string(),
            1,
        );
        let analysis = Analysis::run(&doc, None);
        let uri = Url::parse("file:///project/Dockerfile").unwrap();
        let diagnostics = analysis.diagnostics(&uri, &doc);
        let lw101 = diagnostics
            .iter()
            .find(|d| d.code == Some(NumberOrString::String("LW101".into())))
            .expect("LW101 reported");
        assert_eq!(lw101.source.as_deref(), Some(SOURCE));
        let href = lw101.code_description.as_ref().unwrap().href.as_str();
        assert!(
            href.ends_with("rules.md#lw101-copy-before-install"),
            "{href}"
        );
        assert!(lw101.range.start.line >= 2, "{:?}", lw101.range);
        // The install the copy invalidates, on line 4 of the same document.
        let related = lw101.related_information.as_ref().expect("related");
        assert_eq!(related.len(), 1, "{related:?}");
        assert_eq!(related[0].location.uri, uri);
        assert_eq!(related[0].location.range.start.line, 3);
        assert!(
            related[0].message.contains("`pip install` re-runs"),
            "{}",
            related[0].message
        );
    }

    #[test]
    fn parse_errors_become_error_diagnostics_at_their_position() {
        let doc = Document::new("FROM python:3.11-slim\nCOPY\n".to_string(), 1);
        let analysis = Analysis::run(&doc, None);
        let uri = Url::parse("file:///project/Dockerfile").unwrap();
        let diagnostics = analysis.diagnostics(&uri, &doc);
        assert!(!diagnostics.is_empty());
        assert!(
            diagnostics
                .iter()
                .all(|d| d.severity == Some(DiagnosticSeverity::ERROR))
        );
        assert_eq!(diagnostics[0].range.start.line, 1, "{diagnostics:?}");
    }
}
