//! Configuration: `chanlint.toml`, or `[package.metadata.chanlint]` /
//! `[workspace.metadata.chanlint]` in `Cargo.toml`, found from the first checked path upward.
//!
//! ```toml
//! exclude = ["generated/**"]
//! [rules]
//! lingering-sender = "deny"      # allow | warn | deny
//! [[constructor]]                # an in-house function returning (sender, receiver)
//! path = "inhouse::chan::pair"
//! library = "crossbeam-channel"  # the built-in library whose semantics it follows
//! [spawn]
//! functions = ["inhouse::rt::spawn_named"]
//! [[model]]                      # an in-house type that owns a channel end (see OWNER_MODELS)
//! crate = "inhouse_rpc"
//! library = "crossbeam-channel"
//! holder = "Client"              # holds the sender, in the field `sender_field`
//! sender_field = "tx"
//! with_drain = ["connect"]       # Client::connect() -> (Client, handle of the draining task)
//! handle = "Worker"
//! handle_joins = ["join"]        # Worker::join(self) waits for that task
//! borrowing = ["call"]           # methods of Client that never give its sender away
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalogue::{self, Catalogue};
use crate::finding::{Finding, Severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// Where the configuration comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Lookup {
    /// `chanlint.toml` or `Cargo.toml` metadata, from the first checked path upward.
    #[default]
    Discover,
    /// No configuration.
    Off,
    /// This `chanlint.toml`-shaped file.
    File(PathBuf),
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub source: Option<PathBuf>,
    pub exclude: Vec<String>,
    pub levels: BTreeMap<String, Level>,
    /// The built-in catalogue plus the configured constructors and spawn functions.
    pub catalogue: Catalogue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, toml::Value>,
    #[serde(default)]
    constructor: Vec<RawConstructor>,
    #[serde(default)]
    spawn: RawSpawn,
    #[serde(default)]
    model: Vec<RawModel>,
}

/// A row of `catalogue::OWNER_MODELS`, as written in configuration.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    #[serde(rename = "crate")]
    krate: String,
    library: String,
    holder: String,
    sender_field: String,
    #[serde(default)]
    with_drain: Vec<String>,
    #[serde(default)]
    cross_wired: Vec<String>,
    handle: String,
    #[serde(default)]
    handle_joins: Vec<String>,
    #[serde(default)]
    borrowing: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConstructor {
    path: String,
    library: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSpawn {
    #[serde(default)]
    functions: Vec<String>,
}

impl Config {
    pub fn load(lookup: &Lookup, paths: &[PathBuf]) -> Result<Config, String> {
        match lookup {
            Lookup::Off => Ok(Config::default()),
            Lookup::File(path) => {
                let text = read(path)?;
                parse(&text, path, "")
            }
            Lookup::Discover => {
                let start = paths
                    .first()
                    .map_or_else(|| PathBuf::from("."), Clone::clone);
                discover(&start)
            }
        }
    }

    /// Applies the rule levels: `allow` drops the findings, `warn`/`deny` set their severity.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if self.levels.is_empty() {
            return;
        }
        findings.retain_mut(|f| match self.levels.get(f.rule) {
            Some(Level::Allow) => false,
            Some(Level::Warn) => {
                f.severity = Severity::Warning;
                true
            }
            Some(Level::Deny) => {
                f.severity = Severity::Error;
                true
            }
            None => true,
        });
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read configuration: {e}", path.display()))
}

fn discover(start: &Path) -> Result<Config, String> {
    let absolute = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if absolute.is_dir() {
        Some(absolute.as_path())
    } else {
        absolute.parent()
    };
    while let Some(d) = dir {
        let file = d.join("chanlint.toml");
        if file.is_file() {
            return parse(&read(&file)?, &file, "");
        }
        let manifest = d.join("Cargo.toml");
        if manifest.is_file() {
            let text = read(&manifest)?;
            let table: toml::Table = toml::from_str(&text)
                .map_err(|e| format!("{}: invalid TOML: {e}", manifest.display()))?;
            for section in ["package", "workspace"] {
                let found = table
                    .get(section)
                    .and_then(|s| s.get("metadata"))
                    .and_then(|m| m.get("chanlint"));
                if let Some(value) = found {
                    let prefix = format!("{section}.metadata.chanlint.");
                    let text = toml::to_string(value).map_err(|e| e.to_string())?;
                    return parse(&text, &manifest, &prefix);
                }
            }
            // The nearest manifest decides; a package without metadata uses its workspace's.
            if table.contains_key("workspace") {
                return Ok(Config::default());
            }
        }
        dir = d.parent();
    }
    Ok(Config::default())
}

