//! Senders kept for the life of the program: stored into a `static` (`OnceLock`,
//! `lazy_static!`, `thread_local!`, a global registry) or leaked (`mem::forget`, `Box::leak`,
//! `ManuallyDrop`). Also records every store into a static, which `early-exit-skips-close`
//! joins with the closes of that static.

use super::*;
use crate::facts::{Leak, LeakHow, Place, Store};
use syn::visit::Visit;

/// Per-function state of the leak analysis.
#[derive(Default)]
pub(super) struct LeakState {
    /// `ManuallyDrop` wrappers of this function, kept unless it also drops one by hand.
    manual: Vec<Leak>,
    manual_release: bool,
    /// The first of the file's leaks that this function recorded.
    first: usize,
    /// Senders stored into a value a global keeps, by the binding stored into: kept unless
    /// the function takes them out of it again.
    pub(super) kept_stores: Vec<(Option<usize>, Leak)>,
    /// Stores into a value sharing its state with a parameter, by the binding stored into
    /// (for the summary's `shared_stores`): parameter index, what was stored.
    pub(super) shared_stores: Vec<(Option<usize>, usize, Val)>,
    /// Parameters out of whose shared state the function took back what was stored there.
    pub(super) shared_releases: Vec<usize>,
}

impl LeakState {
    /// The state of a function whose first leak will be the file's `first`.
    pub(super) fn starting_at(first: usize) -> LeakState {
        LeakState {
            first,
            ..LeakState::default()
        }
    }
}

impl<'a> Interp<'a> {
    /// `NAME.set(tx)`, `NAME.with(|c| ..)`, `NAME.lock().unwrap().push(tx)` on a static.
    pub(super) fn static_store_method(&mut self, mc: &syn::ExprMethodCall, at: Loc) -> Option<Val> {
        if !catalogue::STORING_IN_PLACE.contains(&mc.method.to_string().as_str()) {
            return None;
        }
        let name = self.static_root(&mc.receiver)?;
        let mut stored = Val::default();
        for arg in &mc.args {
            let val = match strip(arg) {
                Expr::Closure(c) => self.closure(c, FrameKind::Deferred),
                other => self.expr(other),
            };
            stored.absorb(val);
        }
        self.store_in_static(name, stored, at);
        Some(Val::default())
    }

    /// `*NAME.lock().unwrap() = Some(tx)`: returns whether `left` is a static.
    pub(super) fn static_store_assign(&mut self, left: &Expr, val: &Val, at: Loc) -> bool {
        let Some(name) = self.static_root(left) else {
            return false;
        };
        self.store_in_static(name, val.clone(), at);
        true
    }

    fn store_in_static(&mut self, name: String, val: Val, at: Loc) {
        if !self.recording || self.env.is_none() {
            return;
        }
        for sender in val.flattened().senders {
            self.facts.stores.push(Store {
                place: Place::Static(name.clone()),
                chan: sender.chan,
                at,
            });
            self.facts.leaks.push(Leak {
                chan: sender.chan,
                at,
                how: LeakHow::Static(name.clone()),
                acquired: sender.at,
            });
        }
    }

    /// A static of this file that `expr` is rooted in, through fields, derefs and method calls.
    fn static_root(&self, expr: &Expr) -> Option<String> {
        let name = syntactic_root(expr)?;
        (self.shared.statics.contains(&name) && self.lookup(&name).is_none()).then_some(name)
    }

