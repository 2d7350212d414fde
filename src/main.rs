//! `chanlint`: see `chanlint::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(chanlint::cli::run_cli(std::env::args_os()) as u8)
}
