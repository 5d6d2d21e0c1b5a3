//! Recognising the tools a `RUN` line calls and modelling their arguments.
//!
//! [`invocations`] looks at every simple command of a [`Script`], sees
//! through wrappers that only change how a command runs (`sudo`, `env`,
//! `exec`, `gosu`, …) and hands the remaining argv to the model of the tool
//! it names. Each model lives in its own module.

use crate::args::{OptSpec, Parsed, flag, parse_args, val};
use crate::{Script, Word, basename};

pub mod apk;
pub mod apt;
pub mod cd;
pub mod download;
pub mod export;
pub mod pdm;
pub mod pip;
pub mod pipenv;
pub mod poetry;
pub mod remove;
pub mod sudo;
pub mod user;
pub mod uv;
pub mod venv;

pub use apk::{Apk, ApkSubcommand};
pub use apt::{Apt, AptProgram, AptSubcommand};
pub use cd::ChangeDir;
pub use download::{Download, DownloadTool};
pub use export::{Export, ExportVar};
pub use pdm::Pdm;
pub use pip::{IndexUrl, Pip, PipFrontend, PipSubcommand};
pub use pipenv::Pipenv;
pub use poetry::Poetry;
pub use remove::Remove;
pub use sudo::Sudo;
pub use user::{UserAdd, UserProgram};
pub use uv::{Uv, UvSubcommand};
pub use venv::{VenvCreate, VenvTool};

/// A recognised tool call inside a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// Index of the command in [`Script::commands`].
    pub command: usize,
    /// Index in that command's argv of the word naming the tool (after
    /// wrappers such as `sudo` or `env`).
    pub args_start: usize,
    /// What was called, with its arguments.
    pub tool: ToolInvocation,
}

/// The tools layerwise understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolInvocation {
    /// `pip`, `pip3`, `python -m pip`, `uv pip`.
    Pip(Pip),
    /// `uv` project commands (`uv sync`, `uv export`, …).
    Uv(Uv),
    /// `poetry`.
    Poetry(Poetry),
    /// `pipenv`.
    Pipenv(Pipenv),
    /// `pdm`.
    Pdm(Pdm),
    /// `apt-get`, `apt`, `aptitude`.
    Apt(Apt),
    /// `apk`.
    Apk(Apk),
    /// `useradd`, `adduser`, `groupadd`, `addgroup`.
    UserAdd(UserAdd),
    /// `sudo`; the command it runs is reported as its own invocation too.
    Sudo(Sudo),
    /// `curl`, `wget`.
    Download(Download),
    /// `rm`.
    Remove(Remove),
    /// `cd`.
    ChangeDir(ChangeDir),
    /// `python -m venv`, `virtualenv`, `uv venv`.
    VenvCreate(VenvCreate),
    /// `export NAME=value`.
    Export(Export),
}

/// Wrappers are followed at most this deep (`sudo env sudo …`).
const MAX_WRAPPERS: usize = 8;

/// Recognises the tool invocations of `script`, in command order.
pub fn invocations(script: &Script) -> Vec<Invocation> {
    let mut out = Vec::new();
    for (i, cmd) in script.commands.iter().enumerate() {
        classify(script, i, &cmd.argv, 0, 0, &mut out);
    }
    out
}

