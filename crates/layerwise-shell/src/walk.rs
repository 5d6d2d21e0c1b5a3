//! Turning the parser's syntax tree into a flat list of simple commands.

use std::ops::Range;

use brush_parser::ast::{self, SourceLocation};

use crate::word::unquote;
use crate::{
    Assignment, Connector, MAX_DEPTH, Origin, Redirect, RedirectKind, Script, ShellError,
    SimpleCommand, Word, basename,
};

/// Converts the parser's character positions into byte offsets.
enum PosMap {
    Ascii(usize),
    Table(Vec<usize>),
}

impl PosMap {
    fn new(src: &str) -> Self {
        if src.is_ascii() {
            PosMap::Ascii(src.len())
        } else {
            let mut table: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
            table.push(src.len());
            PosMap::Table(table)
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match self {
            PosMap::Ascii(len) => char_index.min(*len),
            PosMap::Table(t) => t.get(char_index).or_else(|| t.last()).copied().unwrap_or(0),
        }
    }

    fn span(&self, s: &brush_parser::SourceSpan) -> Range<usize> {
        let start = self.byte(s.start.index);
        let end = self.byte(s.end.index).max(start);
        start..end
    }
}

/// Parser nesting beyond this is refused before parsing: the parser is
/// recursive and deep input would overflow the stack.
const MAX_NESTING: usize = 200;

fn nesting_too_deep(src: &str) -> bool {
    let mut depth = 0usize;
    for b in src.bytes() {
        match b {
            b'(' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return true;
                }
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

fn parse(src: &str) -> Result<ast::Program, ShellError> {
    if nesting_too_deep(src) {
        return Err(ShellError {
            message: "script nests too deeply to analyse".into(),
            offset: None,
        });
    }
    let options = brush_parser::ParserOptions {
        enable_extended_globbing: false,
        ..brush_parser::ParserOptions::default()
    };
    let pos = PosMap::new(src);
    // The parser is third-party code; a panic inside it must not take the
    // linter down, so it is contained and reported as a parse failure.
    let result = std::panic::catch_unwind(|| {
        let mut parser = brush_parser::Parser::new(src.as_bytes(), &options);
        parser.parse_program()
    });
    match result {
        Ok(Ok(program)) => Ok(program),
        Ok(Err(e)) => {
            let offset = match &e {
                brush_parser::ParseError::ParsingNear(p) => Some(pos.byte(p.index)),
                brush_parser::ParseError::ParsingAtEndOfInput => Some(src.len()),
                brush_parser::ParseError::Tokenizing { position, .. } => {
                    position.as_ref().map(|p| pos.byte(p.index))
                }
            };
            Err(ShellError {
                message: e.to_string(),
                offset,
            })
        }
        Err(_) => Err(ShellError {
            message: "the shell parser failed on this script".into(),
            offset: None,
        }),
    }
}

pub(crate) fn analyze_nested(src: &str, depth: usize) -> Script {
    match parse(src) {
        Ok(program) => {
            let mut w = Walker::new(src, depth);
            for list in &program.complete_commands {
                w.pending = if w.commands.is_empty() {
                    Connector::First
                } else {
                    Connector::Sequence
                };
                w.compound_list(list, Ctx::default());
            }
            Script {
                commands: w.commands,
                parse_error: None,
            }
        }
        Err(e) => Script {
            commands: Vec::new(),
            parse_error: Some(e),
        },
    }
}

pub(crate) fn analyze_exec(argv: &[&str]) -> Script {
    if argv.is_empty() {
        return Script::default();
    }
    let mut words = Vec::with_capacity(argv.len());
    let mut offset = 0;
    for arg in argv {
        words.push(Word {
            text: (*arg).to_owned(),
            span: offset..offset + arg.len(),
            literal: true,
        });
        offset += arg.len() + 1;
    }
    let span = 0..offset.saturating_sub(1);
    let script_arg = shell_script_arg(&words);
    let mut w = Walker::new("", 0);
    w.commands.push(SimpleCommand {
        argv: words,
        env_prefix: Vec::new(),
        redirects: Vec::new(),
        span,
        connector: Connector::First,
        conditional: false,
        in_subshell: false,
        pipeline: 0,
        origin: Origin::Script,
    });
    w.next_pipeline = 1;
    if let Some(idx) = script_arg {
        let (inner, start) = {
            let word = &w.commands[0].argv[idx];
            (word.text.clone(), word.span.start)
        };
        let child = analyze_nested(&inner, 1);
        w.append_child(
            child,
            0,
            Origin::ShellWrapper,
            Ctx::default(),
            &|r| r.start + start..r.end + start,
            &|_| false,
        );
    }
    Script {
        commands: w.commands,
        parse_error: None,
    }
}

/// Index of the script argument of `sh -c SCRIPT` / `bash -lc SCRIPT`.
pub(crate) fn shell_script_arg(argv: &[Word]) -> Option<usize> {
    let program = basename(&argv.first()?.text);
    if !matches!(
        program,
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "busybox"
    ) {
        return None;
    }
    let mut c_seen = false;
    let mut i = 1;
    if program == "busybox" {
        // `busybox sh -c …`
        if argv.get(1).map(|w| w.text.as_str()) != Some("sh") {
            return None;
        }
        i = 2;
    }
    while let Some(w) = argv.get(i) {
        let t = w.text.as_str();
        if t == "-o" || t == "+o" {
            i += 2;
            continue;
        }
        if t == "--" {
            i += 1;
            continue;
        }
        if t.starts_with("--") {
            i += 1;
            continue;
        }
        if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
            if t.contains('c') {
                c_seen = true;
            }
            i += 1;
            continue;
        }
        return c_seen.then_some(i);
    }
    None
}

#[derive(Clone, Copy, Default)]
struct Ctx {
    conditional: bool,
    in_subshell: bool,
}

impl Ctx {
    fn conditional(self) -> Self {
        Ctx {
            conditional: true,
            ..self
        }
    }
}

struct Walker<'a> {
    src: &'a str,
    pos: PosMap,
    depth: usize,
    commands: Vec<SimpleCommand>,
    next_pipeline: usize,
    /// Connector for the next simple command emitted.
    pending: Connector,
}

impl<'a> Walker<'a> {
    fn new(src: &'a str, depth: usize) -> Self {
        Walker {
            src,
            pos: PosMap::new(src),
            depth,
            commands: Vec::new(),
            next_pipeline: 0,
            pending: Connector::First,
        }
    }

