//! Dependencies from a registry whose sources are on disk: a `vendor/` folder next to the
//! workspace's `Cargo.lock` (or the `directory` of a source replacement in `.cargo/config.toml`),
//! else cargo's registry cache (`$CARGO_HOME/registry/src/*/NAME-VERSION`). The version is the
//! one `Cargo.lock` locks for the package that depends on it.
//!
//! Only the dependencies the checked code calls are read (`called`), and none the catalogue
//! models (its rows win): an unmodelled wrapper library is then understood as a path dependency
//! is. Nothing breaks when the sources are absent: the dependency stays an open call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::manifests::{canonical, enclosing_package};

/// One `[[package]]` of a `Cargo.lock`.
#[derive(Clone, Debug)]
struct Locked {
    name: String,
    version: String,
    /// `name`, `name version` or `name version (source)`, as the lock writes them.
    dependencies: Vec<String>,
}

/// Finds the sources of the registry dependencies of packages, reading each lock file, source
/// configuration and registry folder once.
#[derive(Default)]
pub struct Resolver {
    locks: HashMap<PathBuf, Option<(PathBuf, Vec<Locked>)>>,
    cargo_home: Option<Option<PathBuf>>,
    registry_dirs: Option<Vec<PathBuf>>,
}

impl Resolver {
    /// The registry dependencies of the package at `package` whose sources are on disk, with
    /// the name its code uses each by (`-` read as `_`): (name, folder).
    pub fn dependencies(&mut self, package: &Path) -> Vec<(String, PathBuf)> {
        let Some(manifest) = read_manifest(package) else {
            return Vec::new();
        };
        let Some((lock_dir, locked)) = self.lock_for(package) else {
            return Vec::new();
        };
        let own_name = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .to_string();
        let own_version = manifest
            .get("package")
            .and_then(|p| p.get("version"))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let own = locked
            .iter()
            .find(|l| l.name == own_name && own_version.as_ref().is_none_or(|v| *v == l.version))
            .cloned();
        let mut out = Vec::new();
        for (key, spec) in dependency_specs(&manifest) {
            if spec.get("path").is_some() || spec.get("git").is_some() {
                continue;
            }
            let name = spec
                .get("package")
                .and_then(|p| p.as_str())
                .unwrap_or(&key)
                .to_string();
            let Some(version) = locked_version(&name, own.as_ref(), &locked) else {
                continue;
            };
            if let Some(folder) = self.source_folder(&lock_dir, &name, &version) {
                out.push((key.replace('-', "_"), folder));
            }
        }
        out
    }

    /// The lock file that governs `package` (the nearest `Cargo.lock` at or above it), parsed.
    fn lock_for(&mut self, package: &Path) -> Option<(PathBuf, Vec<Locked>)> {
        let mut dir = Some(package);
        while let Some(d) = dir {
            let lock = d.join("Cargo.lock");
            if lock.is_file() {
                return self
                    .locks
                    .entry(lock.clone())
                    .or_insert_with(|| Some((d.to_path_buf(), read_lock(&lock)?)))
                    .clone();
            }
            dir = d.parent();
        }
        None
    }

    /// The folder holding `name` at `version`: vendored next to the lock, else in cargo's
    /// registry cache.
    fn source_folder(&mut self, lock_dir: &Path, name: &str, version: &str) -> Option<PathBuf> {
        let versioned = format!("{name}-{version}");
        for vendor in vendor_dirs(lock_dir) {
            for candidate in [vendor.join(&versioned), vendor.join(name)] {
                if candidate.join("Cargo.toml").is_file() {
                    return Some(candidate);
                }
            }
        }
        self.registry_dirs()
            .iter()
            .map(|dir| dir.join(&versioned))
            .find(|candidate| candidate.join("Cargo.toml").is_file())
    }

