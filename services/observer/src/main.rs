//! The observer binary: records one exercise and writes its after-action report.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "observer", about = "Muster observer: keeps the record and writes the after-action report")]
struct Args {
    #[command(flatten)]
    exercise: scenario::cli::ExerciseArgs,
    /// Folder for report.json and report.md.
    #[arg(long, env = "MUSTER_OUT", default_value = "out")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bus::telemetry::init("info");
    let args = Args::parse();
    let (scenario, time_scale) = args.exercise.load()?;
    let settings = observer::Settings {
        nats_url: args.exercise.nats,
        exercise: args.exercise.exercise,
        time_scale,
        scenario,
        out_dir: args.out,
    };
    observer::run(settings, bus::telemetry::shutdown_signal()).await.context("observer failed")?;
    Ok(())
}
