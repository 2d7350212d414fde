//! Secondary labels shared by the rules: where a channel is made and where it is waited on.

use crate::facts::{ChanId, FileFacts, Wait, WaitForm};
use crate::finding::Label;
use crate::loc::Loc;

/// The first wait for the end of `chan` in the file, if the code waits for it at all (a send
/// that waits on it only if a consumer reads it first is no evidence that it is drained).
pub fn first_wait(facts: &FileFacts, chan: ChanId) -> Option<&Wait> {
    facts
        .waits
        .iter()
        .find(|w| w.chan == chan && !matches!(w.form, WaitForm::HandOff { .. }))
}

/// A send into a bounded channel whose receiver left with the held channel's.
pub fn handoff_labels(at: Loc, blocked: Loc) -> Vec<Label> {
    vec![
        Label {
            loc: at,
            message: "this send waits until the other end is read".into(),
        },
        Label {
            loc: blocked,
            message: "a channel of bounded capacity, whose receiver was handed out with the receiver of the held one".into(),
        },
    ]
}

pub fn created(facts: &FileFacts, chan: ChanId) -> Label {
    let channel = &facts.channels[chan];
    let message = match &channel.origin {
        // A value of this file's type built in another file from both ends of the channel.
        Some(origin) if origin.function.is_empty() => format!(
            "`self` as built at {}:{}, from both ends of one channel ({})",
            origin.path, origin.line, channel.library
        ),
        _ => format!("channel created here ({})", channel.library),
    };
    Label {
        loc: channel.created,
        message,
    }
}

/// Where and how the code waits for the channel's end.
pub fn wait_labels(wait: &Wait) -> Vec<Label> {
    let label = |loc: Loc, message: &str| Label {
        loc,
        message: message.to_string(),
    };
    match wait.form.clone() {
        WaitForm::Call { function, drain } => {
            let mut out = vec![label(
                wait.at,
                &format!("`{function}` waits here until every sender is dropped"),
            )];
            if let Some(drain) = drain {
                out.push(label(
                    drain,
                    &format!("`{function}` drains the channel here"),
                ));
            }
            out
        }
        WaitForm::Drain => vec![label(wait.at, "this waits until every sender is dropped")],
        WaitForm::Oneshot => vec![label(
            wait.at,
            "this waits until the sender sends or is dropped",
        )],
        WaitForm::Join { task, drain } | WaitForm::ScopeEnd { task, drain } => {
            let mut out = vec![label(
                wait.at,
                "this waits for a task that drains the channel",
            )];
            if drain != task {
                out.push(label(
                    drain,
                    "the task drains the channel here, until every sender is dropped",
                ));
            }
            out
        }
        WaitForm::HandOff { blocked } => handoff_labels(wait.at, blocked),
    }
}

/// Labels in story order, without two on the same span.
pub fn dedup(labels: Vec<Label>, primary: Loc) -> Vec<Label> {
    let mut out: Vec<Label> = Vec::new();
    for label in labels {
        if label.loc != primary && !out.iter().any(|l| l.loc == label.loc) {
            out.push(label);
        }
    }
    out
}
