//! chanlint: finds channels that may never close.
//!
//! The data flows one way: paths are walked into files (`walk`), files are parsed (`load`),
//! each syntax tree yields ownership facts about its channels (`facts`), the rules query the
//! facts for findings (`rules`), and the findings are rendered (`render`).

pub mod big_file;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod crates;
pub mod data_tables;
pub mod facts;
pub mod finding;
pub mod fix;
pub mod gate;
pub mod lex;
pub mod load;
pub mod loc;
mod memory;
pub mod render;
pub mod resolve;
mod rounds;
pub mod rules;
pub mod suppress;
pub mod walk;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

pub use finding::{CheckError, Finding, Severity};

/// Stack for the threads that parse and analyse: syn recurses once or more per nesting level.
const ANALYSIS_STACK: usize = 256 << 20;

#[derive(Clone, Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub exclude: Vec<String>,
    pub respect_gitignore: bool,
    /// Worker threads; `None`: one per core.
    pub threads: Option<usize>,
    /// Skip, by a byte scan, files that cannot create a channel.
    pub scan: bool,
    /// Where to read `chanlint.toml` (or `Cargo.toml` metadata) from.
    pub config: config::Lookup,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            paths: vec![PathBuf::from(".")],
            exclude: Vec::new(),
            respect_gitignore: true,
            threads: None,
            scan: true,
            config: config::Lookup::Discover,
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub files_checked: usize,
    /// Sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    pub errors: Vec<CheckError>,
    /// Functions whose analysis stopped early: `path:line`, reason.
    pub incomplete: Vec<(String, usize, String)>,
    /// The text of every file with a finding, for rendering.
    pub sources: BTreeMap<String, String>,
}

impl Report {
    /// 0 clean, 1 findings, 2 incomplete (2 wins over 1).
    pub fn exit_code(&self) -> i32 {
        if !self.errors.is_empty() {
            2
        } else if !self.findings.is_empty() {
            1
        } else {
            0
        }
    }
}

/// Checks every Rust file under `options.paths`.
pub fn check(options: &Options) -> Result<Report, String> {
    let config = config::Config::load(&options.config, &options.paths)?;
    let walk_options = walk::WalkOptions {
        exclude: options
            .exclude
            .iter()
            .chain(&config.exclude)
            .cloned()
            .collect(),
        respect_gitignore: options.respect_gitignore,
    };
    let (files, mut errors) = walk::walk(&options.paths, &walk_options)?;
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(ANALYSIS_STACK);
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let outcomes: Vec<(FileResult, FileInfo)> = pool.install(|| {
        files
            .par_iter()
            .map(|file| {
                let outcome = check_file(file, options.scan, &[], &config.catalogue);
                // proc-macro2 keeps every parsed source in a per-thread map: release it.
                proc_macro2::extra::invalidate_current_thread_spans();
                outcome
            })
            .collect()
    });
    let (mut results, mut infos): (Vec<FileResult>, Vec<FileInfo>) = outcomes.into_iter().unzip();
    let placed = rounds::Placed::of(&files, &infos);
    let recheck = |list: Vec<(usize, rounds::CrateSummaries)>, pulled: bool| {
        pool.install(|| {
            list.into_par_iter()
                .map(|(i, crate_summaries)| {
                    // Copied per file while it is checked (a file never sees its own); the
                    // crate's list is shared, so memory does not grow with the files.
                    let external: Vec<facts::summary::Summary> = crate_summaries
                        .iter()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, s)| s.clone())
                        .collect();
                    let outcome = check_file_as(&files[i], &external, pulled, &config.catalogue);
                    proc_macro2::extra::invalidate_current_thread_spans();
                    (i, outcome)
                })
                .collect::<Vec<_>>()
        })
    };
    // Files the byte scan skipped that define a function another file of the crate calls with
    // a channel (an actor's `new` and `run` in a file that names no constructor): summarized
    // with the crate's summaries, and checked.
    for (i, (result, info)) in recheck(rounds::pull_ins(&files, &placed, &infos), true) {
        results[i] = result;
        infos[i] = info;
    }
    // Files that call into other files of their crate are checked again with those summaries.
    for (i, (result, info)) in recheck(cross_file_rechecks(&files, &placed, &infos), false) {
        results[i] = result;
        rounds::keep_built(&mut infos[i], info);
    }
    // Files of types built elsewhere from both ends of a channel see `self` as so built.
    for (i, (result, _)) in recheck(rounds::built_rechecks(&files, &placed, &infos), false) {
        results[i] = result;
    }
    let mut report = Report {
        files_checked: files.len(),
        ..Report::default()
    };
    for result in results {
        match result {
            FileResult::Skipped | FileResult::Clean => {}
            FileResult::Error(e) => errors.push(e),
            FileResult::Checked {
                display,
                text,
                findings,
                incomplete,
            } => {
                report.incomplete.extend(
                    incomplete
                        .into_iter()
                        .map(|(line, why)| (display.clone(), line, why)),
                );
                if !findings.is_empty() {
                    report.sources.insert(display, text);
                    report.findings.extend(findings);
                }
            }
        }
    }
    config.apply(&mut report.findings);
    report
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    errors.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    report.errors = errors;
    Ok(report)
}

