//! ## What it does
//! Finds a task that holds a sender of a channel and runs a `loop` that never exits (no
//! `break`, `return` or `?`, nothing that may panic or exit), while the same channel is
//! drained to its end elsewhere: a heartbeat, ticker or poller thread. A loop whose only
//! exits are taken when a send of that sender fails (`if ticks.send(t).is_err() { break }`,
//! `ticks.send(t)?`, a `match` on the send) is as endless for that sender: the send fails only
//! once the receiver is gone, and the receiver waits for the sender.
//!
//! A task that never finishes is also a `forward` into a hand-written `Sink` that keeps the
//! oneshot reply sender of each message in one of its fields (`self.in_flight.push_back(..)`)
//! until the reply comes from a stream it polls, and that reads the end of that stream as
//! success (`None => return Poll::Ready(())`): the sink never fails there, so the `forward`
//! ends only when the stream of messages ends, which the callers keep open while they await
//! their replies; the parked senders are neither answered nor dropped (redis-rs #275).
//! Returning an error at the end (`Poll::Ready(Err(..))`) stops the `forward`, which drops
//! the sink and with it the senders: the waiting callers see the channel closed.
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
//! out (no finding). Channels created inside a loop are skipped. A parking sink is read in
//! one file (the sink, its item struct and the `forward`), with the message built in place in
//! the send; its end arm must be exactly a success value (see the README's fallbacks).

use std::collections::HashSet;

use super::{story, Rule};
use crate::facts::parking_sinks::ParkingSink;
use crate::facts::{EndlessTask, FileFacts, HeldSender, ReplySend, WaitForm};
use crate::finding::{Finding, Label, Severity};
use crate::loc::Loc;

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
    for sink in &facts.parking_sinks {
        if let Some((send, wait)) = awaited_reply(facts, sink) {
            findings.push(parked_finding(facts, sink, send, wait, path));
        }
    }
    findings
}

/// A reply sender of the sink's library sent in a message of the sink's item type, and the
/// await of its reply.
fn awaited_reply<'f>(facts: &'f FileFacts, sink: &ParkingSink) -> Option<(&'f ReplySend, Loc)> {
    facts
        .reply_sends
        .iter()
        .filter(|s| s.message.as_deref() == Some(sink.item.as_str()))
        .filter(|s| facts.channels[s.chan].library == sink.library)
        .find_map(|send| {
            let wait = facts
                .waits
                .iter()
                .find(|w| w.chan == send.chan && w.form == WaitForm::Oneshot)?;
            Some((send, wait.at))
        })
}

/// A `forward` into a sink that parks reply senders and goes on past the end of its replies.
fn parked_finding(
    facts: &FileFacts,
    sink: &ParkingSink,
    send: &ReplySend,
    wait: Loc,
    path: &str,
) -> Finding {
    let (ty, field) = (&sink.ty, &sink.field);
    let labels = vec![
        story::created(facts, send.chan),
        Label {
            loc: send.at,
            message: format!("the reply sender travels inside a `{}` to the sink", sink.item),
        },
        Label {
            loc: sink.forward,
            message: format!("this `forward` drives `{ty}`: it ends only when the messages end or the sink fails"),
        },
        Label {
            loc: sink.end,
            message: "the end of the replies is read as success here, so the sink never fails at it".into(),
        },
        Label {
            loc: wait,
            message: "this waits for the reply until the sender sends or is dropped".into(),
        },
    ];
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!(
            "`{ty}` keeps reply senders in `{field}` after its replies end, so the wait for a reply never ends"
        ),
        path: path.to_string(),
        primary: Label {
            loc: sink.park,
            message: format!("the reply sender is parked in `{field}`, dropped only with the sink"),
        },
        labels: story::dedup(labels, sink.park),
        notes: vec![format!(
            "the callers awaiting replies keep the stream of messages open, so the `forward` into `{ty}` never ends and never drops `{field}`"
        )],
        help: Some(
            "return an error when the reply stream ends (`Poll::Ready(Err(..))`): the `forward` stops and drops the sink with its senders".into(),
        ),
        fix: None,
    }
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
            message: match task.leaves_on_send_failure {
                true => "this loop exits only when a send fails, once the receiver is gone, so the task keeps the sender until then".into(),
                false => "this loop never exits, so the task never drops the sender".into(),
            },
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
