//! The `muster` command line.

mod summary;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for input data that is not valid (sysexits' EX_DATAERR).
const EXIT_INVALID_DATA: u8 = 65;

#[derive(Debug, Parser)]
#[command(name = "muster", version, about = "Run staged command-staff exercises over NATS")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with scenario files.
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ScenarioCommand {
    /// Check a scenario file; print a summary when valid, every problem with its line when not.
    Validate {
        /// The scenario file (TOML).
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    bus::telemetry::init();
    match Cli::parse().command {
        Command::Scenario { command: ScenarioCommand::Validate { file } } => validate(&file),
    }
}

fn validate(file: &std::path::Path) -> ExitCode {
    match scenario::load(file) {
        Ok(scenario) => {
            print!("{}", summary::render(&scenario, file));
            ExitCode::SUCCESS
        }
        Err(scenario::ScenarioError::Invalid { file, problems }) => {
            for problem in &problems {
                eprintln!("{file}:{problem}");
            }
            eprintln!("{file}: {} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" });
            ExitCode::from(EXIT_INVALID_DATA)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(EXIT_INVALID_DATA)
        }
    }
}
