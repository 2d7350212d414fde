//! Interior mutability: stores and takes through lock guards, `RefCell` borrows and the like
//! (`*self.events.write().unwrap() = Some(tx)`, `self.sender.lock().take()`,
//! `guard.clear()`), counted per field of the place behind the guard.

use super::*;

/// Methods that take what a place behind a guard holds out of it (or drop it).
const TAKING_THROUGH_GUARD: &[&str] = &["take", "clear", "remove", "drain", "pop", "truncate"];

impl<'a> Interp<'a> {
    /// `*place.lock().unwrap() = value`: the place's field holds `value` from here (and no
    /// longer what it held). Returns whether `left` is such a store.
    pub(super) fn store_through_guard(&mut self, left: &Expr, val: &Val, at: Loc) -> bool {
        let Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Deref(_),
            expr,
            ..
        }) = strip(left)
        else {
            return false;
        };
        let Expr::MethodCall(_) = strip(expr) else {
            return false;
        };
        let place = through_guards(expr);
        if std::ptr::eq(place, strip(expr)) {
            return false;
        }
        let Some(idx) = place_root(place).and_then(|n| self.lookup(&n)) else {
            return false;
        };
        let field = field_of_place(place);
        if val.clone().flattened().senders.is_empty() {
            // `*guard = None`: what the field held is gone. (A store of a new sender keeps
            // the argument held for the caller: the summary's store says so.)
            self.released.insert(idx);
        }
        if let Some(var) = self.var(idx) {
            if var.moved {
                return true;
            }
            var.val
                .senders
                .retain(|s| field.is_some() && s.field != field);
            var.val
                .absorb(val.clone().held_at(at, Acquired::Stored, field.as_deref()));
        }
        true
    }

    /// `place.lock().unwrap().take()` and the like: what the place's field holds moves out.
    pub(super) fn take_through_guard(&mut self, mc: &syn::ExprMethodCall) -> Option<Val> {
        let method = mc.method.to_string();
        if !TAKING_THROUGH_GUARD.contains(&method.as_str()) {
            return None;
        }
        let (idx, field) = match strip(&mc.receiver) {
            Expr::MethodCall(_) => {
                let place = through_guards(&mc.receiver);
                if std::ptr::eq(place, strip(&mc.receiver)) {
                    return None;
                }
                let idx = place_root(place).and_then(|n| self.lookup(&n))?;
                (idx, field_of_place(place))
            }
            // `writers.remove(name)` on a guard bound earlier (`let mut writers =
            // self.writers.write().unwrap();`): out of the value the guard locks.
            receiver => {
                let guard = place_root(receiver).and_then(|n| self.lookup(&n))?;
                let idx = self.var(guard).and_then(|v| v.guard_of)?;
                (idx, None)
            }
        };
        for arg in &mc.args {
            self.expr(arg);
        }
        self.released.insert(idx);
        self.release_through_guard(idx);
        let var = self.var(idx)?;
        if var.moved {
            return Some(Val::default());
        }
        let (taken, kept): (Vec<SenderRef>, Vec<SenderRef>) = var
            .val
            .senders
            .drain(..)
            .partition(|s| field.is_none() || s.field == field);
        var.val.senders = kept;
        let taken = Val {
            senders: taken,
            ..Val::default()
        };
        Some(
            if method == "take" || method == "remove" || method == "pop" {
                taken
            } else {
                Val::default()
            },
        )
    }
}

impl Val {
    /// The value's senders, stored under `field` of their holder.
    pub(super) fn in_field(mut self, field: Option<String>) -> Val {
        if field.is_some() {
            for sender in &mut self.senders {
                sender.field.clone_from(&field);
            }
        }
        self
    }
}

/// The field right under a place's root: `events` for `self.events` and `self.events.inner`.
pub(super) fn field_of_place(mut expr: &Expr) -> Option<String> {
    let mut field = None;
    loop {
        match strip(expr) {
            Expr::Field(f) => {
                field = Some(member_name(&f.member));
                expr = &f.base;
            }
            _ => return field,
        }
    }
}
