//! The parsed file: items, errors and source access.

use crate::error::{ParseError, ParseErrorKind};
use crate::instruction::{Directive, Instruction, InstructionKind, Item};
use crate::span::{LineIndex, Position, Span};

/// A parsed Dockerfile. It owns its source so spans can always be resolved.
#[derive(Clone, Debug)]
pub struct Dockerfile {
    source: String,
    items: Vec<Item>,
    errors: Vec<ParseError>,
    escape: char,
    line_index: LineIndex,
}

impl Dockerfile {
    pub(crate) fn new(
        source: String,
        items: Vec<Item>,
        errors: Vec<ParseError>,
        escape: char,
    ) -> Self {
        let line_index = LineIndex::new(&source);
        Dockerfile {
            source,
            items,
            errors,
            escape,
            line_index,
        }
    }

    /// The parsed text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The source text of `span` (empty if the span is out of range or
    /// not on character boundaries).
    pub fn text(&self, span: Span) -> &str {
        self.source.get(span.range()).unwrap_or_default()
    }

    /// Everything BuildKit rejects before it builds: the parse errors, or, when
    /// the file parses, what its stage reader rejects: an instruction other
    /// than ARG before the first FROM, or no FROM at all.
    pub fn build_errors(&self) -> Vec<ParseError> {
        if !self.errors.is_empty() {
            return self.errors.clone();
        }
        let mut instructions = self.instructions();
        let before_stage = instructions
            .by_ref()
            .find(|i| i.kind != InstructionKind::Arg);
        match before_stage {
            Some(i) if i.kind == InstructionKind::From => Vec::new(),
            Some(i) => vec![ParseError::new(
                ParseErrorKind::NoStage,
                i.keyword.span,
                format!(
                    "no build stage in current context: {} before the first FROM",
                    i.keyword.value.to_uppercase()
                ),
            )],
            None => vec![ParseError::new(
                ParseErrorKind::NoStage,
                Span::empty(self.source.len()),
                "dockerfile contains no stages to build: no FROM instruction",
            )],
        }
    }

    /// All top-level items in order; their spans tile the source.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The instructions in order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|item| match item {
            Item::Instruction(i) => Some(&**i),
            _ => None,
        })
    }

    /// The parser directives in order.
    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.items.iter().filter_map(|item| match item {
            Item::Directive(d) => Some(&**d),
            _ => None,
        })
    }

    /// Problems found while parsing, in source order.
    pub fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// The escape character in effect (`\` unless `# escape=` changed it).
    pub fn escape(&self) -> char {
        self.escape
    }

    /// Line/column lookup for this file.
    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// The 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.line_index.position(&self.source, offset)
    }

    /// First and last 1-based line of a span (the last line is the one
    /// holding the span's last byte, so a trailing newline does not count).
    pub fn lines(&self, span: Span) -> (usize, usize) {
        let first = self.position(span.start).line;
        let last = if span.is_empty() {
            first
        } else {
            self.position(span.end - 1).line
        };
        (first, last)
    }

    /// Reassembles the source from the items. Always equal to
    /// [`Dockerfile::source`]; exists to prove the tree is lossless.
    pub fn to_source(&self) -> String {
        let mut out = String::with_capacity(self.source.len());
        for item in &self.items {
            out.push_str(self.text(item.span()));
        }
        out
    }
}
