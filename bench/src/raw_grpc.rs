//! The gRPC fan-out's baseline, in the same run: a tonic server with nothing of Muster behind it,
//! in a process of its own (the bench's binary started as `raw-grpc-server`), streams events
//! encoded once to the same 1000 nodes over the same mutual TLS (the gateway's certificate, each
//! node its own). It sends one event, then a burst, when told on its standard input; each event is stamped when it is encoded, and timed to each node as the
//! fan-out times Muster's from the coordinator's stamp.

use std::path::Path;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use bytes::{BufMut as _, Bytes};
use futures::{Stream, StreamExt as _};
use prost::Message as _;
use proto::v1 as wire;
use serde::Serialize;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
use tokio::sync::broadcast;
use tonic::codec::{BufferSettings, Codec, EncodeBuf, Encoder};
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};
use tonic::{Request, Response, Status};

use crate::identities::Issued;
use crate::stats::{Latency, REPEATS, Spread, peak_rss_kib};
use crate::streams::Streams;

/// Events the server keeps for a node that reads slowly: several bursts.
const BUFFER: usize = 1024;

mod rpc {
    include!(concat!(env!("OUT_DIR"), "/muster.v1.NationalNodeService.rs"));
}

/// The baseline's figures, as the fan-out's.
#[derive(Debug, Clone, Serialize)]
pub struct RawFanout {
    /// Bytes of each event streamed (an encoded `StreamEventsResponse`).
    pub event_bytes: usize,
    /// One event's 99th percentile, over the runs.
    pub delivery_p99_ms: Spread,
    /// A burst's 99th percentile, over the runs.
    pub burst_p99_ms: Spread,
    /// A burst's median, over the runs.
    pub burst_p50_ms: Spread,
    /// Peak resident memory of the server process, MiB.
    pub server_peak_rss_mib: f64,
}

/// Streams the raw server's events to `nodes` nodes of the planned exercise and times them.
pub async fn measure(
    issued: &Issued,
    nodes: &[bus::Sender],
    exercise: &bus::ExerciseId,
    burst: usize,
) -> anyhow::Result<RawFanout> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut server = tokio::process::Command::new(std::env::current_exe()?)
        .args(["raw-grpc-server", &format!("127.0.0.1:{port}")])
        .arg(issued.keyring.dir())
        .stdin(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting the raw gRPC server")?;
    let server_pid = server.id().context("raw server pid")?;
    let mut control = server.stdin.take().context("the raw server's input")?;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut streams = Streams::open(issued, port, nodes, exercise, deadline).await?;
    let (mut delivery, mut bursts) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        control.write_all(b"1\n").await?;
        delivery.push(streams.delivered(nodes.len(), deadline).await?);
        control.write_all(format!("{burst}\n").as_bytes()).await?;
        bursts.push(streams.delivered(nodes.len() * burst, deadline).await?);
    }
    let peak_kib = peak_rss_kib(server_pid).unwrap_or_default();
    streams.close().await;
    let _ = server.start_kill();
    let spread = |runs: &[Latency], f: fn(&Latency) -> f64| Spread::of(runs.iter().map(f));
    Ok(RawFanout {
        event_bytes: event(SystemTime::now()).len(),
        delivery_p99_ms: spread(&delivery, |l| l.p99_ms),
        burst_p99_ms: spread(&bursts, |l| l.p99_ms),
        burst_p50_ms: spread(&bursts, |l| l.p50_ms),
        server_peak_rss_mib: peak_kib as f64 / 1024.0,
    })
}

