//! A file too big to hold as one syntax tree. syn's tree takes about a hundred times the size
//! of the source, so a generated 25 MB file would take 2.5 GB and seconds on one core. Such a
//! file is cut between top-level items into groups of about `GROUP_BYTES`
//! (`load::split::item_groups`); the groups are parsed and analysed in parallel, each tree
//! dropped when its group is done, like the files of a crate.
//!
//! A call from one group into a function of another is followed the way a call into another
//! file of the crate is: the group is analysed again with the other groups' summaries (one call
//! deep). Suppression comments are matched against the findings of all groups at once, so a
//! comment in one group may cover an item of the file wherever it is.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::facts::summary::Summary;
use crate::facts::FileContext;
use crate::load::ParseError;
use crate::loc::LineIndex;
use crate::{analyze_tree, catalogue, load, unanalyzed, Analyzed, CheckError, TreeAnalysis};

/// Files larger than this are cut into groups of items.
pub const GROUPED_ABOVE: usize = 4 << 20;
/// About how much of the file one tree holds.
const GROUP_BYTES: usize = 1 << 20;
/// The largest file parsed whole when it cannot be cut: one tree of 8 MiB of source takes
/// about 800 MB, and a 30 MiB one took 4 GB and a minute.
const WHOLE_AT_MOST: usize = 8 << 20;

/// What every group's analysis needs of the whole file, found once.
pub(crate) struct WholeFile<'a> {
    pub context: FileContext,
    pub lines: LineIndex<'a>,
    /// Whether the text may hold a suppression comment (`suppress::mentions_chanlint`).
    pub mentions_chanlint: bool,
}

/// Why a big file was not analysed in groups.
pub enum NotGrouped {
    /// Parse it whole, which also reports what is wrong with it.
    Whole(Vec<u8>),
    /// Too big to parse whole: this is the file's error.
    Error(CheckError),
}

/// The file's result, analysed group by group, unless the file cannot be cut: not UTF-8,
/// nested too deep, no place to cut, or a group that does not parse on its own.
pub fn analyze(
    display: &str,
    bytes: Vec<u8>,
    external: &[Summary],
    may_make_channel: bool,
    catalogue: &catalogue::Catalogue,
) -> Result<Analyzed, NotGrouped> {
    let text = String::from_utf8(bytes).map_err(|e| NotGrouped::Whole(e.into_bytes()))?;
    let analysis = {
        let code = load::code_of(&text);
        Groups::cut(&code).and_then(|groups| {
            if !may_make_channel && external.is_empty() {
                // Only parsed, for its syntax errors, as a small file would be.
                return groups.parse_all().map(|()| None);
            }
            groups
                .analyze(
                    &text,
                    display,
                    external,
                    may_make_channel || !external.is_empty(),
                    catalogue,
                )
                .map(Some)
        })
    };
    match analysis {
        Ok(None) => Ok(unanalyzed(text)),
        Ok(Some(analysis)) => Ok(analysis.finish(text, display)),
        Err(_) if text.len() <= WHOLE_AT_MOST => Err(NotGrouped::Whole(text.into_bytes())),
        Err((line, column, message)) => Err(NotGrouped::Error(CheckError {
            path: display.to_string(),
            line,
            column,
            message,
        })),
    }
}

struct Groups<'a> {
    code: &'a str,
    ranges: Vec<std::ops::Range<usize>>,
    lines_before: Vec<usize>,
}

