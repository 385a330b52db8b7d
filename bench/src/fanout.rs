//! gRPC fan-out: 1000 national nodes stream an exercise's events from the gateway (its own release
//! process, mutual TLS with one certificate per node); one event is made, then a burst of
//! [`BURST`], [`REPEATS`] times over the same streams, and each event's delivery to each node is
//! timed from the coordinator's stamp on it (`recorded_at`: the event goes to the log, the gateway
//! reads it and streams it to every node). The nodes run in the bench's process, the gateway in
//! its own. Then the same nodes take the same from a raw tonic server ([`crate::raw_grpc`]).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bus::envelope::Payload;
use bus::{Bus, ConnectSettings, Envelope, NodeId, Role, Sender};
use proto::v1 as wire;
use serde::Serialize;

use crate::generate::{self, Planned};
use crate::identities::Issued;
use crate::stats::{Latency, REPEATS, Spread, peak_rss_kib};

/// Fan-out figures.
#[derive(Debug, Clone, Serialize)]
pub struct Fanout {
    /// Nodes streaming.
    pub nodes: usize,
    /// One event, in each run: from the coordinator's stamp to each node receiving it.
    pub delivery: Vec<Latency>,
    /// One event's median delivery, over the runs.
    pub delivery_p50_ms: Spread,
    /// One event's 99th percentile, over the runs.
    pub delivery_p99_ms: Spread,
    /// A burst of [`BURST`] events at once, in each run: each event to each node, timed the same way.
    pub burst: Vec<Latency>,
    /// A burst's median delivery, over the runs.
    pub burst_p50_ms: Spread,
    /// A burst's 99th percentile, over the runs.
    pub burst_p99_ms: Spread,
    /// Peak resident memory of the gateway process over every run, MiB.
    pub gateway_peak_rss_mib: f64,
    /// The same streams from a tonic server with nothing of Muster behind it, in the same run.
    pub raw: crate::raw_grpc::RawFanout,
}

/// Events in the burst: assembly reports of as many states, submitted at once.
pub const BURST: usize = 100;

/// Runs the fan-out against `url` with the planned exercise's nodes, its identities issued.
pub async fn measure(url: &str, binaries: &Path, issued: &Issued, planned: &Planned) -> anyhow::Result<Fanout> {
    let work = tempfile::TempDir::with_prefix("muster-fanout-")?;
    let (exercise, nodes) = (planned.id.clone(), planned.states);
    let senders: Vec<Sender> = (0..nodes)
        .map(|n| Ok(Sender::new(Role::ControlPoint, NodeId::new(generate::state(n))?)))
        .collect::<anyhow::Result<_>>()?;
    let scenario = work.path().join("scenario.toml");
    // The states take part over gRPC: the gateway serves national nodes only.
    let text = generate::scenario(nodes, 1, 1, &["transport = \"grpc\""]).toml();
    std::fs::write(&scenario, text)?;
    let admin = ConnectSettings::new(url, "muster-bench-admin").with_credentials(Some(issued.credentials("admin")?));
    Bus::connect(&admin).await?.provision(&exercise, &bus::StreamSettings::default()).await?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut gateway = tokio::process::Command::new(binaries.join("gateway"))
        .args(["--nats", url, "--listen", &format!("127.0.0.1:{port}"), "--nkey"])
        .arg(issued.seed_file("gateway"))
        .arg("--certs")
        .arg(issued.keyring.dir())
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .context("starting the gateway")?;
    let gateway_pid = gateway.id().context("gateway pid")?;
    let mut coordinator = tokio::process::Command::new(binaries.join("coordinator"))
        .args(["--nats", url, "--exercise", exercise.as_str(), "--fast", "--time-scale", "1", "--nkey"])
        .arg(issued.seed_file("coordinator"))
        .arg("--scenario")
        .arg(&scenario)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .context("starting the coordinator")?;

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut streams = crate::streams::Streams::open(issued, port, &senders, &exercise, deadline).await?;

    let submitter =
        ConnectSettings::new(url, "muster-bench-states").with_credentials(Some(issued.credentials("bench")?));
    let bus = Bus::connect(&submitter).await?;
    // Each state reports once: every run takes the next 1 + BURST of them.
    let mut reports = Vec::with_capacity(REPEATS * (1 + BURST));
    for sender in senders.iter().take(REPEATS * (1 + BURST)) {
        let mut report =
            Envelope::new(exercise.clone(), sender.clone(), Payload::AssemblyReport(wire::AssemblyReport::default()));
        bus::seal::sign(&mut report, &issued.key(sender.node.as_str())?)?;
        reports.push(report);
    }
    anyhow::ensure!(reports.len() == REPEATS * (1 + BURST), "{nodes} states are too few for {REPEATS} runs");
    let (mut delivery, mut bursts) = (Vec::new(), Vec::new());
    for run in reports.chunks(1 + BURST) {
        let (first, burst) = run.split_first().context("no states")?;
        bus.submit(first).await?;
        delivery.push(streams.delivered(nodes, deadline).await?);
        futures::future::try_join_all(burst.iter().map(|r| bus.submit(r))).await?;
        bursts.push(streams.delivered(nodes * burst.len(), deadline).await?);
    }
    let peak_kib = peak_rss_kib(gateway_pid).unwrap_or_default();
    streams.close().await;
    let _ = coordinator.start_kill();
    let _ = gateway.start_kill();
    // Gone before the baseline runs: it has the machine to itself, as the gateway had.
    let _ = coordinator.wait().await;
    let _ = gateway.wait().await;
    // The same nodes, the same TLS, the same bursts, with nothing of Muster behind the server.
    let raw = crate::raw_grpc::measure(issued, &senders, &exercise, BURST).await?;
    let spread = |runs: &[Latency], f: fn(&Latency) -> f64| Spread::of(runs.iter().map(f));
    Ok(Fanout {
        nodes,
        delivery_p50_ms: spread(&delivery, |l| l.p50_ms),
        delivery_p99_ms: spread(&delivery, |l| l.p99_ms),
        burst_p50_ms: spread(&bursts, |l| l.p50_ms),
        burst_p99_ms: spread(&bursts, |l| l.p99_ms),
        delivery,
        burst: bursts,
        gateway_peak_rss_mib: peak_kib as f64 / 1024.0,
        raw,
    })
}
