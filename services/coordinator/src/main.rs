//! The coordinator binary: runs one exercise to its conclusion.

use anyhow::Context as _;
use bus::StreamSettings;
use clap::Parser;
use coordinator::{Mode, Settings};

#[derive(Debug, Parser)]
#[command(name = "coordinator", about = "Muster exercise control: sequences an exercise and records every decision")]
struct Args {
    #[command(flatten)]
    exercise: scenario::cli::ExerciseArgs,
    /// Close stages as soon as everything expected has arrived.
    #[arg(long, env = "MUSTER_FAST")]
    fast: bool,
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
    let (scenario, time_scale) = args.exercise.load()?;
    let mode = if args.fast { Mode::Fast } else { Mode::Scaled };
    let mut settings = Settings::new(args.exercise.nats, args.exercise.exercise, scenario, mode, time_scale);
    settings.streams = StreamSettings { replicas: args.replicas, ..Default::default() };
    settings.lease_ttl = std::time::Duration::from_millis(args.lease_ttl_ms);
    if let Some(instance) = args.instance {
        settings.instance = instance;
    }
    coordinator::run(settings, bus::telemetry::shutdown_signal()).await.context("coordinator failed")?;
    Ok(())
}
