//! ## What it does
//! Finds code that waits for a channel to close while it still holds a sender of that
//! channel: the original `tx`, a clone kept in a local, or a sender inside a struct, tuple,
//! `Vec`, `Option`, `Mutex`/`Arc` or a closure that the waiting code keeps alive.
//!
//! A producer that hands a consumer the receivers of two channels together (a response with
//! its headers and its body) and, after writing the first, sends into the second (bounded)
//! while it still holds a sender of the first, waits in that send for the consumer, who is
//! reading the first to its end: that send is a wait for the first channel's end too.
//!
//! ## Why is this bad?
//! A receiver sees the end of a channel only when every sender, clones included, has been
//! dropped. `for v in rx`, `while let Some(v) = rx.recv().await`, joining a consumer thread,
//! or the end of a `thread::scope` that drains the channel all wait for that end. If the
//! waiting code itself still owns a sender, the end never comes: a batch job hangs, a service
//! leaks the task and its memory.
//!
//! ## Example
//! ```rust,ignore
//! let (tx, rx) = mpsc::channel();
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     thread::spawn(move || tx.send(i).unwrap());
//! }
//! for v in rx {} // never ends: `tx` is still alive
//! ```
//!
//! ## Use instead
//! ```rust,ignore
//! let (tx, rx) = mpsc::channel();
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     thread::spawn(move || tx.send(i).unwrap());
//! }
//! drop(tx);
//! for v in rx {}
//! ```
//! Or move the original sender into the last task instead of cloning it.
//!
//! ## Known limitations
//! Senders are followed across the functions and files of one crate through summaries: what a
//! function returns (a struct or tuple holding a sender or a task handle), what it stores into
//! a parameter it borrows mutably, and which parameters' channels it drains or whose tasks it
//! joins. Summaries are followed two calls deep inside a file and one call deep across files.
//! A method call is followed only when one method of that name in the crate matters to
//! channels. A sender passed to a function whose body is not seen, or named inside a macro the
//! checker cannot read, counts as moved (no finding). A collection filled in a loop is taken
//! to hold what the body stored (the loop ran at least once). A sender moved on only some
//! paths counts as moved. `let _ = tx;` does not drop `tx`.
//!
//! A `Drop` impl is checked with `self` as the type's constructors in the same file build it;
//! the fields of `self` are alive until `drop` returns.

use std::collections::HashSet;

use super::{story, Rule};
use crate::facts::{Acquired, Bridge, FileFacts, Held, Wait, WaitForm};
use crate::finding::{Edit, Finding, Fix, Label, Severity};
use crate::loc::Loc;

pub const RULE: Rule = Rule {
    id: "lingering-sender",
    severity: Severity::Error,
    summary: "code waits for a channel to close while it still holds a sender of it",
    source: include_str!("lingering_sender.rs"),
    check,
};

fn check(facts: &FileFacts, path: &str) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for wait in &facts.waits {
        for held in wait.held.iter().filter(|h| !h.captured) {
            let primary = held.let_underscore.unwrap_or(held.at);
            let chan = held.via.as_ref().map_or(wait.chan, |b| b.from);
            if seen.insert((primary, chan)) {
                findings.push(match &held.via {
                    Some(bridge) => chain_finding(facts, wait, held, bridge, path),
                    None => finding(facts, wait, held, path),
                });
            }
        }
    }
    findings
}

