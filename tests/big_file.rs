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
