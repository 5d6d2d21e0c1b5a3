//! A small getopt-style argument splitter shared by the tool models.
//!
//! Every tool has its own table of options; the table only needs to say
//! which options take a value, so that the value is not mistaken for a
//! package name. Unknown options are kept as flags.

use std::ops::Range;

use crate::Word;

/// One option as written on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    /// Canonical spelling: the first name in the tool's table (usually the
    /// long form, e.g. `--requirement` for `-r`), or as written if unknown.
    pub name: String,
    /// The option's argument, for options that take one.
    pub value: Option<Word>,
    /// Bytes of the option word, and of its value word when separate. A
    /// fix that deletes the option deletes exactly this range.
    pub span: Range<usize>,
}

/// How one option is spelled and whether it consumes an argument.
pub(crate) struct OptSpec {
    pub names: &'static [&'static str],
    pub value: bool,
}

/// An option without argument.
pub(crate) const fn flag(names: &'static [&'static str]) -> OptSpec {
    OptSpec {
        names,
        value: false,
    }
}

/// An option with an argument.
pub(crate) const fn val(names: &'static [&'static str]) -> OptSpec {
    OptSpec { names, value: true }
}

/// Options and operands of one command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub opts: Vec<Opt>,
    pub positionals: Vec<Word>,
}

fn lookup<'s>(spec: &[&'s [OptSpec]], name: &str) -> Option<&'s OptSpec> {
    spec.iter()
        .flat_map(|table| table.iter())
        .find(|s| s.names.contains(&name))
}

/// A word holding the part of `w` after its first `skip` bytes of text.
fn tail_word(w: &Word, skip: usize) -> Word {
    let text = w.text.get(skip..).unwrap_or("").to_owned();
    // The exact position is only known when no quoting changed the length.
    let span = if w.span.len() == w.text.len() {
        w.span.start + skip..w.span.end
    } else {
        w.span.clone()
    };
    Word {
        text,
        span,
        literal: w.literal,
    }
}

/// Splits `words` into options and operands according to `spec`. With
/// `stop_at_first_operand`, everything after the first operand is an operand
/// too (used for wrappers like `sudo` whose operands form a command).
pub(crate) fn parse_args(
    words: &[Word],
    spec: &[&[OptSpec]],
    stop_at_first_operand: bool,
) -> Parsed {
    let mut out = Parsed::default();
    let mut i = 0;
    let mut only_operands = false;
    while let Some(w) = words.get(i) {
        i += 1;
        let t = w.text.as_str();
        if only_operands || !t.starts_with('-') || t == "-" {
            out.positionals.push(w.clone());
            if stop_at_first_operand {
                only_operands = true;
            }
            continue;
        }
        if t == "--" {
            only_operands = true;
            continue;
        }
        if let Some(long) = t.strip_prefix("--") {
            let (name_part, inline) = match long.find('=') {
                Some(eq) => (&t[..eq + 2], Some(eq + 3)),
                None => (t, None),
            };
            let known = lookup(spec, name_part);
            let name = known.map_or(name_part, |s| s.names[0]).to_owned();
            let takes_value = known.is_some_and(|s| s.value);
            let (value, span) = match inline {
                Some(skip) => (Some(tail_word(w, skip)), w.span.clone()),
                None if takes_value => match words.get(i) {
                    Some(next) => {
                        i += 1;
                        (Some(next.clone()), w.span.start..next.span.end)
                    }
                    None => (None, w.span.clone()),
                },
                None => (None, w.span.clone()),
            };
            out.opts.push(Opt { name, value, span });
            continue;
        }
        // A whole-word match first, for spellings like `-qq` or `-rf`.
        if let Some(s) = lookup(spec, t)
            && !s.value
        {
            out.opts.push(Opt {
                name: s.names[0].to_owned(),
                value: None,
                span: w.span.clone(),
            });
            continue;
        }
        // A cluster of short options: `-yq`, `-rrequirements.txt`.
        let mut offset = 1;
        for c in t[1..].chars() {
            let short = format!("-{c}");
            offset += c.len_utf8();
            let known = lookup(spec, &short);
            let name = known.map_or(short.clone(), |s| s.names[0].to_owned());
            if known.is_some_and(|s| s.value) {
                if offset < t.len() {
                    out.opts.push(Opt {
                        name,
                        value: Some(tail_word(w, offset)),
                        span: w.span.clone(),
                    });
                } else if let Some(next) = words.get(i) {
                    i += 1;
                    out.opts.push(Opt {
                        name,
                        value: Some(next.clone()),
                        span: w.span.start..next.span.end,
                    });
                } else {
                    out.opts.push(Opt {
                        name,
                        value: None,
                        span: w.span.clone(),
                    });
                }
                break;
            }
            out.opts.push(Opt {
                name,
                value: None,
                span: w.span.clone(),
            });
        }
    }
    out
}

/// The first option with canonical name `name`.
pub(crate) fn find<'a>(opts: &'a [Opt], name: &str) -> Option<&'a Opt> {
    opts.iter().find(|o| o.name == name)
}

/// Values of every option with canonical name `name`, in order.
pub(crate) fn values(opts: &[Opt], name: &str) -> Vec<Word> {
    opts.iter()
        .filter(|o| o.name == name)
        .filter_map(|o| o.value.clone())
        .collect()
}

#[cfg(test)]
pub(crate) mod test_util {
    use crate::Word;

    /// Words of a plain space-separated line, with their spans.
    pub fn words(line: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut start = 0;
        for part in line.split(' ') {
            if !part.is_empty() {
                out.push(Word {
                    text: part.to_owned(),
                    span: start..start + part.len(),
                    literal: true,
                });
            }
            start += part.len() + 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::words;
    use super::*;

    const SPEC: &[OptSpec] = &[
        val(&["--requirement", "-r"]),
        flag(&["--no-cache-dir"]),
        flag(&["--quiet", "-q"]),
        val(&["--index-url", "-i"]),
    ];

    #[test]
    fn splits_options_and_operands() {
        let line = "install -qr req.txt --index-url=https://x/simple --no-cache-dir a -- -b";
        let p = parse_args(&words(line), &[SPEC], false);
        let names: Vec<&str> = p.opts.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            ["--quiet", "--requirement", "--index-url", "--no-cache-dir"]
        );
        assert_eq!(&line[p.opts[1].span.clone()], "-qr req.txt");
        let idx = p.opts[2].value.as_ref().map(|v| &line[v.span.clone()]);
        assert_eq!(idx, Some("https://x/simple"));
        assert_eq!(&line[p.opts[3].span.clone()], "--no-cache-dir");
        let pos: Vec<&str> = p.positionals.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(pos, ["install", "a", "-b"]);
    }

    #[test]
    fn attached_short_value_and_missing_value() {
        let p = parse_args(&words("-rreq.txt -r"), &[SPEC], false);
        assert_eq!(
            p.opts[0].value.as_ref().map(|v| v.text.as_str()),
            Some("req.txt")
        );
        assert_eq!(p.opts[1].value, None);
    }

    #[test]
    fn stops_at_first_operand() {
        let p = parse_args(&words("-q pip install -q x"), &[SPEC], true);
        assert_eq!(p.opts.len(), 1);
        assert_eq!(p.positionals.len(), 4);
    }
}
