//! Source positions that outlive the syntax tree: 1-based lines, 1-based character columns.

use proc_macro2::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Loc {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Loc {
    pub fn of(span: Span) -> Loc {
        let (start, end) = (span.start(), span.end());
        Loc {
            line: start.line,
            column: start.column + 1,
            end_line: end.line,
            end_column: end.column + 1,
        }
    }

    /// From the start of `self` to the end of `other`.
    pub fn to(self, other: Loc) -> Loc {
        Loc {
            end_line: other.end_line,
            end_column: other.end_column,
            ..self
        }
    }
}

/// Converts line/column positions of one source text to byte offsets.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, line_starts }
    }

    /// Byte offset of a 1-based line and 1-based character column, clamped to the text.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let line_text = &self.text[start..self.line_end(line)];
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let text: &'a str = self.text;
        let line = &text[start..self.line_end(line)];
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// Where a line's `\n` is (or the end of the text), found from the line starts rather
    /// than by a search: on a file that is one long line, a search per lookup is quadratic.
    fn line_end(&self, line: usize) -> usize {
        self.line_starts
            .get(line.max(1))
            .map_or(self.text.len(), |&next| next - 1)
    }

    pub fn indentation(&self, line: usize) -> &'a str {
        let text = self.line_text(line);
        &text[..text.len() - text.trim_start().len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "fn a() {}\nlet é = 1; x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(2, 1), 10);
        assert_eq!(&text[index.offset(2, 12)..index.offset(2, 13)], "x");
        assert_eq!(index.offset(9, 1), text.len());
        assert_eq!(index.offset(3, 5), text.len());
    }

    #[test]
    fn line_text_drops_the_line_ending() {
        let index = LineIndex::new("  a\r\n\tb\nc");
        assert_eq!(index.line_text(1), "  a");
        assert_eq!(index.indentation(2), "\t");
        assert_eq!(index.line_text(3), "c");
        assert_eq!(index.line_text(4), "");
    }
}
