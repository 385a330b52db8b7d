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
    /// Stops every task still running.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.participants.join_next().await.is_some() {}
    }
}

fn stopped(mut rx: tokio::sync::watch::Receiver<bool>) -> impl std::future::Future<Output = ()> {
    async move {
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// Starts an exercise on `nats` with every participant of its scenario.
pub fn start_exercise(nats: &Nats, run: &Run) -> anyhow::Result<Running> {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let out = tempfile::TempDir::with_prefix("muster-report")?;
    let coordinator = tokio::spawn({
        let settings = coordinator::Settings {
            nats_url: nats.url.clone(),
            exercise: run.exercise.clone(),
            scenario: run.scenario.clone(),
            mode: run.mode,
            time_scale: run.time_scale,
            streams: StreamSettings::default(),
        };
        let stopped = stopped(rx.clone());
        async move { Ok(coordinator::run(settings, stopped).await?) }
    });
    let mut participants = tokio::task::JoinSet::new();
    for p in run.scenario.participants.iter().filter(|p| p.role != bus::Role::Observer) {
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
