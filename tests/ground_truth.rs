//! Ground truth for the fixtures: every program in `fixtures/src/bin/` is built and run, and its
//! behaviour must match the `//! truth:` label on its first line.
//!
//! - `truth: hang`: the program must still be running after [`TIMEOUT`] (it is then killed);
//! - `truth: ok`: the program must exit with status 0 before [`TIMEOUT`].
//!
//! This test uses only std and never calls chanlint: it proves the labels that the checker's own
//! tests compare findings against. See `fixtures/README.md` for the conventions.

use std::collections::VecDeque;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(3);
const PARALLEL: usize = 8;
const MIN_FIXTURES: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    Hang,
    Ok,
}

struct Fixture {
    name: String,
    source: PathBuf,
    truth: Truth,
}

/// Kills and reaps the child if it is still running when dropped (also on panic).
struct ChildGuard(Option<Child>);

impl ChildGuard {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("child already taken")
    }

    /// Kills the child (if still running) and waits for it.
    fn kill_and_reap(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill_and_reap();
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn parse_truth(first_line: &str) -> Option<Truth> {
    match first_line.trim_end() {
        "//! truth: hang" => Some(Truth::Hang),
        "//! truth: ok" => Some(Truth::Ok),
        _ => None,
    }
}

/// Reads `fixtures/src/bin/*.rs`; returns the number of sources found and the fixtures with a
/// valid label. Label problems are pushed to `errors`.
fn collect_fixtures(bin_dir: &Path, errors: &mut Vec<String>) -> (usize, Vec<Fixture>) {
    let mut fixtures = Vec::new();
    let entries =
        fs::read_dir(bin_dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", bin_dir.display()));
    // A program is `NAME.rs`, or a folder `NAME/` with `main.rs` and its modules.
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.expect("cannot read directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs") || p.join("main.rs").is_file())
        .collect();
    paths.sort();
    let total = paths.len();
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = if path.is_dir() {
            path.join("main.rs")
        } else {
            path.clone()
        };
        let text = match fs::read_to_string(&source) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("{name}: cannot read source: {e}"));
                continue;
            }
        };
        let markers = program_text(&path).matches("//~").count();
        let mut lines = text.lines();
        let first = lines.next().unwrap_or("");
        let second = lines.next().unwrap_or("");
        let Some(truth) = parse_truth(first) else {
            errors.push(format!(
                "{name}: first line must be `//! truth: hang` or `//! truth: ok`, found {first:?}"
            ));
            continue;
        };
        if !second.starts_with("//! ") || second.trim_end().len() <= 4 {
            errors.push(format!(
                "{name}: second line must be `//! <one-sentence description>`, found {second:?}"
            ));
        }
        match truth {
            Truth::Hang if markers == 0 => errors.push(format!(
                "{name}: a `truth: hang` fixture needs at least one `//~` expected finding"
            )),
            Truth::Ok if markers != 0 => errors.push(format!(
                "{name}: a `truth: ok` fixture must not contain `//~` markers ({markers} found)"
            )),
            _ => {}
        }
        fixtures.push(Fixture {
            name,
            source,
            truth,
        });
    }
    (total, fixtures)
}

/// The text of every file of a program, to count its `//~` markers.
fn program_text(path: &Path) -> String {
    if !path.is_dir() {
        return fs::read_to_string(path).unwrap_or_default();
    }
    let mut files: Vec<PathBuf> = fs::read_dir(path)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| fs::read_to_string(p).ok())
        .collect()
}

fn build_fixtures(root: &Path, target_dir: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = root.join("fixtures").join("Cargo.toml");
    let output = Command::new(&cargo)
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--workspace", "--bins", "--quiet"])
        .env("CARGO_TARGET_DIR", target_dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo:?}: {e}"));
    if !output.status.success() {
        panic!(
            "building the fixtures failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Runs one fixture; returns `Err(reason)` if its behaviour contradicts its label.
fn run_fixture(fixture: &Fixture, bin_dir: &Path) -> Result<(), String> {
    let exe = bin_dir.join(format!("{}{}", fixture.name, std::env::consts::EXE_SUFFIX));
    if !exe.is_file() {
        return Err(format!("binary {} was not built", exe.display()));
    }
    let child = Command::new(&exe)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let mut guard = ChildGuard(Some(child));
    // Drain stderr on a thread so a chatty child can never block on a full pipe.
    let mut stderr_pipe = guard.child().stderr.take().expect("piped stderr");
    let stderr_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    });

    let start = Instant::now();
    let status: Option<ExitStatus> = loop {
        match guard.child().try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= TIMEOUT => break None,
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                guard.kill_and_reap();
                return Err(format!("cannot wait for the program: {e}"));
            }
        }
    };
    let elapsed = start.elapsed();
    // Timed out: kill it. Exited: just reap (no-op kill on an exited child is harmless).
    guard.kill_and_reap();
    let stderr = stderr_reader.join().unwrap_or_default();
    let stderr = stderr.trim();
    let tail = if stderr.is_empty() {
        String::new()
    } else {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("; stderr: {}", tail.join(" | "))
    };

    match (fixture.truth, status) {
        (Truth::Hang, None) => Ok(()),
        (Truth::Hang, Some(status)) => Err(format!(
            "labelled `hang` but exited after {elapsed:.2?} with {status}{tail}"
        )),
        (Truth::Ok, Some(status)) if status.success() => Ok(()),
        (Truth::Ok, Some(status)) => Err(format!(
            "labelled `ok` but exited after {elapsed:.2?} with {status}{tail}"
        )),
        (Truth::Ok, None) => Err(format!(
            "labelled `ok` but was still running after {TIMEOUT:?} (killed){tail}"
        )),
    }
}

#[test]
fn fixtures_behave_as_labelled() {
    let root = root();
    let src_bin = root.join("fixtures").join("src").join("bin");
    let mut failures = Vec::new();
    let (mut found, mut fixtures) = collect_fixtures(&src_bin, &mut failures);
    // The multi-crate fixtures: the binaries of the crates of `fixtures/workspaces/`, members
    // of the fixtures' workspace (built into the same target folder).
    let workspaces = root.join("fixtures").join("workspaces");
    let mut members: Vec<PathBuf> = fs::read_dir(&workspaces)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    members.sort();
    for member in members {
        let bins = member.join("src").join("bin");
        if bins.is_dir() {
            let (more, programs) = collect_fixtures(&bins, &mut failures);
            found += more;
            fixtures.extend(programs);
        }
    }
    assert!(
        found >= MIN_FIXTURES,
        "expected at least {MIN_FIXTURES} fixtures in {}, found {found}",
        src_bin.display()
    );

    let target_dir = root.join("target").join("fixtures");
    build_fixtures(&root, &target_dir);
    let bin_dir = target_dir.join("debug");

    let queue: Arc<Mutex<VecDeque<Fixture>>> = Arc::new(Mutex::new(fixtures.into()));
    let results: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let results = Arc::clone(&results);
            let bin_dir = bin_dir.clone();
            thread::spawn(move || loop {
                let next = queue.lock().unwrap().pop_front();
                let Some(fixture) = next else { break };
                if let Err(why) = run_fixture(&fixture, &bin_dir) {
                    results.lock().unwrap().push(format!(
                        "{} ({}): {why}",
                        fixture.name,
                        fixture.source.display()
                    ));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("fixture runner thread panicked");
    }

    failures.extend(results.lock().unwrap().drain(..));
    failures.sort();
    if !failures.is_empty() {
        panic!(
            "{} fixture problem(s):\n  - {}",
            failures.len(),
            failures.join("\n  - ")
        );
    }
}
