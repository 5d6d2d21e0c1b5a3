//! `uv` project commands. `uv pip …` is modelled as a [`Pip`] call and
//! `uv venv` as a [`VenvCreate`], so rules about pip and venvs see them.
//!
//! [`Pip`]: crate::tools::Pip
//! [`VenvCreate`]: crate::tools::VenvCreate

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val, values};
use crate::tools::{PipFrontend, ToolInvocation, VenvTool, pip, split_subcommand, venv};

/// The uv subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UvSubcommand {
    /// `uv sync`
    Sync,
    /// `uv lock`
    Lock,
    /// `uv export`
    Export,
    /// `uv run`
    Run,
    /// `uv add`
    Add,
    /// `uv tool …`
    Tool,
    /// `uv python …`
    Python,
    /// Anything else, as written.
    Other(String),
    /// No subcommand (`uv --version`).
    None,
}

/// One uv project command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uv {
    /// What uv was asked to do.
    pub subcommand: UvSubcommand,
    /// The subcommand word, for its position.
    pub subcommand_word: Option<Word>,
    /// Operands after the subcommand (for `uv run`, the command it runs).
    pub operands: Vec<Word>,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl Uv {
    /// The first option with this canonical name, e.g. `--frozen`.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }

    /// `--frozen`: use the lock file as is, without checking it.
    pub fn frozen(&self) -> Option<&Opt> {
        self.option("--frozen")
    }

    /// `--locked`: fail if the lock file is out of date.
    pub fn locked(&self) -> Option<&Opt> {
        self.option("--locked")
    }

    /// `--no-dev`.
    pub fn no_dev(&self) -> Option<&Opt> {
        self.option("--no-dev")
    }

    /// `--no-install-project`: dependencies only, so they can be a layer of
    /// their own before the source is copied.
    pub fn no_install_project(&self) -> Option<&Opt> {
        self.option("--no-install-project")
    }

    /// `--no-editable`.
    pub fn no_editable(&self) -> Option<&Opt> {
        self.option("--no-editable")
    }

    /// `--no-cache` / `-n`.
    pub fn no_cache(&self) -> Option<&Opt> {
        self.option("--no-cache")
    }

    /// `--output-file FILE` (for `uv export`).
    pub fn output_file(&self) -> Option<&Word> {
        self.option("--output-file").and_then(|o| o.value.as_ref())
    }

    /// Dependency groups excluded with `--no-group`.
    pub fn no_groups(&self) -> Vec<Word> {
        values(&self.options, "--no-group")
    }
}

const UV_OPTS: &[OptSpec] = &[
    val(&["--cache-dir"]),
    val(&["--python", "-p"]),
    val(&["--directory"]),
    val(&["--project"]),
    val(&["--config-file"]),
    val(&["--color"]),
    val(&["--index"]),
    val(&["--default-index"]),
    val(&["--index-url", "-i"]),
    val(&["--extra-index-url"]),
    val(&["--find-links", "-f"]),
    val(&["--extra"]),
    val(&["--group"]),
    val(&["--only-group"]),
    val(&["--no-group"]),
    val(&["--package"]),
    val(&["--output-file", "-o"]),
    val(&["--format"]),
    val(&["--link-mode"]),
    val(&["--python-preference"]),
    val(&["--no-install-package"]),
    val(&["--upgrade-package", "-P"]),
    val(&["--refresh-package"]),
    val(&["--reinstall-package"]),
    val(&["--prerelease"]),
    val(&["--resolution"]),
    val(&["--index-strategy"]),
    val(&["--keyring-provider"]),
    val(&["--exclude-newer"]),
    val(&["--script"]),
    val(&["--with"]),
    val(&["--env-file"]),
    val(&["--config-setting", "-C"]),
    flag(&["--no-cache", "-n"]),
    flag(&["--frozen"]),
    flag(&["--locked"]),
    flag(&["--no-dev"]),
    flag(&["--only-dev"]),
    flag(&["--no-install-project"]),
    flag(&["--no-install-workspace"]),
    flag(&["--no-editable"]),
    flag(&["--all-extras"]),
    flag(&["--compile-bytecode"]),
    flag(&["--quiet", "-q"]),
    flag(&["--verbose", "-v"]),
    flag(&["--upgrade", "-U"]),
];

