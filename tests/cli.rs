//! The command line: exit statuses, flags, formats, config errors, suppressions, `cargo chanlint`.

use std::path::Path;

use assert_cmd::Command;

const HANG: &str = "fixtures/src/bin/std_lingering_original.rs";
const CLEAN: &str = "fixtures/src/bin/std_ok_drop_before_wait.rs";

fn chanlint() -> Command {
    let mut cmd = Command::cargo_bin("chanlint").unwrap();
    cmd.env_remove("NO_COLOR");
    cmd
}

fn stdout(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn exit_statuses() {
    chanlint()
        .args(["check", CLEAN, "--no-config"])
        .assert()
        .code(0);
    chanlint()
        .args(["check", HANG, "--no-config"])
        .assert()
        .code(1);
    chanlint()
        .args(["check", HANG, "--no-config", "--exit-zero"])
        .assert()
        .code(0);
    chanlint()
        .args(["check", "--format", "nope", HANG])
        .assert()
        .code(2);
    chanlint().assert().code(2);
}

/// README's first command, verbatim: the demo language server has one real finding.
#[test]
fn the_readme_first_command_finds_the_demo_hang() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let first = readme
        .lines()
        .find(|l| l.trim_start().starts_with("cargo run"))
        .unwrap();
    let args: Vec<&str> = first
        .split('#')
        .next()
        .unwrap()
        .split_whitespace()
        .skip_while(|a| *a != "--")
        .skip(1)
        .collect();
    assert_eq!(args, ["check", "demo/language-server"], "{first}");
    let mut cmd = chanlint();
    let (code, out, _) = stdout(cmd.args(&args).args(["--format", "short"]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("demo/language-server/src/main.rs:12:10: error[lingering-sender]"),
        "{out}"
    );
    assert_eq!(out.matches("[lingering-sender]").count(), 1, "{out}");
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let (code, out, _) =
        stdout(chanlint().args(["check", "no/such/dir_xyz", HANG, "--format", "short"]));
    assert_eq!(code, 2);
    assert!(out.contains("no/such/dir_xyz"), "{out}");
    assert!(
        out.contains("lingering-sender"),
        "the other path is still checked: {out}"
    );
}

#[test]
fn an_unparsable_file_next_to_a_hang_reports_both() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(HANG, dir.path().join("hang.rs")).unwrap();
    std::fs::write(
        dir.path().join("broken.rs"),
        "use std::sync::mpsc::channel;\nfn main() { let x = ; }\n",
    )
    .unwrap();
    let (code, out, _) = stdout(
        chanlint()
            .args(["check", "--format", "short", "--no-config"])
            .arg(dir.path()),
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("hang.rs:7:10: error[lingering-sender]"),
        "{out}"
    );
    assert!(out.contains("broken.rs:2:"), "{out}");
    // --exit-zero does not hide an incomplete check.
    chanlint()
        .args(["check", "--exit-zero", "--no-config"])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn explain_and_list_rules() {
    let (code, out, _) = stdout(chanlint().args(["--explain", "lingering-sender"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("## What it does") && out.contains("## Known limitations"),
        "{out}"
    );
    let (code, out, _) = stdout(chanlint().args(["--explain", "unused-suppression"]));
    assert_eq!(code, 0, "{out}");
    chanlint()
        .args(["--explain", "no-such-rule"])
        .assert()
        .code(2);
    let (code, out, _) = stdout(chanlint().arg("--list-rules"));
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("lingering-sender") && l.contains("error")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("unused-suppression") && l.contains("warning")),
        "{out}"
    );
}

#[test]
fn every_rule_explains_itself_and_is_listed() {
    let rules = [
        ("sender-in-endless-task", "error"),
        ("early-exit-skips-close", "warning"),
        ("self-held-sender", "warning"),
        ("leaked-sender", "warning"),
    ];
    let (_, list, _) = stdout(chanlint().arg("--list-rules"));
    for (rule, severity) in rules {
        let (code, out, _) = stdout(chanlint().args(["--explain", rule]));
        assert_eq!(code, 0, "{rule}: {out}");
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## Known limitations",
        ] {
            assert!(out.contains(section), "{rule} lacks {section}:\n{out}");
        }
        assert!(
            list.lines()
                .any(|l| l.starts_with(rule) && l.contains(severity)),
            "{rule} not listed as {severity}:\n{list}"
        );
    }
}

