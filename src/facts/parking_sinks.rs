//! Reply senders parked in a hand-written `Sink`: a type of the file implements futures'
//! `Sink<Msg>` at the poll level, and its `start_send` keeps the oneshot reply sender that
//! comes with each message (a field of `Msg` whose type names a oneshot `Sender`, also
//! through a type alias of the file) in a field of `self` (`self_.in_flight.push_back(..)`),
//! to answer it when the reply arrives on a stream it polls. A `forward` into such a sink
//! ends only when the stream of messages ends or when the sink fails. When the sink reads
//! the end of its reply stream (`None => return Poll::Ready(())`, in `poll_flush`/
//! `poll_ready` or in a helper whose result the flush returns as success) as success, it
//! never fails there: the `forward` goes on, the parked senders are neither answered nor
//! dropped, and a caller awaiting a reply waits forever (the messages' senders it holds
//! keep the stream of messages open). Returning an error at that end stops the `forward`,
//! which drops the sink and its parked senders.
//!
//! Read from the declarations and the sink's own methods, one hop into the type's inherent
//! methods; the rule pairs it with a reply sender of the same library sent in a message of
//! the sink's item type and a oneshot wait on that reply.

use std::collections::{HashMap, HashSet};

use syn::visit::Visit;
use syn::{Expr, Item};

use super::syntax::{ident_of, strip};
use crate::catalogue::{ChannelKind, LIBRARIES};
use crate::loc::Loc;
use crate::resolve::Imports;

/// A `Sink` impl that parks the reply senders of its items and reads the end of its reply
/// stream as success, driven by a `forward`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkingSink {
    /// The sink's type.
    pub ty: String,
    /// The item type whose field carries the reply sender.
    pub item: String,
    /// Where `start_send` stores the reply sender into a field of the sink.
    pub park: Loc,
    /// That field.
    pub field: String,
    /// The arm that reads the end of the polled stream as success.
    pub end: Loc,
    /// The `forward` that drives the sink.
    pub forward: Loc,
    /// The oneshot library of the parked senders.
    pub library: &'static str,
}

/// The parking sinks of a file's items (inline modules included).
pub fn find(items: &[Item], imports: &Imports, out: &mut Vec<ParkingSink>) {
    find_in(items, imports, out, 0);
}

fn find_in(items: &[Item], imports: &Imports, out: &mut Vec<ParkingSink>, depth: usize) {
    if depth > 16 {
        return;
    }
    for item in items {
        if let Item::Mod(m) = item {
            if let Some((_, inner)) = &m.content {
                let imports = Imports::default().extended_with(inner);
                find_in(inner, &imports, out, depth + 1);
            }
        }
    }
    // Cheap gate first: most files implement no `Sink`.
    let sinks: Vec<(&syn::ItemImpl, String)> = items
        .iter()
        .filter_map(|item| match item {
            Item::Impl(imp) => sink_item_type(imp).map(|item_ty| (imp, item_ty)),
            _ => None,
        })
        .collect();
    if sinks.is_empty() {
        return;
    }
    let aliases: HashMap<String, &syn::Type> = items
        .iter()
        .filter_map(|item| match item {
            Item::Type(t) => Some((t.ident.to_string(), &*t.ty)),
            _ => None,
        })
        .collect();
    for (imp, item_ty) in sinks {
        let Some(ty) = type_name(&imp.self_ty) else {
            continue;
        };
        let Some((reply_field, library)) = reply_field(items, &item_ty, imports, &aliases) else {
            continue;
        };
        let Some((park, field)) =
            fn_named(imp, "start_send").and_then(|f| parked_reply(f, &item_ty, &reply_field))
        else {
            continue;
        };
        let inherent = inherent_fns(items, &ty);
        let end = ["poll_flush", "poll_ready"]
            .iter()
            .filter_map(|name| fn_named(imp, name))
            .find_map(|f| end_as_success(&f.block, &inherent));
        let Some(end) = end else {
            continue;
        };
        let Some(forward) = forward_into(items, &ty) else {
            continue;
        };
        out.push(ParkingSink {
            ty,
            item: item_ty,
            park,
            field,
            end,
            forward,
            library,
        });
    }
}

