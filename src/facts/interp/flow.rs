//! Branches and loops: states are joined where paths meet, loop bodies are run twice (once to
//! learn what an iteration moves), and loops that run until a channel ends are waits.

use super::select::{arms_exit, select_macro, ArmExit};
use super::*;
use syn::Local;

impl<'a> Interp<'a> {
    pub(super) fn if_expr(&mut self, i: &syn::ExprIf) -> Val {
        let len = self.var_count();
        self.condition(&i.cond);
        let cond_state = self.env.clone();
        let then_val = self.block(&i.then_branch);
        self.truncate(len);
        let then_env = self.env.take();
        // The else branch starts where the condition left off, without its bindings.
        self.env = cond_state;
        self.truncate(len);
        let else_val = match &i.else_branch {
            Some((_, e)) => self.expr(e),
            None => Val::default(),
        };
        self.env = join(then_env, self.env.take());
        then_val.union(else_val)
    }

    /// A condition: `let` parts bind into the scope that follows them.
    fn condition(&mut self, cond: &Expr) {
        match cond {
            Expr::Let(l) => {
                let (val, place) = self.scrutinee(&l.expr);
                self.bind_scrutinee(&l.pat, val, place);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.condition(&b.left);
                self.condition(&b.right);
            }
            other => {
                self.expr_borrowed(other);
            }
        }
    }

    /// Evaluates what a `match`/`if let` looks at: a place is inspected, not moved (yet).
    fn scrutinee(&mut self, expr: &Expr) -> (Val, Option<usize>) {
        if let Expr::Reference(r) = expr {
            return (self.expr_borrowed(&r.expr), None);
        }
        match strip(expr) {
            e @ Expr::Path(_) => {
                let idx = ident_of(e).and_then(|n| self.lookup(&n));
                (self.peek(e), idx)
            }
            e @ Expr::Field(_) => (self.peek(e).borrowed(), None),
            _ => (self.expr(expr), None),
        }
    }

    /// Binds a pattern to a scrutinee; a by-value binding out of a place moves the place.
    fn bind_scrutinee(&mut self, pat: &Pat, val: Val, place: Option<usize>) {
        let before = self.var_count();
        let by_ref = matches!(strip_ref_expr_pat(pat), Pat::Reference(_));
        self.bind(pat, val, None);
        let bound_senders = self
            .env
            .as_ref()
            .is_some_and(|e| e.vars[before..].iter().any(|v| !v.val.senders.is_empty()));
        if let (Some(idx), true, false) = (place, bound_senders, by_ref) {
            self.move_var(idx);
        }
    }

    pub(super) fn match_expr(&mut self, m: &syn::ExprMatch) -> Val {
        self.note_end_returns(m);
        let (val, place) = self.scrutinee(&m.expr);
        let start = self.env.clone();
        let len = self.var_count();
        let mut out_env: Option<Env> = None;
        let mut out_val = Val::default();
        for arm in &m.arms {
            self.env = start.clone();
            self.bind_scrutinee(&arm.pat, val.clone(), place);
            if let Pat::Guard(g) = &arm.pat {
                self.expr_borrowed(&g.guard);
            }
            let v = self.expr(&arm.body);
            self.truncate(len);
            out_val.absorb(v);
            out_env = join(out_env, self.env.take());
        }
        self.env = if m.arms.is_empty() { None } else { out_env };
        out_val
    }

    pub(super) fn for_loop(&mut self, f: &syn::ExprForLoop) -> Val {
        let on_message = crate::facts::message_exit::exits_only_on_message(&f.body);
        let waits = if syntax::leaves_loop_on_success(&f.body) && !on_message {
            Vec::new()
        } else {
            self.draining_chain(&f.expr)
        };
        let iterated = self.expr(&f.expr);
        let label = f.label.as_ref().map(|l| l.name.ident.to_string());
        let at = span_loc(f.for_token.span).to(syntax::expr_loc(&f.expr));
        self.run_loop(label, true, |this| {
            this.at_loop_head = true;
            this.message_exit = on_message;
            for &chan in &waits {
                this.record_wait(chan, at, WaitForm::Drain);
            }
            this.message_exit = false;
            this.at_loop_head = false;
            let item = Val {
                senders: iterated.senders.clone(),
                drains: iterated.drains.clone(),
                ..Val::default()
            };
            this.bind(&f.pat, item, None);
            this.block(&f.body);
        })
    }

