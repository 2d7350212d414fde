//! The rules: each is one file whose `//!` doc comment is its `--explain` text, and a short
//! query over the facts of one file.

mod early_exit_skips_close;
mod leaked_sender;
mod lingering_sender;
mod self_held_sender;
mod sender_in_endless_task;
mod story;

use crate::facts::FileFacts;
use crate::finding::{Finding, Severity};

pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The rule's source file; its `//!` lines are the documentation.
    source: &'static str,
    pub check: fn(&FileFacts, &str) -> Vec<Finding>,
}

impl Rule {
    pub fn doc(&self) -> String {
        self.source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.trim_start_matches("//!"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub const RULES: &[Rule] = &[
    lingering_sender::RULE,
    sender_in_endless_task::RULE,
    early_exit_skips_close::RULE,
    self_held_sender::RULE,
    leaked_sender::RULE,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Every finding of every rule for one file.
pub fn check_file(facts: &FileFacts, path: &str) -> Vec<Finding> {
    RULES
        .iter()
        .flat_map(|rule| (rule.check)(facts, path))
        .collect()
}