    /// `$CARGO_HOME/registry/src/*` (one folder per registry index).
    fn registry_dirs(&mut self) -> &[PathBuf] {
        if self.registry_dirs.is_none() {
            let home = self.cargo_home.get_or_insert_with(cargo_home).clone();
            let dirs = home
                .and_then(|home| std::fs::read_dir(home.join("registry").join("src")).ok())
                .map(|entries| {
                    let mut dirs: Vec<PathBuf> = entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.is_dir())
                        .collect();
                    dirs.sort();
                    dirs
                })
                .unwrap_or_default();
            self.registry_dirs = Some(dirs);
        }
        self.registry_dirs.as_deref().unwrap_or_default()
    }
}

/// The registry dependencies the checked files call, by package: for each file, the first
/// segment of every call it could not follow (paths are resolved through `use`, so a call
/// into a dependency starts with its name), among the package's dependencies whose sources
/// are on disk, less those `modelled` (the catalogue's rows win).
/// Returns, by package folder (canonical), the dependencies it sees: (name, folder).
pub fn called_dependencies<'a>(
    files: impl Iterator<Item = (&'a Path, &'a HashMap<String, bool>)>,
    modelled: impl Fn(&str) -> bool,
) -> HashMap<PathBuf, Vec<(String, PathBuf)>> {
    let mut resolver = Resolver::default();
    let mut package_of: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut called: HashMap<PathBuf, std::collections::HashSet<String>> = HashMap::new();
    for (file, calls) in files {
        let Some(dir) = file.parent() else {
            continue;
        };
        let package = package_of
            .entry(dir.to_path_buf())
            .or_insert_with(|| enclosing_package(dir))
            .clone();
        let Some(package) = package else {
            continue;
        };
        let firsts = calls
            .keys()
            .filter(|call| !call.starts_with('.'))
            .filter_map(|call| call.split_once("::").map(|(first, _)| first.to_string()))
            .filter(|first| !matches!(first.as_str(), "crate" | "self" | "super" | "std"));
        called.entry(package).or_default().extend(firsts);
    }
    let mut out = HashMap::new();
    for (package, names) in called {
        let deps: Vec<(String, PathBuf)> = resolver
            .dependencies(&package)
            .into_iter()
            .filter(|(name, _)| names.contains(name) && !modelled(name))
            .map(|(name, folder)| (name, canonical(&folder)))
            .collect();
        if !deps.is_empty() {
            out.insert(canonical(&package), deps);
        }
    }
    out
}

/// `$CARGO_HOME`, else `~/.cargo`.
fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
}

fn read_manifest(package: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(package.join("Cargo.toml"))
        .ok()?
        .parse()
        .ok()
}

