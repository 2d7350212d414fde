//! Values through channels: a reply sender sent inside a message (`tx.send(Msg::Req(id,
//! reply_tx))`, `tx.send(Msg { reply: reply_tx, .. })`) goes to whoever receives that
//! channel's messages, a server task that keeps it (in a pending map, in a sink's field)
//! until it answers.

use super::*;
use crate::facts::ReplySend;

impl<'a> Interp<'a> {
    /// `tx.send(message)` where the message carries oneshot senders made in this file.
    pub(super) fn note_reply_send(&mut self, mc: &syn::ExprMethodCall, at: Loc) {
        if !self.recording || mc.args.len() != 1 {
            return;
        }
        let message = message_type(&mc.args[0]);
        for chan in self.carried(&mc.args[0]) {
            let channel = &self.facts.channels[chan];
            if channel.kind == ChannelKind::Oneshot && channel.param.is_none() {
                self.facts.reply_sends.push(ReplySend {
                    chan,
                    at,
                    message: message.clone(),
                });
            }
        }
    }

    /// The channels whose senders a message carries: a binding's, or those of the values a
    /// literal built in place puts in it (a struct's fields, a tuple's or a call's arguments).
    fn carried(&self, expr: &Expr) -> Vec<ChanId> {
        let mut out = Vec::new();
        let parts: Vec<&Expr> = match strip(expr) {
            Expr::Struct(s) => s.fields.iter().map(|f| &f.expr).collect(),
            Expr::Tuple(t) => t.elems.iter().collect(),
            Expr::Call(c) if matches!(&*c.func, Expr::Path(_)) => c.args.iter().collect(),
            _ => {
                return self.peek(expr).senders.iter().map(|s| s.chan).collect();
            }
        };
        for part in parts {
            for chan in self.carried(part) {
                if !out.contains(&chan) {
                    out.push(chan);
                }
            }
        }
        out
    }
}

/// The type a message literal builds: `Msg` of `Msg { .. }`, `Msg::new(..)`, `Msg::Req(..)`.
fn message_type(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Struct(s) => s.path.segments.last().map(|l| l.ident.to_string()),
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) if p.path.segments.len() >= 2 => {
                let n = p.path.segments.len();
                Some(p.path.segments[n - 2].ident.to_string())
            }
            _ => None,
        },
        _ => None,
    }
}
