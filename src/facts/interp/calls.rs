//! Calls, method calls, macros, closures and async blocks: where senders move, where tasks
//! start, and where handles are joined.

use super::*;

/// Methods whose effect on channels is known from the catalogue or std.
pub(super) fn is_known_method(name: &str) -> bool {
    catalogue::CONSUMING_STD_METHODS.contains(&name)
        || catalogue::borrows_receiver(name)
        || catalogue::passes_through(name)
        || catalogue::RECV_METHODS.contains(&name)
        || catalogue::JOIN_METHODS.contains(&name)
        || catalogue::DRAINING_ADAPTERS.contains(&name)
        || catalogue::DRAINING_CONSUMERS.contains(&name)
}

impl<'a> Interp<'a> {
    pub(super) fn call(&mut self, c: &syn::ExprCall) -> Val {
        let Expr::Path(func) = &*c.func else {
            self.expr(&c.func);
            for arg in &c.args {
                self.expr(arg);
            }
            return Val::default();
        };
        let resolved = self.imports.resolve(&func.path);
        let at = span_loc(syntax::first_span(&c.func)).to(span_loc(c.paren_token.span.close()));
        if let Some(lib) = self.shared.catalogue.constructor(&resolved) {
            for arg in &c.args {
                self.expr(arg);
            }
            let chan = self.channel(at, lib, &resolved);
            let sender = Val {
                senders: vec![SenderRef {
                    chan,
                    at,
                    how: Acquired::Created,
                    field: None,
                }],
                ..Val::default()
            };
            let receiver = Val {
                receivers: vec![chan],
                ..Val::default()
            };
            return Val::tuple(vec![sender, receiver]);
        }
        if let Some(lib) = catalogue::sender_constructor(&resolved) {
            // `watch::Sender::new(init)`: a channel whose receivers come from `subscribe()`.
            for arg in &c.args {
                self.expr(arg);
            }
            let chan = self.channel(at, lib, &resolved);
            return Val {
                senders: vec![SenderRef {
                    chan,
                    at,
                    how: Acquired::Created,
                    field: None,
                }],
                ..Val::default()
            };
        }
        self.note_reading_call(&resolved, c, at);
        self.note_writing_call(&resolved, c, at);
        if let Some(val) = self.leaking_call(&resolved, c, at) {
            return val;
        }
        if catalogue::is_drop(&resolved) || resolved.ends_with("mem::forget") {
            for arg in &c.args {
                self.expr(arg);
            }
            return Val::default();
        }
        if resolved.ends_with("mem::take") || resolved.ends_with("mem::replace") {
            return self.take_out(c);
        }
        if self.shared.catalogue.is_spawn_function(&resolved) {
            // The task is labelled by the spawn function's name, not its whole body.
            let drains = self.spawned_args(&c.args, syntax::expr_loc(&c.func));
            return Val {
                drains,
                ..Val::default()
            };
        }
        if catalogue::is_scope_function(&resolved) {
            return self.scope(c, at);
        }
        if catalogue::is_block_on_function(&resolved) {
            return self.run_inline(&c.args, at);
        }
        if is_clone_call(c) {
            let val = self.expr_borrowed_full(&c.args[0]);
            return val.held_at(at, Acquired::Cloned, None);
        }
        if is_receiver_wrapper(&func.path) && c.args.len() == 1 {
            let val = self.expr(&c.args[0]);
            return Val {
                receivers: val.flattened().receivers,
                ..Val::default()
            };
        }
        if let Some(summary) = self.summary_of_path(&resolved) {
            let targets: Vec<Option<usize>> = c.args.iter().map(|a| self.target_of(a)).collect();
            let args: Vec<Val> = c.args.iter().map(|a| self.call_arg(a)).collect();
            return self.apply_summary(summary, &args, &targets, at, false);
        }
        let last = func
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if catalogue::JOIN_FUNCTIONS.contains(&last.as_str()) {
            let mut val = Val::default();
            for arg in &c.args {
                val.absorb(self.expr(arg));
            }
            return Val {
                drains_when_run: val.drains,
                ..Val::default()
            };
        }
        let wraps =
            catalogue::is_wrapper(&resolved) || last.chars().next().is_some_and(char::is_uppercase);
        if wraps {
            if matches!(last.as_str(), "Ok" | "Some") && c.args.len() == 1 {
                // `Ok((conn, threads))` keeps the tuple apart for the caller's `let (a, b)`.
                let val = self.expr(&c.args[0]);
                if val.parts.is_some() {
                    return val;
                }
                return val.held_at(syntax::expr_loc(&c.args[0]), Acquired::Stored, None);
            }
            let mut val = Val::default();
            for arg in &c.args {
                val.absorb(self.stored(arg));
            }
            return val;
        }
        // A local closure called here runs here.
        if let Some(idx) = func
            .path
            .get_ident()
            .and_then(|i| self.lookup(&i.to_string()))
        {
            // A closure parameter called here runs here too: whatever its caller passes in
            // waits now (its placeholder handle).
            let drains = self.env.as_ref().map(|e| {
                let val = &e.vars[idx].val;
                let mut drains = val.drains_when_run.clone();
                drains.extend(
                    val.drains
                        .iter()
                        .filter(|d| {
                            self.facts.channels[d.chan]
                                .param
                                .is_some_and(|(_, r)| r == Role::Drains)
                        })
                        .cloned(),
                );
                drains
            });
            for arg in &c.args {
                self.expr(arg);
            }
            // Calling an `FnOnce` closure moves it, and what it captured goes with it.
            if self.env.as_ref().is_some_and(|e| e.vars[idx].val.once) {
                self.move_var(idx);
            }
            self.wait_on_drains(&drains.unwrap_or_default(), at);
            return Val::default();
        }
        let mut carried = false;
        let mut handed = Vec::new();
        for (position, arg) in c.args.iter().enumerate() {
            let lent = self.lends(arg);
            let val = self.call_arg(arg);
            carried |= !val.is_empty();
            handed.push((position, lent, val));
        }
        self.note_open_call(&resolved, carried);
        self.note_param_handoffs(&resolved, handed.iter().map(|(i, lent, v)| (*i, *lent, v)));
        Val::default()
    }

