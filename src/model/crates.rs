//! Which crate each file belongs to, as cargo builds them: every root (`src/lib.rs`,
//! `src/main.rs`, `src/bin/*.rs`, `examples/*.rs`, `tests/*.rs`, `benches/*.rs`, or their
//! `*/main.rs` forms) with the modules its `mod` declarations reach. Two binaries' functions of
//! the same name never mix; a file no root reaches is a crate of its own.
//!
//! `mod` declarations are read from the text of every file, parsed or not, so that the map does
//! not depend on which files the byte scan lets through.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A `mod name;` declaration (not an inline `mod name { .. }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModDecl {
    pub name: String,
    /// A `#[path = "..."]` attribute on it.
    pub path: Option<String>,
    /// Written at the start of its line (as rustfmt writes a file's own modules), not
    /// indented inside an inline module, whose files are in another folder.
    pub top_level: bool,
    /// Under a `#[cfg(..)]` or `#[cfg_attr(..)]`: its file may rightly be absent (another
    /// platform's, a feature's, one a `cfg_attr(.., path = ..)` picks).
    pub conditional: bool,
}

/// Where a file sits: its crate (an index into the roots) and its module path in that crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub krate: usize,
    pub module: Vec<String>,
}

/// The `mod name;` declarations of a file, read line by line (one per line, as rustfmt
/// writes them).
pub fn mod_declarations(text: &str) -> Vec<ModDecl> {
    let mut out = Vec::new();
    let mut path_attr: Option<String> = None;
    let mut conditional = false;
    // Unclosed `[` of an attribute written over several lines (`#[cfg_attr(\n ..\n)]`).
    let mut open_attr = 0i32;
    // Where each declaration's line starts, to drop those inside a string or a block comment
    // (a test's source fixture: `r#"mod bar;"#`).
    let mut starts = Vec::new();
    let mut offset = 0;
    for full_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += full_line.len();
        let line = full_line.trim_end_matches(['\n', '\r']);
        let top_level = !line.starts_with([' ', '\t']);
        let line = line.trim();
        if open_attr > 0 {
            open_attr += brackets(line);
            continue;
        }
        if let Some(rest) = line.strip_prefix("#[path") {
            path_attr = rest
                .split('"')
                .nth(1)
                .map(str::to_string)
                .filter(|_| rest.trim_start().starts_with('='));
            continue;
        }
        if line.starts_with("#[cfg") {
            conditional = true;
        }
        if line.starts_with("#[") {
            open_attr = brackets(line).max(0);
        }
        if line.starts_with("#[") || line.starts_with("//") || line.is_empty() {
            continue;
        }
        if let Some(name) = declared_module(line) {
            out.push(ModDecl {
                name,
                path: path_attr.take(),
                top_level,
                conditional,
            });
            starts.push(line_start + (full_line.len() - full_line.trim_start().len()));
        }
        path_attr = None;
        conditional = false;
    }
    if !out.is_empty() {
        let in_code = in_code(text.as_bytes(), &starts);
        let mut keep = in_code.iter();
        out.retain(|_| *keep.next().expect("one flag per declaration"));
    }
    out
}

/// For each of the sorted `offsets`, whether it is in code (outside comments and literals).
fn in_code(bytes: &[u8], offsets: &[usize]) -> Vec<bool> {
    let mut flags = vec![false; offsets.len()];
    crate::lex::offsets_in_code(bytes, offsets, |k| {
        flags[k] = true;
        std::ops::ControlFlow::Continue(())
    });
    flags
}

