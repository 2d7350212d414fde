//! Path dependencies from the manifests: a crate sees the libraries of the packages its
//! `Cargo.toml` names with `path = ".."` (under the name it uses them by, `-` read as `_`), and
//! checking one crate of a workspace reads those packages' files for their summaries (as
//! clippy lints one crate knowing its dependencies) without reporting them.
//!
//! A manifest that cannot be read or parsed names no dependency, a path dependency whose folder
//! has no manifest is not read, and a cycle of path dependencies is read once: each is a note
//! naming the manifest, and every file is still checked.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// How many packages the dependency walk reads at most (a guard against a runaway graph).
const MAX_PACKAGES: usize = 256;

/// The path dependencies of the package at `package`: (the name its code uses, the
/// dependency's folder).
pub fn path_dependencies(package: &Path) -> Vec<(String, PathBuf)> {
    read_path_dependencies(package)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, path, _)| (name, path))
        .collect()
}

/// `path_dependencies`, each marked whether it is a dev-dependency (a cycle through one is
/// legal), or why the manifest cannot be read.
fn read_path_dependencies(package: &Path) -> Result<Vec<(String, PathBuf, bool)>, String> {
    let text = std::fs::read_to_string(package.join("Cargo.toml"))
        .map_err(|e| format!("cannot read the manifest: {e}"))?;
    let manifest = text
        .parse::<toml::Table>()
        .map_err(|e| format!("cannot parse the manifest: {}", e.message()))?;
    let mut out = Vec::new();
    // Read once, when a dependency inherits its spec from the workspace.
    let mut workspace: Option<Option<(PathBuf, toml::Table)>> = None;
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    for (dev, table) in tables
        .iter()
        .filter_map(|t| Some((*t == "dev-dependencies", manifest.get(*t)?.as_table()?)))
    {
        for (key, spec) in table {
            if let Some(path) = spec.get("path").and_then(|p| p.as_str()) {
                out.push((key.replace('-', "_"), package.join(path), dev));
                continue;
            }
            // `name.workspace = true`: the spec is the workspace's `[workspace.dependencies]`
            // row, its path relative to the workspace root.
            if spec.get("workspace").and_then(|w| w.as_bool()) != Some(true) {
                continue;
            }
            let Some((root, deps)) =
                workspace.get_or_insert_with(|| workspace_dependencies(package))
            else {
                continue;
            };
            if let Some(path) = deps.get(key).and_then(|d| d.get("path")?.as_str()) {
                out.push((key.replace('-', "_"), root.join(path), dev));
            }
        }
    }
    Ok(out)
}

/// The `[workspace.dependencies]` table of the workspace that holds `package` (the nearest
/// manifest above it with a `[workspace]`, or its own), with the workspace root; none when no
/// manifest up the tree declares a workspace or it cannot be read.
fn workspace_dependencies(package: &Path) -> Option<(PathBuf, toml::Table)> {
    let mut dir = Some(package);
    while let Some(d) = dir {
        let manifest = d.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            if let Ok(table) = text.parse::<toml::Table>() {
                if let Some(workspace) = table.get("workspace") {
                    let deps = workspace
                        .get("dependencies")
                        .and_then(|d| d.as_table())
                        .cloned()
                        .unwrap_or_default();
                    return Some((d.to_path_buf(), deps));
                }
            }
        }
        dir = d.parent();
    }
    None
}

/// The crate roots a manifest names, as cargo finds them: `path`s written in `[lib]`, `[[bin]]`,
/// `[[example]]`, `[[test]]` and `[[bench]]` (relative to the package), and which of cargo's
/// layout folders are still searched (`autobins = false` & co turn them off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Targets {
    pub declared: Vec<PathBuf>,
    /// `[lib] path`, when not `src/lib.rs`.
    pub lib: Option<PathBuf>,
    pub autolib: bool,
    pub autobins: bool,
    pub autoexamples: bool,
    pub autotests: bool,
    pub autobenches: bool,
}

impl Default for Targets {
    /// Cargo's layout alone: what an unreadable manifest is taken to mean.
    fn default() -> Targets {
        Targets {
            declared: Vec::new(),
            lib: None,
            autolib: true,
            autobins: true,
            autoexamples: true,
            autotests: true,
            autobenches: true,
        }
    }
}

/// The targets of the package at `package` (cargo's layout alone if its manifest cannot be
/// read: the config stage reports a malformed manifest where it reads one).
pub fn targets(package: &Path) -> Targets {
    let Some(manifest) = std::fs::read_to_string(package.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return Targets::default();
    };
    let path_of = |target: &toml::Value| target.get("path")?.as_str().map(PathBuf::from);
    let lib = manifest.get("lib").and_then(path_of);
    let mut declared: Vec<PathBuf> = lib.iter().cloned().collect();
    for kind in ["bin", "example", "test", "bench"] {
        let listed = manifest.get(kind).and_then(|v| v.as_array());
        declared.extend(listed.into_iter().flatten().filter_map(path_of));
    }
    let auto = |key: &str| {
        manifest
            .get("package")
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
    };
    Targets {
        declared,
        lib,
        autolib: auto("autolib"),
        autobins: auto("autobins"),
        autoexamples: auto("autoexamples"),
        autotests: auto("autotests"),
        autobenches: auto("autobenches"),
    }
}

