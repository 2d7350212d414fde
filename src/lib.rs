//! chanlint: finds channels that may never close.
//!
//! The data flows one way: paths are walked into files (`walk`), files are parsed (`load`),
//! each syntax tree yields ownership facts about its channels (`facts`), the rules query the
//! facts for findings (`rules`), and the findings are rendered (`render`).

pub mod catalogue;
pub mod cli;
pub mod config;
pub mod crates;
pub mod data_tables;
pub mod facts;
pub mod finding;
pub mod fix;
pub mod lex;
pub mod load;
pub mod loc;
pub mod render;
pub mod resolve;
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
    let (mut results, infos): (Vec<FileResult>, Vec<FileInfo>) = outcomes.into_iter().unzip();
    // Files that call into other files of their crate are checked again with those summaries.
    let rechecks = cross_file_rechecks(&files, infos, &config.catalogue);

    let redone: Vec<(usize, FileResult)> = pool.install(|| {
        rechecks
            .into_par_iter()
            .map(|(i, in_crate)| {
                // Built here, one file at a time: a copy per file up front took gigabytes.
                let external: Vec<facts::summary::Summary> = in_crate
                    .iter()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, s)| s.clone())
                    .collect();
                let (result, _) = check_file(&files[i], false, &external, &config.catalogue);
                proc_macro2::extra::invalidate_current_thread_spans();
                (i, result)
            })
            .collect()
    });
    for (i, result) in redone {
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
    mods: Vec<crates::ModDecl>,
    summaries: Vec<facts::summary::Summary>,
}

fn check_file(
    file: &walk::SourceFile,
    scan: bool,
    external: &[facts::summary::Summary],
    catalogue: &catalogue::Catalogue,
) -> (FileResult, FileInfo) {
    let bytes = match load::read(&file.path, &file.display) {
        Ok(bytes) => bytes,
        Err(e) => return (FileResult::Error(e), FileInfo::default()),
    };
    let mut info = FileInfo {
        // Most files declare no module: skip the line scan (and the UTF-8 check) for them.
        mods: if memchr::memmem::find(&bytes, b"mod").is_some() {
            crates::mod_declarations(&String::from_utf8_lossy(&bytes))
        } else {
            Vec::new()
        },
        ..FileInfo::default()
    };
    if scan
        && !may_create_channel(&bytes)
        && !catalogue.mentions_added_constructor(&bytes)
        && std::str::from_utf8(&bytes).is_ok()
    {
        return (FileResult::Skipped, info);
    }
    let source = match load::load(bytes, &file.display) {
        Ok(source) => source,
        Err(e) => return (FileResult::Error(e), info),
    };
    let (facts, summaries) =
        facts::analyze_file_in(&source.file, &source.text, external, catalogue);
    info.summaries = summaries.into_iter().filter(|s| !s.is_trivial()).collect();
    let suppressions = suppress::scan(&source.file, &source.text);
    drop(source.file);
    let findings = rules::check_file(&facts, &file.display);
    let findings = suppress::apply(&suppressions, findings, &file.display, &|id| {
        render::all_rules().iter().any(|r| r.id == id)
    });
    let incomplete: Vec<(usize, String)> = facts
        .incomplete
        .into_iter()
        .map(|(loc, why)| (loc.line, why))
        .collect();
    if findings.is_empty() && incomplete.is_empty() {
        return (FileResult::Clean, info);
    }
    let result = FileResult::Checked {
        display: file.display.clone(),
        text: source.text,
        findings,
        incomplete,
    };
    (result, info)
}

/// The summaries of one crate's functions, each with the index of its file.
type CrateSummaries = std::sync::Arc<Vec<(usize, facts::summary::Summary)>>;