/// Whether `mod_declarations` may find a declaration in the text: some `mod ` is followed by a
/// name and a `;`. Most files have only inline modules (`mod tests {`), and walking their lines
/// costs more than this byte search.
pub fn may_declare_modules(bytes: &[u8]) -> bool {
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'#' || b >= 0x80;
    let blank = |b: &u8| b.is_ascii_whitespace() && *b != b'\n';
    memchr::memmem::find_iter(bytes, b"mod ").any(|at| {
        let mut rest = &bytes[at + 4..];
        rest = &rest[rest.iter().take_while(|b| blank(b)).count()..];
        let name = rest.iter().take_while(|&&b| name_byte(b)).count();
        rest = &rest[name..];
        rest = &rest[rest.iter().take_while(|b| blank(b)).count()..];
        name > 0 && rest.first() == Some(&b';')
    })
}

/// How many more `[` than `]` a line has.
fn brackets(line: &str) -> i32 {
    line.bytes()
        .map(|b| match b {
            b'[' => 1,
            b']' => -1,
            _ => 0,
        })
        .sum()
}

/// `mod name;`, `pub mod name;`, `pub(crate) mod name;` ...
fn declared_module(line: &str) -> Option<String> {
    let mut rest = line;
    if let Some(r) = rest.strip_prefix("pub") {
        rest = r.trim_start();
        if rest.starts_with('(') {
            rest = rest[rest.find(')')? + 1..].trim_start();
        }
    }
    let rest = rest.strip_prefix("mod ")?.trim_start();
    let name = rest.strip_suffix(';')?.trim();
    let name = name.strip_prefix("r#").unwrap_or(name);
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| name.to_string())
}

/// Places every file. `files[i]` has the declarations `mods[i]`.
pub fn place(files: &[PathBuf], mods: &[Vec<ModDecl>]) -> Vec<Placement> {
    place_with_roots(files, mods).0
}

/// `place`, with the root file of each crate (an index into `files`, by crate index; crates
/// of loose files have none).
pub fn place_with_roots(files: &[PathBuf], mods: &[Vec<ModDecl>]) -> (Vec<Placement>, Vec<usize>) {
    let placing = place_all(files, mods);
    (placing.files, placing.roots)
}

/// Where every file sits, the root file of each crate, and the `mod` declarations of files
/// reached from a root that name no file on disk (file, declaration).
pub struct Placing {
    pub files: Vec<Placement>,
    pub roots: Vec<usize>,
    pub unresolved: Vec<(usize, ModDecl)>,
}

/// `place_with_roots`, with the declarations that name no file.
pub fn place_all(files: &[PathBuf], mods: &[Vec<ModDecl>]) -> Placing {
    let index: HashMap<PathBuf, usize> = files
        .iter()
        .enumerate()
        .map(|(i, p)| (normalize(p), i))
        .collect();
    let mut packages = Packages::default();
    let mut roots: Vec<usize> = (0..files.len())
        .filter(|&i| is_crate_root(&files[i], &mut packages))
        .collect();
    roots.extend(loose_roots(files, mods, &index, &mut packages));
    roots.sort_by(|&a, &b| files[a].cmp(&files[b]));
    let mut placement: Vec<Option<Placement>> = vec![None; files.len()];
    let mut unresolved = Vec::new();
    for (krate, &root) in roots.iter().enumerate() {
        if placement[root].is_some() {
            continue;
        }
        // The last flag: the file was reached through a `#[path]` (its children's folder is
        // then a guess, so a child not found is not noted).
        let mut stack = vec![(root, Vec::<String>::new(), true, false)];
        while let Some((file, module, is_root, via_path)) = stack.pop() {
            if placement[file].is_some() {
                continue;
            }
            placement[file] = Some(Placement {
                krate,
                module: module.clone(),
            });
            let here = normalize(&files[file]);
            let dir = children_dir(&here, is_root);
            for decl in &mods[file] {
                let candidates = decl_candidates(&here, &dir, decl);
                if let Some(&child) = candidates.iter().find_map(|c| index.get(&normalize(c))) {
                    let mut module = module.clone();
                    module.push(decl.name.clone());
                    stack.push((child, module, false, via_path || decl.path.is_some()));
                } else if decl.top_level
                    && !decl.conditional
                    && !via_path
                    && !candidates.iter().any(|c| c.exists())
                {
                    // Not excluded from the walk but absent (or generated by a build script).
                    unresolved.push((file, decl.clone()));
                }
            }
        }
    }
    let mut next = roots.len();
    let placement = placement
        .into_iter()
        .map(|p| {
            p.unwrap_or_else(|| {
                next += 1;
                Placement {
                    krate: next - 1,
                    module: Vec::new(),
                }
            })
        })
        .collect();
    Placing {
        files: placement,
        roots,
        unresolved,
    }
}

