//! Mapping offsets in an instruction's logical text back to the source.
//!
//! BuildKit joins continued lines before looking at a RUN command: the
//! escape character at the end of a line and the line end disappear, and
//! comment or blank lines inside the continuation are dropped. A rule that
//! points at a word inside the command, or rewrites it, needs the source
//! bytes of that word, so the joined text is re-aligned with the source here.

use std::ops::Range;

use layerwise_syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    logical: usize,
    source: usize,
    len: usize,
}

/// How a logical text lines up with the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alignment {
    /// Not at all: every range maps to the fallback span.
    Opaque,
    /// Written verbatim as the fallback span (most RUNs: one line, so no
    /// segment list is allocated).
    Verbatim,
    /// Piece by piece, as the segments say.
    Segments,
}

/// Maps byte ranges of a logical text to source spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Vec<Segment>,
    fallback: Span,
    alignment: Alignment,
}

impl OffsetMap {
    /// A map where the text is written verbatim at `start`.
    pub fn verbatim(start: usize, len: usize) -> OffsetMap {
        OffsetMap {
            segments: Vec::new(),
            fallback: Span::new(start, start + len),
            alignment: Alignment::Verbatim,
        }
    }

    /// A map that sends every range to `span` (used when the text cannot be
    /// aligned, e.g. exec-form arguments).
    pub fn opaque(span: Span) -> OffsetMap {
        OffsetMap {
            segments: Vec::new(),
            fallback: span,
            alignment: Alignment::Opaque,
        }
    }

    /// Aligns `logical` (the joined text) with `source[span]`, the bytes it
    /// came from. Falls back to an opaque map if the two do not line up.
    pub fn align(source: &str, span: Span, logical: &str, escape: char) -> OffsetMap {
        let Some(written) = source.get(span.range()) else {
            return OffsetMap::opaque(span);
        };
        if written == logical {
            return OffsetMap::verbatim(span.start, logical.len());
        }
        let mut segments = Vec::new();
        let mut li = 0usize;
        let mut pos = 0usize;
        let mut first = true;
        while pos < written.len() {
            let line_end = written[pos..].find('\n').map_or(written.len(), |i| pos + i);
            let line = &written[pos..line_end];
            let more = line_end < written.len();
            let trimmed = line.trim_start_matches([' ', '\t']);
            let skip = !first && (trimmed.trim().is_empty() || trimmed.starts_with('#'));
            if !skip {
                let body = line.trim_end_matches([' ', '\t', '\r']);
                let len = match body.strip_suffix(escape) {
                    Some(kept) if more => kept.len(),
                    _ => line.trim_end_matches('\r').len(),
                };
                if len > 0 {
                    let want = logical.get(li..li + len);
                    if want != Some(&line[..len]) {
                        return OffsetMap::opaque(span);
                    }
                    segments.push(Segment {
                        logical: li,
                        source: span.start + pos,
                        len,
                    });
                    li += len;
                }
            }
            first = false;
            pos = line_end + 1;
        }
        if li != logical.len() {
            return OffsetMap::opaque(span);
        }
        OffsetMap {
            segments,
            fallback: span,
            alignment: Alignment::Segments,
        }
    }

    /// Whether every logical byte maps to a known source byte; only then
    /// may fixes rewrite mapped ranges.
    pub fn is_exact(&self) -> bool {
        self.alignment != Alignment::Opaque
    }

    fn offset(&self, at: usize, end: bool) -> Option<usize> {
        if self.alignment == Alignment::Verbatim {
            return Some(self.fallback.start + at.min(self.fallback.len()));
        }
        let index = if end && at > 0 {
            self.segments
                .partition_point(|s| s.logical < at)
                .checked_sub(1)?
        } else {
            self.segments
                .partition_point(|s| s.logical <= at)
                .checked_sub(1)?
        };
        let s = self.segments[index];
        Some(s.source + (at - s.logical).min(s.len))
    }

    /// The source span of the logical `range`.
    pub fn span(&self, range: Range<usize>) -> Span {
        if !self.is_exact() {
            return self.fallback;
        }
        match (
            self.offset(range.start, false),
            self.offset(range.end, true),
        ) {
            (Some(a), Some(b)) => Span::new(a, b),
            _ => self.fallback,
        }
    }

    /// Whether the logical `range` is written contiguously in the source
    /// (does not cross a line continuation), so replacing it is exact.
    pub fn is_contiguous(&self, range: Range<usize>) -> bool {
        if !self.is_exact() {
            return false;
        }
        let span = self.span(range.clone());
        span.len() == range.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_continued_lines_and_skips_comments() {
        let src = "RUN pip install \\\n  # note\n    --no-cache-dir \\\n\n  x";
        let args = Span::new(4, src.len());
        let logical = "pip install     --no-cache-dir   x";
        let map = OffsetMap::align(src, args, logical, '\\');
        assert!(map.is_exact());
        let at = logical.find("--no").unwrap();
        let span = map.span(at..at + 14);
        assert_eq!(&src[span.range()], "--no-cache-dir");
        let x = logical.len() - 1;
        assert_eq!(&src[map.span(x..x + 1).range()], "x");
        assert!(!map.is_contiguous(0..logical.len()));
    }

    #[test]
    fn verbatim_text_maps_offset_for_offset() {
        let src = "RUN pip install x";
        let map = OffsetMap::align(src, Span::new(4, src.len()), "pip install x", '\\');
        assert!(map.is_exact());
        assert_eq!(map, OffsetMap::verbatim(4, 13));
        assert_eq!(&src[map.span(4..11).range()], "install");
        assert_eq!(map.span(0..0), Span::new(4, 4));
        assert_eq!(map.span(13..20), Span::new(17, 17));
        assert!(map.is_contiguous(0..13));
    }

    #[test]
    fn mismatch_falls_back() {
        let map = OffsetMap::align("RUN a", Span::new(4, 5), "zz", '\\');
        assert!(!map.is_exact());
        assert_eq!(map.span(0..1), Span::new(4, 5));
    }
}
