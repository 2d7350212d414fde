//! Function boundaries: parameters bound to placeholder channels while a function is
//! summarized, and summaries applied where a function is called.

use super::*;
use crate::facts::summary::{map_val, Part, Slot};
use crate::facts::{HeldSender, Origin};

impl<'a> Interp<'a> {
    /// Binds every parameter to placeholders for what it carries. In `Drop::drop`, `self` is
    /// what the type's constructors build instead, since its fields are all still alive.
    pub(super) fn bind_params(&mut self, sig: &syn::Signature, body: Loc) {
        for (index, input) in sig.inputs.iter().enumerate() {
            match input {
                syn::FnArg::Receiver(r) => {
                    let at = span_loc(r.self_token.span);
                    let val = match self.self_view {
                        SelfView::Placeholder => Val {
                            shares_params: vec![index],
                            ..self.placeholder(index, at)
                        },
                        SelfView::Dropping | SelfView::Owning => self.constructed_self(body),
                    };
                    self.declare("self".into(), val, at);
                    self.type_last_binding(self.self_ty.clone());
                    if self.self_view == SelfView::Owning {
                        // The value drains its own channel: `self-held-sender`, not a caller's
                        // lingering sender.
                        if let Some(var) = self.env.as_mut().and_then(|e| e.vars.last_mut()) {
                            var.captured = true;
                        }
                    }
                    self.param_vars.push((index, self.var_count() - 1));
                }
                syn::FnArg::Typed(t) => {
                    let at = match &*t.pat {
                        Pat::Ident(p) => span_loc(p.ident.span()),
                        _ => span_loc(t.colon_token.span),
                    };
                    // A wrapper of this file given by value: iterating it yields what its
                    // `Iterator` impl receives, the caller's readers.
                    let iterated_by_impl =
                        light_types::named_type(&t.ty).is_some_and(|ty| self.iterates_by_impl(&ty));
                    let val = Val {
                        shares_params: vec![index],
                        iterated_by_impl,
                        ..self.placeholder(index, at)
                    };
                    self.bind(&t.pat, val, None);
                    if matches!(&*t.pat, Pat::Ident(_)) {
                        self.type_last_binding(light_types::named_type(&t.ty));
                        if matches!(&*t.ty, syn::Type::Reference(_)) {
                            self.lend_last_binding();
                        }
                    }
                    if matches!(&*t.pat, Pat::Ident(_)) {
                        self.param_vars.push((index, self.var_count() - 1));
                    }
                }
            }
        }
    }

    /// What each parameter holds at the end of the body beyond what it came in with: senders
    /// and task handles stored into it through a mutable borrow.
    pub(super) fn stored_into_params(&self) -> Vec<(usize, Val)> {
        if self.self_view != SelfView::Placeholder {
            return Vec::new();
        }
        let Some(env) = &self.env else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for &(index, var) in &self.param_vars {
            let Some(var) = env.vars.get(var).filter(|v| !v.moved) else {
                continue;
            };
            let own = |chan: ChanId| {
                self.facts.channels[chan].param == Some((index, Role::Senders))
                    || self.facts.channels[chan].param == Some((index, Role::Drains))
            };
            let stored = Val {
                senders: var
                    .val
                    .senders
                    .iter()
                    .filter(|s| !own(s.chan))
                    .cloned()
                    .collect(),
                drains: var
                    .val
                    .drains
                    .iter()
                    .filter(|d| !own(d.chan))
                    .cloned()
                    .collect(),
                ..Val::default()
            };
            if !stored.is_empty() {
                out.push((index, stored));
            }
        }
        out
    }

    /// Parameters a field of which the body overwrote or took out (`p.tx = other`,
    /// `p.tx.take()`), or whose own senders are gone without the binding being moved.
    pub(super) fn released_params(&self) -> Vec<usize> {
        if self.self_view != SelfView::Placeholder {
            return Vec::new();
        }
        let Some(env) = &self.env else {
            return Vec::new();
        };
        self.param_vars
            .iter()
            .filter(|&&(index, var)| {
                // A reference released by a call (`registry.detach()`, whose summary
                // releases it) is emptied there, not moved: released all the same.
                env.vars.get(var).is_some_and(|v| {
                    !v.moved
                        && (self.released.contains(&var)
                            || !v.val.senders.iter().any(|s| {
                                self.facts.channels[s.chan].param == Some((index, Role::Senders))
                            }))
                })
            })
            .map(|&(index, _)| index)
            .collect()
    }

