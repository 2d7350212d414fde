//! The command line: arguments in, a rendered report out, and the exit status
//! (0 clean, 1 findings, 2 incomplete).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chanlint::render::{self, Format, RenderOptions};
use chanlint::{rules, Options};
use clap::{Parser, Subcommand, ValueEnum};

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

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Some(id) = &cli.explain {
        return match rules::find(id) {
            Some(rule) => {
                println!(
                    "# {} ({})\n\n{}",
                    rule.id,
                    rule.severity.as_str(),
                    rule.doc()
                );
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: unknown rule `{id}` (see --list-rules)");
                ExitCode::from(2)
            }
        };
    }
    if cli.list_rules {
        for rule in rules::RULES {
            println!(
                "{:<24} {:<8} {}",
                rule.id,
                rule.severity.as_str(),
                rule.summary
            );
        }
        return ExitCode::SUCCESS;
    }
    let Some(Command::Check(args)) = cli.command else {
        eprintln!("error: no command given; try `chanlint check [PATH ...]`");
        return ExitCode::from(2);
    };
    run(args)
}

fn run(args: CheckArgs) -> ExitCode {
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
    };
    let report = match chanlint::check(&options) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
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
    for (path, line, why) in &report.incomplete {
        eprintln!("note: {path}:{line}: analysis of this function stopped early: {why}");
    }
    let code = report.exit_code();
    ExitCode::from(if code == 1 && args.exit_zero {
        0
    } else {
        code as u8
    })
}
