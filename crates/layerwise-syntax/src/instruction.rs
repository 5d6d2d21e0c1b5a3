//! The syntax tree: top-level items, instructions and their arguments.

use crate::flags::{CopyFlags, FromFlags, HealthcheckFlags, RunFlags};
use crate::heredoc::Heredoc;
use crate::span::{Span, Spanned};

/// Every Dockerfile instruction BuildKit knows, plus [`InstructionKind::Unknown`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    StopSignal,
    User,
    Volume,
    Workdir,
    /// A keyword BuildKit does not know; kept so the tree stays lossless.
    Unknown,
}

impl InstructionKind {
    /// Looks up a keyword, case-insensitively.
    pub fn from_keyword(keyword: &str) -> InstructionKind {
        use InstructionKind::*;
        const TABLE: [(&str, InstructionKind); 18] = [
            ("add", Add),
            ("arg", Arg),
            ("cmd", Cmd),
            ("copy", Copy),
            ("entrypoint", Entrypoint),
            ("env", Env),
            ("expose", Expose),
            ("from", From),
            ("healthcheck", Healthcheck),
            ("label", Label),
            ("maintainer", Maintainer),
            ("onbuild", Onbuild),
            ("run", Run),
            ("shell", Shell),
            ("stopsignal", StopSignal),
            ("user", User),
            ("volume", Volume),
            ("workdir", Workdir),
        ];
        TABLE
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(keyword))
            .map_or(Unknown, |&(_, kind)| kind)
    }

    /// The canonical upper-case keyword (`"UNKNOWN"` for unknown ones).
    pub fn keyword(self) -> &'static str {
        use InstructionKind::*;
        match self {
            Add => "ADD",
            Arg => "ARG",
            Cmd => "CMD",
            Copy => "COPY",
            Entrypoint => "ENTRYPOINT",
            Env => "ENV",
            Expose => "EXPOSE",
            From => "FROM",
            Healthcheck => "HEALTHCHECK",
            Label => "LABEL",
            Maintainer => "MAINTAINER",
            Onbuild => "ONBUILD",
            Run => "RUN",
            Shell => "SHELL",
            StopSignal => "STOPSIGNAL",
            User => "USER",
            Volume => "VOLUME",
            Workdir => "WORKDIR",
            Unknown => "UNKNOWN",
        }
    }

    /// Whether BuildKit looks for heredocs (`<<EOF`) in this instruction.
    pub fn accepts_heredocs(self) -> bool {
        matches!(
            self,
            InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
        )
    }
}

/// One top-level piece of a Dockerfile. Items are in source order and their
/// spans tile the whole input, so concatenating them reproduces it exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A parser directive such as `# syntax=docker/dockerfile:1` (boxed: rare,
    /// and large next to the other items, of which a file may hold millions).
    Directive(Box<Directive>),
    /// A comment line outside any instruction.
    Comment(Comment),
    /// A line holding nothing but whitespace.
    Blank(Span),
    /// An instruction with its continuation lines and heredoc bodies.
    Instruction(Box<Instruction>),
}

impl Item {
    /// The source bytes of the item, whole lines including their line ends.
    pub fn span(&self) -> Span {
        match self {
            Item::Directive(d) => d.span,
            Item::Comment(c) => c.span,
            Item::Blank(span) => *span,
            Item::Instruction(i) => i.span,
        }
    }
}

/// Which parser directive a [`Directive`] sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DirectiveKind {
    /// `# syntax=` selects the frontend image.
    Syntax,
    /// `# escape=` sets the escape and line-continuation character.
    Escape,
    /// `# check=` configures build checks.
    Check,
}

/// A parser directive line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The whole line including its line end.
    pub span: Span,
    /// Which directive this is.
    pub kind: DirectiveKind,
    /// The key as written (the kind is matched case-insensitively).
    pub name: Spanned<String>,
    /// The value, trimmed.
    pub value: Spanned<String>,
}

/// A comment line (`# …`), at top level or inside a continued instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The whole line including its line end.
    pub span: Span,
    /// From the `#` to the end of the line, line end excluded.
    pub text: Span,
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Whole lines: the instruction, its continuation lines (including comments
    /// and blank lines skipped inside it), heredoc bodies and terminators.
    pub span: Span,
    /// Which instruction this is.
    pub kind: InstructionKind,
    /// The keyword as written.
    pub keyword: Spanned<String>,
    /// The joined text BuildKit parses: continuation characters removed,
    /// comment and empty lines inside the continuation skipped. Read it with
    /// [`Instruction::logical_line`].
    pub logical_line: LogicalText,
    /// The arguments, shaped the way BuildKit's parser shapes them.
    pub arguments: Arguments,
    /// The span of everything after the flags (empty if there are no arguments).
    pub arguments_span: Span,
    /// Flags, heredocs, comments and empty lines, when the instruction has
    /// any: most have none, and a file may hold a million instructions.
    extras: Option<Box<Extras>>,
    /// Typed flag values for the instructions that take flags.
    pub details: Details,
}

/// Where an instruction's logical line is: most instructions are one
/// physical line, whose source bytes are the logical line, so only joined
/// lines keep a copy (a file may hold a million instructions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogicalText {
    /// The logical line is exactly these source bytes.
    Written(Span),
    /// The joined text, which the source does not hold in one piece.
    Joined(String),
}

/// The parts of an instruction most instructions lack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Extras {
    pub(crate) flags: Vec<Flag>,
    pub(crate) heredocs: Vec<Heredoc>,
    pub(crate) comments: Vec<Comment>,
    pub(crate) empty_continuation_lines: Vec<Span>,
}

