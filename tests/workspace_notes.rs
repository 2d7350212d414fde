//! The workspace model on a broken workspace: a path dependency whose manifest cannot be
//! parsed, one that has no manifest, a cycle of path dependencies and a `mod` that names no
//! file are each a note naming the file, and every file is still checked.

use std::path::Path;

use assert_cmd::Command;

const HANG: &str = "fixtures/src/bin/std_lingering_original.rs";

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_broken_workspace_is_noted_and_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nedition = \"2021\"\n[dependencies]\n\
         tools = { path = \"../tools\" }\nbroken = { path = \"../broken\" }\n\
         gone = { path = \"../gone\" }\n",
    );
    write(
        root,
        "app/src/main.rs",
        &std::fs::read_to_string(HANG).unwrap().replace(
            "fn main()",
            "mod nowhere;\nmod helpers;\n#[cfg(windows)]\nmod windows_only;\n\
                 #[cfg_attr(unix, path = \"sys/unix.rs\")]\nmod sys;\n\nfn main()",
        ),
    );
    write(root, "app/src/helpers.rs", "pub fn help() {}\n");
    // A cycle back to the app.
    write(
        root,
        "tools/Cargo.toml",
        "[package]\nname = \"tools\"\n[dependencies]\napp = { path = \"../app\" }\n",
    );
    write(root, "tools/src/lib.rs", "pub fn tool() {}\n");
    write(root, "broken/Cargo.toml", "[package\nname = ");
    write(root, "broken/src/lib.rs", "pub fn broken() {}\n");
    let out = Command::cargo_bin("chanlint")
        .unwrap()
        .args(["check", "--format", "short", "--no-config"])
        .arg(root.join("app"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("main.rs:"),
        "the app is still checked: {stdout}"
    );
    assert!(stdout.contains("lingering-sender"), "{stdout}");
    let noted = |file: &str, what: &str| {
        stderr
            .lines()
            .any(|l| l.starts_with("note: ") && l.contains(file) && l.contains(what))
    };
    assert!(
        noted("broken/Cargo.toml", "cannot parse the manifest"),
        "{stderr}"
    );
    assert!(noted("app/Cargo.toml", "has no manifest"), "{stderr}");
    assert!(noted("tools/Cargo.toml", "form a cycle"), "{stderr}");
    assert!(noted("main.rs", "`mod nowhere;` names no file"), "{stderr}");
    assert!(!stderr.contains("helpers"), "{stderr}");
    // Another platform's module, or one a `cfg_attr` points elsewhere, may rightly be absent.
    assert!(!stderr.contains("windows_only"), "{stderr}");
    assert!(!stderr.contains("mod sys"), "{stderr}");
}

/// A loose folder with no manifest is checked as before, without notes.
#[test]
fn a_folder_without_manifest_has_no_notes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(HANG, dir.path().join("hang.rs")).unwrap();
    let out = Command::cargo_bin("chanlint")
        .unwrap()
        .args(["check", "--format", "short", "--no-config"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr.contains("note:"), "{stderr}");
}

/// Outside any package, a file no other file declares is a crate root, as `rustc main.rs`
/// builds one: the channel its module `ev.rs` makes is followed into `main.rs`.
#[test]
fn a_loose_program_follows_its_modules() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "ev.rs",
        "use std::sync::mpsc;\n\
         pub fn feed() -> (mpsc::Sender<u32>, mpsc::Receiver<u32>) {\n    \
         let (tx, rx) = mpsc::channel();\n    (tx, rx)\n}\n",
    );
    write(
        root,
        "main.rs",
        "mod ev;\n\nfn main() {\n    let (tx, rx) = ev::feed();\n    \
         for v in rx {\n        println!(\"{v}\");\n    }\n    drop(tx);\n}\n",
    );
    let out = Command::cargo_bin("chanlint")
        .unwrap()
        .args(["check", "--format", "short", "--no-config"])
        .arg(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("main.rs:4:10: error[lingering-sender]"),
        "{stdout}"
    );
}
