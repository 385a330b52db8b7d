//! The shared test harness: a real NATS with JetStream per test, started through testcontainers
//! from the locally built `muster/nats` image (`make nats-image`), on a random host port, removed
//! when the handle drops.

use std::time::Duration;

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, ExerciseId, StreamSettings};
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage};

/// The image `make nats-image` builds; `MUSTER_NATS_IMAGE` (set by the Makefile) overrides it.
const DEFAULT_IMAGE: &str = "muster/nats:2.15.1";

/// A NATS server in a container, alive as long as this value.
#[derive(Debug)]
pub struct Nats {
    /// The client URL on the host, e.g. `nats://127.0.0.1:32771`.
    pub url: String,
    _container: ContainerAsync<GenericImage>,
}

impl Nats {
    /// Starts NATS with JetStream (the shipped `deploy/nats/nats.conf`) and waits until it is ready.
    pub async fn start() -> anyhow::Result<Nats> {
        let image = std::env::var("MUSTER_NATS_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
        let (name, tag) = image.rsplit_once(':').context("MUSTER_NATS_IMAGE must be name:tag")?;
        let container = GenericImage::new(name, tag)
            .with_exposed_port(4222.tcp())
            .with_wait_for(WaitFor::message_on_stderr("Server is ready"))
            .start()
            .await
            .with_context(|| format!("starting a NATS container from {image} (built by `make nats-image`)"))?;
        let port = container.get_host_port_ipv4(4222).await?;
        let url = format!("nats://127.0.0.1:{port}");
        eprintln!("testcontainers: NATS {image} ready at {url}");
        Ok(Nats { url, _container: container })
    }

    /// A bus connection named for the test.
    pub async fn bus(&self, name: &str) -> anyhow::Result<Bus> {
        Ok(Bus::connect(&ConnectSettings::new(&self.url, name)).await?)
    }
}

/// An exercise id unique to one test, so parallel tests on one server never meet.
pub fn exercise(test: &str) -> ExerciseId {
    let suffix = bus::MessageId::generate();
    let id = format!("{test}-{}", &suffix.as_str()[suffix.as_str().len() - 8..]);
    ExerciseId::new(id).unwrap_or_else(|e| panic!("test exercise id for {test}: {e}"))
}

/// A connected bus with the exercise's streams provisioned.
pub async fn provisioned(nats: &Nats, exercise: &ExerciseId) -> anyhow::Result<Bus> {
    let bus = nats.bus("muster-test").await?;
    bus.provision(exercise, &StreamSettings::default()).await?;
    Ok(bus)
}

/// Waits for `future` at most `limit`, failing the test with `what` instead of hanging.
pub async fn within<T>(limit: Duration, what: &str, future: impl std::future::Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(limit, future).await.with_context(|| format!("timed out after {limit:?} waiting for {what}"))
}

/// How an exercise is to be run by [`run_exercise`].
#[derive(Debug, Clone)]
pub struct Run {
    /// When set, participants whose scenario transport is gRPC take part as national nodes
    /// through this gateway; otherwise everyone is on the bus.
    pub grpc: Option<GrpcLink>,
    /// The exercise id.
    pub exercise: ExerciseId,
    /// The scenario.
    pub scenario: scenario::Scenario,
    /// How windows close.
    pub mode: coordinator::Mode,
    /// Exercise seconds per wall second.
    pub time_scale: f64,
}

impl Run {
    /// The default scenario in fast mode.
    pub fn default_fast(test: &str) -> anyhow::Result<Run> {
        Ok(Run {
            grpc: None,
            exercise: exercise(test),
            scenario: default_scenario()?,
            mode: coordinator::Mode::Fast,
            time_scale: coordinator::FAST_TIME_SCALE,
        })
    }
}

/// The scenario `make run` runs.
pub fn default_scenario() -> anyhow::Result<scenario::Scenario> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/cst-2025.toml");
    Ok(scenario::load(&path)?)
}

