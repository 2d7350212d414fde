//! Reading and parsing one file, with every failure turned into an error that names the
//! path and, where known, the line and column.

use std::ops::ControlFlow;
use std::path::Path;

use proc_macro2::TokenStream;

use crate::finding::CheckError;

/// Bracket nesting the parser is trusted with on the analysis threads' stack.
pub const MAX_NESTING: usize = 1_000;

pub struct Source {
    pub text: String,
    pub file: syn::File,
}

pub fn read(path: &Path, display: &str) -> Result<Vec<u8>, CheckError> {
    std::fs::read(path).map_err(|e| CheckError {
        path: display.to_string(),
        line: None,
        column: None,
        message: format!("cannot read file: {e}"),
    })
}

/// Parses a file's bytes. The text has a BOM or shebang blanked rather than cut, so that
/// lines, columns and byte offsets all refer to the file as it is on disk.
pub fn load(bytes: Vec<u8>, display: &str) -> Result<Source, CheckError> {
    let error = |line, column, message: String| CheckError {
        path: display.to_string(),
        line,
        column,
        message,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = position_of_byte(e.as_bytes(), e.utf8_error().valid_up_to());
        error(Some(line), Some(column), "file is not valid UTF-8".into())
    })?;
    let parsed = parse(&text).map_err(|(line, column, message)| error(line, column, message))?;
    Ok(Source { text, file: parsed })
}

type ParseError = (Option<usize>, Option<usize>, String);

pub fn parse(text: &str) -> Result<syn::File, ParseError> {
    let code = blank_prefix(text);
    let code = match crate::data_tables::blank(&code) {
        std::borrow::Cow::Owned(blanked) => blanked.into(),
        std::borrow::Cow::Borrowed(_) => code,
    };
    let tokens: TokenStream = code.parse().map_err(|e: proc_macro2::LexError| {
        let start = e.span().start();
        (
            Some(start.line),
            Some(start.column + 1),
            format!("cannot tokenize: {e}"),
        )
    })?;
    if let Some((depth, line, column)) = too_deep(code.as_bytes()) {
        return Err((
            Some(line),
            Some(column),
            format!(
                "brackets nested {depth} deep, more than the {MAX_NESTING} this checker parses"
            ),
        ));
    }
    syn::parse2::<syn::File>(tokens).map_err(|e| {
        let start = e.span().start();
        (
            Some(start.line),
            Some(start.column + 1),
            format!("cannot parse: {e}"),
        )
    })
}

/// The text with a leading BOM and shebang line replaced by spaces of the same width.
fn blank_prefix(text: &str) -> std::borrow::Cow<'_, str> {
    let bom = text.starts_with('\u{feff}');
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let shebang = body.starts_with("#!") && !body[2..].trim_start().starts_with('[');
    if !bom && !shebang {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    if bom {
        // One character wide, like the BOM, so columns on line 1 stay right.
        out.push(' ');
    }
    if shebang {
        let end = body.find('\n').unwrap_or(body.len());
        out.extend(body[..end].chars().map(|_| ' '));
        out.push_str(&body[end..]);
    } else {
        out.push_str(body);
    }
    out.into()
}

/// The first bracket nested deeper than `MAX_NESTING` (the token tree is not walked:
/// iterating a proc-macro2 group copies it).
fn too_deep(code: &[u8]) -> Option<(usize, usize, usize)> {
    let mut depth = 0usize;
    crate::lex::for_each_bracket(code, |i| {
        if matches!(code[i], b'(' | b'[' | b'{') {
            depth += 1;
            if depth > MAX_NESTING {
                let (line, column) = position_of_byte(code, i);
                return ControlFlow::Break((depth, line, column));
            }
        } else {
            depth = depth.saturating_sub(1);
        }
        ControlFlow::Continue(i + 1)
    })
}

fn position_of_byte(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_shebang_keep_positions() {
        let text = "\u{feff}#!/usr/bin/env run\nfn main() { let x = ; }\n";
        let Err((line, column, _)) = parse(text) else {
            panic!("parsed")
        };
        assert_eq!((line, column), (Some(2), Some(21)));
    }

    #[test]
    fn inner_attribute_is_not_a_shebang() {
        assert!(parse("#![allow(unused)]\nfn main() {}\n").is_ok());
    }

    #[test]
    fn brackets_in_strings_comments_and_chars_do_not_count() {
        let deep = "(".repeat(MAX_NESTING + 5);
        let text = format!(
            "fn main() {{ let _ = \"{deep}\"; let _ = r#\"{deep}\"#; let _ = '('; // {deep}\n /* {deep} */ }}\n"
        );
        assert!(too_deep(text.as_bytes()).is_none());
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("fn main() {{ {}{} }}", "(".repeat(5000), ")".repeat(5000));
        let Err((_, _, message)) = parse(&text) else {
            panic!("parsed")
        };
        assert!(message.contains("nested"), "{message}");
    }
}