/// Parses the arguments after `uv`.
pub(crate) fn parse(args: &[Word]) -> ToolInvocation {
    // Find the subcommand first: `uv pip` and `uv venv` have models of
    // their own and their options are read there.
    let leading = parse_args(args, &[UV_OPTS], true);
    if let Some(sub) = leading.positionals.first() {
        let after = args
            .iter()
            .position(|a| a.span == sub.span && a.text == sub.text)
            .map_or(&[][..], |k| args.get(k + 1..).unwrap_or(&[]));
        // Options given before the subcommand still apply to it.
        let before = args
            .iter()
            .position(|a| a.span == sub.span && a.text == sub.text)
            .map_or(&[][..], |k| &args[..k]);
        match sub.text.as_str() {
            "pip" => {
                let mut p = pip::parse(PipFrontend::UvPip, after);
                let global = parse_args(before, &[UV_OPTS], false);
                p.options.extend(global.opts);
                return ToolInvocation::Pip(p);
            }
            "venv" => return ToolInvocation::VenvCreate(venv::parse(VenvTool::Uv, after)),
            _ => {}
        }
    }
    let parsed = parse_args(args, &[UV_OPTS], false);
    let (sub_word, operands) = split_subcommand(&parsed);
    let subcommand = match sub_word.as_ref().map(|w| w.text.as_str()) {
        None => UvSubcommand::None,
        Some("sync") => UvSubcommand::Sync,
        Some("lock") => UvSubcommand::Lock,
        Some("export") => UvSubcommand::Export,
        Some("run") => UvSubcommand::Run,
        Some("add") => UvSubcommand::Add,
        Some("tool") => UvSubcommand::Tool,
        Some("python") => UvSubcommand::Python,
        Some(other) => UvSubcommand::Other(other.to_owned()),
    };
    ToolInvocation::Uv(Uv {
        subcommand,
        subcommand_word: sub_word,
        operands,
        options: parsed.opts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::PipSubcommand;
    use crate::{analyze, invocations};

    fn tools(s: &str) -> Vec<ToolInvocation> {
        invocations(&analyze(s))
            .into_iter()
            .map(|i| i.tool)
            .collect()
    }

    #[test]
    fn uv_sync_flags() {
        let s = "uv sync --frozen --no-dev --no-install-project --no-editable --no-group test";
        let t = tools(s);
        let ToolInvocation::Uv(u) = &t[0] else {
            panic!("expected uv, got {t:?}");
        };
        assert_eq!(u.subcommand, UvSubcommand::Sync);
        assert!(u.frozen().is_some() && u.no_dev().is_some());
        assert!(u.no_install_project().is_some() && u.no_editable().is_some());
        assert!(u.locked().is_none() && u.no_cache().is_none());
        assert_eq!(u.no_groups()[0].text, "test");
        let span = u.frozen().map(|o| &s[o.span.clone()]);
        assert_eq!(span, Some("--frozen"));
    }

    #[test]
    fn uv_pip_is_pip() {
        let t = tools("uv --no-cache pip install --system -r requirements.txt flask");
        let ToolInvocation::Pip(p) = &t[0] else {
            panic!("expected pip, got {t:?}");
        };
        assert_eq!(p.frontend, PipFrontend::UvPip);
        assert_eq!(p.subcommand, PipSubcommand::Install);
        assert!(p.no_cache().is_some());
        assert!(p.system().is_some());
        assert_eq!(p.packages[0].text, "flask");
        assert_eq!(p.requirement_files[0].text, "requirements.txt");
        let t = tools("uv pip sync requirements.lock -p /opt/venv/bin/python");
        let ToolInvocation::Pip(p) = &t[0] else {
            panic!("expected pip, got {t:?}");
        };
        assert_eq!(p.subcommand, PipSubcommand::Sync);
        assert_eq!(p.requirement_files[0].text, "requirements.lock");
    }

    #[test]
    fn uv_venv_and_export() {
        let t =
            tools("uv venv /opt/venv --python 3.12 && uv export --locked -o req.txt --no-hashes");
        let ToolInvocation::VenvCreate(v) = &t[0] else {
            panic!("expected venv, got {t:?}");
        };
        assert_eq!(v.path.as_ref().map(|w| w.text.as_str()), Some("/opt/venv"));
        let ToolInvocation::Uv(u) = &t[1] else {
            panic!("expected uv, got {t:?}");
        };
        assert_eq!(u.subcommand, UvSubcommand::Export);
        assert!(u.locked().is_some());
        assert_eq!(u.output_file().map(|w| w.text.as_str()), Some("req.txt"));
    }
}
