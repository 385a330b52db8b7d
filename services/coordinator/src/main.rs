//! The coordinator binary: runs one exercise, or several, to their conclusion.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context as _;
use bus::ExerciseId;
use clap::Parser;
use coordinator::{Mode, Settings};

#[derive(Debug, Parser)]
#[command(name = "coordinator", about = "Muster exercise control: sequences an exercise and records every decision")]
struct Args {
    #[command(flatten)]
    bus: launch::BusArgs,
    /// The exercise to coordinate; several (repeated, or comma-separated) are served by this one
    /// process, each with its own lease.
    #[arg(long = "exercise", env = "MUSTER_EXERCISE", value_delimiter = ',', required = true)]
    exercises: Vec<ExerciseId>,
    /// The scenario file: one for every exercise, or one per exercise in the same order.
    #[arg(long = "scenario", env = "MUSTER_SCENARIO", value_delimiter = ',', required = true)]
    scenarios: Vec<PathBuf>,
    /// Exercise seconds per wall second; the scenario's own scale when not given.
    #[arg(long, env = "MUSTER_TIME_SCALE")]
    time_scale: Option<f64>,
    #[command(flatten)]
    persons: launch::PersonArgs,
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

fn main() -> anyhow::Result<()> {
    ops::probe_if_asked();
    ops::heap::runtime()?.block_on(serve())
}

async fn serve() -> anyhow::Result<()> {
    launch::telemetry::init("info");
    let args = Args::parse();
    let scenarios = scenarios(&args)?;
    let identity = args.bus.identity()?;
    let credentials = args.bus.credentials()?;
    let ready = args.ops.start().await?;
    // One replica, one name on every lease it holds.
    let instance = args.instance.clone().unwrap_or_else(|| format!("coordinator-{}", bus::MessageId::generate()));
    let mut all = Vec::with_capacity(args.exercises.len());
    for (exercise, scenario) in args.exercises.iter().zip(scenarios) {
        let time_scale = args.time_scale.unwrap_or(scenario.time_scale);
        use scenario::model::{MAX_TIME_SCALE, MIN_TIME_SCALE};
        anyhow::ensure!(
            time_scale.is_finite() && (MIN_TIME_SCALE..=MAX_TIME_SCALE).contains(&time_scale),
            "--time-scale {time_scale}: must be between {MIN_TIME_SCALE} and {MAX_TIME_SCALE} exercise seconds per wall second"
        );
        let mode = if args.fast { Mode::Fast } else { Mode::Scaled };
        let mut settings = Settings::new(args.bus.nats.clone(), exercise.clone(), scenario, mode, time_scale);
        if let Some((keyring, _)) = &identity {
            // The keys issued beside the coordinator's: every seat's and the director's.
            settings.keys = std::sync::Arc::new(keyring.submitters(&settings.scenario)?);
        }
        settings.credentials = credentials.clone();
        settings.nats_authority = args.bus.nats_ca.clone();
        settings.lease_ttl = std::time::Duration::from_millis(args.lease_ttl_ms);
        settings.awaits_director = args.await_start;
        settings.snapshot_every = args.snapshot_every;
        settings.ready = ready.clone();
        settings.instance = instance.clone();
        all.push(settings);
    }
    coordinator::run_all(all, launch::telemetry::shutdown_signal()).await.context("coordinator failed")?;
    // Spans still batched would go with the process.
    launch::telemetry::flush_traces().await;
    Ok(())
}

/// Each exercise's scenario (a file named for several is read once), with the persons seated;
/// the error names what does not fit.
fn scenarios(args: &Args) -> anyhow::Result<Vec<std::sync::Arc<scenario::Scenario>>> {
    let (exercises, files) = (&args.exercises, &args.scenarios);
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = exercises.iter().find(|e| !seen.insert(*e)) {
        anyhow::bail!("--exercise {twice} is given twice");
    }
    anyhow::ensure!(
        files.len() == 1 || files.len() == exercises.len(),
        "{} scenario files for {} exercises: give one --scenario for every exercise, or one per exercise in the same order",
        files.len(),
        exercises.len()
    );
    let mut loaded: BTreeMap<&PathBuf, std::sync::Arc<scenario::Scenario>> = BTreeMap::new();
    let mut scenarios = Vec::with_capacity(exercises.len());
    for n in 0..exercises.len() {
        let file = &files[if files.len() == 1 { 0 } else { n }];
        if !loaded.contains_key(file) {
            let mut scenario = scenario::load(file)?;
            args.persons.apply(&mut scenario).map_err(anyhow::Error::msg)?;
            loaded.insert(file, scenario.into());
        }
        scenarios.extend(loaded.get(file).cloned());
    }
    Ok(scenarios)
}
