//! Which files to check again with the summaries of the other files their crate sees, and
//! which receiver kinds to lend them.
//!
//! In two steps: the files a summary may change (one explains a call they could not follow,
//! or they called a method they could not follow on a binding holding a real sender), then
//! the receiver kinds of the methods of only their crates and libraries, read from the text.
//! Reading every crate's methods would cost a pass over the text of the whole tree.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::view::{self, SummaryIndex, View};
use super::{Placed, Recheck};
use crate::facts::summary::Summary;
use crate::model::receivers::MethodSig;
use crate::walk::SourceFile;
use crate::FileInfo;

/// A file that may be checked again: its index, what its crate sees, whether a summary
/// explains one of its calls (else only the receiver kinds it may be lent can matter), and
/// the names its text calls as methods (read once, for the kinds of all of them).
struct Candidate {
    file: usize,
    view: View,
    affected: bool,
    methods_called: HashSet<String>,
}

/// What changed since a file was last checked, besides the files pulled in.
#[derive(Clone, Copy)]
pub(crate) struct Updated<'a> {
    /// The functions whose summaries changed when their files were read again
    /// (`rounds::resummaries`): a file that followed or could not follow a call of one of
    /// them applied the old summary.
    pub changed: &'a super::Changed,
    /// Files naming a function whose stores into values shared with a global changed
    /// (`rounds::shared`).
    pub shared_callers: &'a HashSet<usize>,
}

/// The files to check again, each with what its crate sees (the summaries of the other files
/// of its crate and of its libraries), when it names one of their functions, and the receiver
/// kinds of the methods of other files it calls (`host.register_request(..)` borrows `host`).
/// `fresh`: in a later round, the files whose summaries are new (pulled in); a file that was
/// checked with everything else its crate sees need only be checked again when one of those
/// explains a call it could not follow, or when a function it uses changed (`Updated`).
/// `methods_read`: the crates whose files' methods are in `FileInfo::methods`; those of the
/// crates the candidates see are read (in parallel, on the caller's thread pool) and added.
pub(crate) fn cross_file_rechecks(
    files: &[SourceFile],
    placement: &Placed,
    infos: &mut [FileInfo],
    index: &SummaryIndex,
    fresh: Option<&HashSet<usize>>,
    updated: Updated,
    methods_read: &mut HashSet<usize>,
) -> Vec<Recheck> {
    let names = Names::of(index);
    let candidates = candidates(files, placement, infos, index, &names, fresh, updated);
    if candidates.is_empty() {
        return Vec::new();
    }
    let called = called_by(placement, &candidates);
    let crates: HashSet<usize> = called.keys().copied().collect();
    read_methods(files, placement, infos, &crates, methods_read);
    let infos = &*infos;
    let kinds = receiver_kinds_by_crate(files, placement, infos, &called);
    let mut wanted = Vec::new();
    for Candidate {
        file: i,
        view,
        affected,
        methods_called,
    } in candidates
    {
        let krate = placement.files[i].krate;
        // The receiver kinds the crate sees: its own, and its libraries' under their names.
        let kinds_seen: Vec<KindsSeen> = kinds
            .get(&krate)
            .map(|list| (None, list))
            .into_iter()
            .chain(
                view.libraries
                    .iter()
                    .filter_map(|seen| Some((Some(seen), kinds.get(&seen.krate)?))),
            )
            .collect();
        let summarized = |name: &str| names.summarized(placement, krate, name);
        if !affected {
            // Only lent: the methods it called on a holder of a real sender must be known.
            let holders = Some(&infos[i].open_on_holders);
            if lent_kinds(i, &kinds_seen, &summarized, &methods_called, holders).is_empty() {
                continue;
            }
        }
        // Checked again with everything, and the receiver kinds of every method it calls:
        // what it is given may make a binding hold senders before another method call.
        let lent = lent_kinds(i, &kinds_seen, &summarized, &methods_called, None);
        wanted.push((i, view, lent));
    }
    wanted
}

/// Each crate's functions by name, so a file's calls are matched against the few functions
/// of that name, not against every function its crate sees; and every name a crate's own
/// summaries have (a method with a summary, or sharing its name with one, needs no kind).
struct Names<'a> {
    named: HashMap<usize, HashMap<&'a str, Vec<usize>>>,
    own: HashMap<usize, HashSet<&'a str>>,
}

