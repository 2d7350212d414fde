//! ## What it does
//! Finds an explicit close of a sender (`self.tx.take()`, `self.tx = None`, `close()`,
//! `STATIC.lock().unwrap().take()`) that an earlier error exit of the same function (`?`,
//! `return Err(..)`, `bail!`) skips, while the sender lives on after that exit: a field of
//! a struct the method only borrows, or a static. The channel is drained to its end somewhere
//! in the file.
//!
//! ## Why is this bad?
//! The code closes the channel on purpose because a consumer waits for its end. On the error
//! path the close never happens, and since the holder outlives the function, the consumer
//! (and whoever joins it) waits forever.
//!
//! This is the Rust form of Go's "close skipped on the error path". When the sender is a
//! local of the exiting function, the exit drops it and the channel closes anyway: that case
//! is not reported.
//!
//! ## Example
//! ```rust,ignore
//! fn finish(&mut self) -> io::Result<()> {
//!     self.flush_header()?;   // on error, `self.tx` stays alive
//!     self.tx = None;         // closes the channel the writer thread drains
//!     Ok(())
//! }
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! fn finish(&mut self) -> io::Result<()> {
//!     let header = self.flush_header();
//!     self.tx = None;         // close on every path
//!     header
//! }
//! ```
//! Or take the sender out first (`let tx = self.tx.take();`): the exit then drops it.
//!
//! ## Known limitations
//! Only closes of `self` fields in methods that borrow `self`, and of statics, are checked,
//! and only for fields filled from a channel created in the same file. An exit in a statement
//! that itself names the closed place is taken as a guard on it and not reported.
//!
//! A final "done" message counts as a close when the receiving code counts that variant in a
//! `while count < n { match rx.recv() { .. } }` loop while it holds a sender of the channel
//! itself (so `recv()` blocks instead of failing): an error exit of the sending body before
//! the send is reported. So is an error exit before a reply sender is taken out of a shared
//! pending-request map (`pending.lock().unwrap().remove(&id)`) while the code awaiting the
//! reply still holds the map: the sender is never sent nor dropped.
//!
//! Reply senders that travel inside messages (`tx.send(Msg::Req(id, reply_tx))`) to a server
//! task are parked in its pending map: an error exit in a helper that borrows the map
//! (`fn respond(pending: &mut HashMap<u64, oneshot::Sender<T>>, ..)`) before its `remove`,
//! whose error a caller drops (`let _ = respond(&mut pending, ..)`), leaves the sender in
//! the map while the task goes on; the code awaiting the reply (`.await`, or a `Future` impl
//! polling the receiver) waits forever. An exit in the statement that computes the key is
//! not reported: without a key there is no entry to take out. The map's contents are known
//! from its parameter type and from reply senders of the same library sent in messages, not
//! yet followed from the message to the map.

use std::collections::HashSet;

use super::{story, Rule};
use crate::facts::reply_maps::StrandedReply;
use crate::facts::{
    CountedReceive, DoneSend, FileFacts, Place, ReplySend, SkippedClose, Store, TakeOut, Wait,
    WaitForm,
};
use crate::finding::{Finding, Label, Severity};
use crate::loc::Loc;

pub const RULE: Rule = Rule {
    id: "early-exit-skips-close",
    severity: Severity::Warning,
    summary: "an early exit skips the explicit close of a sender that outlives the exit",
    source: include_str!("early_exit_skips_close.rs"),
    check,
};

fn check(facts: &FileFacts, path: &str) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for send in &facts.done_sends {
        let counting = facts.counted_receives.iter().find(|c| {
            c.chan == send.chan && c.variant == send.variant && c.held.iter().any(|h| !h.captured)
        });
        let Some(counting) = counting else { continue };
        for &exit in &send.exits {
            if seen.insert(exit) {
                findings.push(done_finding(facts, send, exit, counting, path));
            }
        }
    }
    for take in &facts.take_outs {
        let waiting = facts.waits.iter().find(|w| {
            w.chan == take.chan
                && w.form == WaitForm::Oneshot
                && w.parked.iter().any(|p| !p.captured)
        });
        let Some(waiting) = waiting else { continue };
        for &exit in &take.exits {
            if seen.insert(exit) {
                findings.push(take_out_finding(facts, take, exit, waiting, path));
            }
        }
    }
    for stranded in &facts.stranded_replies {
        if let Some((send, wait)) = reply_path(facts, stranded) {
            if seen.insert(stranded.exit) {
                findings.push(stranded_finding(facts, stranded, send, wait, path));
            }
        }
    }
    for skip in &facts.skipped_closes {
        let store = facts
            .stores
            .iter()
            .find(|s| s.place == skip.place && story::first_wait(facts, s.chan).is_some());
        let Some(store) = store else { continue };
        if seen.insert(skip.exit) {
            findings.push(finding(facts, skip, store, path));
        }
    }
    findings
}

