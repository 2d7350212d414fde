//! Futures built from a receiver by combinators: awaiting `rx.map(f)`, `rx.map_err(f)`,
//! `send_fut.and_then(|_| rx)` or `fut.then(move |_| rx.map(f))` awaits `rx` too (the
//! closure's result is the future the chain goes on with). Only read where the value is
//! awaited, where these names are futures' combinators, not `Option`'s or iterators'.

use super::*;

/// Combinators whose result runs their receiver to its end.
const WRAPPING: &[&str] = &[
    "map", "map_ok", "map_err", "map_into", "err_into", "ok_into", "inspect", "inspect_ok",
    "inspect_err", "boxed", "boxed_local", "fuse", "unwrap_or_else",
];
/// Combinators that go on with the future their closure returns.
const CHAINING: &[&str] = &["and_then", "then", "or_else"];

impl<'a> Interp<'a> {
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
