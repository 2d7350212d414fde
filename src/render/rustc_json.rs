//! One rustc JSON diagnostic a line, the shape rust-analyzer's flycheck reads
//! (`cargo_metadata::diagnostic::Diagnostic`), with the `--fix` edit as a suggestion.

use serde_json::{json, Value};

use crate::finding::{Finding, Severity};
use crate::loc::{LineIndex, Loc};
use crate::Report;

use super::human::Sources;

pub fn render(report: &Report) -> String {
    let sources = Sources::new(report);
    let mut out = String::new();
    for f in &report.findings {
        let Some(index) = sources.index(&f.path) else {
            continue;
        };
        push_line(&mut out, &diagnostic(&sources, f, index));
    }
    for e in &report.errors {
        let message = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", e.path, e.message),
            (Some(l), None) => format!("{}:{l}: {}", e.path, e.message),
            _ => format!("{}: {}", e.path, e.message),
        };
        push_line(
            &mut out,
            &json!({
                "$message_type": "diagnostic",
                "message": message,
                "code": null,
                "level": "error",
                "spans": [],
                "children": [],
                "rendered": format!("error: {message}\n"),
            }),
        );
    }
    out
}

fn push_line(out: &mut String, value: &Value) {
    out.push_str(&serde_json::to_string(value).expect("a JSON value always serializes"));
    out.push('\n');
}

fn diagnostic(sources: &Sources, f: &Finding, index: &LineIndex) -> Value {
    let mut spans = vec![span(
        f,
        index,
        f.primary.loc,
        Some(&f.primary.message),
        true,
        None,
    )];
    spans.extend(
        f.labels
            .iter()
            .map(|l| span(f, index, l.loc, Some(&l.message), false, None)),
    );
    let mut children: Vec<Value> = f.notes.iter().map(|n| child("note", n, vec![])).collect();
    if let Some(help) = &f.help {
        let suggestion = f.fix.as_ref().map_or_else(Vec::new, |fix| {
            fix.edits
                .iter()
                .map(|e| span(f, index, e.loc, None, true, Some(&e.text)))
                .collect()
        });
        children.push(child("help", help, suggestion));
    } else if let Some(fix) = &f.fix {
        let suggestion = fix
            .edits
            .iter()
            .map(|e| span(f, index, e.loc, None, true, Some(&e.text)))
            .collect();
        children.push(child("help", &fix.message, suggestion));
    }
    json!({
        "$message_type": "diagnostic",
        "message": f.message,
        "code": { "code": format!("chanlint::{}", f.rule), "explanation": null },
        "level": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "spans": spans,
        "children": children,
        "rendered": sources.render_one(f),
    })
}

fn child(level: &str, message: &str, spans: Vec<Value>) -> Value {
    json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": null,
        "level": level,
        "spans": spans,
        "children": [],
        "rendered": null,
    })
}

fn span(
    f: &Finding,
    index: &LineIndex,
    loc: Loc,
    label: Option<&str>,
    primary: bool,
    replacement: Option<&str>,
) -> Value {
    let text: Vec<Value> = (loc.line..=loc.end_line.max(loc.line))
        .map(|line| {
            let line_text = index.line_text(line);
            let width = line_text.chars().count() + 1;
            let start = if line == loc.line { loc.column } else { 1 };
            let end = if line == loc.end_line {
                loc.end_column
            } else {
                width
            };
            json!({ "text": line_text, "highlight_start": start, "highlight_end": end })
        })
        .collect();
    json!({
        "file_name": f.path,
        "byte_start": index.offset(loc.line, loc.column),
        "byte_end": index.offset(loc.end_line, loc.end_column),
        "line_start": loc.line,
        "line_end": loc.end_line,
        "column_start": loc.column,
        "column_end": loc.end_column,
        "is_primary": primary,
        "text": text,
        "label": label,
        "suggested_replacement": replacement,
        "suggestion_applicability": replacement.map(|_| "MachineApplicable"),
        "expansion": null,
    })
}
