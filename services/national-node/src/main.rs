//! The national-node binary.

use std::path::PathBuf;

use anyhow::Context as _;
use bus::{ExerciseId, NodeId};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "national-node", about = "A state's control point taking part over gRPC through the Muster gateway")]
struct Args {
    /// The gateway.
    #[arg(long, env = "MUSTER_GATEWAY", default_value = "https://127.0.0.1:7443")]
    gateway: String,
    /// Folder with ca.pem and this node's <NODE>.pem and <NODE>.key (`muster certs` writes them).
    #[arg(long, env = "MUSTER_CERTS")]
    certs: PathBuf,
    /// The exercise id.
    #[arg(long, env = "MUSTER_EXERCISE")]
    exercise: ExerciseId,
    /// The scenario file.
    #[arg(long, env = "MUSTER_SCENARIO")]
    scenario: PathBuf,
    /// The state to play, e.g. BY.
    #[arg(long, visible_alias = "node", env = "MUSTER_NODE")]
    state: NodeId,
    /// Exercise seconds per wall second; the scenario's own scale when not given.
    #[arg(long, env = "MUSTER_TIME_SCALE")]
    time_scale: Option<f64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bus::telemetry::init("info");
    let args = Args::parse();
    let scenario = scenario::load(&args.scenario)?;
    let read = |name: String| {
        let path = args.certs.join(&name);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    let tls = national_node::ClientTls {
        ca: read("ca.pem".into())?,
        cert: read(format!("{}.pem", args.state))?,
        key: read(format!("{}.key", args.state))?,
        domain: "localhost".into(),
    };
    let settings = national_node::Settings {
        endpoint: args.gateway,
        tls,
        exercise: args.exercise,
        time_scale: args.time_scale.unwrap_or(scenario.time_scale),
        scenario,
        node: args.state,
        processed: None,
    };
    national_node::run(settings, bus::telemetry::shutdown_signal()).await.context("national node failed")?;
    Ok(())
}