/// `impl Sink<Msg<..>> for T`: the name of `Msg`.
fn sink_item_type(imp: &syn::ItemImpl) -> Option<String> {
    let (path, _) = imp.trait_.as_ref()?;
    let last = path.segments.last().filter(|s| s.ident == "Sink")?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => type_name(t),
        _ => None,
    })
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    }
}

fn fn_named<'i>(imp: &'i syn::ItemImpl, name: &str) -> Option<&'i syn::ImplItemFn> {
    imp.items.iter().find_map(|it| match it {
        syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
        _ => None,
    })
}

/// The methods of `ty`'s inherent impls in `items`, by name.
fn inherent_fns<'i>(items: &'i [Item], ty: &str) -> HashMap<String, &'i syn::ImplItemFn> {
    let mut out = HashMap::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || type_name(&imp.self_ty).as_deref() != Some(ty) {
            continue;
        }
        for it in &imp.items {
            if let syn::ImplItem::Fn(f) = it {
                out.insert(f.sig.ident.to_string(), f);
            }
        }
    }
    out
}

/// The field of the struct `item` (declared in `items`) whose type names a oneshot
/// `Sender`, directly or through a type alias of the file, and its library.
fn reply_field(
    items: &[Item],
    item: &str,
    imports: &Imports,
    aliases: &HashMap<String, &syn::Type>,
) -> Option<(String, &'static str)> {
    let fields = items.iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == item => Some(&s.fields),
        _ => None,
    })?;
    fields.iter().find_map(|f| {
        let name = f.ident.as_ref()?.to_string();
        oneshot_sender(&f.ty, imports, aliases, 0).map(|lib| (name, lib))
    })
}

/// The oneshot library whose `Sender` the type names (through the file's type aliases).
fn oneshot_sender(
    ty: &syn::Type,
    imports: &Imports,
    aliases: &HashMap<String, &syn::Type>,
    depth: usize,
) -> Option<&'static str> {
    struct Finder<'a> {
        imports: &'a Imports,
        aliases: &'a HashMap<String, &'a syn::Type>,
        depth: usize,
        found: Option<&'static str>,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_type_path(&mut self, p: &'ast syn::TypePath) {
            if self.found.is_some() {
                return;
            }
            if let Some(alias) = p
                .path
                .get_ident()
                .and_then(|i| self.aliases.get(&i.to_string()))
            {
                if self.depth < 4 {
                    self.found = oneshot_sender(alias, self.imports, self.aliases, self.depth + 1);
                }
            } else if let Some(alias) = p
                .path
                .segments
                .last()
                .filter(|_| p.path.segments.len() == 1)
                .and_then(|s| self.aliases.get(&s.ident.to_string()))
            {
                // An alias with generic arguments (`PipelineOutput<O, E>`).
                if self.depth < 4 {
                    self.found = oneshot_sender(alias, self.imports, self.aliases, self.depth + 1);
                }
            }
            if self.found.is_some() {
                return;
            }
            let resolved = self.imports.resolve(&p.path);
            if let Some((module, "Sender")) = resolved.rsplit_once("::") {
                self.found = LIBRARIES
                    .iter()
                    .find(|l| l.kind == ChannelKind::Oneshot && l.modules.contains(&module))
                    .map(|l| l.name);
            }
            syn::visit::visit_type_path(self, p);
        }
    }
    let mut finder = Finder {
        imports,
        aliases,
        depth,
        found: None,
    };
    finder.visit_type(ty);
    finder.found
}