    pub(super) fn while_loop(&mut self, w: &syn::ExprWhile) -> Val {
        let on_message = crate::facts::message_exit::exits_only_on_message(&w.body);
        let waits = if syntax::leaves_loop_on_success(&w.body) && !on_message {
            Vec::new()
        } else {
            self.recv_loop_channels(&w.cond)
        };
        let label = w.label.as_ref().map(|l| l.name.ident.to_string());
        let at = span_loc(w.while_token.span).to(syntax::expr_loc(&w.cond));
        self.run_loop(label, true, |this| {
            this.at_loop_head = true;
            this.message_exit = on_message;
            for &chan in &waits {
                this.record_wait(chan, at, WaitForm::Drain);
            }
            this.message_exit = false;
            this.note_counted_receive(w, at);
            this.at_loop_head = false;
            this.condition(&w.cond);
            this.block(&w.body);
        })
    }

    pub(super) fn loop_expr(&mut self, l: &syn::ExprLoop) -> Val {
        let label = l.label.as_ref().map(|l| l.name.ident.to_string());
        let waits = self.match_recv_loop_channels(&l.body);
        let waits = self.waits_of_any_of(waits);
        let split = if waits.is_empty() {
            self.split_drain_waits(&l.body)
        } else {
            Vec::new()
        };
        let at = span_loc(l.loop_token.span);
        self.run_loop(label, false, |this| {
            this.note_endless_loop(l);
            this.at_loop_head = true;
            for &chan in &waits {
                this.record_wait(chan, at, WaitForm::Drain);
            }
            for (chan, form) in &split {
                this.record_wait(*chan, at, form.clone());
            }
            this.at_loop_head = false;
            this.block(&l.body);
        })
    }

    /// Runs a loop body to its fixpoint: a probe pass (not recorded) learns what one
    /// iteration moves, then the recorded pass starts from the join of entry and probe.
    /// `may_skip`: the loop can end before an iteration (`for`, `while`).
    fn run_loop(
        &mut self,
        label: Option<String>,
        may_skip: bool,
        mut body: impl FnMut(&mut Self),
    ) -> Val {
        let entry = self.env.clone();
        let len = self.var_count();
        self.loop_depth += 1;
        let recording = self.recording;
        let mut head = entry.clone();
        if recording {
            self.recording = false;
            self.loops.push(LoopFrame {
                label: label.clone(),
                is_block: false,
                breaks: Vec::new(),
                continues: Vec::new(),
                vars_at_entry: len,
            });
            body(self);
            self.truncate(len);
            let probe = self.loops.pop().expect("pushed above");
            let mut after = self.env.take();
            for c in probe.continues {
                after = join_loop(after, Some(c));
            }
            head = join_loop(entry.clone(), after);
            self.recording = true;
        }
        self.env = head.clone();
        self.loops.push(LoopFrame {
            label,
            is_block: false,
            breaks: Vec::new(),
            continues: Vec::new(),
            vars_at_entry: len,
        });
        body(self);
        self.truncate(len);
        let frame = self.loops.pop().expect("pushed above");
        self.loop_depth -= 1;
        // Leaving by the condition: after any number of iterations, including none.
        let mut exit = None;
        if may_skip {
            exit = join_loop(self.env.take(), head);
            for c in frame.continues {
                exit = join_loop(exit, Some(c));
            }
        }
        for b in frame.breaks {
            exit = join(exit, Some(b));
        }
        self.env = exit;
        Val::default()
    }

    /// `while let Some(v) = rx.recv().await` and its relatives (`while rx.changed().await.is_ok()`):
    /// the channels whose end ends it.
    fn recv_loop_channels(&self, cond: &Expr) -> Vec<ChanId> {
        let Expr::Let(l) = cond else {
            return self.open_test_channels(cond);
        };
        if !success_pattern(&l.pat) {
            return Vec::new();
        }
        self.recv_call_channels(&l.expr)
    }

    /// The channels a `rx.recv()`-like call (optionally awaited) receives from.
    pub(super) fn recv_call_channels(&self, expr: &Expr) -> Vec<ChanId> {
        let call = match strip(expr) {
            Expr::Await(a) => strip(&a.base),
            other => other,
        };
        let Expr::MethodCall(mc) = call else {
            return Vec::new();
        };
        if !catalogue::RECV_METHODS.contains(&mc.method.to_string().as_str())
            && mc.method != "blocking_recv"
        {
            return Vec::new();
        }
        let mut base = strip(&mc.receiver);
        loop {
            match base {
                Expr::MethodCall(inner)
                    if catalogue::DRAINING_ADAPTERS
                        .contains(&inner.method.to_string().as_str())
                        || catalogue::passes_through(&inner.method.to_string()) =>
                {
                    base = strip(&inner.receiver);
                }
                // `rx.lock().await.recv().await`: an async lock's guard, awaited.
                Expr::Await(a) => base = strip(&a.base),
                _ => break,
            }
        }
        self.iterated_channels(self.peek(base))
    }