fn finding(facts: &FileFacts, skip: &SkippedClose, store: &Store, path: &str) -> Finding {
    let w = &skip.written;
    let holder = match &skip.place {
        Place::Field { ty, .. } => format!("`{w}` lives on in the `{ty}` value after the exit"),
        Place::Static(_) => format!("`{w}` is a static: it lives on after the exit"),
    };
    let mut labels = vec![
        Label {
            loc: skip.close,
            message: format!("the close of `{w}` that this exit skips"),
        },
        Label {
            loc: store.at,
            message: match &store.place {
                Place::Field { ty, field } => {
                    format!("a sender of the channel goes into field `{field}` of `{ty}` here")
                }
                Place::Static(name) => format!("a sender of the channel goes into `{name}` here"),
            },
        },
        story::created(facts, store.chan),
    ];
    if let Some(wait) = story::first_wait(facts, store.chan) {
        labels.extend(story::wait_labels(wait));
    }
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!("this exit skips the close of `{w}`, which keeps the channel open"),
        path: path.to_string(),
        primary: Label {
            loc: skip.exit,
            message: "the function can leave here, before the close".into(),
        },
        labels: story::dedup(labels, skip.exit),
        notes: vec![holder],
        help: Some(format!(
            "close `{w}` on every path: take the sender out before the first exit (`let tx = {w}.take();`), or close it before returning the error"
        )),
        fix: None,
    }
}

/// An exit that skips a final message the receiving code counts, while that code holds a
/// sender itself: the count never completes and `recv()` never fails.
fn done_finding(
    facts: &FileFacts,
    send: &DoneSend,
    exit: Loc,
    counting: &CountedReceive,
    path: &str,
) -> Finding {
    let v = &send.variant;
    let held = counting
        .held
        .iter()
        .find(|h| !h.captured)
        .expect("checked by the caller");
    let h = &held.holder;
    let labels = vec![
        Label {
            loc: send.at,
            message: format!("the `{v}` message that this exit skips"),
        },
        Label {
            loc: counting.at,
            message: format!(
                "this loop counts `{v}` messages instead of waiting for the channel's end"
            ),
        },
        Label {
            loc: held.at,
            message: format!(
                "`{h}` keeps the channel open meanwhile, so `recv()` blocks instead of failing"
            ),
        },
        story::created(facts, send.chan),
    ];
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!("this exit skips the final `{v}` message that the receiver counts, while `{h}` keeps the channel open"),
        path: path.to_string(),
        primary: Label {
            loc: exit,
            message: format!("the task can leave here, before it sends `{v}`"),
        },
        labels: story::dedup(labels, exit),
        notes: vec![
            "the exit drops this task's sender, but another sender is alive, so the channel never ends either".into(),
        ],
        help: Some(format!(
            "send `{v}` on every path (also before returning the error), or drop `{h}` before counting and stop when `recv()` fails"
        )),
        fix: None,
    }
}

