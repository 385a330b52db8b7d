//! The coordinator binary: runs one exercise to its conclusion.

use anyhow::Context as _;
use clap::Parser;
use coordinator::{Mode, Settings};

#[derive(Debug, Parser)]
#[command(name = "coordinator", about = "Muster exercise control: sequences an exercise and records every decision")]
struct Args {
    #[command(flatten)]
    bus: scenario::cli::BusArgs,
    #[command(flatten)]
    exercise: scenario::cli::ExerciseArgs,
    /// Exercise seconds per wall second; the scenario's own scale when not given.
    #[arg(long, env = "MUSTER_TIME_SCALE")]
    time_scale: Option<f64>,
    #[command(flatten)]
    persons: scenario::cli::PersonArgs,
    #[command(flatten)]
    ops: ops::OpsArgs,
    /// Close stages as soon as everything expected has arrived.
    #[arg(long, env = "MUSTER_FAST")]
    fast: bool,
    /// Wait for the director to start the exercise (from the console or `muster start`) instead
    /// of starting at once: people take their seats first.
    #[arg(long, env = "MUSTER_AWAIT_START")]
    await_start: bool,
    /// This replica's name (for the lease and the logs); a fresh one when not given.
    #[arg(long, env = "MUSTER_INSTANCE")]
    instance: Option<String>,
    /// Milliseconds a leader's lease lives unrenewed; a standby takes over after at most this.
    /// Must be what the exercise was provisioned with (at least 100).
    #[arg(long, env = "MUSTER_LEASE_TTL_MS", default_value_t = 3000, value_parser = clap::value_parser!(u64).range(100..))]
    lease_ttl_ms: u64,
    /// Events between two snapshots of the state, from which a new leader starts instead of
    /// replaying the whole log (0: none).
    #[arg(long, env = "MUSTER_SNAPSHOT_EVERY", default_value_t = coordinator::snapshot::EVERY)]
    snapshot_every: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    ops::probe_if_asked();
    bus::telemetry::init("info");
    let args = Args::parse();
    let mut scenario = args.exercise.scenario()?;
    args.persons.apply(&mut scenario).map_err(anyhow::Error::msg)?;
    let time_scale = args.time_scale.unwrap_or(scenario.time_scale);
    use scenario::model::{MAX_TIME_SCALE, MIN_TIME_SCALE};
    anyhow::ensure!(
        time_scale.is_finite() && (MIN_TIME_SCALE..=MAX_TIME_SCALE).contains(&time_scale),
        "--time-scale {time_scale}: must be between {MIN_TIME_SCALE} and {MAX_TIME_SCALE} exercise seconds per wall second"
    );
    let mode = if args.fast { Mode::Fast } else { Mode::Scaled };
    let mut settings = Settings::new(args.bus.nats.clone(), args.exercise.exercise, scenario, mode, time_scale);
    settings.credentials = args.bus.credentials()?;
    if let Some(credentials) = &settings.credentials {
        // The keys issued beside the coordinator's: every seat's and the director's.
        settings.keys = record::Keys {
            seats: settings
                .scenario
                .participants
                .iter()
                .filter_map(|p| Some((p.node.clone(), credentials.public_key_of(p.node.as_str())?)))
                .collect(),
            director: credentials.public_key_of("director"),
        };
    }
    settings.lease_ttl = std::time::Duration::from_millis(args.lease_ttl_ms);
    settings.awaits_director = args.await_start;
    settings.snapshot_every = args.snapshot_every;
    settings.ready = args.ops.start().await?;
    if let Some(instance) = args.instance {
        settings.instance = instance;
    }
    coordinator::run(settings, bus::telemetry::shutdown_signal()).await.context("coordinator failed")?;
    // Spans still batched would go with the process.
    bus::telemetry::flush_traces().await;
    Ok(())
}
