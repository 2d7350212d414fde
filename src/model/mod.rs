//! What the code declares across the files and crates of a workspace, kept small (no syntax
//! tree outlives its file): the receiver kinds of every method (`receivers`).

pub mod manifests;
pub mod receivers;
pub mod reexports;
