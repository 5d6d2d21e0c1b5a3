//! Variable expansion and word splitting with the rules of BuildKit's shell
//! lexer (`frontend/dockerfile/shell`).
//!
//! Supported: `$V`, `${V}`, `${V:-x}`, `${V-x}`, `${V:+x}`, `${V+x}`,
//! `${V:?msg}`, `${V?msg}`, `${V#pat}`, `${V##pat}`, `${V%pat}`, `${V%%pat}`,
//! `${V/pat/repl}`, `${V//pat/repl}`; single quotes (literal), double quotes
//! (only `$`, the quote and the escape character are special), and the escape
//! character. Word splitting happens after expansion: whitespace coming from
//! a variable splits words, quoted or escaped whitespace does not.
//!
//! ```
//! use layerwise_syntax::expand::{expand_word, expand_words};
//! let env = |name: &str| (name == "V").then(|| "a b".to_string());
//! assert_eq!(expand_word("${V}-$W-${W:-x}", &env, '\\').unwrap(), "a b--x");
//! assert_eq!(expand_words("'1 2' $V", &env, '\\').unwrap(), ["1 2", "a", "b"]);
//! ```

use std::fmt;

use crate::instruction::InstructionKind;

/// An expansion that BuildKit would reject (bad substitution, `${V?msg}` on
/// an unset variable, unterminated quote…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpandError {}

fn err<T>(message: impl Into<String>) -> Result<T, ExpandError> {
    Err(ExpandError {
        message: message.into(),
    })
}

/// Switches of the lexer; the defaults expand like a Dockerfile instruction.
#[derive(Clone, Copy, Debug)]
pub struct ExpandOptions {
    /// The escape character (`\` or the one set by `# escape=`).
    pub escape: char,
    /// Keep references to unset variables as written instead of expanding them to "".
    pub skip_unset: bool,
    /// Keep quote characters in the output.
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters, as BuildKit does when it expands
    /// the body of a `COPY <<EOF` heredoc.
    pub skip_quotes: bool,
}

impl Default for ExpandOptions {
    fn default() -> Self {
        ExpandOptions {
            escape: '\\',
            skip_unset: false,
            raw_quotes: false,
            raw_escapes: false,
            skip_quotes: false,
        }
    }
}

/// The full outcome of an expansion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The expanded text, unsplit.
    pub result: String,
    /// The expanded text split into words.
    pub words: Vec<String>,
    /// Variables that were looked up and found, in first-use order.
    pub matched: Vec<String>,
    /// Variables that were looked up and not found, in first-use order.
    pub unmatched: Vec<String>,
}

/// How BuildKit expands the arguments of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpansionMode {
    /// Arguments are passed on untouched (RUN, CMD, ENTRYPOINT, SHELL,
    /// HEALTHCHECK, ONBUILD, MAINTAINER).
    None,
    /// Each argument is expanded as one word (ADD, COPY, ENV, LABEL, ARG,
    /// FROM, STOPSIGNAL, USER, VOLUME, WORKDIR).
    Word,
    /// Each argument is expanded then split into words (EXPOSE).
    Words,
}

/// Which expansion BuildKit applies to the arguments of `kind`. Flag values
/// of RUN `--mount`, COPY `--from/--chown/--chmod` and FROM `--platform` are
/// expanded as single words as well.
pub fn expansion_mode(kind: InstructionKind) -> ExpansionMode {
    use InstructionKind::*;
    match kind {
        Add | Copy | Env | Label | Arg | From | StopSignal | User | Volume | Workdir => {
            ExpansionMode::Word
        }
        Expose => ExpansionMode::Words,
        Run | Cmd | Entrypoint | Shell | Healthcheck | Onbuild | Maintainer | Unknown => {
            ExpansionMode::None
        }
    }
}

/// Expands `word` as one word (no splitting).
pub fn expand_word(
    word: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    escape: char,
) -> Result<String, ExpandError> {
    let options = ExpandOptions {
        escape,
        ..ExpandOptions::default()
    };
    expand(word, lookup, &options).map(|e| e.result)
}

/// Expands `word` and splits the result into words.
pub fn expand_words(
    word: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    escape: char,
) -> Result<Vec<String>, ExpandError> {
    let options = ExpandOptions {
        escape,
        ..ExpandOptions::default()
    };
    expand(word, lookup, &options).map(|e| e.words)
}

