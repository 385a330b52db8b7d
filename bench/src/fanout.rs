//! gRPC fan-out: 1000 national nodes stream an exercise's events from the gateway (its own release
//! process, mutual TLS with one certificate per node); one event is made, and each node's delivery
//! time is measured from the moment it was asked for.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bus::envelope::Payload;
use bus::{Bus, ConnectSettings, Envelope, NodeId, Role, Sender};
use proto::v1::{self as wire, national_node_service_client::NationalNodeServiceClient};
use serde::Serialize;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity};

use crate::generate::{self, Planned};
use crate::identities::Issued;
use crate::stats::{Latency, peak_rss_kib};

/// Fan-out figures.
#[derive(Debug, Clone, Serialize)]
pub struct Fanout {
    /// Nodes streaming.
    pub nodes: usize,
    /// From exercise control's command to each node receiving the event it caused.
    pub delivery: Latency,
    /// Peak resident memory of the gateway process, MiB.
    pub gateway_peak_rss_mib: f64,
}

/// Runs the fan-out against `url` with the planned exercise's nodes, its identities issued.
pub async fn measure(url: &str, binaries: &Path, issued: &Issued, planned: &Planned) -> anyhow::Result<Fanout> {
    let work = tempfile::TempDir::with_prefix("muster-fanout-")?;
    let (exercise, nodes) = (planned.id.clone(), planned.states);
    let senders: Vec<Sender> = (0..nodes)
        .map(|n| Ok(Sender::new(Role::ControlPoint, NodeId::new(generate::state(n))?)))
        .collect::<anyhow::Result<_>>()?;
    let ca = std::fs::read_to_string(issued.dir.join("ca.pem"))?;
    let scenario = work.path().join("scenario.toml");
    std::fs::write(&scenario, generate::scenario(nodes, 1, 1))?;
    let admin = ConnectSettings::new(url, "muster-bench-admin").with_credentials(Some(issued.credentials("admin")?));
    Bus::connect(&admin).await?.provision(&exercise, &bus::StreamSettings::default()).await?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut gateway = tokio::process::Command::new(binaries.join("gateway"))
        .args(["--nats", url, "--listen", &format!("127.0.0.1:{port}"), "--nkey"])
        .arg(issued.seed_file("gateway"))
        .arg("--certs")
        .arg(&issued.dir)
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

    // Every node streams from the start; each reports when it is caught up, then when the event arrives.
    let (ready_tx, mut ready) = tokio::sync::mpsc::unbounded_channel();
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let mut streams = tokio::task::JoinSet::new();
    for sender in &senders {
        let layout = identity::certs::Layout(issued.dir.clone());
        let (cert, key) = layout.node(&sender.node);
        let (cert, key) = (std::fs::read_to_string(cert)?, std::fs::read_to_string(key)?);
        let tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&ca))
            .identity(Identity::from_pem(&cert, &key))
            .domain_name("localhost");
        let endpoint = Endpoint::from_shared(format!("https://127.0.0.1:{port}"))?.tls_config(tls)?;
        let (ready_tx, seen_tx, exercise) = (ready_tx.clone(), seen_tx.clone(), exercise.to_string());
        streams.spawn(async move {
            let channel = loop {
                match endpoint.connect().await {
                    Ok(channel) => break channel,
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            };
            let mut client = NationalNodeServiceClient::new(channel);
            let mut stream = loop {
                match client
                    .stream_events(wire::StreamEventsRequest { exercise_id: exercise.clone(), from_sequence: 1 })
                    .await
                {
                    Ok(stream) => break stream.into_inner(),
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            };
            let mut announced = false;
            while let Ok(Some(item)) = stream.message().await {
                let kind = item.envelope.as_ref().and_then(|e| e.payload.as_ref()).map(bus::envelope::payload_kind);
                if !announced && kind == Some("phase_changed") {
                    announced = true;
                    let _ = ready_tx.send(());
                }
                if kind == Some("advance_exercise") {
                    let _ = seen_tx.send(Instant::now());
                    return;
                }
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    for _ in 0..nodes {
        tokio::time::timeout_at(deadline.into(), ready.recv()).await.context("nodes did not all connect in time")?;
    }

    let director =
        ConnectSettings::new(url, "muster-bench-director").with_credentials(Some(issued.credentials("director")?));
    let bus = Bus::connect(&director).await?;
    let advance = Envelope::new(
        exercise.clone(),
        Sender::new(Role::Coordinator, NodeId::new("director")?),
        Payload::AdvanceExercise(wire::AdvanceExercise { reason: "fan-out".into() }),
    );
    let mut advance = advance;
    bus::seal::sign(&mut advance, &issued.key("director")?)?;
    let asked = Instant::now();
    bus.submit(&advance).await?;
    let mut samples = Vec::with_capacity(nodes);
    for _ in 0..nodes {
        let at = tokio::time::timeout_at(deadline.into(), seen.recv())
            .await
            .context("the event did not reach every node")?
            .context("nodes gone")?;
        samples.push(at - asked);
    }
    let peak_kib = peak_rss_kib(gateway_pid).unwrap_or_default();
    streams.shutdown().await;
    let _ = coordinator.start_kill();
    let _ = gateway.start_kill();
    Ok(Fanout { nodes, delivery: Latency::of(&mut samples), gateway_peak_rss_mib: peak_kib as f64 / 1024.0 })
}
