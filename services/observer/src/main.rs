//! The observer binary: records one exercise and writes its after-action report.

use std::path::PathBuf;

use anyhow::Context as _;
use bus::ExerciseId;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "observer", about = "Muster observer: keeps the record and writes the after-action report")]
struct Args {
    /// NATS server URL.
    #[arg(long, env = "MUSTER_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    nats: String,
    /// The exercise id.
    #[arg(long, env = "MUSTER_EXERCISE")]
    exercise: ExerciseId,
    /// The scenario file.
    #[arg(long, env = "MUSTER_SCENARIO")]
    scenario: PathBuf,
    /// Exercise seconds per wall second; the scenario's own scale when not given.
    #[arg(long, env = "MUSTER_TIME_SCALE")]
    time_scale: Option<f64>,
    /// Folder for report.json and report.md.
    #[arg(long, env = "MUSTER_OUT", default_value = "out")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bus::telemetry::init("info");
    let args = Args::parse();
    let scenario = scenario::load(&args.scenario)?;
    let settings = observer::Settings {
        nats_url: args.nats,
        exercise: args.exercise,
        time_scale: args.time_scale.unwrap_or(scenario.time_scale),
        scenario,
        out_dir: args.out,
    };
    observer::run(settings, bus::telemetry::shutdown_signal()).await.context("observer failed")?;
    Ok(())
}