impl<'a> Groups<'a> {
    fn cut(code: &'a str) -> Result<Groups<'a>, ParseError> {
        if let Some(error) = load::nesting_error(code) {
            return Err(error);
        }
        let ranges = load::split::item_groups(code, GROUP_BYTES);
        if ranges.len() < 2 {
            return Err((
                None,
                None,
                format!(
                    "no place to cut the file between top-level items (one item holds nearly \
                     all of it), and a file over {} MiB is checked only in groups of items \
                     (skip it with --exclude)",
                    WHOLE_AT_MOST >> 20
                ),
            ));
        }
        let mut lines_before = Vec::with_capacity(ranges.len());
        let mut lines = 0;
        for range in &ranges {
            lines_before.push(lines);
            lines += memchr::memchr_iter(b'\n', code[range.clone()].as_bytes()).count();
        }
        Ok(Groups {
            code,
            ranges,
            lines_before,
        })
    }

    /// Runs `work` on the tree of every group listed, in parallel; the first group's error if
    /// one does not parse.
    fn each<T: Send>(
        &self,
        which: &[usize],
        work: impl Fn(usize, &syn::File) -> T + Sync,
    ) -> Result<Vec<T>, ParseError> {
        which
            .par_iter()
            .map(|&g| {
                let done =
                    load::parse_group(self.code, self.ranges[g].clone(), self.lines_before[g])
                        .map(|tree| work(g, &tree));
                // The tree is gone: release proc-macro2's copy of the group's text.
                proc_macro2::extra::invalidate_current_thread_spans();
                done
            })
            .collect()
    }

    /// What the whole file declares, read from every group's tokens in parallel.
    fn context(&self) -> Result<FileContext, ParseError> {
        let statics = memchr::memmem::find(self.code.as_bytes(), b"static").is_some();
        let parts: Vec<FileContext> = (0..self.ranges.len())
            .into_par_iter()
            .map(|g| {
                let tokens = self.code[self.ranges[g].clone()].parse().ok();
                let mut part = FileContext::default();
                let read = tokens.and_then(|tokens| part.add_tokens(tokens, statics));
                proc_macro2::extra::invalidate_current_thread_spans();
                // The full parse of the group says where it fails.
                read.map(|()| part).ok_or(g)
            })
            .collect::<Result<_, usize>>()
            .map_err(|g| {
                self.each(&[g], |_, _| ()).err().unwrap_or((
                    None,
                    None,
                    "cannot parse a group of items".into(),
                ))
            })?;
        let mut context = FileContext::default();
        for part in parts {
            context.join(part);
        }
        context.finish();
        Ok(context)
    }

    /// The groups that another group's summaries may change: a call they could not follow
    /// names a function of another group, or another group constructs a type they implement
    /// (their methods see `self` as built). The functions of the other groups are the file's
    /// own: their summaries keep the file's positions, like those of the same tree.
    fn to_redo(&self, results: &[TreeAnalysis]) -> Vec<usize> {
        let mut by_name: HashMap<&str, Vec<(usize, &Summary)>> = HashMap::new();
        let mut constructed: Vec<(usize, &str)> = Vec::new();
        for (g, result) in results.iter().enumerate() {
            for summary in &result.summaries {
                by_name.entry(&summary.name).or_default().push((g, summary));
                if let Some((ty, _)) = &summary.constructs {
                    constructed.push((g, ty));
                }
            }
        }
        (0..results.len())
            .filter(|&g| {
                let built_elsewhere = constructed
                    .iter()
                    .any(|&(h, ty)| h != g && results[g].impl_types.contains(ty));
                built_elsewhere
                    || results[g].open_calls.iter().any(|(call, &carried)| {
                        // `path::to::f` or `.method`: either way the function's name comes last.
                        let name = crate::facts::summary::called_name(call);
                        by_name.get(name).is_some_and(|list| {
                            list.iter()
                                .any(|(h, s)| *h != g && s.explains(call, carried))
                        })
                    })
            })
            .collect()
    }

    fn parse_all(&self) -> Result<(), ParseError> {
        let all: Vec<usize> = (0..self.ranges.len()).collect();
        self.each(&all, |_, _| ()).map(drop)
    }

    /// Every group analysed; a group that calls into another is analysed again with the
    /// summaries of the others, as if they were other files of the crate.
    fn analyze(
        &self,
        text: &str,
        display: &str,
        external: &[Summary],
        follow_calls: bool,
        catalogue: &catalogue::Catalogue,
    ) -> Result<TreeAnalysis, ParseError> {
        let whole = WholeFile {
            context: self.context()?,
            lines: LineIndex::new(text),
            mentions_chanlint: crate::suppress::mentions_chanlint(text),
        };
        let all: Vec<usize> = (0..self.ranges.len()).collect();
        let analyze = |external: &[Summary], tree: &syn::File| {
            analyze_tree(
                tree,
                Some(&whole),
                text,
                display,
                external,
                follow_calls,
                catalogue,
            )
        };
        let mut results = self.each(&all, |_, tree| analyze(external, tree))?;
        // Two more rounds at most, while another group's summaries can change what a group
        // finds: the second sees the summaries of groups that the first could not follow yet.
        let mut redone_last: Vec<usize> = Vec::new();
        for _ in 0..2 {
            let mut again = self.to_redo(&results);
            // Those that applied summaries which have changed since.
            again.extend(redone_last);
            again.sort_unstable();
            again.dedup();
            if again.is_empty() {
                break;
            }
            let others = |g: usize| {
                let mut list = external.to_vec();
                for (h, result) in results.iter().enumerate() {
                    if h != g {
                        list.extend(result.summaries.iter().cloned());
                    }
                }
                list
            };
            let redone = self.each(&again, |g, tree| analyze(&others(g), tree))?;
            let mut changed = false;
            for (&g, result) in again.iter().zip(redone) {
                changed |= result.summaries != results[g].summaries;
                results[g] = result;
            }
            if !changed {
                break;
            }
            redone_last = again;
        }
        Ok(merge(results))
    }
}

/// One analysis of the whole file from those of its groups, in the order of the file.
fn merge(results: Vec<TreeAnalysis>) -> TreeAnalysis {
    let mut whole = TreeAnalysis::default();
    for result in results {
        whole.findings.extend(result.findings);
        whole.incomplete.extend(result.incomplete);
        whole.summaries.extend(result.summaries);
        for (call, carried) in result.open_calls {
            *whole.open_calls.entry(call).or_default() |= carried;
        }
        whole.open_on_holders.extend(result.open_on_holders);
        whole
            .across
            .param_handoffs
            .extend(result.across.param_handoffs);
        whole.across.followed.extend(result.across.followed);
        whole.across.feeds_waits.extend(result.across.feeds_waits);
        whole.keeps_globals |= result.keeps_globals;
        whole.items.extend(result.items);
    }
    whole
}