    /// `mem::forget(x)`, `Box::leak(x)`, `ManuallyDrop::new(x)`: the senders in `x` are never
    /// dropped. `None` if the call is none of these.
    pub(super) fn leaking_call(
        &mut self,
        resolved: &str,
        c: &syn::ExprCall,
        at: Loc,
    ) -> Option<Val> {
        let how = if let Some(global) = catalogue::global_setter(resolved) {
            LeakHow::Global {
                setter: global.path,
                keeps: global.keeps,
            }
        } else if resolved.ends_with("mem::forget") {
            LeakHow::Forget
        } else if resolved.ends_with("Box::leak") {
            LeakHow::BoxLeak
        } else if resolved.ends_with("ManuallyDrop::new") {
            LeakHow::ManuallyDrop
        } else {
            // `panic::take_hook()` drops the hook this function set before it (and what the
            // hook captured).
            for global in catalogue::released_globals(resolved) {
                let first = self.leak_state.first.min(self.facts.leaks.len());
                let mut index = 0;
                self.facts.leaks.retain(|l| {
                    index += 1;
                    index <= first
                        || !matches!(&l.how, LeakHow::Global { setter, .. } if *setter == global.path)
                });
            }
            if [
                "ManuallyDrop::drop",
                "ManuallyDrop::into_inner",
                "ManuallyDrop::take",
            ]
            .iter()
            .any(|m| resolved.ends_with(m))
            {
                self.leak_state.manual_release = true;
            }
            return None;
        };
        if matches!(how, LeakHow::Global { .. }) {
            self.mark_kept_clones(&c.args, &how, at);
        }
        let mut val = Val::default();
        for arg in &c.args {
            val.absorb(self.expr(arg));
        }
        if self.recording && self.env.is_some() {
            for sender in val.flattened().senders {
                let leak = Leak {
                    chan: sender.chan,
                    at,
                    how: how.clone(),
                    acquired: sender.at,
                };
                if how == LeakHow::ManuallyDrop {
                    self.leak_state.manual.push(leak);
                } else {
                    self.facts.leaks.push(leak);
                }
            }
        }
        Some(Val::default())
    }

    /// The leaks recorded since `first` that a caller can see: of what the function's
    /// parameters carry (their senders are kept forever), or of a channel it makes and
    /// returns (`Server::new` returns the connection whose sender it put in a static).
    pub(super) fn param_leaks(&self, first: usize) -> Vec<(ChanId, Loc, LeakHow)> {
        if self.self_view != SelfView::Placeholder {
            return Vec::new();
        }
        let returned = self.returns.clone().flattened();
        let is_returned = |chan: ChanId| {
            returned.senders.iter().any(|s| s.chan == chan)
                || returned.receivers.contains(&chan)
                || returned.drains.iter().any(|d| d.chan == chan)
        };
        let first = first.min(self.facts.leaks.len());
        self.facts.leaks[first..]
            .iter()
            .filter(|l| match self.facts.channels[l.chan].param {
                Some((_, role)) => role == Role::Senders,
                None => is_returned(l.chan),
            })
            .map(|l| (l.chan, l.at, l.how.clone()))
            .collect()
    }

    /// At the end of a function: its `ManuallyDrop` wrappers leak unless it drops one by hand.
    pub(super) fn finish_leaks(&mut self) {
        let state = std::mem::take(&mut self.leak_state);
        if !state.manual_release {
            self.facts.leaks.extend(state.manual);
        }
        self.facts
            .leaks
            .extend(state.kept_stores.into_iter().map(|(_, leak)| leak));
    }
}

/// The name a place or method chain is rooted in: `*LOG.lock().unwrap()` is rooted in `LOG`.
fn syntactic_root(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Field(f) => syntactic_root(&f.base),
        Expr::Index(i) => syntactic_root(&i.expr),
        Expr::Unary(u) => syntactic_root(&u.expr),
        Expr::MethodCall(mc) => syntactic_root(&mc.receiver),
        Expr::Try(t) => syntactic_root(&t.expr),
        Expr::Await(a) => syntactic_root(&a.base),
        Expr::Reference(r) => syntactic_root(&r.expr),
        Expr::Paren(p) => syntactic_root(&p.expr),
        Expr::Group(g) => syntactic_root(&g.expr),
        Expr::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The statics a file declares: `static`, and those of `lazy_static!` and `thread_local!`.
pub(super) fn file_statics(items: &[Item]) -> HashSet<String> {
    let mut out = HashSet::new();
    for item in items {
        match item {
            Item::Static(s) => {
                out.insert(s.ident.to_string());
            }
            Item::Macro(m) => statics_in_tokens(m.mac.tokens.clone(), &mut out),
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    out.extend(file_statics(items));
                }
            }
            _ => {}
        }
    }
    out
}

