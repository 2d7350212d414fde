//! Reply senders parked in a map that a helper borrows: a server task keeps the oneshot reply
//! senders that came with its requests in a pending map, and a helper that takes one out
//! (`pending.remove(&id)`) returns early with an error before it gets there. When a caller
//! drops that error (`let _ = respond(&mut pending, ..)`), the map, owned further up by a
//! task that goes on running, keeps the sender: it is neither sent nor dropped, and the code
//! awaiting the reply waits forever.
//!
//! Read from the declarations and the order of statements: a parameter `&mut Map<K,
//! oneshot::Sender<T>>` (the type resolved through the file's imports) holds parked reply
//! senders; an exit in an earlier statement skips the take-out, unless that statement binds
//! the key it takes out (no key, no entry to take); a call that propagates the error (`?`,
//! `return`, the tail) passes the skip on to its caller's own map parameter, a call whose
//! error is dropped strands the sender there.

use std::collections::{HashMap, HashSet};

use syn::visit::Visit;
use syn::{Expr, Item};

use super::syntax::{ident_of, strip};
use crate::catalogue::{ChannelKind, LIBRARIES};
use crate::loc::Loc;
use crate::resolve::Imports;

/// An error exit in a helper that skips taking a reply sender out of a borrowed map, and the
/// call that drops the error while the map lives on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrandedReply {
    pub exit: Loc,
    pub take: Loc,
    /// The map parameter, as the helper names it.
    pub map: String,
    pub swallowed: Loc,
    /// The oneshot library of the parked senders.
    pub library: &'static str,
}

/// A `Future` impl of the file that polls a oneshot receiver field: awaiting a value of the
/// type waits for a reply of `library`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyPoll {
    pub ty: String,
    pub at: Loc,
    pub library: &'static str,
}

/// The reply facts of a file's items (inline modules included).
pub fn find(items: &[Item], imports: &Imports, stranded: &mut Vec<StrandedReply>) {
    let mut fns = Vec::new();
    collect_fns(items, imports, &mut fns, 0);
    let mut skips: HashMap<(usize, usize), Vec<(Loc, Loc)>> = HashMap::new();
    for (f, func) in fns.iter().enumerate() {
        for (p, param) in func.maps.iter().enumerate() {
            let found = direct_skips(func.block, &param.name);
            if !found.is_empty() {
                skips.insert((f, p), found);
            }
        }
    }
    if skips.is_empty() {
        return;
    }
    // Skips travel up through callers that propagate the error with their own map parameter,
    // and are stranded where a caller drops the error.
    let mut out: Vec<StrandedReply> = Vec::new();
    for _ in 0..4 {
        let mut grew = false;
        for (g, caller) in fns.iter().enumerate() {
            for call in calls_in(caller.block) {
                let Some(f) = fns.iter().position(|c| c.name == call.name) else {
                    continue;
                };
                for (p, param) in fns[f].maps.iter().enumerate() {
                    let Some(found) = skips.get(&(f, p)).cloned() else {
                        continue;
                    };
                    let Some(arg) = call.args.get(param.index) else {
                        continue;
                    };
                    let arg_name = map_name(arg);
                    match call.result {
                        Outcome::Dropped => {
                            for &(exit, take) in &found {
                                let s = StrandedReply {
                                    exit,
                                    take,
                                    map: param.name.clone(),
                                    swallowed: call.at,
                                    library: param.library,
                                };
                                if !out.contains(&s) {
                                    out.push(s);
                                }
                            }
                        }
                        Outcome::Propagated => {
                            let Some(q) = caller
                                .maps
                                .iter()
                                .position(|m| Some(&m.name) == arg_name.as_ref())
                            else {
                                continue;
                            };
                            let entry = skips.entry((g, q)).or_default();
                            for pair in found {
                                if !entry.contains(&pair) {
                                    entry.push(pair);
                                    grew = true;
                                }
                            }
                        }
                        Outcome::Other => {}
                    }
                }
            }
        }
        if !grew {
            break;
        }
    }
    stranded.extend(out);
}

