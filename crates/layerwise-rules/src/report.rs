//! The outcome of checking one file, what every output format renders.

use std::path::Path;

use layerwise_syntax::Dockerfile;

use crate::{ContextDir, Diagnostic, Settings};

/// The outcome for one file.
pub struct FileReport {
    /// The path as given or found, for display.
    pub path: String,
    pub file: Option<Dockerfile>,
    /// `line:col: message` problems that stop the file from being checked.
    pub errors: Vec<(usize, usize, String)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// `PATH:LINE:COL`, or just `PATH` for an error about the whole file (line 0).
    pub fn location(&self, line: usize, column: usize) -> String {
        if line == 0 {
            self.path.clone()
        } else {
            format!("{}:{line}:{column}", self.path)
        }
    }
}

/// Decodes, parses and checks one Dockerfile's bytes (or the error reading
/// them); `path` is how the file is named in the report.
pub fn check_bytes(
    path: &Path,
    bytes: std::io::Result<Vec<u8>>,
    settings: &Settings,
    project: Option<&ContextDir>,
) -> FileReport {
    let display = path.display().to_string();
    let source = match layerwise_syntax::text_of(path, bytes) {
        Ok(source) => source,
        Err(err) => {
            let (line, column) = err.position().map_or((0, 0), |at| (at.line, at.column));
            return FileReport {
                path: display,
                file: None,
                errors: vec![(line, column, err.message())],
                diagnostics: Vec::new(),
            };
        }
    };
    let file = layerwise_syntax::parse_string(source);
    let errors: Vec<(usize, usize, String)> = file
        .build_errors()
        .iter()
        .map(|e| {
            let p = file.position(e.span.start);
            (p.line, p.column, e.message.clone())
        })
        .collect();
    let diagnostics = if errors.is_empty() {
        crate::check(&file, settings, project)
    } else {
        Vec::new()
    };
    FileReport {
        path: display,
        file: Some(file),
        errors,
        diagnostics,
    }
}
