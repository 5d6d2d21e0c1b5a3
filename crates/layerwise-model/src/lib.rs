//! The semantic model of a Dockerfile: what BuildKit will do, not just what
//! is written.
//!
//! [`Model::new`] walks the parsed file once and records the stage graph
//! (names, bases, `COPY --from` / `RUN --mount from=` edges, which stages
//! the target needs), ARG scoping, ENV propagation between stages, and the
//! [`State`] in effect at every instruction: user, HOME, WORKDIR, SHELL,
//! PATH and environment. RUN commands are split into simple commands whose
//! words are mapped back to source spans, and package-manager calls are
//! summarized ([`PythonInstall`], [`SystemInstall`]).
//!
//! ```
//! let file = layerwise_syntax::parse(
//!     "FROM python:3.12-slim AS build\nENV PATH=/opt/venv/bin:$PATH\nUSER app\nRUN pip install x\n",
//! );
//! let model = layerwise_model::Model::new(&file, &Default::default());
//! let run = model.run(3).unwrap();
//! assert_eq!(run.python[0].manager, layerwise_model::Manager::Pip);
//! assert_eq!(model.states[3].home(), "/home/app");
//! assert!(model.states[3].path().starts_with("/opt/venv/bin:"));
//! ```

pub mod image;
pub mod layer_order;
pub mod offsets;
pub mod packages;
pub mod shell;
pub mod tools;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use layerwise_syntax::expand::expand_word;
use layerwise_syntax::{
    Arguments, Details, Dockerfile, Instruction, InstructionKind, MountType, Span,
};

pub use image::ImageRef;
pub use layer_order::{ContextCopy, Cost, Reads};
pub use offsets::OffsetMap;
pub use packages::{
    INSTALLER_PACKAGES, Manager, PythonInstall, SystemInstall, is_build_package,
    is_installer_package,
};
pub use shell::{Script, Separator, SimpleCommand, Word};
pub use tools::{Invocation, Tool};

/// The PATH of most Linux base images.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Build-time inputs that change the model.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--build-arg NAME=value` overrides.
    pub build_args: BTreeMap<String, String>,
    /// `--target`; the last stage when `None`.
    pub target: Option<String>,
}

/// A declared build argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    /// The effective value (build-arg override, else default), if any.
    pub value: Option<String>,
    /// Instruction index of the declaration.
    pub instruction: usize,
}

/// What is in effect at one instruction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// The stage the instruction belongs to (`None` before the first FROM).
    pub stage: Option<usize>,
    /// The USER name or id (group removed); `None` means the image default.
    pub user: Option<String>,
    /// The absolute working directory.
    pub workdir: String,
    /// ENV in declaration order (later values replace earlier ones in place).
    pub env: Vec<(String, String)>,
    /// ARGs in scope in this stage.
    pub args: Vec<Arg>,
    /// The SHELL used for shell-form commands.
    pub shell: Vec<String>,
    /// Users created by earlier RUNs (`useradd`/`adduser`) and their home.
    pub users: Vec<(String, String)>,
}

impl State {
    fn fresh(stage: usize, image: Option<&ImageRef>) -> State {
        let mut env = vec![("PATH".to_string(), DEFAULT_PATH.to_string())];
        if let Some(version) = image.and_then(ImageRef::python_version) {
            env.push(("PYTHON_VERSION".to_string(), version));
        }
        State {
            stage: Some(stage),
            user: None,
            workdir: "/".to_string(),
            env,
            args: Vec::new(),
            shell: vec!["/bin/sh".to_string(), "-c".to_string()],
            users: Vec::new(),
        }
    }

