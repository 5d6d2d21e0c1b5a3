//! Alpine's `apk`.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val};
use crate::tools::split_subcommand;

/// The apk subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApkSubcommand {
    /// `add`
    Add,
    /// `del`
    Del,
    /// `update`
    Update,
    /// `upgrade`
    Upgrade,
    /// Anything else, as written.
    Other(String),
    /// No subcommand.
    None,
}

/// One apk invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apk {
    /// What apk was asked to do.
    pub subcommand: ApkSubcommand,
    /// The subcommand word, for its position.
    pub subcommand_word: Option<Word>,
    /// Package operands.
    pub packages: Vec<Word>,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl Apk {
    /// The first option with this canonical name.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }

    /// `--no-cache`: fetch the index without keeping a package cache.
    pub fn no_cache(&self) -> Option<&Opt> {
        self.option("--no-cache")
    }

    /// `--virtual NAME` / `-t NAME`: the name of the virtual package that
    /// groups these build dependencies for a later `apk del`.
    pub fn virtual_name(&self) -> Option<&Word> {
        self.option("--virtual").and_then(|o| o.value.as_ref())
    }

    /// `--update` / `-U`.
    pub fn update(&self) -> Option<&Opt> {
        self.option("--update")
    }
}

const OPTS: &[OptSpec] = &[
    val(&["--virtual", "-t"]),
    val(&["--repository", "-X"]),
    val(&["--root", "-p"]),
    val(&["--arch"]),
    val(&["--cache-dir"]),
    val(&["--keys-dir"]),
    val(&["--repositories-file"]),
    flag(&["--no-cache"]),
    flag(&["--update", "-U"]),
    flag(&["--upgrade", "-u"]),
    flag(&["--latest", "-l"]),
    flag(&["--allow-untrusted"]),
    flag(&["--no-progress"]),
    flag(&["--no-scripts"]),
    flag(&["--force-overwrite"]),
    flag(&["--purge"]),
    flag(&["--quiet", "-q"]),
    flag(&["--verbose", "-v"]),
];

/// Parses the arguments after `apk`.
pub(crate) fn parse(args: &[Word]) -> Apk {
    let parsed = parse_args(args, &[OPTS], false);
    let (sub_word, operands) = split_subcommand(&parsed);
    let subcommand = match sub_word.as_ref().map(|w| w.text.as_str()) {
        None => ApkSubcommand::None,
        Some("add") => ApkSubcommand::Add,
        Some("del") => ApkSubcommand::Del,
        Some("update") => ApkSubcommand::Update,
        Some("upgrade") => ApkSubcommand::Upgrade,
        Some(other) => ApkSubcommand::Other(other.to_owned()),
    };
    Apk {
        subcommand,
        subcommand_word: sub_word,
        packages: operands,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn apks(s: &str) -> Vec<Apk> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Apk(a) => Some(a),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn add_virtual_then_del() {
        let s = "apk add --no-cache --virtual .build-deps gcc musl-dev \
                 && pip install -r requirements.txt && apk del .build-deps";
        let all = apks(s);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].subcommand, ApkSubcommand::Add);
        assert_eq!(
            all[0].no_cache().map(|o| &s[o.span.clone()]),
            Some("--no-cache")
        );
        assert_eq!(
            all[0].virtual_name().map(|w| w.text.as_str()),
            Some(".build-deps")
        );
        let pkgs: Vec<&str> = all[0].packages.iter().map(|p| &s[p.span.clone()]).collect();
        assert_eq!(pkgs, ["gcc", "musl-dev"]);
        assert_eq!(all[1].subcommand, ApkSubcommand::Del);
        assert_eq!(all[1].packages[0].text, ".build-deps");
    }

    #[test]
    fn update_flag() {
        let all = apks("apk -U add curl; apk update");
        assert!(all[0].update().is_some());
        assert!(all[0].no_cache().is_none());
        assert_eq!(all[1].subcommand, ApkSubcommand::Update);
    }
}
