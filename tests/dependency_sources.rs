//! A registry dependency whose source is on disk (vendored next to the lock, or in cargo's
//! registry cache) is read for the summaries of the functions the checked code calls: a
//! helper of an unmodelled library that drains the receiver it is given in a thread and
//! returns the thread's handle makes `tx` kept alive across the join a finding. Without the
//! source the call stays unknown; a source that cannot be parsed is a note, never an error.

use std::path::Path;

use assert_cmd::Command;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const LIBRARY: &str = "use std::sync::mpsc::Receiver;\nuse std::thread::{self, JoinHandle};\n\n\
pub fn spawn_printer(lines: Receiver<String>) -> JoinHandle<()> {\n    thread::spawn(move || {\n        \
for line in lines {\n            println!(\"{line}\");\n        }\n    })\n}\n\n\
pub fn start_printer() -> (std::sync::mpsc::Sender<String>, JoinHandle<()>) {\n    \
let (tx, rx) = std::sync::mpsc::channel();\n    (tx, spawn_printer(rx))\n}\n";

/// An app that depends on `drain-pool` 1.0.0 from the registry, and keeps `tx` while it joins
/// the printer: a channel it makes (`main.rs`), or one the library makes (`bin/made.rs`).
fn app(root: &Path) {
    write(
        root,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\ndrain-pool = \"1\"\n",
    );
    write(
        root,
        "app/Cargo.lock",
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"drain-pool\"]\n\n\
         [[package]]\nname = \"drain-pool\"\nversion = \"1.0.0\"\n",
    );
    write(
        root,
        "app/src/main.rs",
        "use std::sync::mpsc;\n\nfn main() {\n    let (tx, rx) = mpsc::channel::<String>();\n    \
         let printer = drain_pool::spawn_printer(rx);\n    tx.send(\"hello\".to_string()).unwrap();\n    \
         printer.join().unwrap();\n}\n",
    );
    write(
        root,
        "app/src/bin/made.rs",
        "fn main() {\n    let (tx, printer) = drain_pool::start_printer();\n    \
         tx.send(\"hello\".to_string()).unwrap();\n    printer.join().unwrap();\n}\n",
    );
}

fn library(root: &Path, folder: &str, lib_rs: &str) {
    write(
        root,
        &format!("{folder}/Cargo.toml"),
        "[package]\nname = \"drain-pool\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    write(root, &format!("{folder}/src/lib.rs"), lib_rs);
}

/// Runs `chanlint check` on the app's `src/` with `CARGO_HOME` at `home`: exit code, stdout,
/// stderr.
fn check(root: &Path, home: &Path) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("chanlint")
        .unwrap()
        .env("CARGO_HOME", home)
        .args(["check", "--format", "short", "--no-config"])
        .arg(root.join("app/src"))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_vendored_dependency_is_read_for_what_the_code_calls() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    let (code, stdout, stderr) = check(root, &root.join("no-home"));
    assert_eq!(code, Some(0), "without the source: {stdout}{stderr}");
    library(root, "app/vendor/drain-pool-1.0.0", LIBRARY);
    let (code, stdout, stderr) = check(root, &root.join("no-home"));
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("main.rs:4:10: error[lingering-sender]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("made.rs:2:10: error[lingering-sender]"),
        "a channel the library makes: {stdout}"
    );
    assert!(!stdout.contains("lib.rs"), "never reported: {stdout}");
    let out = Command::cargo_bin("chanlint")
        .unwrap()
        .env("CARGO_HOME", root.join("no-home"))
        .args([
            "check",
            "--format",
            "short",
            "--no-config",
            "--no-dependency-sources",
        ])
        .arg(root.join("app/src"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "not read when asked not to");
}

#[test]
fn a_dependency_in_the_registry_cache_is_read_and_a_broken_one_is_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    app(root);
    let home = root.join("cargo-home");
    let cached = "cargo-home/registry/src/index.crates.io-1949cf8c6b5b557f/drain-pool-1.0.0";
    library(root, cached, LIBRARY);
    let (code, stdout, stderr) = check(root, &home);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("lingering-sender"), "{stdout}");
    library(root, cached, "pub fn spawn_printer(lines: {{{ \n");
    let (code, stdout, stderr) = check(root, &home);
    assert_eq!(
        code,
        Some(0),
        "a broken dependency changes no exit status: {stdout}{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("note: ") && l.contains("drain-pool-1.0.0")),
        "{stderr}"
    );
}
