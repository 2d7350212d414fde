//! The SARIF output passes Microsoft's validator with GitHub's ingestion rules:
//! `sarif-multitool validate FILE --rule-kind "Gh;Sarif"` (npm `@microsoft/sarif-multitool`).
//! Skipped, with a notice, when `sarif-multitool` is not on PATH (or `SARIF_MULTITOOL` unset).

use std::path::{Path, PathBuf};
use std::process::Command;

use chanlint::config::Lookup;
use chanlint::render::{render, Format, RenderOptions};
use chanlint::{check, Options};

fn multitool() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("sarif-multitool"))
        .find(|p| p.is_file())
}

/// The npm wrapper runs the real tool through a shell, which would split `Gh;Sarif` at the `;`.
fn rule_kind_argument(tool: &Path) -> &'static str {
    let head = std::fs::read(tool)
        .map(|b| b.starts_with(b"#!"))
        .unwrap_or(false);
    if head {
        "\"Gh;Sarif\""
    } else {
        "Gh;Sarif"
    }
}

#[test]
fn sarif_passes_the_github_validator() {
    let Some(tool) = multitool() else {
        eprintln!(
            "skipped: sarif-multitool is not on PATH (npm install -g @microsoft/sarif-multitool)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Findings with fixes and related locations, and an error notification.
    let broken = dir.path().join("broken_channel.rs");
    std::fs::write(&broken, "fn main() { let channel = ; }\n").unwrap();
    let options = Options {
        paths: vec![PathBuf::from("fixtures/src/bin"), broken],
        config: Lookup::Off,
        ..Options::default()
    };
    let report = check(&options).unwrap();
    assert!(!report.findings.is_empty() && !report.errors.is_empty());
    let input = dir.path().join("chanlint.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(
        &input,
        render(&report, Format::Sarif, &RenderOptions { color: false }),
    )
    .unwrap();
    let run = Command::new(&tool)
        .arg("validate")
        .arg(&input)
        .args(["--rule-kind", rule_kind_argument(&tool), "--output"])
        .arg(&output)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        output.is_file(),
        "the validator wrote no log:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let problems: Vec<String> = results
        .iter()
        .filter(|r| matches!(r["level"].as_str(), None | Some("error") | Some("warning")))
        // SARIF2005 asks for `tool.driver.informationUri`, a home page for the tool: chanlint
        // gives one once `Cargo.toml` names it, and never makes one up.
        .filter(|r| {
            r["ruleId"] != "SARIF2005" || chanlint::render::sarif::information_uri().is_some()
        })
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(
        problems.is_empty(),
        "the validator reports:\n{}\n{stdout}",
        problems.join("\n")
    );
}
