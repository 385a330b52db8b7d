//! The command line shared by the participant binaries (joint-staff, secretariat, control-point).

use anyhow::Context as _;
use bus::{NodeId, Role};
use clap::Parser;

use crate::runner::{self, Settings};

#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    exercise: scenario::cli::ExerciseArgs,
    /// The node to play: a state code for a control point (e.g. BY); for a drafting body, the
    /// scenario's one participant of that role when not given.
    #[arg(long, visible_alias = "state", env = "MUSTER_NODE")]
    node: Option<NodeId>,
}

/// Parses the command line and plays a participant of one of `roles` until the exercise concludes.
pub async fn main_for(roles: &[Role]) -> anyhow::Result<()> {
    bus::telemetry::init("info");
    let args = Args::parse();
    let (scenario, time_scale) = args.exercise.load()?;
    let node = match args.node {
        Some(node) => node,
        None => {
            let mut of_role = scenario.participants.iter().filter(|p| roles.contains(&p.role));
            match (of_role.next(), of_role.next()) {
                (Some(p), None) => p.node.clone(),
                _ => anyhow::bail!("the scenario has no single participant this binary can play; name it with --node"),
            }
        }
    };
    let participant = scenario.participant(&node).with_context(|| format!("node `{node}` is not in the scenario"))?;
    anyhow::ensure!(
        roles.contains(&participant.role),
        "node `{node}` is a {} in the scenario; this binary cannot play it",
        participant.role
    );
    let settings =
        Settings { nats_url: args.exercise.nats, exercise: args.exercise.exercise, time_scale, scenario, node };
    runner::run(settings, bus::telemetry::shutdown_signal()).await.context("participant failed")?;
    Ok(())
}
