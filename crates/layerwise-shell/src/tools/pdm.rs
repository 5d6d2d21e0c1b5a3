//! `pdm`.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val};
use crate::tools::split_subcommand;

/// One pdm invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdm {
    /// The subcommand word (`install`, `sync`, `export`, `lock`, …).
    pub subcommand: Option<Word>,
    /// Operands after the subcommand.
    pub operands: Vec<Word>,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl Pdm {
    /// The subcommand text, if any.
    pub fn subcommand_name(&self) -> Option<&str> {
        self.subcommand.as_ref().map(|w| w.text.as_str())
    }

    /// The first option with this canonical name, e.g. `--prod`.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }

    /// `--prod` / `--production`: no development dependencies.
    pub fn prod(&self) -> Option<&Opt> {
        self.option("--prod")
    }

    /// `--no-self`: do not install the project itself.
    pub fn no_self(&self) -> Option<&Opt> {
        self.option("--no-self")
    }

    /// `--frozen-lockfile`: do not update the lock file.
    pub fn frozen_lockfile(&self) -> Option<&Opt> {
        self.option("--frozen-lockfile")
    }

    /// `--no-editable`.
    pub fn no_editable(&self) -> Option<&Opt> {
        self.option("--no-editable")
    }

    /// `--output FILE` (for `pdm export`).
    pub fn output(&self) -> Option<&Word> {
        self.option("--output").and_then(|o| o.value.as_ref())
    }
}

const OPTS: &[OptSpec] = &[
    val(&["--group", "-G"]),
    val(&["--without"]),
    val(&["--output", "-o"]),
    val(&["--format", "-f"]),
    val(&["--project", "-p"]),
    val(&["--venv"]),
    val(&["--lockfile", "-L"]),
    flag(&["--prod", "--production"]),
    flag(&["--no-self"]),
    flag(&["--frozen-lockfile"]),
    flag(&["--no-editable"]),
    flag(&["--no-lock"]),
    flag(&["--check"]),
    flag(&["--dev", "-d"]),
    flag(&["--without-hashes"]),
    flag(&["--global", "-g"]),
    flag(&["--no-isolation"]),
    flag(&["--clean"]),
    flag(&["--verbose", "-v"]),
    flag(&["--quiet", "-q"]),
];

/// Parses the arguments after `pdm`.
pub(crate) fn parse(args: &[Word]) -> Pdm {
    let parsed = parse_args(args, &[OPTS], false);
    let (subcommand, operands) = split_subcommand(&parsed);
    Pdm {
        subcommand,
        operands,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn pdm(s: &str) -> Vec<Pdm> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Pdm(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn install_and_sync() {
        let s = "pdm install --prod --no-self --frozen-lockfile && pdm sync --production -G web";
        let all = pdm(s);
        assert_eq!(all[0].subcommand_name(), Some("install"));
        assert!(all[0].prod().is_some() && all[0].no_self().is_some());
        assert_eq!(
            all[0].frozen_lockfile().map(|o| &s[o.span.clone()]),
            Some("--frozen-lockfile")
        );
        assert_eq!(all[1].subcommand_name(), Some("sync"));
        assert!(all[1].prod().is_some());
        assert!(all[1].no_self().is_none());
        assert!(all[1].operands.is_empty());
    }

    #[test]
    fn export() {
        let all = pdm("pdm export --prod -o requirements.txt --without-hashes");
        assert_eq!(all[0].subcommand_name(), Some("export"));
        assert_eq!(
            all[0].output().map(|w| w.text.as_str()),
            Some("requirements.txt")
        );
    }
}
