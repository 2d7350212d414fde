//! The `macro_rules!` macros a file defines, for the other files of its crate: real crates
//! define their macros in one file (`#[macro_use] mod macros;`, `pub(crate) use name;`,
//! `#[macro_export]`) and use them everywhere else. They are found in the file's text, without
//! a parse, so that every file contributes them whether the byte scan lets it through or not,
//! and kept as the text of their arms: a summary of the macro, which the crate's rounds hand to
//! a file that met the macro's name (`interp::macro_rules` expands it there).

use std::ops::ControlFlow;
use std::sync::Arc;

use proc_macro2::{Group, TokenStream, TokenTree};

use super::summary::Summary;

/// A `macro_rules!` of the checked crate, as another file sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct MacroDef {
    /// The text between the definition's brackets (its `(pattern) => { body };` arms), as
    /// written: one allocation that lives as long as the run, read again only at a use.
    /// Empty when no arm can be expanded.
    pub rules: Box<str>,
    /// `#[macro_export]`: a binary of the package sees it too, under the library's name.
    pub exported: bool,
    /// Its body names a channel constructor: a file that calls it may make a channel though
    /// its own text never names one.
    pub makes_channels: bool,
}

impl MacroDef {
    /// Its arms, `(pattern, body)` as text.
    pub fn arms(&self) -> Vec<(String, String)> {
        match self.rules.parse() {
            Ok(tokens) => rule_arms(tokens),
            Err(_) => Vec::new(),
        }
    }
}

/// The summaries of the file's `macro_rules!` definitions (named `name!`, keyed by nothing
/// but the module the crate places the file at). Cheap where the text defines none.
/// Definitions in comments are skipped line by line (`// macro_rules! x`); one inside a block
/// comment or a string would be read as a definition, and one inside a function counts as the
/// crate's (where two definitions of one name differ, a use expands neither).
pub fn of_text(bytes: &[u8]) -> Vec<Summary> {
    const KEYWORD: &[u8] = b"macro_rules!";
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(bytes, KEYWORD) {
        if at > 0 && crate::lex::is_ident_byte(bytes[at - 1]) {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let before = &bytes[line_start..at];
        if memchr::memmem::find(before, b"//").is_some() {
            continue;
        }
        if let Some(summary) = definition(bytes, at + KEYWORD.len(), line_start) {
            out.push(summary);
        }
    }
    out
}

/// The definition whose name starts after `macro_rules!` at `from`.
fn definition(bytes: &[u8], from: usize, line_start: usize) -> Option<Summary> {
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let name_start = skip_space(from);
    let name_end = name_start
        + bytes[name_start..]
            .iter()
            .take_while(|&&b| crate::lex::is_ident_byte(b))
            .count();
    let name = std::str::from_utf8(&bytes[name_start..name_end]).ok()?;
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let open = skip_space(name_end);
    if !matches!(bytes.get(open), Some(b'{' | b'(' | b'[')) {
        return None;
    }
    let close = matching_close(&bytes[open..])? + open;
    let body = std::str::from_utf8(&bytes[open + 1..close]).ok()?;
    let tokens: TokenStream = body.parse().ok()?;
    let arms = arm_groups(tokens);
    if arms.is_empty() {
        return None;
    }
    // A macro none of whose arms can be expanded (repetitions, tt munchers) is kept by name
    // only: a use of it expands nothing, and another definition of the name still differs.
    let rules = if arms.iter().any(|(pattern, _)| is_simple(pattern.stream())) {
        body.trim()
    } else {
        ""
    };
    Some(Summary {
        key: Vec::new(),
        name: format!("{name}!"),
        macro_rules: Some(Arc::new(MacroDef {
            rules: rules.into(),
            exported: exported(bytes, line_start, open),
            makes_channels: crate::gate::may_create_channel(
                body.as_bytes(),
                &crate::catalogue::BUILTIN,
            ),
        })),
        ..Summary::default()
    })
}

/// The index of the bracket that closes the one `code` starts with.
fn matching_close(code: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    crate::lex::for_each_bracket(code, |i| match code[i] {
        b'(' | b'[' | b'{' => {
            depth += 1;
            ControlFlow::Continue(i + 1)
        }
        _ => {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                ControlFlow::Break(i)
            } else {
                ControlFlow::Continue(i + 1)
            }
        }
    })
}

