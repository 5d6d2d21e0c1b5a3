//! An open document: its text, kept in sync with the editor's incremental
//! changes, and conversions between byte offsets and LSP positions (lines and
//! UTF-16 code units, as the protocol counts them).

use layerwise_syntax::Span;
use line_index::{LineIndex, TextSize, WideEncoding, WideLineCol};
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// The editor's copy of one file.
#[derive(Clone, Debug)]
pub struct Document {
    pub version: i32,
    text: String,
    index: LineIndex,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let index = LineIndex::new(&text);
        Document {
            version,
            text,
            index,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Applies one change: a range replaced, or the whole text when the
    /// change has no range. Positions outside the text are clamped to it, so
    /// a confused client cannot make the store panic.
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent) {
        match change.range {
            Some(range) => {
                let start = self.offset(range.start);
                let end = self.offset(range.end).max(start);
                self.text.replace_range(start..end, &change.text);
            }
            None => self.text = change.text,
        }
        self.index = LineIndex::new(&self.text);
    }

    /// The byte offset of an LSP position: a line past the end means the end
    /// of the text, a column past the end of its line the end of that line,
    /// and a column inside a character the start of that character.
    pub fn offset(&self, position: Position) -> usize {
        let Some(line) = self.index.line(position.line) else {
            return self.text.len();
        };
        let line_start = usize::from(line.start());
        let mut line_end = usize::from(line.end());
        if self.text[line_start..line_end].ends_with('\n') {
            line_end -= 1;
        }
        let wide = WideLineCol {
            line: position.line,
            col: position.character,
        };
        let column = self
            .index
            .to_utf8(WideEncoding::Utf16, wide)
            .map_or(usize::MAX, |utf8| utf8.col as usize);
        let mut offset = line_start.saturating_add(column).min(line_end);
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The LSP position of a byte offset (clamped to the text and to the
    /// start of the character it falls in).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let size = TextSize::try_from(offset).unwrap_or(TextSize::from(u32::MAX));
        let Some(line_col) = self.index.try_line_col(size) else {
            return Position::new(0, 0);
        };
        let character = self
            .index
            .to_wide(WideEncoding::Utf16, line_col)
            .map_or(line_col.col, |wide| wide.col);
        Position::new(line_col.line, character)
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a 1-based line and 1-based column counted in
    /// characters (how layerwise reports parse errors), clamped to the text.
    pub fn offset_of_line_column(&self, line: usize, column: usize) -> usize {
        let Some(range) = u32::try_from(line.saturating_sub(1))
            .ok()
            .and_then(|l| self.index.line(l))
        else {
            return self.text.len();
        };
        let line_text = &self.text[usize::from(range.start())..usize::from(range.end())];
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.trim_end_matches('\n').len(), |(at, _)| at);
        usize::from(range.start()) + within
    }

    /// The bytes of the line holding `offset`, without its newline, and where it starts.
    pub fn line_at(&self, offset: usize) -> (usize, &str) {
        let line = self.position(offset).line;
        let range = self.index.line(line).unwrap_or_default();
        let text = &self.text[usize::from(range.start())..usize::from(range.end())];
        (usize::from(range.start()), text.trim_end_matches('\n'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(range: Option<Range>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn positions_count_utf16_code_units() {
        // 'é' is 2 bytes and 1 UTF-16 unit; '🐍' is 4 bytes and 2 units.
        let doc = Document::new("FROM é🐍x\nRUN a\n".to_string(), 1);
        assert_eq!(doc.position(5), Position::new(0, 5));
        assert_eq!(doc.position(7), Position::new(0, 6));
        assert_eq!(doc.position(11), Position::new(0, 8));
        assert_eq!(doc.offset(Position::new(0, 8)), 11);
        assert_eq!(doc.offset(Position::new(1, 4)), 17);
        // Inside the surrogate pair: the start of the character.
        assert_eq!(doc.offset(Position::new(0, 7)), 7);
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let doc = Document::new("ab\ncd".to_string(), 1);
        assert_eq!(doc.offset(Position::new(0, 99)), 2);
        assert_eq!(doc.offset(Position::new(7, 0)), 5);
        assert_eq!(doc.position(99), Position::new(1, 2));
    }

    #[test]
    fn incremental_changes_edit_the_text() {
        let mut doc = Document::new("FROM a\nCOPY . .\n".to_string(), 1);
        doc.apply(change(
            Some(Range::new(Position::new(1, 0), Position::new(1, 4))),
            "ADD",
        ));
        assert_eq!(doc.text(), "FROM a\nADD . .\n");
        doc.apply(change(
            Some(Range::new(Position::new(2, 0), Position::new(2, 0))),
            "RUN x\n",
        ));
        assert_eq!(doc.text(), "FROM a\nADD . .\nRUN x\n");
        doc.apply(change(None, "FROM b\n"));
        assert_eq!(doc.text(), "FROM b\n");
        // An inverted range deletes nothing and inserts at its start.
        doc.apply(change(
            Some(Range::new(Position::new(0, 4), Position::new(0, 1))),
            "!",
        ));
        assert_eq!(doc.text(), "FROM! b\n");
    }

    #[test]
    fn parse_error_positions_map_to_offsets() {
        let doc = Document::new("FROM é\nRUN x".to_string(), 1);
        assert_eq!(doc.offset_of_line_column(1, 7), 7);
        assert_eq!(doc.offset_of_line_column(2, 5), 12);
        assert_eq!(doc.offset_of_line_column(2, 50), 13);
        assert_eq!(doc.offset_of_line_column(9, 1), 13);
        assert_eq!(doc.line_at(9), (8, "RUN x"));
    }
}