    /// A call the file cannot follow (`path::to::f`, or `.method`): a function of another file
    /// may summarize it.
    pub(super) fn note_open_call(&mut self, name: &str, carries_channels: bool) {
        let Some(calls) = &mut self.facts.open_calls else {
            return;
        };
        match calls.get_mut(name) {
            Some(carried) => *carried |= carries_channels,
            None => {
                calls.insert(name.to_string(), carries_channels);
            }
        }
    }

    /// A borrowed place seen whole, senders included (the source of a clone).
    pub(super) fn expr_borrowed_full(&mut self, expr: &Expr) -> Val {
        match strip(expr) {
            e @ (Expr::Path(_) | Expr::Field(_)) => self.peek(e),
            Expr::MethodCall(mc) if catalogue::passes_through(&mc.method.to_string()) => {
                self.expr_borrowed_full(&mc.receiver)
            }
            other => self.expr(other),
        }
    }

    /// `mem::take(&mut x)` / `mem::replace(&mut x, v)`: the old value moves out of `x`.
    fn take_out(&mut self, c: &syn::ExprCall) -> Val {
        let mut args = c.args.iter();
        let Some(target) = args.next() else {
            return Val::default();
        };
        let new = args.next().map(|e| self.expr(e)).unwrap_or_default();
        let Some(idx) = place_root(strip(target)).and_then(|n| self.lookup(&n)) else {
            return Val::default();
        };
        let at = span_loc(syntax::first_span(&c.func)).to(span_loc(c.paren_token.span.close()));
        self.released.insert(idx);
        // `mem::replace(&mut self.rx, ..)` touches that field only.
        let field = field_under_root(strip(target));
        match self.var(idx) {
            Some(var) if !var.moved => match field {
                Some(field) => {
                    let old = take_field(&mut var.val, Some(&field));
                    var.val
                        .absorb(new.held_at(at, Acquired::Stored, Some(&field)));
                    old
                }
                None => std::mem::replace(&mut var.val, new.held_at(at, Acquired::Stored, None)),
            },
            _ => Val::default(),
        }
    }

    /// The argument of a spawn call runs as a task; returns what its handle waits for.
    fn spawned_args(&mut self, args: &Punctuated<Expr, Token![,]>, at: Loc) -> Vec<Drain> {
        let mut drains = Vec::new();
        for arg in args {
            let val = self.task_body(arg);
            drains.extend(
                val.drains_when_run
                    .into_iter()
                    .map(|d| Drain { task: at, ..d }),
            );
        }
        for d in &drains {
            for &to in &d.keeps_open {
                self.bridges.push(Bridge {
                    from: d.chan,
                    to,
                    task: d.task,
                    drain: d.wait,
                });
            }
        }
        drains
    }

