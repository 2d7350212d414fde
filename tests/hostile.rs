//! SPEC section 6: a tree of hostile files next to real hang fixtures. The hangs are still found
//! at the right line and column (also in BOM, CRLF, tab, shebang and non-ASCII variants), each
//! bad file has an error naming it (with line and column where known), the exit status is 2,
//! nothing panics, and the whole run ends under a time bound.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

const HANG_A: &str = "fixtures/src/bin/std_lingering_original.rs";
const HANG_B: &str = "fixtures/src/bin/tokio_consumer_await_lingering.rs";
/// Even a debug build on a slow, shared 2-core CI machine is far under this.
const TIME_BOUND: Duration = Duration::from_secs(60);

/// `(rule, [(line, column, end_line, end_column)])`: the primary span, then the labels.
type Spans = (String, Vec<[usize; 4]>);
/// A file that must have one error: path, words of the message, line and column if known.
type BadFile = (String, &'static str, Option<(usize, Option<usize>)>);

fn chanlint() -> Command {
    let mut cmd = Command::cargo_bin("chanlint").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `chanlint check --format json` and returns the exit status, the JSON, the run time.
fn check_json(paths: &[&Path], extra: &[&str]) -> (i32, Value, Duration) {
    let start = Instant::now();
    let out = chanlint()
        .args(["check", "--format", "json", "--no-config"])
        .args(extra)
        .args(paths)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().expect("exit status"), json, elapsed)
}

fn spans(finding: &Value) -> Spans {
    let at = |v: &Value| {
        ["line", "column", "end_line", "end_column"].map(|k| v[k].as_u64().unwrap() as usize)
    };
    let mut all = vec![at(finding)];
    all.extend(finding["labels"].as_array().unwrap().iter().map(at));
    (finding["rule"].as_str().unwrap().to_string(), all)
}

/// Findings by path (as printed), each with its spans.
fn findings(json: &Value) -> BTreeMap<String, Vec<Spans>> {
    let mut out: BTreeMap<String, Vec<Spans>> = BTreeMap::new();
    for f in json["findings"].as_array().unwrap() {
        out.entry(f["path"].as_str().unwrap().to_string())
            .or_default()
            .push(spans(f));
    }
    out
}

/// The findings of one fixture checked on its own.
fn original(fixture: &str) -> Vec<Spans> {
    let (code, json, _) = check_json(&[Path::new(fixture)], &[]);
    assert_eq!(code, 1, "{json:#}");
    let all = findings(&json).remove(fixture).unwrap();
    assert!(!all.is_empty());
    all
}

fn moved(spans: &[Spans], f: impl Fn(usize, usize) -> (usize, usize)) -> Vec<Spans> {
    spans
        .iter()
        .map(|(rule, locs)| {
            let locs = locs
                .iter()
                .map(|&[l, c, el, ec]| {
                    let (l, c) = f(l, c);
                    let (el, ec) = f(el, ec);
                    [l, c, el, ec]
                })
                .collect();
            (rule.clone(), locs)
        })
        .collect()
}

/// Leading spaces, four at a time, become tabs; a column counts a tab as one character.
fn with_tabs(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            format!(
                "{}{}{}",
                "\t".repeat(spaces / 4),
                " ".repeat(spaces % 4),
                &line[spaces..]
            )
        })
        .collect()
}

fn tab_column(text: &str, line: usize, column: usize) -> usize {
    let line_text = text.lines().nth(line - 1).unwrap();
    let spaces = line_text.len() - line_text.trim_start_matches(' ').len();
    assert!(column > spaces, "a span inside the indentation");
    column - 3 * (spaces / 4)
}

/// Seven characters, thirteen bytes.
const WIDE: &str = "/*é€𝕏*/";

/// Everything but the first two lines (`//!` comments, allowed only at the top) of a fixture.
fn body(text: &str) -> String {
    text.replace("//!", "//")
}

