//! The rounds after the first pass over every file: which files to read again, and with
//! which summaries of the other files of their crate.
//!
//! 1. A file the byte scan skipped (it names no channel constructor) is pulled in when it
//!    defines a function that a file of its crate calls with a channel and could not follow:
//!    an actor's `new` and `run` often sit in such a file.
//! 2. (`cross_file_rechecks` in lib.rs) a file that calls into other files of its crate is
//!    checked again with their summaries.
//! 3. A file that declares a type which another file builds from both ends of one channel
//!    is checked again knowing that construction, so the type's methods see `self` as built.
//!
//! Every round depends only on what the first pass learnt from files the byte scan lets
//! through, so the output is the same with and without the scan.

use std::collections::HashMap;

use crate::facts::summary::Summary;
use crate::model::crates::Placement;
use crate::walk::SourceFile;
use crate::FileInfo;

mod rechecks;
mod resummaries;
pub(crate) mod shared;
pub(crate) mod view;

pub(crate) use rechecks::{cross_file_rechecks, read_methods, Updated};
pub(crate) use resummaries::{resummaries, Called, Changed};

use view::{SummaryIndex, View};

/// A file to check again: its index, what its crate sees (its crate's summaries and its
/// libraries'), and summaries for it alone.
pub(crate) type Recheck = (usize, View, Vec<Summary>);

/// Where every file sits: its crate and module, and each binary's own library.
pub(crate) struct Placed {
    pub files: Vec<Placement>,
    /// By crate: the library crates it sees (a binary its package's library, any crate its
    /// path dependencies') and the names it uses them by.
    pub libraries: HashMap<usize, Vec<(usize, String)>>,
    /// By library crate: the `pub use` re-exports of its root file.
    pub reexports: HashMap<usize, Vec<crate::model::reexports::Reexport>>,
    /// Library crates of registry dependencies, whose files are parsed only when a checked
    /// file calls one of their functions (with or without a channel: the wrapper library's
    /// `pipe()` makes one).
    pub on_demand: std::collections::HashSet<usize>,
    /// `mod` declarations that name no file: the file, the declaration.
    pub unresolved_mods: Vec<(usize, crate::model::crates::ModDecl)>,
}

impl Placed {
    /// `registry`: by package folder, the registry dependencies whose sources were read.
    pub(crate) fn of(
        files: &[SourceFile],
        infos: &[FileInfo],
        registry: &HashMap<std::path::PathBuf, Vec<(String, std::path::PathBuf)>>,
    ) -> Placed {
        let paths: Vec<std::path::PathBuf> = files.iter().map(|f| f.path.clone()).collect();
        let mods: Vec<Vec<crate::model::crates::ModDecl>> =
            infos.iter().map(|i| i.mods.clone()).collect();
        let crate::model::crates::Placing {
            files: placed,
            roots,
            unresolved: unresolved_mods,
        } = crate::model::crates::place_all(&paths, &mods);
        let mut libraries =
            crate::model::crates::dependency_libraries(&paths, &placed, &roots, registry);
        for (bin, lib) in crate::model::crates::own_libraries(&paths, &placed, &roots) {
            libraries.entry(bin).or_default().push(lib);
        }
        // Only a library root's re-exports rename what other crates see.
        let mut reexports = HashMap::new();
        let used: std::collections::HashSet<usize> =
            libraries.values().flatten().map(|(lib, _)| *lib).collect();
        for krate in used {
            let Ok(bytes) = std::fs::read(&files[roots[krate]].path) else {
                continue;
            };
            if memchr::memmem::find(&bytes, b"pub use ").is_some() {
                let found = crate::model::reexports::reexports(&String::from_utf8_lossy(&bytes));
                if !found.is_empty() {
                    reexports.insert(krate, found);
                }
            }
        }
        Placed {
            files: placed,
            libraries,
            reexports,
            on_demand: Default::default(),
            unresolved_mods,
        }
    }
}