    /// Evaluates a closure or future that will run as a task.
    fn task_body(&mut self, arg: &Expr) -> Val {
        match strip(arg) {
            Expr::Closure(c) => self.closure(c, FrameKind::Task),
            Expr::Async(a) => self.async_block(a, FrameKind::Task),
            Expr::MethodCall(mc)
                if catalogue::WRAPPING_FUTURE_METHODS.contains(&mc.method.to_string().as_str()) =>
            {
                let val = self.task_body(&mc.receiver);
                for a in &mc.args {
                    self.expr(a);
                }
                val
            }
            // `tokio::spawn(stream.for_each(..))`: the future drains its stream on the task.
            Expr::MethodCall(mc)
                if catalogue::DRAINING_CONSUMERS.contains(&mc.method.to_string().as_str()) =>
            {
                self.frame_body(
                    syntax::expr_loc(arg),
                    FrameKind::Task,
                    false,
                    |this| this.expr(arg),
                    || syntax::captures(arg),
                )
            }
            other => self.expr(other),
        }
    }

    /// `thread::scope(|s| ..)`: the body runs here, then the scope joins every scoped task.
    fn scope(&mut self, c: &syn::ExprCall, at: Loc) -> Val {
        let Some(Expr::Closure(body)) = c.args.last().map(strip) else {
            for arg in &c.args {
                self.expr(arg);
            }
            return Val::default();
        };
        self.scopes.push(Vec::new());
        let val = self.closure_with(body, FrameKind::Inline, true);
        let tasks = self.scopes.pop().unwrap_or_default();
        for d in tasks {
            let form = WaitForm::ScopeEnd {
                task: d.task,
                drain: d.wait,
            };
            self.record_wait(d.chan, at, form);
        }
        val
    }

    /// `block_on(fut)`: the future runs to completion here.
    fn run_inline(&mut self, args: &Punctuated<Expr, Token![,]>, at: Loc) -> Val {
        let mut out = Val::default();
        for arg in args {
            let val = match strip(arg) {
                Expr::Async(a) => self.async_block(a, FrameKind::Inline),
                Expr::Closure(c) => self.closure(c, FrameKind::Inline),
                other => {
                    let peeked = self.peek(other);
                    for chan in peeked.receivers {
                        if self.kind(chan) == ChannelKind::Oneshot {
                            self.record_wait(chan, at, WaitForm::Oneshot);
                        }
                    }
                    let val = self.expr(other);
                    self.wait_on_drains(&val.drains_when_run, at);
                    self.wait_on_drains(&val.drains, at);
                    val
                }
            };
            out.absorb(val);
        }
        Val {
            drains_when_run: Vec::new(),
            ..out
        }
    }

