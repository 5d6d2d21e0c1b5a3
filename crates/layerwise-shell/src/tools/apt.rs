//! `apt-get`, `apt` and `aptitude`.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val};
use crate::tools::split_subcommand;

/// Which front-end was used. `apt` is meant for people, not scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AptProgram {
    /// `apt-get`
    AptGet,
    /// `apt`
    Apt,
    /// `aptitude`
    Aptitude,
}

/// The apt subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AptSubcommand {
    /// `update`
    Update,
    /// `install`
    Install,
    /// `upgrade`
    Upgrade,
    /// `dist-upgrade` / `full-upgrade`
    DistUpgrade,
    /// `remove`
    Remove,
    /// `purge`
    Purge,
    /// `autoremove`
    Autoremove,
    /// `clean`
    Clean,
    /// `autoclean`
    Autoclean,
    /// Anything else, as written.
    Other(String),
    /// No subcommand.
    None,
}

/// One apt invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apt {
    /// `apt-get`, `apt` or `aptitude`.
    pub program: AptProgram,
    /// What apt was asked to do.
    pub subcommand: AptSubcommand,
    /// The subcommand word, for its position.
    pub subcommand_word: Option<Word>,
    /// Package operands (`install`, `remove`, `purge`, …), e.g. `curl`,
    /// `libpq-dev=15.*`.
    pub packages: Vec<Word>,
    /// Every option, canonical long names (`-y` is `--yes`).
    pub options: Vec<Opt>,
}

impl Apt {
    /// The first option with this canonical name.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }

    /// How many `-q` were given (`-qq` counts two).
    pub fn quiet_level(&self) -> usize {
        self.options.iter().filter(|o| o.name == "--quiet").count()
    }

    /// True when apt will not stop to ask: `-y`, `--yes`, `--assume-yes`,
    /// `--force-yes`, or `-qq` (which implies `-y`).
    pub fn assume_yes(&self) -> bool {
        self.option("--yes").is_some()
            || self.option("--force-yes").is_some()
            || self.quiet_level() >= 2
    }

    /// The option that disables recommended packages: the flag itself or
    /// `-o APT::Install-Recommends=false`.
    pub fn no_install_recommends(&self) -> Option<&Opt> {
        self.option("--no-install-recommends").or_else(|| {
            self.options.iter().find(|o| {
                o.name == "--option"
                    && o.value.as_ref().is_some_and(|v| {
                        let t = v.text.to_ascii_lowercase();
                        t.starts_with("apt::install-recommends=")
                            && (t.ends_with("=false") || t.ends_with("=0") || t.ends_with("=no"))
                    })
            })
        })
    }
}

const OPTS: &[OptSpec] = &[
    val(&["--option", "-o"]),
    val(&["--config-file", "-c"]),
    val(&["--target-release", "-t", "--default-release"]),
    val(&["--host-architecture", "-a"]),
    val(&["--build-profiles", "-P"]),
    flag(&["--yes", "-y", "--assume-yes"]),
    flag(&["--force-yes"]),
    flag(&["--quiet", "-q"]),
    flag(&["--no-install-recommends"]),
    flag(&["--install-recommends"]),
    flag(&["--no-install-suggests"]),
    flag(&["--fix-broken", "-f"]),
    flag(&["--fix-missing", "-m"]),
    flag(&["--download-only", "-d"]),
    flag(&["--simulate", "-s", "--dry-run"]),
    flag(&["--reinstall"]),
    flag(&["--purge"]),
    flag(&["--auto-remove", "--autoremove"]),
    flag(&["--allow-unauthenticated"]),
    flag(&["--allow-downgrades"]),
    flag(&["--allow-change-held-packages"]),
    flag(&["--no-upgrade"]),
    flag(&["--only-upgrade"]),
];

/// Parses the arguments after `apt-get`/`apt`/`aptitude`.
pub(crate) fn parse(program: AptProgram, args: &[Word]) -> Apt {
    let parsed = parse_args(args, &[OPTS], false);
    let (sub_word, operands) = split_subcommand(&parsed);
    let subcommand = match sub_word.as_ref().map(|w| w.text.as_str()) {
        None => AptSubcommand::None,
        Some("update") => AptSubcommand::Update,
        Some("install") => AptSubcommand::Install,
        Some("upgrade") => AptSubcommand::Upgrade,
        Some("dist-upgrade" | "full-upgrade") => AptSubcommand::DistUpgrade,
        Some("remove") => AptSubcommand::Remove,
        Some("purge") => AptSubcommand::Purge,
        Some("autoremove") => AptSubcommand::Autoremove,
        Some("clean") => AptSubcommand::Clean,
        Some("autoclean") => AptSubcommand::Autoclean,
        Some(other) => AptSubcommand::Other(other.to_owned()),
    };
    Apt {
        program,
        subcommand,
        subcommand_word: sub_word,
        packages: operands,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Connector, ToolInvocation, analyze, invocations};

    fn apts(s: &str) -> Vec<Apt> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Apt(a) => Some(a),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn update_install_cleanup_chain() {
        let s = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
                 --no-install-recommends build-essential libpq-dev=15.* \
                 && rm -rf /var/lib/apt/lists/*";
        let script = analyze(s);
        let all = apts(s);
        assert_eq!(all[0].subcommand, AptSubcommand::Update);
        let i = &all[1];
        assert_eq!(i.program, AptProgram::AptGet);
        assert_eq!(i.subcommand, AptSubcommand::Install);
        assert!(i.assume_yes());
        let spans: Vec<&str> = i.packages.iter().map(|p| &s[p.span.clone()]).collect();
        assert_eq!(spans, ["build-essential", "libpq-dev=15.*"]);
        assert_eq!(
            i.no_install_recommends().map(|o| &s[o.span.clone()]),
            Some("--no-install-recommends")
        );
        assert_eq!(script.commands[1].connector, Connector::And);
        assert_eq!(script.commands[1].env_prefix[0].name, "DEBIAN_FRONTEND");
    }

    #[test]
    fn quiet_yes_and_option_form() {
        let all = apts(
            "apt-get -qq install -o APT::Install-Recommends=false curl; apt install -q curl; \
             apt-get upgrade -y; apt-get dist-upgrade; apt-get clean",
        );
        assert!(all[0].assume_yes());
        assert_eq!(all[0].quiet_level(), 2);
        assert!(all[0].no_install_recommends().is_some());
        assert_eq!(all[0].packages[0].text, "curl");
        assert_eq!(all[1].program, AptProgram::Apt);
        assert!(!all[1].assume_yes());
        assert!(all[1].no_install_recommends().is_none());
        assert_eq!(all[2].subcommand, AptSubcommand::Upgrade);
        assert_eq!(all[3].subcommand, AptSubcommand::DistUpgrade);
        assert_eq!(all[4].subcommand, AptSubcommand::Clean);
    }
}
