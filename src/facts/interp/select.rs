//! `select!` (tokio, futures, crossbeam-channel) and the loops around it: the arms run like
//! a `match` on whichever operation is ready first, and a loop whose only exits are taken
//! when a receiving arm sees its channel's end waits for that end.

use super::flow::success_pattern;
use super::*;
use crate::facts::macros::{self, CrossbeamOp, Reading, Select};

/// How the arms of a `match` (or a `select!`) on what a receive returned can leave the loop
/// around them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ArmExit {
    /// No arm leaves.
    Never,
    /// Only on the end of the channel (`None`, `Err(_)`).
    OnEnd,
    /// On a message too (`Some(Msg::Stop) | None => break`, a guard): not a wait for the end.
    Other,
}

impl ArmExit {
    fn and(self, other: ArmExit) -> ArmExit {
        match (self, other) {
            (ArmExit::Other, _) | (_, ArmExit::Other) => ArmExit::Other,
            (ArmExit::OnEnd, _) | (_, ArmExit::OnEnd) => ArmExit::OnEnd,
            _ => ArmExit::Never,
        }
    }
}

/// The arms of a `match` on a received value (`Option` or `Result`).
pub(super) fn arms_exit(arms: &[syn::Arm]) -> ArmExit {
    let mut out = ArmExit::Never;
    // Once an arm takes every message (`Some(v)`), later catch-alls see only the end.
    let mut messages_covered = false;
    for arm in arms {
        let leaves = syntax::expr_leaves_loop_on_success(&arm.body);
        if leaves {
            out = out.and(if can_match_message(&arm.pat, messages_covered) {
                ArmExit::Other
            } else {
                ArmExit::OnEnd
            });
        }
        messages_covered |= success_pattern(&arm.pat);
    }
    out
}

/// Whether a pattern on a received `Option`/`Result` can match a message, not only the end.
fn can_match_message(pat: &Pat, covered: bool) -> bool {
    match pat {
        Pat::Or(o) => o.cases.iter().any(|p| can_match_message(p, covered)),
        Pat::TupleStruct(t) => !(t.path.is_ident("Err") || covered),
        Pat::Ident(p) => match &p.subpat {
            Some((_, sub)) => can_match_message(sub, covered),
            None => p.ident != "None" && !covered,
        },
        Pat::Path(p) => !p.path.is_ident("None") && !covered,
        Pat::Wild(_) => !covered,
        Pat::Paren(p) => can_match_message(&p.pat, covered),
        Pat::Reference(r) => can_match_message(&r.pat, covered),
        _ => true,
    }
}

/// How a block that received `name` (`recv(rx) -> name => body`) can leave the loop.
fn received_exit(body: &Expr, name: Option<&str>) -> ArmExit {
    if !syntax::expr_leaves_loop_on_success(body) {
        return ArmExit::Never;
    }
    let mut expr = strip(body);
    while let Expr::Block(b) = expr {
        match b.block.stmts.as_slice() {
            [Stmt::Expr(e, _)] if b.label.is_none() => expr = strip(e),
            _ => break,
        }
    }
    match expr {
        Expr::Match(m) if name.is_some() && ident_of(&m.expr).as_deref() == name => {
            arms_exit(&m.arms)
        }
        // `res = rx.changed() => { if res.is_err() { break } .. }`.
        Expr::Block(b) if b.label.is_none() => match name {
            Some(name) => super::end_tests::leaves_only_at_end(&b.block.stmts, name),
            None => ArmExit::Other,
        },
        Expr::If(_) => match name {
            Some(name) => {
                super::end_tests::leaves_only_at_end(&[Stmt::Expr(expr.clone(), None)], name)
            }
            None => ArmExit::Other,
        },
        _ => ArmExit::Other,
    }
}

/// A statement that is a `select!` call.
pub(super) fn select_macro(stmt: &Stmt) -> Option<&syn::Macro> {
    let mac = match stmt {
        Stmt::Macro(m) => &m.mac,
        Stmt::Expr(Expr::Macro(m), _) => &m.mac,
        _ => return None,
    };
    catalogue::SELECT_MACROS
        .contains(&macro_name(mac).as_str())
        .then_some(mac)
}

impl<'a> Interp<'a> {
    /// The channels whose end the receiving arms of a `select!` in a loop leave the loop on,
    /// and whether any other arm can leave it.
    pub(super) fn select_loop_channels(&self, mac: &syn::Macro) -> (Vec<ChanId>, bool) {
        let Reading::Select(select) = macros::read(mac) else {
            return (
                Vec::new(),
                syntax::expr_leaves_loop_on_success(&mac_expr(mac)),
            );
        };
        let mut ends = Vec::new();
        let mut other = false;
        // Channels whose arm is disabled at their end (tokio's `Some(v) = rx.recv()`): the
        // `else` arm runs once they all are.
        let mut disabled_at_end = Vec::new();
        let mut every_arm_receives = true;
        for arm in &select.arms {
            let recv = match arm.crossbeam {
                Some(CrossbeamOp::Recv) => self.receiver_channels(&arm.future),
                Some(CrossbeamOp::Send(_)) => Vec::new(),
                None => self.recv_call_channels(&arm.future),
            };
            if recv.is_empty() {
                every_arm_receives = false;
                other |= syntax::expr_leaves_loop_on_success(&arm.body);
                continue;
            }
            let bound = match &arm.pat {
                Pat::Ident(p) if p.subpat.is_none() => Some(p.ident.to_string()),
                _ => None,
            };
            if arm.crossbeam.is_none() && bound.is_none() {
                // tokio/futures: a pattern that fails to match disables the branch.
                if success_pattern(&arm.pat) {
                    disabled_at_end.extend(recv.iter().copied());
                } else {
                    every_arm_receives = false;
                }
                other |= syntax::expr_leaves_loop_on_success(&arm.body);
                continue;
            }
            match received_exit(&arm.body, bound.as_deref()) {
                ArmExit::Never => {}
                ArmExit::OnEnd => ends.extend(recv.iter().copied()),
                ArmExit::Other => other = true,
            }
        }
        if let Some(body) = &select.when_all_done {
            if syntax::expr_leaves_loop_on_success(body) {
                if every_arm_receives {
                    ends.extend(disabled_at_end);
                } else {
                    other = true;
                }
            }
        }
        if let Some(body) = &select.default {
            other |= syntax::expr_leaves_loop_on_success(body);
        }
        (ends, other)
    }

