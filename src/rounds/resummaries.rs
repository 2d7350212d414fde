//! Files read again for their own summaries. A file's summaries are computed in the first
//! pass, before the summaries of the other files are known: a helper that hands its
//! parameter's sender to another file's function that keeps it (`EventSender::new(sender)`,
//! a wrapper's constructor in a sibling crate) was summarized as giving the sender away, so
//! its callers lose the channel; one that lends it to a method that takes it back out
//! (`registry.detach_events()`) was summarized as still holding it. Once such a function's summary is known, the file is read
//! again and its summaries replace the first pass's, like those of a file pulled in.

use std::collections::{HashMap, HashSet};

use super::view::SummaryIndex;
use super::{Placed, Recheck};
use crate::facts::summary::{called_name, Summary};
use crate::FileInfo;

/// The parsed files one of whose calls with a channel (a real one or a parameter's) another
/// file's function explains, one that keeps or releases what it is handed. `fresh`: after
/// the first round, the files whose summaries the last round changed; only their functions
/// can change another file's summaries again. `called`: the names of the functions files
/// called with a real channel in any round.
pub(crate) fn resummaries(
    placement: &Placed,
    infos: &[FileInfo],
    index: &SummaryIndex,
    fresh: Option<&HashSet<usize>>,
    called: &HashSet<String>,
    files: &[crate::walk::SourceFile],
) -> Vec<Recheck> {
    // Few functions keep or release their arguments: find them by name first.
    let mut keeping: HashMap<&str, Vec<(usize, usize, &Summary)>> = HashMap::new();
    for (krate, list) in index.crates() {
        for (file, summary) in list.iter() {
            let new = fresh.is_none_or(|fresh| fresh.contains(file));
            if new && summary.built.is_none() && summary.keeps_or_releases_arguments() {
                keeping
                    .entry(summary.name.as_str())
                    .or_default()
                    .push((krate, *file, summary));
            }
        }
    }
    if keeping.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        if !info.parsed {
            continue;
        }
        let krate = placement.files[i].krate;
        // A release matters only to a function that waits while it holds a parameter.
        let holds_at_wait = info
            .summaries
            .iter()
            .any(|s| s.waits.iter().any(|w| !w.holding.is_empty()));
        let calls = info.param_calls.iter().map(String::as_str);
        let mut view = None;
        let explained = calls.into_iter().any(|call| {
            let Some(found) = keeping.get(called_name(call)) else {
                return false;
            };
            let view = view.get_or_insert_with(|| index.view(placement, krate, false));
            found.iter().any(|&(owner, file, summary)| {
                if !summary.keeps_arguments() && !holds_at_wait {
                    return false;
                }
                if owner == krate {
                    return file != i && summary.explains(call, true);
                }
                view.libraries
                    .iter()
                    .filter(|seen| seen.krate == owner && seen.exports(summary))
                    .any(|seen| seen.seen(summary).explains(call, true))
            })
        });
        // Only a file that defines a function another file calls with a real channel can
        // change a finding.
        let explained = explained
            && std::fs::read(&files[i].path).is_ok_and(|bytes| {
                called
                    .iter()
                    .any(|name| super::defines_fn(&bytes, &format!("fn {name}")))
            });
        if explained {
            let view = view.unwrap_or_else(|| index.view(placement, krate, false));
            out.push((i, view, Vec::new()));
        }
    }
    out
}