/// In `start_send(self, msg: Item)`: a store (`push_back`, `push`, `insert`, ..) into a
/// field of the sink (a place rooted in `self`, or in a local made from `self`, as
/// `let this = self.project();`) of a value that names the message's reply sender.
fn parked_reply(f: &syn::ImplItemFn, item_ty: &str, reply_field: &str) -> Option<(Loc, String)> {
    let msg = f.sig.inputs.iter().find_map(|a| match a {
        syn::FnArg::Typed(t) if type_name(&t.ty).as_deref() == Some(item_ty) => Some(&*t.pat),
        _ => None,
    })?;
    // What names the reply sender: a binding of the destructured message, or `msg.field`.
    let (binding, whole) = match msg {
        syn::Pat::Struct(s) => {
            let field = s
                .fields
                .iter()
                .find(|fp| matches!(&fp.member, syn::Member::Named(n) if n == reply_field))?;
            match &*field.pat {
                syn::Pat::Ident(i) => (Some(i.ident.to_string()), None),
                _ => return None,
            }
        }
        syn::Pat::Ident(i) => (None, Some(i.ident.to_string())),
        _ => return None,
    };
    let mut from_self: HashSet<String> = HashSet::from(["self".to_string()]);
    let mut finder = Park {
        binding,
        whole,
        reply_field,
        from_self: &mut from_self,
        found: None,
    };
    finder.visit_block(&f.block);
    finder.found
}

/// Methods that keep their argument in the collection they are called on.
const PARKING: &[&str] = &["push", "push_back", "push_front", "insert"];

struct Park<'a> {
    binding: Option<String>,
    whole: Option<String>,
    reply_field: &'a str,
    from_self: &'a mut HashSet<String>,
    found: Option<(Loc, String)>,
}

impl<'ast> Visit<'ast> for Park<'_> {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let (syn::Pat::Ident(name), Some(init)) = (&l.pat, &l.init) {
            if root(&init.expr).is_some_and(|r| self.from_self.contains(&r)) {
                self.from_self.insert(name.ident.to_string());
            }
        }
        syn::visit::visit_local(self, l);
    }
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        if self.found.is_none() && PARKING.contains(&mc.method.to_string().as_str()) {
            if let Expr::Field(place) = strip(&mc.receiver) {
                let rooted = root(&place.base).is_some_and(|r| self.from_self.contains(&r));
                let names = mc.args.iter().any(|a| {
                    let mut n = Names {
                        binding: self.binding.as_deref(),
                        whole: self.whole.as_deref(),
                        field: self.reply_field,
                        found: false,
                    };
                    n.visit_expr(a);
                    n.found
                });
                if let (true, true, syn::Member::Named(field)) = (rooted, names, &place.member) {
                    let at = Loc::of(super::syntax::first_span(&mc.receiver))
                        .to(Loc::of(mc.paren_token.span.close()));
                    self.found = Some((at, field.to_string()));
                }
            }
        }
        syn::visit::visit_expr_method_call(self, mc);
    }
}

/// The local an expression is rooted in, through fields and method calls
/// (`self.as_mut().project()` is rooted in `self`).
fn root(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Field(f) => root(&f.base),
        Expr::MethodCall(mc) => root(&mc.receiver),
        other => ident_of(other),
    }
}

/// Whether an expression names the reply sender (`output`, `msg.output`).
struct Names<'a> {
    binding: Option<&'a str>,
    whole: Option<&'a str>,
    field: &'a str,
    found: bool,
}

impl<'ast> Visit<'ast> for Names<'_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Path(_)
                if ident_of(e)
                    .as_deref()
                    .is_some_and(|n| Some(n) == self.binding) =>
            {
                self.found = true;
            }
            Expr::Field(f)
                if matches!(&f.member, syn::Member::Named(n) if n == self.field)
                    && ident_of(&f.base).is_some_and(|n| Some(n.as_str()) == self.whole) =>
            {
                self.found = true;
            }
            _ => syn::visit::visit_expr(self, e),
        }
    }
}

