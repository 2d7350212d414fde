//! The ownership interpreter: walks each function body in evaluation order, the way the borrow
//! checker would, tracking which local owns which sender. At every wait for a channel's end it
//! records which senders of that channel are still certainly held.
//!
//! States are joined pessimistically for precision: a binding moved on any path is no longer
//! counted as holding anything, and code after an exit (`return`, `?`, `break`) is not reached.

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Block, Expr, Item, Pat, Stmt, Token};

use super::summary::{Observed, Part, Role, Summary};
use super::syntax::{self, ident_of, leaves_loop, macro_name, place_root, strip};
use super::value::{join, join_loop, Acquired, ChanId, Drain, Env, SenderRef, Val, Var};
use super::{Bridge, Channel, FileFacts, Held, HeldSender, LeakHow, Wait, WaitForm};
use crate::catalogue::{self, Catalogue, ChannelKind};
use crate::loc::{LineIndex, Loc};
use crate::resolve::Imports;

pub use context::FileContext;

/// Expressions evaluated per function before the analysis gives up on it.
const BUDGET: usize = 200_000;
/// Expression nesting the analysis follows before giving up on a function.
const MAX_DEPTH: usize = 400;

/// Computes the facts of one parsed file, seeing only its own functions.
pub fn analyze_file(file: &syn::File, source: &str) -> FileFacts {
    analyze_file_with(file, source, &[], true).0
}

/// Computes the facts of one parsed file, with summaries of functions of other files of its
/// crate, and returns the summaries of its own functions that matter to a caller (see
/// `Summary::is_trivial`). `follow_calls`: record the calls the file cannot follow
/// (`FileFacts::open_calls`) and follow its own functions' summaries; off for a file that
/// cannot make a channel, where neither can matter.
pub fn analyze_file_with(
    file: &syn::File,
    source: &str,
    external: &[Summary],
    follow_calls: bool,
) -> (FileFacts, Vec<Summary>) {
    analyze_file_in(file, source, external, follow_calls, &catalogue::BUILTIN)
}

/// `analyze_file_with`, knowing the constructors and spawn functions of `catalogue`.
pub fn analyze_file_in(
    file: &syn::File,
    source: &str,
    external: &[Summary],
    follow_calls: bool,
    catalogue: &Catalogue,
) -> (FileFacts, Vec<Summary>) {
    let context = FileContext::of(file);
    let lines = LineIndex::new(source);
    analyze_items_in(file, &context, &lines, external, follow_calls, catalogue)
}

/// `analyze_file_in` on a tree of some of a file's items (a group of a big file), knowing
/// what the whole file declares from `context`. Spans must carry the lines of `lines`.
pub fn analyze_items_in(
    file: &syn::File,
    context: &FileContext,
    lines: &LineIndex,
    external: &[Summary],
    follow_calls: bool,
    catalogue: &Catalogue,
) -> (FileFacts, Vec<Summary>) {
    let FileContext {
        consuming,
        imports,
        statics,
        local_fns,
        cleared,
        plain_fields,
        handle_fields,
        borrowing,
        macro_rules,
        yielding,
        ..
    } = context;
    let configured_models = super::models::configured(catalogue);
    let run = |summaries: &[Summary]| {
        let mut facts = FileFacts {
            open_calls: follow_calls.then(HashMap::new),
            ..FileFacts::default()
        };
        let mut out = Vec::new();
        let shared = Shared {
            lines,
            consuming,
            statics,
            plain_fields,
            handle_fields,
            borrowing,
            macro_rules,
            yielding,
            summaries: Summaries::new(
                summaries
                    .iter()
                    .chain(super::models::builtin())
                    .chain(&configured_models),
                local_fns,
            ),
            catalogue,
        };
        let mut cx = FileCx {
            shared: &shared,
            facts: &mut facts,
            chans: HashMap::new(),
            summaries: &mut out,
        };
        cx.items(&file.items, imports, &[], 0);
        super::reply_maps::find(&file.items, imports, &mut facts.stranded_replies);
        super::reply_maps::reply_polls(&file.items, imports, &mut facts.reply_polls);
        super::parking_sinks::find(&file.items, imports, &mut facts.parking_sinks);
        facts
            .leaks
            .retain(|l| !matches!(&l.how, LeakHow::Static(name) if cleared.contains(name)));
        for summary in &mut out {
            summary.leaks.retain(
                |(_, _, how)| !matches!(how, LeakHow::Static(name) if cleared.contains(name)),
            );
        }
        // A function that does nothing a caller could see needs no summary.
        out.retain(|s| !s.is_trivial());
        out.append(&mut facts.built_elsewhere);
        (facts, out)
    };
    let (mut facts, mut own) = run(external);
    // Again while a call the last round could not follow is to one of the file's own
    // functions that matters, or while the file's summaries that the last round applied have
    // changed (a caller of `finish` applied the `finish` of before `finish` could follow its
    // own call to `shutdown`): two more rounds at most.
    let mut applied: Option<Vec<Summary>> = None;
    for _ in 0..2 {
        let followable = own
            .iter()
            .any(|s| facts.open_calls.as_ref().is_some_and(|c| s.explains_any(c)));
        let stale = applied.as_ref().is_some_and(|applied| *applied != own);
        // The methods of a type the file constructs see `self` as built only once the
        // constructors' summaries are known.
        // (Only a constructor that returns what it built is applied: `Summaries::new`.)
        let constructs = applied.is_none()
            && own
                .iter()
                .any(|s| s.constructs.is_some() && !s.returns.is_empty());
        // A value of a type whose `Drop` takes back what was stored into its shared state is
        // released where the file drops it only once that `drop`'s summary is known.
        let drops = applied.is_none()
            && own
                .iter()
                .any(|s| s.name == "drop" && !s.shared_releases.is_empty());
        if !followable && !stale && !constructs && !drops {
            break;
        }
        let mut known: Vec<Summary> = external.to_vec();
        known.extend(own.iter().cloned());
        applied = Some(own);
        (facts, own) = run(&known);
    }
    // A value the file made share its state with a global is often handed down through
    // several layers of set-up in the file (`run_server(logger)`, `ServerSetup::new(..)`,
    // `to_server`, `set_up_logger`): one more round for each layer whose stores into it the
    // last round learnt, a few at most. Only such a file can gain a finding from them; the
    // layers in other files are the later cross-file rounds' (`rounds::shared`).
    for _ in 0..MAX_SHARED_ROUNDS {
        if !facts.keeps_globals
            || !shared_state_changed(applied.as_deref().unwrap_or_default(), &own)
        {
            break;
        }
        let mut known: Vec<Summary> = external.to_vec();
        known.extend(own.iter().cloned());
        applied = Some(own);
        (facts, own) = run(&known);
    }
    (facts, own)
}

/// Extra rounds for layers of a file handing down a value shared with a global.
const MAX_SHARED_ROUNDS: usize = 3;

/// Whether a summary of `now` tells about values shared with a global differently from the
/// same function's summary of the round before.
fn shared_state_changed(before: &[Summary], now: &[Summary]) -> bool {
    now.iter()
        .filter(|s| s.shares_state())
        .any(|s| match before.iter().find(|b| b.key == s.key) {
            Some(b) => {
                b.shared_stores != s.shared_stores
                    || b.shared_waits != s.shared_waits
                    || b.shared_releases != s.shared_releases
            }
            None => true,
        })
}

/// How deep inline modules and nested functions are followed.
const MAX_ITEM_DEPTH: usize = 64;

/// The walk over one file's items.
struct FileCx<'s, 'f> {
    shared: &'s Shared<'s>,
    facts: &'f mut FileFacts,
    chans: HashMap<(Loc, Loc), ChanId>,
    summaries: &'f mut Vec<Summary>,
}