    /// The binding a call argument names, if it is a place the callee can store into.
    pub(super) fn target_of(&self, arg: &Expr) -> Option<usize> {
        place_root(strip(arg)).and_then(|n| self.lookup(&n))
    }

    fn placeholder(&mut self, index: usize, at: Loc) -> Val {
        let chan = |this: &mut Self, role: Role, column: usize| {
            // Each role needs a key of its own: the column is shifted past any real position.
            let key = Loc {
                column: usize::MAX - column,
                ..at
            };
            this.channel_made(
                Channel {
                    created: at,
                    library: "parameter",
                    kind: ChannelKind::Stream,
                    param: Some((index, role)),
                    origin: None,
                    in_loop: false,
                    bounded: false,
                },
                (key, Loc::default()),
            )
        };
        let senders = chan(self, Role::Senders, 0);
        let receivers = chan(self, Role::Receivers, 1);
        let drains = chan(self, Role::Drains, 2);
        let readers = chan(self, Role::Readers, 3);
        Val {
            senders: vec![SenderRef {
                chan: senders,
                at,
                how: Acquired::Bound,
                field: None,
            }],
            receivers: vec![receivers],
            readers: vec![readers],
            drains: vec![Drain {
                chan: drains,
                wait: at,
                task: at,
                field: None,
                keeps_open: Vec::new(),
            }],
            ..Val::default()
        }
    }

    /// `self` in `Drop::drop`: what the type's constructors put in it.
    fn constructed_self(&mut self, body: Loc) -> Val {
        let Some(ty) = self.self_ty.clone() else {
            return Val::default();
        };
        let mut val = Val::default();
        for summary in self.shared.summaries.constructors(&ty) {
            if summary.origin.is_some() {
                continue;
            }
            let mut all = vec![self.apply_summary(summary, &[], &[], body, true)];
            all.extend(self.built_as_elsewhere(summary, body));
            for built in all {
                let built = match summary.constructs {
                    Some((_, Part::Element(i))) => built
                        .parts
                        .and_then(|mut parts| (i < parts.len()).then(|| parts.swap_remove(i)))
                        .unwrap_or_default(),
                    _ => built,
                };
                val.absorb(built);
            }
        }
        val
    }

    /// The channels `self` carries (senders, receivers, task handles), once bound.
    pub(super) fn channels_of_self(&self) -> Vec<ChanId> {
        let Some(val) = self
            .lookup("self")
            .and_then(|i| self.env.as_ref().map(|e| e.vars[i].val.clone().flattened()))
        else {
            return Vec::new();
        };
        let mut out: Vec<ChanId> = val.senders.iter().map(|s| s.chan).collect();
        out.extend(val.receivers.iter().copied());
        out.extend(val.drains.iter().map(|d| d.chan));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// An argument as the called function sees it: `&x` lends everything `x` carries (the
    /// function may clone a sender out of it), and so does a reference passed on (`registry`
    /// of `registry: &ToolRegistry`); anything else is moved in.
    pub(super) fn call_arg(&mut self, arg: &Expr) -> Val {
        match arg {
            Expr::Reference(r) => self.expr_borrowed_full(&r.expr),
            other if self.is_lent_binding(other) => self.expr_borrowed_full(other),
            other => self.expr(other),
        }
    }

    /// Whether the argument lends rather than moves: `&x`, or a binding that is a reference.
    pub(super) fn lends(&self, arg: &Expr) -> bool {
        matches!(arg, Expr::Reference(_)) || self.is_lent_binding(arg)
    }

    fn is_lent_binding(&self, expr: &Expr) -> bool {
        ident_of(expr)
            .and_then(|n| self.lookup(&n))
            .and_then(|i| self.env.as_ref().map(|e| e.vars[i].lent))
            .unwrap_or(false)
    }

    /// The summary a path call names (`connect()`, `Self::new()`, `io::spawn_writer()`).
    pub(super) fn summary_of_path(&self, resolved: &str) -> Option<&'a Summary> {
        let mut segments: Vec<String> = resolved.split("::").map(str::to_string).collect();
        if segments.first().is_some_and(|s| s == "Self") {
            segments[0] = self.self_ty.clone()?;
        }
        self.shared.summaries.function(&segments, &self.module)
    }