    fn compound_list(&mut self, list: &ast::CompoundList, ctx: Ctx) {
        let mut prev_async = None;
        for item in &list.0 {
            if let Some(was_async) = prev_async {
                self.pending = if was_async {
                    Connector::Background
                } else {
                    Connector::Sequence
                };
            }
            self.and_or(&item.0, ctx);
            prev_async = Some(matches!(item.1, ast::SeparatorOperator::Async));
        }
    }

    /// Walks a list that starts a new body (then-branch, loop body, …).
    fn body(&mut self, list: &ast::CompoundList, ctx: Ctx) {
        self.pending = Connector::First;
        self.compound_list(list, ctx);
    }

    fn and_or(&mut self, list: &ast::AndOrList, ctx: Ctx) {
        self.pipeline(&list.first, ctx);
        for next in &list.additional {
            match next {
                ast::AndOr::And(p) => {
                    self.pending = Connector::And;
                    self.pipeline(p, ctx);
                }
                ast::AndOr::Or(p) => {
                    self.pending = Connector::Or;
                    self.pipeline(p, ctx.conditional());
                }
            }
        }
    }

    fn pipeline(&mut self, p: &ast::Pipeline, ctx: Ctx) {
        let id = self.next_pipeline;
        self.next_pipeline += 1;
        for (k, cmd) in p.seq.iter().enumerate() {
            if k > 0 {
                self.pending = Connector::Pipe;
            }
            self.command(cmd, ctx, id);
        }
    }