/// Parses a `chanlint.toml` (or the metadata table, re-serialized; `prefix` names its keys).
fn parse(text: &str, path: &Path, prefix: &str) -> Result<Config, String> {
    let at = path.display();
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let message = e.message().to_string();
        let table = e
            .span()
            .and_then(|span| table_at(text, span.start))
            .map(|t| format!("{t}."))
            .unwrap_or_default();
        let key = message
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string)
            .or_else(|| key_at(text, e.span()?.start))
            .map(|k| format!("`{prefix}{table}{k}`: "))
            .unwrap_or_default();
        format!("{at}: invalid configuration: {key}{message}")
    })?;
    let known: Vec<&str> = crate::render::all_rules().iter().map(|r| r.id).collect();
    let mut levels = BTreeMap::new();
    for (rule, value) in raw.rules {
        if !known.contains(&rule.as_str()) {
            return Err(format!(
                "{at}: invalid configuration: `{prefix}rules.{rule}`: no such rule (known: {})",
                known.join(", ")
            ));
        }
        let level = match value.as_str() {
            Some("allow") => Level::Allow,
            Some("warn") => Level::Warn,
            Some("deny") => Level::Deny,
            _ => {
                return Err(format!(
                    "{at}: invalid configuration: `{prefix}rules.{rule}`: expected \"allow\", \"warn\" or \"deny\", found {value}"
                ))
            }
        };
        levels.insert(rule, level);
    }
    for glob in &raw.exclude {
        globset::Glob::new(glob).map_err(|e| {
            format!("{at}: invalid configuration: `{prefix}exclude`: invalid glob `{glob}`: {e}")
        })?;
    }
    let mut catalogue = Catalogue::default();
    for row in &raw.constructor {
        let key = format!("`{prefix}constructor.path`");
        check_path(&row.path).map_err(|e| format!("{at}: invalid configuration: {key}: {e}"))?;
        let library = catalogue::library(&row.library).ok_or_else(|| {
            let known: Vec<&str> = catalogue::LIBRARIES.iter().map(|l| l.name).collect();
            format!(
                "{at}: invalid configuration: `{prefix}constructor.library`: no library `{}` (known: {})",
                row.library,
                known.join(", ")
            )
        })?;
        catalogue.add_constructor(&row.path, library);
    }
    for function in &raw.spawn.functions {
        check_path(function)
            .map_err(|e| format!("{at}: invalid configuration: `{prefix}spawn.functions`: {e}"))?;
        catalogue.add_spawn_function(function);
    }
    for row in &raw.model {
        let model = owner_model(row).map_err(|(key, e)| {
            format!("{at}: invalid configuration: `{prefix}model.{key}`: {e}")
        })?;
        catalogue.add_model(model);
    }
    Ok(Config {
        source: Some(path.to_path_buf()),
        exclude: raw.exclude,
        levels,
        catalogue,
    })
}

/// A configured model row, checked: every name an identifier, the library a known one. The
/// error names the key at fault.
fn owner_model(row: &RawModel) -> Result<catalogue::OwnerModel, (&'static str, String)> {
    fn name(key: &'static str, value: &str) -> Result<&'static str, (&'static str, String)> {
        if value.contains("::") {
            return Err((key, format!("`{value}` is not a single name")));
        }
        check_path(value).map_err(|e| (key, e))?;
        Ok(Box::leak(value.to_string().into_boxed_str()))
    }
    fn names(
        key: &'static str,
        values: &[String],
    ) -> Result<&'static [&'static str], (&'static str, String)> {
        let checked = values
            .iter()
            .map(|v| name(key, v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Box::leak(checked.into_boxed_slice()))
    }
    let library = catalogue::library(&row.library).ok_or_else(|| {
        let known: Vec<&str> = catalogue::LIBRARIES.iter().map(|l| l.name).collect();
        (
            "library",
            format!("no library `{}` (known: {})", row.library, known.join(", ")),
        )
    })?;
    if row.with_drain.is_empty() && row.cross_wired.is_empty() {
        return Err((
            "with_drain",
            "a model needs a function that makes its channel (`with_drain` or `cross_wired`)"
                .to_string(),
        ));
    }
    Ok(catalogue::OwnerModel {
        krate: name("crate", &row.krate.replace('-', "_"))?,
        library: library.name,
        holder: name("holder", &row.holder)?,
        sender_field: name("sender_field", &row.sender_field)?,
        with_drain: names("with_drain", &row.with_drain)?,
        cross_wired: names("cross_wired", &row.cross_wired)?,
        handle: name("handle", &row.handle)?,
        handle_joins: names("handle_joins", &row.handle_joins)?,
        borrowing: names("borrowing", &row.borrowing)?,
    })
}

/// A configured path is `segment::segment`, each an identifier, as calls are written.
fn check_path(path: &str) -> Result<(), String> {
    let ident = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    if path.split("::").all(ident) {
        Ok(())
    } else {
        Err(format!(
            "`{path}` is not a path like `my_crate::module::function`"
        ))
    }
}

/// The table (`[name]` or `[[name]]` header) that a byte offset lies in, if not the root.
fn table_at(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let header = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| line.starts_with('['))?;
    Some(
        header
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_string(),
    )
}