enum FileResult {
    Skipped,
    Clean,
    Error(CheckError),
    Checked {
        display: String,
        text: String,
        findings: Vec<Finding>,
        incomplete: Vec<(usize, String)>,
    },
}

/// What the cross-file pass needs from one file: its `mod` declarations and the summaries of
/// its functions that matter to channels.
#[derive(Default)]
struct FileInfo {
    /// Parsed in the first pass (it may create a channel).
    parsed: bool,
    mods: Vec<crates::ModDecl>,
    summaries: Vec<facts::summary::Summary>,
    /// Calls the file could not follow (see `FileFacts::open_calls`).
    open_calls: std::collections::HashMap<String, bool>,
}

fn check_file(
    file: &walk::SourceFile,
    scan: bool,
    external: &[facts::summary::Summary],
    catalogue: &catalogue::Catalogue,
) -> (FileResult, FileInfo) {
    check_file_in(file, scan, external, false, catalogue)
}

/// A later round's check of a file, with the summaries of other files. `pulled`: the file
/// is read for its own summaries too, though it names no channel constructor.
fn check_file_as(
    file: &walk::SourceFile,
    external: &[facts::summary::Summary],
    pulled: bool,
    catalogue: &catalogue::Catalogue,
) -> (FileResult, FileInfo) {
    check_file_in(file, false, external, pulled, catalogue)
}

fn check_file_in(
    file: &walk::SourceFile,
    scan: bool,
    external: &[facts::summary::Summary],
    pulled: bool,
    catalogue: &catalogue::Catalogue,
) -> (FileResult, FileInfo) {
    let bytes = match load::read(&file.path, &file.display) {
        Ok(bytes) => bytes,
        Err(e) => return (FileResult::Error(e), FileInfo::default()),
    };
    let mut info = FileInfo {
        mods: match memchr::memmem::find(&bytes, b"mod ") {
            Some(_) => crates::mod_declarations(&String::from_utf8_lossy(&bytes)),
            None => Vec::new(),
        },
        // Its `macro_rules!` reach the other files of its crate, whatever the byte scan does.
        summaries: facts::macro_defs::of_text(&bytes),
        ..FileInfo::default()
    };
    let candidate =
        pulled || gate::may_create_channel(&bytes, catalogue) || catalogue.mentions_model(&bytes);
    if scan && !candidate && std::str::from_utf8(&bytes).is_ok() {
        return (FileResult::Skipped, info);
    }
    // A bug in the analysis must cost one file, not the run: the panic (printed by the hook,
    // for the bug report) becomes this file's error.
    let size = bytes.len();
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyze_source(&file.display, bytes, external, candidate, catalogue)
    }))
    .unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(CheckError {
            path: file.display.clone(),
            line: None,
            column: None,
            message: format!("internal error, a chanlint bug (please report it): {why}"),
        })
    });
    memory::after_file(size);
    let (checked, summaries, open_calls) = match checked {
        Err(e) => return (FileResult::Error(e), info),
        Ok(checked) => checked,
    };
    // What the cross-file pass learns from a file must not depend on the byte scan: a file
    // the scan would skip contributes only its `mod` declarations, as if it were skipped.
    if candidate {
        info.parsed = true;
        info.summaries.extend(summaries);
        info.open_calls = open_calls;
    } else {
        // Constructions of other files' types are found only with their summaries, which
        // the file gets in a later round whatever the scan did.
        info.summaries
            .extend(summaries.into_iter().filter(|s| s.built.is_some()));
    }
    let result = if checked.findings.is_empty() && checked.incomplete.is_empty() {
        FileResult::Clean
    } else {
        FileResult::Checked {
            display: file.display.clone(),
            text: checked.text,
            findings: checked.findings,
            incomplete: checked.incomplete,
        }
    };
    (result, info)
}