/// In a `poll_flush`/`poll_ready` body: an arm that reads the end of a polled stream as
/// success, directly or in an inherent method whose result the body returns as its own
/// (its tail is `self.poll_read(cx)` or `self.poll_read(cx).map(Ok)`).
fn end_as_success(block: &syn::Block, inherent: &HashMap<String, &syn::ImplItemFn>) -> Option<Loc> {
    if let Some(at) = success_at_end(block) {
        return Some(at);
    }
    let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last() else {
        return None;
    };
    let mut call = strip(tail);
    if let Expr::MethodCall(mc) = call {
        let wraps_in_ok = mc.method == "map"
            && mc.args.len() == 1
            && matches!(strip(&mc.args[0]), Expr::Path(p) if p.path.is_ident("Ok"));
        if wraps_in_ok {
            call = strip(&mc.receiver);
        }
    }
    let Expr::MethodCall(mc) = call else {
        return None;
    };
    if root(&mc.receiver).as_deref() != Some("self") {
        return None;
    }
    let helper = inherent.get(&mc.method.to_string())?;
    success_at_end(&helper.block)
}

/// A `match` on a `poll_next` (also inside `ready!(..)`) with an arm for the end (`None`,
/// `Poll::Ready(None)`) whose value is `Poll::Ready(())` or `Poll::Ready(Ok(..))`, alone.
fn success_at_end(block: &syn::Block) -> Option<Loc> {
    struct Finder(Option<Loc>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
            if self.0.is_none() && polls_next(&m.expr) {
                for arm in &m.arms {
                    if is_end_pattern(&arm.pat) && is_success_value(&arm.body) {
                        let first = match &arm.pat {
                            syn::Pat::Ident(i) => i.ident.span(),
                            syn::Pat::Path(p) => p.path.segments[0].ident.span(),
                            syn::Pat::TupleStruct(t) => t.path.segments[0].ident.span(),
                            _ => arm.fat_arrow_token.spans[0],
                        };
                        self.0 = Some(Loc::of(first).to(Loc::of(last_span(&arm.body))));
                    }
                }
            }
            syn::visit::visit_expr_match(self, m);
        }
    }
    let mut finder = Finder(None);
    finder.visit_block(block);
    finder.0
}

/// The whole expression's span: printed to tokens, affordable for the one arm found.
fn last_span(expr: &Expr) -> proc_macro2::Span {
    syn::spanned::Spanned::span(expr)
}

/// Whether an expression (or a macro in it) calls `poll_next`.
fn polls_next(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
            self.0 |= mc.method == "poll_next" || mc.method == "poll_next_unpin";
            syn::visit::visit_expr_method_call(self, mc);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.0 |= names_poll_next(m.tokens.clone());
        }
    }
    fn names_poll_next(tokens: proc_macro2::TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == "poll_next" || i == "poll_next_unpin",
            proc_macro2::TokenTree::Group(g) => names_poll_next(g.stream()),
            _ => false,
        })
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

/// `None`, `Poll::Ready(None)`.
fn is_end_pattern(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::Ident(i) => i.ident == "None" && i.subpat.is_none(),
        syn::Pat::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "None"),
        syn::Pat::TupleStruct(t) => {
            t.path.segments.last().is_some_and(|s| s.ident == "Ready")
                && t.elems.len() == 1
                && is_end_pattern(&t.elems[0])
        }
        _ => false,
    }
}

