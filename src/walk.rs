//! Which files to check: every `*.rs` under the given paths, skipping `target/`, hidden
//! folders, what `.gitignore` files ignore and what `--exclude` globs match.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use walkdir::WalkDir;

use crate::finding::CheckError;

pub struct WalkOptions {
    pub exclude: Vec<String>,
    pub respect_gitignore: bool,
}

/// A file to check: where it is, and how to show its path.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub display: String,
    /// A file of a path dependency of a checked crate: read for what it declares and its
    /// summaries, never reported.
    pub dependency: bool,
}

pub fn build_excludes(globs: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob).map_err(|e| format!("invalid exclude glob `{glob}`: {e}"))?);
    }
    builder.build().map_err(|e| e.to_string())
}

pub fn walk(
    roots: &[PathBuf],
    options: &WalkOptions,
) -> Result<(Vec<SourceFile>, Vec<CheckError>), String> {
    let excludes = build_excludes(&options.exclude)?;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        walk_root(root, options, &excludes, &mut files, &mut errors);
    }
    Ok((files, errors))
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./")
        .map(str::to_string)
        .unwrap_or_else(|| s.into_owned())
}

fn walk_root(
    root: &Path,
    options: &WalkOptions,
    excludes: &GlobSet,
    files: &mut Vec<SourceFile>,
    errors: &mut Vec<CheckError>,
) {
    let meta = match std::fs::metadata(root) {
        Ok(meta) => meta,
        Err(e) => {
            errors.push(CheckError {
                path: display(root),
                line: None,
                column: None,
                message: format!("cannot read path: {e}"),
            });
            return;
        }
    };
    if meta.is_file() {
        // A file named on the command line is always checked.
        files.push(SourceFile {
            path: root.to_path_buf(),
            display: display(root),
            dependency: false,
        });
        return;
    }
    if !meta.is_dir() {
        errors.push(CheckError {
            path: display(root),
            line: None,
            column: None,
            message: "not a file or folder".into(),
        });
        return;
    }
    let mut ignores: Vec<(usize, Gitignore)> = Vec::new();
    let mut it = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map(display).unwrap_or_else(|| display(root));
                errors.push(CheckError {
                    path,
                    line: None,
                    column: None,
                    message: format!(
                        "cannot walk: {}",
                        e.io_error().map_or(e.to_string(), |io| io.to_string())
                    ),
                });
                continue;
            }
        };
        let depth = entry.depth();
        let path = entry.path();
        let is_dir = entry.file_type().is_dir();
        ignores.retain(|(d, _)| *d < depth);
        let relative = path.strip_prefix(root).unwrap_or(path);
        if depth > 0 {
            let name = entry.file_name().to_string_lossy();
            let skipped = (is_dir && (name.starts_with('.') || name == "target"))
                || is_excluded(excludes, relative)
                || (options.respect_gitignore && is_ignored(&ignores, path, is_dir));
            if skipped {
                if is_dir {
                    it.skip_current_dir();
                }
                continue;
            }
        }
        if is_dir {
            if options.respect_gitignore {
                let gitignore = path.join(".gitignore");
                if gitignore.is_file() {
                    let mut builder = GitignoreBuilder::new(path);
                    if let Some(e) = builder.add(&gitignore) {
                        errors.push(CheckError {
                            path: display(&gitignore),
                            line: None,
                            column: None,
                            message: format!("cannot read .gitignore: {e}"),
                        });
                    }
                    if let Ok(matcher) = builder.build() {
                        ignores.push((depth, matcher));
                    }
                }
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        if entry.file_type().is_symlink() {
            // Links to folders are not followed (no loops, no file seen twice); a link named
            // `*.rs` is a file the user means to check, or an error if it leads nowhere.
            match std::fs::metadata(path) {
                Ok(meta) if !meta.is_file() => continue,
                Ok(_) => {}
                Err(e) => {
                    errors.push(CheckError {
                        path: display(path),
                        line: None,
                        column: None,
                        message: format!("cannot follow symbolic link: {e}"),
                    });
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        files.push(SourceFile {
            path: path.to_path_buf(),
            display: display(path),
            dependency: false,
        });
    }
}

fn is_excluded(excludes: &GlobSet, relative: &Path) -> bool {
    if excludes.is_empty() {
        return false;
    }
    excludes.is_match(relative)
        || relative
            .iter()
            .any(|component| excludes.is_match(component))
}

fn is_ignored(ignores: &[(usize, Gitignore)], path: &Path, is_dir: bool) -> bool {
    for (_, matcher) in ignores.iter().rev() {
        match matcher.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}
