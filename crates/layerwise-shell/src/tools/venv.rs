//! Virtual environment creation: `python -m venv`, `virtualenv`, `uv venv`.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val};

/// Which tool creates the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenvTool {
    /// `python -m venv`
    PythonVenv,
    /// `virtualenv` / `python -m virtualenv`
    Virtualenv,
    /// `uv venv`
    Uv,
}

/// One venv creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvCreate {
    /// Which tool creates it.
    pub tool: VenvTool,
    /// Where. `None` when not given (`uv venv` then uses `.venv`).
    pub path: Option<Word>,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl VenvCreate {
    /// The first option with this canonical name, e.g. `--system-site-packages`.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }
}

const OPTS: &[OptSpec] = &[
    val(&["--prompt"]),
    val(&["--python", "-p"]),
    val(&["--cache-dir"]),
    val(&["--link-mode"]),
    val(&["--index-url", "-i"]),
    val(&["--extra-index-url"]),
    val(&["--index"]),
    val(&["--default-index"]),
    val(&["--activators"]),
    val(&["--seeder"]),
    flag(&["--system-site-packages"]),
    flag(&["--symlinks"]),
    flag(&["--copies"]),
    flag(&["--clear"]),
    flag(&["--upgrade"]),
    flag(&["--without-pip"]),
    flag(&["--upgrade-deps"]),
    flag(&["--seed"]),
    flag(&["--relocatable"]),
    flag(&["--allow-existing"]),
    flag(&["--no-cache", "-n"]),
    flag(&["--no-download"]),
    flag(&["--quiet", "-q"]),
];

/// Parses the arguments after the venv-creating command.
pub(crate) fn parse(tool: VenvTool, args: &[Word]) -> VenvCreate {
    let parsed = parse_args(args, &[OPTS], false);
    VenvCreate {
        tool,
        path: parsed.positionals.into_iter().next(),
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn venvs(s: &str) -> Vec<VenvCreate> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::VenvCreate(v) => Some(v),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn all_spellings() {
        let s = "python3 -m venv --copies /opt/venv && virtualenv -p python3.11 $VENV && uv venv";
        let all = venvs(s);
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].tool, VenvTool::PythonVenv);
        assert_eq!(
            all[0].path.as_ref().map(|w| &s[w.span.clone()]),
            Some("/opt/venv")
        );
        assert!(all[0].option("--copies").is_some());
        assert_eq!(all[1].tool, VenvTool::Virtualenv);
        assert_eq!(all[1].path.as_ref().map(|w| w.literal), Some(false));
        assert_eq!(all[2].tool, VenvTool::Uv);
        assert_eq!(all[2].path, None);
    }
}