    pub(super) fn method_call(&mut self, mc: &syn::ExprMethodCall) -> Val {
        let method = mc.method.to_string();
        let m = method.as_str();
        let at =
            span_loc(syntax::first_span(&mc.receiver)).to(span_loc(mc.paren_token.span.close()));
        if catalogue::PLAIN_SENDS.contains(&m) {
            self.note_message_send(mc, at);
            self.note_reply_send(mc, at);
        }
        self.note_read_to_end(mc, at);
        self.note_sending_method(mc, at);
        if matches!(
            m,
            "remove" | "remove_entry" | "swap_remove" | "shift_remove"
        ) {
            self.note_take_out(mc, at);
        }
        // `self.shutdown()` in an impl calls the type's own method, even when a channel's or
        // std's method has the same name.
        if ident_of(&mc.receiver).is_some_and(|n| n == "self") {
            if let Some(summary) = self.own_method(m) {
                let seen = self.expr_borrowed_full(&mc.receiver);
                return self.apply_method_summary(mc, summary, seen, at);
            }
            if self.shared.summaries.has_local_method(m) {
                // Its summary may come from a later round, or from another group of items.
                self.note_open_call(&format!(".{m}"), true);
            }
        }
        match m {
            _ if catalogue::CLONING_METHODS.contains(&m) && mc.args.is_empty() => {
                let val = self.expr_borrowed_full(&mc.receiver);
                let mut val = val.held_at(at, Acquired::Cloned, None);
                val.drains.clear();
                val.scope_handle = false;
                return val;
            }
            _ if catalogue::DOWNGRADE_METHODS.contains(&m) => {
                self.expr_borrowed(&mc.receiver);
                return Val::default();
            }
            "take" if mc.args.is_empty() => {
                if let Some(idx) = place_root(strip(&mc.receiver)).and_then(|n| self.lookup(&n)) {
                    let field = match strip(&mc.receiver) {
                        Expr::Field(f) => Some(member_name(&f.member)),
                        _ => None,
                    };
                    // Taking out a task handle (`self.worker.take()`) releases no sender.
                    if field
                        .as_ref()
                        .is_some_and(|f| !self.shared.handle_fields.contains(f))
                    {
                        self.released.insert(idx);
                    }
                    let channels = &self.facts.channels;
                    if let Some(var) = self.env.as_mut().map(|e| &mut e.vars[idx]) {
                        if !var.moved {
                            let mut out = take_field(&mut var.val, field.as_deref());
                            if field.is_some() {
                                // A parameter's fields are not known apart: what it carries
                                // whole may be in the field taken (`self.worker.take()` in a
                                // `&mut self` method, then joined).
                                out.drains.extend(
                                    var.val
                                        .drains
                                        .iter()
                                        .filter(|d| {
                                            d.field.is_none()
                                                && channels[d.chan]
                                                    .param
                                                    .is_some_and(|p| p.1 == Role::Drains)
                                        })
                                        .cloned(),
                                );
                            }
                            return out;
                        }
                    }
                }
            }
            _ => {}
        }
        if let Some(val) = self.subscribe(mc, m) {
            return val;
        }
        if let Some(val) = self.static_store_method(mc, at) {
            return val;
        }
        if let Some(val) = self.take_through_guard(mc) {
            return val;
        }
        if catalogue::ABORT_METHODS.contains(&m) {
            if let Some(idx) = place_root(strip(&mc.receiver)).and_then(|n| self.lookup(&n)) {
                if let Some(var) = self.var(idx) {
                    var.val.drains.clear();
                }
            }
            return Val::default();
        }
        if catalogue::SPAWN_METHODS.contains(&m) && !mc.args.is_empty() {
            return self.spawn_method(mc);
        }
        if catalogue::BLOCK_ON_METHODS.contains(&m) {
            self.expr_borrowed(&mc.receiver);
            return self.run_inline(&mc.args, at);
        }
        if catalogue::JOIN_METHODS.contains(&m) {
            if matches!(through_guards(&mc.receiver), Expr::Path(_) | Expr::Field(_)) {
                let val = self.peek(&mc.receiver);
                self.wait_on_drains(&val.drains, at);
                self.receiver(&mc.receiver, m);
            } else {
                // `self.handle.take().unwrap().join()`: the handle joined is what the chain
                // returns, once it has run.
                let val = self.receiver(&mc.receiver, m);
                self.wait_on_drains(&val.drains, at);
            }
            for arg in &mc.args {
                self.expr(arg);
            }
            return Val::default();
        }
        // `set.shutdown()` on a `JoinSet`; a method of the binding's own type of the same name
        // (`server.shutdown()`) is that method, read from its summary below.
        if catalogue::ASYNC_JOIN_METHODS.contains(&m) && self.typed_method(&mc.receiver, m).is_err()
        {
            let val = self.peek(&mc.receiver);
            self.expr_borrowed(&mc.receiver);
            for arg in &mc.args {
                self.expr(arg);
            }
            return Val {
                drains_when_run: val.drains,
                ..Val::default()
            };
        }
        if catalogue::DRAINING_CONSUMERS.contains(&m) {
            let chans = self.draining_chain(&mc.receiver);
            if !chans.is_empty() && self.builds_lazy_drain(mc) {
                // `let driver = rx.forward(sink);`: the future drains when it is run.
                let mut val = self.expr(&mc.receiver);
                for arg in &mc.args {
                    val.absorb(self.expr(arg));
                }
                val.drains_when_run
                    .extend(chans.into_iter().map(|chan| Drain {
                        chan,
                        wait: at,
                        task: at,
                        field: None,
                        keeps_open: Vec::new(),
                    }));
                return val;
            }
            for chan in chans {
                self.record_wait(chan, at, WaitForm::Drain);
            }
        }
        if catalogue::ONESHOT_BLOCKING_RECV.contains(&m) {
            let val = self.peek(&mc.receiver);
            for chan in val.receivers {
                if self.kind(chan) == ChannelKind::Oneshot {
                    self.record_wait(chan, at, WaitForm::Oneshot);
                }
            }
        }
        if catalogue::STORING_METHODS.contains(&m) {
            let direct = place_root(strip(&mc.receiver)).is_some();
            // `pending.lock().unwrap().insert(id, reply_tx)` parks a reply sender in `pending`.
            if let Some(idx) =
                place_root(through_guards(&mc.receiver)).and_then(|n| self.lookup(&n))
            {
                let idx = self.store_target(idx);
                let mut stored = Val::default();
                for arg in &mc.args {
                    stored.absorb(self.stored(arg));
                }
                let holder = self.holder_state(idx);
                self.store_into_kept(&holder, &stored, at, Some(idx));
                let own_field =
                    !direct && place_root(through_guards(&mc.receiver)).as_deref() == Some("self");
                if own_field {
                    // `self.list.lock().unwrap().push(tx)`: a field of the value the method
                    // works on, behind its lock; a take through the lock takes it out.
                    stored = stored.in_field(guards::field_of_place(through_guards(&mc.receiver)));
                } else if !direct {
                    // A map behind a lock is usually shared, and another holder may take a
                    // stream sender out: only parked reply senders (never held) are kept.
                    let chans = &self.facts.channels;
                    stored
                        .senders
                        .retain(|s| chans[s.chan].kind == ChannelKind::Oneshot);
                }
                if let Some(var) = self.var(idx) {
                    if !var.moved {
                        var.val.absorb(stored);
                    }
                }
                return Val::default();
            }
        }
        let place = matches!(strip(&mc.receiver), Expr::Path(_) | Expr::Field(_));
        if place {
            let seen = self.expr_borrowed_full(&mc.receiver);
            let args_carry = mc.args.iter().any(|a| self.may_carry(a));
            let typed = self.typed_method(&mc.receiver, m);
            if let Ok(Some(summary)) = typed {
                if summary.signature_only && (!seen.is_empty() || args_carry) {
                    self.note_open_call(&format!(".{m}"), true);
                    self.note_method_handoffs(m, mc, &seen);
                }
                return self.apply_method_summary(mc, summary, seen, at);
            }
            // A method of the binding's own type that matters to no channel is not another
            // type's method of the same name.
            let by_name = match typed {
                Ok(_) => None,
                Err(()) => self.summary_of_method(m, &seen, args_carry),
            };
            if let Some(summary) = by_name {
                if summary.signature_only && (!seen.is_empty() || args_carry) {
                    self.note_open_call(&format!(".{m}"), true);
                    self.note_method_handoffs(m, mc, &seen);
                }
                return self.apply_method_summary(mc, summary, seen, at);
            }
            // A channel method's name (`.send`, `.iter`) on a binding of no known type is never
            // looked up by name (`summary_of_method`), so no other file's summary can explain
            // it: noting it would only make the file checked again for nothing.
            let by_name_only = typed.is_err() && is_known_method(m);
            if (!seen.is_empty() || args_carry) && self.facts.open_calls.is_some() && !by_name_only
            {
                self.note_open_call(&format!(".{m}"), true);
                self.note_method_handoffs(m, mc, &seen);
                // A parameter's placeholders (while a function is summarized) stand for any
                // argument: only a real sender kept alive by the call's kind can be a finding.
                if self.holds_real_sender(&seen) {
                    self.facts.open_on_holders.insert(m.to_string());
                }
            } else if self.facts.open_calls.is_some()
                && (self.typed_binding(&mc.receiver)
                    || matches!(strip(&mc.receiver), Expr::Field(_)))
            {
                // A method of a known type, or of a field (`self.logger.remove_logger(..)`),
                // not known yet: its summary may still matter without a channel (it makes the
                // value share its state with a global, or takes back out of it).
                self.note_open_call(&format!(".{m}"), false);
            }
        }
        if !place {
            if let Some(summary) = self.built_method(&mc.receiver, m) {
                let seen = self.expr(&mc.receiver);
                return self.apply_method_summary(mc, summary, seen, at);
            }
        }
        let recv = self.receiver(&mc.receiver, m);
        let mut items = Val::default();
        for arg in &mc.args {
            match strip(arg) {
                // `handles.into_iter().map(|h| h.join().unwrap())`: each task handle is joined
                // here, item by item, as the chain is consumed.
                Expr::Closure(c)
                    if catalogue::ITEM_CLOSURE_ADAPTERS.contains(&m) && !recv.drains.is_empty() =>
                {
                    let handles = Val {
                        drains: recv.drains.clone(),
                        ..Val::default()
                    };
                    items = self.closure_items(c, handles, FrameKind::Inline);
                }
                Expr::Closure(c) if catalogue::ITEM_MAPPING_ADAPTERS.contains(&m) => {
                    items = self.closure_items(c, Val::default(), FrameKind::Deferred);
                }
                Expr::Closure(c) => {
                    self.closure(c, FrameKind::Deferred);
                }
                _ => {
                    self.expr(arg);
                }
            }
        }
        if catalogue::passes_through(m) {
            return recv;
        }
        if m == "drain" {
            // `for w in self.workers.drain(..) { w.join() }`: the task handles come out one by
            // one (the senders a collection yields are not followed here).
            return Val {
                drains: recv.drains,
                ..Val::default()
            };
        }
        if catalogue::DRAINING_ADAPTERS.contains(&m) {
            // The senders and task handles the items carry: what a `map` closure makes, and
            // what the adapters under it made (`(0..n).map(|_| tx.clone()).filter(..)`).
            let (senders, drains) = match catalogue::ITEM_MAPPING_ADAPTERS.contains(&m) {
                true => (items.senders, items.drains),
                false => (recv.senders, recv.drains),
            };
            return Val {
                receivers: recv.receivers,
                senders,
                drains,
                ..Val::default()
            };
        }
        if catalogue::COLLECTING_CONSUMERS.contains(&m) {
            // `let senders: Vec<_> = (0..n).map(|_| tx.clone()).collect();`: the collection
            // holds what the items carry.
            return Val {
                senders: recv.senders,
                drains: recv.drains,
                ..Val::default()
            };
        }
        Val::default()
    }

