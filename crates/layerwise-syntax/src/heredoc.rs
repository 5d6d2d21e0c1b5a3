//! Heredocs on RUN, COPY and ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`).

use crate::expand::{split_raw_words, split_words_keep_unset};
use crate::span::Span;

/// One heredoc: the `<<WORD` marker on the instruction line and the body
/// lines that follow the instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The marker word as written, e.g. `3<<-"EOF"`.
    pub marker: Span,
    /// The delimiter with quotes removed, e.g. `EOF`.
    pub name: String,
    /// The file descriptor prefix (`3<<EOF`), if any.
    pub fd: Option<u32>,
    /// `<<-`: leading tabs are stripped from body lines and the terminator.
    pub chomp: bool,
    /// Whether variables in the body are expanded (false if any part of the
    /// delimiter was quoted).
    pub expand: bool,
    /// The body lines, line ends included, terminator excluded.
    pub body: Span,
    /// The body text exactly as written.
    pub content: String,
    /// The terminator line including its line end; `None` when unterminated.
    pub terminator: Option<Span>,
}

impl Heredoc {
    /// The body as the build sees it: with `<<-`, leading tabs removed from
    /// every line.
    pub fn effective_content(&self) -> String {
        if !self.chomp {
            return self.content.clone();
        }
        self.content
            .split_inclusive('\n')
            .map(|line| line.trim_start_matches('\t'))
            .collect()
    }
}

/// A heredoc marker found on an instruction line (offsets into that line).
pub(crate) struct Marker {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) name: String,
    pub(crate) fd: Option<u32>,
    pub(crate) chomp: bool,
    pub(crate) expand: bool,
}

/// Finds heredoc markers in a logical line, like BuildKit: split the line
/// into shell words (quotes and escapes kept), then keep the words shaped
/// `[digits]<<[-]word` whose delimiter is a single word.
pub(crate) fn find_markers(line: &str) -> Vec<Marker> {
    if !line.contains("<<") {
        return Vec::new();
    }
    let Some(words) = split_raw_words(line) else {
        return Vec::new();
    };
    words
        .into_iter()
        .filter_map(|w| {
            let m = parse_marker(&w.text)?;
            Some(Marker {
                start: w.start,
                end: w.end,
                ..m
            })
        })
        .collect()
}

/// Parses one word as a heredoc marker (`^(\d*)<<(-?)([^<]*)$`).
pub(crate) fn parse_marker(word: &str) -> Option<Marker> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    // Blanks between `<<` and the delimiter (Go's `\s*`).
    let rest = rest.trim_start_matches(['\t', '\n', '\u{0c}', '\r', ' ']);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let words = split_words_keep_unset(rest, false)?;
    let [name] = words.as_slice() else {
        return None;
    };
    let raw = split_words_keep_unset(rest, true)?;
    let [raw_name] = raw.as_slice() else {
        return None;
    };
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let fd = if digits == 0 {
        None
    } else {
        word[..digits].parse().ok()
    };
    Some(Marker {
        start: 0,
        end: word.len(),
        name: name.clone(),
        fd,
        chomp,
        expand: quotes(name) == quotes(raw_name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_shapes() {
        let m = parse_marker("<<EOF").unwrap();
        assert_eq!(
            (m.name.as_str(), m.fd, m.chomp, m.expand),
            ("EOF", None, false, true)
        );
        let m = parse_marker("3<<-\"END\"").unwrap();
        assert_eq!(
            (m.name.as_str(), m.fd, m.chomp, m.expand),
            ("END", Some(3), true, false)
        );
        let m = parse_marker("<<'E'OF").unwrap();
        assert_eq!((m.name.as_str(), m.expand), ("EOF", false));
        assert_eq!(parse_marker("<<  EOF").unwrap().name, "EOF");
        assert_eq!(parse_marker("<< -EOF").unwrap().name, "-EOF");
        assert_eq!(parse_marker("<<$EOF").unwrap().name, "$EOF");
        let m = parse_marker("<<'one two'").unwrap();
        assert_eq!((m.name.as_str(), m.expand), ("one two", false));
        let m = parse_marker("<<eo\\'f").unwrap();
        assert_eq!((m.name.as_str(), m.expand), ("eo'f", true));
        let m = parse_marker("<<'e'o\\'f").unwrap();
        assert_eq!((m.name.as_str(), m.expand), ("eo'f", false));
        assert!(parse_marker("<<EOF sh").is_none());
        assert!(parse_marker("<<").is_none());
        assert!(parse_marker("a<<EOF").is_none());
        assert!(parse_marker("<<<EOF").is_none());
    }

    #[test]
    fn finds_several_markers() {
        let markers = find_markers("COPY <<a <<-b /dst");
        let names: Vec<_> = markers.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!((markers[1].start, markers[1].end), (9, 13));
        assert!(find_markers("RUN echo '<<EOF").is_empty());
        let markers = find_markers("RUN <<  EOF  > foo");
        assert_eq!(markers[0].name, "EOF");
        assert_eq!((markers[0].start, markers[0].end), (4, 11));
        // `<<-` followed by a blank is not a marker once the line is split.
        assert!(find_markers("RUN <<- EOF").is_empty());
    }

    #[test]
    fn chomp_strips_leading_tabs() {
        let h = Heredoc {
            marker: Span::default(),
            name: "E".into(),
            fd: None,
            chomp: true,
            expand: true,
            body: Span::default(),
            content: "\t\ta\n\tb\n c\n".into(),
            terminator: None,
        };
        assert_eq!(h.effective_content(), "a\nb\n c\n");
    }
}
