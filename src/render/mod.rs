//! Output formats. Each prints a `Report` and computes nothing about channels.

mod human;
mod json;
mod short;

use crate::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Short,
    Json,
}

pub struct RenderOptions {
    pub color: bool,
}

pub fn render(report: &Report, format: Format, options: &RenderOptions) -> String {
    match format {
        Format::Human => human::render(report, options.color),
        Format::Short => short::render(report),
        Format::Json => json::render(report),
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
