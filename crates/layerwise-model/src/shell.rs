//! Word splitting of RUN command text into simple commands.
//!
//! Rules only need to know which programs run with which words, and where
//! each word is, so this splitter handles quoting, escapes, comments,
//! command separators, pipes and redirections, and treats command
//! substitutions as opaque parts of a word. It never fails: unterminated
//! quotes simply run to the end of the text.

use std::ops::Range;

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
    pub words: Vec<Word>,
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

struct Splitter<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    script: Script,
    words: Vec<Word>,
    piped: bool,
    skip_next_word: bool,
}

/// Splits `text` into simple commands.
pub fn split(text: &str) -> Script {
    let mut s = Splitter {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        script: Script::default(),
        words: Vec::new(),
        piped: false,
        skip_next_word: false,
    };
    s.run();
    s.script
}

impl Splitter<'_> {
    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.finish(Separator::End);
                }
                b'#' => {
                    while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'&' => {
                    if self.bytes.get(self.pos + 1) == Some(&b'&') {
                        self.pos += 2;
                        self.finish(Separator::And);
                    } else if self.bytes.get(self.pos + 1) == Some(&b'>') {
                        self.pos += 2;
                        self.skip_next_word = true;
                    } else {
                        self.pos += 1;
                        self.finish(Separator::Background);
                    }
                }
                b'|' => {
                    if self.bytes.get(self.pos + 1) == Some(&b'|') {
                        self.pos += 2;
                        self.finish(Separator::Or);
                    } else {
                        self.pos += 1;
                        if self.bytes.get(self.pos) == Some(&b'&') {
                            self.pos += 1;
                        }
                        self.finish(Separator::Pipe);
                    }
                }
                b';' => {
                    self.pos += 1;
                    // `;;` in case statements ends a branch; treat alike.
                    if self.bytes.get(self.pos) == Some(&b';') {
                        self.pos += 1;
                    }
                    self.finish(Separator::Semicolon);
                }
                b'(' | b')' => {
                    self.pos += 1;
                    self.finish(Separator::Semicolon);
                }
                b'<' | b'>' => self.redirection(),
                _ => self.word(),
            }
        }
        self.finish(Separator::End);
    }

    /// Skips a redirection operator; its target word is dropped.
    fn redirection(&mut self) {
        while self.pos < self.bytes.len()
            && matches!(self.bytes[self.pos], b'<' | b'>' | b'&' | b'-' | b'|')
        {
            self.pos += 1;
        }
        self.skip_next_word = true;
    }

    fn finish(&mut self, separator: Separator) {
        self.skip_next_word = false;
        if self.words.is_empty() {
            return;
        }
        let words = std::mem::take(&mut self.words);
        let range = words[0].range.start..words[words.len() - 1].range.end;
        self.script.commands.push(SimpleCommand {
            words,
            range,
            separator,
            piped_into: self.piped,
        });
        self.piped = separator == Separator::Pipe;
    }

    fn word(&mut self) {
        let start = self.pos;
        let mut value = String::new();
        let mut quoted = false;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' => break,
                b'<' | b'>' => {
                    // `2>file`: the digits were a file descriptor, not a word.
                    if value.bytes().all(|c| c.is_ascii_digit()) && !quoted {
                        self.pos = self.pos.max(start);
                        self.redirection();
                        return;
                    }
                    break;
                }
                b'\\' => {
                    quoted = true;
                    self.pos += 1;
                    if let Some(c) = self.char_at(self.pos) {
                        if c != '\n' {
                            value.push(c);
                        }
                        self.pos += c.len_utf8();
                    }
                }
                b'\'' => {
                    quoted = true;
                    self.pos += 1;
                    let end = self.text[self.pos..]
                        .find('\'')
                        .map_or(self.text.len(), |i| self.pos + i);
                    value.push_str(&self.text[self.pos..end]);
                    self.pos = (end + 1).min(self.text.len());
                }
                b'"' => {
                    quoted = true;
                    self.pos += 1;
                    while self.pos < self.bytes.len() && self.bytes[self.pos] != b'"' {
                        if self.bytes[self.pos] == b'\\' {
                            if let Some(c) = self.char_at(self.pos + 1) {
                                if !matches!(c, '$' | '`' | '"' | '\\' | '\n') {
                                    value.push('\\');
                                }
                                if c != '\n' {
                                    value.push(c);
                                }
                                self.pos += 1 + c.len_utf8();
                                continue;
                            }
                            self.pos += 1;
                            continue;
                        }
                        if self.bytes[self.pos] == b'$'
                            && self.bytes.get(self.pos + 1) == Some(&b'(')
                        {
                            self.substitution(&mut value);
                            continue;
                        }
                        let Some(c) = self.char_at(self.pos) else {
                            break;
                        };
                        value.push(c);
                        self.pos += c.len_utf8();
                    }
                    self.pos = (self.pos + 1).min(self.text.len());
                }
                b'$' if self.bytes.get(self.pos + 1) == Some(&b'(') => {
                    self.substitution(&mut value)
                }
                b'`' => {
                    let end = self.text[self.pos + 1..]
                        .find('`')
                        .map_or(self.text.len(), |i| self.pos + 1 + i + 1);
                    value.push_str(&self.text[self.pos..end.min(self.text.len())]);
                    self.pos = end.min(self.text.len());
                }
                _ => {
                    let Some(c) = self.char_at(self.pos) else {
                        break;
                    };
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        if self.pos == start {
            // Defensive: never loop without progress.
            self.pos += self.char_at(self.pos).map_or(1, char::len_utf8);
            return;
        }
        if self.skip_next_word {
            self.skip_next_word = false;
            return;
        }
        self.words.push(Word {
            value,
            range: start..self.pos,
            quoted,
        });
    }

    /// Copies `$( … )` verbatim, balancing parentheses.
    fn substitution(&mut self, value: &mut String) {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1usize;
        while self.pos < self.bytes.len() && depth > 0 {
            match self.bytes[self.pos] {
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        while !self.text.is_char_boundary(self.pos) {
            self.pos += 1;
        }
        value.push_str(&self.text[start..self.pos]);
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos..).and_then(|s| s.chars().next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        split(text)
            .commands
            .into_iter()
            .map(|c| c.words.into_iter().map(|w| w.value).collect())
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
                vec!["tee", "f"],
            ]
        );
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
