//! The gateway binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "gateway", about = "Muster gRPC gateway for national nodes (mutual TLS, one certificate per state)")]
struct Args {
    #[command(flatten)]
    bus: launch::BusArgs,
    /// Address of the national-node service (mutual TLS).
    #[arg(long, env = "MUSTER_GATEWAY_LISTEN", default_value = "127.0.0.1:7443")]
    listen: SocketAddr,
    /// Plain-text address serving only gRPC health and reflection, for probes.
    #[arg(long, env = "MUSTER_GATEWAY_PROBE")]
    probe: Option<SocketAddr>,
    /// Folder with ca.pem, gateway.pem and gateway.key (`muster identities` writes them).
    #[arg(long, env = "MUSTER_CERTS")]
    certs: PathBuf,
    /// Milliseconds a submission waits for the coordinator's answer.
    #[arg(long, env = "MUSTER_REPLY_TIMEOUT_MS", default_value_t = 2000)]
    reply_timeout_ms: u64,
    #[command(flatten)]
    ops: ops::OpsArgs,
}

fn main() -> anyhow::Result<()> {
    ops::probe_if_asked();
    ops::heap::runtime()?.block_on(serve())
}

async fn serve() -> anyhow::Result<()> {
    launch::telemetry::init("info");
    let args = Args::parse();
    let layout = identity::certs::Layout(args.certs.clone());
    let (cert, key) = layout.gateway();
    let tls = gateway::Tls::read(&cert, &key, &layout.ca())
        .with_context(|| format!("reading certificates in {}", args.certs.display()))?;
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
    let probe = match args.probe {
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?),
        None => None,
    };
    let ready = args.ops.start().await?;
    let trust = args.bus.trust()?;
    let settings = gateway::Settings {
        trust,
        bus: args.bus.settings("muster-gateway")?,
        tls,
        reply_timeout: Duration::from_millis(args.reply_timeout_ms),
    };
    // Listening, and the bus is reached on demand: ready.
    ready.set(true);
    gateway::serve(settings, listener, probe, launch::telemetry::shutdown_signal()).await.context("gateway failed")?;
    Ok(())
}