/// Expands `word` with explicit options, reporting everything.
pub fn expand(
    word: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    options: &ExpandOptions,
) -> Result<Expansion, ExpandError> {
    let mut lexer = Lexer::new(word, lookup, *options);
    let (result, words) = lexer.process_stop_on(None, options.raw_escapes)?;
    Ok(Expansion {
        result,
        words: words.into_iter().map(|w| w.text).collect(),
        matched: lexer.matched,
        unmatched: lexer.unmatched,
    })
}

/// A split word with the offsets (into the lexed text) of the first and
/// last source characters that contributed to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PositionedWord {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Splits `text` into words the way BuildKit looks for heredoc markers:
/// quotes and escapes kept, unset variables kept as written. `None` when the
/// lexer fails (BuildKit then finds no heredoc at all).
pub(crate) fn split_raw_words(text: &str) -> Option<Vec<PositionedWord>> {
    let options = ExpandOptions {
        escape: '\\',
        skip_unset: true,
        raw_quotes: true,
        raw_escapes: true,
        skip_quotes: false,
    };
    let none = |_: &str| None;
    let mut lexer = Lexer::new(text, &none, options);
    lexer
        .process_stop_on(None, true)
        .ok()
        .map(|(_, words)| words)
}

/// Splits `text` with quotes processed and unset variables kept; used to
/// read a heredoc delimiter.
pub(crate) fn split_words_keep_unset(text: &str, raw_quotes: bool) -> Option<Vec<String>> {
    let options = ExpandOptions {
        escape: '\\',
        skip_unset: true,
        raw_quotes,
        raw_escapes: false,
        skip_quotes: false,
    };
    let none = |_: &str| None;
    let mut lexer = Lexer::new(text, &none, options);
    lexer
        .process_stop_on(None, false)
        .ok()
        .map(|(_, words)| words.into_iter().map(|w| w.text).collect())
}

/// Accumulates split words (BuildKit's `wordsStruct`).
#[derive(Default)]
struct Words {
    word: String,
    start: usize,
    end: usize,
    words: Vec<PositionedWord>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char, start: usize, end: usize) {
        if ch.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.flush();
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch, start, end);
        }
    }

    fn add_raw_char(&mut self, ch: char, start: usize, end: usize) {
        if self.word.is_empty() {
            self.start = start;
        }
        self.word.push(ch);
        self.end = end;
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str, start: usize, end: usize) {
        for ch in s.chars() {
            self.add_char(ch, start, end);
        }
    }

    fn add_raw_string(&mut self, s: &str, start: usize, end: usize) {
        if !s.is_empty() {
            if self.word.is_empty() {
                self.start = start;
            }
            self.word.push_str(s);
            self.end = end;
        }
        self.in_word = true;
    }

    fn flush(&mut self) {
        self.words.push(PositionedWord {
            text: std::mem::take(&mut self.word),
            start: self.start,
            end: self.end,
        });
    }

    fn finish(mut self) -> Vec<PositionedWord> {
        if !self.word.is_empty() {
            self.flush();
        }
        self.words
    }
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    options: ExpandOptions,
    raw_escapes: bool,
    matched: Vec<String>,
    unmatched: Vec<String>,
}

