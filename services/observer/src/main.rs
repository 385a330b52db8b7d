//! The observer binary: records one exercise and writes its after-action report.

use std::path::PathBuf;

use anyhow::Context as _;
use bus::ExerciseId;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "observer", about = "Muster observer: keeps the record and writes the after-action report")]
struct Args {
    #[command(flatten)]
    bus: launch::BusArgs,
    /// The exercise id.
    #[arg(long, env = "MUSTER_EXERCISE")]
    exercise: ExerciseId,
    /// Folder for report.json, report.md and report.html.
    #[arg(long, env = "MUSTER_OUT", default_value = "out")]
    out: PathBuf,
    #[command(flatten)]
    ops: ops::OpsArgs,
    #[command(flatten)]
    lang: launch::LangArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    ops::probe_if_asked();
    launch::telemetry::init("info");
    let args = Args::parse();
    let ready = args.ops.start().await?;
    let bus = args.bus.settings(format!("muster-observer-{}", args.exercise))?;
    let trust = args.bus.trust()?;
    let lang = args.lang.asked();
    let settings = observer::Settings { bus, exercise: args.exercise, out_dir: args.out, trust, ready, lang };
    observer::run(settings, launch::telemetry::shutdown_signal()).await.context("observer failed")?;
    // Spans still batched would go with the process.
    launch::telemetry::flush_traces().await;
    Ok(())
}