fn finding(facts: &FileFacts, wait: &Wait, held: &Held, path: &str) -> Finding {
    let h = &held.holder;
    let channel = &facts.channels[wait.chan];
    let message = match &wait.form {
        WaitForm::Drain => format!("`{h}` still holds a sender while its channel is drained, so the wait never ends"),
        WaitForm::Oneshot => format!("`{h}` still holds the sender while its receiver is awaited, so the await never completes"),
        WaitForm::Join { .. } => format!("`{h}` still holds a sender while a task draining its channel is joined, so the join never returns"),
        WaitForm::ScopeEnd { .. } => format!("`{h}` still holds a sender when the scope joins a thread draining its channel, so the scope never ends"),
        WaitForm::Call { function, .. } => format!("`{h}` still holds a sender while `{function}` drains its channel, so the call never returns"),
        WaitForm::HandOff { .. } => format!("`{h}` still holds a sender while this sends into a full channel handed out with its receiver, so a reader of both that reads this one to its end first waits forever"),
    };
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    let primary_message = match held.let_underscore {
        Some(_) => {
            labels.push(Label {
                loc: held.at,
                message: format!("`{h}` gets its sender here"),
            });
            notes.push(format!(
                "`_` binds nothing: `let _ = {h};` leaves `{h}` alive to the end of its scope"
            ));
            format!("this does not drop `{h}`")
        }
        None => match held.how {
            Acquired::Created => format!("`{h}` is never dropped before the wait"),
            Acquired::Cloned => format!("this clone in `{h}` is never dropped before the wait"),
            Acquired::Bound => {
                format!("`{h}` takes the sender here and is never dropped before the wait")
            }
            Acquired::Stored => {
                format!("the sender is stored here, in `{h}`, which is still alive at the wait")
            }
            Acquired::Captured => {
                format!("a closure captures the sender here and `{h}` keeps it alive")
            }
        },
    };
    let primary = Label {
        loc: held.let_underscore.unwrap_or(held.at),
        message: primary_message,
    };
    if channel.created != held.at && channel.created != primary.loc {
        labels.push(Label {
            loc: channel.created,
            message: format!("channel created here ({})", channel.library),
        });
    }
    if let Some(origin) = &channel.origin {
        notes.push(if origin.line == 0 {
            // A catalogue model: the library makes the channel.
            format!(
                "the channel is created inside `{}` of the `{}` crate",
                origin.function, origin.path
            )
        } else {
            format!(
                "the channel is created inside `{}`, at {}:{}:{}",
                origin.function, origin.path, origin.line, origin.column
            )
        });
    }
    if wait.in_drop {
        notes.push(format!(
            "the fields of `self` are dropped only after `drop` returns, so `{h}` is alive during it"
        ));
    }
    match wait.form.clone() {
        WaitForm::Call { function, drain } => {
            labels.push(Label {
                loc: wait.at,
                message: format!("`{function}` waits here until every sender is dropped"),
            });
            if let Some(drain) = drain {
                labels.push(Label {
                    loc: drain,
                    message: format!("`{function}` drains the channel here"),
                });
            }
        }
        WaitForm::Drain => labels.push(Label {
            loc: wait.at,
            message: "this waits until every sender is dropped".into(),
        }),
        WaitForm::Oneshot => labels.push(Label {
            loc: wait.at,
            message: "this waits until the sender sends or is dropped".into(),
        }),
        WaitForm::Join { task, drain } => {
            labels.push(Label {
                loc: wait.at,
                message: "this waits for the task to finish".into(),
            });
            push_task_labels(&mut labels, task, drain);
        }
        WaitForm::ScopeEnd { task, drain } => {
            labels.push(Label {
                loc: wait.at,
                message: "the scope waits here for every thread it spawned".into(),
            });
            push_task_labels(&mut labels, task, drain);
        }
        WaitForm::HandOff { blocked } => labels.extend(story::handoff_labels(wait.at, blocked)),
    }
    notes.push(
        "a receiver sees the end of a channel only once every sender, clones included, is dropped"
            .into(),
    );
    if let Some(callee) = &held.in_callee {
        notes.push(format!(
            "`{h}` is a binding of `{callee}`, which was given the sender and keeps it while it waits"
        ));
    }
    let help = match held.how {
        _ if held.in_callee.is_some() => {
            format!("drop `{h}` (and every value holding a clone of it) before the wait, or pass it where it is dropped first")
        }
        Acquired::Stored | Acquired::Captured => {
            format!("drop `{h}` (or take the sender out of it) before the wait")
        }
        // A field of a value: `drop(value.field)` compiles only where the field is visible
        // and the type has no `Drop` impl; dropping the value always does.
        _ if h.contains('.') => {
            let value = h.split('.').next().unwrap_or(h);
            format!("drop `{value}` (or take the sender out of `{h}`) before the wait")
        }
        _ => format!("drop the sender before the wait: `drop({h});`"),
    };
    let fix = held.droppable.then(|| Fix {
        message: format!("insert `drop({h});` before the wait"),
        edits: vec![Edit {
            loc: Loc {
                line: wait.stmt_line,
                column: 1,
                end_line: wait.stmt_line,
                end_column: 1,
            },
            text: format!("{}drop({h});\n", wait.indent),
        }],
    });
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message,
        path: path.to_string(),
        primary,
        labels,
        notes,
        help: Some(help),
        fix,
    }
}

/// The held sender keeps open a channel that a task drains before it lets the waited-on
/// channel close: the wait depends on the held sender through the chain.
fn chain_finding(
    facts: &FileFacts,
    wait: &Wait,
    held: &Held,
    bridge: &Bridge,
    path: &str,
) -> Finding {
    let h = &held.holder;
    let upstream = &facts.channels[bridge.from];
    let mut labels = vec![
        Label {
            loc: bridge.drain,
            message: format!("this task drains `{h}`'s channel until every sender is dropped"),
        },
        Label {
            loc: bridge.task,
            message: "the task is started here and holds a sender of the waited-on channel until its loop ends".into(),
        },
        Label {
            loc: wait.at,
            message: "this waits until every sender of the downstream channel is dropped".into(),
        },
    ];
    if upstream.created != held.at {
        labels.push(Label {
            loc: upstream.created,
            message: format!("`{h}`'s channel is created here ({})", upstream.library),
        });
    }
    let downstream = &facts.channels[wait.chan];
    if downstream.created != wait.at {
        labels.push(Label {
            loc: downstream.created,
            message: format!(
                "the waited-on channel is created here ({})",
                downstream.library
            ),
        });
    }
    Finding {
        rule: RULE.id,
        severity: RULE.severity,
        message: format!(
            "`{h}` keeps a channel open that a task drains before it lets the waited-on channel close, so the wait never ends"
        ),
        path: path.to_string(),
        primary: Label {
            loc: held.let_underscore.unwrap_or(held.at),
            message: format!("`{h}` is never dropped before the wait"),
        },
        labels,
        notes: vec![format!(
            "the chain: `{h}` keeps its channel open, so the task at {}:{} never leaves its loop, so it never drops its sender of the channel waited on at {}:{}",
            bridge.task.line, bridge.task.column, wait.at.line, wait.at.column
        )],
        help: Some(format!("drop `{h}` before the wait, so the task's loop ends and drops its sender")),
        fix: None,
    }
}

fn push_task_labels(labels: &mut Vec<Label>, task: Loc, drain: Loc) {
    labels.push(Label {
        loc: task,
        message: "the task is started here".into(),
    });
    if drain != task {
        labels.push(Label {
            loc: drain,
            message: "it drains the channel here, until every sender is dropped".into(),
        });
    }
}