#[test]
fn every_format_runs() {
    for format in ["human", "short", "json", "sarif", "github", "rustc-json"] {
        let (code, out, err) = stdout(chanlint().args([
            "check",
            HANG,
            "--no-config",
            "--color",
            "never",
            "--format",
            format,
        ]));
        assert_eq!(code, 1, "{format}: {err}");
        assert!(out.contains("lingering-sender"), "{format}: {out}");
        if ["json", "sarif"].contains(&format) {
            serde_json::from_str::<serde_json::Value>(&out).unwrap();
        }
        if format == "rustc-json" {
            for line in out.lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap();
            }
        }
    }
    let (_, out, _) =
        stdout(chanlint().args(["check", HANG, "--no-config", "--message-format", "short"]));
    assert!(
        out.starts_with(&format!("{HANG}:7:10: error[lingering-sender]")),
        "{out}"
    );
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    for format in ["json", "human"] {
        let run = |threads: &str| {
            stdout(chanlint().args([
                "check",
                "fixtures",
                "--no-config",
                "--color",
                "never",
                "--format",
                format,
                "--threads",
                threads,
            ]))
        };
        let (code, one, _) = run("1");
        assert_eq!(code, 1, "{one}");
        assert!(one.matches("lingering-sender").count() >= 30, "{one}");
        assert_eq!(run("4"), run("1"), "{format}");
    }
}

#[test]
fn color() {
    let (_, out, _) = stdout(chanlint().args(["check", HANG, "--no-config", "--color", "always"]));
    assert!(out.contains('\u{1b}'));
    let (_, out, _) = stdout(chanlint().args(["check", HANG, "--no-config", "--color", "never"]));
    assert!(!out.contains('\u{1b}'));
    // Not a terminal: no color by default; NO_COLOR also turns auto off.
    let (_, out, _) = stdout(
        chanlint()
            .args(["check", HANG, "--no-config"])
            .env("NO_COLOR", "1"),
    );
    assert!(!out.contains('\u{1b}'));
}

fn project(config: &str, file: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file), config).unwrap();
    std::fs::create_dir_all(dir.path().join("src/gen")).unwrap();
    std::fs::copy(HANG, dir.path().join("src/main.rs")).unwrap();
    std::fs::copy(HANG, dir.path().join("src/gen/out.rs")).unwrap();
    dir
}

fn short(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    stdout(
        chanlint()
            .current_dir(dir)
            .args(["check", "--format", "short"])
            .args(extra),
    )
}

