//! Questions several rules ask.

use layerwise_model::{
    ContextCopy, Manager, PythonInstall, Run, Stage, State, Tool, Word, join_path,
};
use layerwise_syntax::{Instruction, InstructionKind, Span};

use crate::context::Context;
use crate::context_dir::ContextDir;
use crate::diagnostic::Edit;

/// The cache directory `manager` uses in `state` (env override, XDG, HOME).
pub fn cache_dir(manager: Manager, state: &State) -> String {
    if let Some(dir) = state.env(manager.cache_env()) {
        return dir.to_string();
    }
    let rel = manager.cache_dir();
    if let Some(xdg) = state.env("XDG_CACHE_HOME") {
        return format!(
            "{}/{}",
            xdg.trim_end_matches('/'),
            rel.trim_start_matches(".cache/")
        );
    }
    format!("{}/{}", state.home().trim_end_matches('/'), rel)
}

/// Whether an env-style switch is on (`1`, `true`, `yes`, `on`, or any
/// non-empty value pip treats as true).
pub fn truthy(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// An assignment `NAME=value` on the install command itself.
pub fn inline_env<'r>(run: &'r Run<'_>, install: &PythonInstall, name: &str) -> Option<&'r Word> {
    run.invocations
        .get(install.invocation)?
        .assignments
        .iter()
        .find(|w| w.value.split_once('=').is_some_and(|(n, _)| n == name))
}

/// The installs of a RUN that download packages (not just pip upgrades).
pub fn real_installs<'r>(run: &'r Run) -> impl Iterator<Item = &'r PythonInstall> {
    run.python.iter().filter(|p| !p.only_tooling())
}

/// A label for an install: `pip install`, `uv sync`…
pub fn install_label(run: &Run, install: &PythonInstall) -> String {
    let sub = run
        .invocations
        .get(install.invocation)
        .map_or("install", |i| {
            if i.tool == Tool::Uv && i.sub() == "pip" {
                "pip install"
            } else {
                i.sub()
            }
        });
    format!("{} {}", install.manager.name(), sub)
}

/// The source span of the simple command holding an invocation.
pub fn command_span(run: &Run, invocation: usize) -> Option<Span> {
    let inv = run.invocations.get(invocation)?;
    let cmd = run.script.commands.get(inv.command)?;
    let start = inv.program().range.start.min(cmd.range.end);
    Some(run.map.span(start..cmd.range.end))
}

/// An edit deleting `word` and the blanks before it, if the word is
/// written contiguously on one line.
pub fn delete_word(source: &str, run: &Run, word: &Word) -> Option<Edit> {
    if !run.editable(word) {
        return None;
    }
    let span = run.span(word);
    let bytes = source.as_bytes();
    let mut start = span.start;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    if start == span.start || start == 0 || bytes[start - 1] == b'\n' {
        // Nothing before it on the line: remove the blanks after it instead.
        let mut end = span.end;
        while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
            end += 1;
        }
        return Some(Edit::delete(Span::new(span.start, end)));
    }
    Some(Edit::delete(Span::new(start, span.end)))
}

/// Directories holding a virtual environment created in `stage`, absolute.
pub fn stage_venvs(cx: &Context, stage: &Stage) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in cx.stage_body(stage) {
        let state = &cx.model.states[i];
        let Some(run) = cx.run(i) else { continue };
        for inv in &run.invocations {
            let dir = match inv.tool {
                Tool::Venv => inv
                    .args()
                    .iter()
                    .find(|w| !w.value.starts_with('-'))
                    .map(|w| w.value.clone()),
                Tool::Uv if inv.sub() == "venv" => Some(
                    inv.args()
                        .iter()
                        .skip(1)
                        .find(|w| !w.value.starts_with('-'))
                        .map_or(".venv".to_string(), |w| w.value.clone()),
                ),
                Tool::Uv if inv.sub() == "sync" => Some(
                    state
                        .env("UV_PROJECT_ENVIRONMENT")
                        .unwrap_or(".venv")
                        .to_string(),
                ),
                _ => None,
            };
            if let Some(dir) = dir {
                out.push(join_path(&state.workdir, &dir));
            }
        }
    }
    if let Some(v) = stage.final_state.env("VIRTUAL_ENV") {
        out.push(join_path("/", v));
    }
    out.sort();
    out.dedup();
    out
}

/// Whether `path` is `dir` or below it.
pub fn is_within(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// The label of a stage: its name or `#index`.
pub fn stage_label(stage: &Stage) -> String {
    stage
        .name
        .clone()
        .unwrap_or_else(|| format!("#{}", stage.index))
}

/// The stages whose files end up in `stage`: itself and its base chain.
pub fn stage_chain<'a>(cx: &Context<'a>, stage: &'a Stage) -> Vec<&'a Stage> {
    let mut out = vec![stage];
    let mut current = stage;
    while let layerwise_model::Base::Stage(b) = current.base {
        match cx.model.stages.get(b) {
            Some(s) if !out.iter().any(|o| o.index == s.index) => {
                out.push(s);
                current = s;
            }
            _ => break,
        }
    }
    out
}

/// The first line's span of an instruction.
pub fn head(cx: &Context, ins: &Instruction) -> Span {
    cx.first_line_span(ins)
}

/// Offset just after the line holding the end of `ins` (where a new
/// instruction can be inserted).
pub fn after_instruction(ins: &Instruction) -> usize {
    ins.span.end
}

/// The line end to use when inserting a line after `ins`.
pub fn line_end_after(source: &str, ins: &Instruction) -> (&'static str, &'static str) {
    // When the instruction is the last line without a newline, start with one.
    if source[..ins.span.end.min(source.len())].ends_with('\n') {
        ("", "\n")
    } else {
        ("\n", "")
    }
}

/// End of an instruction's text without its line end.
pub fn text_end(cx: &Context, ins: &Instruction) -> usize {
    let text = cx.text(ins.span);
    ins.span.start + text.trim_end_matches(['\n', '\r']).len()
}

/// The line ending the file uses.
pub fn newline(source: &str) -> &'static str {
    if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Whether a requirement or package word names a local path.
pub fn is_local_path(value: &str) -> bool {
    value.starts_with('.') || value.starts_with('/') || value.starts_with("file:")
}

/// A COPY or ADD of local files from the build context, with where it puts them.
pub fn context_copy(cx: &Context, ci: usize, ins: &Instruction) -> Option<ContextCopy> {
    if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
        || cx.copy_from(ins).is_some()
        || !ins.heredocs().is_empty()
    {
        return None;
    }
    let (sources, dest) = cx.copy_paths(ins);
    let dest = dest?;
    let sources: Vec<&str> = sources.iter().map(|s| s.value.as_str()).collect();
    // ADD fetches URLs and unpacks archives: not a plain copy of files.
    if ins.kind == InstructionKind::Add
        && sources.iter().any(|s| {
            s.contains("://") || s.ends_with(".tar") || s.contains(".tar.") || s.ends_with(".tgz")
        })
    {
        return None;
    }
    let workdir = cx.model.states.get(ci).map_or("/", |s| s.workdir.as_str());
    Some(ContextCopy::new(&sources, &dest.value, workdir))
}

/// Whether a context path is a directory, when the project is known.
pub fn is_dir_in<'p>(project: Option<&'p ContextDir>) -> impl Fn(&str) -> Option<bool> + 'p {
    move |path: &str| project.map(|p| p.dir.join(path).is_dir())
}