fn classify(
    script: &Script,
    command: usize,
    argv: &[Word],
    start: usize,
    depth: usize,
    out: &mut Vec<Invocation>,
) {
    if depth > MAX_WRAPPERS {
        return;
    }
    let Some(first) = argv.get(start) else {
        return;
    };
    let args = argv.get(start + 1..).unwrap_or(&[]);
    let push = |out: &mut Vec<Invocation>, tool| {
        out.push(Invocation {
            command,
            args_start: start,
            tool,
        });
    };
    let program = basename(&first.text);
    match program {
        "sudo" => {
            let s = sudo::parse(args);
            let inner = s.command_start.map(|k| start + 1 + k);
            push(out, ToolInvocation::Sudo(s));
            if let Some(k) = inner {
                classify(script, command, argv, k, depth + 1, out);
            }
        }
        "env" | "exec" | "nohup" | "time" | "command" | "gosu" | "su-exec" | "chroot" | "nice"
        | "stdbuf" | "eatmydata" => {
            if let Some(k) = wrapped_command(program, args) {
                classify(script, command, argv, start + 1 + k, depth + 1, out);
            }
        }
        "uv" => push(out, uv::parse(args)),
        "poetry" => push(out, ToolInvocation::Poetry(poetry::parse(args))),
        "pipenv" => push(out, ToolInvocation::Pipenv(pipenv::parse(args))),
        "pdm" => push(out, ToolInvocation::Pdm(pdm::parse(args))),
        "apt-get" => push(
            out,
            ToolInvocation::Apt(apt::parse(AptProgram::AptGet, args)),
        ),
        "apt" => push(out, ToolInvocation::Apt(apt::parse(AptProgram::Apt, args))),
        "aptitude" => push(
            out,
            ToolInvocation::Apt(apt::parse(AptProgram::Aptitude, args)),
        ),
        "apk" => push(out, ToolInvocation::Apk(apk::parse(args))),
        "useradd" => push(
            out,
            ToolInvocation::UserAdd(user::parse(UserProgram::UserAdd, args)),
        ),
        "adduser" => push(
            out,
            ToolInvocation::UserAdd(user::parse(UserProgram::AddUser, args)),
        ),
        "groupadd" => push(
            out,
            ToolInvocation::UserAdd(user::parse(UserProgram::GroupAdd, args)),
        ),
        "addgroup" => push(
            out,
            ToolInvocation::UserAdd(user::parse(UserProgram::AddGroup, args)),
        ),
        "curl" => push(
            out,
            ToolInvocation::Download(download::parse(DownloadTool::Curl, args, script, command)),
        ),
        "wget" => push(
            out,
            ToolInvocation::Download(download::parse(DownloadTool::Wget, args, script, command)),
        ),
        "rm" => push(out, ToolInvocation::Remove(remove::parse(args))),
        "cd" => push(out, ToolInvocation::ChangeDir(cd::parse(args))),
        "virtualenv" => push(
            out,
            ToolInvocation::VenvCreate(venv::parse(VenvTool::Virtualenv, args)),
        ),
        "export" => push(out, ToolInvocation::Export(export::parse(args))),
        _ if is_pip(program) => push(out, ToolInvocation::Pip(pip::parse(PipFrontend::Pip, args))),
        _ if is_python(program) => {
            if let Some((module, rest)) = python_module(args)
                && let Some(tool) = module_tool(module, rest)
            {
                push(out, tool);
            }
        }
        _ => {}
    }
}

/// `pip`, `pip3`, `pip3.12`.
fn is_pip(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// `python`, `python3`, `python3.12`, `pypy3`.
fn is_python(program: &str) -> bool {
    ["python", "pypy"].iter().any(|p| {
        program
            .strip_prefix(p)
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    })
}

const PYTHON_OPTS: &[OptSpec] = &[
    val(&["-W"]),
    val(&["-X"]),
    val(&["--check-hash-based-pycs"]),
];

/// The module of `python [options] -m MODULE args…` and its arguments.
fn python_module(args: &[Word]) -> Option<(&str, &[Word])> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t == "-m" {
            let module = args.get(i + 1)?;
            return Some((module.text.as_str(), args.get(i + 2..).unwrap_or(&[])));
        }
        if let Some(m) = t.strip_prefix("-m") {
            return Some((m, args.get(i + 1..).unwrap_or(&[])));
        }
        if t == "-c" || !t.starts_with('-') || t == "-" {
            // A script, `-c CODE` or stdin: no module runs.
            return None;
        }
        let takes_value = PYTHON_OPTS.iter().any(|s| s.names.contains(&t));
        i += if takes_value { 2 } else { 1 };
    }
    None
}

