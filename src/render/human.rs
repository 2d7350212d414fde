//! rustc-style diagnostics rendered by codespan-reporting. Every finding is converted to a
//! `Diagnostic` in this one place.

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};

use crate::finding::{Finding, Severity};
use crate::loc::{LineIndex, Loc};
use crate::Report;

pub fn render(report: &Report, color: bool) -> String {
    let mut files = SimpleFiles::new();
    let ids: std::collections::BTreeMap<&str, usize> = report
        .sources
        .iter()
        .map(|(path, text)| (path.as_str(), files.add(path.clone(), text.clone())))
        .collect();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = term::Config::default();
    for finding in &report.findings {
        let Some(&id) = ids.get(finding.path.as_str()) else {
            continue;
        };
        let text = &report.sources[&finding.path];
        let diagnostic = diagnostic(finding, id, &LineIndex::new(text));
        term::emit_to_write_style(&mut buffer, &config, &files, &diagnostic)
            .expect("writing to a memory buffer cannot fail");
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    for e in &report.errors {
        out.push_str(&super::json::error_line(e));
        out.push('\n');
    }
    out.push_str(&super::summary(report));
    out.push('\n');
    out
}

fn range(index: &LineIndex, loc: Loc) -> std::ops::Range<usize> {
    index.offset(loc.line, loc.column)..index.offset(loc.end_line, loc.end_column)
}

fn diagnostic(f: &Finding, file: usize, index: &LineIndex) -> Diagnostic<usize> {
    let base = match f.severity {
        Severity::Error => Diagnostic::error(),
        Severity::Warning => Diagnostic::warning(),
    };
    let mut labels =
        vec![Label::primary(file, range(index, f.primary.loc)).with_message(&f.primary.message)];
    labels.extend(
        f.labels
            .iter()
            .map(|l| Label::secondary(file, range(index, l.loc)).with_message(&l.message)),
    );
    let mut notes: Vec<String> = f.notes.iter().map(|n| format!("note: {n}")).collect();
    notes.extend(f.help.iter().map(|h| format!("help: {h}")));
    base.with_code(f.rule)
        .with_message(&f.message)
        .with_labels(labels)
        .with_notes(notes)
}
