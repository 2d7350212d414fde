//! Property: blank lines, comments and CRLF line endings inserted into a fixture move its
//! findings by a predictable number of lines and characters, and never add or remove one.
//! The edits come from a seeded generator, so a failure names a seed that reproduces it.

use std::path::Path;

/// Layouts tried per fixture; every fixture (hang and ok) is tried.
const CASES: u64 = 48;

/// `(rule, [(line, column, end_line, end_column)])`: the primary span, then the labels.
type Spans = (String, Vec<[usize; 4]>);

/// SplitMix64: small, seedable, good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Whole lines that are blank or comments, in the file's line ending or the other one.
const EXTRA_LINES: &[&str] = &[
    "",
    "    ",
    "\t",
    "// a comment",
    "    // an indented comment with ü and 𝕏",
    "/* a block comment */",
    "/* a block comment\n   over two lines */",
];

/// Comments put in front of a line: they shift its columns by their width in characters.
const PREFIXES: &[&str] = &["/* c */ ", "/*é€𝕏*/", "/**/"];

/// A relayout of `text`: the new text, and where each original line went (line, column shift).
fn relayout(text: &str, rng: &mut Rng) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len() * 2);
    let mut moved = Vec::new();
    let mut line_no = 1;
    let crlf_everywhere = rng.chance(30);
    let newline = |rng: &mut Rng| {
        if crlf_everywhere || rng.chance(20) {
            "\r\n"
        } else {
            "\n"
        }
    };
    for line in text.lines() {
        while rng.chance(25) {
            // No doc comments: they are attributes, and would change the syntax.
            let extra = EXTRA_LINES[rng.below(EXTRA_LINES.len())];
            for part in extra.split('\n') {
                out.push_str(part);
                out.push_str(newline(rng));
                line_no += 1;
            }
        }
        let prefix = if rng.chance(15) {
            PREFIXES[rng.below(PREFIXES.len())]
        } else {
            ""
        };
        out.push_str(prefix);
        out.push_str(line);
        if rng.chance(15) {
            out.push_str(" // trailing");
        }
        out.push_str(newline(rng));
        moved.push((line_no, prefix.chars().count()));
        line_no += 1;
    }
    (out, moved)
}

fn findings(text: &str) -> Vec<Spans> {
    let text = text.to_string();
    // The analysis threads of `chanlint::check` have a large stack; so does this one.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let checked = chanlint::check_source("fixture.rs", text.into_bytes())
                .unwrap_or_else(|e| panic!("{e:?}"));
            let mut all: Vec<Spans> = checked
                .findings
                .iter()
                .map(|f| {
                    let at = |l: &chanlint::finding::Label| {
                        [l.loc.line, l.loc.column, l.loc.end_line, l.loc.end_column]
                    };
                    let spans = std::iter::once(&f.primary)
                        .chain(&f.labels)
                        .map(at)
                        .collect();
                    (f.rule.to_string(), spans)
                })
                .collect();
            all.sort();
            all
        })
        .unwrap()
        .join()
        .unwrap()
}

fn predicted(original: &[Spans], moved: &[(usize, usize)]) -> Vec<Spans> {
    let at = |line: usize, column: usize| {
        let (new_line, shift) = moved[line - 1];
        (new_line, column + shift)
    };
    let mut all: Vec<Spans> = original
        .iter()
        .map(|(rule, spans)| {
            let spans = spans
                .iter()
                .map(|&[l, c, el, ec]| {
                    let (l, c) = at(l, c);
                    let (el, ec) = at(el, ec);
                    [l, c, el, ec]
                })
                .collect();
            (rule.clone(), spans)
        })
        .collect();
    all.sort();
    all
}

#[test]
fn blank_lines_comments_and_crlf_move_findings_but_never_change_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/src/bin");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 40, "{} fixtures", paths.len());
    let (mut hangs, mut moved_findings) = (0, 0);
    for (index, path) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let original = findings(&text);
        if text.starts_with("//! truth: hang") {
            assert!(!original.is_empty(), "{}: no finding", path.display());
            hangs += 1;
        }
        for case in 0..CASES {
            let seed = (index as u64) << 32 | case;
            let (relaid, moved) = relayout(&text, &mut Rng(seed));
            let expected = predicted(&original, &moved);
            let actual = findings(&relaid);
            assert_eq!(
                actual,
                expected,
                "{} with seed {seed}:\n{relaid}",
                path.display()
            );
            moved_findings += usize::from(!original.is_empty() && expected != original);
        }
    }
    assert!(hangs >= 30, "{hangs} hang fixtures");
    // The layouts really move findings (the property is not checked on untouched files only).
    assert!(
        moved_findings > hangs * CASES as usize / 2,
        "{moved_findings}"
    );
}
