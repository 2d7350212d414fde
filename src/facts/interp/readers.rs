//! Wrapper types of the checked code that turn a channel into a stream of items or bytes: a
//! type whose `Iterator`, `Stream`, `io::Read` or `io::BufRead` impl receives from a channel
//! field with a receive that waits (`self.rx.recv()`, `self.rx.poll_recv(cx)`) yields until
//! that channel ends. Iterating a value of it to the end (`for event in events`,
//! `events.count()`, `while let Some(u) = updates.next().await`) or reading it to the end
//! (`read_to_end`, `read_to_string`, `io::copy`, its `lines()` or `bytes()` consumed) drains
//! that channel. An `Iterator` or `Stream` impl that does not wait (`self.rx.try_recv().ok()`
//! ends at the first empty queue) drains nothing, though the value holds a receiver. The impl's
//! methods are read with the type's own helpers they call on `self`; an impl seen to receive
//! neither way (through a function of elsewhere) is not known, and its values are iterated as
//! every receiver they hold.
//! Its writer twin, an `io::Write` impl over a sender field, is a value holding a sender,
//! as any struct holding one; its `write`/`write_all` borrow it.

use std::collections::{HashMap, HashSet};

use syn::visit::Visit;

use super::*;

/// Methods of a reader whose result yields what it reads until its end.
const READ_ADAPTERS: &[&str] = &["lines", "bytes", "split"];
/// Methods that read a reader to its end.
const READ_TO_END: &[&str] = &["read_to_end", "read_to_string"];
/// Functions that read their first argument to its end.
const READING_FUNCTIONS: &[&str] = &["io::copy", "serde_json::from_reader"];
/// Buffering wrappers whose value reads through the reader they wrap (last argument).
const BUFFERING: &[&str] = &["BufReader::new", "BufReader::with_capacity"];
/// Traits whose impl decides what iterating a value yields.
const ITERATING_TRAITS: &[&str] = &["Iterator", "Stream"];
/// Traits whose impl decides what reading a value to its end yields.
const READING_TRAITS: &[&str] = &["Read", "BufRead", "AsyncRead", "AsyncBufRead"];
/// Receives that wait for the next value and report the channel's end (`None`, `Err`,
/// `Poll::Ready(None)`); `try_recv` and `recv_timeout` end early and are not among them.
const WAITING_RECEIVES: &[&str] = &[
    "recv",
    "blocking_recv",
    "recv_blocking",
    "poll_recv",
    "poll_next",
    "poll_next_unpin",
    "next",
];
/// Receives that end early, at an empty queue or a timeout: an impl built on them yields
/// nothing to the channel's end.
const EARLY_RECEIVES: &[&str] = &[
    "try_recv",
    "recv_timeout",
    "recv_deadline",
    "try_next",
    "try_iter",
];
/// Ways of reaching `self`'s fields in a `poll_next(self: Pin<&mut Self>, ..)`.
const SELF_ACCESS: &[&str] = &["project", "get_mut", "as_mut", "get_unchecked_mut"];

/// What a wrapper type of the checked code yields, from its impls.
#[derive(Clone, Debug, Default)]
pub(crate) struct Yielding {
    /// The fields whose channel's end is the value's end.
    fields: HashSet<String>,
    /// It has an `Iterator` or `Stream` impl: iterating it yields from those fields alone.
    iterates: bool,
}

/// The wrapper types of `items` (and their inline modules), by name.
pub(super) fn yielding_types(items: &[Item], out: &mut HashMap<String, Yielding>) {
    let mut impls = Vec::new();
    collect_impls(items, &mut impls);
    // A trait method may receive through a helper of the type's own (`fn next(&mut self) {
    // self.next_event() }`): the fields each inherent method receives from, by type and name.
    let mut helpers: HashMap<(&str, String), &FieldReceives> = HashMap::new();
    for (ty, trait_name, fns) in &impls {
        if trait_name.is_none() {
            for (name, found) in fns {
                helpers.insert((ty.as_str(), name.clone()), found);
            }
        }
    }
    for (ty, trait_name, fns) in &impls {
        let Some(trait_name) = trait_name else {
            continue;
        };
        let iterates = ITERATING_TRAITS.contains(&trait_name.as_str());
        let mut fields = HashSet::new();
        let mut ends_early = false;
        for (_, found) in fns {
            fields.extend(found.fields.iter().cloned());
            ends_early |= found.ends_early;
            // One helper deep, and the helpers those call: enough for a `next` that calls
            // `self.fill()` calling `self.rx.recv()`.
            let mut calls: Vec<&String> = found.self_calls.iter().collect();
            let mut seen = HashSet::new();
            while let Some(call) = calls.pop() {
                if !seen.insert(call) {
                    continue;
                }
                if let Some(helper) = helpers.get(&(ty.as_str(), call.clone())) {
                    fields.extend(helper.fields.iter().cloned());
                    ends_early |= helper.ends_early;
                    calls.extend(helper.self_calls.iter());
                }
            }
        }
        // An impl seen to receive neither way (through a function of elsewhere) is not known:
        // its values are iterated as every receiver they hold.
        let known = !fields.is_empty() || ends_early;
        if !known {
            continue;
        }
        let entry = out.entry(ty.clone()).or_default();
        entry.fields.extend(fields);
        entry.iterates |= iterates;
    }
}

