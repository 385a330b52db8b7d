//! The command line shared by the seats on the bus (joint-staff, secretariat, control-point) and
//! the seat picked from a scenario by every seat binary, national-node included.

use std::sync::Arc;

use anyhow::Context as _;
use bus::{Bus, NodeId, Role};
use clap::Parser;
use scenario::PlayedBy;

use crate::driver::{self, Settings};
use crate::link::BusLink;
use crate::mind::Mind;

/// Which seat of the scenario to play.
#[derive(Debug, Clone, clap::Args)]
pub struct SeatArgs {
    /// The node to play: a state code for a control point (e.g. BY); for a drafting body, the
    /// scenario's one participant of that role when not given.
    #[arg(long, visible_alias = "state", env = "MUSTER_NODE")]
    pub node: Option<NodeId>,
    /// Where to keep the coordinator's receipts for what the seat submits (`<DIR>/<node>.receipts`,
    /// one line each), for `muster verify --receipts DIR`.
    #[arg(long, value_name = "DIR", env = "MUSTER_RECEIPTS")]
    pub receipts: Option<std::path::PathBuf>,
}

/// The file a seat `node` keeps its receipts in, in the folder `dir`.
pub fn receipts_file(dir: &std::path::Path, node: &NodeId) -> std::path::PathBuf {
    dir.join(format!("{node}.receipts"))
}

impl SeatArgs {
    /// The participant to play: one of `roles`, played by the scenario's policy.
    pub fn pick(&self, scenario: &scenario::Scenario, roles: &[Role]) -> anyhow::Result<scenario::Participant> {
        let participant = self.seat(scenario, roles)?;
        anyhow::ensure!(
            participant.played_by == PlayedBy::Policy,
            "node `{}` is played by a person: its actions come from the console, not from an automated process",
            participant.node
        );
        Ok(participant)
    }

    /// The participant of one of `roles` this process hosts, whoever plays it.
    pub fn seat(&self, scenario: &scenario::Scenario, roles: &[Role]) -> anyhow::Result<scenario::Participant> {
        let node = match &self.node {
            Some(node) => node.clone(),
            None => {
                let mut of_role = scenario.participants.iter().filter(|p| roles.contains(&p.role));
                match (of_role.next(), of_role.next()) {
                    (Some(p), None) => p.node.clone(),
                    _ => anyhow::bail!(
                        "the scenario has no single participant this binary can play; name it with --node"
                    ),
                }
            }
        };
        let participant =
            scenario.participant(&node).with_context(|| format!("node `{node}` is not in the scenario"))?;
        anyhow::ensure!(
            roles.contains(&participant.role),
            "node `{node}` is a {} in the scenario; this binary cannot play it",
            participant.role
        );
        Ok(participant.clone())
    }
}

#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    bus: launch::BusArgs,
    #[command(flatten)]
    exercise: launch::ExerciseArgs,
    #[command(flatten)]
    seat: SeatArgs,
    #[command(flatten)]
    ops: ops::OpsArgs,
}

/// A seat's sign of life for its operations port: ready once it folds the exercise's events, and
/// the last one it folded as `muster_seat_event_sequence`. Give it to the driver as `processed`.
pub fn monitored(ready: ops::Ready) -> tokio::sync::mpsc::UnboundedSender<u64> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let folded = metrics::gauge!("muster_seat_event_sequence");
        while let Some(sequence) = rx.recv().await {
            ready.set(true);
            folded.set(sequence as f64);
        }
    });
    tx
}

/// Parses the command line and plays a seat of one of `roles` on the bus until the exercise concludes.
pub async fn main_for(roles: &[Role]) -> anyhow::Result<()> {
    ops::probe_if_asked();
    launch::telemetry::init("info");
    let args = Args::parse();
    let ready = args.ops.start().await?;
    let scenario = args.exercise.scenario()?;
    let participant = args.seat.pick(&scenario, roles)?;
    let me = bus::Sender::new(participant.role, participant.node.clone());
    let name = format!("muster-{}-{}", me.role, me.node);
    let bus = Bus::connect(&args.bus.settings(name)?).await?;
    let link = BusLink::new(bus, args.exercise.exercise.clone(), &me).await?;
    let key = args.bus.credentials()?.as_ref().map(bus::Credentials::key_pair).transpose()?.map(Arc::new);
    let trust = args.bus.trust()?;
    let processed = Some(monitored(ready));
    let receipts = args.seat.receipts.as_deref().map(|dir| receipts_file(dir, &me.node));
    let settings = Settings { exercise: args.exercise.exercise, me, processed, key, trust, receipts };
    let mind = Mind::Policy(Box::new(participant));
    driver::run(Arc::new(link), settings, mind, launch::telemetry::shutdown_signal()).await.context("seat failed")?;
    // Spans still batched would go with the process.
    launch::telemetry::flush_traces().await;
    Ok(())
}
