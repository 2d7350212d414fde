//! Values through channels: a reply sender sent inside a message (`tx.send(Msg::Req(id,
//! reply_tx))`) goes to whoever receives that channel's messages, a server task that keeps it
//! (in a pending map) until it answers.

use super::*;
use crate::facts::ReplySend;

impl<'a> Interp<'a> {
    /// `tx.send(message)` where the message carries oneshot senders made in this file.
    pub(super) fn note_reply_send(&mut self, mc: &syn::ExprMethodCall, at: Loc) {
        if !self.recording || mc.args.len() != 1 {
            return;
        }
        for sender in self.peek(&mc.args[0]).senders {
            let chan = &self.facts.channels[sender.chan];
            if chan.kind == ChannelKind::Oneshot && chan.param.is_none() {
                self.facts.reply_sends.push(ReplySend {
                    chan: sender.chan,
                    at,
                });
            }
        }
    }
}