impl FileCx<'_, '_> {
    fn items(&mut self, items: &[Item], imports: &Imports, path: &[String], depth: usize) {
        if depth > MAX_ITEM_DEPTH {
            return;
        }
        for item in items {
            match item {
                Item::Fn(f) => {
                    let outliving = closes::Outliving {
                        self_type: None,
                        statics: self.shared.statics,
                    };
                    closes::skipped_closes(&f.block, &outliving, &mut self.facts.skipped_closes);
                    let cx = FnCx::new(&f.sig, path, None, false);
                    self.function(&f.block, imports, cx, depth);
                }
                Item::Impl(imp) => {
                    let self_ty = type_name(&imp.self_ty);
                    let is_drop = imp
                        .trait_
                        .as_ref()
                        .is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "Drop"));
                    for it in &imp.items {
                        if let syn::ImplItem::Fn(f) = it {
                            let borrows_self = matches!(f.sig.inputs.first(),
                                Some(syn::FnArg::Receiver(r)) if matches!(r.kind, syn::ReceiverKind::Reference(..)));
                            let outliving = closes::Outliving {
                                self_type: self_ty.as_deref().filter(|_| borrows_self),
                                statics: self.shared.statics,
                            };
                            closes::skipped_closes(
                                &f.block,
                                &outliving,
                                &mut self.facts.skipped_closes,
                            );
                            let drop_fn = is_drop && f.sig.ident == "drop";
                            let cx = FnCx::new(&f.sig, path, self_ty.clone(), drop_fn);
                            self.function(&f.block, imports, cx, depth);
                        }
                    }
                }
                Item::Trait(tr) => {
                    for it in &tr.items {
                        if let syn::TraitItem::Fn(f) = it {
                            if let Some(block) = &f.default {
                                let cx = FnCx::new(&f.sig, path, None, false);
                                self.function(block, imports, cx, depth);
                            }
                        }
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        // An inline module sees only its own imports, as in Rust.
                        let inner = Imports::default().extended_with(items);
                        let mut path = path.to_vec();
                        path.push(m.ident.to_string());
                        self.items(items, &inner, &path, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }

    fn function(&mut self, block: &Block, imports: &Imports, cx: FnCx, depth: usize) {
        {
            let view = if cx.is_drop {
                SelfView::Dropping
            } else {
                SelfView::Placeholder
            };
            let mut interp =
                Interp::new(self.shared, self.facts, &mut self.chans, imports, &cx, view);
            let first_wait = interp.facts.waits.len();
            let first_leak = interp.facts.leaks.len();
            interp.bind_params(cx.sig, Loc::of(block.brace_token.span.open()));
            let tail = interp.block(block);
            interp.forget_handoffs_written_later(first_wait);
            add_return(&mut interp.returns, tail);
            interp.drop_owned_params(cx.sig);
            let shared_stores = interp.take_shared_stores();
            let shared_waits = interp.shared_waits(&shared_stores, first_wait);
            let shared_releases = interp.take_shared_releases();
            interp.finish_leaks();
            forbid_drop_of_later_uses(block, &mut interp.facts.waits[first_wait..]);
            let param_leaks = interp.param_leaks(first_leak);
            let kept_params = interp.kept_params();
            if let Some(reason) = interp.gave_up.take() {
                let at = Loc::of(block.brace_token.span.open());
                interp.facts.incomplete.push((at, reason));
            } else if let Some((stores, releases)) =
                Some((interp.stored_into_params(), interp.released_params())).filter(
                    |(stores, releases)| {
                        !stores.is_empty()
                            || !releases.is_empty()
                            || !param_leaks.is_empty()
                            || !kept_params.is_empty()
                            || !shared_stores.is_empty()
                            || !shared_releases.is_empty()
                            || interp.summary_has_effects()
                    },
                )
            {
                let mut key = cx.path.clone();
                key.extend(cx.self_ty.clone());
                key.push(cx.sig.ident.to_string());
                let constructs = cx
                    .self_ty
                    .as_ref()
                    .and_then(|ty| Some((ty.clone(), constructed_part(cx.sig, ty)?)));
                let returns_ty = light_types::returned_type(cx.sig, cx.self_ty.as_deref());
                self.summaries.push(Summary::from_analysis(
                    key,
                    cx.sig,
                    constructs,
                    &interp.facts.channels,
                    Observed {
                        returns: &interp.returns,
                        waits: &interp.param_waits,
                        stores: &stores,
                        endless: &interp.endless_params,
                        releases: &releases,
                        leaks: &param_leaks,
                        self_feeds: &interp.self_feeds,
                        ends_with: &interp.ends_with,
                        keeps: &kept_params,
                        shared_stores: &shared_stores,
                        shared_waits: &shared_waits,
                        shared_releases: &shared_releases,
                    },
                ));
                if let Some(summary) = self.summaries.last_mut() {
                    summary.returns_ty = returns_ty;
                }
            }
        }
        if self.owns_constructed_self(&cx) {
            self.owner_view(block, imports, &cx);
        }
        let nested = nested_items(block);
        let inner_imports = imports.extended_with(nested.iter().copied());
        for item in nested {
            self.items(
                std::slice::from_ref(item),
                &inner_imports,
                &cx.path,
                depth + 1,
            );
        }
    }
}

impl FileCx<'_, '_> {
    /// A method of a type whose constructors in this file put channels in it: its `self` is
    /// also looked at as built, to see it drain a channel it holds a sender of itself.
    fn owns_constructed_self(&self, cx: &FnCx) -> bool {
        !cx.is_drop
            && matches!(cx.sig.inputs.first(), Some(syn::FnArg::Receiver(_)))
            && cx.self_ty.as_ref().is_some_and(|ty| {
                self.shared
                    .summaries
                    .constructors(ty)
                    .iter()
                    .any(|s| s.origin.is_none())
                    // A type with a method that takes its senders out (`close(&mut self)`)
                    // may be closed before it drains: its own view would guess.
                    && !self.shared.summaries.releases_self(ty)
            })
    }

    /// Runs the method again with `self` as built, and keeps only its waits on the channels
    /// that came with `self` (everything else the first run saw already).
    fn owner_view(&mut self, block: &Block, imports: &Imports, cx: &FnCx) {
        let mut scratch = FileFacts {
            channels: self.facts.channels.clone(),
            ..FileFacts::default()
        };
        let mut chans = self.chans.clone();
        let first_new = scratch.channels.len();
        let owned = {
            let mut interp = Interp::new(
                self.shared,
                &mut scratch,
                &mut chans,
                imports,
                cx,
                SelfView::Owning,
            );
            interp.bind_params(cx.sig, Loc::of(block.brace_token.span.open()));
            let owned = interp.channels_of_self();
            interp.block(block);
            owned
        };
        self.facts
            .channels
            .extend(scratch.channels.drain(first_new..));
        self.chans = chans;
        self.facts.waits.extend(
            scratch
                .waits
                .into_iter()
                .filter(|w| owned.contains(&w.chan)),
        );
        // What building `self` leaked (a sender its constructor put in a static), now that
        // the method waits on the channels that came with `self`.
        self.facts.leaks.extend(
            scratch
                .leaks
                .into_iter()
                .filter(|l| owned.contains(&l.chan)),
        );
    }
}

/// How `self` is seen in a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SelfView {
    /// As whatever the caller passes: placeholders, for the method's summary.
    Placeholder,
    /// In `Drop::drop`, as the constructors build it: its fields are all still alive.
    Dropping,
    /// As the constructors build it, owned by the method's own code (a receiver loop on
    /// `self.rx` while `self.tx` is alive is its own doing).
    Owning,
}

impl<'a> Interp<'a> {
    /// Whether the function does anything a caller must know beyond stores into parameters.
    fn summary_has_effects(&self) -> bool {
        !self.returns.is_empty()
            || !self.param_waits.is_empty()
            || !self.endless_params.is_empty()
            || !self.self_feeds.is_empty()
            || !self.ends_with.is_empty()
    }

    fn new(
        shared: &'a Shared<'a>,
        facts: &'a mut FileFacts,
        chans: &'a mut HashMap<(Loc, Loc), ChanId>,
        imports: &Imports,
        cx: &FnCx,
        self_view: SelfView,
    ) -> Interp<'a> {
        Interp {
            leak_state: leaks::LeakState::starting_at(facts.leaks.len()),
            next_bound: HashSet::new(),
            imports: imports.clone(),
            shared,
            facts,
            chans,
            env: Some(Env::default()),
            frames: vec![Frame::new(FrameKind::Function, Loc::default())],
            loops: Vec::new(),
            scopes: Vec::new(),
            recording: true,
            loop_depth: 0,
            at_loop_head: false,
            stmt_line: 0,
            depth: 0,
            steps: 0,
            gave_up: None,
            self_ty: cx.self_ty.clone(),
            fn_name: cx.sig.ident.to_string(),
            fn_has_self: cx.sig.receiver().is_some(),
            module: cx.path.clone(),
            self_view,
            returns: Val::default(),
            param_waits: Vec::new(),
            callee_holds: Vec::new(),
            self_feeds: Vec::new(),
            message_exit: false,
            awaited_now: Vec::new(),
            ends_with: Vec::new(),
            bridges: Vec::new(),
            handed_together: Vec::new(),
            sent_into: Vec::new(),
            param_vars: Vec::new(),
            endless_params: Vec::new(),
            released: HashSet::new(),
            moved_by_value: HashSet::new(),
        }
    }
}

/// What the analysis of one function needs to know about where it is.
struct FnCx<'s> {
    sig: &'s syn::Signature,
    path: Vec<String>,
    self_ty: Option<String>,
    is_drop: bool,
}