    /// An ENV value.
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An ARG in scope.
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().rev().find(|a| a.name == name)
    }

    /// Looks a variable up the way BuildKit expands instruction arguments:
    /// ENV wins over ARG.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.env(name)
            .map(str::to_string)
            .or_else(|| self.arg(name).and_then(|a| a.value.clone()))
    }

    fn set_env(&mut self, name: &str, value: String) {
        match self.env.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.env.push((name.to_string(), value)),
        }
    }

    /// Whether commands run as root.
    pub fn is_root(&self) -> bool {
        self.user.as_deref().is_none_or(|u| u == "root" || u == "0")
    }

    /// The HOME the build's commands see.
    pub fn home(&self) -> String {
        if let Some(home) = self.env("HOME") {
            return home.to_string();
        }
        let Some(user) = self.user.as_deref() else {
            return "/root".to_string();
        };
        if user == "root" || user == "0" {
            return "/root".to_string();
        }
        if let Some((_, home)) = self.users.iter().find(|(u, _)| u == user) {
            return home.clone();
        }
        if user.chars().all(|c| c.is_ascii_digit()) {
            // An id without a passwd entry: Docker falls back to `/`.
            return "/".to_string();
        }
        format!("/home/{user}")
    }

    /// The PATH in effect.
    pub fn path(&self) -> &str {
        self.env("PATH").unwrap_or(DEFAULT_PATH)
    }
}

/// What a stage is built on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// An image reference, after ARG expansion.
    Image(ImageRef),
    /// An earlier stage.
    Stage(usize),
    /// `FROM scratch`.
    Scratch,
    /// The reference could not be expanded.
    Unknown,
}

/// One build stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The name after `AS`, lower-cased as BuildKit compares it.
    pub name: Option<String>,
    /// Where the name is written.
    pub name_span: Option<Span>,
    /// Instruction index of the FROM.
    pub from: usize,
    /// One past the last instruction index of the stage.
    pub end: usize,
    pub base: Base,
    /// Span of the base reference as written.
    pub base_span: Option<Span>,
    /// The image at the root of the base chain.
    pub image: Option<ImageRef>,
    /// Stages this one needs: its base, `COPY --from`, `RUN --mount from=`.
    pub deps: Vec<usize>,
    /// Whether building the target needs this stage.
    pub reachable: bool,
    /// The state after the stage's last instruction.
    pub final_state: State,
}

/// A RUN command, analyzed.
#[derive(Clone, Debug)]
pub struct Run<'a> {
    /// The command text as the shell sees it (joined lines, or the heredoc
    /// body); borrowed from the instruction unless it had to be assembled.
    pub text: Cow<'a, str>,
    /// Maps ranges of `text` to source spans.
    pub map: OffsetMap,
    pub script: Script,
    pub invocations: Vec<Invocation>,
    pub python: Vec<PythonInstall>,
    pub system: Vec<SystemInstall>,
    /// The command was written in JSON (exec) form.
    pub exec_form: bool,
}

impl Run<'_> {
    /// The source span of a word.
    pub fn span(&self, word: &Word) -> Span {
        self.map.span(word.range.clone())
    }

    /// Whether a word can be rewritten byte-exactly.
    pub fn editable(&self, word: &Word) -> bool {
        self.map.is_contiguous(word.range.clone())
    }
}

/// The semantic model of one Dockerfile.
#[derive(Debug)]
pub struct Model<'a> {
    pub file: &'a Dockerfile,
    /// Top-level instructions in order; every other vector is indexed like it.
    pub instructions: Vec<&'a Instruction>,
    /// The state in effect when each instruction runs (for FROM: the state
    /// the stage starts with). Instructions that change nothing share their
    /// predecessor's, so a long file costs a pointer per instruction.
    pub states: Vec<Arc<State>>,
    pub stages: Vec<Stage>,
    /// ARGs declared before the first FROM.
    pub global_args: Vec<Arg>,
    runs: Vec<Option<Run<'a>>>,
    /// Index of the target stage, if there is any stage.
    pub target: Option<usize>,
}

impl<'a> Model<'a> {
    /// Builds the model.
    pub fn new(file: &'a Dockerfile, options: &Options) -> Model<'a> {
        let instructions: Vec<&Instruction> = file.instructions().collect();
        let mut model = Model {
            file,
            states: Vec::with_capacity(instructions.len()),
            runs: Vec::with_capacity(instructions.len()),
            instructions,
            stages: Vec::new(),
            global_args: Vec::new(),
            target: None,
        };
        model.walk(options);
        model.link(options);
        model
    }

    /// The analyzed RUN at instruction index `i`.
    pub fn run(&self, i: usize) -> Option<&Run<'a>> {
        self.runs.get(i).and_then(Option::as_ref)
    }