    fn apply_method_summary(
        &mut self,
        mc: &syn::ExprMethodCall,
        summary: &Summary,
        seen: Val,
        at: Loc,
    ) -> Val {
        if summary.takes_self {
            if let Some(idx) = self.target_of(&mc.receiver) {
                self.take_var(idx);
            }
        }
        let mut targets = vec![self.target_of(&mc.receiver)];
        targets.extend(mc.args.iter().map(|a| self.target_of(a)));
        let mut args = vec![seen];
        args.extend(mc.args.iter().map(|a| self.call_arg(a)));
        self.apply_summary(summary, &args, &targets, at, false)
    }

    /// Evaluates a method's receiver: moved if the method consumes it, borrowed otherwise.
    fn receiver(&mut self, receiver: &Expr, method: &str) -> Val {
        let Some(idx) = ident_of(receiver).and_then(|n| self.lookup(&n)) else {
            return match strip(receiver) {
                e @ Expr::Field(_) => self.peek(e).borrowed(),
                other => self.expr(other),
            };
        };
        let var = self.env.as_ref().map(|e| e.vars[idx].clone());
        let Some(var) = var else {
            return Val::default();
        };
        if var.moved {
            return Val::default();
        }
        let oneshot = var
            .val
            .senders
            .iter()
            .any(|s| self.kind(s.chan) == ChannelKind::Oneshot);
        let by_value = method.starts_with("into_")
            || catalogue::CONSUMING_STD_METHODS.contains(&method)
            // `oneshot::Sender::send` takes `self`.
            || (oneshot && method == "send")
            || self.shared.consuming.contains(method);
        let typed = self.typed_method_consumes(receiver, method);
        let consumes = if let Some(takes_self) = typed {
            // The binding's own type declares the method: its receiver kind decides.
            takes_self
        } else if self.holds_real_sender(&var.val) {
            by_value
                || !(catalogue::borrows_receiver(method) || self.shared.borrowing.contains(method))
        } else {
            // Only a parameter's placeholders: keep what it carries unless surely consumed.
            !var.val.senders.is_empty() && by_value
        };
        if consumes {
            self.take_var(idx)
        } else {
            var.val.borrowed()
        }
    }

