//! What a rule reports: a diagnostic with a span, a message and maybe a fix.

use std::fmt;

use layerwise_syntax::Span;
use serde::Serialize;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// Parses `info`, `warning` (or `warn`), `error`.
    pub fn parse(value: &str) -> Option<Severity> {
        match value.to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a fix can be applied without review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the build's meaning; `fix` applies it by default.
    Safe,
    /// Changes behaviour in a way the author should review.
    Unsafe,
}

/// Replace the bytes of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    #[serde(serialize_with = "serialize_span")]
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn replace(span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(Span::empty(at), text)
    }
}

fn serialize_span<S: serde::Serializer>(span: &Span, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("Span", 2)?;
    st.serialize_field("start", &span.start)?;
    st.serialize_field("end", &span.end)?;
    st.end()
}

/// A set of non-overlapping edits that resolve one diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does, for people.
    pub message: String,
    /// Sorted by start offset, non-overlapping.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        message: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Fix {
            applicability,
            message: message.into(),
            edits,
        }
    }

    /// Applies the edits to `source`. Returns `None` if an edit is out of
    /// bounds, not on a character boundary, or overlaps another.
    pub fn apply(&self, source: &str) -> Option<String> {
        if !self.applies_to(source) {
            return None;
        }
        let mut out = String::with_capacity(source.len());
        let mut last = 0;
        for edit in &self.edits {
            out.push_str(&source[last..edit.span.start]);
            out.push_str(&edit.replacement);
            last = edit.span.end;
        }
        out.push_str(&source[last..]);
        Some(out)
    }

    /// Whether [`Fix::apply`] would succeed, without building the new text
    /// (which costs a copy of the whole file per fix).
    pub fn applies_to(&self, source: &str) -> bool {
        let mut last = 0;
        for edit in &self.edits {
            if edit.span.start < last || source.get(edit.span.range()).is_none() {
                return false;
            }
            last = edit.span.end;
        }
        true
    }
}

/// Another place in the Dockerfile a finding names (the install a COPY
/// invalidates, the stage that took a name first), with what happens there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// What a rule found, before the engine stamps it with the rule's identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub related: Vec<Related>,
}

impl Finding {
    pub fn new(span: Span, message: impl Into<String>) -> Finding {
        Finding {
            span,
            message: message.into(),
            help: None,
            fix: None,
            related: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn fix(mut self, fix: Option<Fix>) -> Finding {
        self.fix = fix;
        self
    }

    /// Points at another instruction the message names.
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }
}

/// One reported problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub span: Span,
    pub fix: Option<Fix>,
    /// Other places the message names; empty for most findings.
    pub related: Vec<Related>,
}

/// A whole-file change next to the Dockerfile (the `.dockerignore`), for
/// fixes that write a file rather than edit the Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SideFile {
    pub path: std::path::PathBuf,
    /// `None` when the file does not exist yet.
    pub before: Option<String>,
    pub after: String,
}
