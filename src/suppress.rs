//! Suppression comments: `// chanlint: allow(rule-name) -- reason`.
//!
//! On the line of a finding's primary span, or alone on the line above it, the comment
//! suppresses that rule's findings there; directly above an item (`fn`, `impl`, `mod`, `trait`,
//! between its attributes and doc comments included) it suppresses the rule in the whole item.
//! A comment that suppresses nothing is reported as `unused-suppression`.
//!
//! Limitations: only `//` line comments are read; a file that the byte scan skips (no
//! `channel`/`bounded` in it) is not read at all, so its unused suppressions are not reported.

use syn::spanned::Spanned;

use crate::finding::{Finding, Label, Severity};
use crate::loc::Loc;

pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
pub const UNUSED_SUMMARY: &str = "a `chanlint: allow(..)` comment suppresses nothing";
pub const UNUSED_DOC: &str = "## What it does
Reports a `// chanlint: allow(rule) -- reason` comment that suppresses no finding: the rule
it names does not fire on the line below it (or in the item below it), or the rule does not
exist.

## Why is this bad?
A stale suppression hides the next real finding at the same place, and tells the reader a
problem exists where there is none.

## Example
```rust,ignore
// chanlint: allow(lingering-sender) -- fixed long ago
let (tx, rx) = mpsc::channel();
drop(tx);
```

## Use instead
Remove the comment.

## Known limitations
Only `//` comments are read. Files that cannot create a channel (no `channel` or `bounded`
in their text) are skipped before parsing, so their comments are not checked.";

/// One `allow(..)` comment and the lines it covers.
#[derive(Debug)]
pub struct Suppression {
    pub loc: Loc,
    pub rules: Vec<String>,
    /// Inclusive line ranges.
    pub covers: Vec<(usize, usize)>,
    /// Why the comment could not be read, if it could not.
    pub malformed: Option<String>,
}

impl Suppression {
    fn covers_line(&self, line: usize) -> bool {
        self.covers.iter().any(|&(a, b)| a <= line && line <= b)
    }
}

/// The suppression comments of a file; empty, without looking at the tree, when the text has
/// no `chanlint:` in it.
pub fn scan(file: &syn::File, text: &str) -> Vec<Suppression> {
    if !mentions_chanlint(text) {
        return Vec::new();
    }
    scan_with(text, &item_ranges(file))
}

/// Whether the text may hold a suppression comment at all.
pub fn mentions_chanlint(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"chanlint:").is_some()
}

/// `(first line with attributes, line of the item's keyword, last line)` of every item of the
/// tree that a comment above can cover.
pub fn item_ranges(file: &syn::File) -> Vec<ItemRange> {
    let mut items = Vec::new();
    collect_items(&file.items, &mut items);
    items
}

pub type ItemRange = (usize, usize, usize);

/// The suppression comments of `text`, given the ranges of the items of its trees.
pub fn scan_with(text: &str, items: &[ItemRange]) -> Vec<Suppression> {
    let mut out: Vec<Suppression> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| comment(i + 1, line))
        .collect();
    for s in &mut out {
        let own_line = s.covers == [(s.loc.line, s.loc.line + 1)];
        if !own_line {
            continue;
        }
        for &(start, keyword, end) in items {
            if start.saturating_sub(1) <= s.loc.line && s.loc.line < keyword {
                s.covers.push((start, end));
            }
        }
    }
    out
}

/// A `// chanlint: ...` comment on this line. Own-line comments cover the next line too.
fn comment(line_no: usize, line: &str) -> Option<Suppression> {
    let at = line.find("//")?;
    let after = &line[at + 2..];
    if after.starts_with('/') || after.starts_with('!') {
        return None;
    }
    let body = after.trim_start().strip_prefix("chanlint:")?.trim();
    let column = line[..at].chars().count() + 1;
    let loc = Loc {
        line: line_no,
        column,
        end_line: line_no,
        end_column: line.trim_end().chars().count() + 1,
    };
    let own_line = line[..at].trim().is_empty();
    let covers = vec![(line_no, if own_line { line_no + 1 } else { line_no })];
    let parsed = body
        .strip_prefix("allow")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.split_once(')'))
        .map(|(inside, rest)| (inside, rest.trim()));
    let (rules, malformed) = match parsed {
        Some((inside, rest)) if rest.is_empty() || rest.starts_with("--") => {
            let rules: Vec<String> = inside
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            if rules.is_empty() {
                (rules, Some("names no rule".to_string()))
            } else {
                (rules, None)
            }
        }
        _ => (
            Vec::new(),
            Some("expected `chanlint: allow(rule-name) -- reason`".to_string()),
        ),
    };
    Some(Suppression {
        loc,
        rules,
        covers,
        malformed,
    })
}

/// `(first line with attributes, line of the item's keyword, last line)` of every item that a
/// comment above can cover.
fn collect_items(items: &[syn::Item], out: &mut Vec<ItemRange>) {
    for item in items {
        match item {
            syn::Item::Fn(f) => out.push(range(item.span(), f.sig.span())),
            syn::Item::Impl(i) => {
                out.push(range(item.span(), i.impl_token.span));
                for member in &i.items {
                    if let syn::ImplItem::Fn(f) = member {
                        out.push(range(member.span(), f.sig.span()));
                    }
                }
            }
            syn::Item::Trait(t) => {
                out.push(range(item.span(), t.trait_token.span));
                for member in &t.items {
                    if let syn::TraitItem::Fn(f) = member {
                        out.push(range(member.span(), f.sig.span()));
                    }
                }
            }
            syn::Item::Mod(m) => {
                out.push(range(item.span(), m.mod_token.span));
                if let Some((_, items)) = &m.content {
                    collect_items(items, out);
                }
            }
            _ => {}
        }
    }
}

