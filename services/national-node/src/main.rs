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
    exercise: launch::ExerciseArgs,
    #[command(flatten)]
    seat: seat::cli::SeatArgs,
    /// Serve the delegation's console here (e.g. 127.0.0.1:7481): a person plays the seat from
    /// the browser, which talks only to this node. Its invite is among --certs.
    #[arg(long, env = "MUSTER_CONSOLE_LISTEN")]
    console: Option<std::net::SocketAddr>,
    #[command(flatten)]
    console_args: console::cli::ConsoleArgs,
    #[command(flatten)]
    ops: ops::OpsArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    ops::probe_if_asked();
    launch::telemetry::init("info");
    let args = Args::parse();
    let ready = args.ops.start().await?;
    let scenario = args.exercise.scenario()?;
    let roles = [Role::ControlPoint, Role::Guest];
    let participant =
        if args.console.is_some() { args.seat.seat(&scenario, &roles)? } else { args.seat.pick(&scenario, &roles)? };
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
    let keyring = identity::Keyring::open(&args.certs)?;
    let trust = Some(keyring.coordinator()?);
    let serving = args.console.is_some();
    let mind = match args.console {
        Some(addr) => {
            let (desk, inbox) = seat::desk();
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
            let addr = listener.local_addr()?;
            // The console follows the exercise over its own stream from the gateway.
            let link = seat::grpc::GrpcLink::new(&args.gateway, &tls, args.exercise.exercise.clone())?;
            let live =
                console::Live::follow(args.exercise.exercise.clone(), seat::Link::events(&link, 1), trust.clone());
            let seats = [(
                participant.node.clone(),
                console::Hosted::new(participant.role, participant.name.clone(), Some(desk)),
            )];
            let mut hosted = console::Console::new(
                args.exercise.exercise.clone(),
                live,
                seats.into_iter().collect(),
                args.certs.clone(),
                args.console_args.sessions(addr)?,
            );
            hosted.preview = Some((scenario.title.clone(), scenario.description.clone()));
            let served = args.console_args.tls()?;
            println!(
                "console: {}://{addr} ({} of exercise {})",
                if served.is_some() { "https" } else { "http" },
                participant.node,
                args.exercise.exercise
            );
            tokio::spawn(async move {
                if let Err(e) = console::cli::serve(hosted, listener, served, std::future::pending()).await {
                    tracing::error!(error = %e, "console stopped");
                }
            });
            Mind::Person(inbox)
        }
        None => Mind::Policy(Box::new(participant.clone())),
    };
    let settings = national_node::Settings {
        endpoint: args.gateway,
        tls,
        exercise: args.exercise.exercise,
        me: bus::Sender::new(participant.role, participant.node.clone()),
        key: Some(std::sync::Arc::new(keyring.key(participant.node.as_str())?.into_pair())),
        trust,
        mind,
        processed: Some(seat::cli::monitored(ready)),
        receipts: args.seat.receipts.as_deref().map(|dir| seat::cli::receipts_file(dir, &participant.node)),
    };
    let record =
        national_node::run(settings, launch::telemetry::shutdown_signal()).await.context("national node failed")?;
    launch::telemetry::flush_traces().await;
    if serving && record.is_concluded() {
        // The delegation reads the report after the exercise: the console stays until stopped.
        launch::telemetry::shutdown_signal().await;
    }
    Ok(())
}