impl<'s> FnCx<'s> {
    fn new(
        sig: &'s syn::Signature,
        path: &[String],
        self_ty: Option<String>,
        is_drop: bool,
    ) -> FnCx<'s> {
        FnCx {
            sig,
            path: path.to_vec(),
            self_ty,
            is_drop,
        }
    }
}

/// The types the items implement methods for (inline modules included): their methods see
/// `self` as their constructors build it.
pub fn impl_types(items: &[Item]) -> HashSet<String> {
    let mut out = HashSet::new();
    for item in items {
        match item {
            Item::Impl(imp) => out.extend(type_name(&imp.self_ty)),
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    out.extend(impl_types(items));
                }
            }
            _ => {}
        }
    }
    out
}

/// The last segment of a type's path: `Connection` for `crate::lsp::Connection<T>`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Whether a function builds a value of its impl's type, and where in its result:
/// `-> Self` or `-> Result<Self>` (the whole result), `-> (Self, Sender<T>)` (one element).
fn constructed_part(sig: &syn::Signature, self_ty: &str) -> Option<Part> {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let names_self = |ty: &syn::Type| {
        struct FindSelf<'s>(&'s str, bool);
        impl<'ast> syn::visit::Visit<'ast> for FindSelf<'_> {
            fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
                self.1 |= ident == "Self" || ident == self.0;
            }
        }
        let mut find = FindSelf(self_ty, false);
        syn::visit::Visit::visit_type(&mut find, ty);
        find.1
    };
    match &**ty {
        syn::Type::Tuple(t) => t.elems.iter().position(names_self).map(Part::Element),
        other => names_self(other).then_some(Part::Whole),
    }
}

/// The summaries visible to one file, indexed by the function's name, and every function of
/// the file (those that matter to no caller included): a call to one of the file's own
/// functions is never taken for a function of the same name elsewhere.
struct Summaries<'a> {
    by_name: HashMap<&'a str, Vec<&'a Summary>>,
    local: &'a LocalFns,
    /// By the type they build, in the order of the summaries.
    constructors: HashMap<&'a str, Vec<&'a Summary>>,
    /// Construction sites in other files, by the type they build.
    built: HashMap<&'a str, Vec<&'a Summary>>,
    /// Types with a method that takes senders out of `self` or overwrites them.
    releasing: std::collections::HashSet<&'a str>,
    /// `macro_rules!` of the crate's other files, by name (`name!`).
    macros: HashMap<&'a str, Vec<&'a Summary>>,
}

/// A function of the file: its key (inline modules, impl type, name), and whether it is a
/// method.
pub(super) struct LocalFn {
    key: Vec<String>,
    has_self: bool,
    /// A method that takes `self` by value.
    takes_self: bool,
}

/// A file's own functions, found by name: a file has thousands, and every call looks.
#[derive(Default)]
pub(super) struct LocalFns {
    all: Vec<LocalFn>,
    by_name: HashMap<String, Vec<usize>>,
}

impl LocalFns {
    pub(super) fn extend(&mut self, fns: Vec<LocalFn>) {
        for f in fns {
            if let Some(name) = f.key.last() {
                self.by_name
                    .entry(name.clone())
                    .or_default()
                    .push(self.all.len());
            }
            self.all.push(f);
        }
    }

    fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a LocalFn> + 'a {
        let found = self.by_name.get(name).map_or(&[][..], Vec::as_slice);
        found.iter().map(|&i| &self.all[i])
    }
}

/// The functions of a file's items, in inline modules and impls too.
pub(super) fn local_functions(items: &[Item], path: &[String]) -> Vec<LocalFn> {
    let mut out = Vec::new();
    let key = |ty: Option<String>, sig: &syn::Signature| {
        let mut key = path.to_vec();
        key.extend(ty);
        key.push(sig.ident.to_string());
        LocalFn {
            key,
            has_self: sig.receiver().is_some(),
            takes_self: sig
                .receiver()
                .is_some_and(|r| matches!(r.kind, syn::ReceiverKind::Value)),
        }
    };
    for item in items {
        match item {
            Item::Fn(f) => out.push(key(None, &f.sig)),
            Item::Impl(imp) => {
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        out.push(key(type_name(&imp.self_ty), &f.sig));
                    }
                }
            }
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    let mut inner = path.to_vec();
                    inner.push(m.ident.to_string());
                    out.extend(local_functions(items, &inner));
                }
            }
            _ => {}
        }
    }
    out
}

impl<'a> Summaries<'a> {
    fn new(all: impl Iterator<Item = &'a Summary>, local: &'a LocalFns) -> Summaries<'a> {
        let mut by_name: HashMap<&str, Vec<&Summary>> = HashMap::new();
        let mut constructors: HashMap<&str, Vec<&Summary>> = HashMap::new();
        let mut built: HashMap<&str, Vec<&Summary>> = HashMap::new();
        let mut releasing = std::collections::HashSet::new();
        let mut macros: HashMap<&str, Vec<&Summary>> = HashMap::new();
        for s in all {
            if let Some(b) = &s.built {
                built.entry(b.ty.as_str()).or_default().push(s);
                continue;
            }
            if s.macro_rules.is_some() {
                macros.entry(s.name.as_str()).or_default().push(s);
                continue;
            }
            by_name.entry(s.name.as_str()).or_default().push(s);
            if let Some((ty, _)) = &s.constructs {
                if !s.returns.is_empty() {
                    constructors.entry(ty.as_str()).or_default().push(s);
                }
            }
            if s.has_self && s.releases.contains(&0) && s.key.len() >= 2 {
                releasing.insert(s.key[s.key.len() - 2].as_str());
            }
        }
        Summaries {
            by_name,
            local,
            constructors,
            built,
            releasing,
            macros,
        }
    }

    fn has_macros(&self) -> bool {
        !self.macros.is_empty()
    }

    /// The crate's other files' `macro_rules!` named `name!`.
    fn macros_named(&self, name: &str) -> &[&'a Summary] {
        self.macros.get(name).map_or(&[], Vec::as_slice)
    }

    /// Construction sites of the type in other files, from both ends of a channel.
    fn built_elsewhere(&self, ty: &str) -> &[&'a Summary] {
        self.built.get(ty).map_or(&[], Vec::as_slice)
    }

    /// Whether the file has a function that the path names.
    fn has_local_fn(&self, path: &[String]) -> bool {
        self.local_method_takes_self(path).is_some()
    }

    /// Whether the file's method that the path names takes `self` by value (`None`: no such
    /// function in the file).
    fn local_method_takes_self(&self, path: &[String]) -> Option<bool> {
        let name = path.last()?;
        self.local
            .named(name)
            .find(|f| super::summary::path_names(&f.key, path))
            .map(|f| f.takes_self)
    }

    fn has_local_method(&self, name: &str) -> bool {
        self.local.named(name).any(|f| f.has_self)
    }

    fn named(&self, name: &str) -> impl Iterator<Item = &'a Summary> + '_ {
        self.by_name.get(name).into_iter().flatten().copied()
    }

    /// The one function a written path names, called from `module`. A function of this file
    /// that the path names wins (the one in `module` first), even when it matters to nobody.
    fn function(&self, path: &[String], module: &[String]) -> Option<&'a Summary> {
        let local: Vec<&LocalFn> = self
            .local
            .named(path.last()?)
            .filter(|f| super::summary::path_names(&f.key, path))
            .collect();
        let own = match local.as_slice() {
            [] => None,
            [one] => Some(*one),
            many => {
                let mut here = module.to_vec();
                here.extend(path.iter().cloned());
                Some(*many.iter().find(|f| f.key == here)?)
            }
        };
        if let Some(own) = own {
            return self
                .named(path.last()?)
                .find(|s| s.origin.is_none() && s.key == own.key);
        }
        let foreign: Vec<&Summary> = self
            .named(path.last()?)
            .filter(|s| s.origin.is_some() && s.matches(path))
            .collect();
        (foreign.len() == 1).then(|| foreign[0])
    }

    /// The one method of that name: of this file if it has any, else of the crate.
    fn method(&self, name: &str) -> Option<&'a Summary> {
        let local: Vec<&LocalFn> = self.local.named(name).filter(|f| f.has_self).collect();
        match local.as_slice() {
            [] => {
                // A method of the checked code (another file's) is more likely what an
                // unresolved receiver runs than a library model's method of the same name.
                let foreign: Vec<&Summary> = self.named(name).filter(|s| s.has_self).collect();
                let checked: Vec<&Summary> = foreign.iter().copied().filter(|s| !s.model).collect();
                match (checked.as_slice(), foreign.as_slice()) {
                    ([one], _) | ([], [one]) => Some(*one),
                    _ => None,
                }
            }
            [one] => self
                .named(name)
                .find(|s| s.origin.is_none() && s.key == one.key),
            _ => None,
        }
    }

    /// Whether a method of the type takes senders out of `self` or overwrites them.
    fn releases_self(&self, ty: &str) -> bool {
        self.releasing.contains(ty)
    }

    /// The constructors of a type.
    fn constructors(&self, ty: &str) -> &[&'a Summary] {
        self.constructors.get(ty).map_or(&[], Vec::as_slice)
    }
}