/// The crates whose methods' receiver kinds can matter: each crate a parsed file of which
/// calls a method with a channel and could not follow it, and the libraries it uses. Only
/// their files' methods are read (`model::receivers`): reading every file's would cost a
/// pass over the text of the whole tree.
pub(crate) fn crates_calling_methods(
    placement: &Placed,
    infos: &[FileInfo],
) -> std::collections::HashSet<usize> {
    let mut out = std::collections::HashSet::new();
    for (i, info) in infos.iter().enumerate().filter(|(_, i)| i.parsed) {
        let calls_method = info
            .open_calls
            .iter()
            .any(|(call, &carried)| carried && call.starts_with('.'));
        if !calls_method {
            continue;
        }
        let krate = placement.files[i].krate;
        out.insert(krate);
        if let Some(libs) = placement.libraries.get(&krate) {
            out.extend(libs.iter().map(|(lib, _)| *lib));
        }
    }
    out
}

/// Files not parsed in the first pass that define (`fn NAME`) a function which a parsed file
/// of the same crate called with a channel and could not follow.
pub(crate) fn pull_ins(
    files: &[SourceFile],
    placement: &Placed,
    infos: &[FileInfo],
    index: &SummaryIndex,
    catalogue: &crate::catalogue::Catalogue,
) -> Vec<Recheck> {
    let placed = &placement.files;
    let mut wanted: HashMap<usize, Vec<Wanted>> = HashMap::new();
    for (i, info) in infos
        .iter()
        .enumerate()
        .filter(|(_, i)| i.parsed && !i.pulled)
    {
        let seen = placement.libraries.get(&placed[i].krate);
        for (call, &carried) in &info.open_calls {
            // A registry dependency's function is read whenever it is called: only its
            // source can say whether it makes a channel.
            let on_demand = || {
                seen.is_some_and(|libs| {
                    libs.iter().any(|(lib, name)| {
                        placement.on_demand.contains(lib) && call.split("::").next() == Some(name)
                    })
                })
            };
            if !carried && !on_demand() {
                continue;
            }
            let libs: Vec<&str> = seen
                .map(|libs| libs.iter().map(|(_, name)| name.as_str()).collect())
                .unwrap_or_default();
            if let Some(want) = Wanted::of(call, &libs) {
                let want = Wanted {
                    makes_only: !carried,
                    ..want
                };
                wanted.entry(placed[i].krate).or_default().push(want);
            }
        }
    }
    let methods = method_pull_ins(placement, infos);
    if wanted.is_empty() && methods.is_empty() {
        return Vec::new();
    }
    // A binary's calls may be to its library's functions.
    for (bin, libs) in &placement.libraries {
        if let Some(names) = wanted.get(bin).cloned() {
            for (lib, _) in libs {
                wanted
                    .entry(*lib)
                    .or_default()
                    .extend(names.iter().cloned());
            }
        }
    }
    let mut out = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        if info.parsed {
            continue;
        }
        let names = wanted.get(&placed[i].krate);
        let method = methods.contains(&i);
        if names.is_none() && !method {
            continue;
        }
        let Ok(bytes) = std::fs::read(&files[i].path) else {
            continue;
        };
        if method
            || names.into_iter().flatten().any(|n| {
                n.is_defined_in(&placed[i].module, &bytes)
                    && (!n.makes_only || crate::gate::may_create_channel(&bytes, catalogue))
            })
        {
            // Read for its own summaries, even when its crate has none yet to give it.
            out.push((i, index.view(placement, placed[i].krate, true), Vec::new()));
        }
    }
    out
}

/// How many files of the crates a caller sees may define a method of the name it calls with a
/// channel for those files to be pulled in: a name few files define (`attach_events`) says
/// which impl the call runs; one that many define (`run`, `poll`) would cost a parse of the
/// crate for a guess.
const MAX_METHOD_DEFINERS: usize = 2;

