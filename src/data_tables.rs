//! Large literal data tables (`static TABLE: [u16; 18840] = [0, 3, 6, ...]`) are blanked before
//! parsing. Their syntax tree is a hundred times the size of their text (2.6 MB of numbers in
//! encoding_rs become 300 MB of `syn::Expr`), and a list made only of literals (and of struct
//! literals whose fields are literals) cannot name a channel, a sender or a receiver, so it
//! cannot change a finding.
//!
//! Blanking replaces the bytes between the brackets by spaces and keeps newlines, so every other
//! token keeps its line, column and byte offset; `[0, 1, 2]` becomes an empty `[       ]`, which
//! parses wherever the literal list did. Only lists the lexer and parser would accept are blanked
//! (strictly alternating items and commas, plain literals), so a syntax error is never hidden.

use std::borrow::Cow;
use std::ops::ControlFlow;

/// Tables nest a few levels (`[[u8; 2]; N]`); deeper lists are left alone, which bounds
/// the recursion.
const MAX_DEPTH: usize = 8;

/// Smaller tables cost little to parse; leave them as written.
pub const MIN_TABLE_BYTES: usize = 4096;

/// The code with the inside of every literal-only bracket list of at least
/// `MIN_TABLE_BYTES` bytes replaced by spaces (newlines kept).
pub fn blank(code: &str) -> Cow<'_, str> {
    let bytes = code.as_bytes();
    // Most files hold no table. The walk below visits a subset of the `[` bytes (those in code,
    // outside the tables it found), so when no `[` at all opens a large literal list it finds
    // none either, and finding that out with memchr costs a tenth of lexing the file.
    let any_table = memchr::memchr_iter(b'[', bytes).any(|open| {
        literal_list(bytes, open, b']', 0).is_some_and(|close| close - open > MIN_TABLE_BYTES)
    });
    if !any_table {
        return Cow::Borrowed(code);
    }
    let mut tables = Vec::new();
    crate::lex::for_each_bracket::<()>(bytes, |open| {
        if bytes[open] != b'[' {
            return ControlFlow::Continue(open + 1);
        }
        match literal_list(bytes, open, b']', 0) {
            Some(close) => {
                if close - open > MIN_TABLE_BYTES {
                    tables.push((open + 1, close));
                }
                ControlFlow::Continue(close + 1)
            }
            None => ControlFlow::Continue(open + 1),
        }
    });
    if tables.is_empty() {
        return Cow::Borrowed(code);
    }
    let mut out = bytes.to_vec();
    for (start, end) in tables {
        for b in &mut out[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Only ASCII bytes inside the tables were replaced, by ASCII spaces.
    Cow::Owned(String::from_utf8(out).expect("blanking keeps UTF-8"))
}

/// If `bytes[open]` starts a list of literal items separated by commas (optionally with a
/// trailing comma) closed by `close`, the index of the closing byte.
fn literal_list(bytes: &[u8], open: usize, close: u8, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut i = skip_trivia(bytes, open + 1)?;
    if bytes.get(i) == Some(&close) {
        return Some(i);
    }
    loop {
        i = literal_item(bytes, i, depth)?;
        i = skip_trivia(bytes, i)?;
        match bytes.get(i)? {
            b',' => {
                i = skip_trivia(bytes, i + 1)?;
                if bytes.get(i) == Some(&close) {
                    return Some(i);
                }
            }
            &b if b == close => return Some(i),
            _ => return None,
        }
    }
}

/// The end of one item: a (possibly negated) literal, or a nested list or tuple of them.
fn literal_item(bytes: &[u8], i: usize, depth: usize) -> Option<usize> {
    match *bytes.get(i)? {
        b'[' => literal_list(bytes, i, b']', depth + 1).map(|end| end + 1),
        // `(x)` is a parenthesized literal and `()` the unit value: both still expressions.
        b'(' => literal_list(bytes, i, b')', depth + 1).map(|end| end + 1),
        b'-' => number(bytes, skip_trivia(bytes, i + 1)?),
        b'0'..=b'9' => number(bytes, i),
        b'"' => string(bytes, i + 1),
        b'b' if bytes.get(i + 1) == Some(&b'"') => string(bytes, i + 2),
        b'\'' => char_literal(bytes, i + 1),
        b'b' if bytes.get(i + 1) == Some(&b'\'') => char_literal(bytes, i + 2),
        b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
            let word_end = word(bytes, i);
            match &bytes[i..word_end] {
                b"true" | b"false" => Some(word_end),
                _ => struct_literal(bytes, i, depth),
            }
        }
        _ => None,
    }
}