/// `impl Future for T { fn poll(..) }` polling something, where `T` declares a field of a
/// oneshot receiver type.
pub fn reply_polls(items: &[Item], imports: &Imports, out: &mut Vec<ReplyPoll>) {
    let mut receiver_types: HashMap<String, &'static str> = HashMap::new();
    for item in items {
        if let Item::Struct(s) = item {
            for field in &s.fields {
                if let Some(lib) = names_oneshot(&field.ty, imports, "Receiver") {
                    receiver_types.insert(s.ident.to_string(), lib);
                }
            }
        }
    }
    for item in items {
        let Item::Impl(imp) = item else { continue };
        let is_future = imp
            .trait_
            .as_ref()
            .and_then(|(p, _)| p.segments.last())
            .is_some_and(|s| s.ident == "Future");
        let Some(ty) = self_type_name(&imp.self_ty) else {
            continue;
        };
        let Some(&library) = receiver_types.get(&ty).filter(|_| is_future) else {
            continue;
        };
        for it in &imp.items {
            if let syn::ImplItem::Fn(f) = it {
                if f.sig.ident != "poll" {
                    continue;
                }
                let mut finder = PollCall(None);
                finder.visit_block(&f.block);
                if let Some(at) = finder.0 {
                    out.push(ReplyPoll {
                        ty: ty.clone(),
                        at,
                        library,
                    });
                }
            }
        }
    }
}

/// The first `poll(..)`/`.poll(..)`/`.poll_unpin(..)` call of a body.
struct PollCall(Option<Loc>);

impl<'ast> Visit<'ast> for PollCall {
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            if self.0.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "poll") {
                self.0 = Some(
                    Loc::of(p.path.segments[0].ident.span())
                        .to(Loc::of(c.paren_token.span.close())),
                );
            }
        }
        syn::visit::visit_expr_call(self, c);
    }
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        if self.0.is_none() && matches!(mc.method.to_string().as_str(), "poll" | "poll_unpin") {
            self.0 = Some(Loc::of(mc.method.span()).to(Loc::of(mc.paren_token.span.close())));
        }
        syn::visit::visit_expr_method_call(self, mc);
    }
    /// `ready!(Future::poll(..))`: a macro's tokens read as comma-separated expressions.
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        use syn::parse::Parser;
        let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = parser.parse2(m.tokens.clone()) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
    }
}

fn self_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// A function of the file and its parameters that borrow maps of reply senders.
struct Func<'f> {
    name: String,
    block: &'f syn::Block,
    maps: Vec<MapParam>,
}

struct MapParam {
    /// Position among the call's arguments (`self` counts for methods called as `self.f(..)`
    /// only through `Self::f`; methods are matched by their arguments after `self`).
    index: usize,
    name: String,
    library: &'static str,
}

fn collect_fns<'f>(items: &'f [Item], imports: &Imports, out: &mut Vec<Func<'f>>, depth: usize) {
    if depth > 16 {
        return;
    }
    let mut add = |sig: &'f syn::Signature, block: &'f syn::Block| {
        let mut maps = Vec::new();
        let typed = sig.inputs.iter().filter_map(|a| match a {
            syn::FnArg::Typed(t) => Some(t),
            syn::FnArg::Receiver(_) => None,
        });
        for (index, arg) in typed.enumerate() {
            let syn::Type::Reference(r) = &*arg.ty else {
                continue;
            };
            let (Some(_), syn::Pat::Ident(name)) = (r.mutability, &*arg.pat) else {
                continue;
            };
            if let Some(library) = names_oneshot(&r.elem, imports, "Sender") {
                maps.push(MapParam {
                    index,
                    name: name.ident.to_string(),
                    library,
                });
            }
        }
        out.push(Func {
            name: sig.ident.to_string(),
            block,
            maps,
        });
    };
    for item in items {
        match item {
            Item::Fn(f) => add(&f.sig, &f.block),
            Item::Impl(imp) => {
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        add(&f.sig, &f.block);
                    }
                }
            }
            _ => {}
        }
    }
    for item in items {
        if let Item::Mod(m) = item {
            if let Some((_, inner)) = &m.content {
                let imports = Imports::default().extended_with(inner);
                collect_fns(inner, &imports, out, depth + 1);
            }
        }
    }
}

