//! Parse errors: what went wrong and where.

use std::fmt;

use crate::span::Span;

/// The category of a [`ParseError`], so callers can react to a class of
/// problem without matching on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParseErrorKind {
    /// The file holds no instruction at all (empty, or only comments).
    NoInstructions,
    /// A parser directive repeats or has an invalid value.
    InvalidDirective,
    /// The instruction keyword is not one BuildKit knows.
    UnknownInstruction,
    /// A `--flag` that the instruction does not accept.
    UnknownFlag,
    /// A flag given twice where only one is allowed.
    DuplicateFlag,
    /// A flag that needs `=value` was written without one.
    MissingFlagValue,
    /// A flag value (or a `--mount` option) that is not valid.
    InvalidFlagValue,
    /// A JSON array whose elements are not all strings.
    InvalidJson,
    /// Too few arguments for the instruction.
    MissingArguments,
    /// Too many arguments, or arguments of the wrong shape.
    InvalidArguments,
    /// A heredoc whose terminator line never appears.
    UnterminatedHeredoc,
    /// The file parses but has no build stage: no FROM, or an instruction
    /// other than ARG before the first one (see `Dockerfile::build_errors`).
    NoStage,
}

/// One problem found while parsing, with the span it concerns.
///
/// Parsing never stops at an error: the offending instruction is still in the
/// tree and parsing resumes with the next one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What kind of problem this is.
    pub kind: ParseErrorKind,
    /// A message for people, without position (add it with a [`crate::LineIndex`]).
    pub message: String,
    /// The source bytes the error is about.
    pub span: Span,
}

impl ParseError {
    pub(crate) fn new(kind: ParseErrorKind, span: Span, message: impl Into<String>) -> Self {
        ParseError {
            kind,
            message: message.into(),
            span,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}