/// `Poll::Ready(())`, `Poll::Ready(Ok(..))`, also returned or alone in a block.
fn is_success_value(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::Return(r) => r.expr.as_deref().is_some_and(is_success_value),
        Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
            syn::Stmt::Expr(e, _) => is_success_value(e),
            _ => false,
        },
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(p) = &*c.func else {
                return false;
            };
            if p.path.segments.last().is_none_or(|s| s.ident != "Ready") {
                return false;
            }
            match strip(&c.args[0]) {
                Expr::Tuple(t) => t.elems.is_empty(),
                Expr::Call(inner) => {
                    matches!(&*inner.func, Expr::Path(p) if p.path.is_ident("Ok"))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `stream.forward(T::new(..))`, `stream.forward(T { .. })` or `stream.forward(sink)` with
/// `let sink = T::..(..)` earlier in the same function, anywhere in the file.
fn forward_into(items: &[Item], ty: &str) -> Option<Loc> {
    struct Finder<'a> {
        ty: &'a str,
        sinks: HashSet<String>,
        found: Option<Loc>,
    }
    impl Finder<'_> {
        fn makes(&self, expr: &Expr) -> bool {
            let mut m = Makes(self.ty, false);
            m.visit_expr(expr);
            m.1
        }
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let (syn::Pat::Ident(name), Some(init)) = (&l.pat, &l.init) {
                if self.makes(&init.expr) {
                    self.sinks.insert(name.ident.to_string());
                }
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
            if self.found.is_none() && mc.method == "forward" && mc.args.len() == 1 {
                let arg = &mc.args[0];
                let into_sink =
                    self.makes(arg) || ident_of(arg).is_some_and(|n| self.sinks.contains(&n));
                if into_sink {
                    self.found =
                        Some(Loc::of(mc.method.span()).to(Loc::of(mc.paren_token.span.close())));
                }
            }
            syn::visit::visit_expr_method_call(self, mc);
        }
    }
    /// Whether an expression builds a `T` (`T::new(..)`, `T { .. }`).
    struct Makes<'a>(&'a str, bool);
    impl<'ast> Visit<'ast> for Makes<'_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let Expr::Path(p) = &*c.func {
                let n = p.path.segments.len();
                self.1 |= n >= 2 && p.path.segments[n - 2].ident == self.0;
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
            self.1 |= s.path.segments.last().is_some_and(|l| l.ident == self.0);
            syn::visit::visit_expr_struct(self, s);
        }
    }
    let mut finder = Finder {
        ty,
        sinks: HashSet::new(),
        found: None,
    };
    for item in items {
        finder.visit_item(item);
        if finder.found.is_some() {
            break;
        }
    }
    finder.found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sinks(src: &str) -> Vec<(usize, usize, String)> {
        let file = syn::parse_file(src).unwrap();
        let imports = Imports::default().extended_with(&file.items);
        let mut out = Vec::new();
        find(&file.items, &imports, &mut out);
        out.iter()
            .map(|s| (s.park.line, s.end.line, s.field.clone()))
            .collect()
    }

    fn sink(end: &str, flush_tail: &str) -> String {
        format!(
            "use tokio::sync::oneshot;
type Reply = oneshot::Sender<u8>;
struct Msg {{ line: u8, reply: Reply }}
impl<T> Parker<T> {{
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context) -> Poll<()> {{
        loop {{
            let v = match ready!(self.as_mut().project().wire.poll_next(cx)) {{
                Some(v) => v,
                None => {end},
            }};
        }}
    }}
}}
impl<T> Sink<Msg> for Parker<T> {{
    fn start_send(self: Pin<&mut Self>, Msg {{ line, reply }}: Msg) -> Result<(), ()> {{
        let this = self.project();
        this.queue.push_back(Entry {{ reply }});
        Ok(())
    }}
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context) -> Poll<Result<(), ()>> {{
        {flush_tail}
    }}
}}
fn new(rx: Rx, wire: W) -> impl Future {{ rx.map(Ok).forward(Parker::new(wire)) }}
"
        )
    }

    #[test]
    fn the_end_of_the_replies_read_as_success_keeps_the_parked_senders() {
        let found = sinks(&sink(
            "return Poll::Ready(())",
            "self.poll_read(cx).map(Ok)",
        ));
        assert_eq!(found, [(17, 9, "queue".to_string())]);
    }

    #[test]
    fn an_error_at_the_end_of_the_replies_stops_the_forward() {
        assert!(sinks(&sink("return Poll::Ready(Err(()))", "self.poll_read(cx)")).is_empty());
        // The end read by a helper whose result the flush does not return as its own.
        assert!(sinks(&sink(
            "return Poll::Ready(())",
            "ready!(self.poll_read(cx)); Poll::Ready(Err(()))"
        ))
        .is_empty());
    }

    #[test]
    fn a_sink_without_a_forward_or_a_reply_field_is_no_parking_sink() {
        let src = sink("return Poll::Ready(())", "self.poll_read(cx).map(Ok)");
        assert!(sinks(&src.replace(".forward(", ".chain(")).is_empty());
        assert!(sinks(&src.replace("oneshot::Sender<u8>", "Vec<u8>")).is_empty());
    }
}