    fn command(&mut self, cmd: &ast::Command, ctx: Ctx, pipeline: usize) {
        match cmd {
            ast::Command::Simple(sc) => self.simple(sc, ctx, pipeline),
            ast::Command::Compound(cc, _) => self.compound(cc, ctx),
            ast::Command::Function(f) => self.compound(&f.body.0, ctx.conditional()),
            ast::Command::ExtendedTest(..) => {}
        }
    }

    fn compound(&mut self, cc: &ast::CompoundCommand, ctx: Ctx) {
        match cc {
            ast::CompoundCommand::Arithmetic(_) => {}
            ast::CompoundCommand::ArithmeticForClause(f) => self.body(&f.body.list, ctx),
            ast::CompoundCommand::BraceGroup(g) => self.compound_list(&g.list, ctx),
            ast::CompoundCommand::Subshell(s) => self.compound_list(
                &s.list,
                Ctx {
                    in_subshell: true,
                    ..ctx
                },
            ),
            ast::CompoundCommand::ForClause(f) => self.body(&f.body.list, ctx),
            ast::CompoundCommand::CaseClause(c) => {
                for item in &c.cases {
                    if let Some(list) = &item.cmd {
                        self.body(list, ctx.conditional());
                    }
                }
            }
            ast::CompoundCommand::IfClause(i) => {
                self.compound_list(&i.condition, ctx);
                self.body(&i.then, ctx.conditional());
                for e in i.elses.iter().flatten() {
                    if let Some(cond) = &e.condition {
                        self.body(cond, ctx.conditional());
                    }
                    self.body(&e.body, ctx.conditional());
                }
            }
            ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                self.compound_list(&w.0, ctx);
                self.body(&w.1.list, ctx.conditional());
            }
            ast::CompoundCommand::Coprocess(c) => {
                let id = self.next_pipeline;
                self.next_pipeline += 1;
                self.command(&c.body, ctx, id);
            }
        }
    }

    fn word(&self, w: &ast::Word, subs: &mut Vec<Range<usize>>) -> Word {
        let span = w.loc.as_ref().map_or(0..0, |loc| self.pos.span(loc));
        match self.src.get(span.clone()).filter(|raw| !raw.is_empty()) {
            Some(raw) => {
                let u = unquote(raw, span.start, false);
                subs.extend(u.substitutions);
                Word {
                    text: u.text,
                    span,
                    literal: u.literal,
                }
            }
            None => {
                let u = unquote(&w.value, 0, false);
                Word {
                    text: u.text,
                    span,
                    literal: u.literal,
                }
            }
        }
    }

    fn assignment(
        &self,
        a: &ast::Assignment,
        w: &ast::Word,
        subs: &mut Vec<Range<usize>>,
    ) -> Assignment {
        let span = w
            .loc
            .as_ref()
            .map_or_else(|| self.pos.span(&a.loc), |loc| self.pos.span(loc));
        let name = match &a.name {
            ast::AssignmentName::VariableName(n) => n.clone(),
            ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
        };
        let raw = self.src.get(span.clone()).unwrap_or("");
        let value_start = raw.find('=').map_or(span.end, |eq| span.start + eq + 1);
        let value_raw = self.src.get(value_start..span.end).unwrap_or("");
        let u = unquote(value_raw, value_start, false);
        subs.extend(u.substitutions);
        Assignment {
            name,
            value: Word {
                text: u.text,
                span: value_start..span.end,
                literal: u.literal,
            },
            span,
        }
    }