/// The oneshot library whose `kind` type (`Sender`, `Receiver`) the type names somewhere
/// among its generic arguments (not the type itself: a map or wrapper of them).
fn names_oneshot(ty: &syn::Type, imports: &Imports, kind: &str) -> Option<&'static str> {
    struct Finder<'i> {
        imports: &'i Imports,
        kind: &'i str,
        found: Option<&'static str>,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_type_path(&mut self, p: &'ast syn::TypePath) {
            let resolved = self.imports.resolve(&p.path);
            if let Some((module, last)) = resolved.rsplit_once("::") {
                if last == self.kind {
                    self.found = self.found.or_else(|| {
                        LIBRARIES
                            .iter()
                            .find(|l| l.kind == ChannelKind::Oneshot && l.modules.contains(&module))
                            .map(|l| l.name)
                    });
                }
            }
            syn::visit::visit_type_path(self, p);
        }
    }
    let mut finder = Finder {
        imports,
        kind,
        found: None,
    };
    finder.visit_type(ty);
    finder.found
}

/// Error exits of the body's statements before the one that takes a sender out of `map`,
/// each with that take-out. A statement that binds a name the key mentions is where the key
/// comes from, and one that names the map is a guard on it (`if !map.contains_key(&id) {
/// return Err(..) }`): their exits mean there is no entry to take out.
fn direct_skips(block: &syn::Block, map: &str) -> Vec<(Loc, Loc)> {
    let key = key_names_of_later(block, map);
    let mut exits = Vec::new();
    for stmt in &block.stmts {
        let mut take = TakeOut { map, found: None };
        take.visit_stmt(stmt);
        if let Some((at, _)) = take.found {
            return exits.into_iter().map(|e| (e, at)).collect();
        }
        if let syn::Stmt::Local(local) = stmt {
            let mut bound = HashSet::new();
            pat_names(&local.pat, &mut bound);
            if bound.iter().any(|b| key.contains(b)) {
                continue;
            }
        }
        let mut names = Names(HashSet::new());
        names.visit_stmt(stmt);
        if names.0.contains(map) {
            continue;
        }
        let mut finder = Exits(Vec::new());
        finder.visit_stmt(stmt);
        exits.extend(finder.0);
    }
    Vec::new()
}

/// The names the key of the body's take-out from `map` mentions.
fn key_names_of_later(block: &syn::Block, map: &str) -> HashSet<String> {
    let mut take = TakeOut { map, found: None };
    take.visit_block(block);
    take.found.map(|(_, key)| key).unwrap_or_default()
}

/// The single-identifier paths a statement names.
struct Names(HashSet<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(ident) = p.path.get_ident() {
            self.0.insert(ident.to_string());
        }
    }
}

fn pat_names(pat: &syn::Pat, out: &mut HashSet<String>) {
    struct Names<'o>(&'o mut HashSet<String>);
    impl<'ast> Visit<'ast> for Names<'_> {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    Names(out).visit_pat(pat);
}

/// `map.remove(&key)` (or `remove_entry`, `swap_remove`, `shift_remove`): where, and the names
/// its key mentions.
struct TakeOut<'m> {
    map: &'m str,
    found: Option<(Loc, HashSet<String>)>,
}

impl<'ast> Visit<'ast> for TakeOut<'_> {
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        let takes = matches!(
            mc.method.to_string().as_str(),
            "remove" | "remove_entry" | "swap_remove" | "shift_remove"
        );
        if self.found.is_none() && takes && ident_of(&mc.receiver).as_deref() == Some(self.map) {
            let mut key = HashSet::new();
            for arg in &mc.args {
                key.extend(super::syntax::captures(arg).into_keys());
            }
            let start = super::syntax::first_span(&mc.receiver);
            self.found = Some((Loc::of(start).to(Loc::of(mc.paren_token.span.close())), key));
        }
        syn::visit::visit_expr_method_call(self, mc);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_item(&mut self, _: &'ast Item) {}
}

/// `?` and `return Err(..)` of a body (not of the closures and items inside it).
struct Exits(Vec<Loc>);

impl<'ast> Visit<'ast> for Exits {
    fn visit_expr_try(&mut self, t: &'ast syn::ExprTry) {
        syn::visit::visit_expr_try(self, t);
        self.0.push(Loc::of(t.question_token.span));
    }
    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        if let Some(Expr::Call(c)) = r.expr.as_deref() {
            if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Err")) {
                self.0.push(Loc::of(r.return_token.span));
            }
        }
        syn::visit::visit_expr_return(self, r);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}
    fn visit_item(&mut self, _: &'ast Item) {}
}

