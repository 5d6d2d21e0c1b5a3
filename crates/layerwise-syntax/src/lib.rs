//! Lossless, positioned Dockerfile parsing with BuildKit's exact semantics.
//!
//! [`parse`] never fails: it returns a [`Dockerfile`] whose top-level
//! [`Item`]s (directives, comments, blank lines, instructions with their
//! continuation lines and heredoc bodies) cover every byte of the input in
//! order, plus the [`ParseError`]s found. Every keyword, flag, argument,
//! heredoc and comment carries a byte [`Span`], so later stages can report
//! precise positions and rewrite exactly the bytes a node came from.
//!
//! What is accepted and how it is split follows moby/buildkit's Dockerfile
//! frontend: parser directives, line continuations with the active escape
//! character, JSON versus shell form, heredocs, flag extraction, and the
//! argument checks of its `instructions` package. [`expand`] implements its
//! shell lexer (variable expansion and word splitting), and [`dump`] prints
//! its AST dump format.
//!
//! ```
//! use layerwise_syntax::{parse, Arguments, InstructionKind};
//!
//! let source = "FROM python:3.12-slim AS build\n\
//!               RUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\n";
//! let dockerfile = parse(source);
//! assert!(dockerfile.errors().is_empty());
//! assert_eq!(dockerfile.to_source(), source);
//!
//! let run = dockerfile.instructions().nth(1).unwrap();
//! assert_eq!(run.kind, InstructionKind::Run);
//! let Arguments::Text(command) = &run.arguments else { panic!("shell form") };
//! assert_eq!(command.value, "pip install -r requirements.txt");
//!
//! let layerwise_syntax::Details::Run(flags) = &run.details else { panic!() };
//! let mount = &flags.mounts[0];
//! assert_eq!(mount.target.as_deref(), Some("/root/.cache/pip"));
//! assert_eq!(dockerfile.text(mount.span), "type=cache,target=/root/.cache/pip");
//! let position = dockerfile.position(mount.span.start);
//! assert_eq!((position.line, position.column), (2, 13));
//! ```

mod command;
mod directive;
mod dockerfile;
pub mod dump;
mod error;
pub mod expand;
mod flags;
mod heredoc;
mod instruction;
mod json;
mod logical;
mod mount;
mod parser;
mod span;
#[doc(hidden)]
pub mod testing;
mod text;

pub use dockerfile::Dockerfile;
pub use error::{ParseError, ParseErrorKind};
pub use flags::{CopyFlags, FromFlags, HealthcheckFlags, NetworkMode, RunFlags, SecurityMode};
pub use heredoc::Heredoc;
pub use instruction::{
    ArgDeclaration, Arguments, Comment, Details, Directive, DirectiveKind, ExecForm, Flag,
    Instruction, InstructionKind, Item, KeyValue, Separator,
};
pub use mount::{CacheSharing, Mount, MountField, MountOption, MountType};
pub use parser::parse;
pub use span::{LineIndex, Position, Span, Spanned};
