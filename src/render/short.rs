//! One line a finding: `path:line:col: severity[rule]: message`.

use crate::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let loc = f.primary.loc;
        out.push_str(&format!(
            "{}:{}:{}: {}[{}]: {}\n",
            f.path,
            loc.line,
            loc.column,
            f.severity.as_str(),
            f.rule,
            f.message
        ));
    }
    for e in &report.errors {
        out.push_str(&super::json::error_line(e));
        out.push('\n');
    }
    out.push_str(&super::summary(report));
    out.push('\n');
    out
}