/// Files not parsed in the first pass that define a method which a parsed file calls with a
/// channel and could not follow (`registry.attach_events(events.clone())`, the method in a
/// sibling crate), in the caller's crate or the libraries it uses, when few files define a
/// method of that name (a method call names no type, so a common name says nothing).
fn method_pull_ins(placement: &Placed, infos: &[FileInfo]) -> std::collections::HashSet<usize> {
    let placed = &placement.files;
    let mut called: HashMap<usize, std::collections::HashSet<&str>> = HashMap::new();
    for (i, info) in infos
        .iter()
        .enumerate()
        .filter(|(_, i)| i.parsed && !i.pulled)
    {
        let names = info
            .open_calls
            .iter()
            .filter(|(call, &carried)| carried && call.starts_with('.'))
            .map(|(call, _)| &call[1..]);
        called.entry(placed[i].krate).or_default().extend(names);
    }
    if called.values().all(|c| c.is_empty()) {
        return Default::default();
    }
    // By crate and method name: the files that define it.
    let mut definers: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        for m in &info.methods {
            let files = definers.entry((placed[i].krate, &*m.name)).or_default();
            if files.last() != Some(&i) {
                files.push(i);
            }
        }
    }
    let mut out = std::collections::HashSet::new();
    for (krate, names) in &called {
        // Its own crate and the libraries it uses. Within a crate, a type built from a
        // channel is pulled in by the call that builds it (`Worker::new(rx)`), but one built
        // empty (`Bus::new()`) is given its senders by a method (`bus.subscribe(handler)`).
        let libs = placement
            .libraries
            .get(krate)
            .map_or(&[][..], Vec::as_slice);
        let seen: Vec<usize> = std::iter::once(*krate)
            .chain(libs.iter().map(|(lib, _)| *lib))
            .collect();
        for name in names {
            let files: Vec<usize> = seen
                .iter()
                .filter_map(|k| definers.get(&(*k, *name)))
                .flatten()
                .copied()
                .collect();
            if files.len() <= MAX_METHOD_DEFINERS {
                out.extend(files.into_iter().filter(|f| !infos[*f].parsed));
            }
        }
    }
    out
}

/// Types and traits of the standard library that code names without a path (the prelude, and
/// the formatting traits): `Box::pin(fut)` or `Display::fmt(..)` is no function of the crate.
const STD_NAMES: &[&str] = &[
    "Box",
    "Vec",
    "String",
    "Option",
    "Result",
    "Some",
    "Ok",
    "Err",
    "Ord",
    "PartialOrd",
    "Eq",
    "PartialEq",
    "Clone",
    "Copy",
    "Default",
    "Iterator",
    "IntoIterator",
    "DoubleEndedIterator",
    "ExactSizeIterator",
    "Extend",
    "From",
    "Into",
    "TryFrom",
    "TryInto",
    "AsRef",
    "AsMut",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "ToString",
    "ToOwned",
    "Hash",
    "Display",
    "Debug",
    "LowerHex",
    "UpperHex",
    "LowerExp",
    "UpperExp",
    "Octal",
    "Binary",
    "Pointer",
    "Write",
    "Read",
    "Future",
    "Send",
    "Sync",
    "Sized",
    "Unpin",
];

/// A function another file called and could not follow: its name, the type it was called on
/// when the call names one (`Worker::new`), and the module when the call's path names it
/// (`crate::pool::spawn_worker`).
#[derive(Clone)]
struct Wanted {
    name: String,
    ty: Option<String>,
    module: Option<Vec<String>>,
    /// Called with no channel (a registry dependency's function, read on demand): only a
    /// file that names a channel constructor can define one that makes a channel.
    makes_only: bool,
}

impl Wanted {
    /// `libs`: the names the libraries the caller sees are used by (its package's own, its
    /// path dependencies).
    fn of(call: &str, libs: &[&str]) -> Option<Wanted> {
        // A method call names no type: nearly every file of a big crate defines some `fn run`
        // or `fn poll`, so reading them all would cost a parse of the crate (and the types
        // whose methods matter are pulled in by the call that builds them, `Worker::new`).
        // A bare name (`spawn(..)`, brought in by a glob `use`) could be any file's. A macro
        // (`name!`) is no function: every file's macros are known from the first pass.
        if call.starts_with('.') || !call.contains("::") || call.ends_with('!') {
            return None;
        }
        let segments: Vec<&str> = call.split("::").collect();
        let (name, path) = segments.split_last()?;
        let is_type = |s: &&str| {
            s.starts_with(|c: char| c.is_uppercase())
                && s.len() > 1
                && *s != "Self"
                && !STD_NAMES.contains(s)
        };
        let ty = path.last().filter(|s| is_type(s)).map(|s| s.to_string());
        // Only a function of the crate can be in one of its files: a path that `use`
        // resolution led into another crate (`std::pin::Pin::new`) is not, nor is `Self::f`.
        let module = match path.first() {
            Some(first) if *first == "crate" || libs.contains(first) => Some(
                path[1..]
                    .iter()
                    .take_while(|s| !is_type(s))
                    .map(|s| s.to_string())
                    .collect(),
            ),
            Some(first) if is_type(first) && path.len() == 1 => None,
            _ => return None,
        };
        if ty.is_none() && module.is_none() {
            return None;
        }
        Some(Wanted {
            name: name.to_string(),
            ty,
            module,
            makes_only: false,
        })
    }