    fn spawn_method(&mut self, mc: &syn::ExprMethodCall) -> Val {
        let base = self.peek(&mc.receiver);
        if !base.scope_handle {
            self.expr_borrowed(&mc.receiver);
        }
        let drains = self.spawned_args(&mc.args, span_loc(mc.method.span()));
        if base.scope_handle {
            if let Some(scope) = self.scopes.last_mut() {
                scope.extend(drains.iter().cloned());
            }
        } else if let Some(idx) = ident_of(&mc.receiver)
            .filter(|_| mc.args.len() == 1)
            .and_then(|n| self.lookup(&n))
        {
            // `set.spawn(..)` on a `JoinSet`: joining the set waits for this task. (Keyed
            // spawns, `JoinMap::spawn(key, ..)`, may replace a task: not followed.)
            if let Some(var) = self.var(idx) {
                var.val.drains.extend(drains.iter().cloned());
            }
        }
        Val {
            drains,
            ..Val::default()
        }
    }

    pub(super) fn await_expr(&mut self, a: &syn::ExprAwait) -> Val {
        let at = span_loc(syntax::first_span(&a.base)).to(span_loc(a.await_token.span));
        let direct = self.peek(&a.base).receivers;
        for &chan in &direct {
            if self.kind(chan) == ChannelKind::Oneshot {
                self.record_wait(chan, at, WaitForm::Oneshot);
            }
        }
        // Through combinators (`send(msg).and_then(|_| rx)`): the chain is built, moving what
        // it takes (the message carrying the reply sender), before the await waits.
        let chained: Vec<ChanId> = self
            .awaited_receivers(&a.base, 0)
            .into_iter()
            .filter(|c| !direct.contains(c) && self.kind(*c) == ChannelKind::Oneshot)
            .collect();
        let saved = self.awaited_now.len();
        self.note_awaited_now(&a.base);
        let val = match strip(&a.base) {
            Expr::Async(block) => self.async_block(block, FrameKind::Inline),
            other => self.expr(other),
        };
        self.awaited_now.truncate(saved);
        for chan in chained {
            self.record_wait(chan, at, WaitForm::Oneshot);
        }
        let mut drains = val.drains.clone();
        drains.extend(val.drains_when_run.iter().cloned());
        self.wait_on_drains(&dedup_drains(drains), at);
        Val::default()
    }