#[test]
fn config_in_chanlint_toml() {
    let dir = project(
        "exclude = [\"gen\"]\n[rules]\nlingering-sender = \"warn\"\n",
        "chanlint.toml",
    );
    let (code, out, _) = short(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("src/main.rs:7:10: warning[lingering-sender]"),
        "{out}"
    );
    assert!(!out.contains("gen/out.rs"), "{out}");
    let (code, out, _) = short(dir.path(), &["--no-config"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("gen/out.rs") && out.contains("error[lingering-sender]"),
        "{out}"
    );
    std::fs::write(
        dir.path().join("chanlint.toml"),
        "[rules]\nlingering-sender = \"allow\"\n",
    )
    .unwrap();
    assert_eq!(short(dir.path(), &[]).0, 0);
}

#[test]
fn config_in_cargo_metadata() {
    let manifest = "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[package.metadata.chanlint]\nexclude = [\"src/gen/**\"]\n";
    let dir = project(manifest, "Cargo.toml");
    let (code, out, _) = short(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("src/main.rs") && !out.contains("gen/out.rs"),
        "{out}"
    );
    let manifest = "[workspace]\nmembers = []\n[workspace.metadata.chanlint.rules]\nlingering-sender = \"allow\"\n";
    let dir = project(manifest, "Cargo.toml");
    assert_eq!(short(dir.path(), &[]).0, 0);
}

#[test]
fn bad_config_is_an_error_naming_the_key() {
    for (config, key) in [
        ("excludes = []\n", "`excludes`"),
        (
            "[rules]\nlingering-sender = \"loud\"\n",
            "`rules.lingering-sender`",
        ),
        ("[rules]\nno-such-rule = \"warn\"\n", "`rules.no-such-rule`"),
        ("exclude = \"src\"\n", "`exclude`"),
        ("exclude = [\"a{\"]\n", "`exclude`"),
    ] {
        let dir = project(config, "chanlint.toml");
        let (code, out, err) = short(dir.path(), &[]);
        assert_eq!(code, 2, "{config}: {out}");
        assert!(
            err.contains(key) && err.contains("chanlint.toml"),
            "{config}: {err}"
        );
    }
    let dir = project(
        "[package]\nname = \"x\"\n[package.metadata.chanlint]\nbogus = 1\n",
        "Cargo.toml",
    );
    let (code, _, err) = short(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("`package.metadata.chanlint.bogus`"), "{err}");
}

/// A crate that makes its channels with an in-house wrapper and starts its workers with an
/// in-house spawn function, both from another crate the checker never sees.
const IN_HOUSE: &str = "use inhouse::chan::pair;
use inhouse::rt;
use std::thread;

fn main() {
    let (tx, rx) = pair();
    let worker = thread::spawn(move || {
        for v in rx {
            println!(\"{v}\");
        }
    });
    tx.send(1).unwrap();
    worker.join().unwrap();
}

fn other() {
    let (tx, rx) = std::sync::mpsc::channel::<u32>();
    let worker = rt::spawn_named(\"drain\", move || {
        for v in rx {
            println!(\"{v}\");
        }
    });
    tx.send(1).unwrap();
    worker.join().unwrap();
}
";

fn in_house_project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), config).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), IN_HOUSE).unwrap();
    dir
}

#[test]
fn configured_constructors_and_spawn_functions_find_wrapped_hangs() {
    let package = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n";
    let dir = in_house_project(package);
    let (code, out, err) = short(dir.path(), &[]);
    assert_eq!(code, 0, "without the rows, nothing is known: {out}{err}");
    let dir = in_house_project(&format!(
        "{package}\n[[package.metadata.chanlint.constructor]]\npath = \"inhouse::chan::pair\"\n\
         library = \"std::sync::mpsc\"\n"
    ));
    let (code, out, err) = short(dir.path(), &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out.matches("lingering-sender").count(), 1, "{out}");
    assert!(
        out.contains("src/main.rs:6:10: error[lingering-sender]"),
        "{out}"
    );
    // Found with the byte scan off too: the scan also looks for configured constructors.
    assert_eq!(short(dir.path(), &["--no-scan"]).1, out);
    let dir = in_house_project(&format!(
        "{package}\n[package.metadata.chanlint.spawn]\nfunctions = [\"inhouse::rt::spawn_named\"]\n"
    ));
    let (code, out, _) = short(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches("lingering-sender").count(), 1, "{out}");
    assert!(
        out.contains("src/main.rs:17:10: error[lingering-sender]"),
        "{out}"
    );
}