/// What checking one file's text found.
#[derive(Debug)]
pub struct SourceCheck {
    pub text: String,
    pub findings: Vec<Finding>,
    /// Functions whose analysis stopped early: line, reason.
    pub incomplete: Vec<(usize, String)>,
}

/// Checks one file's bytes the way `check` checks a file on disk (parse, analyse, rules,
/// suppressions; no byte scan, no config, no other file), naming it `display` in findings and
/// errors. Input over the size limit or deeply nested is refused, but the analysis still
/// recurses: call this on a thread with a large stack, as `check` does.
pub fn check_source(display: &str, bytes: Vec<u8>) -> Result<SourceCheck, CheckError> {
    if bytes.len() as u64 > load::MAX_FILE_BYTES {
        return Err(CheckError {
            path: display.to_string(),
            line: None,
            column: None,
            message: load::too_big(bytes.len() as u64),
        });
    }
    let grouped = bytes.len() > big_file::GROUPED_ABOVE;
    let analyze = move || analyze_source(display, bytes, &[], true, &catalogue::BUILTIN);
    let analyzed = if grouped && rayon::current_thread_index().is_none() {
        // A big file's groups are analysed on worker threads, which need the stack too.
        match rayon::ThreadPoolBuilder::new()
            .stack_size(ANALYSIS_STACK)
            .build()
        {
            Ok(pool) => pool.install(analyze),
            Err(_) => analyze(),
        }
    } else {
        analyze()
    };
    analyzed.map(|(checked, _, _)| checked)
}

/// One file's findings, with the summaries of its functions that matter to channels and the
/// calls it could not follow (for the cross-file pass).
type Analyzed = (
    SourceCheck,
    Vec<facts::summary::Summary>,
    std::collections::HashMap<String, bool>,
);

fn analyze_source(
    display: &str,
    bytes: Vec<u8>,
    external: &[facts::summary::Summary],
    may_make_channel: bool,
    catalogue: &catalogue::Catalogue,
) -> Result<Analyzed, CheckError> {
    let bytes = if bytes.len() > big_file::GROUPED_ABOVE {
        match big_file::analyze(display, bytes, external, may_make_channel, catalogue) {
            Ok(analyzed) => return Ok(analyzed),
            Err(big_file::NotGrouped::Error(error)) => return Err(error),
            Err(big_file::NotGrouped::Whole(bytes)) => bytes,
        }
    } else {
        bytes
    };
    let source = load::load(bytes, display)?;
    if !may_make_channel && external.is_empty() {
        // Nothing in it can make a channel and nothing of another file reaches it, so no rule
        // can report anything: without the byte scan it is only parsed, for its syntax errors,
        // and the result is the one the scan gives.
        return Ok(unanalyzed(source.text));
    }
    // A file handed channels by other files' functions follows its own calls as a file that
    // makes them does (`read_lines(rx)` drains what `pipe::open()` returned).
    let tree = analyze_tree(
        &source.file,
        None,
        &source.text,
        display,
        external,
        may_make_channel || !external.is_empty(),
        catalogue,
    );
    drop(source.file);
    Ok(tree.finish(source.text, display))
}

fn unanalyzed(text: String) -> Analyzed {
    let checked = SourceCheck {
        text,
        findings: Vec::new(),
        incomplete: Vec::new(),
    };
    (checked, Vec::new(), std::collections::HashMap::new())
}