/// A running exercise: the coordinator, every participant and the observer as tasks, each with
/// its own connection to the bus.
#[derive(Debug)]
pub struct Running {
    /// The observer's report, once the exercise concluded.
    pub report: tokio::task::JoinHandle<anyhow::Result<observer::Report>>,
    /// The coordinator's final state.
    pub coordinator: tokio::task::JoinHandle<anyhow::Result<coordinator::machine::State>>,
    stop: tokio::sync::watch::Sender<bool>,
    participants: tokio::task::JoinSet<anyhow::Result<()>>,
    _out: tempfile::TempDir,
}

impl Running {
    /// Waits until every participant has ended by itself (they do once the exercise concluded).
    pub async fn participants_done(&mut self, limit: Duration) -> anyhow::Result<()> {
        within(limit, "every participant to finish", async {
            while let Some(ended) = self.participants.join_next().await {
                ended??;
            }
            anyhow::Ok(())
        })
        .await?
    }

    /// Stops every task still running.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.participants.join_next().await.is_some() {}
    }
}

async fn stopped(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Starts an exercise on `nats` with every participant of its scenario.
pub fn start_exercise(nats: &Nats, run: &Run) -> anyhow::Result<Running> {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let out = tempfile::TempDir::with_prefix("muster-report")?;
    let coordinator = tokio::spawn({
        let settings = coordinator_settings(nats, run);
        let stopped = stopped(rx.clone());
        async move { Ok(coordinator::run(settings, stopped).await?) }
    });
    let mut participants = tokio::task::JoinSet::new();
    for p in run.scenario.participants.iter().filter(|p| p.role != bus::Role::Observer) {
        if let (Some(link), scenario::Transport::Grpc) = (&run.grpc, p.transport) {
            let settings = link.node_settings(run, &p.node, link.processed.clone())?;
            let stopped = stopped(rx.clone());
            participants.spawn(async move { Ok(national_node::run(settings, stopped).await?) });
            continue;
        }
        let settings = agent::Settings {
            nats_url: nats.url.clone(),
            exercise: run.exercise.clone(),
            scenario: run.scenario.clone(),
            node: p.node.clone(),
            time_scale: run.time_scale,
        };
        let stopped = stopped(rx.clone());
        participants.spawn(async move { Ok(agent::run(settings, stopped).await?) });
    }
    let report = tokio::spawn({
        let settings = observer::Settings {
            nats_url: nats.url.clone(),
            exercise: run.exercise.clone(),
            scenario: run.scenario.clone(),
            time_scale: run.time_scale,
            out_dir: out.path().to_owned(),
        };
        let stopped = stopped(rx);
        async move { Ok(observer::run(settings, stopped).await?) }
    });
    Ok(Running { report, coordinator, stop, participants, _out: out })
}

/// Runs an exercise to its conclusion and returns the observer's report.
pub async fn run_exercise(nats: &Nats, run: &Run, limit: Duration) -> anyhow::Result<observer::Report> {
    let mut running = start_exercise(nats, run)?;
    let report = within(limit, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    Ok(report)
}

/// Coordinator settings for `run` on `nats`.
pub fn coordinator_settings(nats: &Nats, run: &Run) -> coordinator::Settings {
    coordinator::Settings::new(nats.url.clone(), run.exercise.clone(), run.scenario.clone(), run.mode, run.time_scale)
}

/// The coordinator alone, for tests that play the participants themselves.
pub fn start_coordinator(
    nats: &Nats,
    run: &Run,
) -> (tokio::task::JoinHandle<anyhow::Result<coordinator::machine::State>>, tokio::sync::watch::Sender<bool>) {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let settings = coordinator_settings(nats, run);
    let handle = tokio::spawn(async move { Ok(coordinator::run(settings, stopped(rx)).await?) });
    (handle, stop)
}

/// A test's own connection, playing any participant or exercise control and reading the log.
#[derive(Debug)]
pub struct Probe {
    /// The connection.
    pub bus: Bus,
    /// The exercise probed.
    pub exercise: ExerciseId,
}

impl Probe {
    /// Connects to `nats` for `exercise`, waiting until the coordinator has created its streams.
    pub async fn connect(nats: &Nats, exercise: &ExerciseId) -> anyhow::Result<Probe> {
        let probe = Probe { bus: nats.bus("muster-probe").await?, exercise: exercise.clone() };
        within(Duration::from_secs(10), "the exercise's streams", async {
            while probe.bus.jetstream().get_stream(bus::subject::submissions_stream(exercise)).await.is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await?;
        Ok(probe)
    }

    /// An envelope from `role`/`node` in the probed exercise.
    pub fn envelope(&self, role: bus::Role, node: &str, payload: bus::Payload) -> anyhow::Result<bus::Envelope> {
        Ok(bus::Envelope::new(self.exercise.clone(), bus::Sender::new(role, bus::NodeId::new(node)?), payload))
    }

    /// Submits and waits for the coordinator's reply to it (accepted or rejection).
    pub async fn submit(&self, envelope: &bus::Envelope) -> anyhow::Result<bus::Payload> {
        let mut replies = self.bus.replies(&self.exercise, &envelope.sender).await?;
        self.bus.submit(envelope).await?;
        self.reply_to(&mut replies, envelope.message_id.as_str()).await
    }

    /// Publishes raw bytes on `sender`'s submission subject and waits for the reply.
    pub async fn submit_raw(&self, sender: &bus::Sender, kind: &str, bytes: Vec<u8>) -> anyhow::Result<bus::Payload> {
        let mut replies = self.bus.replies(&self.exercise, sender).await?;
        let subject = bus::subject::submission(&self.exercise, sender, kind);
        self.bus.jetstream().publish(subject, bytes.into()).await?.await?;
        self.reply_to(&mut replies, "unreadable").await
    }

    async fn reply_to(
        &self,
        replies: &mut futures::stream::BoxStream<'static, bus::Delivery>,
        message_id: &str,
    ) -> anyhow::Result<bus::Payload> {
        use futures::StreamExt as _;
        within(Duration::from_secs(10), "the coordinator's reply", async {
            while let Some(delivery) = replies.next().await {
                let payload = match delivery.envelope {
                    Ok(e) => e.payload,
                    Err(_) => continue,
                };
                let answers = match &payload {
                    bus::Payload::Accepted(a) => a.accepted_message_id == message_id,
                    bus::Payload::Rejection(r) => r.rejected_message_id == message_id,
                    _ => false,
                };
                if answers {
                    return Ok(payload);
                }
            }
            anyhow::bail!("reply subscription ended")
        })
        .await?
    }

    /// How many events the exercise's log holds.
    pub async fn log_len(&self) -> anyhow::Result<u64> {
        let mut stream = self.bus.jetstream().get_stream(bus::subject::events_stream(&self.exercise)).await?;
        Ok(stream.info().await?.state.last_sequence)
    }

    /// Every event in the log so far; an event that is not a valid envelope of this exercise fails.
    pub async fn log(&self) -> anyhow::Result<Vec<bus::Envelope>> {
        use futures::StreamExt as _;
        let last = self.log_len().await?;
        let mut events = self.bus.events_from(&self.exercise, 1).await?;
        let mut out = Vec::new();
        while (out.len() as u64) < last {
            let delivery =
                within(Duration::from_secs(10), "an event", events.next()).await?.context("stream ended")??;
            out.push(delivery.envelope?);
        }
        Ok(out)
    }

    /// Waits until an event of `kind` is in the log, at most `limit`.
    pub async fn wait_for(&self, kind: &str, limit: Duration) -> anyhow::Result<bus::Envelope> {
        use futures::StreamExt as _;
        let mut events = self.bus.events_from(&self.exercise, 1).await?;
        within(limit, kind, async {
            while let Some(delivery) = events.next().await {
                if let Some(e) = delivery?.envelope.ok().filter(|e| e.kind() == kind) {
                    return Ok(e);
                }
            }
            anyhow::bail!("event stream ended")
        })
        .await?
    }
}

/// How national nodes reach the gateway in a test.
#[derive(Debug, Clone)]
pub struct GrpcLink {
    /// The gateway (or a proxy in front of it), `https://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The certificates of the run.
    pub bundle: gateway::certs::Bundle,
    /// Receives the sequence of every event a national node processed.
    pub processed: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
}

impl GrpcLink {
    /// Settings for the national node `node` of `run`.
    pub fn node_settings(
        &self,
        run: &Run,
        node: &bus::NodeId,
        processed: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
    ) -> anyhow::Result<national_node::Settings> {
        let pem = self.bundle.nodes.get(node).with_context(|| format!("no certificate for {node}"))?;
        Ok(national_node::Settings {
            endpoint: self.endpoint.clone(),
            tls: national_node::ClientTls {
                ca: self.bundle.ca.clone(),
                cert: pem.cert.clone(),
                key: pem.key.clone(),
                domain: "localhost".into(),
            },
            exercise: run.exercise.clone(),
            scenario: run.scenario.clone(),
            node: node.clone(),
            time_scale: run.time_scale,
            processed,
        })
    }
}

/// Certificates for every participant of a scenario.
pub fn certificates(scenario: &scenario::Scenario) -> anyhow::Result<gateway::certs::Bundle> {
    let senders: Vec<bus::Sender> =
        scenario.participants.iter().map(|p| bus::Sender::new(p.role, p.node.clone())).collect();
    Ok(gateway::certs::generate(&senders)?)
}

/// A gateway serving on loopback ports, stopped when dropped.
#[derive(Debug)]
pub struct Gateway {
    /// The mutual-TLS national-node port.
    pub addr: std::net::SocketAddr,
    /// The plain health and reflection port.
    pub probe: std::net::SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Gateway {
    /// Starts a gateway on `nats` with the bundle's gateway certificate.
    pub async fn start(nats: &Nats, bundle: &gateway::certs::Bundle) -> anyhow::Result<Gateway> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let (addr, probe_addr) = (listener.local_addr()?, probe.local_addr()?);
        let settings = gateway::Settings {
            nats_url: nats.url.clone(),
            tls: gateway::Tls {
                cert: bundle.gateway.cert.clone(),
                key: bundle.gateway.key.clone(),
                client_ca: bundle.ca.clone(),
            },
            reply_timeout: Duration::from_secs(2),
        };
        let (stop, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if let Err(e) = gateway::serve(settings, listener, Some(probe), stopped(rx)).await {
                eprintln!("gateway stopped: {e}");
            }
        });
        Ok(Gateway { addr, probe: probe_addr, stop })
    }

    /// The endpoint national nodes use.
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A TCP proxy between national nodes and a gateway: a test can cut the link, restore it, or move
/// it to another gateway.
#[derive(Debug)]
pub struct Proxy {
    /// Where nodes connect.
    pub addr: std::net::SocketAddr,
    upstream: std::sync::Arc<std::sync::Mutex<std::net::SocketAddr>>,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    generation: tokio::sync::watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// A proxy to `upstream`.
    pub async fn start(upstream: std::net::SocketAddr) -> anyhow::Result<Proxy> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let upstream = std::sync::Arc::new(std::sync::Mutex::new(upstream));
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (generation, _) = tokio::sync::watch::channel(0u64);
        let task = tokio::spawn({
            let (upstream, open, generation) = (upstream.clone(), open.clone(), generation.clone());
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !open.load(std::sync::atomic::Ordering::SeqCst) {
                        continue;
                    }
                    let target = *upstream.lock().unwrap_or_else(|e| e.into_inner());
                    let mut cut = generation.subscribe();
                    tokio::spawn(async move {
                        let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else { return };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = cut.changed() => {}
                        }
                    });
                }
            }
        });
        Ok(Proxy { addr, upstream, open, generation, task })
    }

    /// The endpoint national nodes use.
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Drops every open connection; new ones go to `upstream`.
    pub fn switch(&self, upstream: std::net::SocketAddr) {
        *self.upstream.lock().unwrap_or_else(|e| e.into_inner()) = upstream;
        self.generation.send_modify(|g| *g += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