/// Every dependency table of a manifest: `[dependencies]`, dev, build, and the same under
/// `[target.'cfg(..)']`.
fn dependency_specs(manifest: &toml::Table) -> Vec<(String, toml::Value)> {
    const TABLES: [&str; 3] = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut out = Vec::new();
    let mut collect = |table: &toml::Table| {
        for name in TABLES {
            if let Some(deps) = table.get(name).and_then(|d| d.as_table()) {
                out.extend(deps.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
    };
    collect(manifest);
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for target in targets.values().filter_map(|t| t.as_table()) {
            collect(target);
        }
    }
    out
}

fn read_lock(path: &Path) -> Option<Vec<Locked>> {
    let lock: toml::Table = std::fs::read_to_string(path).ok()?.parse().ok()?;
    let packages = lock.get("package")?.as_array()?;
    Some(
        packages
            .iter()
            .filter_map(|p| {
                Some(Locked {
                    name: p.get("name")?.as_str()?.to_string(),
                    version: p.get("version")?.as_str()?.to_string(),
                    dependencies: p
                        .get("dependencies")
                        .and_then(|d| d.as_array())
                        .map(|d| {
                            d.iter()
                                .filter_map(|s| Some(s.as_str()?.to_string()))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect(),
    )
}

/// The version of `name` the lock gives the depending package: the one its entry lists
/// (`name version`), else the only one the lock has.
fn locked_version(name: &str, own: Option<&Locked>, locked: &[Locked]) -> Option<String> {
    let listed = own.and_then(|own| {
        own.dependencies.iter().find_map(|dep| {
            let mut parts = dep.split_whitespace();
            (parts.next()? == name).then(|| parts.next().map(str::to_string))
        })
    });
    if let Some(Some(version)) = listed {
        return Some(version);
    }
    let mut versions = locked.iter().filter(|l| l.name == name);
    let only = versions.next()?;
    versions.next().is_none().then(|| only.version.clone())
}

/// Where vendored sources sit for a workspace: the `directory` of each source replacement in
/// `.cargo/config.toml` (or `.cargo/config`) of the lock's folder, and its `vendor/`.
fn vendor_dirs(lock_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for config in ["config.toml", "config"] {
        let Some(table) = std::fs::read_to_string(lock_dir.join(".cargo").join(config))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
        else {
            continue;
        };
        let sources = table.get("source").and_then(|s| s.as_table());
        for source in sources.into_iter().flat_map(|s| s.values()) {
            if let Some(dir) = source.get("directory").and_then(|d| d.as_str()) {
                out.push(lock_dir.join(dir));
            }
        }
    }
    let vendor = lock_dir.join("vendor");
    if vendor.is_dir() && !out.contains(&vendor) {
        out.push(vendor);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
        std::fs::write(root.join(path), text).unwrap();
    }

    #[test]
    fn finds_the_locked_version_vendored_then_in_the_registry_cache() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "app/Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nwire-pipe = \"1\"\n\
             cached = \"2\"\nabsent = \"3\"\nlocal = { path = \"../local\" }\n\
             [target.'cfg(unix)'.dev-dependencies]\nrenamed = { package = \"real-name\", version = \"1\" }\n",
        );
        write(
            root,
            "app/Cargo.lock",
            "version = 3\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\
             dependencies = [\"wire-pipe 1.2.0\", \"cached\", \"absent\", \"real-name\"]\n\
             [[package]]\nname = \"wire-pipe\"\nversion = \"1.2.0\"\n\
             [[package]]\nname = \"wire-pipe\"\nversion = \"0.9.0\"\n\
             [[package]]\nname = \"cached\"\nversion = \"2.0.1\"\n\
             [[package]]\nname = \"absent\"\nversion = \"3.0.0\"\n\
             [[package]]\nname = \"real-name\"\nversion = \"1.0.0\"\n",
        );
        write(
            root,
            "app/vendor/wire-pipe-1.2.0/Cargo.toml",
            "[package]\nname = \"wire-pipe\"\n",
        );
        write(
            root,
            "app/vendor/wire-pipe-0.9.0/Cargo.toml",
            "[package]\nname = \"wire-pipe\"\n",
        );
        write(
            root,
            "app/vendor/real-name/Cargo.toml",
            "[package]\nname = \"real-name\"\n",
        );
        let home = root.join("cargo-home");
        write(
            &home,
            "registry/src/index.crates.io-1949cf8c6b5b557f/cached-2.0.1/Cargo.toml",
            "[package]\nname = \"cached\"\n",
        );
        let mut resolver = Resolver {
            cargo_home: Some(Some(home.clone())),
            ..Resolver::default()
        };
        let mut got = resolver.dependencies(&root.join("app"));
        got.sort();
        let want = vec![
            (
                "cached".to_string(),
                home.join("registry/src/index.crates.io-1949cf8c6b5b557f/cached-2.0.1"),
            ),
            ("renamed".to_string(), root.join("app/vendor/real-name")),
            (
                "wire_pipe".to_string(),
                root.join("app/vendor/wire-pipe-1.2.0"),
            ),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn no_lock_no_manifest_no_dependencies() {
        let dir = tempfile::tempdir().unwrap();
        let mut resolver = Resolver::default();
        assert!(resolver.dependencies(dir.path()).is_empty());
        write(
            dir.path(),
            "Cargo.toml",
            "[package]\nname = \"x\"\n[dependencies]\ny = \"1\"\n",
        );
        assert!(resolver.dependencies(dir.path()).is_empty());
        write(dir.path(), "Cargo.lock", "this is not toml [[[");
        assert!(resolver.dependencies(dir.path()).is_empty());
    }
}
