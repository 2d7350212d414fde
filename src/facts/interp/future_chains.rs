//! Futures built from a receiver by combinators. A stream consumer that is only a future
//! (`rx.forward(sink)`) drains nothing where it is built: built in a function's own body
//! and not awaited there (`let driver = rx.map(Ok).forward(sink); (handle, driver)`), it is a
//! value that drains its stream when run (awaited, spawned, returned to a caller that does).
//! Built inside a task, or awaited right away, it drains there. Awaiting `rx.map(f)`, `rx.map_err(f)`,
//! `send_fut.and_then(|_| rx)` or `fut.then(move |_| rx.map(f))` awaits `rx` too (the
//! closure's result is the future the chain goes on with). Only read where the value is
//! awaited, where these names are futures' combinators, not `Option`'s or iterators'.

use super::*;

/// Combinators whose result runs their receiver to its end.
const WRAPPING: &[&str] = &[
    "map",
    "map_ok",
    "map_err",
    "map_into",
    "err_into",
    "ok_into",
    "inspect",
    "inspect_ok",
    "inspect_err",
    "boxed",
    "boxed_local",
    "fuse",
    "unwrap_or_else",
];
/// Combinators that go on with the future their closure returns.
const CHAINING: &[&str] = &["and_then", "then", "or_else"];

/// Stream consumers that only build a future (futures' `StreamExt`), never an iterator's.
const LAZY_CONSUMERS: &[&str] = &["forward"];

impl<'a> Interp<'a> {
    /// Whether the consumer call builds a future that drains later, not here.
    pub(super) fn builds_lazy_drain(&self, mc: &syn::ExprMethodCall) -> bool {
        LAZY_CONSUMERS.contains(&mc.method.to_string().as_str())
            && self.owner_frame() == 0
            && !self
                .awaited_now
                .contains(&(mc as *const syn::ExprMethodCall as usize))
    }

    /// The method calls an `.await` of `base` runs now: `base` and the receivers of the
    /// combinators around it.
    pub(super) fn note_awaited_now(&mut self, base: &Expr) {
        let mut expr = strip(base);
        while let Expr::MethodCall(mc) = expr {
            self.awaited_now
                .push(mc as *const syn::ExprMethodCall as usize);
            let m = mc.method.to_string();
            if !WRAPPING.contains(&m.as_str()) && !CHAINING.contains(&m.as_str()) {
                break;
            }
            expr = strip(&mc.receiver);
        }
    }

    /// The receivers an awaited future runs to their end, through combinators.
    pub(super) fn awaited_receivers(&self, expr: &Expr, depth: usize) -> Vec<ChanId> {
        let mut out = self.peek(expr).receivers;
        let Expr::MethodCall(mc) = strip(expr) else {
            return out;
        };
        if depth > 8 {
            return out;
        }
        let m = mc.method.to_string();
        if WRAPPING.contains(&m.as_str()) || CHAINING.contains(&m.as_str()) {
            out.extend(self.awaited_receivers(&mc.receiver, depth + 1));
        }
        if CHAINING.contains(&m.as_str()) {
            for arg in &mc.args {
                if let Some(tail) = closure_result(arg) {
                    out.extend(self.awaited_receivers(tail, depth + 1));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The expression a closure returns, when it is rooted in no binding of the closure's own
/// (`|_| rx.map(f)`: `rx` is the outer binding).
fn closure_result(arg: &Expr) -> Option<&Expr> {
    let Expr::Closure(c) = strip(arg) else {
        return None;
    };
    let tail = match strip(&c.body) {
        Expr::Block(b) => match b.block.stmts.last() {
            Some(Stmt::Expr(e, None)) => e,
            _ => return None,
        },
        other => other,
    };
    let mut root = tail;
    while let Expr::MethodCall(mc) = strip(root) {
        root = &mc.receiver;
    }
    let name = ident_of(strip(root))?;
    let own = syntax::bound_names(|v| v.visit_expr(arg));
    (!own.contains(&name)).then_some(tail)
}
