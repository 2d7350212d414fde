//! `--fix` on hang fixtures: the fixed file parses, the finding is gone, a second `--fix` changes
//! nothing, and the fixed programs, built and run, now exit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chanlint::config::Lookup;
use chanlint::{check, Options};

/// The fixtures the issue names, and the ones whose finding has a fix today.
const FIXTURES: &[&str] = &[
    "std_lingering_original",
    "tokio_mpsc_lingering",
    "crossbeam_unbounded_lingering",
    "holder_clone_kept",
    "thread_consumer_join_lingering",
    "thread_scope_lingering",
    "tokio_consumer_await_lingering",
    "tokio_oneshot_lingering",
    "futures_oneshot_lingering",
    "tokio_receiver_stream_lingering",
];

/// Fixtures whose finding must offer no fix: a `drop` before a `thread::scope` whose threads
/// still use the sender would not compile.
const KNOWN_BROKEN_FIXES: &[&str] = &["thread_scope_lingering"];

#[test]
fn a_scope_end_offers_no_fix() {
    for name in KNOWN_BROKEN_FIXES {
        let path = root().join(format!("fixtures/src/bin/{name}.rs"));
        let found = findings(&path);
        assert!(!found.is_empty(), "{name}: no finding");
        assert!(
            found.iter().all(|f| f.fix.is_none()),
            "{name}: offers a fix"
        );
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn findings(path: &Path) -> Vec<chanlint::Finding> {
    let options = Options {
        paths: vec![path.to_path_buf()],
        config: Lookup::Off,
        ..Options::default()
    };
    check(&options).unwrap().findings
}

fn chanlint_fix(dir: &Path) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("chanlint")
        .unwrap()
        .args(["check", "--fix", "--no-config", "--format", "short"])
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Copies the fixtures into a temporary `src/bin`, fixes them, and returns the folder and the
/// names of those that had a fix.
fn fixed_copies() -> (tempfile::TempDir, Vec<&'static str>) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("src/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let mut with_fix = Vec::new();
    for name in FIXTURES {
        let to = bin.join(format!("{name}.rs"));
        std::fs::copy(root().join(format!("fixtures/src/bin/{name}.rs")), &to).unwrap();
        if findings(&to).iter().any(|f| f.fix.is_some()) {
            with_fix.push(*name);
        }
    }
    let before: Vec<String> = FIXTURES
        .iter()
        .map(|n| std::fs::read_to_string(bin.join(format!("{n}.rs"))).unwrap())
        .collect();
    let (_, stderr) = chanlint_fix(&bin);
    assert!(
        stderr.contains(&format!("applied {} fix", with_fix.len())),
        "{stderr}"
    );
    for (name, before) in FIXTURES.iter().zip(&before) {
        let path = bin.join(format!("{name}.rs"));
        let after = std::fs::read_to_string(&path).unwrap();
        if !with_fix.contains(name) {
            assert_eq!(&after, before, "{name} had no fix but changed");
            continue;
        }
        assert_ne!(&after, before, "{name}");
        syn::parse_file(&after).unwrap_or_else(|e| panic!("{name} no longer parses: {e}\n{after}"));
        let left: Vec<_> = findings(&path)
            .into_iter()
            .filter(|f| f.fix.is_some())
            .collect();
        assert!(left.is_empty(), "{name}: {left:?}\n{after}");
        // The inserted line is indented like the wait and is a plain `drop(..);`.
        assert!(
            after
                .lines()
                .any(|l| l.trim_start().starts_with("drop(") && l.starts_with("    ")),
            "{after}"
        );
    }
    // Idempotent: a second run changes nothing.
    let again: Vec<String> = FIXTURES
        .iter()
        .map(|n| std::fs::read_to_string(bin.join(format!("{n}.rs"))).unwrap())
        .collect();
    let (_, stderr) = chanlint_fix(&bin);
    assert!(stderr.contains("applied 0 fixes"), "{stderr}");
    for (name, again) in FIXTURES.iter().zip(&again) {
        assert_eq!(
            &std::fs::read_to_string(bin.join(format!("{name}.rs"))).unwrap(),
            again,
            "{name}"
        );
    }
    eprintln!(
        "fixed: {with_fix:?}; no fix offered: {:?}",
        FIXTURES
            .iter()
            .filter(|n| !with_fix.contains(n))
            .collect::<Vec<_>>()
    );
    (dir, with_fix)
}

#[test]
fn fix_parses_removes_the_finding_and_is_idempotent() {
    let (_dir, with_fix) = fixed_copies();
    assert!(!with_fix.is_empty(), "no fixture offers a fix");
}

/// Builds the fixed programs as a copy of the fixtures package (sharing the ground-truth test's
/// target folder, so dependencies are built once) and runs each: it must now exit with 0.
#[test]
fn fixed_programs_exit() {
    let (dir, with_fix) = fixed_copies();
    let bin = dir.path().join("src/bin");
    for entry in std::fs::read_dir(&bin).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if !with_fix.contains(&name.as_str()) || KNOWN_BROKEN_FIXES.contains(&name.as_str()) {
            std::fs::remove_file(path).unwrap();
        } else {
            std::fs::rename(&path, bin.join(format!("fixed_{name}.rs"))).unwrap();
        }
    }
    if with_fix.is_empty() {
        return;
    }
    // Another package name and `fixed_` bins: nothing of the ground-truth build is overwritten.
    for file in ["Cargo.toml", "Cargo.lock"] {
        let text = std::fs::read_to_string(root().join("fixtures").join(file)).unwrap();
        let text = text.replace("\"chanlint-fixtures\"", "\"chanlint-fixed-fixtures\"");
        // Path dependencies stay where they are: the copy lives in another folder.
        let fixtures = root().join("fixtures");
        let text = text.replace("path = \"", &format!("path = \"{}/", fixtures.display()));
        // The copy has no multi-crate fixtures: no workspace members.
        let text: String = text
            .lines()
            .filter(|l| !l.starts_with("members = "))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let target = root().join("target").join("fixtures");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--bins", "--quiet", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in with_fix
        .into_iter()
        .filter(|n| !KNOWN_BROKEN_FIXES.contains(n))
    {
        let exe = target
            .join("debug")
            .join(format!("fixed_{name}{}", std::env::consts::EXE_SUFFIX));
        let mut child = Command::new(&exe)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(
            status.is_some_and(|s| s.success()),
            "fixed {name} does not exit: {status:?}"
        );
    }
}
