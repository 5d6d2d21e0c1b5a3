//! Random documents and random edits through the document store and the
//! analysis: nothing panics and every position the server sends is inside
//! the document.

use layerwise_lsp::analysis::Analysis;
use layerwise_lsp::document::Document;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};
use proptest::prelude::*;

fn dockerfile_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("FROM python:3.11-slim AS base".to_string()),
        Just("COPY . .".to_string()),
        Just("RUN pip install -r requirements.txt \\".to_string()),
        Just("RUN apt-get update && apt-get install -y gcc".to_string()),
        Just("# layerwise: ignore[LW101]".to_string()),
        Just("ENV A 1".to_string()),
        Just("RUN <<EOF".to_string()),
        Just("EOF".to_string()),
        Just("  WORKDIR /app".to_string()),
        "\\PC{0,30}",
        "[ -~é🐍\t\r]{0,20}",
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

fn position() -> impl Strategy<Value = Position> {
    (0u32..15, 0u32..40).prop_map(|(line, character)| Position::new(line, character))
}

fn edit() -> impl Strategy<Value = TextDocumentContentChangeEvent> {
    (
        prop::option::weighted(0.9, (position(), position())),
        "[ -~é🐍\n\\\\]{0,12}",
    )
        .prop_map(|(range, text)| TextDocumentContentChangeEvent {
            range: range.map(|(start, end)| Range::new(start, end)),
            range_length: None,
            text,
        })
}

/// Whether `position` lies in `text`: an existing line, and a column no
/// further than that line's length in UTF-16 code units.
fn inside(text: &str, position: Position) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    lines
        .get(position.line as usize)
        .is_some_and(|line| position.character as usize <= line.encode_utf16().count())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn edits_and_analysis_stay_in_range(text in dockerfile_text(), edits in prop::collection::vec(edit(), 0..6), probe in position()) {
        let mut document = Document::new(text, 1);
        for change in edits {
            document.apply(change);
        }
        let text = document.text().to_string();
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let at = document.position(offset);
            prop_assert!(inside(&text, at), "{at:?} for offset {offset}");
            prop_assert_eq!(document.offset(at), offset);
        }
        let analysis = Analysis::run(&document, None);
        let uri = lsp_types::Url::parse("file:///p/Dockerfile").unwrap();
        for diagnostic in analysis.diagnostics(&uri, &document) {
            prop_assert!(inside(&text, diagnostic.range.start), "{diagnostic:?}");
            prop_assert!(inside(&text, diagnostic.range.end), "{diagnostic:?}");
            for related in diagnostic.related_information.iter().flatten() {
                prop_assert!(inside(&text, related.location.range.start), "{related:?}");
                prop_assert!(inside(&text, related.location.range.end), "{related:?}");
            }
        }
        let range = Range::new(Position::new(0, 0), probe);
        for action in layerwise_lsp::actions::code_actions(&uri, &document, &analysis, range, None) {
            let lsp_types::CodeActionOrCommand::CodeAction(action) = action else {
                continue;
            };
            for edits in action.edit.and_then(|e| e.changes).into_iter().flat_map(|c| c.into_values()) {
                for edit in edits {
                    prop_assert!(inside(&text, edit.range.start) && inside(&text, edit.range.end));
                }
            }
        }
        let _ = layerwise_lsp::hover::hover(&document, &analysis, probe);
    }
}
