//! RUN command text as simple commands, for the rules.
//!
//! The parsing is done by `layerwise-shell` (a real POSIX/bash parser):
//! command lists, `&&`/`||`/`;`, pipes, subshells, `sh -c '…'` scripts and
//! command substitutions are all understood there. This module flattens its
//! result into what rules need — which programs run with which words, and
//! where each word is written — with environment prefixes (`A=1 pip …`)
//! kept as leading words, as they are written. A script the parser rejects
//! yields no commands.

use std::ops::Range;
use std::sync::Arc;

/// The operator that ends a simple command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `;`
    Semicolon,
    /// `|` or `|&`
    Pipe,
    /// `&`
    Background,
    /// A newline or the end of the text.
    End,
}

/// One shell word: its value after quote removal and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The value after quote and escape removal (substitutions kept verbatim).
    pub value: String,
    /// Byte range of the word in the analyzed text.
    pub range: Range<usize>,
    /// Whether any part of the word was quoted or escaped.
    pub quoted: bool,
}

/// A simple command: its words (redirections removed) and what ends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Shared with the command's [`crate::Invocation`]s.
    pub words: Arc<[Word]>,
    /// From the first byte of the first word to the end of the last word.
    pub range: Range<usize>,
    /// The operator after the command.
    pub separator: Separator,
    /// Whether the command follows a `|` (it is not the first of a pipeline).
    pub piped_into: bool,
}

/// The commands of a script in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<SimpleCommand>,
}

impl Script {
    /// Whether any command is part of a pipeline.
    pub fn has_pipe(&self) -> bool {
        self.commands.iter().any(|c| c.separator == Separator::Pipe)
    }
}

/// Splits `text` into simple commands.
pub fn split(text: &str) -> Script {
    flatten(text, &layerwise_shell::analyze(text))
}

/// Splits an exec-form argv (no shell: every word is taken as written).
/// Ranges point into `argv.join(" ")`.
pub fn split_exec(argv: &[&str]) -> Script {
    flatten(&argv.join(" "), &layerwise_shell::analyze_exec(argv))
}

fn flatten(text: &str, analyzed: &layerwise_shell::Script) -> Script {
    use layerwise_shell::Connector;
    let word = |value: String, range: Range<usize>| {
        let written = text.get(range.clone()).unwrap_or("");
        Word {
            quoted: written.contains(['\'', '"', '\\']),
            value,
            range,
        }
    };
    let all = &analyzed.commands;
    let mut commands = Vec::with_capacity(all.len());
    for (i, command) in all.iter().enumerate() {
        let mut words: Vec<Word> =
            Vec::with_capacity(command.env_prefix.len() + command.argv.len());
        words.extend(
            command
                .env_prefix
                .iter()
                .map(|a| word(format!("{}={}", a.name, a.value.text), a.span.clone())),
        );
        words.extend(
            command
                .argv
                .iter()
                .map(|w| word(w.text.clone(), w.span.clone())),
        );
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            continue;
        };
        let range = first.range.start..last.range.end;
        let next = all[i + 1..]
            .iter()
            .find(|c| c.origin == command.origin && !c.argv.is_empty());
        let separator = match next.map(|c| c.connector) {
            _ if next.is_some_and(|c| c.pipeline == command.pipeline) => Separator::Pipe,
            Some(Connector::And) => Separator::And,
            Some(Connector::Or) => Separator::Or,
            Some(Connector::Sequence) => Separator::Semicolon,
            Some(Connector::Background) => Separator::Background,
            Some(Connector::Pipe | Connector::First) | None => Separator::End,
        };
        commands.push(SimpleCommand {
            words: words.into(),
            range,
            separator,
            piped_into: command.connector == Connector::Pipe,
        });
    }
    // Kept for every RUN of the file: no spare capacity.
    commands.shrink_to_fit();
    Script { commands }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        split(text)
            .commands
            .into_iter()
            .map(|c| c.words.iter().map(|w| w.value.clone()).collect())
            .collect()
    }

    #[test]
    fn splits_on_operators_and_removes_quotes() {
        assert_eq!(
            words("apt-get update && apt-get install -y 'a b' \"c\\\"d\"; echo $(x y)|tee f"),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b", "c\"d"],
                vec!["echo", "$(x y)"],
                // The substitution's command follows the one holding it.
                vec!["x", "y"],
                vec!["tee", "f"],
            ]
        );
        let script = split("echo $(x y)|tee f");
        assert_eq!(script.commands[0].separator, Separator::Pipe);
        assert!(script.commands[2].piped_into);
    }

    #[test]
    fn sees_into_shell_wrappers_and_keeps_env_prefixes() {
        let text = "A=1 sh -c 'pip install --no-cache-dir flask' || true";
        let script = split(text);
        assert_eq!(
            words(text),
            vec![
                vec!["A=1", "sh", "-c", "pip install --no-cache-dir flask"],
                vec!["pip", "install", "--no-cache-dir", "flask"],
                vec!["true"],
            ]
        );
        assert_eq!(script.commands[0].separator, Separator::Or);
        let inner = &script.commands[1].words[2];
        assert_eq!(&text[inner.range.clone()], "--no-cache-dir");
        assert!(!inner.quoted);
        assert!(script.commands[0].words[3].quoted);
    }

    #[test]
    fn drops_redirections_and_comments() {
        assert_eq!(
            words("make 2>/dev/null > out.txt # note\nls <in"),
            vec![vec!["make"], vec!["ls"]]
        );
    }

    #[test]
    fn ranges_point_at_words() {
        let text = "pip install  --no-cache-dir x";
        let script = split(text);
        let w = &script.commands[0].words[2];
        assert_eq!(&text[w.range.clone()], "--no-cache-dir");
        assert!(!script.has_pipe());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in ["'", "\"", "\\", "$(", "`", "é'ü", "a\\é", "2>", "\"\\é\""] {
            let _ = split(text);
        }
    }
}