impl<'a> Lexer<'a> {
    fn new(
        text: &'a str,
        lookup: &'a dyn Fn(&str) -> Option<String>,
        options: ExpandOptions,
    ) -> Self {
        Lexer {
            text,
            pos: 0,
            lookup,
            options,
            raw_escapes: options.raw_escapes,
            matched: Vec::new(),
            unmatched: Vec::new(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        let value = (self.lookup)(name);
        let list = if value.is_some() {
            &mut self.matched
        } else {
            &mut self.unmatched
        };
        if !list.iter().any(|n| n == name) {
            list.push(name.to_string());
        }
        value
    }

    /// Processes until `stop` (consumed) or the end of the text.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<PositionedWord>), ExpandError> {
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let outcome = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        outcome
    }

    fn process_stop_on_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<PositionedWord>), ExpandError> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            let start = self.pos;
            if Some(ch) == stop {
                self.next();
                return Ok((result, words.finish()));
            }
            match ch {
                '$' => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                    words.add_string(&value, start, self.pos);
                }
                '<' => {
                    let value = self.process_possible_heredoc();
                    result.push_str(&value);
                    words.add_raw_string(&value, start, self.pos);
                }
                '\'' if !self.options.skip_quotes => {
                    let value = self.process_single_quote()?;
                    result.push_str(&value);
                    words.add_raw_string(&value, start, self.pos);
                }
                '"' if !self.options.skip_quotes => {
                    let value = self.process_double_quote()?;
                    result.push_str(&value);
                    words.add_raw_string(&value, start, self.pos);
                }
                _ => {
                    self.next();
                    if ch == self.options.escape {
                        if self.raw_escapes {
                            words.add_raw_char(ch, start, self.pos);
                            result.push(ch);
                        }
                        let Some(escaped) = self.next() else {
                            break;
                        };
                        words.add_raw_char(escaped, start, self.pos);
                        result.push(escaped);
                    } else {
                        words.add_char(ch, start, self.pos);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, words.finish()))
    }

    /// `<<` keeps the blanks that follow it in the same word, so that
    /// `<<  EOF` stays one heredoc marker.
    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        let mut marker = "<<".to_string();
        while let Some(c) = self.peek().filter(|c| matches!(c, ' ' | '\t' | '\r')) {
            self.next();
            marker.push(c);
        }
        marker
    }

    fn process_single_quote(&mut self) -> Result<String, ExpandError> {
        let mut result = String::new();
        let open = self.next();
        if self.options.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return err(
                        "unexpected end of statement while looking for matching single-quote",
                    );
                }
                Some('\'') => {
                    if self.options.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, ExpandError> {
        let mut result = String::new();
        let open = self.next();
        if self.options.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return err(
                        "unexpected end of statement while looking for matching double-quote",
                    );
                }
                Some('"') => {
                    self.next();
                    if self.options.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.options.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.options.escape => {
                                self.next();
                                ch = c;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                name.push(ch);
                return name;
            }
            if !ch.is_alphanumeric() && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn process_dollar(&mut self) -> Result<String, ExpandError> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.options.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return err("syntax error: missing '}'"),
            Some('{' | '}' | ':') => return err("syntax error: bad substitution"),
            Some(_) => {}
        }
        let name = self.process_name();
        let Some(mut ch) = self.next() else {
            return err("syntax error: missing '}'");
        };
        let mut modifier = ch.to_string();
        let mut null_is_unset = false;
        match ch {
            '}' => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.options.skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                if ch == ':' {
                    null_is_unset = true;
                    match self.next() {
                        Some(c) => {
                            ch = c;
                            modifier.push(c);
                        }
                        None => return err("syntax error: missing '}'"),
                    }
                }
                let raw = ch == '#' || ch == '%';
                if null_is_unset && raw {
                    return err(format!("unsupported modifier ({modifier}) in substitution"));
                }
                let word = match self.process_stop_on(Some('}'), raw) {
                    Ok((word, _)) => word,
                    Err(e) => {
                        if self.peek().is_none() {
                            return err("syntax error: missing '}'");
                        }
                        return Err(e);
                    }
                };
                let value = self.get_env(&name);
                if self.options.skip_unset && value.is_none() {
                    return Ok(format!("${{{name}{modifier}{word}}}"));
                }
                let unset_or_null = match &value {
                    None => true,
                    Some(v) => null_is_unset && v.is_empty(),
                };
                match ch {
                    '-' => Ok(if unset_or_null {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if unset_or_null { String::new() } else { word }),
                    '?' => match value {
                        None => {
                            let message = if word.is_empty() {
                                "is not allowed to be unset".to_string()
                            } else {
                                word
                            };
                            err(format!("{name}: {message}"))
                        }
                        Some(v) if null_is_unset && v.is_empty() => {
                            let message = if word.is_empty() {
                                "is not allowed to be empty".to_string()
                            } else {
                                word
                            };
                            err(format!("{name}: {message}"))
                        }
                        Some(v) => Ok(v),
                    },
                    '#' | '%' => {
                        let value = value.unwrap_or_default();
                        let (greedy, pattern) = match word.strip_prefix(ch) {
                            Some(rest) => (true, rest.to_string()),
                            None => (false, word),
                        };
                        let pattern = Pattern::compile(&pattern)?;
                        Ok(if ch == '#' {
                            pattern.trim_prefix(&value, greedy)
                        } else {
                            pattern.trim_suffix(&value, greedy)
                        })
                    }
                    _ => err(format!("unsupported modifier ({modifier}) in substitution")),
                }
            }
            '/' => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true) {
                    Ok((p, _)) => p,
                    Err(e) => {
                        if self.peek().is_none() {
                            return err("syntax error: missing '/' in ${}");
                        }
                        return Err(e);
                    }
                };
                let replacement = match self.process_stop_on(Some('}'), true) {
                    Ok((r, _)) => r,
                    Err(e) => {
                        if self.peek().is_none() {
                            return err("syntax error: missing '}'");
                        }
                        return Err(e);
                    }
                };
                let value = self.get_env(&name);
                let Some(value) = value else {
                    if self.options.skip_unset {
                        return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                    }
                    return Ok(String::new());
                };
                let compiled = Pattern::compile(&pattern)?;
                Ok(compiled.replace(&value, &replacement, replace_all))
            }
            _ => err(format!("unsupported modifier ({modifier}) in substitution")),
        }
    }
}