/// Whether `#[macro_export]` is among the attributes right above the definition (the lines of
/// attributes and comments just before it, or its own line).
fn exported(bytes: &[u8], line_start: usize, open: usize) -> bool {
    const ATTRIBUTE: &[u8] = b"macro_export";
    if memchr::memmem::find(&bytes[line_start..open], ATTRIBUTE).is_some() {
        return true;
    }
    let mut end = line_start;
    while end > 0 {
        let start = memchr::memrchr(b'\n', &bytes[..end - 1]).map_or(0, |i| i + 1);
        let line = bytes[start..end].trim_ascii();
        if line.starts_with(b"#[") {
            if memchr::memmem::find(line, ATTRIBUTE).is_some() {
                return true;
            }
        } else if !line.starts_with(b"//") && !line.is_empty() {
            return false;
        }
        end = start;
    }
    false
}

/// Whether a pattern is fragments and plain tokens only (no repetition, no group), the
/// kind `interp::macro_rules` can match.
fn is_simple(pattern: TokenStream) -> bool {
    let mut dollar = false;
    for tt in pattern {
        match tt {
            TokenTree::Group(_) => return false,
            TokenTree::Punct(p) if p.as_char() == '$' => dollar = true,
            TokenTree::Ident(_) => dollar = false,
            _ if dollar => return false,
            _ => {}
        }
    }
    true
}

/// `(pattern) => { body };` pairs of a `macro_rules!` body, as text.
pub fn rule_arms(tokens: TokenStream) -> Vec<(String, String)> {
    arm_groups(tokens)
        .into_iter()
        .map(|(pattern, body)| (pattern.stream().to_string(), body.stream().to_string()))
        .collect()
}

/// `(pattern) => { body };` pairs of a `macro_rules!` body.
fn arm_groups(tokens: TokenStream) -> Vec<(Group, Group)> {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tt) = iter.next() {
        let TokenTree::Group(pattern) = tt else {
            continue;
        };
        // `=>`
        let (Some(TokenTree::Punct(eq)), Some(TokenTree::Punct(gt))) = (iter.next(), iter.next())
        else {
            break;
        };
        if eq.as_char() != '=' || gt.as_char() != '>' {
            break;
        }
        let Some(TokenTree::Group(body)) = iter.next() else {
            break;
        };
        out.push((pattern, body));
        if matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            iter.next();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs(code: &str) -> Vec<(String, MacroDef)> {
        of_text(code.as_bytes())
            .into_iter()
            .map(|s| (s.name, (*s.macro_rules.unwrap()).clone()))
            .collect()
    }

    #[test]
    fn definitions_are_found_in_the_text() {
        let found = defs(
            "/// Sends or leaves.\n#[macro_export]\n#[doc(hidden)]\nmacro_rules! send_or_bail {\n    ($tx:expr, $v:expr) => { if $tx.send($v).is_err() { return; } };\n}\n\n\
             fn f() {}\nmacro_rules! locked { ($m:expr) => { $m.lock().unwrap() } }\n",
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "send_or_bail!");
        assert!(found[0].1.exported);
        assert_eq!(found[0].1.arms().len(), 1);
        assert_eq!(found[1].0, "locked!");
        assert!(!found[1].1.exported);
        assert!(!found[1].1.makes_channels);
    }

    #[test]
    fn comments_and_brackets_in_strings_are_no_definitions() {
        let found = defs(
            "// macro_rules! commented { () => {} }\nmacro_rules! text { () => { \"}\" }; ($x:expr) => { $x } }\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "text!");
        assert_eq!(found[0].1.arms().len(), 2);
    }

    #[test]
    fn broken_definitions_are_skipped() {
        assert!(defs("macro_rules! open { () => {").is_empty());
        assert!(defs("macro_rules!").is_empty());
        assert!(defs("macro_rules! 9x { () => {} }").is_empty());
    }

    #[test]
    fn a_macro_that_cannot_be_expanded_is_kept_by_name_only() {
        let found = defs("macro_rules! all { ($($x:expr),*) => { $(drop($x);)* }; }");
        assert_eq!(found[0].0, "all!");
        assert!(found[0].1.arms().is_empty());
        let found = defs("macro_rules! two { ([$x:expr]) => { $x }; ($x:expr) => { $x }; }");
        assert_eq!(found[0].1.arms().len(), 2);
    }

    #[test]
    fn a_macro_that_makes_a_channel_says_so() {
        let found = defs("macro_rules! pair { () => { std::sync::mpsc::channel::<u8>() } }");
        assert!(found[0].1.makes_channels);
    }
}
