//! The national-node binary: a state's seat over gRPC.

use std::path::PathBuf;

use anyhow::Context as _;
use bus::Role;
use clap::Parser;
use seat::Mind;

#[derive(Debug, Parser)]
#[command(name = "national-node", about = "A state's control point taking part over gRPC through the Muster gateway")]
struct Args {
    /// The gateway.
    #[arg(long, env = "MUSTER_GATEWAY", default_value = "https://127.0.0.1:7443")]
    gateway: String,
    /// Folder with ca.pem, this node's <NODE>.pem, <NODE>.key and <NODE>.nk (its signing key), and
    /// coordinator.pub (`muster identities` writes them).
    #[arg(long, env = "MUSTER_CERTS")]
    certs: PathBuf,
    #[command(flatten)]
    exercise: scenario::cli::ExerciseArgs,
    #[command(flatten)]
    seat: seat::cli::SeatArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bus::telemetry::init("info");
    let args = Args::parse();
    let scenario = args.exercise.scenario()?;
    let participant = args.seat.pick(&scenario, &[Role::ControlPoint, Role::Guest])?;
    let read = |name: String| {
        let path = args.certs.join(&name);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    let tls = national_node::ClientTls {
        ca: read("ca.pem".into())?,
        cert: read(format!("{}.pem", participant.node))?,
        key: read(format!("{}.key", participant.node))?,
        domain: "localhost".into(),
    };
    let settings = national_node::Settings {
        endpoint: args.gateway,
        tls,
        exercise: args.exercise.exercise,
        me: bus::Sender::new(participant.role, participant.node.clone()),
        key: Some(std::sync::Arc::new(
            identity::keys::load(&identity::keys::seed_file(&args.certs, participant.node.as_str()))?.into_pair(),
        )),
        trust: Some(read("coordinator.pub".into())?.trim().to_owned()),
        mind: Mind::Policy(Box::new(participant)),
        processed: None,
    };
    national_node::run(settings, bus::telemetry::shutdown_signal()).await.context("national node failed")?;
    Ok(())
}
