//! The command line, shared by `chanlint` and `cargo chanlint`: arguments in, a rendered report
//! out, and the exit status (0 clean, 1 findings, 2 incomplete).

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Lookup;
use crate::render::{self, Format, RenderOptions};
use crate::Options;

#[derive(Parser)]
#[command(
    name = "chanlint",
    version,
    about = "Finds Rust channels that may never close"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Print the documentation of a rule.
    #[arg(long, value_name = "RULE", global = true)]
    explain: Option<String>,
    /// Print the table of rules.
    #[arg(long, global = true)]
    list_rules: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and folders (default: the current folder).
    Check(CheckArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or folders to check.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, alias = "message-format", value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Apply the machine-applicable fixes in place, then report what is left.
    #[arg(long)]
    fix: bool,
    /// Skip paths matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Do not honour `.gitignore` files.
    #[arg(long)]
    no_ignore: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Parse every file, even those a byte scan shows cannot create a channel.
    #[arg(long)]
    no_scan: bool,
    /// Do not read the sources of registry dependencies (vendored or in cargo's registry
    /// cache): their functions stay unknown calls.
    #[arg(long)]
    no_dependency_sources: bool,
    /// Read the configuration from this file instead of looking for `chanlint.toml`.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore `chanlint.toml` and `Cargo.toml` metadata.
    #[arg(long)]
    no_config: bool,
    /// When to use colors.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// Runs the command line `args` (the first is the program name) and returns the exit status.
pub fn run_cli<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    if let Some(id) = &cli.explain {
        return match render::all_rules().into_iter().find(|r| r.id == id) {
            Some(rule) => {
                println!("# {} ({})\n\n{}", rule.id, rule.severity.as_str(), rule.doc);
                0
            }
            None => {
                eprintln!("error: unknown rule `{id}` (see --list-rules)");
                2
            }
        };
    }
    if cli.list_rules {
        for rule in render::all_rules() {
            println!(
                "{:<24} {:<8} {}",
                rule.id,
                rule.severity.as_str(),
                rule.summary
            );
        }
        return 0;
    }
    let Some(Command::Check(args)) = cli.command else {
        eprintln!("error: no command given; try `chanlint check [PATH ...]`");
        return 2;
    };
    run(args)
}

fn run(args: CheckArgs) -> i32 {
    let options = Options {
        paths: if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths
        },
        exclude: args.exclude,
        respect_gitignore: !args.no_ignore,
        threads: args.threads,
        scan: !args.no_scan,
        dependency_sources: !args.no_dependency_sources,
        config: match (args.config, args.no_config) {
            (Some(file), _) => Lookup::File(file),
            (None, true) => Lookup::Off,
            (None, false) => Lookup::Discover,
        },
    };
    let mut report = match crate::check(&options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if args.fix {
        let applied = crate::fix::apply(&report);
        for (path, line, message) in &applied.fixed {
            eprintln!("fixed: {path}:{line}: {message}");
        }
        let files: std::collections::BTreeSet<&str> =
            applied.fixed.iter().map(|(p, _, _)| p.as_str()).collect();
        eprintln!(
            "applied {} fix{} in {} file{}",
            applied.fixed.len(),
            if applied.fixed.len() == 1 { "" } else { "es" },
            files.len(),
            if files.len() == 1 { "" } else { "s" },
        );
        if !applied.fixed.is_empty() {
            report = match crate::check(&options) {
                Ok(report) => report,
                Err(e) => {
                    eprintln!("error: {e}");
                    return 2;
                }
            };
        }
        report.errors.extend(applied.errors);
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let out = render::render(&report, args.format, &RenderOptions { color });
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    for (path, what) in &report.notes {
        eprintln!("note: {path}: {what}");
    }
    for (path, line, why) in &report.incomplete {
        eprintln!("note: {path}:{line}: analysis of this function stopped early: {why}");
    }
    let code = report.exit_code();
    if code == 1 && args.exit_zero {
        0
    } else {
        code
    }
}
