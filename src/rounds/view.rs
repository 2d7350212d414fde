//! The summaries each crate sees, shared instead of copied: a crate's own summaries are one
//! list behind an `Arc`, and a crate that uses a library (a binary its package's library, a
//! crate its path dependencies) holds a reference to the library's list with the name it uses
//! it by. The name and the re-exports are applied to a library's summary only when a file is
//! about to be checked with it (`View::materialize`), and then only to the summaries whose
//! names the file's text contains: every test, example and bench of a big package is a binary
//! that sees the package's library, and copying the library's list into each of them cost
//! memory and time in proportion to their product.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::Placed;
use crate::facts::summary::Summary;
use crate::model::reexports::{reexported_key, Reexport};
use crate::walk::SourceFile;
use crate::FileInfo;

/// One crate's summaries, each marked with the file it comes from (which never sees its own).
pub(crate) type Own = Arc<Vec<(usize, Summary)>>;

/// A library's summaries as a crate that uses it sees them.
#[derive(Clone)]
pub(crate) struct Seen {
    /// The library crate.
    pub krate: usize,
    pub list: Own,
    /// The name the crate uses the library by (`-` read as `_`).
    pub name: Arc<str>,
    /// The `pub use` re-exports of the library's root.
    pub reexports: Arc<[Reexport]>,
}

impl Seen {
    /// The key a library's summary has for the crate that uses it: under the path a `pub use`
    /// of the library's root gives it, else under its own (one key: two would make the call
    /// ambiguous), prefixed with the name the library is used by.
    pub fn key_of(&self, summary: &Summary) -> Vec<String> {
        let mut key =
            reexported_key(&summary.key, &self.reexports).unwrap_or_else(|| summary.key.clone());
        key.insert(0, self.name.to_string());
        key
    }

    /// Whether a crate that uses the library sees the summary: its functions and its
    /// `#[macro_export]` macros, not the construction sites of its own types.
    pub fn exports(&self, summary: &Summary) -> bool {
        summary.built.is_none() && summary.macro_rules.as_ref().is_none_or(|m| m.exported)
    }

    /// The summary as the crate that uses the library sees it.
    pub fn seen(&self, summary: &Summary) -> Summary {
        Summary {
            key: self.key_of(summary),
            ..summary.clone()
        }
    }
}

/// What a crate sees: its own summaries and those of the libraries it uses. Cloning it
/// clones references.
#[derive(Clone, Default)]
pub(crate) struct View {
    pub own: Option<Own>,
    pub libraries: Vec<Seen>,
    /// Whether construction sites of other files' types (`Summary::built`) are part of it.
    /// A library's never are: they concern the library's own types, in its own files.
    pub with_built: bool,
}

impl View {
    /// The summaries file `file` is checked with: the other files' of its crate and its
    /// libraries', those a name of which the file's text contains (`words`; `None`: all).
    /// A summary is only ever looked up by its function's name, by the type it constructs, or
    /// by the type of the method (the impl the file is in), so the others cannot matter.
    pub fn materialize(&self, file: usize, words: Option<&HashSet<&str>>) -> Vec<Summary> {
        let wanted = |s: &Summary| words.is_none_or(|words| may_be_named(s, words));
        let mut out = Vec::new();
        if let Some(own) = &self.own {
            out.extend(
                own.iter()
                    .filter(|(j, s)| *j != file && (self.with_built || s.built.is_none()))
                    .filter(|(_, s)| wanted(s))
                    .map(|(_, s)| s.clone()),
            );
        }
        for lib in &self.libraries {
            out.extend(
                lib.list
                    .iter()
                    .filter(|(j, s)| *j != file && lib.exports(s) && wanted(s))
                    .map(|(_, s)| lib.seen(s)),
            );
        }
        out
    }