/// `Path { field: item, .. }`: building a struct from literals creates no channel, and a
/// shorthand field (`{ tx }`) or anything but a literal value refuses the table.
fn struct_literal(bytes: &[u8], mut i: usize, depth: usize) -> Option<usize> {
    if depth >= MAX_DEPTH {
        return None;
    }
    loop {
        i = plain_word(bytes, i)?;
        if bytes.get(i..i + 2) != Some(b"::") {
            break;
        }
        i += 2;
    }
    i = skip_trivia(bytes, i)?;
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_trivia(bytes, i + 1)?;
    loop {
        if bytes.get(i) == Some(&b'}') {
            return Some(i + 1);
        }
        i = skip_trivia(bytes, plain_word(bytes, i)?)?;
        if bytes.get(i) != Some(&b':') || bytes.get(i + 1) == Some(&b':') {
            return None;
        }
        i = skip_trivia(bytes, i + 1)?;
        i = skip_trivia(bytes, literal_item(bytes, i, depth + 1)?)?;
        match bytes.get(i)? {
            b',' => i = skip_trivia(bytes, i + 1)?,
            b'}' => return Some(i + 1),
            _ => return None,
        }
    }
}

/// The end of an identifier starting at `i` that is not a keyword.
fn plain_word(bytes: &[u8], i: usize) -> Option<usize> {
    if !matches!(bytes.get(i)?, b'a'..=b'z' | b'A'..=b'Z' | b'_') {
        return None;
    }
    let end = word(bytes, i);
    (!KEYWORDS.contains(&&bytes[i..end])).then_some(end)
}

fn word(bytes: &[u8], i: usize) -> usize {
    i + bytes[i..].iter().take_while(|b| is_ident(**b)).count()
}

const KEYWORDS: [&[u8]; 52] = [
    b"_",
    b"as",
    b"break",
    b"const",
    b"continue",
    b"crate",
    b"else",
    b"enum",
    b"extern",
    b"false",
    b"fn",
    b"for",
    b"if",
    b"impl",
    b"in",
    b"let",
    b"loop",
    b"match",
    b"mod",
    b"move",
    b"mut",
    b"pub",
    b"ref",
    b"return",
    b"self",
    b"Self",
    b"static",
    b"struct",
    b"super",
    b"trait",
    b"true",
    b"type",
    b"unsafe",
    b"use",
    b"where",
    b"while",
    b"async",
    b"await",
    b"dyn",
    b"abstract",
    b"become",
    b"box",
    b"do",
    b"final",
    b"macro",
    b"override",
    b"priv",
    b"typeof",
    b"unsized",
    b"virtual",
    b"yield",
    b"try",
];

/// A decimal, hex, octal or binary integer, or a decimal float without exponent, with an
/// optional type suffix.
fn number(bytes: &[u8], i: usize) -> Option<usize> {
    if !bytes.get(i)?.is_ascii_digit() {
        return None;
    }
    let (digits_start, is_digit): (usize, fn(u8) -> bool) = match bytes.get(i..i + 2) {
        Some(b"0x") => (i + 2, |b| b.is_ascii_hexdigit() || b == b'_'),
        Some(b"0o") => (i + 2, |b| matches!(b, b'0'..=b'7' | b'_')),
        Some(b"0b") => (i + 2, |b| matches!(b, b'0' | b'1' | b'_')),
        _ => (i, |b| b.is_ascii_digit() || b == b'_'),
    };
    let mut end = digits_start
        + bytes[digits_start..]
            .iter()
            .take_while(|b| is_digit(**b))
            .count();
    if end == digits_start {
        return None;
    }
    let decimal = digits_start == i;
    if decimal
        && bytes.get(end) == Some(&b'.')
        && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
    {
        end += 1 + bytes[end + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'_')
            .count();
    }
    let suffix_end = end + bytes[end..].iter().take_while(|b| is_ident(**b)).count();
    const SUFFIXES: [&[u8]; 15] = [
        b"", b"u8", b"u16", b"u32", b"u64", b"u128", b"usize", b"i8", b"i16", b"i32", b"i64",
        b"i128", b"isize", b"f32", b"f64",
    ];
    let suffix = &bytes[end..suffix_end];
    let float_suffix = suffix.starts_with(b"f");
    (SUFFIXES.contains(&suffix) && (decimal || !float_suffix)).then_some(suffix_end)
}

/// The end of a string whose opening quote is just before `i`: printable ASCII and the simple
/// escapes only, so that the lexer would certainly accept it.
fn string(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => {
                simple_escape(*bytes.get(i + 1)?)?;
                i += 2;
            }
            b' '..=b'~' => i += 1,
            _ => return None,
        }
    }
}

