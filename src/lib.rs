//! chanlint: finds channels that may never close.
//!
//! The data flows one way: paths are walked into files (`walk`), files are parsed (`load`),
//! each syntax tree yields ownership facts about its channels (`facts`), the rules query the
//! facts for findings (`rules`), and the findings are rendered (`render`).

pub mod big_file;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod data_tables;
pub mod facts;
pub mod finding;
pub mod fix;
pub mod gate;
pub mod lex;
pub mod load;
pub mod loc;
mod memory;
pub mod model;
pub mod render;
pub mod resolve;
mod rounds;
pub mod rules;
pub mod suppress;
pub mod walk;

use std::collections::{BTreeMap, HashSet};
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
    /// Read the sources of the registry dependencies the checked code calls, when on disk.
    pub dependency_sources: bool,
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
            dependency_sources: true,
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
    /// What the model could not read and did without (a manifest that cannot be parsed, a
    /// `mod` that names no file): path, what. Every other file is still checked.
    pub notes: Vec<(String, String)>,
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
    let (mut files, mut errors) = walk::walk(&options.paths, &walk_options)?;
    let checked_files = files.len();
    let (dependencies, mut notes) = dependency_files(&options.paths, &files, &walk_options);
    files.extend(dependencies);
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(ANALYSIS_STACK);
    if let Some(n) = options.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let first_pass = |files: &[walk::SourceFile]| -> (Vec<FileResult>, Vec<FileInfo>) {
        pool.install(|| {
            files
                .par_iter()
                .map(|file| {
                    let outcome = check_file(file, options.scan, &[], &config.catalogue);
                    // proc-macro2 keeps every parsed source in a per-thread map: release it.
                    proc_macro2::extra::invalidate_current_thread_spans();
                    outcome
                })
                .unzip()
        })
    };
    let (mut results, mut infos) = first_pass(&files);
    // The registry dependencies the checked code calls, when their sources are on disk
    // (vendored, or in cargo's registry cache): read for their summaries, as path
    // dependencies are, and never reported.
    let registry = match options.dependency_sources {
        false => Default::default(),
        true => model::registry::called_dependencies(
            (0..checked_files)
                .filter(|i| infos[*i].parsed)
                .map(|i| (files[i].path.as_path(), &infos[i].open_calls)),
            |name| config.catalogue.models_crate(name),
        ),
    };
    let folders: std::collections::BTreeSet<PathBuf> = registry
        .values()
        .flatten()
        .map(|(_, f)| f.clone())
        .collect();
    let sources = dependency_sources(
        &folders.into_iter().collect::<Vec<_>>(),
        &files,
        &walk_options,
    );
    let on_demand = files.len()..files.len() + sources.len();
    let (more_results, more_infos): (Vec<FileResult>, Vec<FileInfo>) =
        pool.install(|| sources.par_iter().map(declarations_only).unzip());
    files.extend(sources);
    results.extend(more_results);
    infos.extend(more_infos);
    let mut placed = rounds::Placed::of(&files, &infos, &registry);
    placed.on_demand = on_demand.map(|i| placed.files[i].krate).collect();

    notes.extend(placed.unresolved_mods.iter().map(|(i, decl)| {
        let message = format!(
            "`mod {};` names no file ({}): its items are not known to the other files",
            decl.name,
            match &decl.path {
                Some(path) => format!("no {path}"),
                None => format!("neither {0}.rs nor {0}/mod.rs", decl.name),
            }
        );
        (files[*i].display.clone(), message)
    }));
    let recheck = |list: Vec<rounds::Recheck>, pulled: bool| {
        pool.install(|| {
            list.into_par_iter()
                .map(|(i, view, extra)| {
                    // Made for this file while it is checked, of only the summaries whose
                    // names its text has; what its crate sees is shared by every file.
                    let mut external = match std::fs::read(&files[i].path) {
                        Ok(bytes) => view.materialize(i, Some(&rounds::view::words(&bytes))),
                        Err(_) => Vec::new(),
                    };
                    drop(view);
                    external.extend(extra);
                    let outcome = check_file_as(&files[i], &external, pulled, &config.catalogue);
                    proc_macro2::extra::invalidate_current_thread_spans();
                    (i, outcome)
                })
                .collect::<Vec<_>>()
        })
    };
    // Every crate's summaries, rebuilt only for the crates whose files changed.
    let mut index = rounds::view::SummaryIndex::of(&files, &placed, &infos);
    // Files the byte scan skipped that define a function another file of the crate calls with
    // a channel (an actor's `new` and `run` in a file that names no constructor): summarized
    // with the crate's summaries, and checked.
    // Files that call into other files of their crate are checked again with those summaries,
    // and what they then call with a channel may pull in more files (a constructor of one
    // crate returns the sender that a method of another crate stores): again while files
    // are pulled in, a few times at most. A file pulled in is read for the summaries of the
    // functions called; what its own functions call with their parameters pulls in nothing
    // more (every call on a parameter would, and through a big crate the rounds would parse
    // most of it).
    let mut methods_read: HashSet<usize> = HashSet::new();
    // The files whose summaries the last round changed (`None` before the first).
    let mut last_fresh: Option<HashSet<usize>> = None;
    // The names of the functions a file called with a real channel, in any round.
    let mut called_with_channels: HashSet<String> = HashSet::new();
    // Files to check again because a function they name changed what it stores into values
    // shared with a global (`rounds::shared`): the layer above learns it a round later.
    let mut shared_callers: HashSet<usize> = HashSet::new();
    for round in 0..rounds::MAX_PULL_ROUNDS {
        // The methods of the libraries whose methods a file calls with a channel, for the
        // method pull-ins.
        let calling = rounds::crates_calling_methods(&placed, &infos);
        pool.install(|| {
            rounds::read_methods(&files, &placed, &mut infos, &calling, &mut methods_read)
        });
        let mut pulls = rounds::pull_ins(&files, &placed, &infos, &index, &config.catalogue);
        // Files whose own summaries a callee's now known summary changes.
        let resummarized: HashSet<usize> = {
            // Only a file that waits for a channel's end can gain or lose a finding by what
            // the functions it hands that channel's senders keep.
            let mut newly_called = HashSet::new();
            for info in infos.iter().filter(|i| i.parsed) {
                for name in &info.across.feeds_waits {
                    if !called_with_channels.contains(name) {
                        called_with_channels.insert(name.clone());
                        newly_called.insert(name.clone());
                    }
                }
            }
            let called = rounds::Called {
                all: &called_with_channels,
                new: &newly_called,
            };
            let again = rounds::resummaries(&placed, &infos, &index, last_fresh.as_ref(), called);
            let list: HashSet<usize> = again.iter().map(|(i, _, _)| *i).collect();
            pulls.retain(|(i, _, _)| !list.contains(i));
            pulls.extend(again);
            list
        };
        let pulled = recheck(pulls, true);
        if round > 0 && pulled.is_empty() && shared_callers.is_empty() {
            break;
        }
        // After the first round, only the files that call into a file pulled in can gain a
        // finding.
        let mut gained: HashSet<usize> = HashSet::new();
        let mut fresh: HashSet<usize> = HashSet::new();
        // The functions whose summaries changed when their files were read again: the files
        // that call them must apply the new summaries (only those: the files' other functions
        // are as they were).
        let mut changed = rounds::Changed::default();
        let mut resummarized_fresh: HashSet<usize> = HashSet::new();
        for (i, (result, info)) in pulled {
            gained.insert(placed.files[i].krate);
            results[i] = result;
            let methods = std::mem::take(&mut infos[i].methods);
            let again = resummarized.contains(&i);
            if again {
                if changed.add(&infos[i].summaries, &info.summaries) {
                    resummarized_fresh.insert(i);
                }
            } else {
                fresh.insert(i);
            }
            infos[i] = FileInfo {
                methods,
                pulled: !again || infos[i].pulled,
                ..info
            };
        }
        index.rebuild(&files, &placed, &infos, Some(&gained));
        // A dependency's own findings are not reported: its files are read only for what
        // they tell their callers (pulled in above).
        let mut fresh_now = fresh.clone();
        fresh_now.extend(resummarized_fresh);
        let fresh = (round > 0).then_some(&fresh);
        let mut again = pool.install(|| {
            rounds::cross_file_rechecks(
                &files,
                &placed,
                &mut infos,
                &index,
                fresh,
                rounds::Updated {
                    changed: &changed,
                    shared_callers: &shared_callers,
                },
                &mut methods_read,
            )
        });
        again.retain(|(i, _, _)| !files[*i].dependency);
        let mut rechecked: HashSet<usize> = HashSet::new();
        let keeping = rounds::shared::keeping_crates(&placed, &infos);
        let mut shared_changed: Vec<(usize, Vec<String>)> = Vec::new();
        for (i, (result, info)) in recheck(again, false) {
            results[i] = result;
            let krate = placed.files[i].krate;
            let (built, shared) =
                rounds::keep_learnt(&mut infos[i], info, keeping.contains(&krate));
            if built || !shared.is_empty() {
                rechecked.insert(krate);
            }
            if !shared.is_empty() {
                shared_changed.push((i, shared));
            }
        }
        index.rebuild(&files, &placed, &infos, Some(&rechecked));
        last_fresh = Some(fresh_now);
        shared_callers = rounds::shared::callers(&files, &placed, &infos, &shared_changed);
    }
    // Files of types built elsewhere from both ends of a channel see `self` as so built.
    let mut built = rounds::built_rechecks(&files, &placed, &infos, &index);
    built.retain(|(i, _, _)| !files[*i].dependency);
    for (i, (result, _)) in recheck(built, false) {
        results[i] = result;
    }
    notes.sort();
    let mut report = Report {
        files_checked: checked_files,
        notes,
        ..Report::default()
    };
    // The files of dependencies were read for their summaries only; one that cannot be read
    // or parsed is only not known.
    for result in results.drain(checked_files..) {
        if let FileResult::Error(e) = result {
            let message = format!(
                "a dependency's source cannot be read, its functions are not known: {}",
                e.message
            );
            report.notes.push((e.path, message));
        }
    }
    report.notes.sort();
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