/// What the analysis of one syntax tree found, before suppressions: a file's tree, or one of
/// the trees of a big file's groups of items.
#[derive(Default)]
struct TreeAnalysis {
    findings: Vec<Finding>,
    incomplete: Vec<(usize, String)>,
    /// Those that matter to a caller.
    summaries: Vec<facts::summary::Summary>,
    open_calls: std::collections::HashMap<String, bool>,
    /// Items a suppression comment can cover (only looked for if the text has one).
    items: Vec<suppress::ItemRange>,
    /// For a group of a big file: the types it implements methods for.
    impl_types: std::collections::HashSet<String>,
}

/// `whole`: the file, for a tree of only some of its items.
fn analyze_tree(
    file: &syn::File,
    whole: Option<&big_file::WholeFile>,
    text: &str,
    display: &str,
    external: &[facts::summary::Summary],
    follow_calls: bool,
    catalogue: &catalogue::Catalogue,
) -> TreeAnalysis {
    let (mut facts, summaries) = match whole {
        Some(whole) => facts::analyze_items_in(
            file,
            &whole.context,
            &whole.lines,
            external,
            follow_calls,
            catalogue,
        ),
        None => facts::analyze_file_in(file, text, external, follow_calls, catalogue),
    };
    let suppressions = whole.map_or_else(
        || suppress::mentions_chanlint(text),
        |whole| whole.mentions_chanlint,
    );
    let items = if suppressions {
        suppress::item_ranges(file)
    } else {
        Vec::new()
    };
    TreeAnalysis {
        impl_types: match whole {
            Some(_) => facts::impl_types(&file.items),
            None => Default::default(),
        },
        findings: rules::check_file(&facts, display),
        incomplete: facts
            .incomplete
            .drain(..)
            .map(|(loc, why)| (loc.line, why))
            .collect(),
        summaries,
        open_calls: facts.open_calls.take().unwrap_or_default(),
        items,
    }
}

impl TreeAnalysis {
    /// The file's result: its findings with its suppressions applied.
    fn finish(self, text: String, display: &str) -> Analyzed {
        let suppressions = if suppress::mentions_chanlint(&text) {
            suppress::scan_with(&text, &self.items)
        } else {
            Vec::new()
        };
        let findings = suppress::apply(&suppressions, self.findings, display, &|id| {
            render::all_rules().iter().any(|r| r.id == id)
        });
        let checked = SourceCheck {
            text,
            findings,
            incomplete: self.incomplete,
        };
        (checked, self.summaries, self.open_calls)
    }
}

/// The files to check again, each with the summaries of the other files of its crate, when
/// it names one of their functions.
fn cross_file_rechecks(
    files: &[walk::SourceFile],
    placement: &rounds::Placed,
    infos: &[FileInfo],
) -> Vec<(usize, rounds::CrateSummaries)> {
    if infos.iter().all(|i| i.summaries.is_empty()) {
        return Vec::new();
    }
    let by_crate = rounds::summaries_by_crate(files, placement, infos);
    // Each crate's summaries by name, so a file's calls are matched against the few functions
    // of that name, not against every function of its crate.
    let named: std::collections::HashMap<usize, std::collections::HashMap<&str, Vec<usize>>> =
        by_crate
            .iter()
            .map(|(krate, list)| {
                let mut index: std::collections::HashMap<&str, Vec<usize>> = Default::default();
                for (k, (_, s)) in list.iter().enumerate() {
                    if s.built.is_none() {
                        index.entry(s.name.as_str()).or_default().push(k);
                    }
                }
                (*krate, index)
            })
            .collect();
    let placed = &placement.files;
    let mut wanted: Vec<usize> = Vec::new();
    for (i, place) in placed.iter().enumerate() {
        let (Some(list), Some(index)) = (by_crate.get(&place.krate), named.get(&place.krate))
        else {
            continue;
        };
        let other = |k: &usize| list[*k].0 != i;
        let affected = if infos[i].parsed {
            infos[i].open_calls.iter().any(|(call, &carried)| {
                let name = facts::summary::called_name(call);
                index.get(name).is_some_and(|ks| {
                    ks.iter()
                        .filter(|k| other(k))
                        .any(|k| list[*k].1.explains(call, carried))
                })
            })
        } else {
            let mut bytes: Option<Option<std::rc::Rc<Vec<u8>>>> = None;
            let mut text = || {
                bytes
                    .get_or_insert_with(|| std::fs::read(&files[i].path).ok().map(std::rc::Rc::new))
                    .clone()
            };
            index
                .values()
                .flatten()
                .filter(|k| other(k))
                .any(|k| affects(&list[*k].1, None, &mut text))
        };
        if affected {
            wanted.push(i);
        }
    }
    let shared = rounds::shared(
        by_crate
            .into_iter()
            .filter(|(krate, _)| wanted.iter().any(|&i| placed[i].krate == *krate))
            .collect(),
        |s| s.built.is_none(),
    );
    wanted
        .into_iter()
        .map(|i| (i, shared[&placed[i].krate].clone()))
        .collect()
}

