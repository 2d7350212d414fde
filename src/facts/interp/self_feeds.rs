//! A function that starts a task draining what one parameter carries while the task holds a
//! strong sender that another (or the same) parameter carries: where a caller passes both ends
//! of one channel (an actor's context and its mailbox), the task can never see the end.
//! The function's summary keeps the pair; the call that passes one channel to both reports it.

use super::*;
use crate::facts::summary::{SelfFeed, Slot};

impl<'a> Interp<'a> {
    /// At a wait on the receivers of a parameter inside a task: the task's captured senders
    /// of parameters, for the summary.
    pub(super) fn note_self_feeds(&mut self, drained: ChanId, owner: usize, at: Loc) {
        if owner == 0
            || self.self_view != SelfView::Placeholder
            || !matches!(
                self.facts.channels[drained].param,
                Some((_, Role::Receivers))
            )
        {
            return;
        }
        let Some(env) = self.env.as_ref() else {
            return;
        };
        let mut found = Vec::new();
        for var in env
            .vars
            .iter()
            .filter(|v| !v.moved && v.captured && v.frame >= owner)
        {
            // A capture named like a binding of the task body may be that binding's shadow.
            if self.frames[var.frame].bound.contains(&var.name) {
                continue;
            }
            for sender in &var.val.senders {
                if !matches!(
                    self.facts.channels[sender.chan].param,
                    Some((_, Role::Senders))
                ) {
                    continue;
                }
                let holder = sender.holder_name(&var.name);
                found.push(SelfFeed {
                    drained,
                    sender: sender.chan,
                    holder,
                    held_at: sender.at,
                    how: sender.how,
                    wait: at,
                });
            }
        }
        for feed in found {
            if !self.self_feeds.contains(&feed) {
                self.self_feeds.push(feed);
            }
        }
    }

    /// The wait of a drain loop that also ends on a message: only a sender the task itself
    /// captured keeps it from its end (a sentinel that another sender sends ends it).
    pub(super) fn record_self_held_only(
        &mut self,
        chan: ChanId,
        owner: usize,
        at: Loc,
        form: WaitForm,
    ) {
        if self.facts.channels[chan].param.is_some() {
            self.note_self_feeds(chan, owner, at);
            return;
        }
        let held: Vec<Held> = self
            .held_senders(chan, owner, &form, None)
            .into_iter()
            .filter(|h| h.captured)
            .collect();
        if held.is_empty() {
            return;
        }
        self.facts.waits.push(Wait {
            chan,
            at,
            form,
            stmt_line: self.stmt_line,
            indent: self.shared.lines.indentation(self.stmt_line).to_string(),
            held,
            parked: Vec::new(),
            in_drop: false,
        });
    }

    /// At a call: the self-feeding tasks the callee starts on channels whose both ends the
    /// arguments carry. `chans[slot]`: the caller's channels for each slot of the summary.
    pub(super) fn apply_self_feeds(&mut self, summary: &Summary, chans: &[Vec<ChanId>], at: Loc) {
        let foreign = summary.origin.is_some();
        for feed in &summary.self_feeds {
            let (Some(Slot::Param(..)), Some(Slot::Param(..))) = (
                summary.slots.get(feed.drained),
                summary.slots.get(feed.sender),
            ) else {
                continue;
            };
            let (Some(drained), Some(sent)) = (chans.get(feed.drained), chans.get(feed.sender))
            else {
                continue;
            };
            for &chan in drained.iter().filter(|c| sent.contains(c)) {
                if self.facts.channels[chan].param.is_some() || self.facts.channels[chan].in_loop {
                    continue;
                }
                let (wait, held_at) = if foreign {
                    (at, at)
                } else {
                    (feed.wait, feed.held_at)
                };
                self.facts.waits.push(Wait {
                    chan,
                    at: wait,
                    form: WaitForm::Call {
                        function: summary.name.clone(),
                        drain: (!foreign).then_some(feed.wait),
                    },
                    stmt_line: self.stmt_line,
                    indent: self.shared.lines.indentation(self.stmt_line).to_string(),
                    held: vec![Held {
                        holder: feed.holder.clone(),
                        at: held_at,
                        how: feed.how,
                        captured: true,
                        let_underscore: None,
                        droppable: false,
                        via: None,
                        in_callee: None,
                    }],
                    parked: Vec::new(),
                    in_drop: false,
                });
            }
        }
    }
}