/// What the caller does with a call's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// `let _ = f(..)`, `f(..);`, `f(..).ok();`: the error is dropped, the caller goes on.
    Dropped,
    /// `f(..)?`, `return f(..)`, the body's tail: the caller leaves with the error.
    Propagated,
    Other,
}

struct Call<'e> {
    name: String,
    args: Vec<&'e Expr>,
    at: Loc,
    result: Outcome,
}

/// Calls of functions of the file by name (`f(..)`, `Self::f(..)`, `self.f(..)`), with what
/// the caller does with their result.
fn calls_in(block: &syn::Block) -> Vec<Call<'_>> {
    let mut out = Vec::new();
    let last = block.stmts.len().saturating_sub(1);
    for (i, stmt) in block.stmts.iter().enumerate() {
        let (expr, outcome) = match stmt {
            syn::Stmt::Local(l) if matches!(&l.pat, syn::Pat::Wild(_)) => match l.init.as_ref() {
                Some(init) => (&*init.expr, Outcome::Dropped),
                None => continue,
            },
            syn::Stmt::Expr(e, Some(_)) => (e, Outcome::Dropped),
            syn::Stmt::Expr(e, None) if i == last => (e, Outcome::Propagated),
            _ => {
                collect_nested(stmt, &mut out);
                continue;
            }
        };
        match classify(expr, outcome) {
            Some(call) => {
                let nested_in_args = call.args.clone();
                out.push(call);
                for arg in nested_in_args {
                    nested_calls(arg, &mut out);
                }
            }
            None => collect_nested(stmt, &mut out),
        }
    }
    out
}

/// The call an expression statement is, through `?`, `.ok()`, `.map_err(..)`, `return`.
fn classify(expr: &Expr, outcome: Outcome) -> Option<Call<'_>> {
    match strip(expr) {
        Expr::Try(t) => classify(&t.expr, Outcome::Propagated),
        Expr::Return(r) => classify(r.expr.as_deref()?, Outcome::Propagated),
        Expr::MethodCall(mc) if mc.method == "ok" && mc.args.is_empty() => {
            classify(&mc.receiver, outcome)
        }
        Expr::MethodCall(mc) if mc.method == "map_err" => classify(&mc.receiver, outcome),
        Expr::Call(c) => {
            let Expr::Path(p) = &*c.func else { return None };
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let own = segs.len() == 1 || (segs.len() == 2 && segs[0] == "Self");
            own.then(|| Call {
                name: segs.last().cloned().unwrap_or_default(),
                args: c.args.iter().collect(),
                at: Loc::of(p.path.segments[0].ident.span())
                    .to(Loc::of(c.paren_token.span.close())),
                result: outcome,
            })
        }
        Expr::MethodCall(mc) if ident_of(&mc.receiver).as_deref() == Some("self") => Some(Call {
            name: mc.method.to_string(),
            args: mc.args.iter().collect(),
            at: Loc::of(mc.method.span()).to(Loc::of(mc.paren_token.span.close())),
            result: outcome,
        }),
        _ => None,
    }
}

/// Calls inside a statement's blocks (loop bodies, `if` and `match` arms), classified by the
/// statements of those blocks.
fn collect_nested<'e>(stmt: &'e syn::Stmt, out: &mut Vec<Call<'e>>) {
    struct Blocks<'e, 'o>(&'o mut Vec<Call<'e>>);
    impl<'e> Visit<'e> for Blocks<'e, '_> {
        fn visit_block(&mut self, b: &'e syn::Block) {
            let inner = calls_in(b);
            // A block's tail is its value, not the function's: only its dropped calls count.
            self.0.extend(inner.into_iter().map(|c| match c.result {
                Outcome::Propagated => Call {
                    result: Outcome::Other,
                    ..c
                },
                _ => c,
            }));
        }
        fn visit_expr_closure(&mut self, _: &'e syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'e Item) {}
    }
    Blocks(out).visit_stmt(stmt);
}