/// An impl of a type: the type, the trait if it wraps a channel as a stream (`Iterator`,
/// `Stream`, `Read`, ..; `None` for an inherent impl), and what each of its methods receives.
type ImplReceives = (String, Option<String>, Vec<(String, FieldReceives)>);

fn collect_impls(items: &[Item], out: &mut Vec<ImplReceives>) {
    for item in items {
        match item {
            Item::Impl(imp) => {
                let trait_name = imp
                    .trait_
                    .as_ref()
                    .and_then(|(p, _)| p.segments.last())
                    .map(|s| s.ident.to_string());
                let wraps = trait_name.as_ref().is_none_or(|t| {
                    ITERATING_TRAITS.contains(&t.as_str()) || READING_TRAITS.contains(&t.as_str())
                });
                let Some(ty) = type_name(&imp.self_ty).filter(|_| wraps) else {
                    continue;
                };
                let fns = imp
                    .items
                    .iter()
                    .filter_map(|it| match it {
                        syn::ImplItem::Fn(f) => {
                            let mut finder = FieldReceives::default();
                            finder.visit_block(&f.block);
                            Some((f.sig.ident.to_string(), finder))
                        }
                        _ => None,
                    })
                    .collect();
                out.push((ty, trait_name, fns));
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect_impls(inner, out);
                }
            }
            _ => {}
        }
    }
}

/// The fields of `self` an impl receives from with a receive that waits: `self.rx.recv()`,
/// `self.project().rx.poll_recv(cx)`, `Pin::new(&mut self.rx).poll_next(cx)`,
/// `this.rx.poll_next_unpin(cx)` after `let this = self.get_mut()`; and the methods it calls
/// on `self` (`self.fill()`).
#[derive(Default)]
struct FieldReceives {
    fields: HashSet<String>,
    /// It receives from a field of `self` with a receive that ends early (`try_recv`).
    ends_early: bool,
    self_calls: HashSet<String>,
}

impl FieldReceives {
    fn note(&mut self, receiver: &Expr) {
        if let Some(field) = self_field(receiver) {
            self.fields.insert(field);
        }
    }
}

/// `self.field` (or `this.field`), seen through `&mut`, `Pin::new(..)`, `.iter()` and
/// `self.project()`.
fn self_field(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Reference(r) => self_field(&r.expr),
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "new") => {
                self_field(&c.args[0])
            }
            _ => None,
        },
        Expr::MethodCall(mc) if mc.method == "iter" || mc.method == "as_mut" => {
            self_field(&mc.receiver)
        }
        Expr::Field(f) => {
            let syn::Member::Named(name) = &f.member else {
                return None;
            };
            is_self(&f.base).then(|| name.to_string())
        }
        _ => None,
    }
}

/// `self`, `this`, `self.project()`, `self.get_mut()`.
fn is_self(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::MethodCall(mc) if SELF_ACCESS.contains(&mc.method.to_string().as_str()) => {
            is_self(&mc.receiver)
        }
        other => ident_of(other).is_some_and(|b| b == "self" || b == "this"),
    }
}

