//! Closes that are not a drop: final "done" messages that a receiver counts instead of waiting
//! for the channel's end (`while done < n { match rx.recv() { .. Msg::Done => done += 1 } }`),
//! and reply senders taken out of a shared pending-request map; each with the error exits of
//! the same body that come first and skip it.

use super::*;
use crate::facts::{CountedReceive, DoneSend, TakeOut};
use syn::visit::Visit;

impl<'a> Interp<'a> {
    /// `?` or `return Err(..)` leaves the current body here.
    pub(super) fn note_error_exit(&mut self, at: Loc, inner: Option<&Expr>) {
        // A failed send means the receiver is gone: nobody is left counting.
        if inner.is_some_and(is_send) || !self.recording {
            return;
        }
        let frame = self.current_frame();
        let sent = self.frames[frame].sent.len();
        self.frames[frame].error_exits.push((at, sent));
    }

    /// `tx.send(Msg::Done)`: a message named by a path, sent after some error exit of the body.
    pub(super) fn note_message_send(&mut self, mc: &syn::ExprMethodCall, at: Loc) {
        let frame = self.current_frame();
        if !self.recording || mc.args.len() != 1 {
            return;
        }
        let Some(variant) = message_name(&mc.args[0]) else {
            return;
        };
        // An exit on whose path the same message was sent already does not skip it.
        let body = &mut self.frames[frame];
        let exits: Vec<Loc> = body
            .error_exits
            .iter()
            .filter(|(_, sent)| !body.sent[..*sent].contains(&variant))
            .map(|(at, _)| *at)
            .collect();
        body.sent.push(variant.clone());
        if exits.is_empty() {
            return;
        }
        for sender in self.peek(&mc.receiver).senders {
            self.facts.done_sends.push(DoneSend {
                chan: sender.chan,
                variant: variant.clone(),
                at,
                exits: exits.clone(),
            });
        }
    }

    /// `pending.lock().unwrap().remove(&id)`: a reply sender taken out of a shared map, after
    /// some error exit of the body.
    pub(super) fn note_take_out(&mut self, mc: &syn::ExprMethodCall, at: Loc) {
        let frame = self.current_frame();
        if !self.recording || self.frames[frame].error_exits.is_empty() {
            return;
        }
        let exits: Vec<Loc> = self.frames[frame].error_exits.iter().map(|e| e.0).collect();
        for sender in self.peek(&mc.receiver).senders {
            if self.kind(sender.chan) == ChannelKind::Oneshot {
                self.facts.take_outs.push(TakeOut {
                    chan: sender.chan,
                    at,
                    exits: exits.clone(),
                });
            }
        }
    }

    /// At the head of `while count < n { .. }`: records a count of done messages, with the
    /// senders the counting code holds meanwhile.
    pub(super) fn note_counted_receive(&mut self, w: &syn::ExprWhile, at: Loc) {
        if !self.recording || self.env.is_none() {
            return;
        }
        let syn::Expr::Binary(cond) = strip(&w.cond) else {
            return;
        };
        if !matches!(
            cond.op,
            syn::BinOp::Lt(_) | syn::BinOp::Le(_) | syn::BinOp::Ne(_)
        ) {
            return;
        }
        let mut finder = CountingMatch::default();
        finder.visit_block(&w.body);
        let owner = self.owner_frame();
        for (receiver, variant) in finder.found {
            for chan in self.peek(&receiver).receivers {
                let held = self.held_senders(chan, owner, &WaitForm::Drain, None);
                self.facts.counted_receives.push(CountedReceive {
                    chan,
                    variant: variant.clone(),
                    at,
                    held,
                });
            }
        }
    }
}

fn is_send(expr: &Expr) -> bool {
    let mut expr = strip(expr);
    loop {
        match expr {
            Expr::MethodCall(mc)
                if catalogue::PLAIN_SENDS.contains(&mc.method.to_string().as_str()) =>
            {
                return true
            }
            Expr::MethodCall(mc) => expr = strip(&mc.receiver),
            Expr::Await(a) => expr = strip(&a.base),
            _ => return false,
        }
    }
}

/// The variant a message names: `Msg::Done`, `Event::Finished(id)`.
fn message_name(expr: &Expr) -> Option<String> {
    let path = match strip(expr) {
        Expr::Path(p) => &p.path,
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) => &p.path,
            _ => return None,
        },
        Expr::Struct(s) => &s.path,
        _ => return None,
    };
    (path.segments.len() >= 2).then(|| path.segments.last().map(|s| s.ident.to_string()))?
}

/// `match rx.recv()... { Msg::Done => count += 1, .. }`: the receiver and the counted variant.
#[derive(Default)]
struct CountingMatch {
    found: Vec<(Expr, String)>,
}

impl<'ast> Visit<'ast> for CountingMatch {
    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        if let Some(receiver) = received_from(&m.expr) {
            for arm in &m.arms {
                let mut names = PatPaths::default();
                names.visit_pat(&arm.pat);
                if counts(&arm.body) {
                    for name in names.0 {
                        self.found.push((receiver.clone(), name));
                    }
                }
            }
        }
        syn::visit::visit_expr_match(self, m);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_item(&mut self, _: &'ast Item) {}
}

/// `rx.recv()`, `rx.recv().unwrap()`, `rx.recv().await`: the receiver.
fn received_from(expr: &Expr) -> Option<Expr> {
    let mut expr = strip(expr);
    loop {
        match expr {
            Expr::MethodCall(mc)
                if catalogue::RECV_METHODS.contains(&mc.method.to_string().as_str()) =>
            {
                return Some((*mc.receiver).clone())
            }
            Expr::MethodCall(mc) => expr = strip(&mc.receiver),
            Expr::Await(a) => expr = strip(&a.base),
            Expr::Try(t) => expr = strip(&t.expr),
            _ => return None,
        }
    }
}

/// Variant names in a pattern, apart from `Ok`, `Some`, `Err`, `None`.
#[derive(Default)]
struct PatPaths(Vec<String>);

impl<'ast> Visit<'ast> for PatPaths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() >= 2 {
            if let Some(last) = path.segments.last() {
                self.0.push(last.ident.to_string());
            }
        }
        syn::visit::visit_path(self, path);
    }
}

/// An arm body that adds one to a counter (`done += 1`).
fn counts(body: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            let one = matches!(&*b.right, Expr::Lit(l) if matches!(&l.lit, syn::Lit::Int(i) if i.base10_digits() == "1"));
            self.0 |= matches!(b.op, syn::BinOp::AddAssign(_)) && one;
            syn::visit::visit_expr_binary(self, b);
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(body);
    finder.0
}