    /// Every summary of the view (a library's under its own key), with the library it is seen
    /// through (`None`: the crate's own).
    pub fn iter(&self) -> impl Iterator<Item = (Option<&Seen>, usize, &Summary)> + '_ {
        let own = self
            .own
            .iter()
            .flat_map(|list| list.iter())
            .filter(|(_, s)| self.with_built || s.built.is_none())
            .map(|(j, s)| (None, *j, s));
        let libs = self.libraries.iter().flat_map(|lib| {
            lib.list
                .iter()
                .filter(|(_, s)| lib.exports(s))
                .map(move |(j, s)| (Some(lib), *j, s))
        });
        own.chain(libs)
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// Whether a file whose text has these words may look the summary up.
fn may_be_named(summary: &Summary, words: &HashSet<&str>) -> bool {
    // A macro's summary is named `name!`; the text has `name`.
    words.contains(summary.name.strip_suffix('!').unwrap_or(&summary.name))
        || summary
            .constructs
            .as_ref()
            .is_some_and(|(ty, _)| words.contains(ty.as_str()))
        || summary
            .built
            .as_ref()
            .is_some_and(|b| words.contains(b.ty.as_str()))
        || (summary.key.len() >= 2 && words.contains(summary.key[summary.key.len() - 2].as_str()))
}

/// The identifiers of a text (and some other words: only membership is asked).
pub(crate) fn words(bytes: &[u8]) -> HashSet<&str> {
    let mut out = HashSet::new();
    let mut start = None;
    for (at, &b) in bytes.iter().enumerate() {
        let part = b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
        match (part, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                if let Ok(word) = std::str::from_utf8(&bytes[from..at]) {
                    out.insert(word);
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        if let Ok(word) = std::str::from_utf8(&bytes[from..]) {
            out.insert(word);
        }
    }
    out
}

/// Every crate's own summaries, keyed by their module path in the crate and marked with their
/// file, built once and rebuilt only for the crates whose files changed.
pub(crate) struct SummaryIndex {
    own: HashMap<usize, Own>,
    reexports: HashMap<usize, Arc<[Reexport]>>,
}

impl SummaryIndex {
    pub fn of(files: &[SourceFile], placed: &Placed, infos: &[FileInfo]) -> SummaryIndex {
        let mut index = SummaryIndex {
            own: HashMap::new(),
            reexports: placed
                .reexports
                .iter()
                .map(|(krate, list)| (*krate, Arc::from(list.as_slice())))
                .collect(),
        };
        index.rebuild(files, placed, infos, None);
        index
    }

    /// Rebuilds the lists of `crates` (all when `None`).
    pub fn rebuild(
        &mut self,
        files: &[SourceFile],
        placed: &Placed,
        infos: &[FileInfo],
        crates: Option<&HashSet<usize>>,
    ) {
        let mut by_crate: HashMap<usize, Vec<(usize, Summary)>> = HashMap::new();
        for (i, info) in infos.iter().enumerate() {
            let krate = placed.files[i].krate;
            if crates.is_some_and(|c| !c.contains(&krate)) {
                continue;
            }
            for summary in &info.summaries {
                let mut summary = summary.clone();
                if let Some(built) = &mut summary.built {
                    built.path = Some(files[i].display.clone());
                } else {
                    let mut key = placed.files[i].module.clone();
                    key.append(&mut summary.key);
                    summary.key = key;
                }
                summary.origin = Some(files[i].display.clone());
                by_crate.entry(krate).or_default().push((i, summary));
            }
        }
        match crates {
            Some(crates) => {
                for krate in crates {
                    match by_crate.remove(krate) {
                        Some(list) => self.own.insert(*krate, Arc::new(list)),
                        None => self.own.remove(krate),
                    };
                }
            }
            None => {
                self.own = by_crate
                    .into_iter()
                    .map(|(krate, list)| (krate, Arc::new(list)))
                    .collect()
            }
        }
    }

    /// Every crate's own summaries.
    pub fn crates(&self) -> impl Iterator<Item = (usize, &Own)> + '_ {
        self.own.iter().map(|(krate, list)| (*krate, list))
    }

    /// What a crate sees: its own summaries and its libraries' (their functions only).
    pub fn view(&self, placed: &Placed, krate: usize, with_built: bool) -> View {
        View {
            own: self.own.get(&krate).cloned(),
            libraries: placed
                .libraries
                .get(&krate)
                .into_iter()
                .flatten()
                .map(|(lib, name)| Seen {
                    krate: *lib,
                    list: self.own.get(lib).cloned().unwrap_or_default(),
                    name: Arc::from(name.as_str()),
                    reexports: self
                        .reexports
                        .get(lib)
                        .cloned()
                        .unwrap_or_else(|| Arc::from(Vec::new().into_boxed_slice())),
                })
                .collect(),
            with_built,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_identifiers_of_the_text() {
        let w = words(b"fn run(&self) { self.tx_2.send(x); Worker::new() }");
        for word in ["fn", "run", "self", "tx_2", "send", "x", "Worker", "new"] {
            assert!(w.contains(word), "{word}");
        }
        assert!(!w.contains("Worker::new"));
    }

    #[test]
    fn a_library_summary_is_seen_under_the_name_it_is_used_by() {
        let summary = Summary {
            key: vec!["transport".into(), "io_transport".into()],
            name: "io_transport".into(),
            ..Summary::default()
        };
        let seen = Seen {
            krate: 0,
            list: Arc::new(vec![(0, summary.clone())]),
            name: Arc::from("tinymist"),
            reexports: Arc::from(Vec::new().into_boxed_slice()),
        };
        assert_eq!(
            seen.seen(&summary).key,
            ["tinymist", "transport", "io_transport"]
        );
        let view = View {
            own: None,
            libraries: vec![seen],
            with_built: false,
        };
        let words = words(b"fn main() { io_transport(tx) }");
        assert_eq!(view.materialize(1, Some(&words)).len(), 1);
        let other = super::words(b"fn main() { other(tx) }");
        assert!(view.materialize(1, Some(&other)).is_empty());
        assert!(
            view.materialize(0, None).is_empty(),
            "a file never sees its own"
        );
    }
}
