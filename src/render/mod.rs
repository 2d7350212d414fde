//! Output formats. Each prints a `Report` and computes nothing about channels.

mod github;
mod human;
mod json;
mod rustc_json;
pub mod sarif;
mod short;

use crate::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Short,
    Json,
    Sarif,
    Github,
    #[value(name = "rustc-json")]
    RustcJson,
}

pub struct RenderOptions {
    pub color: bool,
}

pub fn render(report: &Report, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, options.color),
        Format::Short => short::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::RustcJson => rustc_json::render(report),
    }
}

/// The closing line of the human and short formats.
fn summary(report: &Report) -> String {
    let files_with: std::collections::BTreeSet<&str> =
        report.findings.iter().map(|f| f.path.as_str()).collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{} in {} ({} checked)",
        plural(report.findings.len(), "finding"),
        plural(files_with.len(), "file"),
        plural(report.files_checked, "file"),
    );
    if !report.errors.is_empty() {
        line.push_str(&format!("; {}", plural(report.errors.len(), "error")));
    }
    line
}

/// What the outputs say about a rule: the rules of `rules::RULES` and the pseudo-rules.
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: crate::Severity,
    pub summary: &'static str,
    pub doc: String,
}

/// Every rule a finding can name, in a fixed order.
pub fn all_rules() -> Vec<RuleInfo> {
    crate::rules::RULES
        .iter()
        .map(|r| RuleInfo {
            id: r.id,
            severity: r.severity,
            summary: r.summary,
            doc: r.doc(),
        })
        .chain(std::iter::once(RuleInfo {
            id: crate::suppress::UNUSED_SUPPRESSION,
            severity: crate::Severity::Warning,
            summary: crate::suppress::UNUSED_SUMMARY,
            doc: crate::suppress::UNUSED_DOC.to_string(),
        }))
        .collect()
}