/// What every function of a file shares: its text, the methods that consume `self`, and the
/// summaries of the functions it can call.
struct Shared<'a> {
    lines: &'a LineIndex<'a>,
    consuming: &'a HashSet<String>,
    /// The names of the file's statics.
    statics: &'a HashSet<String>,
    /// See `FileContext::plain_fields`.
    plain_fields: &'a HashSet<String>,
    /// See `FileContext::handle_fields`.
    handle_fields: &'a HashSet<String>,
    /// See `FileContext::borrowing`.
    borrowing: &'a HashSet<String>,
    /// See `FileContext::macro_rules`.
    macro_rules: &'a macro_rules::FileMacros,
    /// See `FileContext::yielding`.
    yielding: &'a HashMap<String, readers::Yielding>,
    summaries: Summaries<'a>,
    catalogue: &'a Catalogue,
}

/// Names of the file's methods by how they take `self`: by value (calling one consumes the
/// holder) into `by_value`, by reference (`&self`, `&mut self`) into `by_reference`.
pub(super) fn methods_by_receiver(
    items: &[Item],
    by_value: &mut HashSet<String>,
    by_reference: &mut HashSet<String>,
) {
    for item in items {
        match item {
            Item::Impl(imp) => {
                for it in &imp.items {
                    if let syn::ImplItem::Fn(f) = it {
                        if let Some(syn::FnArg::Receiver(r)) = f.sig.inputs.first() {
                            let name = f.sig.ident.to_string();
                            match r.kind {
                                syn::ReceiverKind::Value => by_value.insert(name),
                                syn::ReceiverKind::Reference(..) => by_reference.insert(name),
                                _ => false,
                            };
                        }
                    }
                }
            }
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    methods_by_receiver(items, by_value, by_reference);
                }
            }
            _ => {}
        }
    }
}

/// A holder named at or after the wait's statement is still used: `drop` there would not compile.
fn forbid_drop_of_later_uses(block: &Block, waits: &mut [Wait]) {
    for wait in waits.iter_mut() {
        if !wait.held.iter().any(|h| h.droppable) {
            continue;
        }
        let later = syntax::names_from_line(block, wait.stmt_line);
        for held in &mut wait.held {
            held.droppable &= !later.contains(&held.holder);
        }
    }
}

/// Items declared inside a function body, at any depth of blocks and closures.
fn nested_items(block: &Block) -> Vec<&Item> {
    struct Items<'ast>(Vec<&'ast Item>);
    impl<'ast> syn::visit::Visit<'ast> for Items<'ast> {
        fn visit_item(&mut self, item: &'ast Item) {
            self.0.push(item);
        }
    }
    let mut items = Items(Vec::new());
    syn::visit::Visit::visit_block(&mut items, block);
    items.0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Function,
    /// Runs on another task: it owns only what it captured by move and its own locals.
    Task,
    /// Runs later, when called or awaited (a closure or future kept in a value).
    Deferred,
    /// Runs right here, on this thread (a scope body, `block_on`).
    Inline,
}

struct Frame {
    kind: FrameKind,
    at: Loc,
    /// Channels this body waits for the end of.
    drains: Vec<Drain>,
    /// States at `return` out of this body.
    exits: Vec<Env>,
    /// Names some pattern of this body binds: a capture of one of them may be a shadow.
    bound: HashSet<String>,
    /// Error exits (`?`, `return Err`) evaluated so far in this body, each with how many
    /// messages of `sent` came before it.
    error_exits: Vec<(Loc, usize)>,
    /// The variants of the messages this body sent so far (`tx.send(Msg::Done)`).
    sent: Vec<String>,
}

impl Frame {
    fn new(kind: FrameKind, at: Loc) -> Frame {
        Frame {
            kind,
            at,
            drains: Vec::new(),
            exits: Vec::new(),
            bound: HashSet::new(),
            error_exits: Vec::new(),
            sent: Vec::new(),
        }
    }
}

struct LoopFrame {
    label: Option<String>,
    /// A labelled block: only `break 'label` targets it.
    is_block: bool,
    breaks: Vec<Env>,
    continues: Vec<Env>,
    vars_at_entry: usize,
}

struct Interp<'a> {
    imports: Imports,
    shared: &'a Shared<'a>,
    facts: &'a mut FileFacts,
    /// Channels by where they are made and, when made inside a called function, the call.
    chans: &'a mut HashMap<(Loc, Loc), ChanId>,
    /// `None`: this point is not reached.
    env: Option<Env>,
    frames: Vec<Frame>,
    loops: Vec<LoopFrame>,
    /// Tasks started on each enclosing `thread::scope`.
    scopes: Vec<Vec<Drain>>,
    /// Off while probing a loop body for what it moves.
    recording: bool,
    loop_depth: usize,
    /// Recording the wait of a loop's own header (`for v in rx`), not of its body.
    at_loop_head: bool,
    stmt_line: usize,
    depth: usize,
    steps: usize,
    gave_up: Option<String>,
    /// The type of the enclosing impl, for `Self::new()` and `Drop`.
    self_ty: Option<String>,
    /// Inside `Drop::drop`: `self`'s fields are dropped only after it returns.
    self_view: SelfView,
    /// The inline modules around the function, for calls to a function of the same module.
    module: Vec<String>,
    /// What the function returns, for its summary.
    returns: Val,
    /// Waits for the end of channels that came in through parameters, for its summary.
    param_waits: Vec<super::summary::ParamWait>,
    /// While a callee's wait is applied: the senders of the arguments it still holds then.
    callee_holds: Vec<(String, HeldSender)>,
    /// Tasks that drain a parameter's channel while holding a parameter's sender (see
    /// `self_feeds`), in this body's channel numbering.
    self_feeds: Vec<super::summary::SelfFeed>,
    /// Recording the wait of a drain loop that also ends on a message (see `message_exit`).
    message_exit: bool,
    /// Receives on a parameter's channel whose end makes the function return an error.
    ends_with: Vec<(ChanId, Loc)>,
    /// Tasks started so far that drain one channel while they hold a sender of another.
    bridges: Vec<Bridge>,
    /// Pairs of channels whose receiving ends one literal holds together (see `handoff`).
    handed_together: Vec<(ChanId, ChanId)>,
    /// Channels the body sends into, and where (see `handoff`).
    sent_into: Vec<(ChanId, Loc)>,
    /// The binding of each parameter bound to a single name: (parameter index, binding).
    param_vars: Vec<(usize, usize)>,
    /// The name of the function being analysed.
    fn_name: String,
    /// The function being analysed is a method.
    fn_has_self: bool,
    /// Senders of parameters held when the function enters a loop it never leaves.
    endless_params: Vec<(ChanId, Loc)>,
    /// Bindings a field of which was overwritten or taken out (`p.tx = ..`, `p.tx.take()`).
    released: HashSet<usize>,
    /// Bindings moved out by value (passed on, consumed), not only emptied by a callee.
    moved_by_value: HashSet<usize>,
    leak_state: leaks::LeakState,
    /// Names bound inside the next closure or async body to be analysed.
    next_bound: HashSet<String>,
    /// The method calls an enclosing `.await` runs now (its base, through combinators): a
    /// lazy stream consumer among them drains here (see `future_chains`).
    awaited_now: Vec<usize>,
}