/// For each crate built from a binary, example, test or bench root: the library crate of the
/// same package and the name other targets call it by (`[lib] name`, or the package's name
/// with `-` read as `_`). A binary sees its own library, as cargo links it.
pub fn own_libraries(
    files: &[PathBuf],
    placed: &[Placement],
    roots: &[usize],
) -> HashMap<usize, (usize, String)> {
    let mut packages = Packages::default();
    let mut libs: HashMap<PathBuf, usize> = HashMap::new();
    for (krate, &root) in roots.iter().enumerate() {
        if placed[root].krate != krate {
            continue;
        }
        if let Some(package) = is_library_root(&normalize(&files[root]), &mut packages) {
            libs.insert(package, krate);
        }
    }
    let mut out = HashMap::new();
    if libs.is_empty() {
        return out;
    }
    // Every test, example and bench of a package is a binary: read its manifest once.
    let mut names: HashMap<PathBuf, Option<String>> = HashMap::new();
    for (krate, &root) in roots.iter().enumerate() {
        let file = normalize(&files[root]);
        let Some(package) = packages.package_of(&file) else {
            continue;
        };
        let Some(&lib) = libs.get(&package) else {
            continue;
        };
        if lib == krate || placed[root].krate != krate {
            continue;
        }
        let name = names
            .entry(package.clone())
            .or_insert_with(|| library_name(&package));
        if let Some(name) = name {
            out.insert(krate, (lib, name.clone()));
        }
    }
    out
}

/// For each crate: the library crates of the packages its package depends on by path, with
/// the name its code uses them by (the dependency's key, `-` read as `_`).
pub fn dependency_libraries(
    files: &[PathBuf],
    placed: &[Placement],
    roots: &[usize],
    registry: &HashMap<PathBuf, Vec<(String, PathBuf)>>,
) -> HashMap<usize, Vec<(usize, String)>> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut packages = Packages::default();
    let mut libs: HashMap<PathBuf, usize> = HashMap::new();
    for (krate, &root) in roots.iter().enumerate() {
        if placed[root].krate != krate {
            continue;
        }
        if let Some(package) = is_library_root(&normalize(&files[root]), &mut packages) {
            libs.insert(canonical(&package), krate);
        }
    }
    let mut out: HashMap<usize, Vec<(usize, String)>> = HashMap::new();
    if libs.is_empty() {
        return out;
    }
    let mut deps_of: HashMap<PathBuf, Vec<(usize, String)>> = HashMap::new();
    for (krate, &root) in roots.iter().enumerate() {
        if placed[root].krate != krate {
            continue;
        }
        let Some(package) = packages.package_of(&normalize(&files[root])) else {
            continue;
        };
        let deps = deps_of.entry(package.clone()).or_insert_with(|| {
            let read = registry
                .get(&canonical(&package))
                .into_iter()
                .flatten()
                .cloned();
            crate::model::manifests::path_dependencies(&package)
                .into_iter()
                .chain(read)
                .filter_map(|(name, dir)| Some((*libs.get(&canonical(&dir))?, name)))
                .collect()
        });
        let deps: Vec<(usize, String)> =
            deps.iter().filter(|(l, _)| *l != krate).cloned().collect();
        if !deps.is_empty() {
            out.insert(krate, deps);
        }
    }
    out
}

