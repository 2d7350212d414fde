//! rustc-style diagnostics rendered by codespan-reporting. Every finding is converted to a
//! `Diagnostic` in this one place.

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};
use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};
use crate::loc::{LineIndex, Loc};
use crate::Report;

pub fn render(report: &Report, color: bool) -> String {
    let sources = Sources::new(report);
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    for finding in &report.findings {
        sources.emit(&mut buffer, finding);
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

/// The files with findings, each handed to codespan and line-indexed once however many
/// findings it has (a generated file can have thousands).
pub(super) struct Sources<'r> {
    files: SimpleFiles<&'r str, &'r str>,
    by_path: BTreeMap<&'r str, (usize, LineIndex<'r>)>,
}

impl<'r> Sources<'r> {
    pub(super) fn new(report: &'r Report) -> Self {
        let mut files = SimpleFiles::new();
        let by_path = report
            .sources
            .iter()
            .map(|(path, text)| {
                let id = files.add(path.as_str(), text.as_str());
                (path.as_str(), (id, LineIndex::new(text)))
            })
            .collect();
        Sources { files, by_path }
    }

    pub(super) fn index(&self, path: &str) -> Option<&LineIndex<'r>> {
        self.by_path.get(path).map(|(_, index)| index)
    }

    fn emit(&self, buffer: &mut Buffer, finding: &Finding) {
        let Some((id, index)) = self.by_path.get(finding.path.as_str()) else {
            return;
        };
        let diagnostic = diagnostic(finding, *id, index);
        term::emit_to_write_style(buffer, &term::Config::default(), &self.files, &diagnostic)
            .expect("writing to a memory buffer cannot fail");
    }

    /// One finding rendered without color, as rustc's `rendered` field carries it.
    pub(super) fn render_one(&self, finding: &Finding) -> String {
        let mut buffer = Buffer::no_color();
        self.emit(&mut buffer, finding);
        String::from_utf8_lossy(buffer.as_slice()).into_owned()
    }
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
