//! `sudo`. The command it runs is classified as an invocation of its own.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val};

/// One sudo call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sudo {
    /// `-u USER` / `--user USER`.
    pub user: Option<Word>,
    /// Index, within the arguments after `sudo`, of the command it runs.
    pub command_start: Option<usize>,
    /// sudo's own options.
    pub options: Vec<Opt>,
}

impl Sudo {
    /// The first option with this canonical name.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }
}

const OPTS: &[OptSpec] = &[
    val(&["--user", "-u"]),
    val(&["--group", "-g"]),
    val(&["--chdir", "-D"]),
    val(&["--close-from", "-C"]),
    val(&["--host", "-h"]),
    val(&["--prompt", "-p"]),
    val(&["--role", "-r"]),
    val(&["--type", "-t"]),
    val(&["--other-user", "-U"]),
    flag(&["--preserve-env", "-E"]),
    flag(&["--set-home", "-H"]),
    flag(&["--login", "-i"]),
    flag(&["--shell", "-s"]),
    flag(&["--non-interactive", "-n"]),
    flag(&["--stdin", "-S"]),
    flag(&["--background", "-b"]),
];

/// Parses the arguments after `sudo`.
pub(crate) fn parse(args: &[Word]) -> Sudo {
    let parsed = parse_args(args, &[OPTS], true);
    let command_start = parsed.positionals.first().and_then(|w| {
        args.iter()
            .position(|a| a.span == w.span && a.text == w.text)
    });
    Sudo {
        user: find(&parsed.opts, "--user").and_then(|o| o.value.clone()),
        command_start,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use crate::{ToolInvocation, analyze, invocations};

    #[test]
    fn wrapped_command_is_analysed() {
        let s = "sudo -u app -H pip install --user x && sudo apt-get install -y curl";
        let inv = invocations(&analyze(s));
        assert_eq!(inv.len(), 4, "{inv:?}");
        let ToolInvocation::Sudo(sudo) = &inv[0].tool else {
            panic!("expected sudo, got {inv:?}");
        };
        assert_eq!(sudo.user.as_ref().map(|w| w.text.as_str()), Some("app"));
        assert_eq!(sudo.command_start, Some(3));
        assert!(sudo.option("--set-home").is_some());
        assert!(matches!(inv[1].tool, ToolInvocation::Pip(_)));
        assert_eq!(inv[1].args_start, 4);
        assert!(matches!(inv[3].tool, ToolInvocation::Apt(_)));
        let ToolInvocation::Sudo(plain) = &inv[2].tool else {
            panic!("expected sudo, got {inv:?}");
        };
        assert!(plain.user.is_none());
    }

    #[test]
    fn bare_sudo() {
        let inv = invocations(&analyze("sudo -v"));
        assert_eq!(inv.len(), 1);
        let ToolInvocation::Sudo(s) = &inv[0].tool else {
            panic!("expected sudo");
        };
        assert_eq!(s.command_start, None);
    }
}
