//! BuildKit's AST dump format (`Node.Dump()`), used to compare the parser
//! with BuildKit's own test expectations.

use std::fmt::Write;

use crate::dockerfile::Dockerfile;
use crate::instruction::{Arguments, Instruction, Separator};

/// One s-expression per instruction, each on its own line, as BuildKit's
/// parser tests print them.
pub fn dump(dockerfile: &Dockerfile) -> String {
    let mut out = String::new();
    for inst in dockerfile.instructions() {
        out.push('(');
        out.push_str(&dump_instruction(inst));
        out.push_str(")\n");
    }
    out
}

/// The dump of one instruction, without the surrounding parentheses.
pub fn dump_instruction(inst: &Instruction) -> String {
    let mut out = inst.keyword.value.to_lowercase();
    if !inst.flags().is_empty() {
        out.push_str(" [");
        for (i, flag) in inst.flags().iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            go_quote_into(&mut out, &flag.text);
        }
        out.push(']');
    }
    dump_arguments(&mut out, &inst.arguments);
    out.trim().to_string()
}

fn push_quoted(out: &mut String, value: &str) {
    out.push(' ');
    go_quote_into(out, value);
}

fn dump_arguments(out: &mut String, arguments: &Arguments) {
    match arguments {
        Arguments::None => {}
        Arguments::Exec(exec) => exec
            .elements
            .iter()
            .for_each(|e| push_quoted(out, &e.value)),
        Arguments::Text(text) => push_quoted(out, &text.value),
        Arguments::Words(words) => words.iter().for_each(|w| push_quoted(out, &w.value)),
        Arguments::KeyValues(pairs) => {
            for pair in pairs {
                push_quoted(out, &pair.key.value);
                push_quoted(out, &pair.value.value);
                push_quoted(
                    out,
                    match pair.separator {
                        Separator::Equals => "=",
                        Separator::Whitespace => "",
                    },
                );
            }
        }
        Arguments::Declarations(decls) => {
            decls.iter().for_each(|d| push_quoted(out, &d.word.value))
        }
        Arguments::Healthcheck { kind, command } => {
            push_quoted(out, &kind.value);
            dump_arguments(out, command);
        }
        Arguments::OnBuild(inner) => {
            out.push_str(" (");
            out.push_str(&dump_instruction(inner));
            out.push(')');
        }
        Arguments::Ignored => push_quoted(out, ""),
    }
}

/// Go's `strconv.Quote`: printable characters stay, the rest is escaped.
pub fn go_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    go_quote_into(&mut out, value);
    out
}

fn go_quote_into(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
}

/// An approximation of Go's `unicode.IsPrint`: everything except controls,
/// non-ASCII spaces, format characters, private use and noncharacters.
fn is_go_printable(c: char) -> bool {
    let n = c as u32;
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(n,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e
        | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff | 0xfdd0..=0xfdef
        | 0xfffe | 0xffff | 0xf0000..=0x10ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\u{0}\u{1b}\u{7f}"), r#""\x00\x1b\x7f""#);
        assert_eq!(go_quote("♥ ☃"), "\"♥ ☃\"");
        assert_eq!(go_quote("\u{a0}\u{200b}"), r#""\u00a0\u200b""#);
        assert_eq!(
            go_quote("\t\n\r\u{8}\u{c}\u{b}\u{7}"),
            r#""\t\n\r\b\f\v\a""#
        );
    }
}
