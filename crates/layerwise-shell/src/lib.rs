//! Understanding the shell commands inside Dockerfile `RUN` instructions.
//!
//! [`analyze`] parses a shell-form `RUN` script with a real POSIX/bash parser
//! and flattens it into the [`SimpleCommand`]s it would run, each with its
//! words after quote removal and the control-flow context it sits in.
//! [`invocations`] then recognises the tools layerwise cares about (pip, uv,
//! Poetry, Pipenv, PDM, apt, apk, user management, downloads, …) and models
//! their arguments.
//!
//! # Positions
//!
//! Every span is a byte range into the exact string given to [`analyze`]
//! (the `RUN` text with line continuations already joined). Mapping those
//! offsets back to lines and columns of the Dockerfile is the caller's job,
//! since only the caller knows where continuations were removed. For
//! [`analyze_exec`] the spans point into `argv.join(" ")`.
//!
//! Commands run through `sh -c '…'`/`bash -lc "…"` and inside `$(…)` are
//! analysed too; their spans are mapped back into the outer string through
//! the quote removal of the word that holds them, so slicing the input with
//! a span of an inner word yields that word as written (with the outer
//! quoting's escapes, if any).
//!
//! # Choice of parser
//!
//! `brush-parser` (MIT, actively maintained as part of the brush shell)
//! is used. It builds on stable Rust, is synchronous, understands bash
//! extensions seen in real Dockerfiles (`[[ … ]]`, `set -o pipefail`,
//! `$'…'`) and reports source positions for words and commands.
//! `yash-syntax` was rejected: it is licensed GPL-3.0-or-later, which cannot
//! be linked into an MIT/Apache-2.0 tool; its newest release (0.25) needs
//! Rust 1.96, so only older releases build on the project's toolchain; and
//! its parser is `async`, which would force an executor (or a hand-rolled
//! `block_on`) onto a purely synchronous lint pass.
//! brush reports positions in characters, so they are converted to byte
//! offsets here.
//!
//! # Cost
//!
//! Over the `RUN` lines of a 400-Dockerfile corpus, [`analyze`] plus
//! [`invocations`] takes about 40 µs of CPU per line in a release build
//! (`examples/corpus_speed.rs`); nearly all of it is brush's tokenizer and
//! PEG parser. Callers that lint many files should analyse in parallel and
//! may cache by line text, since identical `RUN` lines are common.

use std::ops::Range;

mod args;
pub mod tools;
mod walk;
mod word;

pub use args::Opt;
pub use tools::{Invocation, ToolInvocation, invocations};

/// The commands of one `RUN` script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Simple commands in source order. Commands found inside `sh -c` or a
    /// command substitution follow the command that contains them.
    pub commands: Vec<SimpleCommand>,
    /// Set when the script could not be parsed; `commands` is then empty
    /// (or holds what nested scripts could be analysed).
    pub parse_error: Option<ShellError>,
}

/// Why a script could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellError {
    /// Human-readable reason from the parser.
    pub message: String,
    /// Byte offset near which the problem was detected, when known.
    pub offset: Option<usize>,
}

impl std::fmt::Display for ShellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{} (at byte {o})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ShellError {}

/// One simple command: optional assignments, then the program and arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Program name and arguments. Empty for a bare assignment like `A=1`.
    pub argv: Vec<Word>,
    /// `NAME=value` words before the program (environment for this command
    /// only, or shell variables when `argv` is empty).
    pub env_prefix: Vec<Assignment>,
    /// Redirections attached to the command.
    pub redirects: Vec<Redirect>,
    /// Bytes covered by the command.
    pub span: Range<usize>,
    /// How the command is joined to the one before it in its list.
    pub connector: Connector,
    /// True when the command may not run in a successful build: inside an
    /// `if`/`elif`/`else` branch, a `case` arm, a `while`/`until` body, a
    /// function body, or to the right of `||`.
    pub conditional: bool,
    /// True inside `( … )` or a command substitution, where `cd` and
    /// variable changes do not outlive the group.
    pub in_subshell: bool,
    /// Identifier shared by the commands of one `a | b | c` pipeline.
    pub pipeline: usize,
    /// Where the command came from.
    pub origin: Origin,
}

impl SimpleCommand {
    /// The program word with any directory removed (`/usr/bin/pip3` → `pip3`).
    pub fn program(&self) -> Option<&str> {
        self.argv.first().map(|w| basename(&w.text))
    }
}

/// Base name of a path-like word.
pub(crate) fn basename(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

/// How a command is joined to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// First command of its list (script, branch body, nested script).
    First,
    /// After `&&`.
    And,
    /// After `||`.
    Or,
    /// After `;` or a newline.
    Sequence,
    /// After `|`.
    Pipe,
    /// After `&` (the previous command runs in the background).
    Background,
}

/// Where a command was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Directly in the analysed script.
    Script,
    /// Inside the script argument of the shell command at this index, e.g.
    /// `sh -c '…'`.
    ShellWrapper(usize),
    /// Inside `$(…)` or `` `…` `` of the command at this index.
    Substitution(usize),
}

/// A shell word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Text after quote removal. Expansions (`$X`, `$(…)`) and globs are kept
    /// as written, so `text` is what the program receives only when
    /// `literal` is true.
    pub text: String,
    /// Bytes of the word as written, quotes included.
    pub span: Range<usize>,
    /// False if the word contains a parameter expansion, command
    /// substitution, arithmetic, glob, brace expansion or leading tilde.
    pub literal: bool,
}

/// A `NAME=value` assignment word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Variable name.
    pub name: String,
    /// Value after quote removal; its span covers only the value.
    pub value: Word,
    /// Bytes of the whole `NAME=value` word.
    pub span: Range<usize>,
}

/// A redirection such as `> /dev/null` or `2>&1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// Explicit file descriptor, e.g. `2` in `2>file`.
    pub fd: Option<i32>,
    /// Direction of the redirection.
    pub kind: RedirectKind,
    /// Target file or descriptor word, when there is one.
    pub target: Option<Word>,
}

/// Direction of a redirection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// `<`
    Read,
    /// `>` or `>|`
    Write,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `<&`, `>&`, `&>`
    Duplicate,
    /// `<<` or `<<<`
    HereDoc,
}

/// Nesting limit for `sh -c` and `$(…)` recursion, so hostile input cannot
/// exhaust the stack.
const MAX_DEPTH: usize = 6;

/// Analyses a shell-form `RUN` script. Never panics; a script the parser
/// rejects yields a [`Script`] with `parse_error` set.
pub fn analyze(script: &str) -> Script {
    walk::analyze_nested(script, 0)
}

/// Analyses an exec-form `RUN ["prog", "arg", …]` instruction. No shell is
/// involved, so every word is literal; a `sh -c SCRIPT` argv still has its
/// script analysed. Spans point into `argv.join(" ")`.
pub fn analyze_exec(argv: &[&str]) -> Script {
    walk::analyze_exec(argv)
}

#[cfg(test)]
mod tests;