fn nested_calls<'e>(expr: &'e Expr, out: &mut Vec<Call<'e>>) {
    struct Blocks<'e, 'o>(&'o mut Vec<Call<'e>>);
    impl<'e> Visit<'e> for Blocks<'e, '_> {
        fn visit_block(&mut self, b: &'e syn::Block) {
            self.0.extend(
                calls_in(b)
                    .into_iter()
                    .filter(|c| c.result == Outcome::Dropped),
            );
        }
        fn visit_expr_closure(&mut self, _: &'e syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'e Item) {}
    }
    Blocks(out).visit_expr(expr);
}

/// The binding an argument lends: `map`, `&mut map`, `&mut *map`.
fn map_name(arg: &Expr) -> Option<String> {
    match strip(arg) {
        Expr::Reference(r) => map_name(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => map_name(&u.expr),
        other => ident_of(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stranded(src: &str) -> Vec<(usize, usize, usize)> {
        let file = syn::parse_file(src).unwrap();
        let imports = Imports::default().extended_with(&file.items);
        let mut out = Vec::new();
        find(&file.items, &imports, &mut out);
        out.iter()
            .map(|s| (s.exit.line, s.take.line, s.swallowed.line))
            .collect()
    }

    const HEAD: &str =
        "use std::collections::HashMap;\nuse tokio::sync::oneshot;\ntype R = Result<(), ()>;\n";

    #[test]
    fn an_exit_before_the_remove_whose_error_is_dropped_strands_the_sender() {
        let src = format!(
            "{HEAD}fn out(p: &mut HashMap<u64, oneshot::Sender<u8>>, id: u64, v: Option<u8>) -> R {{
                let v = v.ok_or(())?;
                let tx = p.remove(&id).ok_or(())?;
                tx.send(v).map_err(|_| ())
            }}
            fn serve(p: &mut HashMap<u64, oneshot::Sender<u8>>) {{
                let _ = out(p, 1, None);
            }}"
        );
        assert_eq!(stranded(&src), vec![(5, 6, 10)]);
    }

    #[test]
    fn the_skip_travels_through_a_propagating_caller_to_the_one_that_drops_it() {
        let src = format!(
            "{HEAD}fn out(p: &mut HashMap<u64, oneshot::Sender<u8>>, v: Option<u8>) -> R {{
                let v = v.ok_or(())?;
                let _ = p.remove(&1);
                Ok(())
            }}
            fn all(p: &mut HashMap<u64, oneshot::Sender<u8>>) -> R {{
                out(p, None)?;
                Ok(())
            }}
            fn serve(mut p: HashMap<u64, oneshot::Sender<u8>>) {{
                loop {{
                    if all(&mut p).is_err() {{ continue; }}
                    all(&mut p).ok();
                }}
            }}"
        );
        assert_eq!(stranded(&src), vec![(5, 6, 16)]);
    }

    #[test]
    fn exits_that_compute_the_key_or_guard_the_map_are_not_skips() {
        let src = format!(
            "{HEAD}enum Id {{ Num(u64), Text }}
            fn out(p: &mut HashMap<u64, oneshot::Sender<u8>>, id: Id) -> R {{
                let id = match id {{ Id::Num(n) => n, Id::Text => return Err(()) }};
                if !p.contains_key(&id) {{ return Err(()); }}
                let tx = p.remove(&id).ok_or(())?;
                tx.send(0).map_err(|_| ())
            }}
            fn serve(p: &mut HashMap<u64, oneshot::Sender<u8>>) {{
                let _ = out(p, Id::Text);
            }}"
        );
        assert!(stranded(&src).is_empty());
    }

    #[test]
    fn a_map_of_other_values_or_an_owned_map_is_not_followed() {
        let src = format!(
            "{HEAD}fn out(p: &mut HashMap<u64, u8>, v: Option<u8>) -> R {{
                v.ok_or(())?;
                p.remove(&1);
                Ok(())
            }}
            fn owned(mut p: HashMap<u64, oneshot::Sender<u8>>, v: Option<u8>) -> R {{
                v.ok_or(())?;
                p.remove(&1);
                Ok(())
            }}
            fn serve(p: &mut HashMap<u64, u8>, q: HashMap<u64, oneshot::Sender<u8>>) {{
                let _ = out(p, None);
                let _ = owned(q, None);
            }}"
        );
        assert!(stranded(&src).is_empty());
    }
}
