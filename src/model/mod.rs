//! What the code declares across the files and crates of a workspace, kept small (no syntax
//! tree outlives its file): which crate and module each file is (`crates`, from the `mod`
//! declarations and the manifests, `manifests`), the receiver kinds of methods (`receivers`),
//! and what a library's root re-exports (`reexports`).

pub mod crates;
pub mod manifests;
pub mod receivers;
pub mod reexports;
pub mod registry;