    fn redirect(&self, r: &ast::IoRedirect, subs: &mut Vec<Range<usize>>) -> Option<Redirect> {
        Some(match r {
            ast::IoRedirect::File(fd, kind, target) => {
                let kind = match kind {
                    ast::IoFileRedirectKind::Read => RedirectKind::Read,
                    ast::IoFileRedirectKind::Write | ast::IoFileRedirectKind::Clobber => {
                        RedirectKind::Write
                    }
                    ast::IoFileRedirectKind::Append => RedirectKind::Append,
                    ast::IoFileRedirectKind::ReadAndWrite => RedirectKind::ReadWrite,
                    ast::IoFileRedirectKind::DuplicateInput
                    | ast::IoFileRedirectKind::DuplicateOutput => RedirectKind::Duplicate,
                };
                let target = match target {
                    ast::IoFileRedirectTarget::Filename(w)
                    | ast::IoFileRedirectTarget::Duplicate(w) => Some(self.word(w, subs)),
                    ast::IoFileRedirectTarget::Fd(_)
                    | ast::IoFileRedirectTarget::ProcessSubstitution(..) => None,
                };
                Redirect {
                    fd: *fd,
                    kind,
                    target,
                }
            }
            ast::IoRedirect::HereDocument(fd, _) => Redirect {
                fd: *fd,
                kind: RedirectKind::HereDoc,
                target: None,
            },
            ast::IoRedirect::HereString(fd, w) => Redirect {
                fd: *fd,
                kind: RedirectKind::HereDoc,
                target: Some(self.word(w, subs)),
            },
            ast::IoRedirect::OutputAndError(w, append) => Redirect {
                fd: None,
                kind: if *append {
                    RedirectKind::Append
                } else {
                    RedirectKind::Write
                },
                target: Some(self.word(w, subs)),
            },
        })
    }

