//! Files read again for their own summaries. A file's summaries are computed in the first
//! pass, before the summaries of the other files are known: a helper that hands its
//! parameter's sender to another file's function that keeps it (`EventSender::new(sender)`,
//! a wrapper's constructor in a sibling crate) was summarized as giving the sender away, so
//! its callers lose the channel; one that lends it to a method that takes it back out
//! (`registry.detach_events()`) was summarized as still holding it. Once such a function's
//! summary is known, the file is read again and its summaries replace the first pass's, like
//! those of a file pulled in. Only the exact hand-offs the first pass recorded
//! (`facts::CallsAcross`) are looked at, and only in functions that a file waiting for a
//! channel's end handed that channel's senders: nothing else can change a finding.

use std::collections::{HashMap, HashSet};

use super::view::SummaryIndex;
use super::{Placed, Recheck};
use crate::facts::summary::{called_name, Summary};
use crate::FileInfo;

/// The calls (as written, or the keys of the summaries followed) of functions that files
/// waiting for a channel's end handed that channel's senders: in any round, and first in
/// this one.
#[derive(Clone, Copy)]
pub(crate) struct Called<'a> {
    pub all: &'a HashSet<String>,
    pub new: &'a HashSet<String>,
}

impl Called<'_> {
    /// Whether one of the calls may be of the function with this key.
    fn reaches(calls: &HashMap<&str, Vec<&str>>, function: &str, method: bool) -> bool {
        let name = called_name(function);
        calls.get(name).is_some_and(|calls| {
            calls.iter().any(|call| match call.strip_prefix('.') {
                Some(_) => method,
                None => ends_alike(call, function),
            })
        })
    }
}

/// Whether one of two paths ends the other (`worker::Worker::new`, `Worker::new`).
fn ends_alike(a: &str, b: &str) -> bool {
    let a: Vec<&str> = a
        .split("::")
        .filter(|s| !matches!(*s, "crate" | "self" | "super"))
        .collect();
    let b: Vec<&str> = b.split("::").collect();
    let n = a.len().min(b.len());
    n > 0 && a[a.len() - n..] == b[b.len() - n..]
}

fn by_name(calls: &HashSet<String>) -> HashMap<&str, Vec<&str>> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    for call in calls {
        out.entry(called_name(call))
            .or_default()
            .push(call.as_str());
    }
    out
}