/// The server: `listen` address, the identities folder (the gateway's certificate, the nodes'
/// authority). Each line of its input is a number of events to stream at once.
pub async fn serve(listen: &str, identities: &Path) -> anyhow::Result<()> {
    let layout = identity::certs::Layout(identities.to_owned());
    let (cert, key) = layout.gateway();
    let tls = ServerTlsConfig::new()
        .identity(Identity::from_pem(std::fs::read_to_string(cert)?, std::fs::read_to_string(key)?))
        .client_ca_root(Certificate::from_pem(std::fs::read_to_string(layout.ca())?));
    let (tx, _) = broadcast::channel(BUFFER);
    let service = rpc::national_node_service_server::NationalNodeServiceServer::new(Raw { tx: tx.clone() });
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let server = Server::builder()
        .tls_config(tls)?
        .add_service(service)
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));
    let serving = tokio::spawn(server);
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let count: usize = line.trim().parse().with_context(|| format!("not a number of events: {line}"))?;
        // Encoded once each, stamped as they are: the bytes every stream shares.
        for _ in 0..count {
            let _ = tx.send(event(SystemTime::now()));
        }
    }
    serving.abort();
    Ok(())
}

/// An assembly report as the gateway streams one: sender, ids, times, a seat's signature and the
/// coordinator's chain, stamped `recorded` (to be timed from).
fn event(recorded: SystemTime) -> Bytes {
    let sender = wire::Sender { role: wire::Role::ControlPoint as i32, node_id: "S0042".into() };
    let envelope = wire::Envelope {
        exercise_id: "bench-fanout".into(),
        message_id: "0b8f6a1c-3c1e-4f7a-9d4e-2a6b8c0d1e2f".into(),
        sender: Some(sender),
        sent_at: Some(recorded.into()),
        exercise_time: Some(prost_types::Duration { seconds: 3600, nanos: 0 }),
        recorded_at: Some(recorded.into()),
        signature: vec![7; 64],
        seal: Some(wire::Seal { previous: vec![9; 32], ..Default::default() }),
        payload: Some(wire::envelope::Payload::AssemblyReport(wire::AssemblyReport::default())),
        ..Default::default()
    };
    wire::StreamEventsResponse { sequence: 4242, envelope: Some(envelope) }.encode_to_vec().into()
}

/// The first event of every stream: a phase change, which tells the node it is caught up.
fn hello() -> Bytes {
    let changed = wire::PhaseChanged { phase: wire::Phase::Assembly as i32, ..Default::default() };
    let envelope =
        wire::Envelope { payload: Some(wire::envelope::Payload::PhaseChanged(changed)), ..Default::default() };
    wire::StreamEventsResponse { sequence: 1, envelope: Some(envelope) }.encode_to_vec().into()
}

struct Raw {
    tx: broadcast::Sender<Bytes>,
}

type Frames = Pin<Box<dyn Stream<Item = Result<Bytes, Status>> + Send>>;

#[tonic::async_trait]
impl rpc::national_node_service_server::NationalNodeService for Raw {
    type StreamEventsStream = Frames;

    async fn stream_events(&self, _: Request<wire::StreamEventsRequest>) -> Result<Response<Frames>, Status> {
        // Subscribed before the answer: what is sent once the node is caught up reaches it.
        let live = tokio_stream::wrappers::BroadcastStream::new(self.tx.subscribe())
            .filter_map(|frame| std::future::ready(frame.ok().map(Ok)));
        Ok(Response::new(Box::pin(futures::stream::once(std::future::ready(Ok(hello()))).chain(live))))
    }
}

/// The stock codec, for the requests.
type Requests = tonic_prost::ProstCodec<wire::StreamEventsResponse, wire::StreamEventsRequest>;

/// `StreamEvents`' codec: requests decoded as protobuf, events written as they were encoded.
#[derive(Debug, Default)]
pub struct Encoded {
    requests: Requests,
}

impl Codec for Encoded {
    type Encode = Bytes;
    type Decode = wire::StreamEventsRequest;
    type Encoder = Written;
    type Decoder = <Requests as Codec>::Decoder;

    fn encoder(&mut self) -> Written {
        Written
    }

    fn decoder(&mut self) -> Self::Decoder {
        self.requests.decoder()
    }
}

/// Copies an event's bytes into the stream's buffer, in the gateway's steps.
#[derive(Debug)]
pub struct Written;

impl Encoder for Written {
    type Item = Bytes;
    type Error = Status;

    fn encode(&mut self, bytes: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&bytes);
        Ok(())
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::new(1024, 4096)
    }
}
