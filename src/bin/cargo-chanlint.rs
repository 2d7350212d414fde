//! `cargo chanlint [ARGS]`: cargo runs `cargo-chanlint chanlint [ARGS]`. The leading `chanlint`
//! is dropped, and `check` is implied unless another command or a rule flag is given.

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(chanlint::cli::run_cli(cargo_args(std::env::args_os().collect())) as u8)
}

fn cargo_args(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_some_and(|a| a == "chanlint") {
        args.remove(1);
    }
    let standalone = [
        "check",
        "help",
        "-h",
        "--help",
        "-V",
        "--version",
        "--explain",
        "--list-rules",
    ];
    let implied = match args.get(1).and_then(|a| a.to_str()) {
        None => true,
        Some(first) => !standalone
            .iter()
            .any(|s| first == *s || first.starts_with("--explain=")),
    };
    if implied {
        args.insert(1, "check".into());
    }
    args[0] = "cargo chanlint".into();
    args
}
