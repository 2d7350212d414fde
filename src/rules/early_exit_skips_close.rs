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
//! that itself names the closed place is taken as a guard on it and not reported. A final
//! "done" message that the receiver counts is not recognized as a close yet.

use std::collections::HashSet;

use super::{story, Rule};
use crate::facts::{FileFacts, Place, SkippedClose, Store};
use crate::finding::{Finding, Label, Severity};

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
