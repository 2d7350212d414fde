//! What a function's summary leaves to other files' functions: the calls it could not follow
//! that were handed one of its parameters' senders, and the other files' summaries it applied
//! (`FileFacts::across`). A later round reads the file again only when a callee's summary
//! turns out to keep or release exactly such a parameter, and checks a file again only when a
//! summary it applied changed.

use super::*;
use crate::facts::ParamHandoff;

impl<'a> Interp<'a> {
    /// Whether a value carries a parameter's senders (its placeholder channel).
    fn carries_param_senders(&self, val: &Val) -> bool {
        let senders = val.senders.iter().chain(
            val.parts
                .iter()
                .flatten()
                .flat_map(|part| part.senders.iter()),
        );
        senders
            .map(|s| s.chan)
            .any(|chan| matches!(self.facts.channels[chan].param, Some((_, Role::Senders))))
    }

    /// A call the file could not follow, at which the arguments at these callee positions
    /// carried what they carry, lent (`&x`, a method's receiver) or moved in.
    pub(super) fn note_param_handoffs<'v>(
        &mut self,
        call: &str,
        args: impl IntoIterator<Item = (usize, bool, &'v Val)>,
    ) {
        if self.facts.open_calls.is_none() {
            return;
        }
        let args: Vec<(usize, bool, &Val)> = args.into_iter().collect();
        self.note_handed_real(call, args.iter().map(|(_, _, val)| *val));
        let handed: Vec<(usize, bool)> = args
            .into_iter()
            .filter(|(_, _, val)| self.carries_param_senders(val))
            .map(|(position, lent, _)| (position, lent))
            .collect();
        for (position, lent) in handed {
            let mut key = self.module.clone();
            key.extend(self.self_ty.clone());
            key.push(self.fn_name.clone());
            self.facts.across.param_handoffs.insert(ParamHandoff {
                function: key.join("::"),
                method: self.fn_has_self,
                call: call.to_string(),
                position,
                lent,
            });
        }
    }

    /// A method call the file could not follow: the receiver is the callee's parameter 0,
    /// lent (a method that takes `self` moves it, but then it is gone either way).
    pub(super) fn note_method_handoffs(&mut self, m: &str, mc: &syn::ExprMethodCall, seen: &Val) {
        if self.facts.open_calls.is_none() {
            return;
        }
        let mut vals = vec![(0, true, seen.clone())];
        for (i, arg) in mc.args.iter().enumerate() {
            let lent = self.lends(arg);
            vals.push((i + 1, lent, self.peek(super::calls::without_clone(arg))));
        }
        self.note_param_handoffs(
            &format!(".{m}"),
            vals.iter().map(|(i, lent, v)| (*i, *lent, v)),
        );
    }

    /// Another file's summary applied here, to these arguments.
    pub(super) fn note_followed(&mut self, summary: &Summary, args: &[Val]) {
        if summary.origin.is_some() && self.facts.open_calls.is_some() {
            self.facts.across.followed.insert(summary.key.join("::"));
            self.note_handed_real(&summary.key.join("::"), args.iter());
        }
    }

    /// Another file's function (a call as written, or the key of its summary) handed these
    /// values: the real channels whose senders it got.
    fn note_handed_real<'v>(&mut self, name: &str, vals: impl Iterator<Item = &'v Val>) {
        for val in vals {
            let parts = val.parts.iter().flatten();
            let senders = val
                .senders
                .iter()
                .chain(parts.flat_map(|p| p.senders.iter()));
            for sender in senders {
                if self.facts.channels[sender.chan].param.is_none() {
                    let handed = (name.to_string(), sender.chan);
                    if !self.facts.across.handed_real.contains(&handed) {
                        self.facts.across.handed_real.push(handed);
                    }
                }
            }
        }
    }
}
