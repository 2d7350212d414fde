//! A drain split over two functions: a helper receives once and returns an error when the
//! channel has ended (`match self.rx.recv().await { Some(m) => .., None => return Err(..) }`),
//! and its caller loops until the helper errs (`loop { if let Err(e) = self.tick().await {
//! break } }`). The helper's summary says which argument's channel ends it; the caller's loop
//! is a drain of that channel, whatever other errors the helper may also return.

use super::*;
use crate::facts::summary::Slot;

impl<'a> Interp<'a> {
    /// In a function's own body (not in a loop): a `match` on a receive of a parameter's
    /// channel whose end arm returns an error.
    pub(super) fn note_end_returns(&mut self, m: &syn::ExprMatch) {
        if self.loop_depth > 0 || self.owner_frame() > 0 || !self.recording {
            return;
        }
        if !m
            .arms
            .iter()
            .any(|arm| end_pattern(&arm.pat) && returns_an_error(&arm.body))
        {
            return;
        }
        let at = syntax::expr_loc(&m.expr);
        for chan in self.recv_call_channels(&m.expr) {
            if matches!(self.facts.channels[chan].param, Some((_, Role::Receivers)))
                && !self.ends_with.iter().any(|&(c, _)| c == chan)
            {
                self.ends_with.push((chan, at));
            }
        }
    }

    /// `loop { if let Err(_) = self.tick().await { break } .. }`: the channels whose end makes
    /// a helper called in the loop err, when every way out of the loop is that error.
    pub(super) fn split_drain_waits(&self, body: &Block) -> Vec<(ChanId, WaitForm)> {
        let mut calls = Vec::new();
        for stmt in &body.stmts {
            let leaves = syntax::stmt_leaves_loop(stmt);
            let expr = match stmt {
                Stmt::Expr(e, _) => e,
                _ if leaves => return Vec::new(),
                _ => continue,
            };
            match expr {
                Expr::If(i) => match &*i.cond {
                    Expr::Let(l) if end_pattern(&l.pat) => {
                        if i.else_branch
                            .as_ref()
                            .is_some_and(|(_, e)| syntax::expr_leaves_loop(e))
                        {
                            return Vec::new();
                        }
                        calls.push(&*l.expr);
                    }
                    _ if leaves => return Vec::new(),
                    _ => {}
                },
                Expr::Match(m) => {
                    for arm in &m.arms {
                        if syntax::expr_leaves_loop(&arm.body) && !end_pattern(&arm.pat) {
                            return Vec::new();
                        }
                    }
                    calls.push(&*m.expr);
                }
                _ if leaves => return Vec::new(),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for call in calls {
            out.extend(self.ending_call_channels(call));
        }
        out
    }

    /// The channels whose end makes a method call (awaited or not) return an error.
    fn ending_call_channels(&self, expr: &Expr) -> Vec<(ChanId, WaitForm)> {
        let call = match strip(expr) {
            Expr::Await(a) => strip(&a.base),
            other => other,
        };
        let Expr::MethodCall(mc) = call else {
            return Vec::new();
        };
        let name = mc.method.to_string();
        let receiver = self.peek(&mc.receiver);
        let summary = if ident_of(&mc.receiver).is_some_and(|n| n == "self") {
            self.own_method(&name)
        } else {
            match self.typed_method(&mc.receiver, &name) {
                Ok(summary) => summary,
                Err(()) => self.summary_of_method(&name, &receiver, false),
            }
        };
        let Some(summary) = summary else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &(slot, at) in &summary.ends_with {
            if summary.slots.get(slot) != Some(&Slot::Param(0, Role::Receivers)) {
                continue;
            }
            for &chan in &receiver.receivers {
                out.push((
                    chan,
                    WaitForm::Call {
                        function: summary.name.clone(),
                        drain: summary.origin.is_none().then_some(at),
                    },
                ));
            }
        }
        out
    }
}

/// `None`, `Err(_)`, `Err(e)`: what a receive gives at the end of the channel.
fn end_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(p) => p.ident == "None" && p.subpat.is_none(),
        Pat::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "None"),
        Pat::TupleStruct(t) => t.path.segments.last().is_some_and(|s| s.ident == "Err"),
        _ => false,
    }
}

/// An arm body that leaves the function with an error: `return Err(..)`, `Err(..)` as its
/// value, `bail!(..)`.
fn returns_an_error(expr: &Expr) -> bool {
    match expr {
        Expr::Return(_) => true,
        Expr::Call(c) => matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Err")),
        Expr::Macro(m) => crate::catalogue::RETURNING_MACROS.contains(&macro_name(&m.mac).as_str()),
        Expr::Block(b) => b.block.stmts.last().is_some_and(|s| match s {
            Stmt::Expr(e, _) => returns_an_error(e),
            Stmt::Macro(m) => {
                crate::catalogue::RETURNING_MACROS.contains(&macro_name(&m.mac).as_str())
            }
            _ => false,
        }),
        _ => false,
    }
}
