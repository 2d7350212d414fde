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

use crate::crates::Placement;
use crate::facts::summary::Summary;
use crate::walk::SourceFile;
use crate::FileInfo;

/// The summaries a file is checked again with: its crate's, shared by every file of the crate
/// (each marked with the file it comes from, which never sees its own).
pub(crate) type CrateSummaries = std::sync::Arc<Vec<(usize, Summary)>>;

/// Every file's summaries, keyed by their module path in the crate and marked with their file,
/// by crate.
pub(crate) fn summaries_by_crate(
    files: &[SourceFile],
    placed: &Placed,
    infos: &[FileInfo],
) -> HashMap<usize, Vec<(usize, Summary)>> {
    let libraries = &placed.libraries;
    let placed = &placed.files;
    let mut by_crate: HashMap<usize, Vec<(usize, Summary)>> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        for summary in &info.summaries {
            let mut summary = summary.clone();
            if let Some(built) = &mut summary.built {
                built.path = Some(files[i].display.clone());
            } else {
                let mut key = placed[i].module.clone();
                key.append(&mut summary.key);
                summary.key = key;
            }
            summary.origin = Some(files[i].display.clone());
            by_crate
                .entry(placed[i].krate)
                .or_default()
                .push((i, summary));
        }
    }
    // A binary sees its own library's functions under the library's name
    // (`tinymist::transport::io_transport`) and its `#[macro_export]` macros, but only those
    // its files could not follow and those that make a channel (a file the byte scan skipped
    // may call one): every test, example and bench of a package is a binary of its own, so a
    // copy of the whole library for each would grow with their product.
    let mut called: HashMap<usize, std::collections::HashSet<&str>> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        if libraries.contains_key(&placed[i].krate) {
            called.entry(placed[i].krate).or_default().extend(
                info.open_calls
                    .keys()
                    .map(|call| crate::facts::summary::called_name(call)),
            );
        }
    }
    for (&bin, (lib, name)) in libraries {
        let Some(list) = by_crate.get(lib) else {
            continue;
        };
        let called = called.remove(&bin).unwrap_or_default();
        let seen: Vec<(usize, Summary)> = list
            .iter()
            .filter(|(_, s)| s.built.is_none())
            .filter(|(_, s)| s.macro_rules.as_ref().is_none_or(|m| m.exported))
            .filter(|(_, s)| called.contains(s.name.as_str()) || s.makes_channels())
            .map(|(j, s)| {
                let mut s = s.clone();
                s.key.insert(0, name.clone());
                (*j, s)
            })
            .collect();
        by_crate.entry(bin).or_default().extend(seen);
    }
    by_crate
}

/// Where every file sits: its crate and module, and each binary's own library.
pub(crate) struct Placed {
    pub files: Vec<Placement>,
    /// By binary crate: its package's library crate and the name it is used by.
    pub libraries: HashMap<usize, (usize, String)>,
}

impl Placed {
    pub(crate) fn of(files: &[SourceFile], infos: &[FileInfo]) -> Placed {
        let paths: Vec<std::path::PathBuf> = files.iter().map(|f| f.path.clone()).collect();
        let mods: Vec<Vec<crate::crates::ModDecl>> = infos.iter().map(|i| i.mods.clone()).collect();
        let (placed, roots) = crate::crates::place_with_roots(&paths, &mods);
        let libraries = crate::crates::own_libraries(&paths, &placed, &roots);
        Placed {
            files: placed,
            libraries,
        }
    }
}

/// Files not parsed in the first pass that define (`fn NAME`) a function which a parsed file
/// of the same crate called with a channel and could not follow.
pub(crate) fn pull_ins(
    files: &[SourceFile],
    placement: &Placed,
    infos: &[FileInfo],
) -> Vec<(usize, CrateSummaries)> {
    let placed = &placement.files;
    let mut wanted: HashMap<usize, Vec<Wanted>> = HashMap::new();
    for (i, info) in infos.iter().enumerate().filter(|(_, i)| i.parsed) {
        for (call, &carried) in &info.open_calls {
            if !carried {
                continue;
            }
            let own_lib = placement
                .libraries
                .get(&placed[i].krate)
                .map(|(_, name)| name.as_str());
            if let Some(want) = Wanted::of(call, own_lib) {
                wanted.entry(placed[i].krate).or_default().push(want);
            }
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    // A binary's calls may be to its library's functions.
    for (bin, (lib, _)) in &placement.libraries {
        let names: Vec<Wanted> = wanted.get(bin).cloned().unwrap_or_default();
        wanted.entry(*lib).or_default().extend(names);
    }
    let by_crate = shared(summaries_by_crate(files, placement, infos), |_| true);
    let mut out = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        if info.parsed {
            continue;
        }
        let Some(names) = wanted.get(&placed[i].krate) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&files[i].path) else {
            continue;
        };
        if names
            .iter()
            .any(|n| n.is_defined_in(&placed[i].module, &bytes))
        {
            if let Some(list) = by_crate.get(&placed[i].krate) {
                out.push((i, list.clone()));
            }
        }
    }
    out
}

/// One shared list per crate of the summaries that pass `keep`.
pub(crate) fn shared(
    by_crate: HashMap<usize, Vec<(usize, Summary)>>,
    keep: impl Fn(&Summary) -> bool,
) -> HashMap<usize, CrateSummaries> {
    by_crate
        .into_iter()
        .map(|(krate, list)| {
            let list: Vec<(usize, Summary)> = list.into_iter().filter(|(_, s)| keep(s)).collect();
            (krate, std::sync::Arc::new(list))
        })
        .collect()
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
}

impl Wanted {
    /// `own_lib`: the name the caller's package library is used by, for a binary.
    fn of(call: &str, own_lib: Option<&str>) -> Option<Wanted> {
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
            Some(first) if *first == "crate" || Some(*first) == own_lib => Some(
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

/// The constructions of other files' types that a later check of a file found.
pub(crate) fn keep_built(info: &mut FileInfo, later: FileInfo) {
    info.summaries.retain(|s| s.built.is_none());
    info.summaries
        .extend(later.summaries.into_iter().filter(|s| s.built.is_some()));
}

/// Files that declare or implement a type that another file of the crate builds from both
/// ends of one channel, with every summary of their crate.
pub(crate) fn built_rechecks(
    files: &[SourceFile],
    placement: &Placed,
    infos: &[FileInfo],
) -> Vec<(usize, CrateSummaries)> {
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
    let by_crate = shared(summaries_by_crate(files, placement, infos), |_| true);
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
            if let Some(list) = by_crate.get(&placed[i].krate) {
                out.push((i, list.clone()));
            }
        }
    }
    out
}