    /// The stage of instruction `i`.
    pub fn stage_of(&self, i: usize) -> Option<&Stage> {
        self.states
            .get(i)
            .and_then(|s| s.stage)
            .and_then(|s| self.stages.get(s))
    }

    /// The target stage.
    pub fn target_stage(&self) -> Option<&Stage> {
        self.target.and_then(|t| self.stages.get(t))
    }

    /// Instruction indices of a stage, FROM excluded.
    pub fn body(&self, stage: &Stage) -> std::ops::Range<usize> {
        stage.from + 1..stage.end
    }

    /// Resolves a `--from` value (stage name or index) seen in stage `current`.
    pub fn stage_ref(&self, reference: &str, current: usize) -> Option<usize> {
        let lower = reference.to_ascii_lowercase();
        if let Some(s) = self.stages[..current.min(self.stages.len())]
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
        {
            return Some(s.index);
        }
        reference.parse::<usize>().ok().filter(|&i| i < current)
    }

    fn global_lookup(&self, options: &Options) -> impl Fn(&str) -> Option<String> + use<> {
        let args: Vec<(String, Option<String>)> = self
            .global_args
            .iter()
            .map(|a| (a.name.clone(), a.value.clone()))
            .collect();
        let overrides = options.build_args.clone();
        move |name: &str| {
            args.iter()
                .rev()
                .find(|(n, _)| n == name)
                .and_then(|(n, v)| overrides.get(n).cloned().or_else(|| v.clone()))
        }
    }

    /// Records `state` for the next instruction, shared with the previous
    /// one when equal.
    fn push_state(&mut self, state: &State) {
        let shared = match self.states.last() {
            Some(last) if **last == *state => Arc::clone(last),
            _ => Arc::new(state.clone()),
        };
        self.states.push(shared);
    }

    fn walk(&mut self, options: &Options) {
        let escape = self.file.escape();
        let mut state = State::default();
        for i in 0..self.instructions.len() {
            let ins = self.instructions[i];
            if ins.kind == InstructionKind::From {
                if let Some(prev) = self.stages.last_mut() {
                    prev.end = i;
                    prev.final_state = state.clone();
                }
                state = self.start_stage(i, ins, options);
                self.push_state(&state);
                self.runs.push(None);
                continue;
            }
            self.push_state(&state);
            let mut run = None;
            match (&ins.kind, &ins.arguments) {
                (InstructionKind::Arg, Arguments::Declarations(decls)) => {
                    for d in decls {
                        let name = d.name.value.clone();
                        let lookup = |n: &str| state.lookup(n);
                        let default = d.default.as_ref().map(|v| {
                            expand_word(&v.value, &lookup, escape)
                                .unwrap_or_else(|_| v.value.clone())
                        });
                        let inherited = if state.stage.is_some() && default.is_none() {
                            self.global_args
                                .iter()
                                .rev()
                                .find(|a| a.name == name)
                                .and_then(|a| a.value.clone())
                        } else {
                            None
                        };
                        let value = options
                            .build_args
                            .get(&name)
                            .cloned()
                            .or(default)
                            .or(inherited);
                        let arg = Arg {
                            name,
                            value,
                            instruction: i,
                        };
                        if state.stage.is_none() {
                            self.global_args.push(arg);
                        } else {
                            state.args.push(arg);
                        }
                    }
                }
                (InstructionKind::Env, Arguments::KeyValues(pairs)) => {
                    let before = state.clone();
                    let lookup = |n: &str| before.lookup(n);
                    for kv in pairs {
                        let value = expand_word(&kv.value.value, &lookup, escape)
                            .unwrap_or_else(|_| kv.value.value.clone());
                        state.set_env(&kv.key.value, value);
                    }
                }
                (InstructionKind::User, Arguments::Text(text)) => {
                    let lookup = |n: &str| state.lookup(n);
                    let value = expand_word(text.value.trim(), &lookup, escape)
                        .unwrap_or_else(|_| text.value.clone());
                    let user = value.split(':').next().unwrap_or("").to_string();
                    state.user = Some(user);
                }
                (InstructionKind::Workdir, Arguments::Text(text)) => {
                    let lookup = |n: &str| state.lookup(n);
                    let value = expand_word(text.value.trim(), &lookup, escape)
                        .unwrap_or_else(|_| text.value.clone());
                    state.workdir = join_path(&state.workdir, &value);
                }
                (InstructionKind::Shell, Arguments::Exec(exec)) => {
                    state.shell = exec.elements.iter().map(|e| e.value.clone()).collect();
                }
                (InstructionKind::Run, _) => {
                    let analyzed = analyze_run(self.file, ins);
                    record_users(&analyzed, &mut state);
                    run = Some(analyzed);
                }
                _ => {}
            }
            self.runs.push(run);
        }
        if let Some(prev) = self.stages.last_mut() {
            prev.end = self.instructions.len();
            prev.final_state = state;
        }
    }

