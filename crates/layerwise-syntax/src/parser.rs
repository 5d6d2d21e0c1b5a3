//! The line-level driver: directives, comments, blank lines, line
//! continuations and heredoc bodies, following BuildKit's `parser.Parse`.

use crate::command::{extract_flags, parse_arguments, split_keyword};
use crate::directive::match_directive;
use crate::dockerfile::Dockerfile;
use crate::error::{ParseError, ParseErrorKind};
use crate::flags::check_flags;
use crate::heredoc::{Heredoc, find_markers, parse_marker};
use crate::instruction::{
    Arguments, Comment, Directive, DirectiveKind, Instruction, InstructionKind, Item,
};
use crate::logical::LogicalLine;
use crate::span::{Span, Spanned};
use crate::text::trim_range;

/// A physical line: `start..content_end` is the text without its line end
/// (`\r` and `\n` trimmed), `start..end` includes it.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

struct Parser<'s> {
    src: &'s str,
    escape: char,
    directives_done: bool,
    seen: Vec<DirectiveKind>,
    items: Vec<Item>,
    errors: Vec<ParseError>,
}

/// Parses a Dockerfile. Never fails and never panics: problems are reported
/// in [`Dockerfile::errors`] and the tree still covers every byte.
pub fn parse(source: &str) -> Dockerfile {
    parse_string(source.to_owned())
}

/// [`parse`] for text the caller owns: the result keeps it instead of a copy
/// (a large file is then held once, not twice).
pub fn parse_string(source: String) -> Dockerfile {
    let (items, errors, escape) = parse_items(&source);
    Dockerfile::new(source, items, errors, escape)
}

fn parse_items(source: &str) -> (Vec<Item>, Vec<ParseError>, char) {
    let mut parser = Parser {
        src: source,
        escape: '\\',
        directives_done: false,
        seen: Vec::new(),
        items: Vec::new(),
        errors: Vec::new(),
    };
    parser.run();
    let escape = parser.escape;
    // Checks run per layer (flags, then arguments); report in source order.
    parser.errors.sort_by_key(|e| e.span.start);
    if !parser
        .items
        .iter()
        .any(|i| matches!(i, Item::Instruction(_)))
    {
        parser.errors.push(ParseError::new(
            ParseErrorKind::NoInstructions,
            Span::empty(source.len()),
            "file with no instructions",
        ));
    }
    (parser.items, parser.errors, escape)
}

impl<'s> Parser<'s> {
    fn line_at(&self, pos: usize) -> Option<Line> {
        if pos >= self.src.len() {
            return None;
        }
        let end = self.src[pos..]
            .find('\n')
            .map_or(self.src.len(), |i| pos + i + 1);
        let bytes = self.src.as_bytes();
        let mut content_end = end;
        while content_end > pos && matches!(bytes[content_end - 1], b'\n' | b'\r') {
            content_end -= 1;
        }
        Some(Line {
            start: pos,
            content_end,
            end,
        })
    }

    /// BuildKit's continuation rule: the escape character is the last
    /// character before optional spaces/tabs, and is not itself escaped.
    /// Returns the length of the text to keep and whether the line continues.
    fn continuation(&self, text: &str) -> (usize, bool) {
        let trimmed = text.trim_end_matches([' ', '\t']);
        if let Some(before) = trimmed.strip_suffix(self.escape)
            && (before.is_empty() || !before.ends_with(self.escape))
        {
            return (before.len(), true);
        }
        (text.len(), false)
    }

    fn run(&mut self) {
        let mut pos = 0;
        while let Some(line) = self.line_at(pos) {
            pos = line.end;
            let mut content_start = line.start;
            if line.start == 0 && self.src.starts_with('\u{feff}') {
                content_start = 3.min(line.content_end);
            }
            let content = &self.src[content_start..line.content_end];
            let trimmed_start = line.content_end - content.trim_start().len();
            let trimmed = &self.src[trimmed_start..line.content_end];

            if !self.directives_done && self.directive(trimmed, trimmed_start, line) {
                continue;
            }
            self.directives_done = true;
            if trimmed.starts_with('#') {
                self.items.push(Item::Comment(Comment {
                    span: Span::new(line.start, line.end),
                    text: Span::new(trimmed_start, line.content_end),
                }));
                continue;
            }
            let (keep, continues) = self.continuation(trimmed);
            if !continues && trimmed.is_empty() {
                self.items
                    .push(Item::Blank(Span::new(line.start, line.end)));
                continue;
            }
            pos = self.instruction(line, trimmed_start, keep, continues);
        }
    }