/// A valid function with a channel that is closed properly: padding with no finding.
fn padding_fn(i: usize, newline: &str) -> String {
    format!(
        "fn pad{i}() {{{newline}    let (tx, rx) = std::sync::mpsc::channel::<u32>();{newline}    tx.send({i}).unwrap();{newline}    drop(tx);{newline}    for v in rx {{ println!(\"{{}}\", v); }}{newline}}}{newline}"
    )
}

fn padding(bytes: usize, newline: &str) -> String {
    let mut out = String::with_capacity(bytes + 200);
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&padding_fn(i, newline));
        i += 1;
    }
    out
}

/// Deterministic noise (a linear congruential generator), with the scan's keyword inside.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut out: Vec<u8> = (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect();
    out.extend_from_slice(b" channel \x00\xff");
    out
}

fn nested(open: &str, close: &str, n: usize) -> String {
    format!("{}1{}", open.repeat(n), close.repeat(n))
}

/// Restores permissions on drop, so the temporary folder can be removed even if a test fails.
struct Unlock(Vec<PathBuf>);

impl Drop for Unlock {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        for path in &self.0 {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
        }
    }
}

#[test]
fn hostile_tree() {
    use std::os::unix::fs::{symlink, PermissionsExt};

    let hang_a = std::fs::read_to_string(HANG_A).unwrap();
    let hang_b = std::fs::read_to_string(HANG_B).unwrap();
    let found_a = original(HANG_A);
    let found_b = original(HANG_B);

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    let write = |name: &str, bytes: &[u8]| {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let shown = |name: &str| root.join(name).to_string_lossy().into_owned();
    // What must be found where: path -> spans.
    let mut expected: BTreeMap<String, Vec<Spans>> = BTreeMap::new();

    // Real hangs, unchanged and in variants that must not move a column.
    write("hang_a.rs", hang_a.as_bytes());
    expected.insert(shown("hang_a.rs"), found_a.clone());
    write("hang_b.rs", hang_b.as_bytes());
    expected.insert(shown("hang_b.rs"), found_b.clone());
    write("bom.rs", format!("\u{feff}{hang_a}").as_bytes());
    expected.insert(
        shown("bom.rs"),
        moved(&found_a, |l, c| (l, if l == 1 { c + 1 } else { c })),
    );
    write("crlf.rs", hang_a.replace('\n', "\r\n").as_bytes());
    expected.insert(shown("crlf.rs"), found_a.clone());
    write("tabs.rs", with_tabs(&hang_b).as_bytes());
    expected.insert(
        shown("tabs.rs"),
        moved(&found_b, |l, c| (l, tab_column(&hang_b, l, c))),
    );
    write(
        "tabs_crlf.rs",
        with_tabs(&hang_a).replace('\n', "\r\n").as_bytes(),
    );
    expected.insert(
        shown("tabs_crlf.rs"),
        moved(&found_a, |l, c| (l, tab_column(&hang_a, l, c))),
    );
    write(
        "shebang.rs",
        format!("#!/usr/bin/env run-cargo-script\n{hang_a}").as_bytes(),
    );
    expected.insert(shown("shebang.rs"), moved(&found_a, |l, c| (l + 1, c)));
    let wide: String = hang_b
        .split_inclusive('\n')
        .map(|line| format!("{WIDE}{line}"))
        .collect();
    write("wide.rs", wide.as_bytes());
    expected.insert(shown("wide.rs"), moved(&found_b, |l, c| (l, c + 7)));
    let odd = "dir with spaces/ünï cödé €.rs";
    write(odd, hang_b.as_bytes());
    expected.insert(shown(odd), found_b.clone());
    // A file name that is not UTF-8 is shown with U+FFFD in its place.
    let not_utf8_name = {
        use std::os::unix::ffi::OsStrExt;
        root.join(std::ffi::OsStr::from_bytes(b"name \xff.rs"))
    };
    std::fs::write(&not_utf8_name, &hang_b).unwrap();
    expected.insert(shown("name \u{fffd}.rs"), found_b.clone());

    // A big file (3 MB, under the size limit) with the hang after the padding.
    let pad = padding(3_000_000, "\n");
    let pad_lines = pad.matches('\n').count();
    write("big.rs", format!("{pad}{}", body(&hang_a)).as_bytes());
    expected.insert(shown("big.rs"), moved(&found_a, |l, c| (l + pad_lines, c)));
    // One line of 1 MB ending in a hang: columns count characters far along one line.
    let one_line_hang = "fn hang() { let (tx, rx) = std::sync::mpsc::channel::<u32>(); for i in 0..4 { let tx = tx.clone(); std::thread::spawn(move || tx.send(i).unwrap()); } for v in rx { println!(\"{v}\"); } }";
    let one_line = format!("/*é*/{}{one_line_hang}\n", padding(1_000_000, " "));
    write("one_line.rs", one_line.as_bytes());
    let tx_column = one_line[..one_line
        .find("let (tx, rx) = std::sync::mpsc::channel::<u32>(); for")
        .unwrap()]
        .chars()
        .count()
        + "let (".len()
        + 1;

    // A sender named inside a macro whose body is not an expression: possibly moved, so no
    // finding, and no error. The same program without the macro is `hang_a.rs`.
    let with_macro = hang_a.replace(
        "    for v in rx {",
        "    keep!(tx; held by => a macro {});\n    for v in rx {",
    );
    assert_ne!(with_macro, hang_a);
    write(
        "macro.rs",
        format!("{with_macro}macro_rules! keep {{ ($($t:tt)*) => {{}} }}\n").as_bytes(),
    );
    write("empty.rs", b"");

    let mut bad: Vec<BadFile> = Vec::new();
    write(
        "not_utf8.rs",
        b"use std::sync::mpsc::channel;\nfn main() {\n    let s = \"ab\xff\";\n}\n",
    );
    bad.push((shown("not_utf8.rs"), "not valid UTF-8", Some((3, Some(16)))));
    write("binary.rs", &noise(4096));
    bad.push((shown("binary.rs"), "", None));
    write(
        "nul.rs",
        b"use std::sync::mpsc::channel;\nfn main() { \x00 }\n",
    );
    bad.push((shown("nul.rs"), "cannot tokenize", Some((2, Some(13)))));
    write(
        "nightly.rs",
        b"#![feature(box_syntax)]\nuse std::sync::mpsc::channel;\nfn main() {\n    let b = box 5;\n}\n",
    );
    bad.push((shown("nightly.rs"), "cannot parse", Some((4, Some(13)))));
    write(
        "bare_trait_object.rs",
        b"use std::sync::mpsc::channel; // edition 2015\ntype Action = Fn(&i32) + Send + Sync;\nfn main() {}\n",
    );
    bad.push((
        shown("bare_trait_object.rs"),
        "cannot parse",
        Some((2, Some(17))),
    ));
    write(
        "deep_parens.rs",
        format!(
            "use std::sync::mpsc::channel;\nfn main() {{\n    let x = {};\n}}\n",
            nested("(", ")", 5000)
        )
        .as_bytes(),
    );
    // `{` of main is level 1: the 1000th paren is level 1001, at column 12 + 1000.
    bad.push((shown("deep_parens.rs"), "nested", Some((3, Some(1012)))));
    write(
        "deep_blocks.rs",
        format!(
            "use std::sync::mpsc::channel;\nfn main() {{\n{}\n}}\n",
            nested("{\n", "}\n", 5000)
        )
        .as_bytes(),
    );
    bad.push((shown("deep_blocks.rs"), "nested", Some((1002, Some(1)))));
    // Nesting without brackets: syn recurses on prefix operators and types, and chains build
    // deep trees; each of these overflowed the stack (an abort) before it was bounded.
    for (name, prefix, unit) in [
        ("deep_unary.rs", "let x = ", "!"),
        ("deep_method_chain.rs", "let x = a", ".b()"),
        ("deep_ref_pattern.rs", "let ", "&"),
        ("deep_closures.rs", "let f = ", "|| "),
        ("deep_binary.rs", "let x = 1", " + 1"),
        ("deep_else_if.rs", "if a {} ", "else if a {} "),
        ("deep_block_sum.rs", "let x = ", "{1} + "),
    ] {
        write(
            name,
            format!(
                "use std::sync::mpsc::channel;\nfn main() {{\n    {prefix}{}x;\n}}\n",
                unit.repeat(100_000)
            )
            .as_bytes(),
        );
        bad.push((shown(name), "nested too deep", Some((3, None))));
    }
    // A 25 MB file is checked (in groups of items), and its hang found at the right place.
    let huge = padding(25_000_000, "\n");
    let huge_lines = huge.matches('\n').count();
    write("huge.rs", format!("{huge}{}", body(&hang_a)).as_bytes());
    drop(huge);
    expected.insert(
        shown("huge.rs"),
        moved(&found_a, |l, c| (l + huge_lines, c)),
    );
    // Past the size limit, a file is refused without being read whole.
    let oversized = std::fs::File::create(root.join("oversized.rs")).unwrap();
    oversized
        .set_len(chanlint::load::MAX_FILE_BYTES + 1)
        .unwrap();
    bad.push((shown("oversized.rs"), "MiB", None));
    symlink("loop.rs", root.join("loop.rs")).unwrap();
    bad.push((shown("loop.rs"), "symbolic link", None));
    symlink("nowhere.rs", root.join("dangling.rs")).unwrap();
    bad.push((shown("dangling.rs"), "symbolic link", None));
    // A link to a file is checked under its own name; a link to a folder is not followed.
    symlink("hang_a.rs", root.join("linked.rs")).unwrap();
    expected.insert(shown("linked.rs"), found_a.clone());
    std::fs::create_dir_all(root.join("sub")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    let missing = root.join("does not exist");
    bad.push((
        missing.to_string_lossy().into_owned(),
        "cannot read path",
        None,
    ));

    // Unreadable file and folder; chmod 000 does not stop a privileged user (root in CI).
    write("secret.rs", hang_a.as_bytes());
    write("locked/inside.rs", hang_a.as_bytes());
    let locked = [root.join("secret.rs"), root.join("locked")];
    let _unlock = Unlock(locked.to_vec());
    for path in &locked {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let privileged = std::fs::read(root.join("secret.rs")).is_ok();
    if privileged {
        eprintln!("note: running with privileges that ignore chmod 000: not asserting the unreadable file and folder errors");
        expected.insert(shown("secret.rs"), found_a.clone());
        expected.insert(shown("locked/inside.rs"), found_a.clone());
    } else {
        bad.push((shown("secret.rs"), "cannot read file", None));
        bad.push((shown("locked"), "cannot walk", None));
    }

    let (code, json, elapsed) = check_json(&[&root, &missing], &[]);
    eprintln!("hostile tree checked in {elapsed:.2?}");
    assert!(elapsed < TIME_BOUND, "took {elapsed:?}");
    assert_eq!(code, 2, "{json:#}");

    let mut actual = findings(&json);
    let one_line_found = actual.remove(&shown("one_line.rs")).unwrap_or_default();
    assert_eq!(one_line_found.len(), 1, "{one_line_found:?}");
    assert_eq!(one_line_found[0].0, "lingering-sender");
    assert_eq!(one_line_found[0].1[0][..2], [1, tx_column]);
    assert_eq!(actual, expected);

    let errors = json["errors"].as_array().unwrap();
    for (path, words, position) in &bad {
        let matching: Vec<&Value> = errors.iter().filter(|e| e["path"] == *path).collect();
        assert_eq!(matching.len(), 1, "{path}: {errors:#?}");
        let error = matching[0];
        assert!(
            error["message"].as_str().unwrap().contains(words),
            "{path}: {error}"
        );
        if let Some((line, column)) = position {
            assert_eq!(
                error["line"].as_u64(),
                Some(*line as u64),
                "{path}: {error}"
            );
            let actual = error["column"].as_u64().unwrap() as usize;
            assert!(column.is_none_or(|c| c == actual), "{path}: {error}");
        }
    }
    assert_eq!(errors.len(), bad.len(), "{errors:#?}");
}
