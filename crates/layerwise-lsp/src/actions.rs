//! Code actions: each finding's fix as a quick fix, a suppression comment for
//! each finding, and every safe fix at once.

use std::collections::HashMap;

use layerwise_rules::{Applicability, Diagnostic, Edit, Fix};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Url, WorkspaceEdit,
};

use crate::analysis::{Analysis, to_lsp};
use crate::document::Document;

/// The kind of the "fix all safe" action: editors run `source.fixAll` on save.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.layerwise")
}

/// The actions for the findings touching `range`, plus "fix all safe" when
/// the document has a safe fix anywhere. `only` filters by kind prefix as
/// the client asks.
pub fn code_actions(
    uri: &Url,
    document: &Document,
    analysis: &Analysis,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let start = document.offset(range.start);
    let end = document.offset(range.end).max(start);
    let mut actions = Vec::new();
    for diagnostic in &analysis.report.diagnostics {
        let touches = diagnostic.span.start <= end && start <= diagnostic.span.end;
        if !touches {
            continue;
        }
        if let Some(fix) = &diagnostic.fix {
            actions.push(fix_action(uri, document, diagnostic, fix));
        }
        if let Some(action) = suppress_action(uri, document, analysis, diagnostic) {
            actions.push(action);
        }
    }
    if let Some(action) = fix_all_safe(uri, document, analysis) {
        actions.push(action);
    }
    actions
        .into_iter()
        .filter(|action| {
            only.is_none_or(|kinds| {
                let kind = action.kind.as_ref().map_or("", |k| k.as_str());
                kinds
                    .iter()
                    .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
            })
        })
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

fn workspace_edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

fn text_edits(document: &Document, edits: &[Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit::new(document.range(e.span), e.replacement.clone()))
        .collect()
}

fn fix_action(uri: &Url, document: &Document, diagnostic: &Diagnostic, fix: &Fix) -> CodeAction {
    let safe = fix.applicability == Applicability::Safe;
    let label = if safe {
        ""
    } else {
        " (unsafe: review the change)"
    };
    CodeAction {
        title: format!("{}: {}{label}", diagnostic.code, fix.message),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![to_lsp(diagnostic, uri, document)]),
        edit: Some(workspace_edit(uri, text_edits(document, &fix.edits))),
        is_preferred: Some(safe),
        ..CodeAction::default()
    }
}

/// `# layerwise: ignore[CODE]` on its own line above the finding's
/// instruction, indented like it.
fn suppress_action(
    uri: &Url,
    document: &Document,
    analysis: &Analysis,
    diagnostic: &Diagnostic,
) -> Option<CodeAction> {
    let file = analysis.report.file.as_ref()?;
    // Spans are whole lines, so an instruction's end is the next one's start:
    // only a finding at the very end of the text belongs to the one before.
    let instruction = file
        .instructions()
        .find(|i| i.span.contains(diagnostic.span.start))
        .or_else(|| {
            file.instructions()
                .last()
                .filter(|i| i.span.end == diagnostic.span.start)
        })?;
    let (line_start, line) = document.line_at(instruction.span.start);
    let indent = &line[..line.len() - line.trim_start().len()];
    let comment = format!("{indent}# layerwise: ignore[{}]\n", diagnostic.code);
    let at = document.position(line_start);
    Some(CodeAction {
        title: format!(
            "{}: suppress with `# layerwise: ignore[{}]`",
            diagnostic.code, diagnostic.code
        ),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![to_lsp(diagnostic, uri, document)]),
        edit: Some(workspace_edit(
            uri,
            vec![TextEdit::new(Range::new(at, at), comment)],
        )),
        is_preferred: Some(false),
        ..CodeAction::default()
    })
}

