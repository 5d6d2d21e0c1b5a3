//! Hover: a rule's documentation on its code in a suppression comment, and on
//! an instruction its cache facts (`cache.rs`: key inputs, the last recorded
//! build, the next build's prediction) and the findings there with their
//! rules' documentation.

use layerwise_rules::{docs, registry};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::analysis::Analysis;
use crate::document::Document;

pub fn hover(document: &Document, analysis: &Analysis, position: Position) -> Option<Hover> {
    let offset = document.offset(position);
    let markdown = match rule_in_comment(document, offset) {
        Some(rule) => docs::rule_markdown(rule),
        None => on_instruction(document, analysis, offset)?,
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: None,
    })
}

/// The rule named by the word under the cursor in a `# layerwise: ignore[…]`
/// or `# hadolint ignore=…` comment.
fn rule_in_comment(document: &Document, offset: usize) -> Option<&'static registry::Rule> {
    let (line_start, line) = document.line_at(offset);
    let comment = line.trim_start();
    if !comment.starts_with('#') || !(comment.contains("ignore[") || comment.contains("ignore=")) {
        return None;
    }
    let at = offset - line_start;
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let start = line[..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_word(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = line[at..]
        .find(|c: char| !is_word(c))
        .map_or(line.len(), |i| at + i);
    registry::find(&line[start..end])
}

/// For the instruction under the cursor: what goes into its cache key (for
/// a saved file), then each finding on it and its rule's docs.
fn on_instruction(document: &Document, analysis: &Analysis, offset: usize) -> Option<String> {
    let file = analysis.report.file.as_ref()?;
    let instruction = file.instructions().find(|i| i.span.contains(offset))?;
    let line = document.position(instruction.span.start).line as usize + 1;
    let cache = analysis
        .path
        .as_deref()
        .and_then(|path| crate::cache::step_facts(path, document.text(), line));
    let findings = findings_on(analysis, instruction.span);
    match (cache, findings) {
        (Some(cache), Some(findings)) => Some(format!("{cache}\n---\n\n{findings}")),
        (cache, findings) => cache.or(findings),
    }
}

/// Each finding within `span`, then its rules' docs.
fn findings_on(analysis: &Analysis, span: layerwise_syntax::Span) -> Option<String> {
    let mut out = String::new();
    let mut documented = Vec::new();
    for d in analysis
        .report
        .diagnostics
        .iter()
        .filter(|d| span.contains(d.span.start))
    {
        out.push_str(&format!(
            "**{}** ({}): {}\n\n",
            d.code, d.severity, d.message
        ));
        if !documented.contains(&d.code) {
            documented.push(d.code);
        }
    }
    if documented.is_empty() {
        return None;
    }
    for rule in documented.into_iter().filter_map(registry::find) {
        out.push_str("---\n\n");
        out.push_str(&docs::rule_markdown(rule));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover_text(text: &str, position: Position) -> Option<String> {
        let doc = Document::new(text.to_string(), 1);
        let analysis = Analysis::run(&doc, None);
        hover(&doc, &analysis, position).map(|h| match h.contents {
            HoverContents::Markup(m) => m.value,
            other => panic!("unexpected hover {other:?}"),
        })
    }

    #[test]
    fn rule_code_in_a_suppression_comment_shows_its_docs() {
        let text = "FROM python:3.11-slim\n# layerwise: ignore[LW101, LW102]\nCOPY . .\n";
        let shown = hover_text(text, Position::new(1, 30)).expect("hover on LW102");
        assert!(shown.starts_with("### LW102 "), "{shown}");
        assert!(shown.contains("What it does"));
        assert!(hover_text(text, Position::new(1, 3)).is_none_or(|s| !s.starts_with("### LW")));
    }

    #[test]
    fn instruction_with_a_finding_shows_the_finding_and_rule() {
        let text =
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n";
        let shown = hover_text(text, Position::new(2, 2)).expect("hover on COPY");
        assert!(shown.contains("**LW101**"), "{shown}");
        assert!(shown.contains("### LW101 `copy-before-install`"), "{shown}");
        assert!(hover_text("FROM python:3.11-slim\n", Position::new(5, 0)).is_none());
    }
}