/// The files of the packages that the checked crates depend on by path, outside the checked
/// paths (not reported); a folder that cannot be walked is skipped, as a dependency it only
/// adds knowledge.
/// With notes (path, what) on the manifests that could not be followed.
fn dependency_files(
    paths: &[PathBuf],
    checked: &[walk::SourceFile],
    options: &walk::WalkOptions,
) -> (Vec<walk::SourceFile>, Vec<(String, String)>) {
    let (folders, notes) = model::manifests::dependency_folders(paths);
    let notes = notes
        .into_iter()
        .map(|n| (n.manifest.display().to_string(), n.message))
        .collect();
    (dependency_sources(&folders, checked, options), notes)
}

/// The Rust files of dependency packages (each folder's `src/`, else the folder), less those
/// already listed, marked as dependencies; a folder that cannot be walked is skipped, as a
/// dependency it only adds knowledge.
fn dependency_sources(
    folders: &[PathBuf],
    listed: &[walk::SourceFile],
    options: &walk::WalkOptions,
) -> Vec<walk::SourceFile> {
    if folders.is_empty() {
        return Vec::new();
    }
    let canonical = model::manifests::canonical;
    let mut known: HashSet<PathBuf> = listed.iter().map(|f| canonical(&f.path)).collect();
    let roots: Vec<PathBuf> = folders
        .iter()
        .map(|f| match f.join("src") {
            src if src.is_dir() => src,
            _ => f.clone(),
        })
        .collect();
    let Ok((files, _)) = walk::walk(&roots, options) else {
        return Vec::new();
    };
    files
        .into_iter()
        .filter(|f| known.insert(canonical(&f.path)))
        .map(|f| walk::SourceFile {
            dependency: true,
            ..f
        })
        .collect()
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
    /// Parsed in a later round, for the summaries of the functions another file calls.
    pulled: bool,
    mods: Vec<model::crates::ModDecl>,
    /// Its methods' receiver kinds, read from its text, parsed or not, when its crate's or a
    /// crate that uses it calls a method it could not follow (`rounds::crates_calling_methods`).
    methods: Vec<model::receivers::MethodSig>,
    summaries: Vec<facts::summary::Summary>,
    /// Calls the file could not follow (see `FileFacts::open_calls`).
    open_calls: std::collections::HashMap<String, bool>,
    /// Methods of those called on a binding that held channel ends (`FileFacts::open_on_holders`).
    open_on_holders: HashSet<String>,
    /// What the file's own summaries left to other files' functions (`facts::CallsAcross`).
    across: facts::CallsAcross,
    /// A value of it shares its state with a process-wide global (`FileFacts::keeps_globals`).
    keeps_globals: bool,
}

