//! What both fuzz targets do with one input: check it through the library entry the CLI uses
//! for a file, render the result in every format, and assert what must hold for any input.

use chanlint::render::{self, Format, RenderOptions};
use chanlint::Report;

/// The analysis threads' stack in `chanlint::check`.
const STACK: usize = 256 << 20;

/// Checks `bytes` as the file `fuzz.rs` on a thread with the CLI's stack. A panic aborts the
/// process (libFuzzer's panic hook), which is what the fuzzer reports as a crash.
pub fn check(bytes: Vec<u8>) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || check_on_this_thread(bytes))
        .expect("spawn")
        .join()
        .expect("the check panicked");
}

fn check_on_this_thread(bytes: Vec<u8>) {
    let lines = bytes.split(|&b| b == b'\n').count();
    let mut report = Report {
        files_checked: 1,
        ..Report::default()
    };
    match chanlint::check_source("fuzz.rs", bytes) {
        Err(e) => {
            assert_eq!(e.path, "fuzz.rs");
            if let Some(line) = e.line {
                assert!(line >= 1 && line <= lines, "error line {line} of {lines}");
            }
            if let Some(column) = e.column {
                assert!(column >= 1, "error column {column}");
            }
            report.errors.push(e);
        }
        Ok(checked) => {
            for f in &checked.findings {
                for label in std::iter::once(&f.primary).chain(&f.labels) {
                    let loc = label.loc;
                    assert!(
                        loc.line >= 1 && loc.line <= lines && loc.end_line <= lines,
                        "label {loc:?} outside the {lines} lines"
                    );
                }
            }
            report.incomplete = checked
                .incomplete
                .into_iter()
                .map(|(line, why)| ("fuzz.rs".to_string(), line, why))
                .collect();
            if !checked.findings.is_empty() {
                report.sources.insert("fuzz.rs".into(), checked.text);
            }
            report.findings = checked.findings;
        }
    }
    for format in [
        Format::Human,
        Format::Short,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::RustcJson,
    ] {
        render::render(&report, format, &RenderOptions { color: false });
    }
}