    fn start_stage(&mut self, i: usize, ins: &Instruction, options: &Options) -> State {
        let index = self.stages.len();
        let words: &[layerwise_syntax::Spanned<String>] = match &ins.arguments {
            Arguments::Words(w) => w,
            _ => &[],
        };
        let (name, name_span) = match words {
            [_, kw, name, ..] if kw.value.eq_ignore_ascii_case("as") => {
                (Some(name.value.to_ascii_lowercase()), Some(name.span))
            }
            _ => (None, None),
        };
        let lookup = self.global_lookup(options);
        let (base, base_span) = match words.first() {
            None => (Base::Unknown, None),
            Some(w) => {
                let expanded = expand_word(&w.value, &lookup, self.file.escape()).ok();
                let base = match expanded {
                    None => Base::Unknown,
                    Some(e) if e.is_empty() => Base::Unknown,
                    Some(e) if e.eq_ignore_ascii_case("scratch") => Base::Scratch,
                    Some(e) => {
                        let lower = e.to_ascii_lowercase();
                        match self
                            .stages
                            .iter()
                            .find(|s| s.name.as_deref() == Some(lower.as_str()))
                        {
                            Some(s) => Base::Stage(s.index),
                            None => Base::Image(ImageRef::parse(&e)),
                        }
                    }
                };
                (base, Some(w.span))
            }
        };
        let (image, state) = match &base {
            Base::Stage(s) => {
                let parent = &self.stages[*s];
                let mut st = parent.final_state.clone();
                st.stage = Some(index);
                st.args.clear();
                (parent.image.clone(), st)
            }
            Base::Image(r) => (Some(r.clone()), State::fresh(index, Some(r))),
            _ => (None, State::fresh(index, None)),
        };
        let deps = match base {
            Base::Stage(s) => vec![s],
            _ => Vec::new(),
        };
        self.stages.push(Stage {
            index,
            name,
            name_span,
            from: i,
            end: i + 1,
            base,
            base_span,
            image,
            deps,
            reachable: false,
            final_state: State::default(),
        });
        state
    }

    /// Adds `COPY --from` / `RUN --mount from=` edges and marks reachable stages.
    fn link(&mut self, options: &Options) {
        for s in 0..self.stages.len() {
            let range = self.stages[s].from + 1..self.stages[s].end;
            let mut deps = Vec::new();
            for i in range {
                let ins = self.instructions[i];
                let lookup = |n: &str| self.states[i].lookup(n);
                let escape = self.file.escape();
                let mut refs: Vec<String> = Vec::new();
                match &ins.details {
                    Details::Copy(flags) => {
                        refs.extend(flags.from.as_ref().map(|f| f.value.clone()))
                    }
                    Details::Run(flags) => refs.extend(
                        flags
                            .mounts
                            .iter()
                            .filter(|m| m.kind != MountType::Secret)
                            .filter_map(|m| m.from.clone()),
                    ),
                    _ => {}
                }
                for r in refs {
                    let r = expand_word(&r, &lookup, escape).unwrap_or(r);
                    deps.extend(self.stage_ref(&r, s));
                }
            }
            let stage = &mut self.stages[s];
            stage.deps.extend(deps);
        }
        let target = match &options.target {
            Some(t) => {
                let lower = t.to_ascii_lowercase();
                self.stages
                    .iter()
                    .position(|s| s.name.as_deref() == Some(lower.as_str()))
            }
            None => self.stages.len().checked_sub(1),
        };
        self.target = target;
        let mut todo: Vec<usize> = target.into_iter().collect();
        while let Some(s) = todo.pop() {
            if std::mem::replace(&mut self.stages[s].reachable, true) {
                continue;
            }
            todo.extend(self.stages[s].deps.iter().copied());
        }
    }
}