/// `static NAME` and `static ref NAME` inside a macro's tokens.
fn statics_in_tokens(tokens: proc_macro2::TokenStream, out: &mut HashSet<String>) {
    let mut after_static = false;
    for tt in tokens {
        match tt {
            proc_macro2::TokenTree::Ident(i) => {
                let s = i.to_string();
                if s == "static" {
                    after_static = true;
                } else if after_static && s != "ref" && s != "mut" {
                    out.insert(s);
                    after_static = false;
                }
            }
            proc_macro2::TokenTree::Group(g) => statics_in_tokens(g.stream(), out),
            _ => after_static = false,
        }
    }
}

/// Statics the file empties somewhere (`take()`, `= None`, `remove`, `drop(..)`, or any of
/// these inside a closure handed to a method of the static): what they hold is not leaked.
pub(super) fn cleared_statics(file: &syn::File, statics: &HashSet<String>) -> HashSet<String> {
    let mut finder = ClearedFinder {
        statics,
        cleared: HashSet::new(),
    };
    if !statics.is_empty() {
        finder.visit_file(file);
    }
    finder.cleared
}

struct ClearedFinder<'s> {
    statics: &'s HashSet<String>,
    cleared: HashSet<String>,
}

impl ClearedFinder<'_> {
    fn root_static(&self, expr: &Expr) -> Option<String> {
        syntactic_root(expr).filter(|n| self.statics.contains(n))
    }
}

impl<'ast> Visit<'ast> for ClearedFinder<'_> {
    /// `lazy_static!`/`thread_local!` declarations initialize, they do not empty.
    fn visit_item_macro(&mut self, _: &'ast syn::ItemMacro) {}
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        if let Some(name) = self.root_static(&mc.receiver) {
            let mut clears = Clears(false);
            clears.visit_expr_method_call(mc);
            if clears.0 {
                self.cleared.insert(name);
            }
        }
        syn::visit::visit_expr_method_call(self, mc);
    }
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Some(name) = self.root_static(&a.left) {
            if is_none(&a.right) {
                self.cleared.insert(name);
            }
        }
        syn::visit::visit_expr_assign(self, a);
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if is_clearing_function(&c.func) {
            for arg in &c.args {
                if let Some(name) = self.root_static(arg) {
                    self.cleared.insert(name);
                }
            }
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut names = HashSet::new();
        syntax::token_idents(&mac.tokens, &mut names);
        if catalogue::CLEARING_METHODS
            .iter()
            .any(|m| names.contains(*m))
            || names.contains("None")
        {
            for name in names.intersection(self.statics) {
                self.cleared.insert(name.clone());
            }
        }
    }
}

/// Whether an expression empties something: a clearing method, `= None`, `drop`, `mem::take`.
struct Clears(bool);

impl<'ast> Visit<'ast> for Clears {
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        self.0 |= catalogue::CLEARING_METHODS.contains(&mc.method.to_string().as_str());
        syn::visit::visit_expr_method_call(self, mc);
    }
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        self.0 |= is_none(&a.right);
        syn::visit::visit_expr_assign(self, a);
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        self.0 |= is_clearing_function(&c.func);
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_macro(&mut self, _: &'ast syn::Macro) {
        // Unreadable: assume it may empty the static.
        self.0 = true;
    }
}

/// Whether a word, seen in a statement's tokens, may name something that empties a value: a
/// clearing method or function, or `None`.
pub(super) fn may_clear_word(word: &str) -> bool {
    word == "None"
        || catalogue::CLEARING_METHODS.contains(&word)
        || matches!(word, "drop" | "take" | "replace" | "forget")
}

fn is_none(expr: &Expr) -> bool {
    matches!(strip(expr), Expr::Path(p) if p.path.is_ident("None"))
}

fn is_clearing_function(func: &Expr) -> bool {
    let Expr::Path(p) = func else { return false };
    let last = p.path.segments.last().map(|s| s.ident.to_string());
    matches!(
        last.as_deref(),
        Some("drop" | "take" | "replace" | "forget")
    )
}