impl Instruction {
    /// An instruction with nothing but its flags among the optional parts.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        span: Span,
        kind: InstructionKind,
        keyword: Spanned<String>,
        logical_line: LogicalText,
        flags: Vec<Flag>,
        arguments: Arguments,
        arguments_span: Span,
        details: Details,
    ) -> Instruction {
        let extras = (!flags.is_empty()).then(|| {
            Box::new(Extras {
                flags,
                ..Extras::default()
            })
        });
        Instruction {
            span,
            kind,
            keyword,
            logical_line,
            arguments,
            arguments_span,
            extras,
            details,
        }
    }

    /// Changes the optional parts (allocating them on first use; callers
    /// only call this with something to add).
    pub(crate) fn update_extras(&mut self, change: impl FnOnce(&mut Extras)) {
        change(self.extras.get_or_insert_with(Box::default));
    }

    /// The `--flags` in order, as written.
    pub fn flags(&self) -> &[Flag] {
        self.extras.as_ref().map_or(&[], |e| &e.flags)
    }

    /// Heredocs introduced on the instruction line, in order.
    pub fn heredocs(&self) -> &[Heredoc] {
        self.extras.as_ref().map_or(&[], |e| &e.heredocs)
    }

    /// Comment lines inside the continuation.
    pub fn comments(&self) -> &[Comment] {
        self.extras.as_ref().map_or(&[], |e| &e.comments)
    }

    /// Whitespace-only lines inside the continuation (BuildKit warns about
    /// these: "empty continuation line"), line ends included.
    pub fn empty_continuation_lines(&self) -> &[Span] {
        self.extras
            .as_ref()
            .map_or(&[], |e| &e.empty_continuation_lines)
    }

    /// The joined text BuildKit parses; `source` is the parsed file's text
    /// ([`crate::Dockerfile::source`]).
    pub fn logical_line<'a>(&'a self, source: &'a str) -> &'a str {
        match &self.logical_line {
            LogicalText::Written(span) => source.get(span.range()).unwrap_or_default(),
            LogicalText::Joined(text) => text,
        }
    }

    /// The first flag named `name` (without `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags().iter().find(|f| f.name.value == name)
    }

    /// Whether the arguments are in JSON (exec) form.
    pub fn is_exec_form(&self) -> bool {
        match &self.arguments {
            Arguments::Exec(_) => true,
            Arguments::Healthcheck { command, .. } => matches!(**command, Arguments::Exec(_)),
            _ => false,
        }
    }

    /// For `ONBUILD`, the trigger instruction.
    pub fn onbuild_trigger(&self) -> Option<&Instruction> {
        match &self.arguments {
            Arguments::OnBuild(inner) => Some(inner),
            _ => None,
        }
    }
}

/// A `--name[=value]` flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// From the leading `--` to the end of the value as written.
    pub span: Span,
    /// The flag word after quote removal, e.g. `--mount=type=cache,target=/x`.
    pub text: String,
    /// The name without `--`.
    pub name: Spanned<String>,
    /// The value after `=`, if any; the span includes any quotes.
    pub value: Option<Spanned<String>>,
}

/// An argument list shaped the way BuildKit's parser shapes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arguments {
    /// No arguments.
    None,
    /// JSON (exec) form: `["a", "b"]`.
    Exec(ExecForm),
    /// A single text argument: shell form of RUN/CMD/ENTRYPOINT/SHELL, and
    /// the whole argument of MAINTAINER, STOPSIGNAL, USER and WORKDIR.
    Text(Spanned<String>),
    /// Whitespace-separated words (FROM, EXPOSE, and non-JSON COPY/ADD/VOLUME).
    Words(Vec<Spanned<String>>),
    /// ENV and LABEL pairs.
    KeyValues(Vec<KeyValue>),
    /// ARG declarations.
    Declarations(Vec<ArgDeclaration>),
    /// HEALTHCHECK: the type word (`CMD`, `NONE`) and the command.
    Healthcheck {
        kind: Spanned<String>,
        command: Box<Arguments>,
    },
    /// ONBUILD: the trigger instruction.
    OnBuild(Box<Instruction>),
    /// An unknown instruction: BuildKit keeps no arguments for it.
    Ignored,
}

/// A JSON array of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecForm {
    /// From `[` to `]`.
    pub span: Span,
    /// Decoded strings; spans include the quotes.
    pub elements: Vec<Spanned<String>>,
}

/// How an ENV/LABEL pair was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Separator {
    /// `key=value`.
    Equals,
    /// Legacy `KEY value` (one pair per instruction, value is the rest of the line).
    Whitespace,
}

/// An ENV or LABEL pair. Values keep quotes and escapes as written; use
/// [`crate::expand`] to interpret them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// The whole pair.
    pub span: Span,
    pub key: Spanned<String>,
    pub value: Spanned<String>,
    pub separator: Separator,
}

/// One `name[=default]` of an ARG instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgDeclaration {
    /// The whole word as BuildKit keeps it (quotes included).
    pub word: Spanned<String>,
    pub name: Spanned<String>,
    pub default: Option<Spanned<String>>,
}

/// Typed flags of the instructions that take flags.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Details {
    /// The instruction takes no flags.
    #[default]
    None,
    From(FromFlags),
    Run(RunFlags),
    /// COPY and ADD. Boxed, like the health check's flags, to keep every
    /// instruction as small as a RUN's.
    Copy(Box<CopyFlags>),
    Healthcheck(Box<HealthcheckFlags>),
}
