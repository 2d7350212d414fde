//! A file over `big_file::GROUPED_ABOVE` is parsed and analysed in groups of items. Its
//! findings must be those of the same code checked as one small file: imports, helpers and
//! suppressions at one end of the file still apply at the other, and every span keeps its line.

use chanlint::big_file::GROUPED_ABOVE;
use chanlint::finding::Label;

const HEADER: &str = "use std::sync::mpsc;\nuse std::thread;\n\n";

/// Drains its parameter: a caller that still holds a sender waits forever on it.
const HELPER: &str = "fn drain_all(rx: mpsc::Receiver<u32>) -> u32 {
    let mut total = 0;
    for v in rx {
        total += v;
    }
    total
}
";

/// Hangs: the original `tx` is alive while `rx` is drained.
const DIRECT_HANG: &str = "fn direct_hang() {
    let (tx, rx) = mpsc::channel::<u32>();
    for i in 0..4 {
        let tx = tx.clone();
        thread::spawn(move || tx.send(i).unwrap());
    }
    for v in rx {
        println!(\"{v}\");
    }
}
";

const SUPPRESSED: &str = "// chanlint: allow(lingering-sender) -- kept to test suppressions
fn suppressed_hang() {
    let (tx, rx) = mpsc::channel::<u32>();
    let worker = tx.clone();
    thread::spawn(move || worker.send(1).unwrap());
    for v in rx {
        println!(\"{v}\");
    }
}
";

const UNUSED_SUPPRESSION: &str = "// chanlint: allow(lingering-sender) -- nothing to suppress
fn closes_properly() {
    let (tx, rx) = mpsc::channel::<u32>();
    drop(tx);
    for v in rx {
        println!(\"{v}\");
    }
}
";

/// Hangs only through the helper, defined in the first group of the file.
const HANG_VIA_HELPER: &str = "fn hang_via_helper() -> u32 {
    let (tx, rx) = mpsc::channel::<u32>();
    for i in 0..4 {
        let tx = tx.clone();
        thread::spawn(move || tx.send(i).unwrap());
    }
    drain_all(rx)
}
";

/// Functions with a channel that is closed properly, one per line, `bytes` long.
fn padding(bytes: usize) -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&format!(
            "fn pad{i}() {{ let (tx, rx) = mpsc::channel::<u32>(); tx.send({i}).unwrap(); drop(tx); for v in rx {{ println!(\"{{v}}\"); }} }}\n"
        ));
        i += 1;
    }
    out
}

type Spans = (String, Vec<(usize, usize)>);

fn findings(text: String) -> Vec<Spans> {
    let mut checked = chanlint::check_source("big.rs", text.into_bytes()).unwrap();
    checked
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    checked
        .findings
        .iter()
        .map(|f| {
            let at = |l: &Label| (l.loc.line, l.loc.column);
            let spans = std::iter::once(&f.primary)
                .chain(&f.labels)
                .map(at)
                .collect();
            (f.rule.to_string(), spans)
        })
        .collect()
}

#[test]
fn a_big_file_has_the_findings_of_the_same_code_in_one_small_file() {
    let parts = [
        HEADER,
        HELPER,
        "PAD",
        DIRECT_HANG,
        SUPPRESSED,
        "PAD",
        UNUSED_SUPPRESSION,
        "PAD",
        HANG_VIA_HELPER,
    ];
    let pad = padding(GROUPED_ABOVE / 3 + 1000);
    let pad_lines = pad.matches('\n').count();
    let small: String = parts.iter().filter(|p| **p != "PAD").copied().collect();
    let big: String = parts
        .iter()
        .map(|p| if *p == "PAD" { pad.as_str() } else { p })
        .collect();
    assert!(big.len() > GROUPED_ABOVE);
    // Where each part starts in the small file, and how many padding lines precede it.
    let mut shifts = Vec::new();
    let (mut line, mut pads) = (1, 0);
    for part in parts {
        if part == "PAD" {
            pads += pad_lines;
        } else {
            shifts.push((line, pads));
            line += part.matches('\n').count();
        }
    }
    let shift = |line: usize| {
        let (_, pads) = shifts
            .iter()
            .rev()
            .find(|(start, _)| *start <= line)
            .unwrap();
        line + pads
    };
    let expected: Vec<Spans> = findings(small)
        .into_iter()
        .map(|(rule, spans)| {
            let spans = spans.into_iter().map(|(l, c)| (shift(l), c)).collect();
            (rule, spans)
        })
        .collect();
    let rules: Vec<&str> = expected.iter().map(|(rule, _)| rule.as_str()).collect();
    assert_eq!(
        rules,
        ["lingering-sender", "unused-suppression", "lingering-sender"],
        "the small file itself: {expected:?}"
    );

    // Run on a thread with a small stack: the groups are analysed on big-stack workers.
    let actual = std::thread::spawn(move || findings(big)).join().unwrap();
    assert_eq!(actual, expected);
}

