//! Reading and parsing one file, with every failure turned into an error that names the
//! path and, where known, the line and column.

use std::io::Read;
use std::path::Path;

use proc_macro2::TokenStream;

use crate::finding::CheckError;

mod depth;
pub mod split;

pub use depth::{max_weight, TooDeep, MAX_NESTING, MAX_WEIGHT};

pub struct Source {
    pub text: String,
    pub file: syn::File,
}

/// The largest file this checker reads; larger ones are the "huge" files of SPEC section 6.
/// Files over 4 MiB are parsed in groups of items (`big_file`), so a 25 MB file is checked in
/// seconds and a few hundred MB. The largest file of the 13,494-file corpus is 2.5 MiB.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

pub fn read(path: &Path, display: &str) -> Result<Vec<u8>, CheckError> {
    let error = |message: String| CheckError {
        path: display.to_string(),
        line: None,
        column: None,
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| error(format!("cannot read file: {e}")))?;
    let mut bytes = Vec::new();
    // Read one byte past the limit rather than trust the size on disk: the file may grow.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(format!("cannot read file: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = std::fs::metadata(path).map_or(MAX_FILE_BYTES + 1, |m| m.len());
        return Err(error(too_big(size)));
    }
    Ok(bytes)
}

/// The error for a file of `size` bytes over the limit.
pub fn too_big(size: u64) -> String {
    format!(
        "file is {:.1} MiB, more than the {} MiB this checker reads (skip it with --exclude)",
        size as f64 / (1 << 20) as f64,
        MAX_FILE_BYTES >> 20
    )
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

/// Line, column (1-based, where known) and message.
pub type ParseError = (Option<usize>, Option<usize>, String);

pub fn parse(text: &str) -> Result<syn::File, ParseError> {
    let code = code_of(text);
    let tokens = tokenize(&code)?;
    if let Some(error) = nesting_error(&code) {
        return Err(error);
    }
    parse_tokens(tokens)
}

fn parse_tokens(tokens: TokenStream) -> Result<syn::File, ParseError> {
    syn::parse2::<syn::File>(tokens).map_err(|e| {
        let start = e.span().start();
        (
            Some(start.line),
            Some(start.column + 1),
            format!("cannot parse: {e}"),
        )
    })
}

/// What is parsed of a file's text: BOM and shebang blanked, literal-only data tables blanked.
pub fn code_of(text: &str) -> std::borrow::Cow<'_, str> {
    let code = blank_prefix(text);
    match crate::data_tables::blank(&code) {
        std::borrow::Cow::Owned(blanked) => blanked.into(),
        std::borrow::Cow::Borrowed(_) => code,
    }
}

fn tokenize(code: &str) -> Result<TokenStream, ParseError> {
    code.parse().map_err(|e: proc_macro2::LexError| {
        let start = e.span().start();
        (
            Some(start.line),
            Some(start.column + 1),
            format!("cannot tokenize: {e}"),
        )
    })
}

/// The error for code nested deeper than the parser is trusted with, if it is.
pub fn nesting_error(code: &str) -> Option<ParseError> {
    let (too_deep, offset) = depth::too_deep(code.as_bytes())?;
    let (line, column) = position_of_byte(code.as_bytes(), offset);
    let message = match too_deep {
        TooDeep::Brackets(depth) => {
            format!("brackets nested {depth} deep, more than the {MAX_NESTING} this checker parses")
        }
        TooDeep::Chain(weight) => format!(
            "expression or type nested too deep: {weight} operators, calls or brackets \
             without a `;` or `,` between them, more than the {MAX_WEIGHT} this checker parses"
        ),
    };
    Some((Some(line), Some(column), message))
}

/// Parses the items of `code[range]` (see `split::item_groups`), `lines_before` being the
/// number of lines before it, so that spans carry the lines of the whole file. An error if the
/// group does not parse on its own, or has inner attributes, which only the file's start may
/// have: the cut was wrong, or the file is.
pub fn parse_group(
    code: &str,
    range: std::ops::Range<usize>,
    lines_before: usize,
) -> Result<syn::File, ParseError> {
    let first = range.start == 0;
    let mut group = String::with_capacity(lines_before + range.len());
    // proc-macro2 counts lines from the start of the string it parses.
    group.extend(std::iter::repeat_n('\n', lines_before));
    group.push_str(&code[range]);
    let file = parse_tokens(tokenize(&group)?)?;
    match file.attrs.first() {
        Some(attribute) if !first => {
            let start = syn::spanned::Spanned::span(attribute).start();
            Err((
                Some(start.line),
                Some(start.column + 1),
                "cannot parse: an inner attribute is allowed only at the start of the file".into(),
            ))
        }
        _ => Ok(file),
    }
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
        assert!(depth::too_deep(text.as_bytes()).is_none());
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
