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
mod read;
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
    Instruction, InstructionKind, Item, KeyValue, LogicalText, Separator,
};
pub use mount::{CacheSharing, Mount, MountField, MountOption, MountType};
pub use parser::{parse, parse_string};
pub use read::{ReadError, read, read_buildable, read_text, text_of};
pub use span::{LineIndex, Position, Span, Spanned};

/// Decodes a Dockerfile's bytes as UTF-8 (what BuildKit reads); on invalid
/// input, the position of the first byte that is not, for the error message.
pub fn decode(bytes: Vec<u8>) -> Result<String, Position> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        LineIndex::new(valid).position(valid, valid.len())
    })
}

#[cfg(test)]
mod decode_tests {
    #[test]
    fn invalid_utf8_is_placed_at_its_line_and_column() {
        let mut bytes = b"FROM debian\nRUN \xc3\xa9cho \xff\n".to_vec();
        let at = super::decode(bytes.clone()).unwrap_err();
        assert_eq!((at.line, at.column), (2, 10));
        bytes.retain(|b| *b != 0xff);
        assert_eq!(super::decode(bytes).unwrap(), "FROM debian\nRUN écho \n");
    }
}