/// Over 8 MiB, a file that cannot be cut is an error, never one tree of gigabytes: a syntax
/// error is reported where it is; a file that is one item is refused.
#[test]
fn a_file_too_big_to_parse_whole_is_an_error_where_it_cannot_be_cut() {
    let pad = padding(9 << 20);
    let broken_line = HEADER.matches('\n').count() + pad.matches('\n').count() + 1;
    let broken = format!("{HEADER}{pad}fn broken() {{ let = 1; }}\n");
    let error = std::thread::spawn(move || chanlint::check_source("big.rs", broken.into_bytes()))
        .join()
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (error.line, error.column),
        (Some(broken_line), Some(19)),
        "{error:?}"
    );
    assert!(error.message.starts_with("cannot parse"), "{error:?}");

    let one_item = format!("{HEADER}pub mod generated {{\n    use super::*;\n{pad}}}\n");
    let error = std::thread::spawn(move || chanlint::check_source("big.rs", one_item.into_bytes()))
        .join()
        .unwrap()
        .unwrap_err();
    assert!(error.message.contains("no place to cut"), "{error:?}");
}

/// What a group reads of the rest of the file must not invent a finding: a macro that empties
/// a static in another group, and an impl whose header names `fn` (found by a review).
#[test]
fn reading_other_groups_invents_no_finding() {
    let cleared_in_a_macro = [
        "use std::sync::mpsc::{self, Sender};\nuse std::sync::Mutex;\nuse std::thread;\n\n\
         macro_rules! guarded {\n    ($($body:tt)*) => {{ $($body)* }};\n}\n\n\
         static LOG: Mutex<Option<Sender<String>>> = Mutex::new(None);\n\n\
         fn log(line: &str) {\n    if let Some(tx) = LOG.lock().unwrap().as_ref() {\n        let _ = tx.send(line.to_string());\n    }\n}\n",
        "fn shutdown() {\n    guarded! {\n        let mut slot = LOG.lock().unwrap();\n        slot.take();\n    }\n}\n",
        "fn main() {\n    let (tx, rx) = mpsc::channel::<String>();\n    *LOG.lock().unwrap() = Some(tx);\n    let writer = thread::spawn(move || rx.into_iter().count());\n    log(\"start\");\n    shutdown();\n    println!(\"{} lines\", writer.join().unwrap());\n}\n",
    ];
    let fn_in_impl_header = [
        "use std::sync::mpsc::{channel, Receiver};\n\n\
         struct A { rx: Receiver<u32> }\nimpl A {\n    fn process(&self) { for _ in self.rx.iter() {} }\n}\n",
        "struct B<F> { rx: Receiver<u32>, on_item: F }\nimpl B<fn(u32)> {\n    fn process(&self) { if let Ok(v) = self.rx.try_recv() { (self.on_item)(v) } }\n}\n",
        "fn main() {\n    let (tx, rx) = channel();\n    let b: B<fn(u32)> = B { rx, on_item: |v| println!(\"{v}\") };\n    b.process();\n    tx.send(1).unwrap();\n    drop(tx);\n}\n",
    ];
    for parts in [cleared_in_a_macro, fn_in_impl_header] {
        let small: String = parts.concat();
        assert!(findings(small).is_empty(), "{parts:?}");
        // Each part in a group of its own.
        let pad = padding(GROUPED_ABOVE / 3);
        let big = parts.join(&pad) + &pad;
        let found = std::thread::spawn(move || findings(big)).join().unwrap();
        assert!(found.is_empty(), "{found:?}");
    }
}

/// Fixtures whose findings need what other items say (constructors, `Drop`, methods that
/// release `self`, summaries of methods), each top-level item in a group of its own: the same
/// findings as the fixture in one piece.
#[test]
fn fixtures_cut_into_groups_find_the_same() {
    for name in [
        "owner_method_takes_sender_first_ok",
        "actor_struct_self_sender_tokio",
        "drop_impl_joins_writer_lingering",
        "method_stores_clone_lingering",
    ] {
        let path = format!("{}/fixtures/src/bin/{name}.rs", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let file = syn::parse_file(&text).unwrap();
        let parts: Vec<String> = file
            .items
            .iter()
            .map(|item| {
                let span = syn::spanned::Spanned::span(item);
                text[span.byte_range()].to_string() + "\n"
            })
            .collect();
        let pad = padding((1 << 20) + 1000);
        let pad_lines = pad.matches('\n').count();
        let small: String = parts.concat();
        let big = parts.join(&pad) + &pad;
        // Item `i` moves down by `i` paddings.
        let mut starts = Vec::new();
        let mut line = 1;
        for part in &parts {
            starts.push(line);
            line += part.matches('\n').count();
        }
        let shift =
            |line: usize| line + pad_lines * (starts.iter().filter(|&&s| s <= line).count() - 1);
        let expected: Vec<Spans> = findings(small)
            .into_iter()
            .map(|(rule, spans)| {
                (
                    rule,
                    spans.into_iter().map(|(l, c)| (shift(l), c)).collect(),
                )
            })
            .collect();
        let actual = std::thread::spawn(move || findings(big)).join().unwrap();
        assert_eq!(actual, expected, "{name}");
    }
}
