//! The shared test harness: a real NATS with JetStream per test, started through testcontainers
//! from the locally built `muster/nats` image (`make nats-image`), on a random host port, removed
//! when the handle drops. Authentication is on as in every deployment: the server admits the
//! identities issued for the test's exercises, each service connects as its own, and the test's
//! own probe connects as `harness`, an identity only test servers know.

use std::time::Duration;

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, ExerciseId, StreamSettings, SubmitError, Submitter, Verdict};
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage};

pub mod browser;
pub mod compose;
pub mod expect;

/// The image `make nats-image` builds; `MUSTER_NATS_IMAGE` (set by the Makefile) overrides it.
const DEFAULT_IMAGE: &str = "muster/nats:2.15.1";

/// The identities issued for a test server's exercises, and the test's own.
#[derive(Debug)]
pub struct Identities {
    dir: tempfile::TempDir,
    keyring: identity::Keyring,
    /// The server's authorization, `auth.conf` as the shipped configurations include it.
    pub authorization: Vec<u8>,
    /// The invite links issued (their secrets exist only here).
    pub invites: Vec<identity::invites::Invite>,
}

impl Identities {
    /// Issues identities for `runs`, plus `harness`, which may publish and subscribe to anything.
    pub fn issue(runs: &[&Run]) -> anyhow::Result<Identities> {
        let dir = tempfile::TempDir::with_prefix("muster-identities-")?;
        let mut harness = identity::authorization::Grant::default();
        harness.publish([">".to_string()]);
        harness.subscribe([">".to_string()]);
        let exercises: Vec<identity::Exercise<'_>> =
            runs.iter().map(|r| identity::Exercise { id: &r.exercise, scenario: &r.scenario }).collect();
        let issued = identity::issue_with(dir.path(), &exercises, [("harness".to_string(), harness)].into())?;
        let authorization = std::fs::read(&issued.authorization)?;
        let keyring = identity::Keyring::open(dir.path())?;
        Ok(Identities { dir, keyring, authorization, invites: issued.invites })
    }

    /// The folder they were issued into (what `muster identities` writes).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The invite issued for `seat` of `exercise`.
    pub fn invite(&self, exercise: &ExerciseId, seat: &str) -> anyhow::Result<&identity::invites::Invite> {
        self.invites
            .iter()
            .find(|i| &i.exercise == exercise && i.seat.as_str() == seat)
            .with_context(|| format!("no invite for {seat} in {exercise}"))
    }

