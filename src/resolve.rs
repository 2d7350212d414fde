//! Name resolution through `use` declarations: `mpsc::channel` in a file that says
//! `use std::sync::mpsc;` is `std::sync::mpsc::channel`. Variable names never matter.

use std::collections::HashMap;
use std::sync::Arc;

use syn::{Item, UseTree};

use crate::catalogue;

/// The names one module (or block) brings into scope. Shared, not copied, by every function
/// of the module: cloning is cheap, and a block's own `use` copies them once.
#[derive(Clone, Debug, Default)]
pub struct Imports {
    names: Arc<HashMap<String, String>>,
    globs: Arc<Vec<String>>,
}

impl Imports {
    /// The imports of a list of items (a file, a module or a block's item statements).
    pub fn extended_with<'a>(&self, items: impl IntoIterator<Item = &'a Item>) -> Imports {
        let mut imports = self.clone();
        for item in items {
            match item {
                Item::Use(item_use) => imports.add_tree(String::new(), &item_use.tree),
                Item::ExternCrate(krate) => {
                    if let Some((_, alias)) = &krate.rename {
                        Arc::make_mut(&mut imports.names)
                            .insert(alias.to_string(), krate.ident.to_string());
                    }
                }
                _ => {}
            }
        }
        imports
    }

    /// These imports, then those of `later` (declared after them), as one list.
    pub fn followed_by(&self, later: &Imports) -> Imports {
        let mut imports = self.clone();
        Arc::make_mut(&mut imports.names)
            .extend(later.names.iter().map(|(k, v)| (k.clone(), v.clone())));
        Arc::make_mut(&mut imports.globs).extend(later.globs.iter().cloned());
        imports
    }

    fn add_tree(&mut self, prefix: String, tree: &UseTree) {
        let join = |name: &str| {
            if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}::{name}")
            }
        };
        match tree {
            UseTree::Path(path) => self.add_tree(join(&path.ident.to_string()), &path.tree),
            UseTree::Name(name) => {
                let name = name.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.rsplit("::").next() {
                        Arc::make_mut(&mut self.names).insert(last.to_string(), prefix.clone());
                    }
                } else {
                    Arc::make_mut(&mut self.names).insert(name.clone(), join(&name));
                }
            }
            UseTree::Rename(rename) => {
                let target = if rename.ident == "self" {
                    prefix.clone()
                } else {
                    join(&rename.ident.to_string())
                };
                Arc::make_mut(&mut self.names).insert(rename.rename.to_string(), target);
            }
            UseTree::Glob(_) => Arc::make_mut(&mut self.globs).push(prefix),
            UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_tree(prefix.clone(), tree);
                }
            }
        }
    }

    /// The full path a written path stands for, as far as this file can tell.
    pub fn resolve(&self, path: &syn::Path) -> String {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve_segments(&segments, path.leading_colon.is_some())
    }

    pub fn resolve_segments(&self, segments: &[String], absolute: bool) -> String {
        let written = segments.join("::");
        let Some(first) = segments.first() else {
            return written;
        };
        if absolute {
            return written;
        }
        if let Some(full) = self.names.get(first) {
            let rest = &segments[1..];
            return if rest.is_empty() {
                full.clone()
            } else {
                format!("{full}::{}", rest.join("::"))
            };
        }
        for glob in self.globs.iter() {
            let candidate = format!("{glob}::{written}");
            if is_known(&candidate) {
                return candidate;
            }
        }
        written
    }
}

/// A path the catalogue knows, which a glob import may have brought in.
fn is_known(path: &str) -> bool {
    catalogue::constructor(path).is_some()
        || catalogue::is_spawn_function(path)
        || catalogue::is_scope_function(path)
        || catalogue::is_block_on_function(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(src: &str) -> Imports {
        let file = syn::parse_file(src).unwrap();
        Imports::default().extended_with(&file.items)
    }

    fn resolve(imports: &Imports, path: &str) -> String {
        imports.resolve(&syn::parse_str::<syn::Path>(path).unwrap())
    }

    #[test]
    fn follows_renames_groups_self_and_globs() {
        let i = imports(
            "use std::sync::{mpsc::{self, Sender}, Arc};
             use crossbeam_channel as cb;
             use tokio::sync::mpsc::unbounded_channel as chan;
             use flume::*;",
        );
        assert_eq!(resolve(&i, "mpsc::channel"), "std::sync::mpsc::channel");
        assert_eq!(resolve(&i, "Sender"), "std::sync::mpsc::Sender");
        assert_eq!(resolve(&i, "cb::bounded"), "crossbeam_channel::bounded");
        assert_eq!(resolve(&i, "chan"), "tokio::sync::mpsc::unbounded_channel");
        assert_eq!(resolve(&i, "unbounded"), "flume::unbounded");
        assert_eq!(resolve(&i, "Arc::new"), "std::sync::Arc::new");
        assert_eq!(resolve(&i, "channel"), "channel");
    }
}