impl<'ast> Visit<'ast> for FieldReceives {
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        let method = mc.method.to_string();
        if WAITING_RECEIVES.contains(&method.as_str()) {
            self.note(&mc.receiver);
        }
        if EARLY_RECEIVES.contains(&method.as_str()) {
            self.ends_early |= self_field(&mc.receiver).is_some();
        }
        if is_self(&mc.receiver) {
            self.self_calls.insert(mc.method.to_string());
        }
        syn::visit::visit_expr_method_call(self, mc);
    }

    /// `Stream::poll_next(Pin::new(&mut self.rx), cx)`.
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let waits = p
                .path
                .segments
                .last()
                .is_some_and(|s| WAITING_RECEIVES.contains(&s.ident.to_string().as_str()));
            if let (true, Some(first)) = (waits, c.args.first()) {
                self.note(first);
            }
        }
        syn::visit::visit_expr_call(self, c);
    }
}

/// Whether `path` (resolved) names one of `list`, by its final segments.
pub(super) fn names_one_of(path: &str, list: &[&str]) -> bool {
    list.iter().any(|w| {
        path == *w
            || path
                .strip_suffix(w)
                .is_some_and(|rest| rest.ends_with("::"))
    })
}

impl<'a> Interp<'a> {
    /// A struct literal of a wrapper type yields from the receivers of the fields its impls
    /// receive from.
    pub(super) fn note_yielding(&self, path: &syn::Path, val: &mut Val) {
        let Some(last) = path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        let ty = if last == "Self" {
            self.self_ty.clone().unwrap_or_default()
        } else {
            last
        };
        let Some(yielding) = self.shared.yielding.get(&ty) else {
            return;
        };
        // A receiver with no field tag may sit under any field.
        let yielded: Vec<ChanId> = val
            .receivers
            .iter()
            .copied()
            .filter(|&chan| {
                let mut tags = val.receiver_fields.iter().filter(|(c, _)| *c == chan);
                let mut tagged = false;
                let under = tags.any(|(_, field)| {
                    tagged = true;
                    yielding.fields.contains(field)
                });
                under || !tagged
            })
            .collect();
        val.readers.extend(yielded);
        val.iterated_by_impl |= yielding.iterates;
    }

    /// Whether values of this type (by its last segment) are iterated as its `Iterator` or
    /// `Stream` impl of the checked code says.
    pub(super) fn iterates_by_impl(&self, ty: &str) -> bool {
        self.shared.yielding.get(ty).is_some_and(|y| y.iterates)
    }

    /// The channels iterating a value to its end drains: those its own impl receives from
    /// when its type has one in the checked code, else every receiver it holds.
    pub(super) fn iterated_channels(&self, val: Val) -> Vec<ChanId> {
        let chans = match val.iterated_by_impl {
            true => val.readers,
            false => val.receivers,
        };
        chans
            .into_iter()
            .filter(|&c| self.kind(c) == ChannelKind::Stream)
            .collect()
    }

    /// What a reading expression reads through, without evaluating it: `reader.lines()` yields
    /// the reader's channels, `BufReader::new(reader)` reads through `reader`.
    pub(super) fn peek_read(&self, expr: &Expr) -> Option<Val> {
        match strip(expr) {
            Expr::MethodCall(mc) if READ_ADAPTERS.contains(&mc.method.to_string().as_str()) => {
                let readers = self.read_channels(&self.peek(&mc.receiver));
                Some(Val {
                    receivers: readers,
                    ..Val::default()
                })
            }
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if names_one_of(&self.imports.resolve(&p.path), BUFFERING) => {
                    Some(c.args.last().map(|a| self.peek(a)).unwrap_or_default())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The channels a value reads from (a parameter's are placeholders for the caller's).
    fn read_channels(&self, val: &Val) -> Vec<ChanId> {
        val.readers.clone()
    }

    /// `reader.read_to_end(..)`: waits for the end of the channels the reader reads.
    pub(super) fn note_read_to_end(&mut self, mc: &syn::ExprMethodCall, at: Loc) {
        if READ_TO_END.contains(&mc.method.to_string().as_str()) {
            for chan in self.read_channels(&self.peek(&mc.receiver)) {
                self.record_wait(chan, at, WaitForm::Drain);
            }
        }
    }

    /// `io::copy(&mut reader, ..)`, `serde_json::from_reader(reader)`: the same.
    pub(super) fn note_reading_call(&mut self, resolved: &str, c: &syn::ExprCall, at: Loc) {
        if !names_one_of(resolved, READING_FUNCTIONS) {
            return;
        }
        if let Some(first) = c.args.first() {
            let readers = match self.peek_read(first) {
                Some(val) => self.read_channels(&val),
                None => self.read_channels(&self.peek(first)),
            };
            for chan in readers {
                self.record_wait(chan, at, WaitForm::Drain);
            }
        }
    }
}
