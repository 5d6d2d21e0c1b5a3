//! Recognizing the programs a RUN command calls: Python package managers,
//! system package managers, and the few utilities rules care about.

use std::sync::Arc;

use crate::shell::{Script, Word};

/// A program layerwise knows about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    /// `pip`, `pip3`, `python -m pip`.
    Pip,
    /// `uv` (any subcommand; `uv pip …` keeps `pip` as the subcommand).
    Uv,
    Poetry,
    Pipenv,
    Pdm,
    /// `python -m venv` / `virtualenv`.
    Venv,
    AptGet,
    Apt,
    Apk,
    Sudo,
    Cd,
    Rm,
    Curl,
    Wget,
    Useradd,
    Adduser,
    /// Any other program; its name is in [`Invocation::program`].
    Other,
}

/// One recognized program call inside a RUN command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub tool: Tool,
    /// Index of the simple command in the script.
    pub command: usize,
    /// The command's words, shared with the script rather than copied: every
    /// RUN has an invocation, and a file may hold a million RUNs.
    words: Arc<[Word]>,
    /// Index in `words` of the program word.
    program: usize,
    /// Index in `words` of the subcommand.
    subcommand: Option<usize>,
    /// Index in `words` of the first argument.
    args: usize,
    /// `NAME=value` words before the program.
    pub assignments: Vec<Word>,
    /// Whether the call is wrapped in `sudo`.
    pub sudo: bool,
}

impl Invocation {
    /// The program word (`pip`, `/opt/venv/bin/pip`, `python3`…).
    pub fn program(&self) -> &Word {
        &self.words[self.program]
    }

    /// The subcommand (`install`, `sync`, `update`…), if any.
    pub fn subcommand(&self) -> Option<&Word> {
        self.subcommand.map(|i| &self.words[i])
    }

    /// Every word after the program (and after `-m pip` / `uv pip`).
    pub fn args(&self) -> &[Word] {
        &self.words[self.args..]
    }

    /// The subcommand value, or "".
    pub fn sub(&self) -> &str {
        self.subcommand().map_or("", |w| w.value.as_str())
    }