fn char_literal(bytes: &[u8], i: usize) -> Option<usize> {
    let end = match *bytes.get(i)? {
        b'\\' => {
            simple_escape(*bytes.get(i + 1)?)?;
            i + 2
        }
        b'\'' => return None,
        b' '..=b'~' => i + 1,
        _ => return None,
    };
    (bytes.get(end) == Some(&b'\'')).then_some(end + 1)
}

fn simple_escape(b: u8) -> Option<()> {
    matches!(b, b'n' | b't' | b'r' | b'0' | b'\\' | b'\'' | b'"').then_some(())
}

/// Skips whitespace and comments (not doc comments, which are attributes); `None` at the end
/// of the text or at anything else that is not plain ASCII.
fn skip_trivia(bytes: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match *bytes.get(i)? {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                if matches!(bytes.get(i + 2), Some(b'/' | b'!')) {
                    return None;
                }
                let line = &bytes[i..];
                let end = memchr::memchr(b'\n', line).unwrap_or(line.len());
                if !line[..end].is_ascii() {
                    return None;
                }
                i += end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                if matches!(bytes.get(i + 2), Some(b'*' | b'!')) {
                    return None;
                }
                // Nested block comments are rare in tables: refuse rather than count them.
                let body = &bytes[i + 2..];
                let end = memchr::memmem::find(body, b"*/")?;
                if !body[..end].is_ascii() || memchr::memmem::find(&body[..end], b"/*").is_some() {
                    return None;
                }
                i += 2 + end + 2;
            }
            _ => return Some(i),
        }
    }
}

use crate::lex::is_ident_byte as is_ident;

#[cfg(test)]
mod tests {
    use super::*;

    fn table(items: &str, n: usize) -> String {
        vec![items; n].join(", ")
    }

    #[test]
    fn blanks_a_large_table_and_keeps_positions() {
        let code = format!(
            "static T: [[u8; 2]; 3000] = [\n{}\n];\nfn main() {{ let (tx, rx) = channel(); }}\n",
            table("[0x1f, 2u8] /* c */", 3000)
        );
        let blanked = blank(&code);
        assert_eq!(blanked.len(), code.len());
        assert_eq!(blanked.lines().count(), code.lines().count());
        assert!(!blanked.contains("0x1f"));
        let tail = code.find("fn main").unwrap();
        assert_eq!(&blanked[tail..], &code[tail..]);
        assert!(syn::parse_file(&blanked).is_ok());
    }

    #[test]
    fn small_tables_stay() {
        let code = "static T: [u8; 3] = [1, 2, 3];";
        assert!(matches!(blank(code), Cow::Borrowed(_)));
    }

    #[test]
    fn every_literal_kind_is_a_table_item() {
        let items =
            r#"-1, 2.5f32, 0b1010_u16, 0o17, "a\"b", b"x\n", 'c', b'\'', true, (1, false), []"#;
        let code = format!("const T: X = [{}];", table(items, 100));
        assert!(matches!(blank(&code), Cow::Owned(_)));
        assert!(syn::parse_file(&code).is_ok());
    }

    #[test]
    fn lists_that_name_anything_or_do_not_parse_stay() {
        for bad in [
            "1, tx, 2",       // a name
            "1, f(2), 3",     // a call
            "1 2",            // missing comma
            "1,, 2",          // doubled comma
            "0xzz",           // invalid digits
            "1e",             // invalid suffix
            "\"\\q\"",        // invalid escape
            "1, /// doc\n 2", // a doc comment is an attribute
            "\"caf\u{e9}\"",  // non-ASCII text is kept to keep columns exact
        ] {
            let code = format!("const T: X = [{}, {bad}];", table("1", 3000));
            assert!(matches!(blank(&code), Cow::Borrowed(_)), "{bad:?}");
        }
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_start_a_table() {
        // Read from the `[` inside the strings, the code between them would look like a table
        // of strings: `[1, "<code>", "<code>"]`.
        let code = format!(
            "fn f() {{ let a = \"[1, \"; {} let b = \", \"; let c = \"]\"; }}",
            "let (tx, rx) = channel(); ".repeat(300)
        );
        assert!(matches!(blank(&code), Cow::Borrowed(_)));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}1{}", "[".repeat(20), "]".repeat(20));
        let code = format!("const T: X = [{}];", table(&deep, 300));
        assert!(matches!(blank(&code), Cow::Borrowed(_)));
    }
}