fn check_file(
    file: &walk::SourceFile,
    scan: bool,
    external: &[facts::summary::Summary],
    catalogue: &catalogue::Catalogue,
) -> (FileResult, FileInfo) {
    check_file_in(file, scan, external, false, catalogue)
}

/// What a file declares that the rounds read from its text, parsed or not: its `mod`
/// declarations, and its `macro_rules!` (they reach the other files of its crate, whatever
/// the byte scan does).
fn declarations(bytes: &[u8]) -> FileInfo {
    FileInfo {
        mods: match model::crates::may_declare_modules(bytes) {
            true => model::crates::mod_declarations(&String::from_utf8_lossy(bytes)),
            false => Vec::new(),
        },
        summaries: facts::macro_defs::of_text(bytes),
        ..FileInfo::default()
    }
}

/// A registry dependency's file, read for its declarations only: it is parsed when a checked
/// file calls one of its functions (pulled in), so what is read grows with what the checked
/// code reaches, not with the size of its dependencies.
fn declarations_only(file: &walk::SourceFile) -> (FileResult, FileInfo) {
    match load::read(&file.path, &file.display) {
        Ok(bytes) => (FileResult::Skipped, declarations(&bytes)),
        Err(e) => (FileResult::Error(e), FileInfo::default()),
    }
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
    let mut info = declarations(&bytes);
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
    let (checked, summaries, open_calls, open_on_holders, across, keeps_globals) = match checked {
        Err(e) => return (FileResult::Error(e), info),
        Ok(checked) => checked,
    };
    // What the cross-file pass learns from a file must not depend on the byte scan: a file
    // the scan would skip contributes only its `mod` declarations, as if it were skipped.
    if candidate {
        info.parsed = true;
        info.summaries.extend(summaries);
        info.open_calls = open_calls;
        info.open_on_holders = open_on_holders;
        info.across = across;
        info.keeps_globals = keeps_globals;
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
    analyzed.map(|(checked, ..)| checked)
}

/// One file's findings, with the summaries of its functions that matter to channels and the
/// calls it could not follow (for the cross-file pass).
type Analyzed = (
    SourceCheck,
    Vec<facts::summary::Summary>,
    std::collections::HashMap<String, bool>,
    HashSet<String>,
    facts::CallsAcross,
    bool,
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
    (
        checked,
        Vec::new(),
        Default::default(),
        HashSet::new(),
        Default::default(),
        false,
    )
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
    open_on_holders: HashSet<String>,
    across: facts::CallsAcross,
    keeps_globals: bool,
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
        across: calls_across(&mut facts),
        open_calls: carried_by_real_channels(&facts, facts.open_calls.clone().unwrap_or_default()),
        open_on_holders: std::mem::take(&mut facts.open_on_holders),
        keeps_globals: facts.keeps_globals,
        items,
    }
}

