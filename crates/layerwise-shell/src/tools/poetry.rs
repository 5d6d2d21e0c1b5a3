//! `poetry`.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val, values};
use crate::tools::split_subcommand;

/// One poetry invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poetry {
    /// The subcommand word (`install`, `export`, `config`, `lock`, …).
    pub subcommand: Option<Word>,
    /// Operands after the subcommand (for `config`: key and value).
    pub operands: Vec<Word>,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl Poetry {
    /// The subcommand text, if any.
    pub fn subcommand_name(&self) -> Option<&str> {
        self.subcommand.as_ref().map(|w| w.text.as_str())
    }

    /// The first option with this canonical name, e.g. `--no-root`.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }

    /// `--no-root`: install dependencies but not the project itself.
    pub fn no_root(&self) -> Option<&Opt> {
        self.option("--no-root")
    }

    /// `--no-interaction` / `-n`.
    pub fn no_interaction(&self) -> Option<&Opt> {
        self.option("--no-interaction")
    }

    /// `--sync`.
    pub fn sync(&self) -> Option<&Opt> {
        self.option("--sync")
    }

    /// Groups named by `--only`, split on commas.
    pub fn only(&self) -> Vec<String> {
        groups(&self.options, "--only")
    }

    /// Groups named by `--without`, split on commas.
    pub fn without(&self) -> Vec<String> {
        groups(&self.options, "--without")
    }

    /// Groups named by `--with`, split on commas.
    pub fn with(&self) -> Vec<String> {
        groups(&self.options, "--with")
    }

    /// True when development dependencies are left out (`--only main`,
    /// `--without dev`, or the old `--no-dev`).
    pub fn excludes_dev(&self) -> bool {
        self.option("--no-dev").is_some()
            || self.only().iter().any(|g| g == "main")
            || self.without().iter().any(|g| g == "dev")
    }

    /// For `poetry config KEY VALUE`: the key and the value, if given.
    pub fn config_setting(&self) -> Option<(&Word, Option<&Word>)> {
        if self.subcommand_name() != Some("config") {
            return None;
        }
        let key = self.operands.first()?;
        Some((key, self.operands.get(1)))
    }

    /// True for `poetry config virtualenvs.create false`, which makes
    /// poetry install into the interpreter it runs under.
    pub fn disables_virtualenvs(&self) -> bool {
        self.config_setting().is_some_and(|(k, v)| {
            k.text == "virtualenvs.create" && v.is_some_and(|v| v.text == "false" || v.text == "0")
        })
    }

    /// `--output FILE` (for `poetry export`).
    pub fn output(&self) -> Option<&Word> {
        self.option("--output").and_then(|o| o.value.as_ref())
    }
}

fn groups(opts: &[Opt], name: &str) -> Vec<String> {
    values(opts, name)
        .iter()
        .flat_map(|w| w.text.split(',').map(|g| g.trim().to_owned()))
        .filter(|g| !g.is_empty())
        .collect()
}

const OPTS: &[OptSpec] = &[
    val(&["--only"]),
    val(&["--with"]),
    val(&["--without"]),
    val(&["--extras", "-E"]),
    val(&["--format", "-f"]),
    val(&["--output", "-o"]),
    val(&["--directory", "-C"]),
    val(&["--project", "-P"]),
    val(&["--group", "-G"]),
    val(&["--source"]),
    val(&["--python"]),
    flag(&["--no-root"]),
    flag(&["--no-interaction", "-n"]),
    flag(&["--sync"]),
    flag(&["--no-dev"]),
    flag(&["--all-extras"]),
    flag(&["--all-groups"]),
    flag(&["--only-root"]),
    flag(&["--no-directory"]),
    flag(&["--compile"]),
    flag(&["--without-hashes"]),
    flag(&["--with-credentials"]),
    flag(&["--no-update"]),
    flag(&["--no-cache"]),
    flag(&["--dry-run"]),
    flag(&["--local"]),
    flag(&["--unset"]),
    flag(&["--no-ansi"]),
    flag(&["--quiet", "-q"]),
    flag(&["--verbose", "-v"]),
];

/// Parses the arguments after `poetry`.
pub(crate) fn parse(args: &[Word]) -> Poetry {
    let parsed = parse_args(args, &[OPTS], false);
    let (subcommand, operands) = split_subcommand(&parsed);
    Poetry {
        subcommand,
        operands,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn poetry(s: &str) -> Vec<Poetry> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Poetry(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn install_flags() {
        let s = "poetry config virtualenvs.create false \
                 && poetry install --no-root --only main --no-interaction --sync";
        let all = poetry(s);
        assert!(all[0].disables_virtualenvs());
        assert!(all[1].config_setting().is_none());
        let p = &all[1];
        assert_eq!(p.subcommand_name(), Some("install"));
        assert!(p.no_root().is_some() && p.no_interaction().is_some() && p.sync().is_some());
        assert_eq!(p.only(), ["main"]);
        assert!(p.excludes_dev());
        assert_eq!(p.no_root().map(|o| &s[o.span.clone()]), Some("--no-root"));
    }

    #[test]
    fn without_groups_and_export() {
        let all = poetry(
            "poetry -n install --without dev,test --no-directory; \
             poetry export -f requirements.txt --output requirements.txt --without-hashes",
        );
        assert_eq!(all[0].without(), ["dev", "test"]);
        assert!(all[0].excludes_dev());
        assert!(all[0].no_interaction().is_some());
        assert_eq!(all[1].subcommand_name(), Some("export"));
        assert_eq!(
            all[1].output().map(|w| w.text.as_str()),
            Some("requirements.txt")
        );
        assert!(all[1].operands.is_empty());
    }

    #[test]
    fn lock_and_plain_install() {
        let all = poetry("poetry lock --no-update && poetry install");
        assert_eq!(all[0].subcommand_name(), Some("lock"));
        assert!(!all[1].excludes_dev());
        assert!(all[1].no_root().is_none());
    }
}