/// Something the dependency walk could not read, for the user: the manifest, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestNote {
    pub manifest: PathBuf,
    pub message: String,
}

/// The folders of the packages that the packages at or above `paths` depend on by path,
/// transitively, that are not under any of `paths` (those are walked anyway), and notes on the
/// manifests the walk could not follow.
pub fn dependency_folders(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<ManifestNote>) {
    let mut walk = DependencyWalk {
        paths: paths.iter().map(|p| canonical(p)).collect(),
        seen: HashSet::new(),
        out: BTreeSet::new(),
        notes: Vec::new(),
    };
    let packages: BTreeSet<PathBuf> = paths.iter().filter_map(|p| enclosing_package(p)).collect();
    for package in packages {
        walk.visit(canonical(&package), false, &mut Vec::new());
    }
    (walk.out.into_iter().collect(), walk.notes)
}

/// A depth-first walk over path dependencies (the chain it is on, to name a cycle, each
/// package with whether it was reached as a dev-dependency).
struct DependencyWalk {
    paths: Vec<PathBuf>,
    seen: HashSet<PathBuf>,
    out: BTreeSet<PathBuf>,
    notes: Vec<ManifestNote>,
}

impl DependencyWalk {
    fn visit(&mut self, package: PathBuf, dev: bool, chain: &mut Vec<(PathBuf, bool)>) {
        if !self.seen.insert(package.clone()) || self.seen.len() > MAX_PACKAGES {
            return;
        }
        let manifest = package.join("Cargo.toml");
        let deps = match read_path_dependencies(&package) {
            Ok(deps) => deps,
            Err(message) => {
                self.notes.push(ManifestNote {
                    manifest,
                    message: format!("{message}; its path dependencies are not read"),
                });
                return;
            }
        };
        chain.push((package.clone(), dev));
        for (name, dep, dep_dev) in deps {
            let dep = canonical(&dep);
            if !dep.join("Cargo.toml").is_file() {
                self.notes.push(ManifestNote {
                    manifest: manifest.clone(),
                    message: format!(
                        "path dependency `{name}` has no manifest at {}; it is not read",
                        dep.join("Cargo.toml").display()
                    ),
                });
                continue;
            }
            if let Some(at) = chain.iter().position(|(p, _)| *p == dep) {
                // Cargo allows a cycle through a dev-dependency (a test of a foundation crate
                // using a crate built on it).
                if dep_dev || chain[at + 1..].iter().any(|(_, dev)| *dev) {
                    continue;
                }
                let cycle: Vec<String> = chain[at..]
                    .iter()
                    .map(|(p, _)| p)
                    .chain([&dep])
                    .map(|p| p.display().to_string())
                    .collect();
                self.notes.push(ManifestNote {
                    manifest: manifest.clone(),
                    message: format!(
                        "path dependencies form a cycle ({}); each package is read once",
                        cycle.join(" -> ")
                    ),
                });
                continue;
            }
            let covered = self.paths.iter().any(|p| dep.starts_with(p) || *p == dep);
            if !covered {
                self.out.insert(dep.clone());
            }
            self.visit(dep, dep_dev, chain);
        }
        chain.pop();
    }
}

/// The package a path is in or is: the nearest folder at or above it with a `Cargo.toml`.
pub(crate) fn enclosing_package(path: &Path) -> Option<PathBuf> {
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

pub(crate) fn canonical(path: &Path) -> PathBuf {
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
        let (folders, notes) = dependency_folders(&[root.join("app")]);
        let names: Vec<String> = folders
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["bad", "core", "tools"]);
        let said = |what: &str, manifest: &str| {
            notes.iter().any(|n| {
                n.message.contains(what) && n.manifest.ends_with(format!("{manifest}/Cargo.toml"))
            })
        };
        assert!(said("cannot parse the manifest", "bad"), "{notes:?}");
        assert!(said("form a cycle", "core"), "{notes:?}");
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    /// `name.workspace = true` takes the path of the workspace's `[workspace.dependencies]`
    /// row, relative to the workspace root.
    #[test]
    fn follows_path_dependencies_inherited_from_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |p: &str, text: &str| {
            std::fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
            std::fs::write(root.join(p), text).unwrap();
        };
        write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n[workspace.dependencies]\nmy_log = { path = \"./crates/my_log\" }\nserde = \"1\"\n",
        );
        write(
            "crates/app/Cargo.toml",
            "[package]\nname = \"app\"\n[dependencies]\nmy_log.workspace = true\nserde.workspace = true\n",
        );
        write("crates/my_log/Cargo.toml", "[package]\nname = \"my_log\"\n");
        let deps = path_dependencies(&root.join("crates/app"));
        assert_eq!(deps.len(), 1, "{deps:?}");
        assert_eq!(deps[0].0, "my_log");
        let (folders, notes) = dependency_folders(&[root.join("crates/app")]);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(folders.len(), 1, "{folders:?}");
        assert!(folders[0].ends_with("crates/my_log"), "{folders:?}");
    }
}