    /// The certificates issued into the folder (the gateway's, and each participant's of `scenario`).
    pub fn bundle(&self, scenario: &scenario::Scenario) -> anyhow::Result<identity::certs::Bundle> {
        let layout = identity::certs::Layout(self.dir().to_owned());
        let read = |path: std::path::PathBuf| {
            std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
        };
        let pem = |(cert, key): (std::path::PathBuf, std::path::PathBuf)| -> anyhow::Result<identity::certs::Pem> {
            Ok(identity::certs::Pem { cert: read(cert)?, key: read(key)? })
        };
        let nodes = scenario
            .participants
            .iter()
            .map(|p| Ok((p.node.clone(), pem(layout.node(&p.node))?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(identity::certs::Bundle { ca: read(layout.ca())?, gateway: pem(layout.gateway())?, nodes })
    }

    /// The seed file of `name` (a node id, or coordinator, gateway, observer, director, admin, harness).
    pub fn seed_file(&self, name: &str) -> std::path::PathBuf {
        self.keyring.seed_file(name)
    }

    /// The identities as a process holds them.
    pub fn keyring(&self) -> &identity::Keyring {
        &self.keyring
    }

    /// The credentials of `name`.
    pub fn credentials(&self, name: &str) -> anyhow::Result<bus::Credentials> {
        Ok(self.keyring.credentials(name)?)
    }

    /// The public key of `name` (`<name>.pub`).
    pub fn public_key(&self, name: &str) -> anyhow::Result<String> {
        Ok(self.keyring.public(name)?.to_owned())
    }

    /// The key pair of `name`, to sign with.
    pub fn key(&self, name: &str) -> anyhow::Result<std::sync::Arc<nkeys::KeyPair>> {
        Ok(std::sync::Arc::new(self.keyring.key(name)?.into_pair()))
    }

    /// The keys a coordinator checks the submissions of `scenario` against.
    pub fn keys(&self, scenario: &scenario::Scenario) -> anyhow::Result<record::Keys> {
        Ok(self.keyring.submitters(scenario)?)
    }

    /// Connection settings named `connection`, as `name`.
    pub fn settings(&self, url: &str, name: &str, connection: &str) -> anyhow::Result<ConnectSettings> {
        Ok(ConnectSettings::new(url, connection).with_credentials(Some(self.credentials(name)?)))
    }
}

/// A NATS server in a container, alive as long as this value.
#[derive(Debug)]
pub struct Nats {
    /// The client URL on the host, e.g. `nats://127.0.0.1:32771`.
    pub url: String,
    /// Who the server admits.
    pub identities: Identities,
    _container: ContainerAsync<GenericImage>,
}

impl Nats {
    /// Starts NATS with JetStream (the shipped `deploy/nats/nats.conf`) admitting the identities of
    /// `runs`, and waits until it is ready.
    pub async fn start(runs: &[&Run]) -> anyhow::Result<Nats> {
        use testcontainers::ImageExt as _;
        // Warnings from the services under test appear with a failing test's output.
        launch::telemetry::init("warn");
        let identities = Identities::issue(runs)?;
        let image = std::env::var("MUSTER_NATS_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
        let (name, tag) = image.rsplit_once(':').context("MUSTER_NATS_IMAGE must be name:tag")?;
        let container = GenericImage::new(name, tag)
            .with_exposed_port(4222.tcp())
            .with_wait_for(WaitFor::message_on_stderr("Server is ready"))
            .with_copy_to("/etc/nats/auth.conf", identities.authorization.clone())
            .start()
            .await
            .with_context(|| format!("starting a NATS container from {image} (built by `make nats-image`)"))?;
        let port = container.get_host_port_ipv4(4222).await?;
        let url = format!("nats://127.0.0.1:{port}");
        eprintln!("testcontainers: NATS {image} ready at {url}");
        Ok(Nats { url, identities, _container: container })
    }

    /// A bus connection named for the test, as the test's own `harness` identity.
    pub async fn bus(&self, name: &str) -> anyhow::Result<Bus> {
        Ok(Bus::connect(&self.identities.settings(&self.url, "harness", name)?).await?)
    }

    /// A bus connection as the identity `who`.
    pub async fn bus_as(&self, who: &str) -> anyhow::Result<Bus> {
        Ok(Bus::connect(&self.identities.settings(&self.url, who, &format!("muster-{who}"))?).await?)
    }
}

/// A NATS deployment tests run against: one server or a cluster.
pub trait Server {
    /// Client URL(s), comma-separated.
    fn url(&self) -> &str;
    /// Stream replicas that fit the deployment.
    fn replicas(&self) -> usize;
    /// Who it admits.
    fn identities(&self) -> &Identities;
}

impl Server for Nats {
    fn url(&self) -> &str {
        &self.url
    }
    fn replicas(&self) -> usize {
        1
    }
    fn identities(&self) -> &Identities {
        &self.identities
    }
}

impl Server for NatsCluster {
    fn url(&self) -> &str {
        &self.url
    }
    fn replicas(&self) -> usize {
        3
    }
    fn identities(&self) -> &Identities {
        &self.identities
    }
}

/// The lease time to live of test exercises: a killed coordinator's successor takes over within
/// half a second.
pub const LEASE_TTL: Duration = Duration::from_millis(500);

/// Provisions `run`'s exercise as the admin identity (streams, the coordinator's consumer, the lease).
pub async fn provision(nats: &impl Server, run: &Run) -> anyhow::Result<()> {
    let bus = Bus::connect(&nats.identities().settings(nats.url(), "admin", "muster-admin")?).await?;
    let settings = StreamSettings { replicas: nats.replicas(), lease_ttl: LEASE_TTL, ..Default::default() };
    bus.provision(&run.exercise, &settings).await?;
    Ok(())
}

/// An exercise id unique to one test, so parallel tests on one server never meet.
pub fn exercise(test: &str) -> ExerciseId {
    let suffix = bus::MessageId::generate();
    let id = format!("{test}-{}", &suffix.as_str()[suffix.as_str().len() - 8..]);
    ExerciseId::new(id).unwrap_or_else(|e| panic!("test exercise id for {test}: {e}"))
}

/// A connected bus with the exercise's streams provisioned.
pub async fn provisioned(nats: &Nats, exercise: &ExerciseId) -> anyhow::Result<Bus> {
    let admin = nats.bus_as("admin").await?;
    admin.provision(exercise, &StreamSettings::default()).await?;
    nats.bus("muster-test").await
}

/// Waits for `future` at most `limit`, failing the test with `what` instead of hanging.
pub async fn within<T>(limit: Duration, what: &str, future: impl std::future::Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(limit, future).await.with_context(|| format!("timed out after {limit:?} waiting for {what}"))
}

/// How often [`eventually`] asks.
const POLL: Duration = Duration::from_millis(20);

/// Asks `check` until it gives a value, for at most `limit`: the one way the tests wait for a
/// condition. A check that fails is asked again (what it reads may not be there yet); when time is
/// up, the error names `what` and the last failure.
pub async fn eventually<T>(
    limit: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let last = match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => None,
            Err(e) => Some(e),
        };
        if tokio::time::Instant::now() >= deadline {
            let why = last.map(|e| format!("; the last check failed: {e:#}")).unwrap_or_default();
            anyhow::bail!("timed out after {limit:?} waiting for {what}{why}");
        }
        tokio::time::sleep(POLL).await;
    }
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
    scenario_file("cst-2025.toml")
}

/// A scenario shipped in `scenarios/`.
pub fn scenario_file(name: &str) -> anyhow::Result<scenario::Scenario> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios").join(name);
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
    handles: std::collections::BTreeMap<bus::NodeId, tokio::task::AbortHandle>,
    desks: std::collections::BTreeMap<bus::NodeId, seat::Desk>,
    _out: tempfile::TempDir,
}

impl Running {
    /// Waits until every participant has ended by itself (they do once the exercise concluded).
    pub async fn participants_done(&mut self, limit: Duration) -> anyhow::Result<()> {
        within(limit, "every participant to finish", async {
            while let Some(ended) = self.participants.join_next().await {
                match ended {
                    Err(e) if e.is_cancelled() => {}
                    ended => ended??,
                }
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
pub fn start_exercise(nats: &impl Server, run: &Run) -> anyhow::Result<Running> {
    let mut running = start_participants(nats, run)?;
    running.start_coordinator(nats, coordinator_settings(nats, run)?);
    Ok(running)
}

/// Starts every participant and the observer of an exercise, but no coordinator.
pub fn start_participants(nats: &impl Server, run: &Run) -> anyhow::Result<Running> {
    start_seats(nats, run, |_| true)
}

/// Starts the participants a policy plays and the observer, but no coordinator: the people's
/// seats are left to the console.
pub fn start_policies(nats: &impl Server, run: &Run) -> anyhow::Result<Running> {
    start_seats(nats, run, |p| p.played_by == scenario::PlayedBy::Policy)
}

/// Starts the participants `which` picks and the observer, but no coordinator.
pub fn start_seats(
    nats: &impl Server,
    run: &Run,
    which: impl Fn(&scenario::Participant) -> bool,
) -> anyhow::Result<Running> {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let out = tempfile::TempDir::with_prefix("muster-report")?;
    let coordinator = tokio::spawn(std::future::pending());
    let mut running = Running {
        report: tokio::spawn(std::future::pending()),
        coordinator,
        stop,
        participants: tokio::task::JoinSet::new(),
        handles: std::collections::BTreeMap::new(),
        desks: std::collections::BTreeMap::new(),
        _out: out,
    };
    for p in run.scenario.participants.iter().filter(|p| p.role != bus::Role::Observer && which(p)) {
        running.start_participant(nats, run, &p.node)?;
    }
    running.report = tokio::spawn({
        let settings = observer::Settings {
            bus: nats.identities().settings(nats.url(), "observer", "muster-observer")?,
            trust: Some(nats.identities().public_key("coordinator")?),
            exercise: run.exercise.clone(),
            out_dir: running._out.path().to_owned(),
            ready: ops::Ready::default(),
        };
        let stopped = stopped(rx);
        async move { Ok(observer::run(settings, stopped).await?) }
    });
    Ok(running)
}

impl Running {
    /// Starts (or starts again) the seat `node`: over gRPC if its transport is gRPC and the run
    /// has a gateway, on the bus otherwise; played by its policy, or, for a person's seat, by
    /// whoever acts at its desk ([`Running::desk`]).
    pub fn start_participant(&mut self, nats: &impl Server, run: &Run, node: &bus::NodeId) -> anyhow::Result<()> {
        let p = run.scenario.participant(node).with_context(|| format!("{node} is not in the scenario"))?;
        let stopped = stopped(self.stop.subscribe());
        let mind = match p.played_by {
            scenario::PlayedBy::Policy => seat::Mind::Policy(Box::new(p.clone())),
            scenario::PlayedBy::Person => {
                let (desk, inbox) = seat::desk();
                self.desks.insert(node.clone(), desk);
                seat::Mind::Person(inbox)
            }
        };
        let me = bus::Sender::new(p.role, p.node.clone());
        let receipts = Some(seat::cli::receipts_file(&self.receipts_dir(), &me.node));
        let handle = match (&run.grpc, p.transport) {
            (Some(link), scenario::Transport::Grpc) => {
                let mut settings = link.node_settings(run, &me, mind, link.processed.clone())?;
                settings.key = Some(nats.identities().key(me.node.as_str())?);
                settings.trust = Some(nats.identities().public_key("coordinator")?);
                settings.receipts = receipts;
                self.participants
                    .spawn(async move { national_node::run(settings, stopped).await.map(drop).map_err(Into::into) })
            }
            _ => {
                let exercise = run.exercise.clone();
                let connect =
                    nats.identities().settings(nats.url(), me.node.as_str(), &format!("muster-{}", me.node))?;
                let (key, trust) = (
                    Some(nats.identities().key(me.node.as_str())?),
                    Some(nats.identities().public_key("coordinator")?),
                );
                self.participants.spawn(async move {
                    let bus = Bus::connect(&connect).await?;
                    let link = seat::BusLink::new(bus, exercise.clone(), &me).await?;
                    let settings = seat::Settings { exercise, me, processed: None, key, trust, receipts };
                    seat::run(std::sync::Arc::new(link), settings, mind, stopped).await?;
                    Ok(())
                })
            }
        };
        self.handles.insert(node.clone(), handle);
        Ok(())
    }

    /// The folder every seat keeps the coordinator's receipts in (`<node>.receipts`).
    pub fn receipts_dir(&self) -> std::path::PathBuf {
        self._out.path().join("receipts")
    }

    /// Where a person acts for the seat `node` (a seat the scenario gives to a person).
    pub fn desk(&self, node: &str) -> anyhow::Result<seat::Desk> {
        let node = bus::NodeId::new(node)?;
        self.desks.get(&node).cloned().with_context(|| format!("{node} is not a person's seat"))
    }

    /// Kills the participant `node` where it stands.
    pub fn kill_participant(&mut self, node: &bus::NodeId) {
        if let Some(handle) = self.handles.remove(node) {
            handle.abort();
        }
    }

    /// The holder of the exercise's coordinator lease, if any.
    pub async fn lease_holder(bus: &Bus, exercise: &ExerciseId) -> anyhow::Result<Option<String>> {
        let Ok(leases) = bus.jetstream().get_key_value(bus::subject::lease_bucket(exercise)).await else {
            return Ok(None);
        };
        Ok(leases.get(exercise.as_str()).await?.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Kills the coordinator where it stands.
    pub fn kill_coordinator(&mut self) {
        self.coordinator.abort();
    }

    /// Starts a new coordinator with `settings` in place of the old one.
    pub fn start_coordinator(&mut self, nats: &impl Server, settings: coordinator::Settings) {
        self.coordinator = coordinate(nats, settings, stopped(self.stop.subscribe()));
    }
}

/// Runs an exercise to its conclusion and returns the observer's report.
pub async fn run_exercise(nats: &impl Server, run: &Run, limit: Duration) -> anyhow::Result<observer::Report> {
    let mut running = start_exercise(nats, run)?;
    let report = within(limit, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    Ok(report)
}

/// Coordinator settings for `run` on `nats`.
pub fn coordinator_settings(nats: &impl Server, run: &Run) -> anyhow::Result<coordinator::Settings> {
    let mut settings =
        coordinator::Settings::new(nats.url(), run.exercise.clone(), run.scenario.clone(), run.mode, run.time_scale);
    settings.lease_ttl = LEASE_TTL;
    settings.credentials = Some(nats.identities().credentials("coordinator")?);
    settings.keys = nats.identities().keys(&run.scenario)?.into();
    Ok(settings)
}

type CoordinatorTask = tokio::task::JoinHandle<anyhow::Result<coordinator::machine::State>>;

/// Provisions the exercise (as the admin) and runs a coordinator with `settings`, as a task.
fn coordinate(
    nats: &impl Server,
    settings: coordinator::Settings,
    stop: impl Future<Output = ()> + Send + 'static,
) -> CoordinatorTask {
    let admin = nats.identities().settings(nats.url(), "admin", "muster-admin");
    let provisioning =
        StreamSettings { replicas: nats.replicas(), lease_ttl: settings.lease_ttl, ..Default::default() };
    tokio::spawn(async move {
        Bus::connect(&admin?).await?.provision(&settings.exercise, &provisioning).await?;
        Ok(coordinator::run(settings, stop).await?)
    })
}

/// The coordinator alone, for tests that play the participants themselves.
pub fn start_coordinator(
    nats: &impl Server,
    run: &Run,
) -> anyhow::Result<(CoordinatorTask, tokio::sync::watch::Sender<bool>)> {
    let (stop, rx) = tokio::sync::watch::channel(false);
    Ok((coordinate(nats, coordinator_settings(nats, run)?, stopped(rx)), stop))
}

/// A test's own connection, playing any participant or exercise control and reading the log.
#[derive(Debug)]
pub struct Probe {
    /// The connection.
    pub bus: Bus,
    /// The exercise probed.
    pub exercise: ExerciseId,
    /// The seats' keys: the probe signs as the sender it plays.
    keys: identity::Keyring,
    /// Hears every seat's verdicts.
    submitter: Submitter,
}

/// How long the probe waits for a verdict.
const VERDICT: Duration = Duration::from_secs(10);

impl Probe {
    /// Connects to `nats` for `exercise`, waiting until the coordinator has created its streams.
    pub async fn connect(nats: &impl Server, exercise: &ExerciseId) -> anyhow::Result<Probe> {
        let bus = Bus::connect(&nats.identities().settings(nats.url(), "harness", "muster-probe")?).await?;
        let keys = nats.identities().keyring.clone();
        let submitter = Submitter::for_every_seat(&bus, exercise).await?;
        let probe = Probe { bus, exercise: exercise.clone(), keys, submitter };
        eventually(Duration::from_secs(10), "the exercise's streams", async || {
            Ok(probe.bus.jetstream().get_stream(bus::subject::submissions_stream(exercise)).await.ok().map(drop))
        })
        .await?;
        Ok(probe)
    }

    /// An envelope from `role`/`node` in the probed exercise.
    pub fn envelope(&self, role: bus::Role, node: &str, payload: bus::Payload) -> anyhow::Result<bus::Envelope> {
        Ok(bus::Envelope::new(self.exercise.clone(), bus::Sender::new(role, bus::NodeId::new(node)?), payload))
    }

    /// Submits, signed as its sender, and waits for the coordinator's verdict: accepted, or
    /// refused with its code. No verdict within 10 s, or a bus that would not take it, is an error.
    pub async fn submit(&self, envelope: &bus::Envelope) -> anyhow::Result<Result<Verdict, SubmitError>> {
        let answer = self.submitter.submit(&self.signed(envelope)?, VERDICT).await;
        Self::verdict(answer, envelope.message_id.as_str())
    }

    /// Submits, signed as its sender, once JetStream holds it; no reply awaited.
    pub async fn send(&self, envelope: &bus::Envelope) -> anyhow::Result<()> {
        self.bus.submit(&self.signed(envelope)?).await?;
        Ok(())
    }

    /// `envelope` signed as its sender; a sender never issued (a stranger's envelope) goes unsigned.
    fn signed(&self, envelope: &bus::Envelope) -> anyhow::Result<bus::Envelope> {
        let mut signed = envelope.clone();
        let signer = if envelope.sender.role == bus::Role::Coordinator {
            bus::names::DIRECTOR
        } else {
            envelope.sender.node.as_str()
        };
        if let Ok(key) = self.keys.key(signer) {
            bus::seal::sign(&mut signed, &key.into_pair())?;
        }
        Ok(signed)
    }

    /// Publishes raw bytes on `sender`'s submission subject and waits for the verdict on them
    /// (the coordinator answers what it cannot read as message id `unreadable`).
    pub async fn submit_raw(
        &self,
        sender: &bus::Sender,
        kind: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<Result<Verdict, SubmitError>> {
        let pending = self.submitter.expect(&self.exercise, sender, "unreadable");
        let subject = bus::subject::submission(&self.exercise, sender, kind);
        self.bus.jetstream().publish(subject, bytes.into()).await?.await?;
        Self::verdict(pending.verdict(VERDICT).await, "unreadable")
    }

    fn verdict(answer: Result<Verdict, SubmitError>, id: &str) -> anyhow::Result<Result<Verdict, SubmitError>> {
        match answer {
            Ok(Verdict::Received) => anyhow::bail!("no verdict on {id} from the coordinator within {VERDICT:?}"),
            Err(SubmitError::Transient(reason)) => anyhow::bail!("{id} not on the bus: {reason}"),
            answer => Ok(answer),
        }
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
    pub bundle: identity::certs::Bundle,
    /// Receives the sequence of every event a national node processed.
    pub processed: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
}

impl GrpcLink {
    /// Settings for the national node `me` of `run`.
    pub fn node_settings(
        &self,
        run: &Run,
        me: &bus::Sender,
        mind: seat::Mind,
        processed: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
    ) -> anyhow::Result<national_node::Settings> {
        let pem = self.bundle.nodes.get(&me.node).with_context(|| format!("no certificate for {}", me.node))?;
        Ok(national_node::Settings {
            endpoint: self.endpoint.clone(),
            tls: national_node::ClientTls {
                ca: self.bundle.ca.clone(),
                cert: pem.cert.clone(),
                key: pem.key.clone(),
                domain: "localhost".into(),
            },
            exercise: run.exercise.clone(),
            me: me.clone(),
            mind,
            processed,
            key: None,
            trust: None,
            receipts: None,
        })
    }
}

/// Certificates for every participant of a scenario.
pub fn certificates(scenario: &scenario::Scenario) -> anyhow::Result<identity::certs::Bundle> {
    let senders: Vec<bus::Sender> =
        scenario.participants.iter().map(|p| bus::Sender::new(p.role, p.node.clone())).collect();
    Ok(identity::certs::generate(&senders)?)
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
    pub async fn start(nats: &impl Server, bundle: &identity::certs::Bundle) -> anyhow::Result<Gateway> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let (addr, probe_addr) = (listener.local_addr()?, probe.local_addr()?);
        let settings = gateway::Settings {
            bus: nats.identities().settings(nats.url(), "gateway", "muster-gateway")?,
            trust: Some(nats.identities().public_key("coordinator")?),
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

/// A three-node NATS cluster in containers on a private network, each node with JetStream, the
/// shipped `deploy/nats/cluster.conf`, and a fixed host port so a restarted node keeps its address.
#[derive(Debug)]
pub struct NatsCluster {
    /// Client URLs of the three nodes, comma-separated (what `ConnectSettings` takes).
    pub url: String,
    /// Who the cluster admits.
    pub identities: Identities,
    nodes: Vec<ContainerAsync<GenericImage>>,
}

impl NatsCluster {
    /// Starts the three nodes and waits until JetStream answers.
    pub async fn start(runs: &[&Run]) -> anyhow::Result<NatsCluster> {
        let identities = Identities::issue(runs)?;
        use testcontainers::ImageExt as _;
        launch::telemetry::init("warn");
        let image = std::env::var("MUSTER_NATS_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
        let (name, tag) = image.rsplit_once(':').context("MUSTER_NATS_IMAGE must be name:tag")?;
        let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nats/cluster.conf");
        let config = std::fs::read(&config).with_context(|| format!("reading {}", config.display()))?;
        let suffix = &bus::MessageId::generate().to_string()[20..];
        let network = format!("muster-{suffix}");
        let host = |i: usize| format!("muster-nats-{suffix}-{i}");
        let ports = fixed_ports(3)?;
        let mut nodes = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let node = GenericImage::new(name, tag)
                .with_exposed_port(4222.tcp())
                .with_wait_for(WaitFor::message_on_stderr("Server is ready"))
                .with_network(&network)
                .with_container_name(host(i + 1))
                .with_mapped_port(*port, 4222.tcp())
                .with_env_var("NODE_NAME", format!("n{}", i + 1))
                .with_env_var("ROUTE_1", format!("nats://{}:6222", host(1)))
                .with_env_var("ROUTE_2", format!("nats://{}:6222", host(2)))
                .with_env_var("ROUTE_3", format!("nats://{}:6222", host(3)))
                .with_copy_to("/etc/nats/cluster.conf", config.clone())
                .with_copy_to("/etc/nats/auth.conf", identities.authorization.clone())
                .with_cmd(["--config", "/etc/nats/cluster.conf"]);
            nodes.push(node);
        }
        let mut started = Vec::new();
        for node in nodes {
            started.push(node.start().await.context("starting a cluster node")?);
        }
        let url = ports.iter().map(|p| format!("nats://127.0.0.1:{p}")).collect::<Vec<_>>().join(",");
        eprintln!("testcontainers: NATS cluster of 3 ready at {url}");
        let cluster = NatsCluster { url, identities, nodes: started };
        cluster.wait_for_jetstream().await?;
        Ok(cluster)
    }

    /// Waits until the cluster's JetStream accepts a replicated stream.
    pub async fn wait_for_jetstream(&self) -> anyhow::Result<()> {
        let bus = Bus::connect(&self.identities.settings(&self.url, "admin", "muster-cluster-probe")?).await?;
        let probe = ExerciseId::new("cluster-probe")?;
        within(Duration::from_secs(60), "JetStream in the cluster", async {
            while bus.provision(&probe, &StreamSettings { replicas: 3, ..Default::default() }).await.is_err() {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await
    }

    /// Stops node `i` (0, 1 or 2).
    pub async fn stop(&self, i: usize) -> anyhow::Result<()> {
        Ok(self.nodes[i].stop().await?)
    }

    /// The node (0, 1 or 2) leading `stream`'s replicas.
    pub async fn leader_of(&self, stream: &str) -> anyhow::Result<usize> {
        let bus = Bus::connect(&self.identities.settings(&self.url, "admin", "muster-cluster-leader")?).await?;
        let leader = stream_leader(&bus, stream).await?;
        let n: usize = leader.trim_start_matches('n').parse().with_context(|| format!("node name {leader}"))?;
        Ok(n - 1)
    }

    /// Starts node `i` again.
    pub async fn restart(&self, i: usize) -> anyhow::Result<()> {
        Ok(self.nodes[i].start().await?)
    }
}

/// A service process started from its binary, killed when dropped.
#[derive(Debug)]
pub struct Process {
    /// The process.
    pub child: tokio::process::Child,
    /// What it printed on its first line starting with `console: ` (its URL), if asked for.
    pub console: Option<std::net::SocketAddr>,
}

impl Process {
    /// Starts `binary` with `args`; waits for the `console: <url>` line a console prints once it
    /// listens, and reads the address from it.
    pub async fn console(binary: &str, args: &[String]) -> anyhow::Result<Process> {
        use tokio::io::AsyncBufReadExt as _;
        let mut child = tokio::process::Command::new(self::binary(binary)?)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {binary}"))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = within(Duration::from_secs(30), &format!("{binary} to listen"), async {
            while let Some(line) = lines.next_line().await? {
                if line.starts_with("console: ") {
                    return anyhow::Ok(line);
                }
            }
            anyhow::bail!("{binary} exited before it listened")
        })
        .await??;
        let addr = line
            .split_whitespace()
            .nth(1)
            .and_then(|url| url.split("://").nth(1))
            .and_then(|a| a.parse().ok())
            .with_context(|| format!("{binary} printed `{line}`"))?;
        // Keep reading, so the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Process { child, console: Some(addr) })
    }
}

/// `n` host ports free on every interface, below the kernel's ephemeral range. Docker and the
/// kernel hand out ports from that range to everyone else (other tests' containers among them), so
/// a port taken from there could be given away between our probe and Docker's bind, or while a
/// node is stopped; one below it stays ours.
fn fixed_ports(n: usize) -> anyhow::Result<Vec<u16>> {
    let mut ports = Vec::new();
    for _ in 0..1000 {
        let port = fastrand::u16(20_000..32_000);
        if !ports.contains(&port) && std::net::TcpListener::bind(("0.0.0.0", port)).is_ok() {
            ports.push(port);
            if ports.len() == n {
                return Ok(ports);
            }
        }
    }
    anyhow::bail!("no {n} free host ports between 20000 and 32000")
}

/// The name of the NATS server leading `stream`'s replicas.
pub async fn stream_leader(bus: &Bus, stream: &str) -> anyhow::Result<String> {
    let info = bus.jetstream().get_stream(stream).await?.info().await?.clone();
    info.cluster.and_then(|c| c.leader).context("the stream has no leader")
}

/// A free loopback address to give a service.
pub fn free_addr() -> anyhow::Result<std::net::SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// Service `name` as its own process with `args` and `env`, killed when dropped; what it logs goes
/// to the test's output (shown when the test fails).
pub fn service(name: &str, args: &[String], env: &[(&str, String)]) -> anyhow::Result<tokio::process::Child> {
    tokio::process::Command::new(binary(name)?)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {name}"))
}

/// A workspace binary built beside the test executables (`make test` builds them first).
pub fn binary(name: &str) -> anyhow::Result<std::path::PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().and_then(std::path::Path::parent).context("test executable has no folder")?;
    let path = dir.join(name);
    anyhow::ensure!(
        path.exists(),
        "{} is not built; run `cargo build --workspace --bins` (make test does)",
        path.display()
    );
    Ok(path)
}

/// The default scenario's text with the declared-absent state present and everyone mandatory, so
/// that assembly waits for every report and who is recorded present does not depend on timing.
pub fn all_present_scenario() -> anyhow::Result<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/cst-2025.toml");
    Ok(std::fs::read_to_string(&path)?
        .replace("absent = true", "absent = false")
        .replace("mandatory = false", "mandatory = true"))
}

/// The longest time the log went without a new event after `since`: how long the exercise
/// stalled (the events before `since` included, so a silence that began before it counts whole).
pub fn longest_silence(log: &[bus::Envelope], since: std::time::SystemTime) -> Duration {
    let times: Vec<_> = log.iter().filter_map(|e| e.recorded_at).collect();
    let start = times.iter().rposition(|t| *t <= since).unwrap_or(0);
    times[start..].windows(2).map(|w| w[1].duration_since(w[0]).unwrap_or_default()).max().unwrap_or_default()
}

/// What a report says about the outcome of an exercise, for comparing two runs.
#[derive(Debug, PartialEq)]
pub struct Record {
    /// Per slot: outcome and number of versions.
    pub slots: std::collections::BTreeMap<String, (String, usize)>,
    /// The package: (slot, version, outcome) in order.
    pub package: Vec<(String, u32, String)>,
    /// Absentees.
    pub absent: Vec<String>,
    /// States that confirmed receipt, sorted.
    pub receipts: Vec<String>,
}

impl Record {
    /// The record of a report.
    pub fn of(report: &observer::Report) -> Record {
        let mut receipts: Vec<String> = report.receipts.iter().map(|a| a.node.clone()).collect();
        receipts.sort();
        Record {
            slots: report
                .stages
                .iter()
                .flat_map(|s| &s.slots)
                .map(|s| (s.id.clone(), (s.outcome.clone(), s.versions.len())))
                .collect(),
            package: report
                .package
                .iter()
                .flat_map(|p| &p.items)
                .map(|i| (i.slot.clone(), i.version, i.outcome.clone()))
                .collect(),
            absent: report.absent.clone(),
            receipts,
        }
    }
}

/// Fails if the log holds a draft version or a position twice, or a coordinator milestone twice.
pub fn assert_no_duplicates(log: &[bus::Envelope]) {
    let mut seen = std::collections::BTreeSet::new();
    for e in log {
        let key = match &e.payload {
            bus::Payload::DraftDecision(d) => format!("draft {} v{}", d.slot_id, d.version),
            bus::Payload::DraftRevised(r) => {
                r.draft.as_ref().map(|d| format!("draft {} v{}", d.slot_id, d.version)).unwrap_or_default()
            }
            bus::Payload::Position(p) => format!("position {} {} v{}", e.sender.node, p.slot_id, p.draft_version),
            bus::Payload::StageConcluded(c) => format!("stage {} concluded", c.stage_number),
            bus::Payload::StageOpened(o) => format!("stage {} opened", o.stage_number),
            bus::Payload::PackageCommunicated(_) => "package".into(),
            bus::Payload::ExerciseConcluded(_) => "concluded".into(),
            bus::Payload::Notification(_) => "notification".into(),
            _ => continue,
        };
        assert!(seen.insert(key.clone()), "{key} is in the log twice");
    }
}