    /// `loop { match rx.recv() { Ok(v) => .., Err(_) => break } }`: a loop whose only exits
    /// are taken when the receive reports the end of the channel.
    fn match_recv_loop_channels(&self, body: &Block) -> Vec<ChanId> {
        let mut chans = Vec::new();
        let mut other_exits = false;
        // `let message = rx.recv();` then `match message { .. }`.
        let mut received: Vec<(String, Vec<ChanId>)> = Vec::new();
        for stmt in &body.stmts {
            if let Some(mac) = select_macro(stmt) {
                let (ends, other) = self.select_loop_channels(mac);
                chans.extend(ends);
                other_exits |= other;
                continue;
            }
            if let Some((ends, other)) = self
                .if_let_recv_channels(stmt)
                .or_else(|| self.end_test_channels(stmt))
            {
                chans.extend(ends);
                other_exits |= other;
                continue;
            }
            if let Stmt::Local(Local {
                pat: Pat::Ident(p),
                init: Some(init),
                ..
            }) = stmt
            {
                if init.diverge.is_none() {
                    let recv = self.recv_call_channels(&init.expr);
                    if !recv.is_empty() {
                        received.push((p.ident.to_string(), recv));
                        continue;
                    }
                }
            }
            let (scrutinee, arms, diverge_pat) = match stmt {
                Stmt::Expr(Expr::Match(m), _) => (&*m.expr, Some(&m.arms), None),
                Stmt::Local(local) => match &local.init {
                    Some(init) => match (&*init.expr, &init.diverge) {
                        (Expr::Match(m), None) => (&*m.expr, Some(&m.arms), None),
                        (e, Some((_, div))) => (e, None, Some((&local.pat, &**div))),
                        _ => {
                            other_exits |= syntax::stmt_leaves_loop_on_success(stmt);
                            continue;
                        }
                    },
                    None => continue,
                },
                _ => {
                    other_exits |= syntax::stmt_leaves_loop_on_success(stmt);
                    continue;
                }
            };
            let recv = match ident_of(scrutinee) {
                Some(name) => received
                    .iter()
                    .rfind(|(n, _)| *n == name)
                    .map(|(_, c)| c.clone())
                    .unwrap_or_default(),
                None => self.recv_call_channels(scrutinee),
            };
            if recv.is_empty() {
                other_exits |= syntax::stmt_leaves_loop_on_success(stmt);
                continue;
            }
            if let Some(arms) = arms {
                match arms_exit(arms) {
                    ArmExit::Never => {}
                    ArmExit::OnEnd => chans.extend(recv.iter().copied()),
                    ArmExit::Other => other_exits = true,
                }
            }
            if let Some((pat, _)) = diverge_pat {
                if success_pattern(pat) {
                    chans.extend(recv.iter().copied());
                }
            }
        }
        if other_exits {
            Vec::new()
        } else {
            chans
        }
    }
}

/// `Ok(v)` or `Some(v)`: the pattern a receive matches for every value while the channel
/// is open (`Some(Msg::Data(v))` also stops on other messages: not a wait for the end).
pub(super) fn success_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::TupleStruct(t) => {
            t.path
                .segments
                .last()
                .is_some_and(|s| s.ident == "Ok" || s.ident == "Some")
                && t.elems.len() == 1
                && irrefutable(&t.elems[0])
        }
        Pat::Ident(p) => p
            .subpat
            .as_ref()
            .is_some_and(|(_, sub)| success_pattern(sub)),
        _ => false,
    }
}

fn strip_ref_expr_pat(pat: &Pat) -> &Pat {
    match pat {
        Pat::Paren(p) => strip_ref_expr_pat(&p.pat),
        other => other,
    }
}

/// Patterns that match any value of their type. A struct or tuple struct named by one
/// segment (`Job { id, .. }`, `Job(x)`) is taken for a struct, not an enum variant.
fn irrefutable(pat: &Pat) -> bool {
    match pat {
        Pat::Struct(s) => {
            s.path.segments.len() == 1
                && !s.path.is_ident("Self")
                && s.fields.iter().all(|f| irrefutable(&f.pat))
        }
        Pat::TupleStruct(t) => {
            t.path.segments.len() == 1
                && !matches!(
                    t.path.segments[0].ident.to_string().as_str(),
                    "Some" | "Ok" | "Err" | "None"
                )
                && t.elems.iter().all(irrefutable)
        }
        Pat::Ident(p) => p.subpat.as_ref().is_none_or(|(_, sub)| irrefutable(sub)),
        Pat::Wild(_) | Pat::Rest(_) => true,
        Pat::Tuple(t) => t.elems.iter().all(irrefutable),
        Pat::Paren(p) => irrefutable(&p.pat),
        Pat::Reference(r) => irrefutable(&r.pat),
        Pat::Type(t) => irrefutable(&t.pat),
        _ => false,
    }
}
