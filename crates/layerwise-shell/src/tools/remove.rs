//! `rm`, with the cleanups that matter for image size recognised.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args};

/// One `rm` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remove {
    /// `-r` / `-R` / `--recursive`.
    pub recursive: bool,
    /// `-f` / `--force`.
    pub force: bool,
    /// Paths removed.
    pub targets: Vec<Word>,
    /// Every option, canonical long names.
    pub options: Vec<Opt>,
}

impl Remove {
    /// The first target at or under `prefix` (textual comparison).
    pub fn target_under(&self, prefix: &str) -> Option<&Word> {
        let prefix = prefix.trim_end_matches('/');
        self.targets.iter().find(|t| {
            let t = t.text.trim_end_matches('/');
            t == prefix
                || t.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// `rm -rf /var/lib/apt/lists/*`: the apt package lists are dropped
    /// from the layer.
    pub fn cleans_apt_lists(&self) -> bool {
        self.target_under("/var/lib/apt/lists").is_some()
    }

    /// Removes pip's cache (`/root/.cache/pip`, `~/.cache/pip` or all of
    /// `.cache`).
    pub fn cleans_pip_cache(&self) -> bool {
        self.targets.iter().any(|t| {
            let t = t.text.trim_end_matches('/');
            t.ends_with("/.cache") || t.ends_with("/.cache/pip") || t.ends_with("/.cache/*")
        })
    }
}

const OPTS: &[OptSpec] = &[
    flag(&["--recursive", "-r", "-R"]),
    flag(&["--force", "-f"]),
    flag(&["--verbose", "-v"]),
    flag(&["--interactive", "-i"]),
    flag(&["--dir", "-d"]),
    flag(&["--one-file-system"]),
    flag(&["--no-preserve-root"]),
    flag(&["--preserve-root"]),
];

/// Parses the arguments after `rm`.
pub(crate) fn parse(args: &[Word]) -> Remove {
    let parsed = parse_args(args, &[OPTS], false);
    Remove {
        recursive: find(&parsed.opts, "--recursive").is_some(),
        force: find(&parsed.opts, "--force").is_some(),
        targets: parsed.positionals,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolInvocation, analyze, invocations};

    fn removes(s: &str) -> Vec<Remove> {
        invocations(&analyze(s))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Remove(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn apt_lists_and_caches() {
        let s = "apt-get update && rm -rf /var/lib/apt/lists/* /tmp/* && rm -Rf ~/.cache/pip; rm x";
        let all = removes(s);
        assert!(all[0].recursive && all[0].force);
        assert!(all[0].cleans_apt_lists());
        assert!(!all[0].cleans_pip_cache());
        assert_eq!(&s[all[0].targets[0].span.clone()], "/var/lib/apt/lists/*");
        assert!(all[1].recursive && all[1].cleans_pip_cache());
        assert!(!all[2].recursive && !all[2].force && !all[2].cleans_apt_lists());
        assert!(all[0].target_under("/var/lib/apt").is_some());
        assert!(all[0].target_under("/var/lib/ap").is_none());
    }
}
