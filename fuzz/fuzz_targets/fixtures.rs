//! A fixture with structure-aware edits: Rust fragments, line endings, BOMs, brackets and
//! raw bytes spliced in, ranges cut or repeated. The fixtures are real hang and ok programs,
//! so the mutants stay close to code the analysis reads deeply.
#![no_main]

use arbitrary::Arbitrary;

#[derive(Arbitrary, Debug)]
struct Input {
    fixture: u8,
    edits: Vec<Edit>,
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Insert {
        at: u16,
        fragment: u8,
    },
    InsertBytes {
        at: u16,
        bytes: Vec<u8>,
    },
    Delete {
        at: u16,
        len: u8,
    },
    Repeat {
        at: u16,
        len: u8,
        times: u8,
    },
    Crlf,
    /// A name from the catalogue, called with some arguments (any number, any kind).
    Call {
        at: u16,
        name: u8,
        args: u8,
    },
}

const ARGS: &[&str] = &[
    "",
    "tx",
    "rx",
    "tx, rx",
    "|| {}",
    "|s| {}",
    "async move {}",
    "h, s, 1",
];

/// The catalogue's functions and methods, as call prefixes (`path(` or `.method(`).
fn names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        use chanlint::catalogue as c;
        let functions = [
            c::SPAWN_FUNCTIONS,
            c::SCOPE_FUNCTIONS,
            c::BLOCK_ON_FUNCTIONS,
            c::WRAPPERS,
            c::JOIN_FUNCTIONS,
            c::DROP_FUNCTIONS,
        ]
        .concat();
        let methods = [
            c::SPAWN_METHODS,
            c::BLOCK_ON_METHODS,
            c::ABORT_METHODS,
            c::STORING_METHODS,
            c::DRAINING_ADAPTERS,
            c::DRAINING_CONSUMERS,
            c::RECV_METHODS,
            c::JOIN_METHODS,
            c::ASYNC_JOIN_METHODS,
        ]
        .concat();
        let mut out: Vec<String> = functions.iter().map(|f| format!("{f}(")).collect();
        out.extend(methods.iter().map(|m| format!(".{m}(")));
        out.extend(c::RECEIVER_WRAPPERS.iter().map(|w| format!("{w}::new(")));
        out.extend(c::BORROWING_MACROS.iter().map(|m| format!("{m}!(")));
        for lib in c::LIBRARIES {
            for module in lib.modules {
                out.extend(lib.constructors.iter().map(|k| format!("{module}::{k}(")));
            }
        }
        out
    })
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    "\n",
    "\r\n",
    "\t",
    "\u{feff}",
    "#!/bin/x\n",
    "//",
    "/*",
    "*/",
    "\"",
    "'",
    "r#\"",
    "\"#",
    "b'",
    "'a",
    "é",
    "𝕏",
    "let (tx, rx) = std::sync::mpsc::channel();",
    "drop(tx);",
    "let tx2 = tx.clone();",
    "for v in rx {}",
    "while let Some(v) = rx.recv().await {}",
    "rx.recv().unwrap();",
    "std::thread::spawn(move || { tx.send(1).unwrap(); });",
    "handle.join().unwrap();",
    "std::thread::scope(|s| { s.spawn(|| for v in rx {}); });",
    "move ||",
    "async move {",
    ".await",
    "let _ = tx;",
    "let _tx = tx;",
    "mem::drop(tx);",
    "Some(tx)",
    "vec![tx]",
    "println!(\"{}\", tx);",
    "m!{tx}",
    "macro_rules! m { ($e:expr) => { $e } }",
    "tx",
    "rx",
    "loop {",
    "match rx.recv() { Ok(v) => {}, Err(_) => break }",
    "if x {",
    "} else {",
    "return;",
    "break;",
    "continue;",
    "?",
    "&mut ",
    "&",
    "*",
    "fn f(tx: Sender<i32>) {",
    "impl S {",
    "struct S { tx: Sender<i32> }",
    "S { tx }",
    "self.tx",
    "||",
    "|x|",
    "// chanlint: allow(lingering-sender)",
    "#[allow(chanlint::lingering_sender)]",
    "tokio::spawn(",
    "crossbeam_channel::bounded(0)",
    "tokio::sync::oneshot::channel()",
];

fn fixtures() -> &'static [Vec<u8>] {
    static FIXTURES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/src/bin");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("fixtures folder")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    })
}

fn apply(text: &mut Vec<u8>, edit: &Edit) {
    let clamp = |at: u16, len: usize| (at as usize) % (len + 1);
    match *edit {
        Edit::Insert { at, fragment } => {
            let at = clamp(at, text.len());
            let fragment = FRAGMENTS[fragment as usize % FRAGMENTS.len()].as_bytes();
            text.splice(at..at, fragment.iter().copied());
        }
        Edit::InsertBytes { at, ref bytes } => {
            let at = clamp(at, text.len());
            text.splice(at..at, bytes.iter().copied());
        }
        Edit::Delete { at, len } => {
            let at = clamp(at, text.len());
            let end = (at + len as usize).min(text.len());
            text.drain(at..end);
        }
        Edit::Repeat { at, len, times } => {
            let at = clamp(at, text.len());
            let end = (at + len as usize).min(text.len());
            let piece = text[at..end].to_vec();
            for _ in 0..times.min(64) {
                text.splice(end..end, piece.iter().copied());
            }
        }
        Edit::Call { at, name, args } => {
            let at = clamp(at, text.len());
            let names = names();
            let call = format!(
                "{}{})",
                names[name as usize % names.len()],
                ARGS[args as usize % ARGS.len()]
            );
            text.splice(at..at, call.bytes());
        }
        Edit::Crlf => {
            let mut out = Vec::with_capacity(text.len() * 11 / 10);
            for &b in text.iter() {
                if b == b'\n' {
                    out.push(b'\r');
                }
                out.push(b);
            }
            *text = out;
        }
    }
}

libfuzzer_sys::fuzz_target!(|input: Input| {
    let all = fixtures();
    let mut text = all[input.fixture as usize % all.len()].clone();
    for edit in input.edits.iter().take(32) {
        apply(&mut text, edit);
    }
    chanlint_fuzz::check(text);
});