    pub(super) fn closure(&mut self, c: &syn::ExprClosure, kind: FrameKind) -> Val {
        self.closure_with(c, kind, false)
    }

    /// Analyses a closure body in a frame of its own. `scope`: the first parameter is the
    /// handle of a `thread::scope`.
    pub(super) fn closure_with(
        &mut self,
        c: &syn::ExprClosure,
        kind: FrameKind,
        scope: bool,
    ) -> Val {
        let start = match (&c.asyncness, &c.capture) {
            (Some(a), _) => a.span,
            (None, Some(m)) => m.span,
            _ => c.inputs_begin.span,
        };
        let at = span_loc(start).to(span_loc(syntax::last_span(&c.body)));
        let is_move = c.capture.is_some();
        let body: &Expr = &c.body;
        self.next_bound = syntax::bound_names(|v| v.visit_expr(body));
        self.frame_body(
            at,
            kind,
            is_move,
            |this| {
                for (i, input) in c.inputs.iter().enumerate() {
                    let val = Val {
                        scope_handle: scope && i == 0,
                        ..Val::default()
                    };
                    this.bind(input, val, None);
                }
                this.expr(body)
            },
            || syntax::captures(body),
        )
    }

    pub(super) fn async_block(&mut self, a: &syn::ExprAsync, kind: FrameKind) -> Val {
        let at = span_loc(a.async_token.span).to(span_loc(a.block.brace_token.span.close()));
        let block: &Block = &a.block;
        self.next_bound = syntax::bound_names(|v| v.visit_block(block));
        self.frame_body(
            at,
            kind,
            a.capture.is_some(),
            |this| this.block(block),
            || syntax::block_captures(block),
        )
    }

    /// Runs `body` in a new frame. A `move` body first takes every local it mentions (only
    /// the fields it names, when it uses a local only through them); any body that moves a
    /// local of the enclosing frame captures it by value.
    pub(super) fn frame_body(
        &mut self,
        at: Loc,
        kind: FrameKind,
        is_move: bool,
        body: impl FnOnce(&mut Self) -> Val,
        mentioned: impl FnOnce() -> syntax::Captures,
    ) -> Val {
        if self.env.is_none() {
            return Val::default();
        }
        let outer_len = self.var_count();
        self.frames.push(Frame::new(kind, at));
        let frame = self.current_frame();
        self.frames[frame].bound = std::mem::take(&mut self.next_bound);
        let mut captured = Val::default();
        if is_move {
            let names = mentioned();
            let mut seen = HashSet::new();
            for idx in (0..outer_len).rev() {
                let name = self
                    .env
                    .as_ref()
                    .map(|e| e.vars[idx].name.clone())
                    .unwrap_or_default();
                let Some(fields) = names.get(&name) else {
                    continue;
                };
                if !seen.insert(name) {
                    continue;
                }
                let val = match fields {
                    Some(fields) => self
                        .capture_fields(idx, fields)
                        .unwrap_or_else(|| self.move_var(idx)),
                    None => self.move_var(idx),
                };
                if val.is_empty() {
                    continue;
                }
                captured.absorb(val.clone());
                let var = self.env.as_ref().map(|e| e.vars[idx].clone());
                if let (Some(env), Some(var)) = (&mut self.env, var) {
                    env.vars.push(Var {
                        val,
                        moved: false,
                        frame,
                        // Inline code runs for the enclosing function, which still owns it.
                        captured: kind != FrameKind::Inline,
                        let_underscore: None,
                        loop_depth: self.loop_depth,
                        ..var
                    });
                }
            }
        }
        // The state after creation: a `move` body has taken its captures (which belong to the
        // body, not to the code around it).
        let mut after = self.env.clone();
        if let Some(after) = &mut after {
            after.vars.truncate(outer_len);
        }
        let saved_loops = std::mem::take(&mut self.loops);
        let saved_depth = self.loop_depth;
        let result = body(self);
        self.loops = saved_loops;
        self.loop_depth = saved_depth;
        let finished = self.frames.pop().expect("pushed above");
        let end = finished
            .exits
            .into_iter()
            .fold(self.env.take(), |acc, e| join(acc, Some(e)));
        if let (Some(after), Some(end)) = (&mut after, &end) {
            for (var, inner) in after.vars.iter_mut().zip(&end.vars).take(outer_len) {
                if kind == FrameKind::Inline {
                    *var = inner.clone();
                } else if inner.moved && !var.moved {
                    // The body moves a local of the enclosing frame: captured by value.
                    var.moved = true;
                    captured.absorb(var.val.clone());
                }
            }
        }
        // An inline body that never finishes stops the code around it too.
        self.env = if kind == FrameKind::Inline && end.is_none() {
            None
        } else {
            after
        };
        // A body that moves one of its captures out can run once only.
        let once = is_move
            && kind != FrameKind::Inline
            && end.as_ref().is_some_and(|end| {
                end.vars
                    .iter()
                    .skip(outer_len)
                    .any(|v| v.frame == frame && v.captured && v.moved)
            });
        let mut val = captured.held_at(at, Acquired::Captured, None);
        val.once = once;
        // A closure that captured a receiver is not itself a receiver.
        val.receivers.clear();
        val.readers.clear();
        val.drains_when_run = finished.drains;
        if kind == FrameKind::Inline {
            val.absorb(result);
        }
        val
    }
}