/// The name a package's library is used by: `[lib] name`, else `[package] name` with `-`
/// read as `_`. A manifest that cannot be read or parsed names none (the config stage
/// reports a malformed manifest where it reads one).
fn library_name(package: &Path) -> Option<String> {
    let text = std::fs::read_to_string(package.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = text.parse().ok()?;
    let named = |section: &str| {
        manifest
            .get(section)
            .and_then(|s| s.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    named("lib")
        .or_else(|| named("package"))
        .map(|n| n.replace('-', "_"))
}

/// Where `mod x;` in this file looks for `x.rs`: next to a crate root or a `mod.rs`, in a
/// folder named after any other file.
fn children_dir(file: &Path, is_root: bool) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if is_root || stem == "mod" {
        parent
    } else {
        parent.join(stem)
    }
}

/// Files outside any package that no other file declares as a module: each is a crate root,
/// as `rustc main.rs` builds one (a folder of loose programs, a gist), so its `mod` files are
/// its modules rather than crates of their own.
fn loose_roots(
    files: &[PathBuf],
    mods: &[Vec<ModDecl>],
    index: &HashMap<PathBuf, usize>,
    packages: &mut Packages,
) -> Vec<usize> {
    let loose: Vec<usize> = (0..files.len())
        .filter(|&i| packages.package_of(&normalize(&files[i])).is_none())
        .collect();
    if loose.is_empty() {
        return Vec::new();
    }
    // Whether a loose file is itself a root decides where its children are: both are taken,
    // so a file that may be a module is never made a root.
    let mut declared: HashSet<usize> = HashSet::new();
    for &i in &loose {
        let here = normalize(&files[i]);
        for decl in &mods[i] {
            let named = [true, false]
                .iter()
                .flat_map(|&is_root| decl_candidates(&here, &children_dir(&here, is_root), decl));
            declared.extend(named.filter_map(|c| index.get(&normalize(&c)).copied()));
        }
    }
    loose
        .into_iter()
        .filter(|i| !declared.contains(i))
        .collect()
}

/// The files a `mod` declaration of `file` may name: its `#[path]`, else `NAME.rs` or
/// `NAME/mod.rs` in `dir`, the folder of `file`'s children.
fn decl_candidates(file: &Path, dir: &Path, decl: &ModDecl) -> Vec<PathBuf> {
    match &decl.path {
        Some(p) => vec![file.parent().unwrap_or(Path::new("")).join(p)],
        None => vec![
            dir.join(format!("{}.rs", decl.name)),
            dir.join(&decl.name).join("mod.rs"),
        ],
    }
}

/// Whether cargo builds a crate from this file: a target root of the package it is in.
fn is_crate_root(file: &Path, packages: &mut Packages) -> bool {
    let file = normalize(file);
    let Some(package) = packages.package_of(&file) else {
        return false;
    };
    let Ok(rel) = file.strip_prefix(&package) else {
        return false;
    };
    let targets = packages.targets(&package);
    if targets.declared.iter().any(|d| normalize(d) == rel) {
        return true;
    }
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    match parts.as_slice() {
        ["build.rs"] => true,
        ["src", "lib.rs"] => targets.autolib,
        ["src", "main.rs"] | ["src", "bin", _, "main.rs"] => targets.autobins,
        ["src", "bin", f] => targets.autobins && f.ends_with(".rs"),
        ["examples", f] => targets.autoexamples && f.ends_with(".rs"),
        ["tests", f] => targets.autotests && f.ends_with(".rs"),
        ["benches", f] => targets.autobenches && f.ends_with(".rs"),
        ["examples", _, "main.rs"] => targets.autoexamples,
        ["tests", _, "main.rs"] => targets.autotests,
        ["benches", _, "main.rs"] => targets.autobenches,
        _ => false,
    }
}

/// Whether `file` is the root of its package's library (`[lib] path`, else `src/lib.rs`).
fn is_library_root(file: &Path, packages: &mut Packages) -> Option<PathBuf> {
    let package = packages.package_of(file)?;
    let rel = file.strip_prefix(&package).ok()?;
    let lib = packages.targets(&package).lib.clone();
    let is_lib = match lib {
        Some(path) => normalize(&path) == rel,
        None => rel == Path::new("src/lib.rs"),
    };
    is_lib.then_some(package)
}

/// What the placement reads of the packages, each once: which folders hold a manifest, and
/// the targets of each manifest.
#[derive(Default)]
struct Packages {
    has_manifest: HashMap<PathBuf, bool>,
    targets: HashMap<PathBuf, crate::model::manifests::Targets>,
}

impl Packages {
    fn package_of(&mut self, file: &Path) -> Option<PathBuf> {
        package_of(file, &mut self.has_manifest)
    }

    fn targets(&mut self, package: &Path) -> &crate::model::manifests::Targets {
        self.targets
            .entry(package.to_path_buf())
            .or_insert_with(|| crate::model::manifests::targets(package))
    }
}

/// The nearest folder above `file` with a `Cargo.toml`.
fn package_of(file: &Path, packages: &mut HashMap<PathBuf, bool>) -> Option<PathBuf> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        let has_manifest = *packages
            .entry(d.to_path_buf())
            .or_insert_with(|| d.join("Cargo.toml").is_file());
        if has_manifest {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// `a/./b/../c.rs` as `a/c.rs`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mod_under_cfg_is_conditional_over_several_lines() {
        let text = "#[cfg_attr(\n    not(unix),\n    path = \"other.rs\"\n)]\nmod platform;\nmod plain;\n#[cfg(windows)]\n#[doc(hidden)]\nmod win;\n";
        let got: Vec<(String, bool)> = mod_declarations(text)
            .into_iter()
            .map(|m| (m.name, m.conditional))
            .collect();
        let want = [("platform", true), ("plain", false), ("win", true)];
        let want: Vec<(String, bool)> = want.iter().map(|(n, c)| (n.to_string(), *c)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_declaration_inside_a_string_or_comment_is_not_one() {
        let text = "mod a;\nconst FIXTURE: &str = r#\"\nmod bar;\n\"#;\n/*\nmod c;\n*/\nmod d;\n";
        let names: Vec<String> = mod_declarations(text).into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["a", "d"]);
    }

    #[test]
    fn the_byte_search_passes_every_text_with_a_declaration() {
        for text in [
            "mod a;",
            "pub(crate)  mod \t r#type ;\n",
            "#[path = \"x.rs\"]\nmod \u{e9}t\u{e9};",
            "mod tests {}\nmod b;",
        ] {
            assert!(!mod_declarations(text).is_empty(), "{text}");
            assert!(may_declare_modules(text.as_bytes()), "{text}");
        }
        for text in [
            "mod tests {\n}\n",
            "// a mod for x\n",
            "fn f() {}",
            "mod x\n;",
        ] {
            assert!(mod_declarations(text).is_empty(), "{text}");
            assert!(!may_declare_modules(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn reads_mod_declarations() {
        let text = "mod a;\npub mod b;\npub(crate) mod c;\nmod inline {\n}\n#[path = \"x/y.rs\"]\nmod d;\n// mod e;\nmod r#f;\n";
        let mods = mod_declarations(text);
        let names: Vec<&str> = mods.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "f"]);
        assert_eq!(mods[3].path.as_deref(), Some("x/y.rs"));
        assert_eq!(mods[0].path, None);
    }

    #[test]
    fn places_modules_under_their_roots() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        let files: Vec<PathBuf> = [
            "src/main.rs",
            "src/conn.rs",
            "src/conn/io.rs",
            "src/bin/tool.rs",
            "src/util.rs",
            "loose/thing.rs",
        ]
        .iter()
        .map(|f| root.join(f))
        .collect();
        let decl = |names: &[&str]| -> Vec<ModDecl> {
            names
                .iter()
                .map(|n| ModDecl {
                    name: n.to_string(),
                    path: None,
                    top_level: true,
                    conditional: false,
                })
                .collect()
        };
        let mods = vec![
            decl(&["conn"]),
            decl(&["io"]),
            decl(&[]),
            decl(&["util"]),
            decl(&[]),
            decl(&[]),
        ];
        let placed = place(&files, &mods);
        let main = placed[0].krate;
        assert_eq!(
            placed[1],
            Placement {
                krate: main,
                module: vec!["conn".into()]
            }
        );
        assert_eq!(
            placed[2],
            Placement {
                krate: main,
                module: vec!["conn".into(), "io".into()]
            }
        );
        // `src/bin/tool.rs` declares `mod util;`: `src/bin/util.rs`, which is not there.
        assert_ne!(placed[3].krate, main);
        assert_ne!(placed[4].krate, main);
        assert_ne!(placed[4].krate, placed[3].krate);
        assert_ne!(placed[5].krate, placed[4].krate);
    }

    #[test]
    fn a_binary_sees_its_own_library_by_its_underscored_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"my-tool\"\n").unwrap();
        let files: Vec<PathBuf> = [
            "src/lib.rs",
            "src/pipe.rs",
            "src/main.rs",
            "src/bin/other.rs",
        ]
        .iter()
        .map(|f| root.join(f))
        .collect();
        let mods = vec![
            vec![ModDecl {
                name: "pipe".into(),
                path: None,
                top_level: true,
                conditional: false,
            }],
            vec![],
            vec![],
            vec![],
        ];
        let (placed, roots) = place_with_roots(&files, &mods);
        let libs = own_libraries(&files, &placed, &roots);
        let lib = placed[0].krate;
        assert_eq!(
            libs.get(&placed[2].krate),
            Some(&(lib, "my_tool".to_string()))
        );
        assert_eq!(
            libs.get(&placed[3].krate),
            Some(&(lib, "my_tool".to_string()))
        );
        assert!(!libs.contains_key(&lib));
    }

    #[test]
    fn the_manifest_names_roots_and_turns_off_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"tool\"\nautobins = false\n\
             [lib]\npath = \"lib.rs\"\n[[bin]]\nname = \"tool\"\npath = \"src/bin/main.rs\"\n",
        )
        .unwrap();
        let files: Vec<PathBuf> = [
            "lib.rs",
            "src/bin/main.rs",
            "src/bin/glean.rs",
            "src/bin/glean/output.rs",
        ]
        .iter()
        .map(|f| root.join(f))
        .collect();
        let declare = |name: &str| ModDecl {
            name: name.into(),
            path: None,
            top_level: true,
            conditional: false,
        };
        let mods = vec![
            vec![],
            vec![declare("glean")],
            vec![declare("output")],
            vec![],
        ];
        let placing = place_all(&files, &mods);
        let main = placing.files[1].krate;
        // `src/bin/glean.rs` is a module of the binary, not a binary of its own.
        assert_eq!(placing.files[2].krate, main);
        assert_eq!(placing.files[3].krate, main);
        assert_eq!(placing.files[3].module, ["glean", "output"]);
        assert!(placing.unresolved.is_empty());
        let libs = own_libraries(&files, &placing.files, &placing.roots);
        assert_eq!(
            libs.get(&main),
            Some(&(placing.files[0].krate, "tool".to_string()))
        );
    }

    #[test]
    fn a_malformed_manifest_names_no_library() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Cargo.toml"), "[package\nname = ").unwrap();
        let files: Vec<PathBuf> = ["src/lib.rs", "src/main.rs"]
            .iter()
            .map(|f| root.join(f))
            .collect();
        let (placed, roots) = place_with_roots(&files, &[vec![], vec![]]);
        assert!(own_libraries(&files, &placed, &roots).is_empty());
    }
}