impl<'a> Names<'a> {
    fn of(index: &'a SummaryIndex) -> Names<'a> {
        let mut named: HashMap<usize, HashMap<&str, Vec<usize>>> = HashMap::new();
        let mut own: HashMap<usize, HashSet<&str>> = HashMap::new();
        for (krate, list) in index.crates() {
            let index = named.entry(krate).or_default();
            let names = own.entry(krate).or_default();
            for (k, (_, s)) in list.iter().enumerate() {
                names.insert(s.name.as_str());
                if s.built.is_none() {
                    index.entry(s.name.as_str()).or_default().push(k);
                }
            }
        }
        Names { named, own }
    }

    /// Whether a method of this name has a summary the crate sees.
    fn summarized(&self, placement: &Placed, krate: usize, name: &str) -> bool {
        self.own.get(&krate).is_some_and(|n| n.contains(name))
            || placement.libraries.get(&krate).is_some_and(|libs| {
                libs.iter()
                    .any(|(lib, _)| self.named.get(lib).is_some_and(|n| n.contains_key(name)))
            })
    }
}

/// The files a summary of another file may change: one explains a call the file could not
/// follow (`affected`), or the file called a method it could not follow on a holder of a real
/// sender (then its receiver kind may).
fn candidates(
    files: &[SourceFile],
    placement: &Placed,
    infos: &[FileInfo],
    index: &SummaryIndex,
    names: &Names,
    fresh: Option<&HashSet<usize>>,
    updated: Updated,
) -> Vec<Candidate> {
    let Updated {
        changed,
        shared_callers,
    } = updated;
    let mut out = Vec::new();
    for (i, place) in placement.files.iter().enumerate() {
        let krate = place.krate;
        let view = index.view(placement, krate, false);
        let info = &infos[i];
        // A file pulled in this round sees everything for the first time.
        let all_new = fresh.is_none_or(|fresh| fresh.contains(&i));
        let lends = all_new && info.parsed && !info.open_on_holders.is_empty();
        if view.is_empty() && !lends {
            continue;
        }
        let new = |j: usize| all_new || fresh.is_some_and(|fresh| fresh.contains(&j));
        let mut text: Option<Option<Vec<u8>>> = None;
        // A function it names changed what it stores into values shared with a global.
        let affected = shared_callers.contains(&i)
            || match info.parsed {
                true => info.open_calls.iter().any(|(call, &carried)| {
                    let name = crate::facts::summary::called_name(call);
                    let own = view.own.as_ref().is_some_and(|list| {
                        names
                            .named
                            .get(&krate)
                            .and_then(|n| n.get(name))
                            .is_some_and(|ks| {
                                ks.iter()
                                    .map(|k| &list[*k])
                                    .any(|(j, s)| *j != i && new(*j) && s.explains(call, carried))
                            })
                    });
                    own || view.libraries.iter().any(|seen| {
                        names
                            .named
                            .get(&seen.krate)
                            .and_then(|n| n.get(name))
                            .is_some_and(|ks| {
                                ks.iter().map(|k| &seen.list[*k]).any(|(j, s)| {
                                    *j != i && new(*j) && seen.seen(s).explains(call, carried)
                                })
                            })
                    })
                }),
                false => view
                    .iter()
                    .filter(|(_, j, s)| *j != i && new(*j) && s.makes_channels())
                    .any(|(seen, _, s)| {
                        let key = seen.map_or_else(|| s.key.clone(), |seen| seen.key_of(s));
                        let bytes = text.get_or_insert_with(|| std::fs::read(&files[i].path).ok());
                        names_in_text(&key, &s.name, bytes.as_deref())
                    }),
            };
        // A function of another file it followed, or called, may have a new summary.
        let affected = affected
            || (info.parsed
                && !changed.is_empty()
                && changed.touches(&info.open_calls, &info.across.followed));
        if affected || lends {
            let bytes = text.get_or_insert_with(|| std::fs::read(&files[i].path).ok());
            let methods_called = bytes
                .as_deref()
                .map(crate::model::receivers::called_methods)
                .unwrap_or_default()
                .into_iter()
                .map(str::to_string)
                .collect();
            out.push(Candidate {
                file: i,
                view,
                affected,
                methods_called,
            });
        }
    }
    out
}

/// The names of the methods the candidates' texts call, by the crate that may define them:
/// theirs and the libraries they use.
fn called_by(placed: &Placed, candidates: &[Candidate]) -> HashMap<usize, HashSet<String>> {
    // A file checked again may come to hold senders in a binding (`registry.attach_events(tx)`
    // explained by its summary) before another method is called on it
    // (`registry.run_tool(..)`): every method its text calls matters then.
    let mut called: HashMap<usize, HashSet<String>> = HashMap::new();
    for candidate in candidates {
        called
            .entry(placed.files[candidate.file].krate)
            .or_default()
            .extend(candidate.methods_called.iter().cloned());
    }
    for (bin, libs) in &placed.libraries {
        let names: Vec<String> = called.get(bin).into_iter().flatten().cloned().collect();
        for (lib, _) in libs {
            called
                .entry(*lib)
                .or_default()
                .extend(names.iter().cloned());
        }
    }
    called
}

/// Reads the methods of the files of `crates` not in `read` yet into their `FileInfo`, in
/// parallel on the caller's thread pool.
pub(crate) fn read_methods(
    files: &[SourceFile],
    placed: &Placed,
    infos: &mut [FileInfo],
    crates: &HashSet<usize>,
    read: &mut HashSet<usize>,
) {
    let unread: HashSet<usize> = crates
        .iter()
        .copied()
        .filter(|krate| read.insert(*krate))
        .collect();
    if unread.is_empty() {
        return;
    }
    let methods: Vec<(usize, Vec<MethodSig>)> = (0..files.len())
        .into_par_iter()
        .filter(|i| unread.contains(&placed.files[*i].krate))
        .map(|i| (i, crate::model::receivers::of_file(&files[i].path)))
        .collect();
    for (i, methods) in methods {
        infos[i].methods = methods;
    }
}

/// The receiver kinds of the methods `called` names, defined in the crates it names, as
/// summaries that do nothing but say whether the method takes `self` by value (keyed and
/// marked as `SummaryIndex` keys them), by crate: each crate's own (a binary sees its
/// library's through `View`).
fn receiver_kinds_by_crate(
    files: &[SourceFile],
    placed: &Placed,
    infos: &[FileInfo],
    called: &HashMap<usize, HashSet<String>>,
) -> HashMap<usize, Vec<(usize, Summary)>> {
    let mut by_crate: HashMap<usize, Vec<(usize, Summary)>> = HashMap::new();
    for (i, place) in placed.files.iter().enumerate() {
        let Some(wanted) = called.get(&place.krate) else {
            continue;
        };
        for sig in infos[i]
            .methods
            .iter()
            .filter(|m| wanted.contains(&*m.name))
        {
            let mut key = place.module.clone();
            key.push(sig.ty.to_string());
            key.push(sig.name.to_string());
            by_crate.entry(place.krate).or_default().push((
                i,
                Summary {
                    key,
                    name: sig.name.to_string(),
                    has_self: true,
                    takes_self: sig.takes_self,
                    signature_only: true,
                    origin: Some(files[i].display.clone()),
                    ..Summary::default()
                },
            ));
        }
    }
    by_crate
}

/// A crate's receiver kinds, or a library's with the name the crate uses it by.
type KindsSeen<'a> = (Option<&'a view::Seen>, &'a Vec<(usize, Summary)>);

/// The receiver kinds of the methods of other files that decide whether a call of file `i`
/// moves a holder of senders, of those that have no summary of their own: the methods it
/// called on a holder of a real sender and could not follow (`holders`), or, `None`, every
/// method its text calls.
fn lent_kinds(
    i: usize,
    kinds_seen: &[KindsSeen],
    summarized: &impl Fn(&str) -> bool,
    called: &HashSet<String>,
    holders: Option<&HashSet<String>>,
) -> Vec<Summary> {
    kinds_seen
        .iter()
        .flat_map(|(seen, list)| list.iter().map(move |(j, s)| (*seen, *j, s)))
        .filter(|(_, j, s)| *j != i && called.contains(s.name.as_str()) && !summarized(&s.name))
        .filter(|(_, _, s)| holders.is_none_or(|h| h.contains(&s.name)))
        .map(|(seen, _, s)| seen.map_or_else(|| s.clone(), |seen| seen.seen(s)))
        .collect()
}

/// Whether the text of a file the byte scan skipped names a function that makes channels,
/// with this key: it makes none itself, so only a call that returns one can matter.
fn names_in_text(key: &[String], name: &str, text: Option<&[u8]>) -> bool {
    // How another file can name it: `Type::new` for an associated function.
    let written = match key.len() {
        0 | 1 => name.to_string(),
        n => format!("{}::{}", key[n - 2], name),
    };
    text.is_some_and(|bytes| memchr::memmem::find(bytes, written.as_bytes()).is_some())
}