/// Every safe fix, applied in rounds as `layerwise fix` applies them, as one
/// replacement of the whole text.
fn fix_all_safe(uri: &Url, document: &Document, analysis: &Analysis) -> Option<CodeAction> {
    let has_safe_fix = analysis.report.diagnostics.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| f.applicability == Applicability::Safe)
    });
    if !has_safe_fix {
        return None;
    }
    let outcome = layerwise_fix::fix_source(
        document.text(),
        &analysis.settings,
        analysis.path.as_deref().and_then(std::path::Path::parent),
        &layerwise_fix::Options::default(),
    )
    .ok()?;
    if outcome.fixed == document.text() {
        return None;
    }
    let whole = Range::new(
        document.position(0),
        document.position(document.text().len()),
    );
    Some(CodeAction {
        title: "Fix all safe layerwise findings".to_string(),
        kind: Some(fix_all_kind()),
        edit: Some(workspace_edit(
            uri,
            vec![TextEdit::new(whole, outcome.fixed)],
        )),
        ..CodeAction::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Position;

    const NAIVE: &str =
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n";

    fn actions(text: &str, range: Range) -> Vec<CodeAction> {
        let uri = Url::parse("file:///project/Dockerfile").unwrap();
        let doc = Document::new(text.to_string(), 1);
        let analysis = Analysis::run(&doc, None);
        code_actions(&uri, &doc, &analysis, range, None)
            .into_iter()
            .map(|a| match a {
                CodeActionOrCommand::CodeAction(a) => a,
                CodeActionOrCommand::Command(_) => unreachable!("only code actions are made"),
            })
            .collect()
    }

    fn apply(text: &str, action: &CodeAction) -> String {
        let doc = Document::new(text.to_string(), 1);
        let mut edits: Vec<_> = action
            .edit
            .as_ref()
            .unwrap()
            .changes
            .as_ref()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .clone();
        edits.sort_by_key(|e| std::cmp::Reverse(doc.offset(e.range.start)));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(
                doc.offset(e.range.start)..doc.offset(e.range.end),
                &e.new_text,
            );
        }
        out
    }

    #[test]
    fn lw101_fix_and_suppression_are_offered_on_its_line() {
        let line = Range::new(Position::new(2, 0), Position::new(2, 8));
        let found = actions(NAIVE, line);
        let fix = found
            .iter()
            .find(|a| a.title.starts_with("LW101:") && !a.title.contains("suppress"))
            .expect("LW101 fix offered");
        let fixed = apply(NAIVE, fix);
        assert_ne!(fixed, NAIVE);
        let doc = Document::new(fixed.clone(), 2);
        let after = Analysis::run(&doc, None);
        assert!(
            after.report.diagnostics.iter().all(|d| d.code != "LW101"),
            "{fixed}"
        );

        let suppress = found
            .iter()
            .find(|a| a.title.starts_with("LW101: suppress"))
            .expect("suppression offered");
        let suppressed = apply(NAIVE, suppress);
        assert!(
            suppressed.contains("# layerwise: ignore[LW101]\nCOPY . ."),
            "{suppressed}"
        );
        let doc = Document::new(suppressed, 2);
        let after = Analysis::run(&doc, None);
        assert!(after.report.diagnostics.iter().all(|d| d.code != "LW101"));
    }

    #[test]
    fn unsafe_fixes_are_labelled_and_not_preferred() {
        let everything = Range::new(Position::new(0, 0), Position::new(9, 0));
        let text = format!("{NAIVE}ENV PORT 8000\n");
        let found = actions(&text, everything);
        for action in found
            .iter()
            .filter(|a| a.kind == Some(CodeActionKind::QUICKFIX))
        {
            if action.title.contains("(unsafe") {
                assert_eq!(action.is_preferred, Some(false), "{}", action.title);
            }
        }
        let all = found
            .iter()
            .find(|a| a.kind == Some(fix_all_kind()))
            .expect("fix all safe offered");
        let fixed = apply(&text, all);
        assert!(fixed.contains("ENV PORT=8000"), "{fixed}");
        let doc = Document::new(fixed, 2);
        let after = Analysis::run(&doc, None);
        assert!(
            after.report.diagnostics.iter().all(|d| d
                .fix
                .as_ref()
                .is_none_or(|f| f.applicability == Applicability::Unsafe)),
            "safe fixes left"
        );
    }
}