/// The key on the line of a byte offset (`key = value`), for errors about a value.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    Some(key.trim().trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels_and_excludes() {
        let c = parse(
            "exclude = [\"gen/**\"]\n[rules]\nlingering-sender = \"warn\"\n",
            Path::new("c.toml"),
            "",
        )
        .unwrap();
        assert_eq!(c.exclude, vec!["gen/**"]);
        assert_eq!(c.levels["lingering-sender"], Level::Warn);
    }

    #[test]
    fn errors_name_the_key() {
        let e = parse("excludes = []\n", Path::new("c.toml"), "").unwrap_err();
        assert!(e.contains("`excludes`"), "{e}");
        let e = parse(
            "[rules]\nlingering-sender = \"loud\"\n",
            Path::new("c.toml"),
            "",
        )
        .unwrap_err();
        assert!(e.contains("`rules.lingering-sender`"), "{e}");
        let e = parse("[rules]\nno-such = \"warn\"\n", Path::new("c.toml"), "").unwrap_err();
        assert!(e.contains("`rules.no-such`"), "{e}");
        let e = parse(
            "exclude = [\"a\"]\n",
            Path::new("Cargo.toml"),
            "package.metadata.chanlint.",
        )
        .map(|_| ())
        .and_then(|_| {
            parse(
                "bad = 1\n",
                Path::new("Cargo.toml"),
                "package.metadata.chanlint.",
            )
        })
        .unwrap_err();
        assert!(e.contains("`package.metadata.chanlint.bad`"), "{e}");
    }

    #[test]
    fn constructors_and_spawn_functions_extend_the_catalogue() {
        let c = parse(
            "[[constructor]]\npath = \"inhouse::chan::pair\"\nlibrary = \"tokio::sync::mpsc\"\n\
             [spawn]\nfunctions = [\"inhouse::rt::go\"]\n",
            Path::new("c.toml"),
            "",
        )
        .unwrap();
        let lib = c.catalogue.constructor("inhouse::chan::pair").unwrap();
        assert_eq!(lib.name, "tokio::sync::mpsc");
        assert!(c.catalogue.is_spawn_function("inhouse::rt::go"));
    }

    #[test]
    fn bad_constructor_and_spawn_rows_name_the_key() {
        for (text, key) in [
            (
                "[[constructor]]\npath = \"a::b\"\nlib = \"flume\"\n",
                "`constructor.lib`",
            ),
            (
                "[[constructor]]\npath = 3\nlibrary = \"flume\"\n",
                "`constructor.path`",
            ),
            ("[[constructor]]\npath = \"a::b\"\n", "library"),
            (
                "[[constructor]]\npath = \"a::b\"\nlibrary = \"std\"\n",
                "`constructor.library`",
            ),
            (
                "[[constructor]]\npath = \"a b\"\nlibrary = \"flume\"\n",
                "`constructor.path`",
            ),
            ("[spawn]\nfunctions = \"a::go\"\n", "`spawn.functions`"),
            ("[spawn]\nfunction = [\"a::go\"]\n", "`spawn.function`"),
            ("[spawn]\nfunctions = [\"a::\"]\n", "`spawn.functions`"),
        ] {
            let e = parse(text, Path::new("c.toml"), "").unwrap_err();
            assert!(e.contains(key), "{text}: {e}");
        }
    }

    const MODEL: &str = "[[model]]\ncrate = \"inhouse-rpc\"\nlibrary = \"crossbeam-channel\"\n\
        holder = \"Client\"\nsender_field = \"tx\"\nwith_drain = [\"connect\"]\n\
        handle = \"Worker\"\nhandle_joins = [\"join\"]\nborrowing = [\"call\"]\n";

    #[test]
    fn a_model_row_joins_the_catalogue() {
        let c = parse(MODEL, Path::new("c.toml"), "").unwrap();
        let [model] = c.catalogue.configured_models() else {
            panic!("{:?}", c.catalogue.configured_models());
        };
        assert_eq!(model.krate, "inhouse_rpc");
        assert_eq!(model.with_drain, ["connect"]);
        assert_eq!(model.handle_joins, ["join"]);
        assert!(c.catalogue.mentions_model(b"use inhouse_rpc::Client;"));
        assert!(!Catalogue::default().mentions_model(b"use inhouse_rpc::Client;"));
    }

    #[test]
    fn bad_model_rows_name_the_key() {
        for (from, to, key) in [
            (
                "library = \"crossbeam-channel\"",
                "library = \"std\"",
                "`model.library`",
            ),
            (
                "holder = \"Client\"",
                "holder = \"a::Client\"",
                "`model.holder`",
            ),
            ("sender_field = \"tx\"", "sender = \"tx\"", "`model.sender`"),
            (
                "with_drain = [\"connect\"]",
                "with_drain = []",
                "`model.with_drain`",
            ),
            (
                "handle_joins = [\"join\"]",
                "handle_joins = [\"a b\"]",
                "`model.handle_joins`",
            ),
            (
                "borrowing = [\"call\"]",
                "borrowing = \"call\"",
                "`model.borrowing`",
            ),
            ("handle = \"Worker\"\n", "", "handle"),
        ] {
            let text = MODEL.replace(from, to);
            assert_ne!(text, MODEL);
            let e = parse(&text, Path::new("c.toml"), "").unwrap_err();
            assert!(e.contains(key), "{text}: {e}");
        }
    }
}