/// A shell wildcard pattern: `*`, `?`, `\` escapes; no bracket expressions.
struct Pattern {
    tokens: Vec<Token>,
}

#[derive(Clone, Copy)]
enum Token {
    Star,
    One,
    Char(char),
}

impl Pattern {
    fn compile(pattern: &str) -> Result<Pattern, ExpandError> {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => tokens.push(Token::Star),
                '?' => tokens.push(Token::One),
                '\\' => match chars.peek().copied() {
                    Some('}' | '/') => {}
                    Some(e @ ('*' | '?' | '\\')) => {
                        chars.next();
                        tokens.push(Token::Char(e));
                    }
                    other => {
                        let shown = other.map(String::from).unwrap_or_default();
                        return err(format!(
                            "invalid pattern ({pattern}) in substitution: invalid escape '\\{shown}'"
                        ));
                    }
                },
                c => tokens.push(Token::Char(c)),
            }
        }
        Ok(Pattern { tokens })
    }

    /// Whether the pattern matches all of `text`.
    fn matches(&self, text: &[char]) -> bool {
        // Classic wildcard matching with single-star backtracking.
        let (mut t, mut p) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Star) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(Token::One) => {
                    t += 1;
                    p += 1;
                }
                Some(Token::Char(c)) if *c == text[t] => {
                    t += 1;
                    p += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p..].iter().all(|t| matches!(t, Token::Star))
    }

    fn trim_prefix(&self, value: &str, greedy: bool) -> String {
        let chars: Vec<char> = value.chars().collect();
        let mut lengths: Box<dyn Iterator<Item = usize>> = if greedy {
            Box::new((0..=chars.len()).rev())
        } else {
            Box::new(0..=chars.len())
        };
        match lengths.find(|&n| self.matches(&chars[..n])) {
            Some(n) => chars[n..].iter().collect(),
            None => value.to_string(),
        }
    }

    fn trim_suffix(&self, value: &str, greedy: bool) -> String {
        let chars: Vec<char> = value.chars().collect();
        let len = chars.len();
        let mut starts: Box<dyn Iterator<Item = usize>> = if greedy {
            Box::new(0..=len)
        } else {
            Box::new((0..=len).rev())
        };
        match starts.find(|&s| self.matches(&chars[s..])) {
            Some(s) => chars[..s].iter().collect(),
            None => value.to_string(),
        }
    }

    fn replace(&self, value: &str, replacement: &str, all: bool) -> String {
        let chars: Vec<char> = value.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        let mut replaced = false;
        while i <= chars.len() {
            if (!replaced || all)
                && let Some(end) = (i..=chars.len())
                    .rev()
                    .find(|&e| self.matches(&chars[i..e]))
                && (end > i || !self.tokens.is_empty())
            {
                out.push_str(replacement);
                replaced = true;
                if end > i {
                    i = end;
                    continue;
                }
            }
            if let Some(c) = chars.get(i) {
                out.push(*c);
            }
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "A" => Some("a".into()),
            "EMPTY" => Some(String::new()),
            "SP" => Some("x  y".into()),
            "PATHV" => Some("/usr/local/bin:/usr/bin".into()),
            _ => None,
        }
    }

    fn w(s: &str) -> Result<String, ExpandError> {
        expand_word(s, &env, '\\')
    }

    #[test]
    fn simple_references() {
        assert_eq!(w("$A ${A} $UNSET. $").unwrap(), "a a . $");
        assert_eq!(w("${A}b$Ab").unwrap(), "ab");
        assert_eq!(w("\\$A '$A' \"$A\"").unwrap(), "$A $A a");
    }

    #[test]
    fn modifiers() {
        assert_eq!(
            w("${UNSET:-x} ${EMPTY:-x} ${EMPTY-x} ${A:-x}").unwrap(),
            "x x  a"
        );
        assert_eq!(
            w("${UNSET:+x} ${EMPTY:+x} ${EMPTY+x} ${A+x}").unwrap(),
            "  x x"
        );
        assert_eq!(w("${A:?boom}").unwrap(), "a");
        assert_eq!(w("${UNSET?boom}").unwrap_err().message, "UNSET: boom");
        assert_eq!(
            w("${EMPTY:?}").unwrap_err().message,
            "EMPTY: is not allowed to be empty"
        );
        assert_eq!(w("${EMPTY?}").unwrap(), "");
        assert_eq!(
            w("${UNSET:?}").unwrap_err().message,
            "UNSET: is not allowed to be unset"
        );
    }

    #[test]
    fn pattern_modifiers() {
        assert_eq!(w("${PATHV#*:}").unwrap(), "/usr/bin");
        assert_eq!(w("${PATHV##*/}").unwrap(), "bin");
        assert_eq!(w("${PATHV%:*}").unwrap(), "/usr/local/bin");
        assert_eq!(w("${PATHV%%/*}").unwrap(), "");
        assert_eq!(w("${PATHV/usr/opt}").unwrap(), "/opt/local/bin:/usr/bin");
        assert_eq!(w("${PATHV//usr/opt}").unwrap(), "/opt/local/bin:/opt/bin");
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(
            w("${}").unwrap_err().message,
            "syntax error: bad substitution"
        );
        assert_eq!(w("${A").unwrap_err().message, "syntax error: missing '}'");
        assert_eq!(
            w("${A:-x").unwrap_err().message,
            "syntax error: missing '}'"
        );
        assert!(w("'abc").is_err());
        assert!(w("\"abc").is_err());
        assert!(w("${A!x}").is_err());
        assert_eq!(
            w("${A:#a}").unwrap_err().message,
            "unsupported modifier (:#) in substitution"
        );
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(w(r#""a\"b\$c\d""#).unwrap(), r#"a"b$c\d"#);
        assert_eq!(w(r"a\ b\\c\").unwrap(), r"a b\c");
        assert_eq!(expand_word("a`$A", &env, '`').unwrap(), "a$A");
    }

    #[test]
    fn word_splitting() {
        let words = |s| expand_words(s, &env, '\\').unwrap();
        assert_eq!(words("a  b"), ["a", "b"]);
        assert_eq!(words("$SP"), ["x", "y"]);
        assert_eq!(words("\"$SP\""), ["x  y"]);
        assert_eq!(words("a\\ b 'c d'"), ["a b", "c d"]);
        assert_eq!(words("'' x"), ["x"]);
        // `<<` keeps the blanks after it, as heredoc markers need.
        assert_eq!(words("cat <<  EOF > f"), ["cat", "<<  EOF", ">", "f"]);
        assert_eq!(words("a<b"), ["a<b"]);
    }

    #[test]
    fn reports_matched_and_unmatched() {
        let e = expand("$A ${B} ${A:-x}", &env, &ExpandOptions::default()).unwrap();
        assert_eq!(e.matched, ["A"]);
        assert_eq!(e.unmatched, ["B"]);
    }

    #[test]
    fn skip_unset_keeps_references() {
        let options = ExpandOptions {
            skip_unset: true,
            ..ExpandOptions::default()
        };
        let e = expand("$X ${Y} ${Z:-d} $A", &env, &options).unwrap();
        assert_eq!(e.result, "$X ${Y} ${Z:-d} a");
    }

    #[test]
    fn heredoc_bodies_keep_quotes() {
        let options = ExpandOptions {
            skip_quotes: true,
            ..ExpandOptions::default()
        };
        let e = expand("echo '$A' \"$A\"\n", &env, &options).unwrap();
        assert_eq!(e.result, "echo 'a' \"a\"\n");
    }

    #[test]
    fn raw_words_keep_positions() {
        let words = split_raw_words("RUN cat <<'EOF' \"x y\"").unwrap();
        let texts: Vec<_> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["RUN", "cat", "<<'EOF'", "\"x y\""]);
        assert_eq!((words[2].start, words[2].end), (8, 15));
        assert!(split_raw_words("echo 'unterminated").is_none());
    }

    #[test]
    fn modes() {
        assert_eq!(expansion_mode(InstructionKind::Run), ExpansionMode::None);
        assert_eq!(expansion_mode(InstructionKind::Copy), ExpansionMode::Word);
        assert_eq!(
            expansion_mode(InstructionKind::Expose),
            ExpansionMode::Words
        );
    }
}
