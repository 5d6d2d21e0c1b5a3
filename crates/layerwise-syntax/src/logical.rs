//! Logical lines: an instruction's physical lines joined after removing line
//! continuations and skipped lines, with a map back to source offsets.

use crate::instruction::LogicalText;
use crate::span::Span;

/// A contiguous piece of the logical line copied from the source.
#[derive(Clone, Copy, Debug)]
struct Segment {
    logical: usize,
    source: usize,
    len: usize,
}

/// The text BuildKit's parser sees for one instruction, plus enough
/// bookkeeping to turn any offset in that text back into a source span.
#[derive(Clone, Debug)]
pub(crate) struct LogicalLine {
    pub(crate) text: String,
    segments: Vec<Segment>,
    anchor: usize,
}

impl LogicalLine {
    /// An empty logical line; `anchor` is the source offset used when the
    /// line stays empty.
    pub(crate) fn new(anchor: usize) -> Self {
        LogicalLine {
            text: String::new(),
            segments: Vec::new(),
            anchor,
        }
    }

    /// Appends `source[start..end]`.
    pub(crate) fn push(&mut self, source: &str, start: usize, end: usize) {
        if end <= start {
            return;
        }
        self.segments.push(Segment {
            logical: self.text.len(),
            source: start,
            len: end - start,
        });
        self.text.push_str(&source[start..end]);
    }

    fn segment_index(&self, offset: usize) -> Option<usize> {
        if self.segments.is_empty() {
            return None;
        }
        let i = self.segments.partition_point(|s| s.logical <= offset);
        Some(i.saturating_sub(1))
    }

    /// Source offset of the logical byte at `offset` (used for span starts).
    pub(crate) fn start_offset(&self, offset: usize) -> usize {
        match self.segment_index(offset) {
            None => self.anchor,
            Some(i) => {
                let s = self.segments[i];
                s.source + (offset - s.logical).min(s.len)
            }
        }
    }

    /// Source offset just after the logical byte at `offset - 1` (used for span ends).
    pub(crate) fn end_offset(&self, offset: usize) -> usize {
        if offset == 0 {
            return self.start_offset(0);
        }
        match self.segment_index(offset - 1) {
            None => self.anchor,
            Some(i) => {
                let s = self.segments[i];
                s.source + (offset - s.logical).min(s.len)
            }
        }
    }

    /// The logical range `start..end` as an instruction keeps it: the span of
    /// the source bytes when it lies within one segment (no continuation
    /// inside it), else a copy of the joined text.
    pub(crate) fn logical_text(&self, start: usize, end: usize) -> LogicalText {
        let within_one_segment = self
            .segments
            .iter()
            .find(|s| s.logical <= start && end <= s.logical + s.len);
        match within_one_segment {
            Some(s) => {
                let at = s.source + (start - s.logical);
                LogicalText::Written(Span::new(at, at + (end - start)))
            }
            None if start == end => LogicalText::Written(Span::empty(self.start_offset(start))),
            None => LogicalText::Joined(self.text[start..end].to_string()),
        }
    }

    /// The source span of the logical range `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.start_offset(start);
            return Span::new(at, at);
        }
        Span::new(self.start_offset(start), self.end_offset(end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_across_segments() {
        let src = "RUN a \\\n  b\n";
        let mut ll = LogicalLine::new(0);
        ll.push(src, 0, 6); // "RUN a "
        ll.push(src, 8, 11); // "  b"
        assert_eq!(ll.text, "RUN a   b");
        // "b" is logical 8..9, source 10..11
        assert_eq!(ll.span(8, 9), Span::new(10, 11));
        // "a   b" spans both segments
        assert_eq!(ll.span(4, 9), Span::new(4, 11));
        // a range ending at a segment boundary ends in the first segment
        assert_eq!(ll.span(4, 6), Span::new(4, 6));
        assert_eq!(ll.span(9, 9), Span::new(11, 11));
    }
}
