//! SARIF 2.1.0 for GitHub code scanning: every rule in `tool.driver.rules`, one result per
//! finding with its primary region and the other labels as `relatedLocations`.

use serde_json::{json, Value};

use crate::finding::{Finding, Severity};
use crate::loc::Loc;
use crate::Report;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(report: &Report) -> String {
    let rules = super::all_rules();
    let rule_index = |id: &str| rules.iter().position(|r| r.id == id);
    let driver_rules: Vec<Value> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": pascal_case(r.id),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": r.doc, "markdown": r.doc },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": ["concurrency", "reliability"] },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, rule_index(f.rule)))
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            let mut physical = json!({ "artifactLocation": { "uri": uri(&e.path) } });
            if let Some(line) = e.line {
                let mut region = json!({ "startLine": line });
                if let Some(column) = e.column {
                    region["startColumn"] = json!(column);
                }
                physical["region"] = region;
            }
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", e.path, e.message) },
                "locations": [{ "physicalLocation": physical }],
            })
        })
        .collect();
    let mut driver = json!({
        "name": "chanlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": driver_rules,
    });
    // `informationUri` is optional (SARIF 2.1.0 §3.19.17): given only once the package names a
    // home page, never made up.
    if let Some(home) = information_uri() {
        driver["informationUri"] = json!(home);
    }
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
    out.push('\n');
    out
}

/// The package's `homepage` or `repository`, if `Cargo.toml` names one.
pub fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|uri| !uri.is_empty())
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

fn region(loc: Loc) -> Value {
    json!({
        "startLine": loc.line,
        "startColumn": loc.column,
        "endLine": loc.end_line,
        "endColumn": loc.end_column,
    })
}

fn physical(path: &str, loc: Loc) -> Value {
    json!({ "artifactLocation": { "uri": uri(path) }, "region": region(loc) })
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<Value> = f
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({
                "id": i + 1,
                "physicalLocation": physical(&f.path, l.loc),
                "message": { "text": l.message },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": physical(&f.path, f.primary.loc),
            "message": { "text": f.primary.message },
        }],
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !related.is_empty() {
        result["relatedLocations"] = json!(related);
    }
    if let Some(fix) = &f.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| json!({ "deletedRegion": region(e.loc), "insertedContent": { "text": e.text } }))
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.message },
            "artifactChanges": [{ "artifactLocation": { "uri": uri(&f.path) }, "replacements": replacements }],
        }]);
    }
    result
}

/// A path as walked, as a URI reference: forward slashes, percent-encoded where a URI needs it;
/// relative paths stay relative (to the checked root), absolute ones become `file://` URIs.
pub(super) fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    let absolute = path.starts_with('/') || path.as_bytes().get(1) == Some(&b':');
    if absolute {
        out.push_str("file://");
        if !path.starts_with('/') {
            out.push('/');
        }
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(uri("src/a b.rs"), "src/a%20b.rs");
        assert_eq!(uri("./src\\x.rs"), "src/x.rs");
        assert_eq!(uri("/tmp/x.rs"), "file:///tmp/x.rs");
        assert_eq!(uri("C:\\x\\y.rs"), "file:///C:/x/y.rs");
        assert_eq!(pascal_case("lingering-sender"), "LingeringSender");
    }
}