/// The parsed files that handed a parameter's senders to a call they could not follow (by
/// value or lent, `CallsAcross::param_handoffs`) which another file's function explains, one
/// that keeps or releases exactly the parameter so handed, in a function that `called`
/// names. `fresh`: after the first round, the files whose summaries the last round changed;
/// a hand-off in a function called before this round matters again only if one of theirs
/// explains it.
pub(crate) fn resummaries(
    placement: &Placed,
    infos: &[FileInfo],
    index: &SummaryIndex,
    fresh: Option<&HashSet<usize>>,
    called: Called,
) -> Vec<Recheck> {
    // Few files hand a parameter's senders on to a call they cannot follow, and few
    // functions keep or release their arguments: the hand-offs' names first.
    let all = by_name(called.all);
    let new = by_name(called.new);
    let handed: HashSet<&str> = infos
        .iter()
        .filter(|info| info.parsed)
        .flat_map(|info| info.across.param_handoffs.iter())
        .filter(|handoff| Called::reaches(&all, &handoff.function, handoff.method))
        .map(|handoff| called_name(&handoff.call))
        .collect();
    if handed.is_empty() {
        return Vec::new();
    }
    let mut keeping: HashMap<&str, Vec<Keeper>> = HashMap::new();
    for (krate, list) in index.crates() {
        for (file, summary) in list.iter() {
            if !handed.contains(summary.name.as_str()) {
                continue;
            }
            if summary.built.is_none() && summary.keeps_or_releases_any() {
                keeping
                    .entry(summary.name.as_str())
                    .or_default()
                    .push(Keeper {
                        krate,
                        file: *file,
                        summary,
                        new: fresh.is_none_or(|fresh| fresh.contains(file)),
                    });
            }
        }
    }
    if keeping.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        if !info.parsed || info.across.param_handoffs.is_empty() {
            continue;
        }
        let krate = placement.files[i].krate;
        // A release matters only to a function that waits while it holds a parameter.
        let holds_at_wait = info
            .summaries
            .iter()
            .any(|s| s.waits.iter().any(|w| !w.holding.is_empty()));
        let mut view = None;
        // Only a function another file calls with a real channel can change a finding.
        let handoffs = info.across.param_handoffs.iter();
        let mut handoffs =
            handoffs.filter(|handoff| Called::reaches(&all, &handoff.function, handoff.method));
        let explained = handoffs.any(|handoff| {
            let call = handoff.call.as_str();
            let Some(found) = keeping.get(called_name(call)) else {
                return false;
            };
            let newly_called = Called::reaches(&new, &handoff.function, handoff.method);
            found.iter().any(|keeper| {
                let Keeper {
                    krate: owner,
                    file,
                    summary,
                    new,
                } = *keeper;
                if !new && !newly_called {
                    return false;
                }
                // What the first pass guessed wrong: a sender moved in is kept, one lent is
                // released (only a function that waits while it holds one cares).
                let decides = match handoff.lent {
                    false => summary.keeps(handoff.position),
                    true => holds_at_wait && summary.releases.contains(&handoff.position),
                };
                if !decides {
                    return false;
                }
                if owner == krate {
                    return file != i && summary.explains(call, true);
                }
                let view = view.get_or_insert_with(|| index.view(placement, krate, false));
                view.libraries
                    .iter()
                    .filter(|seen| seen.krate == owner && seen.exports(summary))
                    .any(|seen| seen.seen(summary).explains(call, true))
            })
        });
        if explained {
            let view = view.unwrap_or_else(|| index.view(placement, krate, false));
            out.push((i, view, Vec::new()));
        }
    }
    out
}

/// A function that keeps or releases what it is handed: its crate and file, and whether its
/// summary is new this round.
struct Keeper<'a> {
    krate: usize,
    file: usize,
    summary: &'a Summary,
    new: bool,
}

/// The functions whose summaries differ between a file's two readings (added, changed or
/// gone), by name: a call of one of them that the file could not follow, or followed with
/// the old summary, must be checked again.
#[derive(Default)]
pub(crate) struct Changed {
    by_name: HashMap<String, Vec<Summary>>,
}

impl Changed {
    pub fn add(&mut self, before: &[Summary], after: &[Summary]) -> bool {
        let differs = |list: &[Summary], other: &[Summary]| -> Vec<Summary> {
            list.iter()
                .filter(|s| s.built.is_none() && !other.iter().any(|o| o == *s))
                .cloned()
                .collect()
        };
        let mut list = differs(after, before);
        list.extend(differs(before, after));
        let any = !list.is_empty();
        for summary in list {
            self.by_name
                .entry(summary.name.clone())
                .or_default()
                .push(summary);
        }
        any
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Whether a call the file could not follow, or a summary it followed (its key), may be
    /// of a changed function (by name and the end of its path: a library's function is
    /// called and seen by another crate under a longer path).
    pub fn touches(&self, open_calls: &HashMap<String, bool>, followed: &HashSet<String>) -> bool {
        let of = |call: &str, carried: bool| {
            self.by_name.get(called_name(call)).is_some_and(|list| {
                list.iter().any(|s| match call.strip_prefix('.') {
                    Some(_) => s.has_self,
                    None => ends_alike(call, &s.key.join("::")),
                } && (carried || s.makes_channels()))
            })
        };
        open_calls.iter().any(|(call, &carried)| of(call, carried))
            || followed.iter().any(|key| of(key, true))
    }
}
