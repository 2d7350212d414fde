//! GitHub Actions workflow commands: `::error file=..,line=..,col=..,endLine=..,endColumn=..,
//! title=..::message`, escaped as `@actions/core` escapes them.

use crate::finding::Severity;
use crate::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let loc = f.primary.loc;
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = vec![
            ("file", f.path.clone()),
            ("line", loc.line.to_string()),
            ("endLine", loc.end_line.to_string()),
        ];
        // The toolkit ignores columns on a multi-line span.
        if loc.line == loc.end_line {
            props.push(("col", loc.column.to_string()));
            props.push(("endColumn", loc.end_column.to_string()));
        }
        props.push(("title", format!("chanlint({})", f.rule)));
        let mut message = format!("{}: {}", f.message, f.primary.message);
        if let Some(help) = &f.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        out.push_str(&command_line(command, &props, &message));
    }
    for e in &report.errors {
        let mut props = vec![("file", e.path.clone())];
        if let Some(line) = e.line {
            props.push(("line", line.to_string()));
        }
        if let Some(column) = e.column {
            props.push(("col", column.to_string()));
        }
        props.push(("title", "chanlint".to_string()));
        out.push_str(&command_line("error", &props, &e.message));
    }
    out.push_str(&super::summary(report));
    out.push('\n');
    out
}

fn command_line(command: &str, props: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!(
        "::{command} {}::{}\n",
        props.join(","),
        escape_data(message)
    )
}

pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}
