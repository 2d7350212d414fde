//! `--fix`: applies the findings' machine-applicable edits to the files, bottom-up, and only
//! when the result still parses.

use std::collections::BTreeMap;
use std::path::Path;

use crate::finding::{CheckError, Edit};
use crate::loc::LineIndex;
use crate::Report;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Applied {
    /// `(path, line, message)` of every fix written.
    pub fixed: Vec<(String, usize, String)>,
    /// Files that could not be fixed.
    pub errors: Vec<CheckError>,
}

pub fn apply(report: &Report) -> Applied {
    let mut by_path: BTreeMap<&str, Vec<(&Edit, usize, &str)>> = BTreeMap::new();
    for f in &report.findings {
        let Some(fix) = &f.fix else { continue };
        for edit in &fix.edits {
            by_path.entry(f.path.as_str()).or_default().push((
                edit,
                f.primary.loc.line,
                fix.message.as_str(),
            ));
        }
    }
    let mut applied = Applied::default();
    for (path, edits) in by_path {
        let error = |message: String| CheckError {
            path: path.to_string(),
            line: None,
            column: None,
            message,
        };
        let text = match std::fs::read_to_string(Path::new(path)) {
            Ok(text) => text,
            Err(e) => {
                applied
                    .errors
                    .push(error(format!("cannot read file to fix it: {e}")));
                continue;
            }
        };
        if report
            .sources
            .get(path)
            .is_some_and(|checked| *checked != text)
        {
            applied
                .errors
                .push(error("file changed since it was checked; not fixed".into()));
            continue;
        }
        let (fixed, done) = apply_edits(&text, &edits);
        if done.is_empty() {
            continue;
        }
        if let Err((line, column, message)) = crate::load::parse(&fixed) {
            applied.errors.push(CheckError {
                path: path.to_string(),
                line,
                column,
                message: format!("the fixed file would not parse ({message}); not fixed"),
            });
            continue;
        }
        if let Err(e) = std::fs::write(path, fixed) {
            applied
                .errors
                .push(error(format!("cannot write fixed file: {e}")));
            continue;
        }
        applied.fixed.extend(
            done.into_iter()
                .map(|(line, message)| (path.to_string(), line, message.to_string())),
        );
    }
    applied
}

/// Inserts every edit's text at its position, bottom-up so earlier offsets stay valid; an edit
/// whose text is already there (before or after the position) is skipped, as is a duplicate.
fn apply_edits<'a>(
    text: &str,
    edits: &[(&Edit, usize, &'a str)],
) -> (String, Vec<(usize, &'a str)>) {
    let index = LineIndex::new(text);
    let mut positioned: Vec<(usize, &str, usize, &str)> = edits
        .iter()
        .map(|(e, line, message)| {
            (
                index.offset(e.loc.line, e.loc.column),
                e.text.as_str(),
                *line,
                *message,
            )
        })
        .collect();
    positioned.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    positioned.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    let mut out = text.to_string();
    let mut done = Vec::new();
    for (offset, insert, line, message) in positioned {
        if insert.is_empty()
            || text[offset..].starts_with(insert)
            || text[..offset].ends_with(insert)
        {
            continue;
        }
        out.insert_str(offset, insert);
        done.push((line, message));
    }
    done.reverse();
    (out, done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loc::Loc;

    #[test]
    fn inserts_bottom_up_and_skips_what_is_there() {
        let text = "a\nb\nc\n";
        let at = |line| Loc {
            line,
            column: 1,
            end_line: line,
            end_column: 1,
        };
        let e1 = Edit {
            loc: at(2),
            text: "x\n".into(),
        };
        let e2 = Edit {
            loc: at(3),
            text: "y\n".into(),
        };
        let (out, done) = apply_edits(text, &[(&e1, 1, "m"), (&e2, 2, "n"), (&e2, 2, "n")]);
        assert_eq!(out, "a\nx\nb\ny\nc\n");
        assert_eq!(done.len(), 2);
        let (again, done) = apply_edits(
            &out,
            &[(
                &Edit {
                    loc: at(4),
                    text: "y\n".into(),
                },
                2,
                "n",
            )],
        );
        assert_eq!(again, out);
        assert!(done.is_empty());
    }
}
