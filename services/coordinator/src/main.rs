//! The coordinator binary: runs one exercise to its conclusion.

use std::path::PathBuf;

use anyhow::Context as _;
use bus::{ExerciseId, StreamSettings};
use clap::Parser;
use coordinator::{Mode, Settings};

#[derive(Debug, Parser)]
#[command(name = "coordinator", about = "Muster exercise control: sequences an exercise and records every decision")]
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
    /// Close stages as soon as everything expected has arrived.
    #[arg(long, env = "MUSTER_FAST")]
    fast: bool,
    /// Exercise seconds per wall second; the scenario's own scale when not given.
    #[arg(long, env = "MUSTER_TIME_SCALE")]
    time_scale: Option<f64>,
    /// Stream replicas: 1 on a single server, 3 on a cluster.
    #[arg(long, env = "MUSTER_REPLICAS", default_value_t = 1)]
    replicas: usize,
    /// This replica's name (for the lease and the logs); a fresh one when not given.
    #[arg(long, env = "MUSTER_INSTANCE")]
    instance: Option<String>,
    /// Milliseconds a leader's lease lives unrenewed; a standby takes over after at most this.
    #[arg(long, env = "MUSTER_LEASE_TTL_MS", default_value_t = 3000)]
    lease_ttl_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bus::telemetry::init("info");
    let args = Args::parse();
    let scenario = scenario::load(&args.scenario)?;
    let time_scale = args.time_scale.unwrap_or(scenario.time_scale);
    let mode = if args.fast { Mode::Fast } else { Mode::Scaled };
    let mut settings = Settings::new(args.nats, args.exercise, scenario, mode, time_scale);
    settings.streams = StreamSettings { replicas: args.replicas, ..Default::default() };
    settings.lease_ttl = std::time::Duration::from_millis(args.lease_ttl_ms);
    if let Some(instance) = args.instance {
        settings.instance = instance;
    }
    coordinator::run(settings, bus::telemetry::shutdown_signal()).await.context("coordinator failed")?;
    Ok(())
}