/// `tx.clone()` as an argument carries what `tx` carries.
pub(super) fn without_clone(expr: &Expr) -> &Expr {
    match strip(expr) {
        Expr::MethodCall(mc) if mc.method == "clone" && mc.args.is_empty() => strip(&mc.receiver),
        other => other,
    }
}

/// The field right under a place's root: `tx` for `holder.tx` and `holder.tx.inner`.
fn field_under_root(mut expr: &Expr) -> Option<String> {
    let mut field = None;
    loop {
        match strip(expr) {
            Expr::Field(f) => {
                field = Some(member_name(&f.member));
                expr = &f.base;
            }
            Expr::Path(_) => return field,
            _ => return None,
        }
    }
}

impl Interp<'_> {
    /// `tx.subscribe()` on a sender of a library that makes receivers from senders: a new
    /// receiver of the same channel (the sender is only borrowed).
    fn subscribe(&mut self, mc: &syn::ExprMethodCall, method: &str) -> Option<Val> {
        if !mc.args.is_empty() {
            return None;
        }
        let seen = self.peek(&mc.receiver);
        let receivers: Vec<ChanId> = seen
            .senders
            .iter()
            .map(|s| s.chan)
            .filter(|&chan| {
                catalogue::library(self.facts.channels[chan].library)
                    .is_some_and(|lib| lib.subscribe_methods.contains(&method))
            })
            .collect();
        if receivers.is_empty() {
            return None;
        }
        self.expr_borrowed(&mc.receiver);
        Some(Val {
            receivers,
            ..Val::default()
        })
    }

    /// A `move` body that names only some fields of a local takes those fields: their
    /// senders and task handles move in, the rest stays. `None` when the local's senders are
    /// not all known by field (then the body takes the whole local).
    fn capture_fields(&mut self, idx: usize, fields: &HashSet<String>) -> Option<Val> {
        let var = self.var(idx).filter(|v| !v.moved)?;
        if var.val.senders.iter().any(|s| s.field.is_none()) {
            return None;
        }
        let mut taken = Val {
            receivers: var.val.clone().flattened().receivers,
            ..Val::default()
        };
        for field in fields {
            taken.absorb(take_field(&mut var.val, Some(field)));
        }
        Some(taken)
    }
}

/// `x.take()` / `x.field.take()`: what the place holds (under that field) moves out.
fn take_field(val: &mut Val, field: Option<&str>) -> Val {
    let taken = |f: &Option<String>| field.is_none() || f.as_deref() == field;
    let (senders, kept): (Vec<SenderRef>, Vec<SenderRef>) =
        val.senders.drain(..).partition(|s| taken(&s.field));
    val.senders = kept;
    let mut out = Val {
        senders,
        ..Val::default()
    };
    if field.is_some() {
        let (drains, kept): (Vec<Drain>, Vec<Drain>) =
            val.drains.drain(..).partition(|d| taken(&d.field));
        val.drains = kept;
        out.drains = drains;
    }
    out
}

fn dedup_drains(mut drains: Vec<Drain>) -> Vec<Drain> {
    drains.sort_by_key(|d| (d.chan, d.wait, d.task));
    drains.dedup_by_key(|d| (d.chan, d.wait, d.task));
    drains
}
