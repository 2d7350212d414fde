//! Loops in a task that never end: the senders the task holds when it enters one stay alive
//! for as long as the program runs.

use super::*;
use crate::facts::{EndlessTask, HeldSender};
use syn::visit::Visit;

impl<'a> Interp<'a> {
    /// Called when a `loop` is entered: records it if it is endless and runs on a task.
    pub(super) fn note_endless_loop(&mut self, l: &syn::ExprLoop) {
        if !self.recording || self.env.is_none() {
            return;
        }
        // A loop that leaves only when a send fails ends only after its channel's receivers:
        // for the senders of those bindings it is endless.
        let only_for = match never_ends(&l.body) {
            true => None,
            false => match syntax::exits_only_on_send_failure(&l.body) {
                Some(names) if !may_stop(&l.body) => Some(names),
                _ => return,
            },
        };
        let owner = self.owner_frame();
        if owner == 0 && self.self_view == SelfView::Placeholder {
            // A function that never returns keeps what its parameters brought in: the task
            // that calls it is endless (see its summary).
            self.note_endless_params(span_loc(l.loop_token.span), only_for.as_deref());
            return;
        }
        if self.frames[owner].kind != FrameKind::Task {
            return;
        }
        let env = self.env.as_ref().expect("checked above");
        let held: Vec<HeldSender> = env
            .vars
            .iter()
            .filter(|v| !v.moved && v.frame >= owner)
            .filter(|v| {
                only_for
                    .as_ref()
                    .is_none_or(|names| names.contains(&v.name))
            })
            .flat_map(|v| {
                v.val.senders.iter().map(|s| HeldSender {
                    chan: s.chan,
                    holder: v.name.clone(),
                    at: s.at,
                    how: s.how,
                })
            })
            .collect();
        if held.is_empty() {
            return;
        }
        self.facts.endless_tasks.push(EndlessTask {
            task: self.frames[owner].at,
            loop_at: span_loc(l.loop_token.span),
            held,
            leaves_on_send_failure: only_for.is_some(),
        });
    }
}

impl Interp<'_> {
    /// `only_for`: the loop ends when a send of these bindings fails; it keeps theirs alone.
    fn note_endless_params(&mut self, loop_at: Loc, only_for: Option<&[String]>) {
        let Some(env) = &self.env else { return };
        let kept = |name: &String| only_for.is_none_or(|names| names.contains(name));
        for var in env.vars.iter().filter(|v| !v.moved && kept(&v.name)) {
            for sender in &var.val.senders {
                let is_param = matches!(
                    self.facts.channels[sender.chan].param,
                    Some((_, Role::Senders))
                );
                if is_param && !self.endless_params.iter().any(|&(c, _)| c == sender.chan) {
                    self.endless_params.push((sender.chan, loop_at));
                }
            }
        }
    }

    /// A call, inside a task, to a function that never returns while it holds the senders
    /// an argument brought in.
    pub(super) fn call_never_returns(&mut self, held: Vec<HeldSender>, loop_at: Loc) {
        let owner = self.owner_frame();
        if !self.recording || held.is_empty() || self.frames[owner].kind != FrameKind::Task {
            return;
        }
        self.facts.endless_tasks.push(EndlessTask {
            task: self.frames[owner].at,
            loop_at,
            held,
            leaves_on_send_failure: false,
        });
    }
}

/// A loop body with no way out: no `break`, `return` or `?`, no macro that may leave or
/// panic, no call that may exit the process or panic (`unwrap()`/`expect()` count only on a
/// `send`, which cannot fail while the receiver waits for the channel's end).
fn never_ends(body: &Block) -> bool {
    !leaves_loop(body) && !may_stop(body)
}

/// Whether the body may stop the task other than by leaving the loop: a panic, an exit.
fn may_stop(body: &Block) -> bool {
    let mut finder = MayStop(false);
    finder.visit_block(body);
    finder.0
}

struct MayStop(bool);

impl<'ast> Visit<'ast> for MayStop {
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        let m = mc.method.to_string();
        if matches!(
            m.as_str(),
            "unwrap" | "expect" | "unwrap_err" | "expect_err"
        ) {
            let inner = match strip(&mc.receiver) {
                Expr::Await(a) => strip(&a.base),
                other => other,
            };
            let on_send = matches!(inner, Expr::MethodCall(s)
                if catalogue::PLAIN_SENDS.contains(&s.method.to_string().as_str()));
            self.0 |= !on_send;
        }
        if m == "abort" || m == "exit" {
            self.0 = true;
        }
        syn::visit::visit_expr_method_call(self, mc);
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let last = p.path.segments.last().map(|s| s.ident.to_string());
            self.0 |= matches!(last.as_deref(), Some("exit" | "abort" | "panic_any"));
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_index(&mut self, i: &'ast syn::ExprIndex) {
        // Indexing may panic.
        self.0 = true;
        syn::visit::visit_expr_index(self, i);
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = macro_name(mac);
        if catalogue::is_quiet_macro(&name) {
            return;
        }
        // A `select!` stops only if one of its arms does.
        if !catalogue::SELECT_MACROS.contains(&name.as_str()) {
            self.0 = true;
            return;
        }
        let reading = crate::facts::macros::read(mac);
        if matches!(reading, crate::facts::macros::Reading::Opaque) {
            self.0 = true;
            return;
        }
        for expr in crate::facts::macros::expressions(&reading) {
            self.visit_expr(expr);
        }
    }
    fn visit_item(&mut self, _: &'ast Item) {}
}