/// An exit that skips taking a reply sender out of a shared pending map, while the code that
/// awaits the reply still holds the map.
fn take_out_finding(
    facts: &FileFacts,
    take: &TakeOut,
    exit: Loc,
    waiting: &Wait,
    path: &str,
) -> Finding {
    let parked = waiting
        .parked
        .iter()
        .find(|p| !p.captured)
        .expect("checked by the caller");
    let m = &parked.holder;
    let labels = vec![
        Label {
            loc: take.at,
            message: "the reply sender would be taken out of the map here".into(),
        },
        Label {
            loc: parked.at,
            message: format!("the reply sender is parked here, in `{m}`, which stays alive"),
        },
        Label {
            loc: waiting.at,
            message: "this waits for the reply until the sender sends or is dropped".into(),
        },
        story::created(facts, take.chan),
    ];
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!("this exit leaves the reply sender in `{m}`, so the wait for the reply never ends"),
        path: path.to_string(),
        primary: Label {
            loc: exit,
            message: "the task can leave here, before it takes the reply sender out".into(),
        },
        labels: story::dedup(labels, exit),
        notes: vec![format!(
            "`{m}` keeps the sender alive after the exit: it is neither sent nor dropped"
        )],
        help: Some(
            "take the sender out of the map on every path (or clear the map when the task fails), so the waiting side sees it dropped"
                .into(),
        ),
        fix: None,
    }
}

/// A reply sender of the stranded library sent inside a message, and where a reply of that
/// library is waited on (an await of that channel, or a `Future` impl polling a receiver).
fn reply_path<'f>(facts: &'f FileFacts, stranded: &StrandedReply) -> Option<(&'f ReplySend, Loc)> {
    let library = |chan: usize| facts.channels[chan].library;
    let sends = facts
        .reply_sends
        .iter()
        .filter(|s| library(s.chan) == stranded.library);
    let mut by_library = None;
    for send in sends {
        let awaited = facts
            .waits
            .iter()
            .find(|w| w.chan == send.chan && w.form == WaitForm::Oneshot);
        if let Some(wait) = awaited {
            return Some((send, wait.at));
        }
        let polled = facts
            .reply_polls
            .iter()
            .find(|p| p.library == stranded.library);
        by_library = by_library.or(polled.map(|p| (send, p.at)));
    }
    by_library
}

/// An exit in a helper that borrows a server's pending map skips taking a reply sender out,
/// and a caller drops the error while the map lives on.
fn stranded_finding(
    facts: &FileFacts,
    stranded: &StrandedReply,
    send: &ReplySend,
    wait: Loc,
    path: &str,
) -> Finding {
    let m = &stranded.map;
    let labels = vec![
        Label {
            loc: stranded.take,
            message: format!("the reply sender would be taken out of `{m}` here"),
        },
        Label {
            loc: stranded.swallowed,
            message: format!("the error is dropped here, and `{m}` lives on with the sender in it"),
        },
        Label {
            loc: send.at,
            message: "reply senders travel inside messages to the task that keeps the map".into(),
        },
        Label {
            loc: wait,
            message: "this waits for the reply until the sender sends or is dropped".into(),
        },
        story::created(facts, send.chan),
    ];
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!(
            "this exit leaves the reply sender in `{m}`, so the wait for the reply never ends"
        ),
        path: path.to_string(),
        primary: Label {
            loc: stranded.exit,
            message: "the helper can leave here, before it takes the reply sender out".into(),
        },
        labels: story::dedup(labels, stranded.exit),
        notes: vec![format!(
            "`{m}` is borrowed: the task that owns it goes on running and keeps the sender, neither sent nor dropped"
        )],
        help: Some(format!(
            "take the sender out of `{m}` before the first exit (`let tx = {m}.remove(&id);`), or send the error to the waiting side through it"
        )),
        fix: None,
    }
}