fn span_loc(span: Span) -> Loc {
    Loc::of(span)
}

impl<'a> Interp<'a> {
    // ---- bindings ------------------------------------------------------------------------

    fn current_frame(&self) -> usize {
        self.frames.len() - 1
    }

    /// The innermost body that owns its bindings: waits there count only its own holders.
    fn owner_frame(&self) -> usize {
        self.frames
            .iter()
            .rposition(|f| f.kind != FrameKind::Inline)
            .unwrap_or(0)
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.env.as_ref()?.lookup(name)
    }

    fn var(&mut self, idx: usize) -> Option<&mut Var> {
        self.env.as_mut()?.vars.get_mut(idx)
    }

    fn declare(&mut self, name: String, val: Val, decl: Loc) {
        let frame = self.current_frame();
        let loop_depth = self.loop_depth;
        if let Some(env) = &mut self.env {
            env.vars.push(Var {
                name,
                val,
                moved: false,
                frame,
                captured: false,
                decl,
                let_underscore: None,
                loop_depth,
                ty: None,
                lent: false,
                guard_of: None,
            });
        }
    }

    fn var_count(&self) -> usize {
        self.env.as_ref().map_or(0, |e| e.vars.len())
    }

    fn truncate(&mut self, len: usize) {
        if let Some(env) = &mut self.env {
            env.vars.truncate(len);
        }
    }

    /// Moves the value out of a local: it no longer holds anything. A reference is copied
    /// instead: the callee can use what it refers to, not keep it.
    fn move_var(&mut self, idx: usize) -> Val {
        match self.var(idx) {
            Some(var) if !var.moved && var.lent => var.val.borrowed(),
            _ => self.take_var(idx),
        }
    }

    /// Takes everything out of a local, a reference's referent too: a method that consumes
    /// its receiver or one that cannot be read (it may empty what the reference points to).
    fn take_var(&mut self, idx: usize) -> Val {
        match self.var(idx) {
            Some(var) if !var.moved => {
                var.moved = true;
                let val = var.val.clone();
                self.moved_by_value.insert(idx);
                val
            }
            _ => Val::default(),
        }
    }

    /// A local whose value may have been moved by code the analysis cannot read.
    fn forget_names(&mut self, names: &HashSet<String>) {
        if let Some(env) = &mut self.env {
            for var in env.vars.iter_mut() {
                if names.contains(&var.name) && !var.val.senders.is_empty() {
                    var.moved = true;
                }
            }
        }
    }

    // ---- channels and waits --------------------------------------------------------------

    /// A channel made by `lib`'s constructor `constructor` (its resolved path).
    fn channel(&mut self, at: Loc, lib: &'static catalogue::Library, constructor: &str) -> ChanId {
        let name = constructor.rsplit("::").next().unwrap_or(constructor);
        self.channel_made(
            Channel {
                created: at,
                library: lib.name,
                kind: lib.kind,
                param: None,
                origin: None,
                in_loop: self.loop_depth > 0,
                bounded: lib.bounded_constructors.contains(&name),
            },
            (at, Loc::default()),
        )
    }

    /// The channel made at `key.0` by the call at `key.1` (default: not by a call).
    fn channel_made(&mut self, channel: Channel, key: (Loc, Loc)) -> ChanId {
        if let Some(&id) = self.chans.get(&key) {
            return id;
        }
        let id = self.facts.channels.len();
        self.facts.channels.push(channel);
        self.chans.insert(key, id);
        id
    }

    /// Channels other than `chan` that bindings of frame `owner` and deeper certainly hold
    /// senders of.
    fn senders_held_from(&self, owner: usize, chan: ChanId) -> Vec<ChanId> {
        let mut out: Vec<ChanId> = Vec::new();
        for var in self.env.iter().flat_map(|e| &e.vars) {
            if var.moved || var.frame < owner {
                continue;
            }
            for s in &var.val.senders {
                if s.chan != chan
                    && self.facts.channels[s.chan].param.is_none()
                    && !out.contains(&s.chan)
                {
                    out.push(s.chan);
                }
            }
        }
        out
    }

    /// Whether a value carries a sender of a real channel, not only a parameter's placeholder.
    pub(super) fn holds_real_sender(&self, val: &Val) -> bool {
        val.senders
            .iter()
            .any(|s| self.facts.channels[s.chan].param.is_none())
    }

