//! Code frames for people.

use std::io::{IsTerminal, Write};

use layerwise_rules::Severity;

use layerwise_rules::FileReport;

/// Colour only on a terminal, and never when `NO_COLOR` is set.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

pub fn write(out: &mut dyn Write, reports: &[FileReport], color: bool) -> std::io::Result<()> {
    let paint = Paint(color);
    let (mut errors, mut warnings, mut infos, mut fixable) = (0, 0, 0, 0);
    for report in reports {
        for (line, col, message) in &report.errors {
            writeln!(
                out,
                "{}: {}: {message}",
                paint.wrap("1", &report.location(*line, *col)),
                paint.wrap("1;31", "error")
            )?;
            if let Some(file) = &report.file
                && *line > 0
            {
                frame(out, &paint, file, *line, *col, *col + 1, "1;31")?;
            }
            writeln!(out)?;
        }
        let Some(file) = &report.file else { continue };
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => infos += 1,
            }
            if d.fix.is_some() {
                fixable += 1;
            }
            let start = file.position(d.span.start);
            let end = file.position(d.span.end);
            writeln!(
                out,
                "{}:{}:{}: {} {}: {}",
                paint.wrap("1", &report.path),
                start.line,
                start.column,
                paint.wrap(
                    severity_color(d.severity),
                    &format!("{}[{}]", d.severity, d.code)
                ),
                paint.wrap("2", d.name),
                d.message
            )?;
            let end_col = if end.line == start.line {
                end.column
            } else {
                usize::MAX
            };
            frame(
                out,
                &paint,
                file,
                start.line,
                start.column,
                end_col,
                severity_color(d.severity),
            )?;
            if let Some(help) = &d.help {
                writeln!(out, "   = {}: {help}", paint.wrap("1", "help"))?;
            }
            if let Some(fix) = &d.fix {
                let kind = match fix.applicability {
                    layerwise_rules::Applicability::Safe => "fix",
                    layerwise_rules::Applicability::Unsafe => "unsafe fix",
                };
                writeln!(out, "   = {}: {}", paint.wrap("1", kind), fix.message)?;
            }
            writeln!(out)?;
        }
    }
    let total = errors + warnings + infos;
    let input_errors: usize = reports.iter().map(|r| r.errors.len()).sum();
    if total == 0 && input_errors == 0 {
        let files = reports.len();
        writeln!(
            out,
            "All checks passed ({files} file{}).",
            if files == 1 { "" } else { "s" }
        )?;
    } else {
        write!(
            out,
            "Found {total} finding{} ({errors} error, {warnings} warning, {infos} info)",
            if total == 1 { "" } else { "s" }
        )?;
        if fixable > 0 {
            write!(out, "; {fixable} with a fix")?;
        }
        if input_errors > 0 {
            write!(
                out,
                "; {input_errors} file error{}",
                if input_errors == 1 { "" } else { "s" }
            )?;
        }
        writeln!(out, ".")?;
    }
    Ok(())
}

/// The most characters of a source line a frame prints. Longer lines are cut
/// around the span with an ellipsis, so the output grows with the number of
/// findings, not with the length of the lines they sit on.
const FRAME_WIDTH: usize = 100;
/// How many characters before the span stay visible when a long line is cut.
const FRAME_LEAD: usize = 24;

/// Prints one source line with a caret underline from `col` to `end_col`
/// (exclusive), windowed around the span when the line is long.
fn frame(
    out: &mut dyn Write,
    paint: &Paint,
    file: &layerwise_syntax::Dockerfile,
    line: usize,
    col: usize,
    end_col: usize,
    color: &str,
) -> std::io::Result<()> {
    let index = file.line_index();
    let Some(start) = index.line_start(line) else {
        return Ok(());
    };
    let end = index.line_start(line + 1).unwrap_or(file.source().len());
    let text = file
        .source()
        .get(start..end)
        .unwrap_or("")
        .trim_end_matches(['\n', '\r']);
    let window = Window::around(text, col.max(1), end_col);
    let width = line.to_string().len();
    writeln!(out, "{:width$} {}", "", paint.wrap("1;34", "|"))?;
    writeln!(
        out,
        "{} {} {}",
        paint.wrap("1;34", &line.to_string()),
        paint.wrap("1;34", "|"),
        window.text
    )?;
    writeln!(
        out,
        "{:width$} {} {}{}",
        "",
        paint.wrap("1;34", "|"),
        " ".repeat(window.caret_from),
        paint.wrap(color, &"^".repeat(window.caret_len))
    )?;
    Ok(())
}

/// The part of a source line a frame shows, and where its underline goes.
#[derive(Debug, PartialEq, Eq)]
struct Window {
    /// The excerpt, tabs as spaces, with `…` where the line was cut.
    text: String,
    /// Display column (0-based) where the underline starts.
    caret_from: usize,
    /// Underline length, at least one.
    caret_len: usize,
}

impl Window {
    /// The excerpt of `line` for a span from 1-based character column `col` to
    /// `end_col` (exclusive). Only the characters shown are visited past `col`.
    fn around(line: &str, col: usize, end_col: usize) -> Window {
        let span_from = col - 1;
        // A line that fits (bytes bound characters) is shown whole.
        let skip = if line.len() <= FRAME_WIDTH {
            0
        } else {
            span_from.saturating_sub(FRAME_LEAD)
        };
        let mut shown: String = line
            .chars()
            .skip(skip)
            .take(FRAME_WIDTH + 1)
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let cut_right = shown.chars().count() > FRAME_WIDTH;
        if cut_right {
            shown.pop();
        }
        let shown_chars = shown.chars().count();
        let cut_left = skip > 0;
        let lead = usize::from(cut_left);
        let from = (span_from - skip).min(shown_chars);
        let to = end_col
            .saturating_sub(1)
            .saturating_sub(skip)
            .min(shown_chars)
            .max(from + 1);
        let mut text = String::with_capacity(shown.len() + 6);
        if cut_left {
            text.push('…');
        }
        text.push_str(&shown);
        if cut_right {
            text.push('…');
        }
        Window {
            text,
            caret_from: from + lead,
            caret_len: to - from,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        let w = Window::around("RUN\tpip install flask", 5, 8);
        assert_eq!(w.text, "RUN pip install flask");
        assert_eq!((w.caret_from, w.caret_len), (4, 3));
    }

    #[test]
    fn spans_past_the_end_get_one_caret() {
        let w = Window::around("RUN", 4, usize::MAX);
        assert_eq!((w.caret_from, w.caret_len), (3, 1));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("RUN {}", "x".repeat(5000)) + " pip install flask" + &"y".repeat(5000);
        let col = line.find("pip").unwrap() + 1;
        let w = Window::around(&line, col, col + 3);
        assert!(
            w.text.starts_with('…') && w.text.ends_with('…'),
            "{}",
            w.text
        );
        assert_eq!(w.text.chars().count(), FRAME_WIDTH + 2);
        let underlined: String = w
            .text
            .chars()
            .skip(w.caret_from)
            .take(w.caret_len)
            .collect();
        assert_eq!(underlined, "pip");
    }

    #[test]
    fn a_span_covering_a_long_line_is_underlined_within_the_window() {
        let line = "é".repeat(10_000);
        let w = Window::around(&line, 1, usize::MAX);
        assert!(!w.text.starts_with('…') && w.text.ends_with('…'));
        assert_eq!((w.caret_from, w.caret_len), (0, FRAME_WIDTH));
    }
}