fn range(whole: proc_macro2::Span, keyword: proc_macro2::Span) -> ItemRange {
    (whole.start().line, keyword.start().line, whole.end().line)
}

/// Drops the suppressed findings and adds one `unused-suppression` finding per rule name that
/// suppressed nothing.
pub fn apply(
    suppressions: &[Suppression],
    findings: Vec<Finding>,
    path: &str,
    known: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    if suppressions.is_empty() {
        return findings;
    }
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.rules.len()])
        .collect();
    let mut kept = Vec::new();
    for f in findings {
        let mut suppressed = false;
        for (s, used) in suppressions.iter().zip(&mut used) {
            if !s.covers_line(f.primary.loc.line) {
                continue;
            }
            for (rule, used) in s.rules.iter().zip(used.iter_mut()) {
                if rule == f.rule {
                    *used = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }
    let mut unused = Vec::new();
    for (s, used) in suppressions.iter().zip(&used) {
        if let Some(why) = &s.malformed {
            unused.push(unused_finding(
                s,
                path,
                format!("this `chanlint:` comment cannot be read: {why}"),
                None,
            ));
            continue;
        }
        for (rule, &used) in s.rules.iter().zip(used) {
            if used || rule == UNUSED_SUPPRESSION {
                continue;
            }
            let (message, note) = if known(rule) {
                (format!("`allow({rule})` suppresses nothing"), None)
            } else {
                (
                    format!("`allow({rule})` names no chanlint rule"),
                    Some("`chanlint --list-rules` prints the rules".to_string()),
                )
            };
            unused.push(unused_finding(s, path, message, note));
        }
    }
    // `allow(unused-suppression)` covers the comments on the lines it covers.
    unused.retain(|f| {
        !suppressions.iter().any(|s| {
            s.covers_line(f.primary.loc.line) && s.rules.iter().any(|r| r == UNUSED_SUPPRESSION)
        })
    });
    kept.extend(unused);
    kept
}

fn unused_finding(s: &Suppression, path: &str, message: String, note: Option<String>) -> Finding {
    Finding {
        rule: UNUSED_SUPPRESSION,
        severity: Severity::Warning,
        message,
        path: path.to_string(),
        primary: Label {
            loc: s.loc,
            message: "this suppression".into(),
        },
        labels: Vec::new(),
        notes: note.into_iter().collect(),
        help: Some("remove the comment, or name the rule that fires here".into()),
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: usize, rule: &'static str) -> Finding {
        Finding {
            rule,
            severity: Severity::Error,
            message: "m".into(),
            path: "a.rs".into(),
            primary: Label {
                loc: Loc {
                    line,
                    column: 5,
                    end_line: line,
                    end_column: 7,
                },
                message: String::new(),
            },
            labels: vec![],
            notes: vec![],
            help: None,
            fix: None,
        }
    }

    fn run(text: &str, findings: Vec<Finding>) -> Vec<(usize, &'static str)> {
        let file = syn::parse_file(text).unwrap();
        let s = scan(&file, text);
        apply(&s, findings, "a.rs", &|r| r == "lingering-sender")
            .into_iter()
            .map(|f| (f.primary.loc.line, f.rule))
            .collect()
    }

    #[test]
    fn same_line_and_line_above() {
        let text = "fn main() {\n    let a = 1; // chanlint: allow(lingering-sender) -- ok\n    // chanlint: allow(lingering-sender)\n    let b = 2;\n    let c = 3;\n}\n";
        assert_eq!(
            run(
                text,
                vec![
                    finding(2, "lingering-sender"),
                    finding(4, "lingering-sender"),
                    finding(5, "lingering-sender")
                ]
            ),
            vec![(5, "lingering-sender")]
        );
    }

    #[test]
    fn above_an_item_covers_the_item() {
        let text = "// chanlint: allow(lingering-sender) -- demo\n/// doc\n#[inline]\nfn f() {\n    let a = 1;\n\n    let b = 2;\n}\nfn g() {\n    let c = 3;\n}\n";
        assert_eq!(
            run(
                text,
                vec![
                    finding(5, "lingering-sender"),
                    finding(7, "lingering-sender"),
                    finding(10, "lingering-sender")
                ]
            ),
            vec![(10, "lingering-sender")]
        );
        let text = "impl S {\n    // chanlint: allow(lingering-sender)\n    fn f() {\n        let a = 1;\n        let b = 2;\n    }\n}\n";
        assert_eq!(run(text, vec![finding(5, "lingering-sender")]), vec![]);
    }

    #[test]
    fn unused_unknown_and_malformed_are_reported() {
        let text = "fn main() {\n    // chanlint: allow(lingering-sender)\n    let a = 1;\n    // chanlint: allow(no-such-rule)\n    // chanlint: allow lingering-sender\n}\n";
        assert_eq!(
            run(text, vec![]),
            vec![
                (2, UNUSED_SUPPRESSION),
                (4, UNUSED_SUPPRESSION),
                (5, UNUSED_SUPPRESSION)
            ]
        );
    }

    #[test]
    fn a_wrong_rule_does_not_suppress() {
        let text = "fn main() {\n    let a = 1; // chanlint: allow(other-rule)\n}\n";
        assert_eq!(
            run(text, vec![finding(2, "lingering-sender")]),
            vec![(2, "lingering-sender"), (2, UNUSED_SUPPRESSION)]
        );
    }
}
