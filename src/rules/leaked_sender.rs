//! ## What it does
//! Finds a sender that the program never drops, because it is stored for the life of the
//! program (a `static`, `OnceLock`, `lazy_static!`, `thread_local!`, a global registry that
//! is never emptied) or leaked (`mem::forget` of the sender or of a value holding it,
//! `Box::leak`, `ManuallyDrop` never dropped by hand), while the same channel is drained to
//! its end.
//!
//! ## Why is this bad?
//! A receiver sees the end of a channel only when every sender is dropped. A sender in a
//! global or in leaked memory is never dropped, so `for v in rx`, a `recv().await` loop or
//! the join of a consumer thread waits forever (janus #3405, ai-memory-mcp #3856).
//!
//! ## Example
//! ```rust,ignore
//! static LOG: OnceLock<Sender<String>> = OnceLock::new();
//!
//! let (tx, rx) = mpsc::channel();
//! LOG.set(tx).unwrap();
//! let writer = thread::spawn(move || for line in rx { println!("{line}") });
//! log("starting");
//! writer.join().unwrap(); // never returns: `LOG` keeps a sender forever
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! static LOG: Mutex<Option<Sender<String>>> = Mutex::new(None);
//!
//! let (tx, rx) = mpsc::channel();
//! *LOG.lock().unwrap() = Some(tx);
//! let writer = thread::spawn(move || for line in rx { println!("{line}") });
//! log("starting");
//! LOG.lock().unwrap().take(); // the last sender goes away
//! writer.join().unwrap();
//! ```
//! Or keep the sender in a value the program drops, and pass it where it is needed.
//!
//! ## Known limitations
//! Only statics declared in the same file and channels created in it are followed. A static
//! the file empties anywhere (`take()`, `= None`, `remove`, `clear`, ...) counts as closed.
//! `ManuallyDrop` counts as released if the function calls `ManuallyDrop::drop`,
//! `into_inner` or `take` anywhere.

use std::collections::HashSet;

use super::{story, Rule};
use crate::facts::{FileFacts, Leak, LeakHow};
use crate::finding::{Finding, Label, Severity};

pub const RULE: Rule = Rule {
    id: "leaked-sender",
    severity: Severity::Warning,
    summary: "a sender kept for the life of the program (static, global, forget, leak) while its channel is drained",
    source: include_str!("leaked_sender.rs"),
    check,
};

fn check(facts: &FileFacts, path: &str) -> Vec<Finding> {
    let mut seen = HashSet::new();
    // One finding a place: the methods of a type each see `self` built anew, so the same
    // leak in its constructor comes with a channel of its own for each of them.
    facts
        .leaks
        .iter()
        .filter_map(|leak| Some((leak, story::first_wait(facts, leak.chan)?)))
        .filter(|(leak, _)| seen.insert(leak.at))
        .map(|(leak, wait)| finding(facts, leak, story::wait_labels(wait), path))
        .collect()
}

fn finding(facts: &FileFacts, leak: &Leak, wait_labels: Vec<Label>, path: &str) -> Finding {
    let (message, primary, help) = match &leak.how {
        LeakHow::Static(name) => (
            format!("a sender is stored in the static `{name}` and never dropped, so its channel never ends"),
            format!("the sender is stored in `{name}` here"),
            format!("`take()` the sender out of `{name}` when no more messages will come (keep it as an `Option`), or pass the sender where it is needed instead of a global"),
        ),
        LeakHow::Forget => (
            "`mem::forget` leaks a sender, so its channel never ends".to_string(),
            "the sender is forgotten here and never dropped".to_string(),
            "drop the sender (`drop(..)`) instead of forgetting it".to_string(),
        ),
        LeakHow::BoxLeak => (
            "`Box::leak` leaks a sender, so its channel never ends".to_string(),
            "the sender is leaked here and never dropped".to_string(),
            "keep the sender in an owned value that is dropped when no more messages will come".to_string(),
        ),
        LeakHow::Global { setter, keeps } => (
            format!("a sender is handed to `{setter}`, which keeps it in {keeps} for the rest of the process, so its channel never ends"),
            format!("`{setter}` keeps the sender here, in {keeps}"),
            format!("keep only a weak sender (or an `Option` taken out before the wait) in {keeps}, or remove it from there before waiting for the channel's end"),
        ),
        LeakHow::ManuallyDrop => (
            "a sender in `ManuallyDrop` is never dropped, so its channel never ends".to_string(),
            "the sender is wrapped here and never dropped by hand".to_string(),
            "call `ManuallyDrop::drop` (or `into_inner`) on it, or do not wrap the sender".to_string(),
        ),
    };
    let mut labels = Vec::new();
    let inside = leak.acquired.line >= leak.at.line && leak.acquired.end_line <= leak.at.end_line;
    if !inside {
        labels.push(Label {
            loc: leak.acquired,
            message: "the leaked sender comes from here".into(),
        });
    }
    labels.push(story::created(facts, leak.chan));
    labels.extend(wait_labels);
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message,
        path: path.to_string(),
        primary: Label {
            loc: leak.at,
            message: primary,
        },
        labels: story::dedup(labels, leak.at),
        notes: vec![
            "a receiver sees the end of a channel only once every sender, clones included, is dropped"
                .into(),
        ],
        help: Some(help),
        fix: None,
    }
}
