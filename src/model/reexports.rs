//! `pub use` re-exports of a file, read from its text (one declaration per line, as rustfmt
//! writes the short ones): `pub use registry::{Options, ToolRegistry};` makes
//! `tools::ToolRegistry::attach` name `tools::registry::ToolRegistry::attach`.

/// A re-exported item: the module path it comes from (without `crate`/`self`) and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reexport {
    pub from: Vec<String>,
    pub name: String,
}

/// The `pub use` declarations of a text that fit on one line; renames (`as`) and globs are
/// left out.
pub fn reexports(text: &str) -> Vec<Reexport> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line
            .strip_prefix("pub use ")
            .or_else(|| line.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        let Some(rest) = rest.strip_suffix(';') else {
            continue;
        };
        let (prefix, names): (&str, Vec<&str>) = match rest.split_once("::{") {
            Some((prefix, list)) => match list.strip_suffix('}') {
                Some(list) => (prefix, list.split(',').map(str::trim).collect()),
                None => continue,
            },
            None => match rest.rsplit_once("::") {
                Some((prefix, name)) => (prefix, vec![name.trim()]),
                None => continue,
            },
        };
        let from: Vec<String> = prefix
            .split("::")
            .map(str::trim)
            .filter(|s| !matches!(*s, "crate" | "self" | ""))
            .map(str::to_string)
            .collect();
        if from.is_empty() || from.iter().any(|s| s == "super") {
            continue;
        }
        for name in names {
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                out.push(Reexport {
                    from: from.clone(),
                    name: name.to_string(),
                });
            }
        }
    }
    out
}

/// The key a re-export gives an item's key (`[registry, ToolRegistry, attach]` as
/// `[ToolRegistry, attach]`), if one does.
pub fn reexported_key(key: &[String], reexports: &[Reexport]) -> Option<Vec<String>> {
    reexports.iter().find_map(|r| {
        let n = r.from.len();
        (key.len() > n && key[..n] == r.from[..] && key[n] == r.name).then(|| key[n..].to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_line_reexports() {
        let text = "pub mod registry;\npub use registry::{RegistryOptions, ToolRegistry};\npub use crate::events::EventSender;\npub use x::Y as Z;\npub use glob::*;\nuse private::Hidden;\n";
        let got = reexports(text);
        let names: Vec<&str> = got.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["RegistryOptions", "ToolRegistry", "EventSender"]);
        assert_eq!(got[2].from, ["events"]);
        let key: Vec<String> = ["registry", "ToolRegistry", "attach"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            reexported_key(&key, &got),
            Some(vec!["ToolRegistry".to_string(), "attach".to_string()])
        );
    }
}
