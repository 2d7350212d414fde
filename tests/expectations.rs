//! Every fixture's findings match its `//~ rule` (or `//~^ rule`) comments exactly: no
//! missing finding, no extra one, on the right line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chanlint::{check, Options};

/// `(path, line, rule)` expected by the `//~` comments of every fixture.
fn expected(root: &Path) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs")
            || entry.path().components().any(|c| c.as_os_str() == "target")
        {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let path = entry.path().to_string_lossy().into_owned();
        for (i, line) in text.lines().enumerate() {
            let Some((_, rest)) = line.split_once("//~") else {
                continue;
            };
            let ups = rest.chars().take_while(|&c| c == '^').count();
            for rule in rest[ups..]
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
            {
                let rule = rule.split_whitespace().next().unwrap().to_string();
                out.insert((path.clone(), i + 1 - ups, rule));
            }
        }
    }
    out
}

fn actual(root: &Path, scan: bool) -> BTreeSet<(String, usize, String)> {
    let options = Options {
        paths: vec![root.to_path_buf()],
        scan,
        ..Options::default()
    };
    let report = check(&options).unwrap();
    assert!(report.errors.is_empty(), "errors: {:#?}", report.errors);
    report
        .findings
        .iter()
        .map(|f| (f.path.clone(), f.primary.loc.line, f.rule.to_string()))
        .collect()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn fixtures_match_their_expectations() {
    let root = fixtures();
    let expected = expected(&root);
    let actual = actual(&root, true);
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing findings: {missing:#?}\nextra findings: {extra:#?}"
    );
    assert!(
        expected.len() >= 30,
        "only {} expectations found",
        expected.len()
    );
}

#[test]
fn the_byte_scan_changes_no_finding() {
    let root = fixtures();
    assert_eq!(actual(&root, true), actual(&root, false));
}

/// Checking one crate of a workspace reads the crates it depends on by path (their files are
/// not reported): the multi-crate fixtures are found from the binary's crate alone.
#[test]
fn a_crate_checked_alone_reads_its_path_dependencies() {
    let app = fixtures().join("workspaces").join("ws_app");
    let expected = expected(&app);
    assert!(expected.len() >= 2, "{expected:#?}");
    assert_eq!(actual(&app, true), expected);
    assert_eq!(actual(&app, false), expected);
}
