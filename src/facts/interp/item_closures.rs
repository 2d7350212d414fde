//! Closures given to a method: whether one carries channels into the call (it captured a
//! sender: `bus.subscribe(Box::new(move |e| tx.send(e)))`), and what the items of an iterator
//! carry when a closure makes them (`.map(|_| tx.clone())`) or is given them (`.map(|h|
//! h.join())`).

use super::calls::without_clone;
use super::*;

impl<'a> Interp<'a> {
    /// Whether an argument may carry channels: a binding or place that does, or a closure or
    /// future (boxed or not: `Box::new(move |v| tx.send(v))`) that captures one that does.
    pub(super) fn may_carry(&self, arg: &Expr) -> bool {
        if !self.peek(without_clone(arg)).is_empty() {
            return true;
        }
        // Through wrappers of one argument (`Box::new(f)`, `Arc::new(..)`) and casts.
        let mut inner = strip(arg);
        loop {
            match inner {
                Expr::Call(c) if c.args.len() == 1 => inner = strip(&c.args[0]),
                Expr::Cast(c) => inner = strip(&c.expr),
                _ => break,
            }
        }
        if !std::ptr::eq(inner, strip(arg)) && !self.peek(inner).is_empty() {
            return true;
        }
        if !matches!(inner, Expr::Closure(_) | Expr::Async(_)) {
            return false;
        }
        syntax::captures(inner).keys().any(|name| {
            let val = self.peek_name(name);
            !val.senders.is_empty() || !val.receivers.is_empty()
        })
    }

    /// A closure that makes each item of an iterator (`.map(|_| tx.clone())`, `.map(|_|
    /// thread::spawn(..))`): the senders and task handles its result carries, made anew by
    /// the closure (a clone, a spawn), not what it was given. Its first parameter is `item`;
    /// `kind`: whether it runs here (it is given task handles to join) or later.
    pub(super) fn closure_items(
        &mut self,
        c: &syn::ExprClosure,
        item: Val,
        kind: FrameKind,
    ) -> Val {
        let mut result = Val::default();
        let at = span_loc(c.inputs_begin.span).to(span_loc(syntax::last_span(&c.body)));
        let body: &Expr = &c.body;
        self.next_bound = syntax::bound_names(|v| v.visit_expr(body));
        self.frame_body(
            at,
            kind,
            c.capture.is_some(),
            |this| {
                let mut item = Some(item);
                for input in &c.inputs {
                    this.bind(input, item.take().unwrap_or_default(), None);
                }
                result = this.expr(body).flattened();
                Val::default()
            },
            || syntax::captures(body),
        );
        result
            .senders
            .retain(|s| matches!(s.how, Acquired::Cloned | Acquired::Created));
        Val {
            senders: result.senders,
            drains: result.drains,
            ..Val::default()
        }
    }
}