    /// Whether a file of the crate, at `module`, defines the function: `fn name` in the module
    /// the call names, or in an `impl` of the type it names.
    fn is_defined_in(&self, module: &[String], bytes: &[u8]) -> bool {
        if self.module.as_ref().is_some_and(|m| m.as_slice() != module) {
            return false;
        }
        defines_fn(bytes, &format!("fn {}", self.name))
            && self.ty.as_ref().is_none_or(|ty| {
                [format!("impl {ty}"), format!("> {ty}"), format!("for {ty}")]
                    .iter()
                    .any(|n| defines_fn(bytes, n))
            })
    }
}

/// `fn name` followed by `(` or `<` (not `fn name_longer`).
fn defines_fn(bytes: &[u8], fn_name: &str) -> bool {
    let needle = fn_name.as_bytes();
    memchr::memmem::find_iter(bytes, needle).any(|at| {
        let next = bytes.get(at + needle.len()).copied();
        matches!(next, Some(b'(') | Some(b'<') | Some(b' '))
    })
}

/// How many times files are pulled in and checked again with what was pulled in.
pub(crate) const MAX_PULL_ROUNDS: usize = 4;

/// The constructions of other files' types that a later check of a file found, and the calls
/// it could not follow knowing the other files' summaries; with `shared`, also the summaries
/// whose shared state changed (`shared::keep_changed`).
/// Whether the file's constructions changed, and the functions whose shared state did.
pub(crate) fn keep_learnt(
    info: &mut FileInfo,
    later: FileInfo,
    shared: bool,
) -> (bool, Vec<String>) {
    if info.parsed && later.parsed {
        info.open_calls = later.open_calls;
        info.open_on_holders = later.open_on_holders;
        // The hand-offs are kept: a call this check followed with a summary may still change
        // the file's own summaries, which only `resummaries` replaces.
        let handoffs = std::mem::take(&mut info.across.param_handoffs);
        info.across = later.across;
        info.across.param_handoffs.extend(handoffs);
        info.keeps_globals |= later.keeps_globals;
    }
    let changed = match shared {
        true => shared::keep_changed(info, &later.summaries),
        false => Vec::new(),
    };
    (keep_built(info, later.summaries), changed)
}

/// The constructions of other files' types that a later check of a file found.
/// Whether they changed.
fn keep_built(info: &mut FileInfo, later: Vec<Summary>) -> bool {
    let before: Vec<&Summary> = info
        .summaries
        .iter()
        .filter(|s| s.built.is_some())
        .collect();
    let after: Vec<Summary> = later.into_iter().filter(|s| s.built.is_some()).collect();
    if before.len() == after.len() && before.iter().zip(&after).all(|(a, b)| *a == b) {
        return false;
    }
    info.summaries.retain(|s| s.built.is_none());
    info.summaries.extend(after);
    true
}

/// Files that declare or implement a type that another file of the crate builds from both
/// ends of one channel, with every summary of their crate.
pub(crate) fn built_rechecks(
    files: &[SourceFile],
    placement: &Placed,
    infos: &[FileInfo],
    index: &SummaryIndex,
) -> Vec<Recheck> {
    let placed = &placement.files;
    let mut types: HashMap<usize, Vec<String>> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        for built in info.summaries.iter().filter_map(|s| s.built.as_ref()) {
            types
                .entry(placed[i].krate)
                .or_default()
                .push(built.ty.clone());
        }
    }
    if types.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let Some(tys) = types.get(&placed[i].krate) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&file.path) else {
            continue;
        };
        let implements = tys.iter().any(|ty| {
            [format!("impl {ty}"), format!("> {ty}"), format!("for {ty}")]
                .iter()
                .any(|n| defines_fn(&bytes, n))
        });
        if implements {
            let view = index.view(placement, placed[i].krate, true);
            if !view.is_empty() {
                out.push((i, view, Vec::new()));
            }
        }
    }
    out
}