/// Analyzes a RUN instruction's command.
fn analyze_run<'a>(file: &Dockerfile, ins: &'a Instruction) -> Run<'a> {
    let (text, map, exec_form, mut script) = match &ins.arguments {
        Arguments::Text(t) => {
            let map = OffsetMap::align(file.source(), t.span, &t.value, file.escape());
            (
                Cow::Borrowed(t.value.as_str()),
                map,
                false,
                shell::split(&t.value),
            )
        }
        Arguments::Exec(e) => {
            let words: Vec<&str> = e.elements.iter().map(|w| w.value.as_str()).collect();
            let map = OffsetMap::opaque(e.span);
            match words.as_slice() {
                // `["sh", "-c", "…"]` runs a shell script; analyze that.
                [sh, "-c", script, ..] if sh.ends_with("sh") => {
                    (Cow::Borrowed(*script), map, true, shell::split(script))
                }
                _ => (
                    Cow::Owned(words.join(" ")),
                    map,
                    true,
                    shell::split_exec(&words),
                ),
            }
        }
        _ => (
            Cow::Borrowed(""),
            OffsetMap::opaque(ins.keyword.span),
            false,
            Script::default(),
        ),
    };
    let (mut text, mut map) = (text, map);
    if script.commands.is_empty()
        && let Some(doc) = ins.heredocs().first()
    {
        // `RUN <<EOF` runs the heredoc body as the script.
        text = Cow::Owned(doc.effective_content());
        map = if doc.chomp {
            OffsetMap::opaque(doc.body)
        } else {
            OffsetMap::verbatim(doc.body.start, text.len())
        };
        script = shell::split(&text);
    }
    let invocations = tools::invocations(&script);
    let python = invocations
        .iter()
        .enumerate()
        .filter_map(|(i, inv)| packages::python_install(i, inv))
        .collect();
    let system = invocations
        .iter()
        .enumerate()
        .filter_map(|(i, inv)| packages::system_install(i, inv))
        .collect();
    Run {
        text,
        map,
        script,
        invocations,
        python,
        system,
        exec_form,
    }
}

/// Records users created by `useradd`/`adduser` with their home directory.
fn record_users(run: &Run, state: &mut State) {
    for inv in &run.invocations {
        if !matches!(inv.tool, Tool::Useradd | Tool::Adduser) {
            continue;
        }
        let mut home = None;
        let mut name = None;
        let mut i = 0;
        while let Some(w) = inv.args().get(i) {
            match w.value.as_str() {
                "-d" | "--home-dir" | "--home" | "-h" => {
                    home = inv.args().get(i + 1).map(|w| w.value.clone());
                    i += 2;
                    continue;
                }
                v if v.starts_with("--home-dir=") || v.starts_with("--home=") => {
                    home = v.split_once('=').map(|(_, h)| h.to_string());
                }
                "-u" | "--uid" | "-g" | "--gid" | "-G" | "--groups" | "-s" | "--shell" | "-c"
                | "--comment" | "-k" | "-K" | "-e" | "-f" | "-p" | "--ingroup" | "--gecos"
                | "-D" => {
                    // Options with a value (`-D` of busybox adduser takes none, harmless).
                    if w.value != "-D" {
                        i += 1;
                    }
                }
                v if v.starts_with('-') => {}
                v => name = Some(v.to_string()),
            }
            i += 1;
        }
        if let Some(name) = name {
            let home = home.unwrap_or_else(|| format!("/home/{name}"));
            state.users.push((name, home));
        }
    }
}

