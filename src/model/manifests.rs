//! Path dependencies from the manifests: a crate sees the libraries of the packages its
//! `Cargo.toml` names with `path = ".."` (under the name it uses them by, `-` read as `_`), and
//! checking one crate of a workspace reads those packages' files for their summaries (as
//! clippy lints one crate knowing its dependencies) without reporting them.
//!
//! A manifest that cannot be read or parsed names no dependency (the config stage reports a
//! malformed manifest where it reads one); a cycle of path dependencies is read once.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// How many packages the dependency walk reads at most (a guard against a runaway graph).
const MAX_PACKAGES: usize = 256;

/// The path dependencies of the package at `package`: (the name its code uses, the
/// dependency's folder).
pub fn path_dependencies(package: &Path) -> Vec<(String, PathBuf)> {
    let Ok(text) = std::fs::read_to_string(package.join("Cargo.toml")) else {
        return Vec::new();
    };
    let Ok(manifest) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    for table in tables.iter().filter_map(|t| manifest.get(*t)?.as_table()) {
        for (key, spec) in table {
            let Some(path) = spec.get("path").and_then(|p| p.as_str()) else {
                continue;
            };
            out.push((key.replace('-', "_"), package.join(path)));
        }
    }
    out
}

/// The folders of the packages that the packages at or above `paths` depend on by path,
/// transitively, that are not under any of `paths` (those are walked anyway).
pub fn dependency_folders(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut stack: Vec<PathBuf> = paths.iter().filter_map(|p| enclosing_package(p)).collect();
    let mut out = BTreeSet::new();
    while let Some(package) = stack.pop() {
        let package = canonical(&package);
        if !seen.insert(package.clone()) || seen.len() > MAX_PACKAGES {
            continue;
        }
        for (_, dep) in path_dependencies(&package) {
            let dep = canonical(&dep);
            if !dep.join("Cargo.toml").is_file() {
                continue;
            }
            let covered = paths
                .iter()
                .any(|p| dep.starts_with(canonical(p)) || canonical(p) == dep);
            if !covered {
                out.insert(dep.clone());
            }
            stack.push(dep);
        }
    }
    out.into_iter().collect()
}

/// The package a path is in or is: the nearest folder at or above it with a `Cargo.toml`.
fn enclosing_package(path: &Path) -> Option<PathBuf> {
    let path = canonical(path);
    let mut dir = Some(path.as_path())
        .filter(|p| p.is_dir())
        .or(path.parent());
    while let Some(d) = dir {
        if d.join("Cargo.toml").is_file() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_path_dependencies_transitively_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |p: &str, text: &str| {
            std::fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
            std::fs::write(root.join(p), text).unwrap();
        };
        write(
            "app/Cargo.toml",
            "[package]\nname = \"app\"\n[dependencies]\nmy-tools = { path = \"../tools\" }\nserde = \"1\"\n",
        );
        write(
            "tools/Cargo.toml",
            "[package]\nname = \"my-tools\"\n[dependencies]\ncore = { path = \"../core\" }\n",
        );
        // A cycle back to the app, and a malformed manifest.
        write(
            "core/Cargo.toml",
            "[package]\nname = \"core\"\n[dependencies]\napp = { path = \"../app\" }\nbad = { path = \"../bad\" }\n",
        );
        write("bad/Cargo.toml", "[package\nname = ");
        let deps = path_dependencies(&root.join("app"));
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0].0, "my_tools");
        let folders = dependency_folders(&[root.join("app")]);
        let names: Vec<String> = folders
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["bad", "core", "tools"]);
    }
}
