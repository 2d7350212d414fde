//! One JSON document: `{"version":1,"files_checked":N,"findings":[..],"errors":[..]}`.

use serde_json::{json, Value};

use crate::finding::{CheckError, Finding};
use crate::loc::Loc;
use crate::Report;

pub fn render(report: &Report) -> String {
    let doc = json!({
        "version": 1,
        "files_checked": report.files_checked,
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "errors": report.errors.iter().map(|e| json!({
            "path": e.path,
            "line": e.line,
            "column": e.column,
            "message": e.message,
        })).collect::<Vec<_>>(),
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
    out.push('\n');
    out
}

fn span(path: &str, loc: Loc) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    map.insert("path".into(), json!(path));
    map.insert("line".into(), json!(loc.line));
    map.insert("column".into(), json!(loc.column));
    map.insert("end_line".into(), json!(loc.end_line));
    map.insert("end_column".into(), json!(loc.end_column));
    map
}

fn finding(f: &Finding) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("rule".into(), json!(f.rule));
    map.insert("severity".into(), json!(f.severity.as_str()));
    map.insert("message".into(), json!(f.message));
    map.extend(span(&f.path, f.primary.loc));
    let labels: Vec<Value> = std::iter::once(&f.primary)
        .chain(&f.labels)
        .map(|l| {
            let mut m = span(&f.path, l.loc);
            m.insert("message".into(), json!(l.message));
            Value::Object(m)
        })
        .collect();
    map.insert("labels".into(), json!(labels));
    map.insert("notes".into(), json!(f.notes));
    map.insert("help".into(), json!(f.help));
    if let Some(fix) = &f.fix {
        let edits: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                let mut m = span(&f.path, e.loc);
                m.insert("replacement".into(), json!(e.text));
                Value::Object(m)
            })
            .collect();
        map.insert(
            "fix".into(),
            json!({ "message": fix.message, "edits": edits }),
        );
    }
    Value::Object(map)
}

/// `path:line:col: error: message`, the way errors read in the line-oriented formats.
pub(super) fn error_line(e: &CheckError) -> String {
    match (e.line, e.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}: error: {}", e.path, e.message),
        (Some(l), None) => format!("{}:{l}: error: {}", e.path, e.message),
        _ => format!("{}: error: {}", e.path, e.message),
    }
}