    /// `loop { if let Some(v) = rx.recv().await { .. } else { break } }`: the channels whose
    /// end the statement leaves the loop on, and whether it leaves otherwise; `None` when the
    /// statement is no such `if let`.
    pub(super) fn if_let_recv_channels(&self, stmt: &Stmt) -> Option<(Vec<ChanId>, bool)> {
        let Stmt::Expr(Expr::If(i), _) = stmt else {
            return None;
        };
        let Expr::Let(l) = &*i.cond else {
            return None;
        };
        if !success_pattern(&l.pat) {
            return None;
        }
        let recv = self.recv_call_channels(&l.expr);
        if recv.is_empty() {
            return None;
        }
        let other = syntax::leaves_loop_on_success(&i.then_branch);
        let ends = match &i.else_branch {
            Some((_, e)) if syntax::expr_leaves_loop_on_success(e) => recv,
            _ => Vec::new(),
        };
        Some((ends, other))
    }

    /// The stream channels a receiver operand (`rx`, `&rx`, `self.rx`) receives from.
    fn receiver_channels(&self, expr: &Expr) -> Vec<ChanId> {
        let mut expr = strip(expr);
        while let Expr::Reference(r) = expr {
            expr = strip(&r.expr);
        }
        self.peek(expr)
            .receivers
            .into_iter()
            .filter(|&c| self.kind(c) == ChannelKind::Stream)
            .collect()
    }

    /// Runs a `select!`: every operand is evaluated (polled), then one arm runs, as in a
    /// `match`.
    pub(super) fn select(&mut self, select: &Select) -> Val {
        for arm in &select.arms {
            match &arm.crossbeam {
                Some(CrossbeamOp::Send(value)) => {
                    self.expr_borrowed(&arm.future);
                    self.expr(value);
                }
                Some(CrossbeamOp::Recv) => {
                    self.expr_borrowed(&arm.future);
                }
                None => {
                    self.expr(&arm.future);
                }
            }
            if let Some(cond) = &arm.precondition {
                self.expr_borrowed(cond);
            }
        }
        let start = self.env.clone();
        let len = self.var_count();
        let mut out_env: Option<Env> = None;
        let mut out_val = Val::default();
        let mut bodies: Vec<(Option<&Pat>, &Expr)> = select
            .arms
            .iter()
            .map(|arm| (Some(&arm.pat), &arm.body))
            .collect();
        bodies.extend(select.when_all_done.iter().map(|b| (None, b)));
        bodies.extend(select.default.iter().map(|b| (None, b)));
        for (pat, body) in bodies {
            self.env = start.clone();
            if let Some(pat) = pat {
                self.bind(pat, Val::default(), None);
            }
            let v = self.expr(body);
            self.truncate(len);
            out_val.absorb(v);
            out_env = join(out_env, self.env.take());
        }
        self.env = if select.arms.is_empty() && select.when_all_done.is_none() {
            start
        } else {
            out_env
        };
        out_val
    }
}

/// A macro call as an expression, for the syntax queries.
fn mac_expr(mac: &syn::Macro) -> Expr {
    Expr::Macro(syn::ExprMacro {
        attrs: Vec::new(),
        mac: mac.clone(),
    })
}

impl<'a> Interp<'a> {
    /// Whether bindings of frame `owner` and deeper certainly hold a sender of `chan`.
    fn frame_holds_sender(&self, owner: usize, chan: ChanId) -> bool {
        self.env.iter().flat_map(|e| &e.vars).any(|var| {
            !var.moved && var.frame >= owner && var.val.senders.iter().any(|s| s.chan == chan)
        })
    }

    /// A loop that ends when any of several channels ends (a `select!` with a receiving arm
    /// for each): a channel whose sender the waiting code holds itself never ends, so the
    /// loop's end is up to the others, and it is no wait for that channel's end.
    pub(super) fn waits_of_any_of(&self, mut chans: Vec<ChanId>) -> Vec<ChanId> {
        chans.sort_unstable();
        chans.dedup();
        if chans.len() < 2 {
            return chans;
        }
        let owner = self.owner_frame();
        let held: Vec<bool> = chans
            .iter()
            .map(|&c| self.frame_holds_sender(owner, c))
            .collect();
        if held.iter().all(|&h| h) {
            return chans;
        }
        chans
            .into_iter()
            .zip(held)
            .filter(|&(_, h)| !h)
            .map(|(c, _)| c)
            .collect()
    }

    /// `waits_of_any_of` for the waits of a called function's summary: waits at the same
    /// loop are one loop's channels. Whether the wait on `chans` (one slot) is kept.
    pub(super) fn keeps_any_of_wait(&self, group: &[&[ChanId]], chans: &[ChanId]) -> bool {
        if group.len() < 2 {
            return true;
        }
        let owner = self.owner_frame();
        let held =
            |cs: &[ChanId]| !cs.is_empty() && cs.iter().all(|&c| self.frame_holds_sender(owner, c));
        !held(chans) || group.iter().all(|cs| held(cs))
    }
}
