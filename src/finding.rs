//! What a rule reports: one finding, its story in labels, and an optional fix. Renderers print
//! these and compute nothing.

use serde::Serialize;

use crate::loc::Loc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub loc: Loc,
    pub message: String,
}

/// Text inserted at a position (a zero-width edit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub loc: Loc,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// Lowercase, no final period, code in backticks.
    pub message: String,
    pub path: String,
    pub primary: Label,
    /// Secondary labels, in the order the story is told.
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Finding {
    /// The order every output uses: path, line, column, rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (
            &self.path,
            self.primary.loc.line,
            self.primary.loc.column,
            self.rule,
        )
    }
}

/// A file or path that could not be checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckError {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}
