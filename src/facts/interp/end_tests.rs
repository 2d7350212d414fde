//! A receive whose result is tested for the channel's end rather than matched: a watch
//! receiver's `while rx.changed().await.is_ok()`, `if rx.changed().await.is_err() { break }`,
//! `if let Err(_) = rx.changed().await { return }`, `rx.changed().await?;` in a loop. Each
//! leaves the loop only when the receive reports the end, so the loop waits for that end.

use super::select::ArmExit;
use super::*;
use syn::Local;

/// Tests on a receive's `Result`/`Option` that hold while the channel is open.
const OPEN_TESTS: &[&str] = &["is_ok", "is_some"];

/// Tests that hold once the channel has ended.
const END_TESTS: &[&str] = &["is_err", "is_none"];

impl Interp<'_> {
    /// `rx.changed().await.is_ok()` as a `while` condition: the channels whose end ends it.
    pub(super) fn open_test_channels(&self, cond: &Expr) -> Vec<ChanId> {
        match strip(cond) {
            Expr::MethodCall(mc)
                if mc.args.is_empty() && OPEN_TESTS.contains(&mc.method.to_string().as_str()) =>
            {
                self.recv_call_channels(&mc.receiver)
            }
            _ => Vec::new(),
        }
    }

    /// A statement of a loop body that leaves the loop when a receive reports the end: the
    /// channels whose end it leaves on, and whether it also leaves otherwise; `None` when the
    /// statement is no such test.
    pub(super) fn end_test_channels(&self, stmt: &Stmt) -> Option<(Vec<ChanId>, bool)> {
        let expr = match stmt {
            Stmt::Expr(e, _) => e,
            Stmt::Local(Local {
                init: Some(init), ..
            }) if init.diverge.is_none() => &init.expr,
            _ => return None,
        };
        match strip(expr) {
            // `rx.changed().await?;`: the error at the end leaves the function.
            Expr::Try(t) => {
                let recv = self.recv_call_channels(&t.expr);
                (!recv.is_empty()).then_some((recv, false))
            }
            Expr::If(i) => {
                let recv = self.tested_for_end(&i.cond)?;
                let ends = if syntax::leaves_loop_on_success(&i.then_branch) {
                    recv
                } else {
                    Vec::new()
                };
                let other = i
                    .else_branch
                    .as_ref()
                    .is_some_and(|(_, e)| syntax::expr_leaves_loop_on_success(e));
                Some((ends, other))
            }
            _ => None,
        }
    }

    /// The channels of a receive that `cond` holds for only at the end: `recv.is_err()`,
    /// `recv.is_none()`, `let Err(_) = recv`, `let None = recv`.
    fn tested_for_end(&self, cond: &Expr) -> Option<Vec<ChanId>> {
        let recv = match strip(cond) {
            Expr::MethodCall(mc)
                if mc.args.is_empty() && END_TESTS.contains(&mc.method.to_string().as_str()) =>
            {
                self.recv_call_channels(&mc.receiver)
            }
            Expr::Let(l) if end_pattern(&l.pat) => self.recv_call_channels(&l.expr),
            _ => return None,
        };
        (!recv.is_empty()).then_some(recv)
    }
}

/// How statements that start from a received `name` leave the loop: only at the end when the
/// one statement that leaves is `if name.is_err() { break }` (or `is_none`, `let Err(_)`,
/// `let None`) and nothing else leaves.
pub(super) fn leaves_only_at_end(stmts: &[Stmt], name: &str) -> ArmExit {
    let mut out = ArmExit::Never;
    for stmt in stmts {
        if !syntax::stmt_leaves_loop_on_success(stmt) {
            continue;
        }
        let at_end = match stmt {
            Stmt::Expr(Expr::If(i), _) => {
                tests_name_for_end(&i.cond, name)
                    && i.else_branch
                        .as_ref()
                        .is_none_or(|(_, e)| !syntax::expr_leaves_loop_on_success(e))
            }
            _ => false,
        };
        if !at_end {
            return ArmExit::Other;
        }
        out = ArmExit::OnEnd;
    }
    out
}

/// `name.is_err()`, `name.is_none()`, `let Err(_) = name`, `let None = name`.
fn tests_name_for_end(cond: &Expr, name: &str) -> bool {
    match strip(cond) {
        Expr::MethodCall(mc) => {
            mc.args.is_empty()
                && END_TESTS.contains(&mc.method.to_string().as_str())
                && ident_of(&mc.receiver).as_deref() == Some(name)
        }
        Expr::Let(l) => end_pattern(&l.pat) && ident_of(&l.expr).as_deref() == Some(name),
        _ => false,
    }
}

/// `Err(..)` or `None`: a pattern only the end of a channel matches.
fn end_pattern(pat: &Pat) -> bool {
    match pat {
        // `Err(RecvError::Lagged(_))` is not the end of a broadcast channel.
        Pat::TupleStruct(t) => {
            t.path.is_ident("Err")
                && t.elems.len() == 1
                && matches!(
                    &t.elems[0],
                    Pat::Wild(_) | Pat::Ident(syn::PatIdent { subpat: None, .. })
                )
        }
        Pat::Ident(p) => p.subpat.is_none() && p.ident == "None",
        Pat::Path(p) => p.path.is_ident("None"),
        Pat::Paren(p) => end_pattern(&p.pat),
        _ => false,
    }
}