fn module_tool(module: &str, args: &[Word]) -> Option<ToolInvocation> {
    Some(match module {
        "pip" => ToolInvocation::Pip(pip::parse(PipFrontend::Pip, args)),
        "venv" => ToolInvocation::VenvCreate(venv::parse(VenvTool::PythonVenv, args)),
        "virtualenv" => ToolInvocation::VenvCreate(venv::parse(VenvTool::Virtualenv, args)),
        "uv" => uv::parse(args),
        "poetry" => ToolInvocation::Poetry(poetry::parse(args)),
        "pipenv" => ToolInvocation::Pipenv(pipenv::parse(args)),
        "pdm" => ToolInvocation::Pdm(pdm::parse(args)),
        _ => return None,
    })
}

const ENV_OPTS: &[OptSpec] = &[
    val(&["--unset", "-u"]),
    val(&["--chdir", "-C"]),
    val(&["--split-string", "-S"]),
    flag(&["--ignore-environment", "-i"]),
];
const NICE_OPTS: &[OptSpec] = &[val(&["--adjustment", "-n"])];
const STDBUF_OPTS: &[OptSpec] = &[
    val(&["--input", "-i"]),
    val(&["--output", "-o"]),
    val(&["--error", "-e"]),
];

/// Index in `args` of the command a wrapper runs, if any.
fn wrapped_command(wrapper: &str, args: &[Word]) -> Option<usize> {
    let position = |parsed: &Parsed, skip: usize| {
        let w = parsed.positionals.get(skip)?;
        args.iter()
            .position(|a| a.span == w.span && a.text == w.text)
    };
    match wrapper {
        "env" => {
            let parsed = parse_args(args, &[ENV_OPTS], true);
            let skip = parsed
                .positionals
                .iter()
                .take_while(|w| w.text.contains('='))
                .count();
            position(&parsed, skip)
        }
        // `command -v x` only looks the command up.
        "command"
            if args
                .first()
                .is_some_and(|w| w.text == "-v" || w.text == "-V") =>
        {
            None
        }
        "gosu" | "su-exec" | "chroot" => position(&parse_args(args, &[], true), 1),
        "nice" => position(&parse_args(args, &[NICE_OPTS], true), 0),
        "stdbuf" => position(&parse_args(args, &[STDBUF_OPTS], true), 0),
        _ => position(&parse_args(args, &[], true), 0),
    }
}

/// Operands that follow the subcommand, and the subcommand word itself.
pub(crate) fn split_subcommand(parsed: &Parsed) -> (Option<Word>, Vec<Word>) {
    let mut pos = parsed.positionals.iter();
    let sub = pos.next().cloned();
    (sub, pos.cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze;

    fn tools(script: &str) -> Vec<ToolInvocation> {
        invocations(&analyze(script))
            .into_iter()
            .map(|i| i.tool)
            .collect()
    }

    #[test]
    fn sees_through_wrappers() {
        let s = "sudo -E env PIP_X=1 nice -n 5 pip install x && gosu app python3 -m pip list";
        let t = tools(s);
        assert_eq!(t.len(), 3, "{t:?}");
        assert!(matches!(t[0], ToolInvocation::Sudo(_)));
        assert!(matches!(t[1], ToolInvocation::Pip(_)));
        assert!(matches!(t[2], ToolInvocation::Pip(_)));
        let inv = invocations(&analyze(s));
        assert_eq!(inv[1].args_start, 7);
    }

    #[test]
    fn python_module_detection() {
        let t = tools(
            "python3.11 -u -W ignore -m pip install a; python -c 'import x'; python -mvenv /v",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(matches!(t[0], ToolInvocation::Pip(_)));
        assert!(matches!(t[1], ToolInvocation::VenvCreate(_)));
        assert!(tools("command -v pip").is_empty());
        assert!(tools("python setup.py install -m pip").is_empty());
    }

    #[test]
    fn ignores_unrelated_programs() {
        assert!(tools("echo pip install x; pipx install y; ls /var/lib/apt/lists").is_empty());
    }
}
