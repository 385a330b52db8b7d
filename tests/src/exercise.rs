//! Whole exercises as tasks: the coordinator, every seat on the bus or over gRPC (a person's with
//! its desk) and the observer, each with its own connection.

use std::time::Duration;

use anyhow::Context as _;
use bus::{Bus, ExerciseId, StreamSettings};

use crate::grpc::GrpcLink;
use crate::nats::{LEASE_TTL, Server};
use crate::wait::within;

/// An exercise id unique to one test, so parallel tests on one server never meet.
pub fn exercise(test: &str) -> ExerciseId {
    let suffix = bus::MessageId::generate();
    let id = format!("{test}-{}", &suffix.as_str()[suffix.as_str().len() - 8..]);
    ExerciseId::new(id).unwrap_or_else(|e| panic!("test exercise id for {test}: {e}"))
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

pub(crate) async fn stopped(mut rx: tokio::sync::watch::Receiver<bool>) {
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
            // The tests read the report's English.
            lang: Default::default(),
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
    settings.nats_authority = nats.identities().authority();
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

/// The default scenario's text with the declared-absent state present and everyone mandatory, so
/// that assembly waits for every report and who is recorded present does not depend on timing.
pub fn all_present_scenario() -> anyhow::Result<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/cst-2025.toml");
    Ok(std::fs::read_to_string(&path)?
        .replace("absent = true", "absent = false")
        .replace("mandatory = false", "mandatory = true"))
}