/// Whether a summary can change the findings of a file. A parsed file says which calls it
/// could not follow; a file the byte scan skipped makes no channel itself, so only a call that
/// returns one matters, and its text must name the function.
fn affects(
    summary: &facts::summary::Summary,
    open_calls: Option<&std::collections::HashMap<String, bool>>,
    text: &mut impl FnMut() -> Option<std::rc::Rc<Vec<u8>>>,
) -> bool {
    match open_calls {
        Some(calls) => summary.explains_any(calls),
        None => {
            // How another file can name it: `Type::new` for an associated function.
            let written = match summary.key.len() {
                0 | 1 => summary.name.clone(),
                n => format!("{}::{}", summary.key[n - 2], summary.name),
            };
            summary.makes_channels()
                && text()
                    .is_some_and(|bytes| memchr::memmem::find(&bytes, written.as_bytes()).is_some())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file that the walk listed but that is gone when it is read (deleted meanwhile).
    #[test]
    fn a_file_that_vanished_after_the_walk_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.rs");
        std::fs::write(&path, "fn main() {}\n").unwrap();
        let options = walk::WalkOptions {
            exclude: Vec::new(),
            respect_gitignore: true,
        };
        let (files, errors) = walk::walk(&[dir.path().to_path_buf()], &options).unwrap();
        assert!(errors.is_empty());
        assert_eq!(files.len(), 1);
        std::fs::remove_file(&path).unwrap();
        let (FileResult::Error(error), _) = check_file(&files[0], false, &[], &catalogue::BUILTIN)
        else {
            panic!("no error for a vanished file");
        };
        assert_eq!(error.path, files[0].display);
        assert!(error.message.starts_with("cannot read file"), "{error:?}");
    }

    /// Found by hand after fuzzing: `ReceiverStream::new()` without an argument indexed the
    /// missing argument.
    #[test]
    fn a_receiver_wrapper_without_argument_does_not_panic() {
        let text = "fn main() {\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    let s = ReceiverStream::new();\n    let t = ReceiverStream::new(rx, tx);\n}\n";
        let checked = check_source("wrapper.rs", text.as_bytes().to_vec()).unwrap();
        assert!(checked.findings.is_empty());
    }

    #[test]
    fn a_read_error_is_an_error_naming_the_file() {
        // Reading a folder fails even for root, unlike a file without read permission.
        let dir = tempfile::tempdir().unwrap();
        let error = load::read(dir.path(), "shown.rs").unwrap_err();
        assert_eq!(error.path, "shown.rs");
        assert!(error.message.starts_with("cannot read file"), "{error:?}");
    }

    #[test]
    fn source_over_the_size_limit_is_refused() {
        let bytes = vec![b' '; load::MAX_FILE_BYTES as usize + 1];
        let error = check_source("big.rs", bytes).unwrap_err();
        assert!(error.message.contains("more than the 32 MiB"), "{error:?}");
    }

    #[test]
    fn a_file_over_the_size_limit_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.rs");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(load::MAX_FILE_BYTES + 1).unwrap();
        let error = load::read(&path, "big.rs").unwrap_err();
        let size = format!("{}.0 MiB", load::MAX_FILE_BYTES >> 20);
        assert!(error.message.contains(&size), "{error:?}");
        file.set_len(load::MAX_FILE_BYTES).unwrap();
        assert!(load::read(&path, "big.rs").is_ok());
    }
}
