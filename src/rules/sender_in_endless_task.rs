//! ## What it does
//! Finds a task that holds a sender of a channel and runs a `loop` that never exits (no
//! `break`, `return` or `?`, nothing that may panic or exit), while the same channel is
//! drained to its end elsewhere: a heartbeat, ticker or poller thread.
//!
//! ## Why is this bad?
//! The endless task keeps its sender until the program ends, so the receiver never sees the
//! end of the channel: `for v in rx` never finishes, and neither does the join of a consumer
//! (tod #1640, dirge #644). A `send(..).unwrap()` in the loop does not help: the send fails
//! only once the receiver is dropped, and the receiver is dropped only once its drain ends.
//!
//! ## Example
//! ```rust,ignore
//! let (tx, rx) = mpsc::channel();
//! let ticks = tx.clone();
//! thread::spawn(move || loop {
//!     let _ = ticks.send(Event::Tick);
//!     thread::sleep(Duration::from_secs(1));
//! });
//! work(tx);                   // sends, then drops `tx`
//! for event in rx { .. }      // never ends: the ticker holds `ticks`
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! thread::spawn(move || loop {
//!     if ticks.send(Event::Tick).is_err() { break; }
//!     thread::sleep(Duration::from_secs(1));
//! });
//! for event in rx {
//!     if let Event::Done = event { break; } // stop on a message, not on the channel's end
//! }
//! ```
//! Or stop the ticker with a shutdown flag or channel before draining.
//!
//! ## Known limitations
//! Only `loop` expressions in a closure or async block passed to a spawn function are seen; a
//! ticker written as a named function is not followed yet. Any `unwrap()` other than on a
//! send, any macro other than printing and logging, and any indexing count as a possible way
//! out (no finding). Channels created inside a loop are skipped.

use std::collections::HashSet;

use super::{story, Rule};
use crate::facts::{EndlessTask, FileFacts, HeldSender};
use crate::finding::{Finding, Label, Severity};

pub const RULE: Rule = Rule {
    id: "sender-in-endless-task",
    severity: Severity::Error,
    summary: "a task that never finishes holds a sender of a channel that is drained to its end",
    source: include_str!("sender_in_endless_task.rs"),
    check,
};

fn check(facts: &FileFacts, path: &str) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for task in &facts.endless_tasks {
        // A channel made in a loop is a new channel at each iteration: skipped.
        for held in task.held.iter().filter(|h| !facts.channels[h.chan].in_loop) {
            let Some(wait) = story::first_wait(facts, held.chan) else {
                continue;
            };
            if seen.insert((held.at, held.chan)) {
                let waits = story::wait_labels(wait);
                findings.push(finding(facts, task, held, waits, path));
            }
        }
    }
    findings
}

fn finding(
    facts: &FileFacts,
    task: &EndlessTask,
    held: &HeldSender,
    wait_labels: Vec<Label>,
    path: &str,
) -> Finding {
    let h = &held.holder;
    let mut labels = vec![
        story::created(facts, held.chan),
        Label {
            loc: task.loop_at,
            message: "this loop never exits, so the task never drops the sender".into(),
        },
    ];
    labels.extend(wait_labels);
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!(
            "`{h}` goes into a task that never finishes, so the channel drained elsewhere never ends"
        ),
        path: path.to_string(),
        primary: Label {
            loc: held.at,
            message: format!("the endless task holds this sender, `{h}`"),
        },
        labels: story::dedup(labels, held.at),
        notes: vec![
            "a failed `send` cannot end the loop: it fails only once the receiver is gone, and the receiver waits for this sender".into(),
        ],
        help: Some(
            "stop the task before the drain (a shutdown flag or channel), or stop the drain on a message instead of the channel's end"
                .into(),
        ),
        fix: None,
    }
}
