//! Every output format on the same fixtures: snapshots, and the rustc-json lines read back with
//! `cargo_metadata::diagnostic::Diagnostic`, the type rust-analyzer's flycheck uses.

use std::path::PathBuf;

use cargo_metadata::diagnostic::{Diagnostic, DiagnosticLevel};
use chanlint::config::Lookup;
use chanlint::render::{render, Format, RenderOptions};
use chanlint::{check, Options, Report};

/// Paths relative to the package root, which is the working folder of `cargo test`.
const FIXTURES: &[&str] = &[
    "fixtures/src/bin/std_lingering_original.rs",
    "fixtures/src/bin/thread_consumer_join_lingering.rs",
    "fixtures/src/bin/let_underscore_does_not_drop.rs",
];

fn report(paths: &[&str]) -> Report {
    let options = Options {
        paths: paths.iter().map(PathBuf::from).collect(),
        config: Lookup::Off,
        ..Options::default()
    };
    check(&options).unwrap()
}

fn out(format: Format) -> String {
    render(&report(FIXTURES), format, &RenderOptions { color: false })
}

#[test]
fn snapshot_human() {
    insta::assert_snapshot!("human", out(Format::Human));
}

#[test]
fn snapshot_short() {
    insta::assert_snapshot!("short", out(Format::Short));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!("json", out(Format::Json));
}

#[test]
fn snapshot_sarif() {
    let text = out(Format::Sarif).replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("sarif", text);
}

#[test]
fn snapshot_github() {
    insta::assert_snapshot!("github", out(Format::Github));
}

#[test]
fn snapshot_rustc_json() {
    insta::assert_snapshot!("rustc_json", out(Format::RustcJson));
}

/// Slices `text` by 1-based line and 1-based character column.
fn slice_by_line_column(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset + l.char_indices().nth(column - 1).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

fn check_rustc_json(report: &Report) -> usize {
    let output = render(report, Format::RustcJson, &RenderOptions { color: false });
    let mut count = 0;
    for line in output.lines() {
        let d: Diagnostic = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            matches!(d.level, DiagnosticLevel::Error | DiagnosticLevel::Warning),
            "{line}"
        );
        let code = d.code.as_ref().expect("a code");
        assert!(code.code.starts_with("chanlint::"), "{}", code.code);
        assert!(d
            .rendered
            .as_deref()
            .is_some_and(|r| r.contains(&d.message)));
        let primary: Vec<_> = d.spans.iter().filter(|s| s.is_primary).collect();
        assert_eq!(primary.len(), 1, "{line}");
        let all_spans = d
            .spans
            .iter()
            .chain(d.children.iter().flat_map(|c| &c.spans));
        for span in all_spans {
            let text = &report.sources[&span.file_name];
            let start = slice_by_line_column(text, span.line_start, span.column_start);
            let end = slice_by_line_column(text, span.line_end, span.column_end);
            assert_eq!(
                (span.byte_start as usize, span.byte_end as usize),
                (start, end),
                "{line}"
            );
            let first = &span.text[0];
            assert_eq!(first.text, text.lines().nth(span.line_start - 1).unwrap());
            assert_eq!(first.highlight_start, span.column_start);
        }
        let suggestions: Vec<_> = d
            .children
            .iter()
            .flat_map(|c| &c.spans)
            .filter(|s| s.suggested_replacement.is_some())
            .collect();
        for s in &suggestions {
            assert_eq!(
                s.suggestion_applicability,
                Some(cargo_metadata::diagnostic::Applicability::MachineApplicable)
            );
        }
        count += 1;
    }
    count
}

#[test]
fn rustc_json_reads_back_as_rustc_diagnostics() {
    let report = report(&["fixtures/src/bin"]);
    assert!(
        report.findings.iter().any(|f| f.fix.is_some()),
        "no finding with a fix to test"
    );
    assert_eq!(check_rustc_json(&report), report.findings.len());
}

#[test]
fn rustc_json_byte_offsets_survive_a_bom_a_shebang_and_wide_characters() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::fs::read_to_string("fixtures/src/bin/thread_consumer_join_lingering.rs").unwrap();
    let text = format!(
        "\u{feff}#!/usr/bin/env run-cargo-script\n// é ü 漢字\n{}",
        fixture.replace("let (tx, rx)", "let (tx, rx) /* ☃ */")
    );
    let path = dir.path().join("bom.rs");
    std::fs::write(&path, text).unwrap();
    let report = report(&[path.to_str().unwrap()]);
    assert_eq!(report.findings.len(), 1, "{report:?}");
    assert_eq!(check_rustc_json(&report), 1);
}
