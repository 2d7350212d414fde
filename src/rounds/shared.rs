//! Values that share their state with a process-wide global, across files and crates.
//!
//! A logger installed for the whole process (`logger.install()` in one crate) is handed down
//! through layers of set-up in other files (`run_server(logger)` -> `ServerSetup::new(..)
//! .to_server()` -> `set_up_logger()` -> `logger.register_logger(..)` in the logger's crate),
//! and the sender stored at the bottom is kept by the global. Each layer's summary says what
//! it stores into the values sharing its parameters' state (`Summary::shared_stores`); a
//! layer learns it only once the layer below is known, so the files calling a function whose
//! such summary changed are checked again in the next round.
//!
//! Only where a global keeps a value at all can these stores change a finding: the crates
//! connected (as library or user, transitively) to a crate a file of which made a value share
//! its state with a global (`FileInfo::keeps_globals`). Elsewhere nothing is kept or
//! checked again.

use std::collections::{HashMap, HashSet};

use super::Placed;
use crate::facts::summary::Summary;
use crate::walk::SourceFile;
use crate::FileInfo;

/// The crates where stores into shared values can change a finding (see the module doc).
pub(crate) fn keeping_crates(placement: &Placed, infos: &[FileInfo]) -> HashSet<usize> {
    let mut out: HashSet<usize> = infos
        .iter()
        .enumerate()
        .filter(|(_, info)| info.keeps_globals)
        .map(|(i, _)| placement.files[i].krate)
        .collect();
    if out.is_empty() {
        return out;
    }
    // Both ways along the library edges: the global may be set in the binary and the stores
    // made in its library, or the other way round.
    let mut edges: HashMap<usize, Vec<usize>> = HashMap::new();
    for (user, libs) in &placement.libraries {
        for (lib, _) in libs {
            edges.entry(*user).or_default().push(*lib);
            edges.entry(*lib).or_default().push(*user);
        }
    }
    let mut stack: Vec<usize> = out.iter().copied().collect();
    while let Some(krate) = stack.pop() {
        for next in edges.get(&krate).into_iter().flatten() {
            if out.insert(*next) {
                stack.push(*next);
            }
        }
    }
    out
}

/// Keeps, of a later check of a file, the summaries whose shared state changed (they say more
/// or less about values shared with a global than the file's summaries did); the names of
/// the functions whose summaries changed so.
pub(crate) fn keep_changed(info: &mut FileInfo, later: &[Summary]) -> Vec<String> {
    let shares = |s: &&Summary| s.built.is_none() && s.shares_state();
    let before: Vec<&Summary> = info.summaries.iter().filter(shares).collect();
    let after: Vec<&Summary> = later.iter().filter(shares).collect();
    let mut changed: Vec<Vec<String>> = Vec::new();
    for s in &after {
        if !before.iter().any(|b| b == s) {
            changed.push(s.key.clone());
        }
    }
    for b in &before {
        if !after.iter().any(|s| s.key == b.key) {
            changed.push(b.key.clone());
        }
    }
    if changed.is_empty() {
        return Vec::new();
    }
    info.summaries
        .retain(|s| s.built.is_some() || !changed.contains(&s.key));
    info.summaries.extend(
        later
            .iter()
            .filter(|s| s.built.is_none() && changed.contains(&s.key))
            .cloned(),
    );
    let mut names: Vec<String> = changed
        .iter()
        .filter_map(|key| key.last().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The files of the crates that see file `j`'s crate (its own, and the crates using it as a
/// library), other than `j`, parsed and checked, whose text names a function of `j` whose
/// shared state changed: they may now store into a value a global keeps, or hand one down.
pub(crate) fn callers(
    files: &[SourceFile],
    placement: &Placed,
    infos: &[FileInfo],
    changed: &[(usize, Vec<String>)],
) -> HashSet<usize> {
    let mut out = HashSet::new();
    if changed.is_empty() {
        return out;
    }
    // By crate: the changed names its files may call, and the files they come from.
    let mut wanted: HashMap<usize, Vec<(usize, &str)>> = HashMap::new();
    for (j, names) in changed {
        let krate = placement.files[*j].krate;
        let seeing = placement
            .libraries
            .iter()
            .filter(|(_, libs)| libs.iter().any(|(lib, _)| *lib == krate))
            .map(|(user, _)| *user)
            .chain([krate]);
        for user in seeing {
            let list = wanted.entry(user).or_default();
            list.extend(names.iter().map(|n| (*j, n.as_str())));
        }
    }
    for (i, file) in files.iter().enumerate() {
        let Some(names) = wanted.get(&placement.files[i].krate) else {
            continue;
        };
        if file.dependency || !infos[i].parsed {
            continue;
        }
        let Ok(bytes) = std::fs::read(&file.path) else {
            continue;
        };
        let words = super::view::words(&bytes);
        if names.iter().any(|(j, n)| *j != i && words.contains(n)) {
            out.insert(i);
        }
    }
    out
}
