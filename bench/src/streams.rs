//! The national nodes' side of the gRPC fan-out: a stream of an exercise's events per node, each
//! node with its own certificate, timing each event from its stamp to its arrival; the same for
//! the gateway and for the raw baseline's server.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use bus::Sender;
use proto::v1::{self as wire, national_node_service_client::NationalNodeServiceClient};
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint, Identity};

use crate::identities::Issued;
use crate::stats::Latency;

/// Every node's stream of an exercise's events, each node reporting when it is caught up (its
/// first phase change), then each assembly report it receives: how long after its stamp.
pub struct Streams {
    tasks: tokio::task::JoinSet<()>,
    seen: tokio::sync::mpsc::UnboundedReceiver<Option<Duration>>,
}

impl Streams {
    /// Opens the streams of `nodes` to the server at `port` on loopback, each with its own
    /// certificate, and waits until every one is caught up.
    pub async fn open(
        issued: &Issued,
        port: u16,
        nodes: &[Sender],
        exercise: &bus::ExerciseId,
        deadline: Instant,
    ) -> anyhow::Result<Streams> {
        let ca = std::fs::read_to_string(issued.keyring.dir().join("ca.pem"))?;
        let (ready_tx, mut ready) = tokio::sync::mpsc::unbounded_channel();
        let (seen_tx, seen) = tokio::sync::mpsc::unbounded_channel();
        let mut tasks = tokio::task::JoinSet::new();
        for sender in nodes {
            let layout = identity::certs::Layout(issued.keyring.dir().to_owned());
            let (cert, key) = layout.node(&sender.node);
            let (cert, key) = (std::fs::read_to_string(cert)?, std::fs::read_to_string(key)?);
            let tls = ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&ca))
                .identity(Identity::from_pem(&cert, &key))
                .domain_name("localhost");
            let endpoint = Endpoint::from_shared(format!("https://127.0.0.1:{port}"))?.tls_config(tls)?;
            let (ready_tx, seen_tx, exercise) = (ready_tx.clone(), seen_tx.clone(), exercise.to_string());
            tasks.spawn(async move {
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
                    let arrived = SystemTime::now();
                    let envelope = item.envelope.as_ref();
                    let kind = envelope.and_then(|e| e.payload.as_ref()).map(bus::envelope::payload_kind);
                    if !announced && kind == Some("phase_changed") {
                        announced = true;
                        let _ = ready_tx.send(());
                    }
                    if kind == Some("assembly_report") {
                        // `None` for an event without a stamp: the run fails rather than count it
                        // as instant.
                        let recorded = envelope.and_then(|e| e.recorded_at).and_then(|t| SystemTime::try_from(t).ok());
                        let took = recorded.map(|t| arrived.duration_since(t).unwrap_or_default());
                        if seen_tx.send(took).is_err() {
                            return;
                        }
                    }
                }
            });
        }
        for _ in nodes {
            tokio::time::timeout_at(deadline.into(), ready.recv())
                .await
                .context("nodes did not all connect in time")?;
        }
        Ok(Streams { tasks, seen })
    }

    /// The next `count` deliveries' latencies.
    pub async fn delivered(&mut self, count: usize, deadline: Instant) -> anyhow::Result<Latency> {
        let mut samples = Vec::with_capacity(count);
        for _ in 0..count {
            let took = tokio::time::timeout_at(deadline.into(), self.seen.recv())
                .await
                .context("the events did not reach every node")?
                .context("nodes gone")?
                .context("an event reached a node without its stamp")?;
            samples.push(took);
        }
        Ok(Latency::of(&mut samples))
    }

    /// Closes every stream.
    pub async fn close(mut self) {
        self.tasks.shutdown().await;
    }
}