    /// Handles a possible directive line; returns true if it was one.
    fn directive(&mut self, trimmed: &str, offset: usize, line: Line) -> bool {
        let Some(m) = match_directive(trimmed) else {
            return false;
        };
        let Some(kind) = m.kind else {
            return false;
        };
        let name = Spanned::new(
            trimmed[m.name.0..m.name.1].to_string(),
            Span::new(offset + m.name.0, offset + m.name.1),
        );
        let value = Spanned::new(
            trimmed[m.value.0..m.value.1].to_string(),
            Span::new(offset + m.value.0, offset + m.value.1),
        );
        if self.seen.contains(&kind) {
            self.errors.push(ParseError::new(
                ParseErrorKind::InvalidDirective,
                name.span,
                format!(
                    "only one {} parser directive can be used",
                    name.value.to_ascii_lowercase()
                ),
            ));
        } else {
            self.seen.push(kind);
            if kind == DirectiveKind::Escape {
                match value.value.as_str() {
                    "\\" => self.escape = '\\',
                    "`" => self.escape = '`',
                    other => self.errors.push(ParseError::new(
                        ParseErrorKind::InvalidDirective,
                        value.span,
                        format!("invalid escape token '{other}' does not match ` or \\"),
                    )),
                }
            }
        }
        self.items.push(Item::Directive(Box::new(Directive {
            span: Span::new(line.start, line.end),
            kind,
            name,
            value,
        })));
        true
    }

    /// Parses one instruction starting at `first`; returns the offset after it.
    fn instruction(
        &mut self,
        first: Line,
        trimmed_start: usize,
        keep: usize,
        mut continues: bool,
    ) -> usize {
        let mut ll = LogicalLine::new(trimmed_start);
        ll.push(self.src, trimmed_start, trimmed_start + keep);
        let mut comments = Vec::new();
        let mut empty_lines = Vec::new();
        let mut pos = first.end;
        while continues {
            let Some(line) = self.line_at(pos) else {
                break;
            };
            pos = line.end;
            let content = &self.src[line.start..line.content_end];
            let trimmed = content.trim_start();
            if trimmed.starts_with('#') {
                comments.push(Comment {
                    span: Span::new(line.start, line.end),
                    text: Span::new(line.content_end - trimmed.len(), line.content_end),
                });
                continue;
            }
            if trimmed.is_empty() {
                empty_lines.push(Span::new(line.start, line.end));
                continue;
            }
            let (keep, more) = self.continuation(content);
            ll.push(self.src, line.start, line.start + keep);
            continues = more;
        }

        let mut errors = Vec::new();
        let mut inst = build_instruction(&ll, 0, ll.text.len(), self.escape, &mut errors);
        if !comments.is_empty() || !empty_lines.is_empty() {
            inst.update_extras(|extras| {
                extras.comments = comments;
                extras.empty_continuation_lines = empty_lines;
            });
        }

        let heredoc_kind = inst.onbuild_trigger().map_or(inst.kind, |t| t.kind);
        let exec = inst
            .onbuild_trigger()
            .map_or(inst.is_exec_form(), Instruction::is_exec_form);
        if heredoc_kind.accepts_heredocs() && !exec {
            for marker in find_markers(&ll.text) {
                let marker_span = ll.span(marker.start, marker.end);
                let body_start = pos;
                let mut terminator = None;
                while let Some(line) = self.line_at(pos) {
                    pos = line.end;
                    let content = &self.src[line.start..line.content_end];
                    let candidate = if marker.chomp {
                        content.trim_start_matches('\t')
                    } else {
                        content
                    };
                    if candidate == marker.name {
                        terminator = Some(Span::new(line.start, line.end));
                        break;
                    }
                }
                let body_end = terminator.map_or(pos, |t| t.start);
                if terminator.is_none() {
                    errors.push(ParseError::new(
                        ParseErrorKind::UnterminatedHeredoc,
                        marker_span,
                        format!("unterminated heredoc: no line \"{}\" ends it", marker.name),
                    ));
                }
                let heredoc = Heredoc {
                    marker: marker_span,
                    name: marker.name,
                    fd: marker.fd,
                    chomp: marker.chomp,
                    expand: marker.expand,
                    body: Span::new(body_start, body_end),
                    content: self.src[body_start..body_end].to_string(),
                    terminator,
                };
                inst.update_extras(|extras| extras.heredocs.push(heredoc));
            }
        }
        inst.span = Span::new(first.start, pos);
        inst.logical_line = ll.logical_text(0, ll.text.len());
        self.errors.append(&mut errors);
        self.items.push(Item::Instruction(Box::new(inst)));
        pos
    }
}

