//! Values that share their state with a process-wide global: `logger.install()` hands
//! `Box::new(self.clone())` of an `Arc`-backed logger to `log::set_boxed_logger`, and a sender
//! registered into `logger` afterwards (`logger.register(Box::new(LspLogger { sender }))`) is
//! kept by the global for the rest of the program, though no sender was in sight when the
//! global was set.

use super::*;
use crate::facts::value::Kept;
use crate::facts::Leak;

impl<'a> Interp<'a> {
    /// The arguments of a call to a global setter that are clones of a binding
    /// (`Box::new(logger.clone())`, `Arc::clone(&shared)`): the binding shares its state with
    /// what the global keeps from now on.
    pub(super) fn mark_kept_clones(
        &mut self,
        args: &Punctuated<Expr, Token![,]>,
        how: &LeakHow,
        at: Loc,
    ) {
        for arg in args {
            let Some(source) = clone_source(arg) else {
                continue;
            };
            let Some(idx) = self.lookup(&source) else {
                continue;
            };
            let kept = Kept {
                at,
                how: how.clone(),
            };
            if let Some(var) = self.var(idx).filter(|v| !v.moved) {
                if !var.val.kept.contains(&kept) {
                    var.val.kept.push(kept);
                }
            }
        }
    }

    /// The parameters the function made share their state with a global (for its summary).
    pub(super) fn kept_params(&self) -> Vec<(usize, Loc, LeakHow)> {
        if self.self_view != SelfView::Placeholder {
            return Vec::new();
        }
        let Some(env) = &self.env else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &(index, var) in &self.param_vars {
            let Some(var) = env.vars.get(var) else {
                continue;
            };
            for kept in &var.val.kept {
                out.push((index, kept.at, kept.how.clone()));
            }
        }
        out
    }

    /// A call whose summary makes argument `index` share its state with a global.
    pub(super) fn keep_argument(&mut self, target: Option<usize>, at: Loc, how: &LeakHow) {
        let Some(idx) = target else {
            return;
        };
        let kept = Kept {
            at,
            how: how.clone(),
        };
        if let Some(var) = self.var(idx).filter(|v| !v.moved) {
            if !var.val.kept.contains(&kept) {
                var.val.kept.push(kept);
            }
        }
    }

    /// Senders stored at `at` into a value a global keeps (`kept`, what the value carries):
    /// kept for the rest of the program, unless the function takes them out of the binding
    /// `var` again before it ends (`release_kept`).
    pub(super) fn store_into_kept(
        &mut self,
        kept: &[Kept],
        stored: &Val,
        at: Loc,
        var: Option<usize>,
    ) {
        if !self.recording || self.env.is_none() {
            return;
        }
        let Some(first) = kept.first() else {
            return;
        };
        for sender in stored.clone().flattened().senders {
            if self.facts.channels[sender.chan].param.is_some() {
                continue;
            }
            let leak = Leak {
                chan: sender.chan,
                at,
                how: first.how.clone(),
                acquired: sender.at,
            };
            self.leak_state.kept_stores.push((var, leak));
        }
    }

    /// The binding whose state a guard initializer locks: `self` for `self.shared.write()` or
    /// `self.shared.lock().unwrap()` (at least one lock or unwrap between).
    pub(super) fn guarded_binding(&self, init: &Expr) -> Option<usize> {
        let inner = through_guards(init);
        if std::ptr::eq(inner, strip(init)) || !matches!(strip(init), Expr::MethodCall(_)) {
            return None;
        }
        let Expr::MethodCall(mc) = strip(init) else {
            return None;
        };
        if !["lock", "write", "borrow_mut", "try_lock", "try_write"]
            .iter()
            .any(|m| guard_chain_has(mc, m))
        {
            return None;
        }
        self.lookup(&place_root(inner)?)
    }

    /// The binding a store goes into: the one a guard locks, for a guard.
    pub(super) fn store_target(&mut self, idx: usize) -> usize {
        self.var(idx).and_then(|v| v.guard_of).unwrap_or(idx)
    }

    /// The function took the senders out of `var` again (`logger.remove(..)`): what it stored
    /// there is no longer kept.
    pub(super) fn release_kept(&mut self, var: usize) {
        self.leak_state.kept_stores.retain(|(v, _)| *v != Some(var));
    }
}

/// The binding an argument clones: `x.clone()`, `Arc::clone(&x)`, `Clone::clone(&x)`, also
/// wrapped in a one-argument constructor (`Box::new(x.clone())`, `Arc::new(..)`).
fn clone_source(arg: &Expr) -> Option<String> {
    match strip(arg) {
        Expr::MethodCall(mc) if mc.method == "clone" && mc.args.is_empty() => {
            place_root(strip(&mc.receiver))
        }
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(p) = &*c.func else {
                return None;
            };
            let last = p.path.segments.last()?.ident.to_string();
            if last == "clone" {
                place_root(strip(&c.args[0]))
            } else {
                clone_source(&c.args[0])
            }
        }
        _ => None,
    }
}

/// Whether a method chain calls `method` on its way to its root.
fn guard_chain_has(mut mc: &syn::ExprMethodCall, method: &str) -> bool {
    loop {
        if mc.method == method {
            return true;
        }
        match strip(&mc.receiver) {
            Expr::MethodCall(inner) => mc = inner,
            _ => return false,
        }
    }
}
