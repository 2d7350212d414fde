//! Configuration: `chanlint.toml`, or `[package.metadata.chanlint]` /
//! `[workspace.metadata.chanlint]` in `Cargo.toml`, found from the first checked path upward.
//!
//! ```toml
//! exclude = ["generated/**"]
//! [rules]
//! lingering-sender = "deny"      # allow | warn | deny
//! ```
//! Extra channel constructors, sender types and spawn functions are not configurable yet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, toml::Value>,
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
        let key = message
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string)
            .or_else(|| key_at(text, e.span()?.start))
            .map(|k| format!("`{prefix}{k}`: "))
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
    Ok(Config {
        source: Some(path.to_path_buf()),
        exclude: raw.exclude,
        levels,
    })
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
}
