//! Channel ends handed out together, then one blocked on while the other is held open.
//!
//! A task that gives a consumer the receiving ends of channels A and B in one value
//! (`Response { headers, body }`, a tuple), writes A, and then sends into B, of bounded
//! capacity, while it still holds a sender of A, waits for the consumer to read B. A consumer
//! that reads the ends in the order they are written reads A to its end first (the headers
//! before the body), so it waits for the task to drop A's sender: both block (gitoxide's http
//! transport). So a send into B after a send into A is a wait for A's end. A send into A
//! before anything went into B (an error sent on the first end) waits for a read the consumer
//! does first: no wait.

use super::*;

/// Methods that send into the channel of a sender they are called on, or write into a writer
/// over one (an `io::Write` impl that sends each write).
const SENDING_METHODS: &[&str] = &["send", "blocking_send", "write", "write_all", "write_fmt"];
/// Functions that write everything they read into their second argument.
const WRITING_FUNCTIONS: &[&str] = &["io::copy"];

impl<'a> Interp<'a> {
    /// A struct or tuple literal holding the receiving ends of several channels hands them
    /// out together.
    pub(super) fn note_handed_together(&mut self, val: &Val) {
        if val.is_empty() {
            return;
        }
        let flat = val.clone().flattened();
        let mut ends: Vec<ChanId> = flat
            .receivers
            .iter()
            .chain(&flat.readers)
            .copied()
            .collect();
        ends.sort_unstable();
        ends.dedup();
        ends.retain(|&c| self.facts.channels[c].param.is_none());
        for (i, &a) in ends.iter().enumerate() {
            for &b in &ends[i + 1..] {
                if !self.handed_together.contains(&(a, b)) {
                    self.handed_together.push((a, b));
                }
            }
        }
    }

    /// `tx.send(..)`, `writer.write_all(..)` on a value holding senders.
    pub(super) fn note_sending_method(&mut self, mc: &syn::ExprMethodCall, at: Loc) {
        if !SENDING_METHODS.contains(&mc.method.to_string().as_str()) {
            return;
        }
        let target = self.peek(&mc.receiver);
        self.note_blocking_send(&target, at);
    }

    /// `io::copy(&mut reader, &mut writer)`: writes into `writer` until `reader` ends.
    pub(super) fn note_writing_call(&mut self, resolved: &str, c: &syn::ExprCall, at: Loc) {
        if !readers::names_one_of(resolved, WRITING_FUNCTIONS) {
            return;
        }
        if let Some(writer) = c.args.iter().nth(1) {
            let target = self.peek(writer);
            self.note_blocking_send(&target, at);
        }
    }

    /// A send into each bounded channel `target` holds a sender of: when that channel's
    /// receiving end left with another channel's, which was sent into before, and neither end
    /// is still here, the send waits for the end of that other channel.
    fn note_blocking_send(&mut self, target: &Val, at: Loc) {
        for s in &target.senders {
            if !self.sent_into.contains(&(s.chan, at)) {
                self.sent_into.push((s.chan, at));
            }
        }
        if self.handed_together.is_empty() || !self.recording || self.env.is_none() {
            return;
        }
        let mut blocked: Vec<ChanId> = target
            .senders
            .iter()
            .map(|s| s.chan)
            .filter(|&c| self.facts.channels[c].bounded)
            .collect();
        blocked.sort_unstable();
        blocked.dedup();
        let owner = self.owner_frame();
        for b in blocked {
            let partners: Vec<ChanId> = self
                .handed_together
                .iter()
                .filter_map(|&(x, y)| match () {
                    _ if x == b => Some(y),
                    _ if y == b => Some(x),
                    _ => None,
                })
                .filter(|&a| self.sent_into.iter().any(|&(c, sent)| c == a && sent < at))
                .collect();
            for a in partners {
                if self.holds_receiving_end(a)
                    || self.holds_receiving_end(b)
                    || self.held_across_iterations(a)
                {
                    continue;
                }
                let form = WaitForm::HandOff {
                    blocked: self.facts.channels[b].created,
                };
                // A task's own captures keep its channel open by design of another rule.
                let mut held = self.held_senders(a, owner, &form, None);
                held.retain(|h| !h.captured);
                if held.is_empty() {
                    continue;
                }
                self.facts.waits.push(Wait {
                    chan: a,
                    at,
                    form,
                    stmt_line: self.stmt_line,
                    indent: self.shared.lines.indentation(self.stmt_line).to_string(),
                    held,
                    parked: Vec::new(),
                    in_drop: false,
                });
            }
        }
    }

    /// Whether a binding made before the innermost loop around here holds a sender of `chan`:
    /// the next iteration writes it again, the writes of both channels interleave, and a
    /// consumer reads them in turn, not one to its end first.
    fn held_across_iterations(&self, chan: ChanId) -> bool {
        let Some(entry) = self.loops.iter().rev().find(|l| !l.is_block) else {
            return false;
        };
        self.env.as_ref().is_some_and(|env| {
            env.vars[..entry.vars_at_entry.min(env.vars.len())]
                .iter()
                .filter(|v| !v.moved)
                .any(|v| {
                    v.val
                        .clone()
                        .flattened()
                        .senders
                        .iter()
                        .any(|s| s.chan == chan)
                })
        })
    }

    /// Once the body was read: a channel also written after the send into its partner is
    /// written in turn with it, not to its end first (the waits from `first_wait` on).
    pub(super) fn forget_handoffs_written_later(&mut self, first_wait: usize) {
        let sent_into = std::mem::take(&mut self.sent_into);
        if sent_into.is_empty() {
            return;
        }
        let later = self.facts.waits.split_off(first_wait);
        self.facts.waits.extend(later.into_iter().filter(|w| {
            !matches!(w.form, WaitForm::HandOff { .. })
                || !sent_into
                    .iter()
                    .any(|&(c, sent)| c == w.chan && sent > w.at)
        }));
    }

    /// Whether a live binding still holds a receiver of `chan` (then it was not handed out).
    fn holds_receiving_end(&self, chan: ChanId) -> bool {
        self.env.as_ref().is_some_and(|env| {
            env.vars.iter().filter(|v| !v.moved).any(|v| {
                let flat = v.val.clone().flattened();
                flat.receivers.contains(&chan) || flat.readers.contains(&chan)
            })
        })
    }
}
