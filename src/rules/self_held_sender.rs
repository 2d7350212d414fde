//! ## What it does
//! Finds a task (or closure) that drains a channel to its end while it holds a strong sender
//! of that same channel, captured when it was made: a worker that feeds work back to its own
//! queue, an actor value that carries both its mailbox and a sender to it.
//!
//! ## Why is this bad?
//! The receive loop ends only when every sender is dropped, and the task drops its own
//! sender only when the loop ends. Once every other sender is gone the task waits forever,
//! and whoever joins it waits too (pearl #259, mirrord #4414, crossbeam #570).
//!
//! ## Example
//! ```rust,ignore
//! let (tx, mut rx) = mpsc::channel(16);
//! let requeue = tx.clone();
//! let worker = tokio::spawn(async move {
//!     while let Some(job) = rx.recv().await {
//!         if job.retry { requeue.send(job.next()).await.ok(); }
//!     }
//! });
//! drop(tx);
//! worker.await.unwrap(); // never returns: the worker holds `requeue`
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let requeue = tx.downgrade(); // a `WeakSender` does not keep the channel open
//! let worker = tokio::spawn(async move {
//!     while let Some(job) = rx.recv().await {
//!         if let Some(requeue) = requeue.upgrade() { requeue.send(job.next()).await.ok(); }
//!     }
//! });
//! ```
//! Where the library has no weak sender, end the loop on another condition (a count, a
//! sentinel message) or drop the task's sender once it will feed no more work back.
//!
//! ## Known limitations
//! Only a receiver and sender that come into the task together from the same function are
//! seen. An actor whose struct is built in one function and run by a method elsewhere is
//! not followed yet. Weak senders (`downgrade()`) never count. Channels created inside a
//! loop are skipped (each iteration makes a new channel, and a receiver handed on from an
//! earlier iteration would look like the same one), and so is a captured name that the task
//! body also binds (it may be a shadow, not a capture).

use std::collections::HashSet;

use super::{story, Rule};
use crate::catalogue;
use crate::facts::{Acquired, FileFacts, Held, Wait, WaitForm};
use crate::finding::{Finding, Label, Severity};

pub const RULE: Rule = Rule {
    id: "self-held-sender",
    severity: Severity::Warning,
    summary: "a task drains a channel while it holds a strong sender of that same channel",
    source: include_str!("self_held_sender.rs"),
    check,
};

fn check(facts: &FileFacts, path: &str) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    // A channel made in a loop is a new channel at each iteration: the task's sender may
    // belong to another one than the receiver it drains.
    for wait in facts
        .waits
        .iter()
        .filter(|w| !facts.channels[w.chan].in_loop)
    {
        for held in wait.held.iter().filter(|h| h.captured) {
            if seen.insert((held.at, wait.chan)) {
                findings.push(finding(facts, wait, held, path));
            }
        }
    }
    findings
}

fn finding(facts: &FileFacts, wait: &Wait, held: &Held, path: &str) -> Finding {
    let h = &held.holder;
    let library = facts.channels[wait.chan].library;
    // `self.tx` while a method drains `self.rx`: the owner is the value, not a task.
    let owner = if h.starts_with("self.") {
        "the value whose method"
    } else {
        "the task that"
    };
    let primary = match held.how {
        Acquired::Stored if owner != "the task that" => {
            format!("the sender stored in `{h}` here stays in {owner} drains its channel")
        }
        Acquired::Stored => {
            format!("the sender stored in `{h}` here goes into the task that drains its channel")
        }
        _ => format!("this sender, `{h}`, goes into the task that drains its channel"),
    };
    let mut labels = vec![story::created(facts, wait.chan)];
    labels.push(Label {
        loc: wait.at,
        message: format!("this waits until every sender is dropped, `{h}` included"),
    });
    if let WaitForm::Call {
        function,
        drain: Some(drain),
    } = &wait.form
    {
        labels.push(Label {
            loc: *drain,
            message: format!("`{function}` receives from the channel here"),
        });
    }
    let help = if catalogue::has_weak_senders(library) && held.how == Acquired::Stored {
        format!("store a weak sender (`tx.downgrade()`) in `{h}` instead: a weak sender does not keep the channel open")
    } else if catalogue::has_weak_senders(library) {
        format!(
            "give the task a weak sender (`tx.downgrade()`) instead of `{h}`: a weak sender does not keep the channel open"
        )
    } else {
        format!("end the loop on another condition, or drop `{h}` inside the task once it will send no more ({library} has no weak sender)")
    };
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!("{owner} drains this channel holds a sender of it in `{h}`, so its loop never ends"),
        path: path.to_string(),
        primary: Label {
            loc: held.at,
            message: primary,
        },
        labels: story::dedup(labels, held.at),
        notes: vec![
            "a receiver sees the end of a channel only once every sender, its own included, is dropped"
                .into(),
        ],
        help: Some(help),
        fix: None,
    }
}