/// Builds an instruction from `ll.text[start..end]` (recursing for ONBUILD).
fn build_instruction(
    ll: &LogicalLine,
    start: usize,
    end: usize,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> Instruction {
    let text = ll.text.as_str();
    let (kw_start, kw_end, rest_start, line_end) = split_keyword(text, start, end);
    let keyword = Spanned::new(
        text[kw_start..kw_end].to_string(),
        ll.span(kw_start, kw_end),
    );
    let kind = InstructionKind::from_keyword(&keyword.value);
    let (extracted, args_from) = if rest_start < line_end {
        extract_flags(ll, rest_start, line_end)
    } else {
        (Vec::new(), line_end)
    };
    let (args_start, args_end) = trim_range(text, args_from, line_end);
    let errors_before = errors.len();
    let arguments = if kind == InstructionKind::Onbuild {
        if args_start == args_end {
            Arguments::None
        } else {
            let inner = build_instruction(ll, args_start, args_end, escape, errors);
            Arguments::OnBuild(Box::new(inner))
        }
    } else {
        parse_arguments(kind, ll, args_start, args_end, escape, errors)
    };
    // Errors inside an ONBUILD trigger belong to the trigger; they must not
    // hide the checks of ONBUILD itself.
    let arguments_failed = kind != InstructionKind::Onbuild && errors.len() != errors_before;
    let (flags, value_offsets): (Vec<_>, Vec<_>) = extracted
        .into_iter()
        .map(|e| (e.flag, e.value_offsets))
        .unzip();
    let healthcheck_none = matches!(&arguments, Arguments::Healthcheck { kind, .. } if kind.value.eq_ignore_ascii_case("none"));
    let value_span = |i: usize, a: usize, b: usize| {
        let offsets = &value_offsets[i];
        let fallback = flags[i].span.end;
        let at = |k: usize| offsets.get(k).map(|o| ll.start_offset(*o));
        let s = at(a).unwrap_or(fallback);
        let e = if b == 0 || b <= a {
            s
        } else {
            offsets
                .get(b - 1)
                .map_or(fallback, |o| ll.end_offset(o + 1))
        };
        Span::new(s, e)
    };
    let details = check_flags(kind, &flags, healthcheck_none, &value_span, errors);
    let inst = Instruction::new(
        ll.span(start, end),
        kind,
        keyword,
        ll.logical_text(start, end),
        flags,
        arguments,
        ll.span(args_start, args_end),
        details,
    );
    // BuildKit stops at a parser-level error; the instruction-level checks
    // would only restate it.
    if !arguments_failed {
        check_arguments(&inst, errors);
    }
    inst
}

/// Instruction-level argument rules of BuildKit's `instructions` package.
fn check_arguments(inst: &Instruction, errors: &mut Vec<ParseError>) {
    use InstructionKind::*;
    let name = inst.kind.keyword();
    let whole = inst.span;
    let mut error = |kind: ParseErrorKind, span: Span, message: String| {
        errors.push(ParseError::new(kind, span, message));
    };
    let missing = |what: &str| format!("{name} requires {what}");
    let args = &inst.arguments;
    match inst.kind {
        Unknown if inst.keyword.value.is_empty() => error(
            ParseErrorKind::UnknownInstruction,
            whole,
            "empty instruction: a line continuation with nothing after it".into(),
        ),
        Unknown => error(
            ParseErrorKind::UnknownInstruction,
            inst.keyword.span,
            format!("unknown instruction: {}", inst.keyword.value),
        ),
        Env | Label => match args {
            Arguments::KeyValues(pairs) if !pairs.is_empty() => {
                if let Some(blank) = pairs.iter().find(|p| p.key.value.is_empty()) {
                    error(
                        ParseErrorKind::InvalidArguments,
                        blank.span,
                        format!("{name} names can not be blank"),
                    );
                }
            }
            Arguments::KeyValues(_) => {}
            _ => error(
                ParseErrorKind::MissingArguments,
                whole,
                missing("at least one argument"),
            ),
        },
        Maintainer | Workdir | User | StopSignal => {
            if !matches!(args, Arguments::Text(_)) {
                error(
                    ParseErrorKind::MissingArguments,
                    whole,
                    missing("exactly one argument"),
                );
            }
        }
        Add | Copy => match args {
            Arguments::Words(words) if words.len() >= 2 => {
                if let Some(dest) = words.last()
                    && parse_marker(&dest.value).is_some()
                {
                    error(
                        ParseErrorKind::InvalidArguments,
                        dest.span,
                        format!("{name} cannot accept a heredoc as a destination"),
                    );
                }
            }
            Arguments::Exec(exec) if exec.elements.len() >= 2 => {}
            _ => error(
                ParseErrorKind::MissingArguments,
                whole,
                format!(
                    "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
                ),
            ),
        },
        From => {
            let words: &[Spanned<String>] = match args {
                Arguments::Words(w) => w,
                _ => &[],
            };
            match words {
                [_] => {}
                [_, as_word, stage] if as_word.value.eq_ignore_ascii_case("as") => {
                    let lower = stage.value.to_lowercase();
                    let mut chars = lower.chars();
                    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
                        && chars.all(|c| {
                            c.is_ascii_lowercase()
                                || c.is_ascii_digit()
                                || matches!(c, '-' | '_' | '.')
                        });
                    if !valid {
                        error(
                            ParseErrorKind::InvalidArguments,
                            stage.span,
                            format!(
                                "invalid name for build stage: {:?}, name can't start with a number or contain symbols",
                                stage.value
                            ),
                        );
                    }
                }
                [] => error(
                    ParseErrorKind::MissingArguments,
                    whole,
                    "FROM requires either one or three arguments".into(),
                ),
                _ => error(
                    ParseErrorKind::InvalidArguments,
                    inst.arguments_span,
                    "FROM requires either one or three arguments".into(),
                ),
            }
        }
        Onbuild => match args {
            Arguments::OnBuild(trigger) => {
                let t = trigger.keyword.value.to_uppercase();
                match t.as_str() {
                    "ONBUILD" => error(
                        ParseErrorKind::InvalidArguments,
                        trigger.keyword.span,
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into(),
                    ),
                    "MAINTAINER" | "FROM" => error(
                        ParseErrorKind::InvalidArguments,
                        trigger.keyword.span,
                        format!("{t} isn't allowed as an ONBUILD trigger"),
                    ),
                    _ => {}
                }
            }
            _ => error(
                ParseErrorKind::MissingArguments,
                whole,
                missing("at least one argument"),
            ),
        },
        Healthcheck => match args {
            Arguments::Healthcheck { kind, command } => {
                let has_command = match &**command {
                    Arguments::None => false,
                    Arguments::Exec(e) => !e.elements.is_empty(),
                    _ => true,
                };
                match kind.value.to_uppercase().as_str() {
                    "NONE" if has_command || !matches!(**command, Arguments::None) => error(
                        ParseErrorKind::InvalidArguments,
                        inst.arguments_span,
                        "HEALTHCHECK NONE takes no arguments".into(),
                    ),
                    "NONE" => {}
                    "CMD" if !has_command => error(
                        ParseErrorKind::MissingArguments,
                        kind.span,
                        "Missing command after HEALTHCHECK CMD".into(),
                    ),
                    "CMD" => {}
                    other => error(
                        ParseErrorKind::InvalidArguments,
                        kind.span,
                        format!("Unknown type {other:?} in HEALTHCHECK (try CMD)"),
                    ),
                }
            }
            _ => error(
                ParseErrorKind::MissingArguments,
                whole,
                missing("at least one argument"),
            ),
        },
        Expose => {
            if !matches!(args, Arguments::Words(w) if !w.is_empty()) {
                error(
                    ParseErrorKind::MissingArguments,
                    whole,
                    missing("at least one argument"),
                );
            }
        }
        Volume => match args {
            Arguments::Words(w) if !w.is_empty() => {}
            Arguments::Exec(e) if !e.elements.is_empty() => {
                if let Some(blank) = e.elements.iter().find(|v| v.value.trim().is_empty()) {
                    error(
                        ParseErrorKind::InvalidArguments,
                        blank.span,
                        "VOLUME specified can not be an empty string".into(),
                    );
                }
            }
            _ => error(
                ParseErrorKind::MissingArguments,
                whole,
                missing("at least one argument"),
            ),
        },
        Arg => match args {
            Arguments::Declarations(decls) if !decls.is_empty() => {
                if let Some(blank) = decls
                    .iter()
                    .find(|d| d.default.is_some() && d.name.value.is_empty())
                {
                    error(
                        ParseErrorKind::InvalidArguments,
                        blank.word.span,
                        "ARG names can not be blank".into(),
                    );
                }
            }
            _ => error(
                ParseErrorKind::MissingArguments,
                whole,
                missing("at least one argument"),
            ),
        },
        Shell => match args {
            Arguments::Exec(e) if !e.elements.is_empty() => {}
            Arguments::Text(t) => error(
                ParseErrorKind::InvalidArguments,
                t.span,
                "SHELL requires the arguments to be in JSON form".into(),
            ),
            _ => error(
                ParseErrorKind::MissingArguments,
                whole,
                missing("at least one argument"),
            ),
        },
        Run | Cmd | Entrypoint => {}
    }
}
