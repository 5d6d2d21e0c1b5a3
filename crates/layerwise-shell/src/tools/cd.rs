//! `cd`.

use crate::Word;
use crate::args::{OptSpec, flag, parse_args};

/// One `cd` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeDir {
    /// The directory; `None` for a bare `cd` (the home directory).
    pub dir: Option<Word>,
}

const OPTS: &[OptSpec] = &[flag(&["-L"]), flag(&["-P"]), flag(&["-e"]), flag(&["-@"])];

/// Parses the arguments after `cd`.
pub(crate) fn parse(args: &[Word]) -> ChangeDir {
    let parsed = parse_args(args, &[OPTS], false);
    ChangeDir {
        dir: parsed.positionals.into_iter().next(),
    }
}

#[cfg(test)]
mod tests {
    use crate::{ToolInvocation, analyze, invocations};

    #[test]
    fn cd_dirs_and_subshells() {
        let s = "cd /app && (cd -P sub && make) && cd";
        let script = analyze(s);
        let inv = invocations(&script);
        let dirs: Vec<Option<&str>> = inv
            .iter()
            .filter_map(|i| match &i.tool {
                ToolInvocation::ChangeDir(c) => Some(c.dir.as_ref().map(|w| w.text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(dirs, [Some("/app"), Some("sub"), None]);
        assert!(!script.commands[inv[0].command].in_subshell);
        assert!(script.commands[inv[1].command].in_subshell);
    }
}