    fn simple(&mut self, sc: &ast::SimpleCommand, ctx: Ctx, pipeline: usize) {
        let mut argv = Vec::new();
        let mut env_prefix = Vec::new();
        let mut redirects = Vec::new();
        let mut subs = Vec::new();
        let mut items = |list: &[ast::CommandPrefixOrSuffixItem],
                         is_prefix: bool,
                         argv: &mut Vec<Word>,
                         subs: &mut Vec<Range<usize>>| {
            for item in list {
                match item {
                    ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                        redirects.extend(self.redirect(r, subs));
                    }
                    ast::CommandPrefixOrSuffixItem::Word(w) => argv.push(self.word(w, subs)),
                    ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                        if is_prefix {
                            env_prefix.push(self.assignment(a, w, subs));
                        } else {
                            argv.push(self.word(w, subs));
                        }
                    }
                    ast::CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {}
                }
            }
        };
        if let Some(prefix) = &sc.prefix {
            items(&prefix.0, true, &mut argv, &mut subs);
        }
        if let Some(w) = &sc.word_or_name {
            argv.push(self.word(w, &mut subs));
        }
        if let Some(suffix) = &sc.suffix {
            items(&suffix.0, false, &mut argv, &mut subs);
        }
        let span = sc.location().map_or_else(
            || {
                let start = env_prefix
                    .first()
                    .map(|a: &Assignment| a.span.start)
                    .or_else(|| argv.first().map(|w: &Word| w.span.start))
                    .unwrap_or(0);
                let end = argv.last().map_or(start, |w| w.span.end);
                start..end
            },
            |loc| self.pos.span(&loc),
        );
        let script_arg = shell_script_arg(&argv);
        let parent = self.commands.len();
        let connector = std::mem::replace(&mut self.pending, Connector::Sequence);
        self.commands.push(SimpleCommand {
            argv,
            env_prefix,
            redirects,
            span,
            connector,
            conditional: ctx.conditional,
            in_subshell: ctx.in_subshell,
            pipeline,
            origin: Origin::Script,
        });
        if self.depth >= MAX_DEPTH {
            return;
        }
        for r in &subs {
            let Some(inner) = self.src.get(r.clone()) else {
                continue;
            };
            let child = analyze_nested(inner, self.depth + 1);
            let child_ctx = Ctx {
                in_subshell: true,
                ..ctx
            };
            let start = r.start;
            self.append_child(
                child,
                parent,
                Origin::Substitution,
                child_ctx,
                &|x| x.start + start..x.end + start,
                &|_| false,
            );
        }
        if let Some(idx) = script_arg {
            let Some(span) = self.commands[parent].argv.get(idx).map(|w| w.span.clone()) else {
                return;
            };
            let Some(raw) = self.src.get(span.clone()) else {
                return;
            };
            let u = unquote(raw, span.start, true);
            let child = analyze_nested(&u.text, self.depth + 1);
            let src = self.src;
            let map = &u.map;
            // Substitutions in the script word that the outer shell expands
            // (outside single quotes) were analysed above; the inner shell
            // only sees their output.
            let outer = &subs;
            self.append_child(
                child,
                parent,
                Origin::ShellWrapper,
                ctx,
                &|x| map_range(src, map, &x, span.end),
                &|x| outer.iter().any(|o| o.start <= x.start && x.end <= o.end),
            );
        }
    }

    /// Appends the commands of a nested script, re-basing their spans,
    /// origins and pipeline ids into this script. Commands whose re-based
    /// span satisfies `skip` are left out.
    fn append_child(
        &mut self,
        child: Script,
        parent: usize,
        origin: fn(usize) -> Origin,
        ctx: Ctx,
        remap: &dyn Fn(Range<usize>) -> Range<usize>,
        skip: &dyn Fn(&Range<usize>) -> bool,
    ) {
        let pipeline_base = self.next_pipeline;
        // Where each child command lands, so origins can be re-pointed.
        let mut new_index: Vec<Option<usize>> = Vec::with_capacity(child.commands.len());
        for mut c in child.commands {
            c.span = remap(c.span);
            if skip(&c.span) {
                new_index.push(None);
                continue;
            }
            new_index.push(Some(self.commands.len()));
            for w in &mut c.argv {
                w.span = remap(w.span.clone());
            }
            for a in &mut c.env_prefix {
                a.span = remap(a.span.clone());
                a.value.span = remap(a.value.span.clone());
            }
            for r in &mut c.redirects {
                if let Some(t) = &mut r.target {
                    t.span = remap(t.span.clone());
                }
            }
            let rebase = |k: usize| new_index.get(k).copied().flatten();
            c.origin = match c.origin {
                Origin::Script => origin(parent),
                Origin::ShellWrapper(k) => rebase(k).map_or(origin(parent), Origin::ShellWrapper),
                Origin::Substitution(k) => rebase(k).map_or(origin(parent), Origin::Substitution),
            };
            c.pipeline += pipeline_base;
            self.next_pipeline = self.next_pipeline.max(c.pipeline + 1);
            c.conditional |= ctx.conditional;
            c.in_subshell |= ctx.in_subshell;
            self.commands.push(c);
        }
    }
}

/// Maps a byte range of an unquoted word's text back to the source through
/// the per-byte `map` produced by quote removal.
fn map_range(src: &str, map: &[usize], r: &Range<usize>, fallback: usize) -> Range<usize> {
    let mut start = map.get(r.start).copied().unwrap_or(fallback);
    // A character that was escaped with a backslash starts at the backslash,
    // which no output byte maps to.
    let prev_mapped = r.start.checked_sub(1).and_then(|k| map.get(k)).copied();
    if r.start < map.len()
        && start > 0
        && src.as_bytes().get(start - 1) == Some(&b'\\')
        && prev_mapped != Some(start - 1)
    {
        start -= 1;
    }
    let end = if r.end > r.start {
        map.get(r.end - 1).map_or(fallback, |&last| {
            let mut e = (last + 1).min(src.len());
            while !src.is_char_boundary(e) {
                e += 1;
            }
            e
        })
    } else {
        start
    };
    start..end.max(start)
}