#[test]
fn a_configured_model_finds_the_hang_of_an_unseen_library_type() {
    // The user code of `fixtures/src/bin/user_model_client_lingering`, alone in a project: the
    // in-house crate's source is nowhere, so only the model row can tell what `start` returns.
    let user =
        std::fs::read_to_string("fixtures/src/bin/user_model_client_lingering/main.rs").unwrap();
    let package = "[package]\nname = \"app\"\nversion = \"0.1.0\"\n";
    let project = |config: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), config).unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), &user).unwrap();
        dir
    };
    let (code, out, err) = short(project(package).path(), &[]);
    assert_eq!(code, 0, "without the row, nothing is known: {out}{err}");
    let fixtures = std::fs::read_to_string("fixtures/Cargo.toml").unwrap();
    let row = &fixtures[fixtures
        .find("[[package.metadata.chanlint.model]]")
        .unwrap()..];
    let dir = project(&format!("{package}\n{row}"));
    let (code, out, err) = short(dir.path(), &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("src/main.rs:16:10: error[lingering-sender]"),
        "{out}"
    );
    assert_eq!(out.matches("lingering-sender").count(), 1, "{out}");
    // The byte scan reads a file that names a configured model's crate.
    assert_eq!(short(dir.path(), &["--no-scan"]).1, out);
}

#[test]
fn bad_constructor_rows_are_errors_naming_the_key() {
    for (config, key) in [
        (
            "[[constructor]]\npath = \"a::pair\"\nlibary = \"flume\"\n",
            "`constructor.libary`",
        ),
        (
            "[[constructor]]\npath = \"a::pair\"\nlibrary = \"std\"\n",
            "`constructor.library`",
        ),
        ("[spawn]\nfunctions = \"a::go\"\n", "`spawn.functions`"),
    ] {
        let dir = project(config, "chanlint.toml");
        let (code, _, err) = short(dir.path(), &[]);
        assert_eq!(code, 2, "{config}");
        assert!(err.contains(key), "{config}: {err}");
    }
    let dir = in_house_project(
        "[package]\nname = \"x\"\n[[package.metadata.chanlint.constructor]]\npath = \"a::pair\"\n",
    );
    let (code, _, err) = short(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("library"), "{err}");
}

#[test]
fn suppression_comments() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(HANG).unwrap();
    let suppressed = text.replace(
        "//~ lingering-sender",
        "// chanlint: allow(lingering-sender) -- joined elsewhere",
    );
    std::fs::write(dir.path().join("a.rs"), &suppressed).unwrap();
    let above_item = text.replace(
        "fn main() {",
        "// chanlint: allow(lingering-sender) -- demo\nfn main() {",
    );
    std::fs::write(dir.path().join("b.rs"), &above_item).unwrap();
    let unused = text.replace(
        "use std::thread;",
        "use std::thread;\n// chanlint: allow(lingering-sender)\nfn other() {}",
    );
    std::fs::write(dir.path().join("c.rs"), &unused).unwrap();
    let (code, out, _) = stdout(
        chanlint()
            .args(["check", "--format", "short", "--no-config"])
            .arg(dir.path()),
    );
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("a.rs") && !out.contains("b.rs"), "{out}");
    assert!(
        out.contains("c.rs:5:1: warning[unused-suppression]"),
        "{out}"
    );
    assert!(out.contains("c.rs:9:10: error[lingering-sender]"), "{out}");
}

#[test]
fn cargo_subcommand() {
    let mut cmd = Command::cargo_bin("cargo-chanlint").unwrap();
    let (code, out, _) = stdout(cmd.args(["chanlint", HANG, "--no-config", "--format", "short"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[lingering-sender]"));
    let mut cmd = Command::cargo_bin("cargo-chanlint").unwrap();
    let (code, out, _) = stdout(cmd.args(["chanlint", "check", CLEAN, "--no-config"]));
    assert_eq!(code, 0, "{out}");
    let mut cmd = Command::cargo_bin("cargo-chanlint").unwrap();
    let (code, out, _) = stdout(cmd.args(["chanlint", "--list-rules"]));
    assert_eq!(code, 0);
    assert!(out.contains("lingering-sender"));
}
