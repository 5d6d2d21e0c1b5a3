//! `pipenv`.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val};
use crate::tools::split_subcommand;

/// One pipenv invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipenv {
    /// The subcommand word (`install`, `sync`, `requirements`, `lock`, …).
    pub subcommand: Option<Word>,
    /// Operands after the subcommand (packages for `install`).
    pub operands: Vec<Word>,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl Pipenv {
    /// The subcommand text, if any.
    pub fn subcommand_name(&self) -> Option<&str> {
        self.subcommand.as_ref().map(|w| w.text.as_str())
    }

    /// The first option with this canonical name, e.g. `--deploy`.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }

    /// `--deploy`: abort when the lock file is out of date.
    pub fn deploy(&self) -> Option<&Opt> {
        self.option("--deploy")
    }

    /// `--system`: install into the system interpreter, no virtualenv.
    pub fn system(&self) -> Option<&Opt> {
        self.option("--system")
    }

    /// `--ignore-pipfile`: install from the lock file only.
    pub fn ignore_pipfile(&self) -> Option<&Opt> {
        self.option("--ignore-pipfile")
    }

    /// `--dev` / `-d`.
    pub fn dev(&self) -> Option<&Opt> {
        self.option("--dev")
    }
}

const OPTS: &[OptSpec] = &[
    val(&["--python"]),
    val(&["--categories"]),
    val(&["--pypi-mirror"]),
    val(&["--requirements", "-r"]),
    val(&["--extra-pip-args"]),
    flag(&["--deploy"]),
    flag(&["--system"]),
    flag(&["--ignore-pipfile"]),
    flag(&["--dev", "-d"]),
    flag(&["--skip-lock"]),
    flag(&["--clear"]),
    flag(&["--verbose", "-v"]),
    flag(&["--quiet", "-q"]),
    flag(&["--hash"]),
];

/// Parses the arguments after `pipenv`.
pub(crate) fn parse(args: &[Word]) -> Pipenv {
    let parsed = parse_args(args, &[OPTS], false);
    let (subcommand, operands) = split_subcommand(&parsed);
    Pipenv {
        subcommand,
        operands,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn pipenv(s: &str) -> Vec<Pipenv> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Pipenv(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn deploy_system_install() {
        let s = "pip install pipenv && pipenv install --deploy --system --ignore-pipfile";
        let all = pipenv(s);
        assert_eq!(all.len(), 1);
        let p = &all[0];
        assert_eq!(p.subcommand_name(), Some("install"));
        assert!(p.deploy().is_some() && p.system().is_some() && p.ignore_pipfile().is_some());
        assert!(p.dev().is_none());
        assert_eq!(p.system().map(|o| &s[o.span.clone()]), Some("--system"));
    }

    #[test]
    fn sync_and_requirements() {
        let all = pipenv(
            "pipenv sync -d; pipenv requirements > requirements.txt; pipenv install requests",
        );
        assert_eq!(all[0].subcommand_name(), Some("sync"));
        assert!(all[0].dev().is_some());
        assert_eq!(all[1].subcommand_name(), Some("requirements"));
        assert_eq!(all[2].operands[0].text, "requests");
    }
}
