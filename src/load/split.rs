//! Where a file too big to parse as one tree can be cut into groups of whole top-level items.
//!
//! A cut is made only at the start of a line that follows a line ending in a `}` that closes
//! an item at the top level, and only when the next line starts the way an item starts. A cut
//! in a wrong place makes a group fail to parse, and the caller then parses the whole file:
//! the byte-level guess can cost time, never a result.

use std::ops::{ControlFlow, Range};

use crate::lex::for_each_bracket;

/// Byte ranges, in order, that cover `code`; each but the last is at least `target` bytes
/// long (unless no cut was found), and each starts at the start of a line.
pub fn item_groups(code: &str, target: usize) -> Vec<Range<usize>> {
    let bytes = code.as_bytes();
    let mut groups = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    for_each_bracket(bytes, |i| {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            _ => {
                depth = depth.saturating_sub(1);
                if depth == 0 && bytes[i] == b'}' && i + 1 - start >= target {
                    if let Some(cut) = cut_after(bytes, i) {
                        groups.push(start..cut);
                        start = cut;
                    }
                }
            }
        }
        ControlFlow::<(), usize>::Continue(i + 1)
    });
    if start < code.len() || groups.is_empty() {
        groups.push(start..code.len());
    }
    groups
}

/// The start of the line after the top-level `}` at `close`, if the item surely ends there:
/// nothing but blanks or a line comment follows it on its line, and the next line with code
/// starts an item (an attribute, a comment, or a word other than one that continues an
/// expression).
fn cut_after(bytes: &[u8], close: usize) -> Option<usize> {
    let line_end = memchr::memchr(b'\n', &bytes[close..])? + close;
    let rest = trim_blank(&bytes[close + 1..line_end]);
    if !(rest.is_empty() || rest.starts_with(b"//")) {
        return None;
    }
    let cut = line_end + 1;
    let next = trim_blank(&bytes[cut..]);
    let word_end = next
        .iter()
        .position(|&b| !crate::lex::is_ident_byte(b))
        .unwrap_or(next.len());
    let starts_item = match next.first() {
        Some(b'#' | b'/') => true,
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
            !matches!(&next[..word_end], b"else" | b"as")
        }
        _ => false,
    };
    starts_item.then_some(cut)
}

fn trim_blank(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(code: &str, target: usize) -> Vec<&str> {
        item_groups(code, target)
            .into_iter()
            .map(|r| &code[r])
            .collect()
    }

    #[test]
    fn cuts_between_items_and_covers_everything() {
        let code = "fn a() {\n}\n\n#[test]\nfn b() { let _ = \"}\n\"; }\nstruct C;\nfn d() {}\n";
        assert_eq!(
            cut(code, 1),
            [
                "fn a() {\n}\n",
                "\n#[test]\nfn b() { let _ = \"}\n\"; }\n",
                "struct C;\nfn d() {}\n"
            ]
        );
        assert_eq!(cut(code, 1000), [code]);
    }

    #[test]
    fn raw_byte_and_c_strings_are_strings() {
        for prefix in ["br", "cr", "r"] {
            let code = format!("const B: &[u8] = {prefix}\"\\\";\nfn a() {{\n}}\nfn b() {{}}\n");
            assert_eq!(cut(&code, 1).len(), 2, "{code}");
        }
    }

    #[test]
    fn never_cuts_inside_an_item_or_before_what_continues_it() {
        for code in [
            "mod m {\n    fn a() {}\n}",
            "const X: u8 = { 1 }\n;\nfn b() {}\n",
            "static F: fn() = { f }\n    as fn();\n",
            "fn a() {} // }\n",
            "/* } */\nfn a() {\n}",
            "macro_rules! m {\n    () => {}\n}",
        ] {
            assert_eq!(cut(code, 1), [code], "{code:?}");
        }
    }
}
