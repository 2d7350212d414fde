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
            self.keep_binding(idx, kept);
        }
    }

    /// The binding `idx` shares its state with a global from now on.
    fn keep_binding(&mut self, idx: usize, kept: Kept) {
        let Some(var) = self.var(idx).filter(|v| !v.moved) else {
            return;
        };
        if !var.val.kept.contains(&kept) {
            var.val.kept.push(kept);
        }
        self.facts.keeps_globals = true;
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
        self.keep_binding(idx, kept);
    }

    /// Senders stored at `at` into `holder`: kept for the rest of the program where a global
    /// keeps the holder (`holder.kept`), unless the function takes them out of the binding
    /// `var` again before it ends (`release_kept`); noted for the summary where the holder
    /// shares its state with a parameter, which the caller's argument may be.
    pub(super) fn store_into_kept(
        &mut self,
        holder: &Val,
        stored: &Val,
        at: Loc,
        var: Option<usize>,
    ) {
        if !self.recording || self.env.is_none() {
            return;
        }
        if self.self_view == SelfView::Placeholder {
            for &index in &holder.shares_params {
                let stored = Val {
                    senders: stored.clone().flattened().senders,
                    ..Val::default()
                };
                if !stored.is_empty() {
                    self.leak_state.shared_stores.push((var, index, stored));
                }
            }
        }
        let Some(first) = holder.kept.first() else {
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
            let known = self
                .leak_state
                .kept_stores
                .iter()
                .any(|(_, l)| l.chan == leak.chan && l.at == leak.at);
            if !known {
                self.leak_state.kept_stores.push((var, leak));
            }
        }
    }

    /// What the function stored into values sharing their state with its parameters, for its
    /// summary (taken before `finish_leaks`).
    pub(super) fn take_shared_stores(&mut self) -> Vec<(usize, Val)> {
        let mut out: Vec<(usize, Val)> = Vec::new();
        for (_, index, stored) in std::mem::take(&mut self.leak_state.shared_stores) {
            match out.iter_mut().find(|(i, _)| *i == index) {
                Some((_, val)) => val.absorb(stored),
                None => out.push((index, stored)),
            }
        }
        out
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

    /// The waits of this function (from the file's wait `first` on) on the channels it made
    /// and stored into values sharing their state with its parameters: one each.
    pub(super) fn shared_waits(&self, stores: &[(usize, Val)], first: usize) -> Vec<(ChanId, Loc)> {
        let mut out: Vec<(ChanId, Loc)> = Vec::new();
        for (_, stored) in stores {
            for sender in &stored.senders {
                if self.facts.channels[sender.chan].param.is_some()
                    || out.iter().any(|(c, _)| *c == sender.chan)
                {
                    continue;
                }
                if let Some(wait) = self.facts.waits[first..]
                    .iter()
                    .find(|w| w.chan == sender.chan)
                {
                    out.push((sender.chan, wait.at));
                }
            }
        }
        out
    }

    /// A callee waits (at `wait_at`, its own position) for the end of a channel it made and
    /// stored into an argument that a global keeps or that shares this function's parameter:
    /// the call waits for it here.
    pub(super) fn wait_in_callee(
        &mut self,
        chans: &[ChanId],
        at: Loc,
        function: &str,
        wait_at: Option<Loc>,
    ) {
        for &chan in chans {
            self.record_wait(
                chan,
                at,
                WaitForm::Call {
                    function: function.to_string(),
                    drain: wait_at,
                },
            );
        }
    }

    /// What a binding shares its state with (a global's value, parameters), to store into it.
    pub(super) fn holder_state(&mut self, idx: usize) -> Val {
        self.var(idx)
            .filter(|v| !v.moved)
            .map(|v| {
                // A field's value shares its state too (`Setup { connection, logger }`).
                let whole = v.val.clone().flattened();
                Val {
                    kept: whole.kept,
                    shares_params: whole.shares_params,
                    ..Val::default()
                }
            })
            .unwrap_or_default()
    }

    /// The result of a call shares its state with what the callee's result shares it with:
    /// its parameters (`shares_params`, the callee's numbering) are the arguments here.
    pub(super) fn share_with_arguments(val: &mut Val, args: &[Val]) {
        for index in std::mem::take(&mut val.shares_params) {
            let Some(arg) = args.get(index) else {
                continue;
            };
            let arg = arg.clone().flattened();
            let shared = Val {
                kept: arg.kept,
                shares_params: arg.shares_params,
                ..Val::default()
            };
            val.absorb(shared);
        }
        if let Some(parts) = &mut val.parts {
            for part in parts {
                Self::share_with_arguments(part, args);
            }
        }
    }

    /// A callee stored `stored` (its slots; `chans`: what they are here) into its parameter
    /// `index`, or into a value sharing its state with it: kept where the argument is a value
    /// a global keeps, noted again where it shares its state with this function's parameter.
    pub(super) fn store_into_shared_argument(
        &mut self,
        index: usize,
        stored: &Val,
        chans: &[Vec<ChanId>],
        args: &[Val],
        target: Option<usize>,
        at: Loc,
    ) -> bool {
        // The argument as passed (also a `self` the method consumed), and the binding now.
        let mut holder = args.get(index).cloned().unwrap_or_default().flattened();
        if let Some(t) = target {
            holder.absorb(self.holder_state(t));
        }
        if holder.kept.is_empty() && holder.shares_params.is_empty() {
            return false;
        }
        let mut stored =
            crate::facts::summary::map_val(stored, &mut |slot| chans[slot].clone(), &mut |d| {
                vec![d.clone()]
            });
        super::summaries::relocate_senders(&mut stored, at);
        self.store_into_kept(&holder, &stored, at, target);
        true
    }

    /// The binding a store goes into: the one a guard locks, for a guard.
    pub(super) fn store_target(&mut self, idx: usize) -> usize {
        self.var(idx).and_then(|v| v.guard_of).unwrap_or(idx)
    }

    /// The function took the senders out of `var` again (`logger.remove(..)`): what it stored
    /// there is no longer kept.
    pub(super) fn release_kept(&mut self, var: usize) {
        self.leak_state.kept_stores.retain(|(v, _)| *v != Some(var));
        // Taken out of a value sharing its state with a parameter: also out of what was
        // stored into another value sharing it (`ServerSetup::new(conn, logger.clone())`).
        let shares = self.holder_state(var).shares_params;
        self.leak_state
            .shared_stores
            .retain(|(v, index, _)| *v != Some(var) && !shares.contains(index));
    }

    /// The function takes back out of the shared state of `var` what was stored there (a
    /// take through a lock guard of it, `shared.writers.remove(name)`; a callee's
    /// `shared_releases`; its `Drop`): also for the summary, where `var` is a parameter or
    /// shares one's state.
    pub(super) fn release_shared_state(&mut self, var: usize) {
        self.release_kept(var);
        let shared = self.holder_state(var);
        self.release_shared(&shared);
        self.note_param_release(var);
    }

    /// A take through a lock guard of a parameter itself (`shared.writers.remove(name)` with
    /// `shared` locking `self.shared`): what the function stored there is taken back out, and
    /// the summary says so. A take out of a local clone sharing a parameter's state
    /// (`let loader = self.loader.clone(); loader.lock().clear()`) concerns that one value
    /// only: it releases what was stored into it, and the summary says nothing.
    pub(super) fn release_through_guard(&mut self, var: usize) {
        self.release_kept(var);
        self.note_param_release(var);
    }

    fn note_param_release(&mut self, var: usize) {
        // Out of the parameter itself (`self` in `Drop::drop`, whatever view it has there).
        let params: Vec<usize> = self
            .param_vars
            .iter()
            .filter(|(_, v)| *v == var)
            .map(|(index, _)| *index)
            .collect();
        self.note_shared_releases(&params);
    }

    /// What was stored into values sharing their state with `shared` (its parameters, its
    /// global) is taken back out: a callee took it out of a temporary (`.to_server()?
    /// .main_loop()` dropping the server whose `Drop` unregisters the logger).
    pub(super) fn release_shared(&mut self, shared: &Val) {
        let shared = shared.clone().flattened();
        if !shared.kept.is_empty() {
            self.leak_state
                .kept_stores
                .retain(|(_, leak)| !shared.kept.iter().any(|k| k.how == leak.how));
        }
        let params = shared.shares_params;
        self.leak_state
            .shared_stores
            .retain(|(_, index, _)| !params.contains(index));
        if self.self_view == SelfView::Placeholder {
            self.note_shared_releases(&params);
        }
    }

    fn note_shared_releases(&mut self, params: &[usize]) {
        for &index in params {
            if !self.leak_state.shared_releases.contains(&index) {
                self.leak_state.shared_releases.push(index);
            }
        }
    }

    /// For the summary: the parameters out of whose shared state the function took back what
    /// was stored there.
    pub(super) fn take_shared_releases(&mut self) -> Vec<usize> {
        let mut out = std::mem::take(&mut self.leak_state.shared_releases);
        out.sort_unstable();
        out
    }

    /// A parameter taken by value and still held at the end of the body is dropped there: if
    /// its type's `Drop` takes back what was stored into its shared state (a `Server` whose
    /// `drop` unregisters the logger), so does the function (`main_loop(mut self)`).
    pub(super) fn drop_owned_params(&mut self, sig: &syn::Signature) {
        let owned: Vec<usize> = sig
            .inputs
            .iter()
            .enumerate()
            .filter(|(_, input)| match input {
                syn::FnArg::Receiver(r) => matches!(r.kind, syn::ReceiverKind::Value),
                syn::FnArg::Typed(t) => !matches!(&*t.ty, syn::Type::Reference(_)),
            })
            .map(|(index, _)| index)
            .collect();
        let vars: Vec<(usize, String)> = self
            .param_vars
            .iter()
            .filter(|(index, _)| owned.contains(index))
            .filter_map(|&(_, var)| {
                let v = self.env.as_ref()?.vars.get(var)?;
                // Emptied by a callee (a field taken out), it is still owned, and dropped.
                let owned = !v.moved || !self.moved_by_value.contains(&var);
                Some((var, v.ty.clone()?)).filter(|_| owned)
            })
            .collect();
        for (var, ty) in vars {
            if self.drop_releases_shared(&ty) {
                self.release_shared_state(var);
            }
        }
    }

    /// Whether the `Drop` of type `ty` takes back what was stored into its shared state.
    pub(super) fn drop_releases_shared(&self, ty: &str) -> bool {
        self.shared
            .summaries
            .function(&[ty.to_string(), "drop".to_string()], &self.module)
            .is_some_and(|s| s.has_self && s.shared_releases.contains(&0))
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