    /// The summary of a method of `self`'s own type, called on `self`.
    pub(super) fn own_method(&self, name: &str) -> Option<&'a Summary> {
        let path = [self.self_ty.clone()?, name.to_string()];
        self.shared
            .summaries
            .function(&path, &self.module)
            .filter(|s| s.has_self)
    }

    /// A method call on a value that carries channels, to the one method of that name.
    pub(super) fn summary_of_method(
        &self,
        name: &str,
        receiver: &Val,
        args_carry: bool,
    ) -> Option<&'a Summary> {
        // What a channel's own methods do is known; a crate's method of the same name is not
        // taken for them.
        if calls::is_known_method(name) {
            return None;
        }
        let summary = self.shared.summaries.method(name)?;
        // One that shares its receiver's state with a global or takes back out of it matters
        // whatever the receiver carries yet (`self.logger.remove_logger(name)` in a `Drop`).
        let shares = !summary.keeps.is_empty() || !summary.shared_releases.is_empty();
        let matters = !receiver.is_empty() || (args_carry && !summary.stores.is_empty()) || shares;
        matters.then_some(summary)
    }

    /// Applies a summary at a call: the waits it does on the arguments' channels happen here,
    /// and its result carries what the arguments and the channels it makes carry.
    /// `keep_locs`: keep the callee's positions for what it returns (it is in this file and
    /// the result is not bound at the call: `self` in `Drop::drop`).
    pub(super) fn apply_summary(
        &mut self,
        summary: &Summary,
        args: &[Val],
        targets: &[Option<usize>],
        at: Loc,
        keep_locs: bool,
    ) -> Val {
        self.note_followed(summary, args);
        let foreign = summary.origin.is_some();
        let relocate = |loc: Loc| if foreign { at } else { loc };
        let mut chans: Vec<Vec<ChanId>> = Vec::new();
        let mut drains: Vec<Option<Vec<Drain>>> = Vec::new();
        for slot in &summary.slots {
            let arg = |i: usize| args.get(i).cloned().unwrap_or_default().flattened();
            let (ids, ds) = match slot {
                Slot::Param(i, Role::Senders) => {
                    (arg(*i).senders.iter().map(|s| s.chan).collect(), None)
                }
                Slot::Param(i, Role::Receivers) => (arg(*i).receivers, None),
                Slot::Param(i, Role::Readers) => (arg(*i).readers, None),
                Slot::Param(i, Role::Drains) => {
                    // A closure or future argument waits when the callee runs it.
                    let arg = arg(*i);
                    let mut handles = arg.drains;
                    handles.extend(arg.drains_when_run);
                    (Vec::new(), Some(handles))
                }
                Slot::Fresh(channel) => {
                    // `self` as this file's constructors build it is the one value they
                    // build: its channels are the ones their own analysis made.
                    let key = if keep_locs && !foreign {
                        (channel.created, Loc::default())
                    } else {
                        (channel.created, at)
                    };
                    let mut channel = channel.clone();
                    if let Some(path) = &summary.origin {
                        channel.origin = Some(Origin {
                            function: summary.name.clone(),
                            path: path.clone(),
                            line: channel.created.line,
                            column: channel.created.column,
                        });
                        channel.created = at;
                    }
                    (vec![self.channel_made(channel, key)], None)
                }
            };
            let mut ids: Vec<ChanId> = ids;
            ids.dedup();
            chans.push(ids);
            drains.push(ds);
        }
        self.apply_self_feeds(summary, &chans, at);
        if self.recording {
            self.note_built_elsewhere(summary, args, at);
        }
        // An `async fn` waits only when its future runs: the future carries the waits.
        let mut when_run = Vec::new();
        for wait in &summary.waits {
            // One loop that ends with whichever of its channels ends first (`select!`).
            let group: Vec<&[ChanId]> = summary
                .waits
                .iter()
                .filter(|w| w.at == wait.at)
                .map(|w| chans[w.slot].as_slice())
                .collect();
            if !self.keeps_any_of_wait(&group, &chans[wait.slot]) {
                continue;
            }
            // A callee that also takes senders out of the argument may do so before it waits
            // (`self.tx.take(); self.rx.iter().sum()`): the summary does not keep the order.
            // (`self.tx.take(); self.worker.take().map(|h| h.join())`: a join likewise.)
            if let Slot::Param(index, Role::Receivers | Role::Readers | Role::Drains) =
                summary.slots[wait.slot]
            {
                if summary.releases.contains(&index) {
                    continue;
                }
            }
            // What the callee still holds of its arguments while it waits.
            self.callee_holds = wait
                .holding
                .iter()
                .flat_map(|held| {
                    let senders = args
                        .get(held.index)
                        .map(|a| a.clone().flattened().senders)
                        .unwrap_or_default();
                    senders.into_iter().map(move |s| {
                        let held = HeldSender {
                            chan: s.chan,
                            holder: held.binding.clone(),
                            at: relocate(held.at),
                            how: Acquired::Bound,
                        };
                        (summary.name.clone(), held)
                    })
                })
                .collect();
            match &summary.slots[wait.slot] {
                Slot::Param(_, Role::Receivers | Role::Readers) if summary.is_async => {
                    for &chan in &chans[wait.slot] {
                        when_run.push(Drain {
                            chan,
                            wait: relocate(wait.at),
                            task: at,
                            field: None,
                            keeps_open: Vec::new(),
                        });
                    }
                }
                Slot::Param(_, Role::Receivers | Role::Readers) => {
                    let form = WaitForm::Call {
                        function: summary.name.clone(),
                        drain: (!foreign).then_some(wait.at),
                    };
                    for &chan in &chans[wait.slot] {
                        self.record_wait(chan, at, form.clone());
                    }
                }
                Slot::Param(_, Role::Drains) => {
                    let handles = drains[wait.slot].clone().unwrap_or_default();
                    if summary.is_async {
                        when_run.extend(handles);
                    } else if !self.callee_holds.is_empty() {
                        // The story is the callee's: it waits there, holding the senders.
                        let form = WaitForm::Call {
                            function: summary.name.clone(),
                            drain: (!foreign).then_some(wait.at),
                        };
                        for handle in handles {
                            self.record_wait(handle.chan, at, form.clone());
                        }
                    } else {
                        self.wait_on_drains(&handles, at);
                    }
                }
                _ => {}
            }
            self.callee_holds.clear();
        }
        let mut val = map_val(
            &summary.returns,
            &mut |slot| chans[slot].clone(),
            &mut |d| match &drains[d.chan] {
                Some(handles) => handles.clone(),
                None => chans[d.chan]
                    .iter()
                    .map(|&chan| Drain {
                        chan,
                        wait: relocate(d.wait),
                        task: relocate(d.task),
                        field: d.field.clone(),
                        keeps_open: Vec::new(),
                    })
                    .collect(),
            },
        );
        Self::share_with_arguments(&mut val, args);
        for &(slot, loop_at) in &summary.endless {
            let Slot::Param(index, Role::Senders) = summary.slots[slot] else {
                continue;
            };
            let holder = targets
                .get(index)
                .copied()
                .flatten()
                .and_then(|i| self.env.as_ref().map(|e| e.vars[i].name.clone()))
                .unwrap_or_else(|| summary.name.clone());
            let held = args
                .get(index)
                .map(|a| a.clone().flattened().senders)
                .unwrap_or_default()
                .into_iter()
                .map(|s| HeldSender {
                    chan: s.chan,
                    holder: holder.clone(),
                    at: s.at,
                    how: s.how,
                })
                .collect();
            self.call_never_returns(held, relocate(loop_at));
        }
        // What the callee keeps for the rest of the program (a static, a process-wide global).
        for (slot, leak_at, how) in &summary.leaks {
            if !self.recording || self.env.is_none() {
                break;
            }
            // Each leaked channel, and where the leaked sender came from.
            let leaked: Vec<(ChanId, Loc)> = match &summary.slots[*slot] {
                Slot::Param(index, Role::Senders) => args
                    .get(*index)
                    .map(|a| a.clone().flattened().senders)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| (s.chan, s.at))
                    .collect(),
                Slot::Fresh(_) => chans[*slot]
                    .iter()
                    .map(|&c| (c, relocate(*leak_at)))
                    .collect(),
                _ => Vec::new(),
            };
            for (chan, acquired) in leaked {
                self.facts.leaks.push(crate::facts::Leak {
                    chan,
                    at: relocate(*leak_at),
                    how: how.clone(),
                    acquired,
                });
            }
        }
        // What the callee took out of or overwrote in an argument is no longer certainly held.
        for &index in &summary.releases {
            if let Some(Some(target)) = targets.get(index) {
                self.release_kept(*target);
                // Through a reference too: the callee emptied what it refers to, which
                // stays with its owner.
                if let Some(var) = self.var(*target) {
                    if var.lent {
                        var.val.senders.clear();
                    } else {
                        var.moved = true;
                    }
                }
                self.released.insert(*target);
            }
        }
        // What the callee took back out of an argument's shared state (also of a temporary
        // it consumed and dropped: `.to_server()?.main_loop()`).
        for &index in &summary.shared_releases {
            match targets.get(index).copied().flatten() {
                Some(target) => self.release_shared_state(target),
                None => {
                    if let Some(arg) = args.get(index) {
                        self.release_shared(arg);
                    }
                }
            }
        }
        // An argument the callee made share its state with a global (`logger.install()`).
        for (index, keep_at, how) in &summary.keeps {
            let target = targets.get(*index).copied().flatten();
            self.keep_argument(target, relocate(*keep_at), how);
        }
        let mut shared = false;
        for (index, stored) in &summary.shared_stores {
            let target = targets.get(*index).copied().flatten();
            shared |= self.store_into_shared_argument(*index, stored, &chans, args, target, at);
        }
        if shared {
            for &(slot, wait_at) in &summary.shared_waits {
                let wait_at = (!foreign).then_some(wait_at);
                self.wait_in_callee(&chans[slot].clone(), at, &summary.name, wait_at);
            }
        }
        for (index, stored) in &summary.stores {
            let target = targets.get(*index).copied().flatten();
            // Stored into a value a global keeps: kept for the rest of the program.
            let _ = self.store_into_shared_argument(*index, stored, &chans, args, target, at);
            let Some(target) = target else {
                continue;
            };
            let target = &target;
            let mut stored = map_val(stored, &mut |slot| chans[slot].clone(), &mut |d| {
                chans[d.chan]
                    .iter()
                    .map(|&chan| Drain {
                        chan,
                        wait: relocate(d.wait),
                        task: relocate(d.task),
                        ..d.clone()
                    })
                    .collect()
            });
            relocate_senders(&mut stored, at);
            if let Some(var) = self.var(*target) {
                if var.moved {
                    // The callee borrows the argument, so it was not moved: it was released
                    // by an earlier call (which overwrote or took out some field), and from
                    // here on it holds at least what this call stores.
                    var.moved = false;
                    var.val = stored;
                } else {
                    var.val.absorb(stored);
                }
            }
        }
        if !keep_locs {
            relocate_senders(&mut val, at);
        }
        if !when_run.is_empty() {
            val = val.flattened();
            val.drains_when_run.extend(when_run);
        }
        val
    }
}

/// Senders that come out of a call are held from the call on.
pub(super) fn relocate_senders(val: &mut Val, at: Loc) {
    for sender in &mut val.senders {
        sender.at = at;
        if sender.how != Acquired::Created {
            sender.how = Acquired::Stored;
        }
    }
    for part in val.parts.iter_mut().flatten() {
        relocate_senders(part, at);
    }
}