    /// The first argument word equal to one of `names`.
    pub fn option(&self, names: &[&str]) -> Option<&Word> {
        self.args().iter().find(|w| {
            names.iter().any(|n| {
                w.value == *n
                    || (n.starts_with("--")
                        && w.value.strip_prefix(n).is_some_and(|r| r.starts_with('=')))
            })
        })
    }
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_assignment(word: &Word) -> bool {
    let Some((name, _)) = word.value.split_once('=') else {
        return false;
    };
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_python(name: &str) -> bool {
    let rest = name.strip_prefix("python").unwrap_or("x");
    rest.chars().all(|c| c.is_ascii_digit() || c == '.')
}

fn is_pip(name: &str) -> bool {
    let rest = name.strip_prefix("pip").unwrap_or("x");
    rest.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Shell keywords and wrappers that precede the real program.
const PREFIXES: &[&str] = &[
    "{", "}", "!", "if", "then", "else", "elif", "while", "until", "do", "done", "fi", "time",
    "exec", "nohup", "command", "builtin", "set", "xargs",
];

/// Options of pip that take a value (so the value is not a package).
pub const PIP_VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--cache-dir",
    "--trusted-host",
    "--src",
    "--python-version",
    "--platform",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--log",
    "--timeout",
    "--retries",
    "--proxy",
    "--implementation",
    "--abi",
    "--upgrade-strategy",
    "--python",
    "-p",
    "--group",
    "--extra",
    "--config-settings",
    "-C",
    "--report",
    "--cert",
    "--client-cert",
    "--exists-action",
    "--root-user-action",
    "--index-strategy",
    "--keyring-provider",
    "--link-mode",
];

/// Finds every recognized program call in `script`.
pub fn invocations(script: &Script) -> Vec<Invocation> {
    let mut out = Vec::new();
    for (index, command) in script.commands.iter().enumerate() {
        let words = &command.words;
        let mut i = 0;
        let mut assignments = Vec::new();
        let mut sudo = false;
        while let Some(word) = words.get(i) {
            if is_assignment(word) {
                assignments.push(word.clone());
                i += 1;
            } else if PREFIXES.contains(&word.value.as_str()) {
                // `set -eux` is a command of its own, not a prefix.
                if word.value == "set" {
                    i = words.len();
                    break;
                }
                i += 1;
            } else if word.value == "env" {
                i += 1;
                while words.get(i).is_some_and(|w| w.value.starts_with('-')) {
                    i += 1;
                }
            } else if basename(&word.value) == "sudo" {
                out.push(Invocation {
                    tool: Tool::Sudo,
                    command: index,
                    words: Arc::clone(words),
                    program: i,
                    subcommand: None,
                    args: i + 1,
                    assignments: assignments.clone(),
                    sudo: false,
                });
                sudo = true;
                i += 1;
                while let Some(w) = words.get(i) {
                    if !w.value.starts_with('-') {
                        break;
                    }
                    let takes_value = matches!(
                        w.value.as_str(),
                        "-u" | "-g" | "-C" | "-D" | "-h" | "-p" | "-U"
                    );
                    i += if takes_value { 2 } else { 1 };
                }
            } else {
                break;
            }
        }
        let Some(program) = words.get(i) else {
            continue;
        };
        let name = basename(&program.value);
        let mut rest = i + 1;
        let tool = if is_pip(name) {
            Tool::Pip
        } else if is_python(name) && !name.is_empty() {
            let m = words.get(rest).map(|w| w.value.as_str());
            let module = words.get(rest + 1).map(|w| w.value.as_str());
            match (m, module) {
                (Some("-m"), Some(module)) if is_pip(module) => {
                    rest += 2;
                    Tool::Pip
                }
                (Some("-m"), Some("venv" | "virtualenv")) => {
                    rest += 2;
                    Tool::Venv
                }
                _ => Tool::Other,
            }
        } else {
            match name {
                "uv" => Tool::Uv,
                "poetry" => Tool::Poetry,
                "pipenv" => Tool::Pipenv,
                "pdm" => Tool::Pdm,
                "virtualenv" => Tool::Venv,
                "apt-get" => Tool::AptGet,
                "apt" => Tool::Apt,
                "apk" => Tool::Apk,
                "cd" => Tool::Cd,
                "rm" => Tool::Rm,
                "curl" => Tool::Curl,
                "wget" => Tool::Wget,
                "useradd" => Tool::Useradd,
                "adduser" => Tool::Adduser,
                _ => Tool::Other,
            }
        };
        let subcommand = match tool {
            Tool::Pip
            | Tool::Uv
            | Tool::Poetry
            | Tool::Pipenv
            | Tool::Pdm
            | Tool::AptGet
            | Tool::Apt
            | Tool::Apk => first_positional(&words[rest..], tool).map(|k| rest + k),
            _ => None,
        };
        out.push(Invocation {
            tool,
            command: index,
            words: Arc::clone(words),
            program: i,
            subcommand,
            args: rest,
            assignments,
            sudo,
        });
    }
    // Kept for every RUN of the file: no spare capacity.
    out.shrink_to_fit();
    out
}

/// uv's global options that take a value before the subcommand.
const UV_VALUE_OPTIONS: &[&str] = &[
    "--directory",
    "--project",
    "--python",
    "-p",
    "--config-file",
    "--cache-dir",
    "--color",
];

/// The directory a manager's global option points it at (`poetry -C dir`,
/// `uv --directory dir`, `pdm -p dir`), before the subcommand.
pub fn project_directory(inv: &Invocation) -> Option<&Word> {
    let names: &[&str] = match inv.tool {
        Tool::Poetry => &["-C", "--directory", "-P", "--project"],
        Tool::Uv => &["--directory", "--project"],
        Tool::Pdm => &["-p", "--project"],
        _ => return None,
    };
    let sub_start = inv.subcommand().map(|w| w.range.start);
    inv.args()
        .windows(2)
        .take_while(|pair| sub_start.is_none_or(|s| pair[0].range.start < s))
        .find(|pair| names.contains(&pair[0].value.as_str()))
        .map(|pair| &pair[1])
}

/// The index of the first word that is not an option (skipping option values).
fn first_positional(args: &[Word], tool: Tool) -> Option<usize> {
    let mut i = 0;
    while let Some(w) = args.get(i) {
        if !w.value.starts_with('-') {
            return Some(i);
        }
        let takes_value = match tool {
            Tool::Pip => PIP_VALUE_OPTIONS.contains(&w.value.as_str()),
            Tool::Uv => {
                PIP_VALUE_OPTIONS.contains(&w.value.as_str())
                    || UV_VALUE_OPTIONS.contains(&w.value.as_str())
            }
            Tool::Poetry => matches!(w.value.as_str(), "-C" | "--directory" | "-P" | "--project"),
            Tool::Pipenv => matches!(w.value.as_str(), "--python" | "--pypi-mirror"),
            Tool::Pdm => matches!(w.value.as_str(), "-p" | "--project" | "-c" | "--config"),
            Tool::AptGet | Tool::Apt => matches!(w.value.as_str(), "-o" | "-c" | "-t"),
            _ => false,
        };
        i += if takes_value { 2 } else { 1 };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::split;

    fn tools(text: &str) -> Vec<(Tool, String)> {
        invocations(&split(text))
            .into_iter()
            .map(|i| (i.tool, i.sub().to_string()))
            .collect()
    }

    #[test]
    fn global_options_before_the_subcommand() {
        assert_eq!(
            tools(
                "pipenv --python 3.11 install --deploy && poetry -C svc install && uv --directory app sync && pdm -p x install"
            ),
            vec![
                (Tool::Pipenv, "install".into()),
                (Tool::Poetry, "install".into()),
                (Tool::Uv, "sync".into()),
                (Tool::Pdm, "install".into())
            ]
        );
        let invs = invocations(&split("poetry -C svc install --no-root"));
        assert_eq!(
            project_directory(&invs[0]).map(|w| w.value.as_str()),
            Some("svc")
        );
    }

    #[test]
    fn recognizes_python_managers() {
        assert_eq!(
            tools(
                "python3 -m pip install -r r.txt && uv pip install x && PIP_X=1 /opt/venv/bin/pip3 --no-cache-dir install y"
            ),
            vec![
                (Tool::Pip, "install".into()),
                (Tool::Uv, "pip".into()),
                (Tool::Pip, "install".into())
            ]
        );
        assert_eq!(
            tools("python -m venv /opt/venv"),
            vec![(Tool::Venv, String::new())]
        );
    }

    #[test]
    fn sees_through_sudo_and_keywords() {
        assert_eq!(
            tools("set -eux; if true; then sudo -u root apt-get -y install gcc; fi"),
            vec![
                (Tool::Other, String::new()),
                (Tool::Sudo, String::new()),
                (Tool::AptGet, "install".into()),
            ]
        );
    }
}