/// The files to check again, each with the summaries of its crate (its own among them, to be
/// left out), when it may call a function of another file of the crate.
fn cross_file_rechecks(
    files: &[walk::SourceFile],
    infos: Vec<FileInfo>,
    catalogue: &catalogue::Catalogue,
) -> Vec<(usize, CrateSummaries)> {
    if infos.iter().all(|i| i.summaries.is_empty()) {
        return Vec::new();
    }
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let (mods, summaries): (Vec<_>, Vec<_>) =
        infos.into_iter().map(|i| (i.mods, i.summaries)).unzip();
    let placed = crates::place(&paths, &mods);
    let mut by_crate: std::collections::HashMap<usize, Vec<(usize, facts::summary::Summary)>> =
        std::collections::HashMap::new();
    for (i, list) in summaries.into_iter().enumerate() {
        for mut summary in list {
            let mut key = placed[i].module.clone();
            key.append(&mut summary.key);
            summary.key = key;
            summary.origin = Some(files[i].display.clone());
            by_crate
                .entry(placed[i].krate)
                .or_default()
                .push((i, summary));
        }
    }
    let by_crate: std::collections::HashMap<usize, CrateSummaries> = by_crate
        .into_iter()
        .map(|(krate, list)| (krate, std::sync::Arc::new(list)))
        .collect();
    let mut out = Vec::new();
    for (i, place) in placed.iter().enumerate() {
        let Some(list) = by_crate.get(&place.krate) else {
            continue;
        };
        if list.iter().all(|(j, _)| *j == i) {
            continue;
        }
        let Ok(bytes) = std::fs::read(&files[i].path) else {
            continue;
        };
        let others = || list.iter().filter(|(j, _)| *j != i).map(|(_, s)| s);
        let mut seen = std::collections::HashMap::new();
        let mut called = |s: &facts::summary::Summary| {
            let qualifier = s.key.len().checked_sub(2).map(|q| s.key[q].as_str());
            *seen
                .entry((s.name.clone(), qualifier.map(str::to_string)))
                .or_insert_with(|| may_call(&bytes, &s.name, qualifier))
        };
        // A finding needs a channel made in the file: by a constructor (the byte scan's words)
        // or by a function of another file that makes one. Without either, summaries that
        // only pass on or wait for their arguments' channels have nothing to work on.
        let has_channel_source = may_create_channel(&bytes)
            || catalogue.mentions_added_constructor(&bytes)
            || others().filter(|s| s.makes_channel()).any(&mut called);
        let calls = has_channel_source && others().any(&mut called);
        if calls {
            out.push((i, list.clone()));
        }
    }
    out
}

/// Whether a file's text may call the function `qualifier::name` of another file. A call
/// finds its summary by the name; a call written with a path (`conn::open()`,
/// `Conn::new()`, or through a `use` line) must end with the summary's qualifier, which the
/// file then names too. So the file names the function as a whole word, and either once
/// without a path before it (a bare or method call, `use a::{name}`), or names the qualifier.
fn may_call(text: &[u8], name: &str, qualifier: Option<&str>) -> bool {
    let mut named = false;
    for at in memchr::memmem::find_iter(text, name.as_bytes()) {
        if !is_word_at(text, at, name.len()) {
            continue;
        }
        named = true;
        let before = text[..at].trim_ascii_end();
        if qualifier.is_none() || !before.ends_with(b"::") {
            return true;
        }
    }
    named
        && qualifier.is_some_and(|q| {
            memchr::memmem::find_iter(text, q.as_bytes()).any(|at| is_word_at(text, at, q.len()))
        })
}

fn is_word_at(text: &[u8], at: usize, len: usize) -> bool {
    let before = at.checked_sub(1).map(|b| text[b]);
    !before.is_some_and(lex::is_ident_byte)
        && !text.get(at + len).is_some_and(|&b| lex::is_ident_byte(b))
}

/// Every constructor in the catalogue is named `*channel*` or `*bounded*`; a file that contains
/// neither word cannot create a channel, so no rule can report anything in it.
pub fn may_create_channel(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"channel").is_some()
        || memchr::memmem::find(bytes, b"bounded").is_some()
}

#[cfg(test)]
mod tests {
    use super::may_call;

    #[test]
    fn a_recheck_needs_the_whole_name_and_its_qualifier() {
        assert!(may_call(b"let c = conn::open();", "open", Some("conn")));
        assert!(may_call(
            b"use crate::conn::open as connect;",
            "open",
            Some("conn")
        ));
        assert!(may_call(b"let c = x.open();", "open", Some("Conn")));
        assert!(may_call(b"open()", "open", None));
        assert!(!may_call(b"let f = File::open(p);", "open", Some("conn")));
        assert!(!may_call(b"reopen(); let opened = 1;", "open", None));
    }
}