/// Joins a WORKDIR value onto the current directory and normalizes it.
pub fn join_path(base: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_of(src: &str, f: impl FnOnce(&Model)) {
        let file = layerwise_syntax::parse(src);
        let model = Model::new(&file, &Options::default());
        f(&model);
    }

    #[test]
    fn instructions_that_change_nothing_share_one_state() {
        let src = format!(
            "FROM python:3.12\n{}ENV A=1\nRUN x\n",
            "RUN echo hi\n".repeat(1000)
        );
        model_of(&src, |m| {
            let first_run = &m.states[1];
            assert!(m.states[1..=1000].iter().all(|s| Arc::ptr_eq(s, first_run)));
            // ENV takes effect after its instruction: the RUN after it gets a new state.
            assert!(!Arc::ptr_eq(&m.states[1002], first_run));
            assert_eq!(m.states[1002].env("A"), Some("1"));
        });
    }

    #[test]
    fn stage_graph_and_reachability() {
        let src = "ARG PY=3.12\nFROM python:${PY}-slim AS Build\nRUN python -m venv /opt/venv\nFROM alpine AS unused\n\
                   FROM python:3.12-slim\nCOPY --from=build /opt/venv /opt/venv\n";
        model_of(src, |m| {
            assert_eq!(m.stages.len(), 3);
            assert_eq!(m.stages[0].name.as_deref(), Some("build"));
            assert_eq!(
                m.stages[0].image.as_ref().unwrap().tag.as_deref(),
                Some("3.12-slim")
            );
            assert_eq!(m.stages[2].deps, vec![0]);
            assert!(m.stages[0].reachable && !m.stages[1].reachable && m.stages[2].reachable);
            assert_eq!(m.global_args[0].value.as_deref(), Some("3.12"));
        });
    }

    #[test]
    fn state_is_inherited_from_parent_stage() {
        let src = "FROM python:3.12 AS base\nENV A=1 PATH=/opt/venv/bin:$PATH\nWORKDIR app\nUSER app:app\nFROM base\nRUN x\n";
        model_of(src, |m| {
            let st = &m.states[5];
            assert_eq!(st.env("A"), Some("1"));
            assert_eq!(st.path(), format!("/opt/venv/bin:{DEFAULT_PATH}"));
            assert_eq!(st.workdir, "/app");
            assert_eq!(st.user.as_deref(), Some("app"));
            assert!(!st.is_root());
            assert_eq!(m.stages[1].base, Base::Stage(0));
        });
    }

    #[test]
    fn arg_scoping_and_useradd_home() {
        let src = "ARG V=1\nFROM x\nARG V\nARG W=$V-2\nRUN useradd -m -d /srv/app app\nUSER app\nRUN true\n";
        model_of(src, |m| {
            let st = &m.states[6];
            assert_eq!(st.arg("V").unwrap().value.as_deref(), Some("1"));
            assert_eq!(st.arg("W").unwrap().value.as_deref(), Some("1-2"));
            assert_eq!(st.home(), "/srv/app");
        });
    }

    #[test]
    fn run_words_map_to_source() {
        let src = "FROM x\nRUN pip install \\\n    --no-cache-dir flask\n";
        model_of(src, |m| {
            let run = m.run(1).unwrap();
            let word = run.python[0].no_cache.as_ref().unwrap();
            assert_eq!(&src[run.span(word).range()], "--no-cache-dir");
            assert!(run.editable(word));
        });
    }

    #[test]
    fn heredoc_run_is_analyzed() {
        let src = "FROM x\nRUN <<EOF\napt-get update\napt-get install -y gcc\nEOF\n";
        model_of(src, |m| {
            let run = m.run(1).unwrap();
            assert_eq!(run.system.len(), 2);
            let w = &run.system[1].packages[0];
            assert_eq!(&src[run.span(w).range()], "gcc");
        });
    }

    #[test]
    fn join_path_normalizes() {
        assert_eq!(join_path("/app", "src/../lib"), "/app/lib");
        assert_eq!(join_path("/app", "/x/"), "/x");
    }
}