/// What the tree's analysis left to other files' functions, with the calls that fed a
/// channel it waits for.
fn calls_across(facts: &mut facts::FileFacts) -> facts::CallsAcross {
    let mut across = std::mem::take(&mut facts.across);
    let handed = std::mem::take(&mut across.handed_real);
    let waited: HashSet<usize> = facts.waits.iter().map(|w| w.chan).collect();
    across.feeds_waits = handed
        .into_iter()
        .filter(|(_, chan)| waited.contains(chan))
        .map(|(name, _)| name)
        .collect();
    across
}

/// The calls a tree could not follow, carrying a channel only if the tree has a real one.
/// A function's parameters are bound to placeholders while it is summarized, so every call
/// it makes with them carries one; but what a later round learns for a file is its findings
/// and the constructions it sees (`rounds::keep_built`), and neither can come from
/// placeholders alone: such a file is checked again only for a call of another file's
/// function that makes a channel.
fn carried_by_real_channels(
    facts: &facts::FileFacts,
    mut calls: std::collections::HashMap<String, bool>,
) -> std::collections::HashMap<String, bool> {
    if !facts.channels.iter().any(|c| c.param.is_none()) {
        calls.values_mut().for_each(|carried| *carried = false);
    }
    calls
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
        (
            checked,
            self.summaries,
            self.open_calls,
            self.open_on_holders,
            self.across,
            self.keeps_globals,
        )
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