    /// The parameters whose senders the function still certainly holds here (by the binding
    /// that holds them): index, where the binding got them, its name.
    fn params_held(&self) -> Vec<super::summary::HeldParam> {
        let Some(env) = &self.env else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for var in env.vars.iter().filter(|v| !v.moved && v.frame == 0) {
            for sender in &var.val.senders {
                if let Some((index, Role::Senders)) = self.facts.channels[sender.chan].param {
                    if !out
                        .iter()
                        .any(|h: &super::summary::HeldParam| h.index == index)
                    {
                        out.push(super::summary::HeldParam {
                            index,
                            at: sender.at,
                            binding: var.name.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    fn kind(&self, chan: ChanId) -> ChannelKind {
        self.facts.channels[chan].kind
    }

    fn record_wait(&mut self, chan: ChanId, at: Loc, form: WaitForm) {
        if !self.recording || self.env.is_none() {
            return;
        }
        let owner = self.owner_frame();
        if self.message_exit {
            self.record_self_held_only(chan, owner, at, form);
            return;
        }
        if owner > 0 {
            let drain = match &form {
                WaitForm::Join { drain, .. } | WaitForm::ScopeEnd { drain, .. } => *drain,
                _ => at,
            };
            let task = self.frames[owner].at;
            let keeps_open = self.senders_held_from(owner, chan);
            self.frames[owner].drains.push(Drain {
                chan,
                wait: drain,
                task,
                field: None,
                keeps_open,
            });
        }
        if self.facts.channels[chan].param.is_some() {
            if owner == 0 && !self.param_waits.iter().any(|(c, _, _)| *c == chan) {
                let holding = self.params_held();
                self.param_waits.push((chan, at, holding));
            }
            self.note_self_feeds(chan, owner, at);
            return;
        }
        let mut held = self.held_senders(chan, owner, &form, None);
        if held.is_empty() {
            // The caller gave the senders away to the function whose wait this is, which
            // still holds them while it waits.
            held = self
                .callee_holds
                .iter()
                .filter(|(_, h)| h.chan == chan)
                .map(|(callee, h)| Held {
                    holder: h.holder.clone(),
                    at: h.at,
                    how: h.how,
                    captured: false,
                    let_underscore: None,
                    droppable: false,
                    via: None,
                    in_callee: Some(callee.clone()),
                })
                .collect();
        }
        let parked = self.parked_senders(chan, owner);
        for bridge in self.bridges_into(chan) {
            held.extend(self.held_senders(bridge.from, owner, &form, Some(bridge)));
        }
        self.facts.waits.push(Wait {
            chan,
            at,
            form,
            stmt_line: self.stmt_line,
            indent: self.shared.lines.indentation(self.stmt_line).to_string(),
            held,
            parked,
            in_drop: self.self_view == SelfView::Dropping && owner == 0,
        });
    }

    /// The senders of `chan` that bindings of frame `owner` and deeper certainly hold.
    fn held_senders(
        &self,
        chan: ChanId,
        owner: usize,
        form: &WaitForm,
        via: Option<Bridge>,
    ) -> Vec<Held> {
        let oneshot = self.kind(chan) == ChannelKind::Oneshot;
        let Some(env) = self.env.as_ref() else {
            return Vec::new();
        };
        let mut held = Vec::new();
        for var in env
            .vars
            .iter()
            .filter(|v| !v.moved && v.frame >= owner && !keeps_alive_on_purpose(v))
        {
            let visible = env
                .lookup(&var.name)
                .is_some_and(|i| std::ptr::eq(&env.vars[i], var));
            // A capture named like a binding of the task body may be that binding's shadow.
            if var.captured && self.frames[var.frame].bound.contains(&var.name) {
                continue;
            }
            for sender in var.val.senders.iter().filter(|s| s.chan == chan) {
                // A reply sender parked in a shared map is meant to be taken out elsewhere.
                if oneshot && sender.how == Acquired::Stored {
                    continue;
                }
                let direct = matches!(
                    sender.how,
                    Acquired::Created | Acquired::Cloned | Acquired::Bound
                );
                let holder = sender.holder_name(&var.name);
                held.push(Held {
                    holder,
                    at: sender.at,
                    how: sender.how,
                    captured: var.captured,
                    let_underscore: var.let_underscore,
                    // `drop(holder);` before the wait's statement compiles only outside any
                    // loop the holder was declared before, and not before a scope that uses it.
                    droppable: direct
                        && sender.field.is_none()
                        && visible
                        && var.frame == self.current_frame()
                        && var.loop_depth == self.loop_depth - usize::from(self.at_loop_head)
                        && !matches!(form, WaitForm::ScopeEnd { .. }),
                    via: via.clone(),
                    in_callee: None,
                });
            }
        }
        held
    }

    /// Oneshot senders of `chan` stored in containers that bindings of frame `owner` and
    /// deeper hold.
    fn parked_senders(&self, chan: ChanId, owner: usize) -> Vec<Held> {
        if self.kind(chan) != ChannelKind::Oneshot {
            return Vec::new();
        }
        let Some(env) = self.env.as_ref() else {
            return Vec::new();
        };
        env.vars
            .iter()
            .filter(|v| !v.moved && v.frame >= owner)
            .flat_map(|var| {
                var.val
                    .senders
                    .iter()
                    .filter(|s| s.chan == chan && s.how == Acquired::Stored)
                    .map(|s| Held {
                        holder: var.name.clone(),
                        at: s.at,
                        how: s.how,
                        captured: var.captured,
                        let_underscore: None,
                        droppable: false,
                        via: None,
                        in_callee: None,
                    })
            })
            .collect()
    }

    /// Tasks that keep `chan` open until another channel ends, followed back along chains
    /// (A's end lets a task drop B's sender, B's end lets another drop C's...).
    fn bridges_into(&self, chan: ChanId) -> Vec<Bridge> {
        let mut out: Vec<Bridge> = Vec::new();
        let mut reached = vec![chan];
        let mut i = 0;
        while i < reached.len() {
            let to = reached[i];
            for bridge in self.bridges.iter().filter(|b| b.to == to) {
                if !reached.contains(&bridge.from) {
                    reached.push(bridge.from);
                    out.push(bridge.clone());
                }
            }
            i += 1;
        }
        out
    }

    fn wait_on_drains(&mut self, drains: &[Drain], at: Loc) {
        for d in drains {
            let form = WaitForm::Join {
                task: d.task,
                drain: d.wait,
            };
            self.record_wait(d.chan, at, form);
        }
    }

    /// The channels a value drains when iterated or consumed to the end, if it is a receiver
    /// seen through adapters that keep every item (`rx.iter().map(..)`).
    fn draining_chain(&mut self, expr: &Expr) -> Vec<ChanId> {
        let mut expr = strip(expr);
        while let Expr::MethodCall(mc) = expr {
            if !catalogue::DRAINING_ADAPTERS.contains(&mc.method.to_string().as_str()) {
                break;
            }
            expr = strip(&mc.receiver);
        }
        // Values are not told apart by field: `&pool.names` would carry `pool.rx` too, and so
        // would `pool.names.borrow()` and `pool.names.lock().unwrap()`.
        let expr = syntax::without_guard_access(expr);
        if let Expr::Field(syn::ExprField {
            member: syn::Member::Named(field),
            ..
        }) = expr
        {
            if self.shared.plain_fields.contains(&field.to_string()) {
                return Vec::new();
            }
        }
        self.iterated_channels(self.peek(expr))
    }

    /// What the binding `name` carries, if it is not moved.
    fn peek_name(&self, name: &str) -> Val {
        self.lookup(name)
            .and_then(|i| self.env.as_ref().map(|e| &e.vars[i]))
            .filter(|v| !v.moved)
            .map(|v| v.val.clone())
            .unwrap_or_default()
    }

    /// What a place or simple expression carries, without evaluating it.
    fn peek(&self, expr: &Expr) -> Val {
        if let Some(read) = self.peek_read(expr) {
            return read;
        }
        match strip(expr) {
            Expr::Path(_) => ident_of(expr)
                .map(|n| self.peek_name(&n).flattened())
                .unwrap_or_default(),
            Expr::Field(f) => {
                // A sender stored under another field of the value is not in this one.
                let mut val = self.peek(&f.base);
                if let syn::Member::Named(name) = &f.member {
                    val.senders
                        .retain(|s| s.field.as_ref().is_none_or(|field| name == field));
                    val.receivers = val.receivers_under(&name.to_string());
                    val.drains
                        .retain(|d| d.field.as_ref().is_none_or(|field| name == field));
                }
                // The tags name the fields of the base, not of this field's value.
                val.receiver_fields.clear();
                val
            }
            Expr::MethodCall(mc) if catalogue::passes_through(&mc.method.to_string()) => {
                self.peek(&mc.receiver)
            }
            Expr::Call(c) if c.args.len() == 1 => match &*c.func {
                Expr::Path(p) if is_receiver_wrapper(&p.path) => self.peek(&c.args[0]),
                _ => Val::default(),
            },
            _ => Val::default(),
        }
    }

    // ---- statements and blocks -----------------------------------------------------------

    fn block(&mut self, block: &Block) -> Val {
        let saved_imports = has_use(block).then(|| {
            let items = block.stmts.iter().filter_map(|s| match s {
                Stmt::Item(i) => Some(i),
                _ => None,
            });
            let inner = self.imports.extended_with(items);
            std::mem::replace(&mut self.imports, inner)
        });
        let len = self.var_count();
        let mut val = Val::default();
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == block.stmts.len();
            val = self.stmt(stmt, last);
        }
        self.truncate(len);
        if let Some(imports) = saved_imports {
            self.imports = imports;
        }
        val
    }

    fn stmt(&mut self, stmt: &Stmt, last: bool) -> Val {
        if self.env.is_none() {
            return Val::default();
        }
        let saved_line = self.stmt_line;
        self.stmt_line = syntax::stmt_line(stmt);
        let val = match stmt {
            Stmt::Local(local) => {
                self.local(local);
                Val::default()
            }
            Stmt::Item(item) => {
                // Nested items are analysed on their own (see `nested_items`).
                let _ = item;
                Val::default()
            }
            Stmt::Expr(expr, semi) => {
                let val = self.expr(expr);
                if semi.is_none() && last {
                    val
                } else {
                    self.detach(&val);
                    Val::default()
                }
            }
            Stmt::Macro(m) => {
                self.mac(&m.mac);
                Val::default()
            }
        };
        self.stmt_line = saved_line;
        val
    }

    fn local(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else {
            self.bind(&local.pat, Val::default(), None);
            return;
        };
        // `let _ = tx;` binds nothing and moves nothing.
        if matches!(local.pat, Pat::Wild(_)) {
            if let Some(name) = ident_of(&init.expr) {
                if let Some(idx) = self.lookup(&name) {
                    let at = span_loc(local.let_token.span).to(span_loc(local.semi_token.span));
                    if let Some(var) = self.var(idx) {
                        var.let_underscore = Some(at);
                    }
                    return;
                }
            }
        }
        let rebind = rebinding(&init.expr);
        let val = match self.converted_by_from(&local.pat, &init.expr) {
            Some(val) => val,
            None => self.expr(&init.expr),
        };
        if let Some((_, diverge)) = &init.diverge {
            let before = self.env.clone();
            self.expr(diverge);
            self.env = before;
        }
        let ty = match &local.pat {
            Pat::Type(t) => light_types::named_type(&t.ty),
            Pat::Ident(_) => self.built_type(&init.expr),
            _ => None,
        };
        let guarded = self.guarded_binding(&init.expr);
        self.bind(&local.pat, val, rebind);
        if matches!(&local.pat, Pat::Ident(_) | Pat::Type(_)) {
            self.type_last_binding(ty);
            if let (Some(root), Some(env)) = (guarded, self.env.as_mut()) {
                if let Some(var) = env.vars.last_mut() {
                    var.guard_of = Some(root);
                }
            }
        }
    }

    /// Binds a pattern to a value. `rebind`: the bindings become the sender's new holder.
    fn bind(&mut self, pat: &Pat, val: Val, rebind: Option<Acquired>) {
        match pat {
            Pat::Ident(p) => {
                if let Some((_, sub)) = &p.subpat {
                    self.bind(sub, Val::default(), None);
                }
                let at = span_loc(p.ident.span());
                let val = if p.by_ref.is_some() {
                    val.borrowed()
                } else if let Some(how) = rebind {
                    val.held_at(at, how, None)
                } else {
                    val.flattened()
                };
                self.declare(p.ident.to_string(), val, at);
            }
            Pat::Type(p) => self.bind(&p.pat, val, rebind),
            Pat::Guard(g) => self.bind(&g.pat, val, rebind),
            Pat::Paren(p) => self.bind(&p.pat, val, rebind),
            Pat::Reference(p) => self.bind(&p.pat, val.borrowed(), None),
            Pat::Tuple(t) => {
                let parts = val
                    .parts
                    .filter(|p| p.len() == t.elems.len() && !has_rest(t));
                for (i, elem) in t.elems.iter().enumerate() {
                    let part = parts.as_ref().map(|p| p[i].clone()).unwrap_or_default();
                    // Straight out of the constructor, the binding is where the sender is made.
                    let fresh = !part.senders.is_empty()
                        && part.senders.iter().all(|s| s.how == Acquired::Created);
                    let how = rebind.or(Some(if fresh {
                        Acquired::Created
                    } else {
                        Acquired::Bound
                    }));
                    self.bind(elem, part, how);
                }
            }
            Pat::TupleStruct(t) => {
                let single = t.elems.len() == 1;
                for elem in &t.elems {
                    let part = if single { val.clone() } else { Val::default() };
                    self.bind(elem, part, rebind);
                }
            }
            Pat::Struct(s) => {
                let flat = val.flattened();
                for field in &s.fields {
                    let name = member_name(&field.member);
                    let part = Val {
                        senders: flat
                            .senders
                            .iter()
                            .filter(|s| s.field.as_deref() == Some(name.as_str()))
                            .cloned()
                            .collect(),
                        ..Val::default()
                    };
                    self.bind(&field.pat, part, rebind);
                }
            }
            Pat::Or(o) => {
                if let Some(first) = o.cases.first() {
                    self.bind(first, val, rebind);
                }
            }
            Pat::Slice(s) => {
                for elem in &s.elems {
                    self.bind(elem, Val::default(), None);
                }
            }
            _ => {}
        }
    }

    // ---- expressions ---------------------------------------------------------------------

    fn expr(&mut self, expr: &Expr) -> Val {
        if self.env.is_none() || self.gave_up.is_some() {
            return Val::default();
        }
        self.steps += 1;
        if self.steps > BUDGET {
            self.give_up(format!("analysis budget of {BUDGET} steps exceeded"));
            return Val::default();
        }
        if self.depth > MAX_DEPTH {
            self.give_up(format!("expressions nested deeper than {MAX_DEPTH} levels"));
            return Val::default();
        }
        self.depth += 1;
        let val = self.expr_inner(expr);
        self.depth -= 1;
        val
    }

    fn give_up(&mut self, reason: String) {
        self.gave_up = Some(reason);
        self.env = None;
    }

    fn expr_inner(&mut self, expr: &Expr) -> Val {
        match expr {
            Expr::Path(p) => match p.path.get_ident().and_then(|i| self.lookup(&i.to_string())) {
                Some(idx) => self.move_var(idx),
                None => Val::default(),
            },
            Expr::Reference(r) => self.expr_borrowed(&r.expr),
            Expr::Paren(e) => self.expr(&e.expr),
            Expr::Group(e) => self.expr(&e.expr),
            Expr::Block(b) => {
                if let Some(label) = &b.label {
                    // A labelled block is a `break` target.
                    self.loops.push(LoopFrame {
                        label: Some(label.name.ident.to_string()),
                        is_block: true,
                        breaks: Vec::new(),
                        continues: Vec::new(),
                        vars_at_entry: self.var_count(),
                    });
                    let val = self.block(&b.block);
                    let frame = self.loops.pop().expect("pushed above");
                    self.env = frame
                        .breaks
                        .into_iter()
                        .fold(self.env.take(), |a, b| join(a, Some(b)));
                    return val;
                }
                self.block(&b.block)
            }
            Expr::Unsafe(u) => self.block(&u.block),
            Expr::Const(c) => self.block(&c.block),
            Expr::Call(c) => self.call(c),
            Expr::MethodCall(mc) => self.method_call(mc),
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Closure(c) => self.closure(c, FrameKind::Deferred),
            Expr::Async(a) => self.async_block(a, FrameKind::Deferred),
            Expr::Await(a) => self.await_expr(a),
            Expr::Try(t) => {
                let val = self.expr(&t.expr);
                self.note_error_exit(span_loc(t.question_token.span), Some(&t.expr));
                val
            }
            Expr::Field(f) => self.field(f),
            Expr::Struct(s) => {
                let mut val = Val::default();
                for field in &s.fields {
                    let name = member_name(&field.member);
                    let v = self.expr(&field.expr);
                    let at = syntax::expr_loc(&field.expr);
                    val.absorb(v.held_at(at, Acquired::Stored, Some(&name)));
                }
                if let Some(rest) = &s.rest {
                    self.expr_borrowed(rest);
                }
                self.note_field_stores(&s.path, &val);
                self.note_yielding(&s.path, &mut val);
                self.note_handed_together(&val);
                val
            }
            Expr::Tuple(t) => {
                let parts = t.elems.iter().map(|e| self.stored(e)).collect();
                let val = Val::tuple(parts);
                self.note_handed_together(&val);
                val
            }
            Expr::Array(a) => {
                let mut val = Val::default();
                for e in &a.elems {
                    let v = self.stored(e);
                    val.absorb(v);
                }
                val
            }
            Expr::Repeat(r) => {
                self.expr(&r.len);
                self.stored(&r.expr)
            }
            Expr::Assign(a) => {
                self.assign(&a.left, &a.right);
                Val::default()
            }
            Expr::Binary(b) => {
                self.expr_borrowed(&b.left);
                self.expr_borrowed(&b.right);
                Val::default()
            }
            Expr::Unary(u) => {
                self.expr_borrowed(&u.expr);
                Val::default()
            }
            Expr::Cast(c) => self.expr(&c.expr),
            Expr::Index(i) => {
                self.expr(&i.index);
                self.expr_borrowed(&i.expr)
            }
            Expr::Range(r) => {
                if let Some(s) = &r.start {
                    self.expr(s);
                }
                if let Some(e) = &r.end {
                    self.expr(e);
                }
                Val::default()
            }
            Expr::Let(l) => {
                // Outside `if`/`while` conditions (handled there): evaluate, bind nothing.
                self.expr(&l.expr);
                Val::default()
            }
            Expr::If(i) => self.if_expr(i),
            Expr::Match(m) => self.match_expr(m),
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => self.while_loop(w),
            Expr::Loop(l) => self.loop_expr(l),
            Expr::Break(b) => {
                if let Some(e) = &b.expr {
                    self.expr(e);
                }
                let label = b.label.as_ref().map(|l| l.ident.to_string());
                self.exit_loop(label, false);
                Val::default()
            }
            Expr::Continue(c) => {
                let label = c.label.as_ref().map(|l| l.ident.to_string());
                self.exit_loop(label, true);
                Val::default()
            }
            Expr::Return(r) => {
                if let Some(Expr::Call(c)) = r.expr.as_deref() {
                    if matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Err")) {
                        self.note_error_exit(span_loc(r.return_token.span), None);
                    }
                }
                if let Some(e) = &r.expr {
                    let val = self.expr(e);
                    if self.current_frame() == 0 {
                        add_return(&mut self.returns, val);
                    }
                }
                self.exit_fn();
                Val::default()
            }
            _ => Val::default(),
        }
    }

    /// A value moved into a container: the container holds it from here.
    fn stored(&mut self, expr: &Expr) -> Val {
        let at = syntax::expr_loc(expr);
        self.expr(expr).held_at(at, Acquired::Stored, None)
    }

    /// An expression whose place is only borrowed (`&tx`, an operand, a method receiver).
    fn expr_borrowed(&mut self, expr: &Expr) -> Val {
        match strip(expr) {
            e @ (Expr::Path(_) | Expr::Field(_)) => self.peek(e).borrowed(),
            Expr::Index(i) => {
                self.expr(&i.index);
                self.expr_borrowed(&i.expr)
            }
            Expr::MethodCall(_)
            | Expr::Call(_)
            | Expr::Macro(_)
            | Expr::Block(_)
            | Expr::Await(_) => {
                let val = self.expr(strip(expr));
                val.borrowed()
            }
            other => {
                let val = self.expr(other);
                val.borrowed()
            }
        }
    }

    fn field(&mut self, f: &syn::ExprField) -> Val {
        // Moving `holder.tx` out moves the senders stored under that field.
        let Some(root) = ident_of(&f.base) else {
            self.expr_borrowed(&f.base);
            return Val::default();
        };
        let Some(idx) = self.lookup(&root) else {
            return Val::default();
        };
        let name = member_name(&f.member);
        let Some(var) = self.var(idx) else {
            return Val::default();
        };
        if var.moved {
            return Val::default();
        }
        let (taken, kept): (Vec<SenderRef>, Vec<SenderRef>) = var
            .val
            .senders
            .drain(..)
            .partition(|s| s.field.as_deref() == Some(name.as_str()));
        var.val.senders = kept;
        // What was read is the field's value itself: it holds its senders under no field of
        // its own (`let sender = Arc::new(Some(connection.sender))` holds it as `sender`).
        let taken = taken
            .into_iter()
            .map(|s| SenderRef { field: None, ..s })
            .collect();
        let receivers = var.val.receivers_under(&name);
        // A task handle stored under another field is not read by this one.
        let drains = var
            .val
            .drains
            .iter()
            .filter(|d| d.field.as_deref().is_none_or(|f| f == name))
            .cloned()
            .collect();
        Val {
            senders: taken,
            receivers,
            drains,
            // A field shares the state its holder shares (`self.logger` of a set-up value
            // built from the caller's logger).
            kept: var.val.kept.clone(),
            shares_params: var.val.shares_params.clone(),
            ..Val::default()
        }
    }

    fn assign(&mut self, left: &Expr, right: &Expr) {
        let val = self.expr(right);
        if self.static_store_assign(left, &val, syntax::expr_loc(right))
            || self.store_through_guard(left, &val, syntax::expr_loc(right))
        {
            return;
        }
        match strip(left) {
            Expr::Path(_) => {
                if let Some(idx) = ident_of(left).and_then(|n| self.lookup(&n)) {
                    // The old value is dropped; the binding holds the new one.
                    let at = syntax::expr_loc(right);
                    if let Some(var) = self.var(idx) {
                        var.val = val.held_at(at, Acquired::Stored, None);
                        var.moved = false;
                    }
                }
            }
            Expr::Field(f) => {
                let name = member_name(&f.member);
                if let Some(idx) = place_root(&f.base).and_then(|n| self.lookup(&n)) {
                    self.released.insert(idx);
                    let at = syntax::expr_loc(right);
                    if let Some(var) = self.var(idx) {
                        var.val
                            .senders
                            .retain(|s| s.field.as_deref() != Some(name.as_str()));
                        if ident_of(&f.base).is_some() {
                            var.val
                                .absorb(val.held_at(at, Acquired::Stored, Some(&name)));
                        }
                    }
                }
            }
            Expr::Infer(_) => {}
            other => {
                self.expr_borrowed(other);
            }
        }
    }

    fn exit_loop(&mut self, label: Option<String>, is_continue: bool) {
        let Some(env) = self.env.take() else { return };
        let target = match &label {
            Some(l) => self
                .loops
                .iter_mut()
                .rev()
                .find(|f| f.label.as_deref() == Some(l)),
            None => self.loops.iter_mut().rev().find(|f| !f.is_block),
        };
        if let Some(frame) = target {
            let mut env = env;
            env.vars.truncate(frame.vars_at_entry);
            if is_continue {
                frame.continues.push(env);
            } else {
                frame.breaks.push(env);
            }
        }
    }

    fn exit_fn(&mut self) {
        if let Some(env) = self.env.take() {
            let frame = self.current_frame();
            if frame > 0 {
                self.frames[frame].exits.push(env);
            }
        }
    }
}

/// A function's result is whatever any of its exits returns; a single tuple keeps its parts.
fn add_return(returns: &mut Val, val: Val) {
    if returns.is_empty() {
        *returns = val;
    } else if !val.is_empty() {
        returns.absorb(val);
    }
}

/// `let (_tx, rx) = channel();`: a sender bound to an underscore name at creation is kept
/// alive deliberately, to keep the channel open.
fn keeps_alive_on_purpose(var: &Var) -> bool {
    var.name.starts_with('_') && var.val.senders.iter().all(|s| s.how == Acquired::Created)
}

/// How a `let` initializer hands its senders to the new binding.
fn rebinding(init: &Expr) -> Option<Acquired> {
    match strip(init) {
        Expr::Path(_) => Some(Acquired::Bound),
        Expr::MethodCall(mc) if mc.method == "clone" && mc.args.is_empty() => {
            Some(Acquired::Cloned)
        }
        Expr::Call(c) if is_clone_call(c) => Some(Acquired::Cloned),
        _ => None,
    }
}

fn is_clone_call(c: &syn::ExprCall) -> bool {
    matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "clone"))
        && c.args.len() == 1
}

fn has_rest(t: &syn::PatTuple) -> bool {
    t.elems.iter().any(|p| matches!(p, Pat::Rest(_)))
}

fn has_use(block: &Block) -> bool {
    block
        .stmts
        .iter()
        .any(|s| matches!(s, Stmt::Item(Item::Use(_))))
}

fn is_receiver_wrapper(path: &syn::Path) -> bool {
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segs.len() >= 2
        && catalogue::RECEIVER_WRAPPERS.iter().any(|w| {
            w.split("::")
                .eq(segs[segs.len() - 2..].iter().map(String::as_str))
        })
}

fn member_name(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(i) => i.to_string(),
        syn::Member::Unnamed(i) => i.index.to_string(),
    }
}

/// The place behind lock guards and unwraps: `map` for `map.lock().unwrap()`.
fn through_guards(mut expr: &Expr) -> &Expr {
    loop {
        expr = strip(expr);
        match expr {
            Expr::MethodCall(mc) if catalogue::passes_through(&mc.method.to_string()) => {
                expr = &mc.receiver;
            }
            _ => return expr,
        }
    }
}

mod across;
mod built_elsewhere;
mod calls;
mod closes;
mod context;
mod detached;
mod done;
mod end_tests;
mod endless;
mod flow;
mod future_chains;
mod guards;
mod handoff;
mod into_from;
mod item_closures;
mod kept;
mod leaks;
mod light_types;
mod macro_rules;
mod macros;
mod messages;
mod readers;
mod select;
mod self_feeds;
mod split_drain;
mod summaries;
