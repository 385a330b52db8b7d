//! The coordinator service: waits as a standby until it holds the exercise's lease, rebuilds the
//! state from the event log, then takes submissions off the bus, runs them through the machine,
//! publishes the events (fenced on the log's last sequence) and replies to the submitter. It steps
//! down when it loses the lease or a write is fenced, and goes back to standing by.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bus::client::Received;
use bus::envelope::Payload;
use bus::{Bus, BusError, ConnectSettings, Envelope, ExerciseId};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use proto::v1 as wire;
use scenario::Scenario;

use crate::clock::Clock;
use crate::lease::{self, Lease};
use crate::machine::{self, Config, Input, Moment, Reply, State};
use record::{Mode, Phase};

mod replay;
mod signatures;
mod submissions;

/// The durable consumer name of the coordinator on the submissions stream.
const CONSUMER: &str = bus::subject::COORDINATOR_CONSUMER;

/// What the coordinator is to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// NATS URL (several, comma-separated, for a cluster).
    pub nats_url: String,
    /// The certificates the server's is verified against; TLS required when given.
    pub nats_authority: Option<std::path::PathBuf>,
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its scenario, shared with the exercises of the same file.
    pub scenario: Arc<Scenario>,
    /// How windows close.
    pub mode: Mode,
    /// Exercise seconds per wall second.
    pub time_scale: f64,
    /// This replica's name, for the lease and the logs.
    pub instance: String,
    /// How long a lease lives without renewal: a standby takes over at most this long after the
    /// leader died. Must be what the exercise was provisioned with.
    pub lease_ttl: Duration,
    /// Who the coordinator is on the bus; its key seals every event it writes.
    pub credentials: Option<bus::Credentials>,
    /// The seats' and the director's public keys: their submissions must carry their signatures.
    pub keys: Arc<record::Keys>,
    /// Wait for the director's start instead of starting at once.
    pub awaits_director: bool,
    /// Said ready once the exercise is provisioned and this replica leads or stands by.
    pub ready: ops::Ready,
    /// Events between two snapshots of the state (0: none); see [`crate::snapshot`].
    pub snapshot_every: u64,
}

impl Settings {
    /// Settings with a fresh instance name and a three-second lease.
    pub fn new(
        nats_url: impl Into<String>,
        exercise: ExerciseId,
        scenario: impl Into<Arc<Scenario>>,
        mode: Mode,
        time_scale: f64,
    ) -> Self {
        Settings {
            nats_url: nats_url.into(),
            nats_authority: None,
            exercise,
            scenario: scenario.into(),
            mode,
            time_scale,
            instance: format!("coordinator-{}", bus::MessageId::generate()),
            lease_ttl: Duration::from_secs(3),
            credentials: None,
            keys: Arc::default(),
            awaits_director: false,
            ready: ops::Ready::default(),
            snapshot_every: crate::snapshot::EVERY,
        }
    }
}

/// Why the coordinator stopped before the exercise concluded.
#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The lease bucket does not fit this coordinator.
    #[error(transparent)]
    Lease(lease::LeaseError),
}

/// How a term of leadership ended.
enum Term {
    Concluded(State),
    Stopped(State),
    SteppedDown,
}

/// Runs the exercise to its conclusion, or until `shutdown` resolves; stands by while another
/// replica leads.
pub async fn run(
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<State, CoordinatorError> {
    Ok(run_all(vec![settings], shutdown).await?.pop().unwrap_or_default())
}

/// Runs several exercises from one process and one connection (the first's URL, identity and
/// instance name serve them all), each on its own task with its own lease: with two replicas
/// given the same exercises, each exercise is led by whichever took its lease, and a replica
/// that dies leaves its exercises to the other. Returns each exercise's final state, in order,
/// once every one has concluded or `shutdown` resolved; the first exercise that fails ends them all.
pub async fn run_all(
    all: Vec<Settings>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Vec<State>, CoordinatorError> {
    let Some(first) = all.first() else { return Ok(Vec::new()) };
    let connect = ConnectSettings::new(&first.nats_url, format!("muster-{}", first.instance))
        .with_credentials(first.credentials.clone())
        .with_authority(first.nats_authority.clone());
    let bus = Bus::connect(&connect).await?;
    let shutdown = futures::FutureExt::shared(futures::FutureExt::boxed(shutdown));
    let count = all.len();
    // Ready once every exercise is provisioned; each is served as soon as it is.
    let unprepared = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(count));
    let mut tasks = tokio::task::JoinSet::new();
    for (n, settings) in all.into_iter().enumerate() {
        let (bus, shutdown, unprepared) = (bus.clone(), shutdown.clone(), unprepared.clone());
        tasks.spawn(async move {
            let ready = settings.ready.clone();
            let Some(exercise) = Exercise::prepare(&bus, settings, shutdown.clone()).await? else {
                return Ok((n, State::default()));
            };
            if unprepared.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1 {
                ready.set(true);
            }
            Ok::<_, CoordinatorError>((n, exercise.serve(shutdown).await?))
        });
    }
    let mut states = vec![State::default(); count];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(served) => {
                let (n, state) = served?;
                states[n] = state;
            }
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    Ok(states)
}

/// One exercise a coordinator serves, provisioned: its lease bucket, its key and the machine's
/// configuration.
struct Exercise {
    bus: Bus,
    settings: Settings,
    leases: async_nats::jetstream::kv::Store,
    key: Option<std::sync::Arc<nkeys::KeyPair>>,
    config: Config,
}

impl Exercise {
    /// Waits until the exercise is provisioned (that is the admin's: `muster run` or
    /// `muster provision`); `None` if `shutdown` came first.
    async fn prepare(
        bus: &Bus,
        settings: Settings,
        shutdown: impl Future<Output = ()>,
    ) -> Result<Option<Exercise>, CoordinatorError> {
        tokio::pin!(shutdown);
        let mut waiting = tokio::time::interval(Duration::from_millis(200));
        let leases = loop {
            tokio::select! {
                () = &mut shutdown => return Ok(None),
                _ = waiting.tick() => match lease::bucket(bus, &settings.exercise, settings.lease_ttl).await {
                    Ok(store) => break store,
                    Err(lease::LeaseError::NotProvisioned(_)) => {
                        tracing::info!(exercise = %settings.exercise, "waiting for the exercise to be provisioned");
                    }
                    Err(e) => return Err(CoordinatorError::Lease(e)),
                },
            }
        };
        let key = settings.credentials.as_ref().map(bus::Credentials::key_pair).transpose()?.map(std::sync::Arc::new);
        // Every replica holds the same key, so every replica derives the same tokens.
        let secret = match &key {
            Some(key) => {
                key.sign(format!("muster communications check {}", settings.exercise).as_bytes()).map_err(|e| {
                    BusError::JetStream { what: "deriving the communications secret".into(), reason: e.to_string() }
                })?
            }
            None => Vec::new(),
        };
        let config = Config {
            exercise: settings.exercise.clone(),
            scenario: settings.scenario.clone(),
            mode: settings.mode,
            time_scale: settings.time_scale,
            keys: settings.keys.clone(),
            comms: crate::config::Comms::new(secret),
            awaits_director: settings.awaits_director,
        };
        Ok(Some(Exercise { bus: bus.clone(), settings, leases, key, config }))
    }

    /// Stands by until this replica holds the lease, leads until the exercise concludes or the
    /// lease is lost, and stands by again.
    async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<State, CoordinatorError> {
        tokio::pin!(shutdown);
        let Exercise { bus, settings, leases, key, config } = self;
        let (exercise, instance) = (&settings.exercise, &settings.instance);
        let leader = metrics::gauge!("muster_coordinator_leader", "exercise" => exercise.to_string());
        leader.set(0.0);
        loop {
            let mut waiting = tokio::time::interval(settings.lease_ttl / 6);
            let lease = loop {
                tokio::select! {
                    () = &mut shutdown => return Ok(State::default()),
                    _ = waiting.tick() => match Lease::try_acquire(&leases, exercise, instance, settings.lease_ttl).await {
                        Ok(Some(lease)) => break lease,
                        Ok(None) => {}
                        Err(e) => tracing::warn!(%exercise, %instance, error = %e, "cannot reach the lease; standing by"),
                    },
                }
            };
            tracing::info!(%exercise, %instance, "leading the exercise");
            leader.set(1.0);
            metrics::counter!("muster_coordinator_terms_total", "exercise" => exercise.to_string()).increment(1);
            let core = Core {
                bus: bus.clone(),
                config: config.clone(),
                state: State::default(),
                clock: Clock::start(settings.time_scale),
                last_sequence: 0,
                sent_sequence: 0,
                batch: Batch::default(),
                pending: FuturesOrdered::new(),
                lease,
                stepped_at: std::time::Instant::now(),
                chain: key.as_ref().map(|k| bus::seal::Chain::new(k.public_key())),
                key: key.clone(),
                snapshots: Snapshots { every: settings.snapshot_every, ..Snapshots::default() },
            };
            match core.lead(&settings, &mut shutdown).await? {
                Term::Concluded(state) | Term::Stopped(state) => return Ok(state),
                Term::SteppedDown => {
                    leader.set(0.0);
                    tracing::warn!(%exercise, %instance, "stepped down; standing by");
                }
            }
        }
    }
}

struct Core {
    bus: Bus,
    config: Config,
    state: State,
    clock: Clock,
    /// The last sequence of the event log confirmed by JetStream.
    last_sequence: u64,
    /// The sequence the last event sent will have: the next one is fenced on it.
    sent_sequence: u64,
    /// The batch being written: events chained and not yet sent, and what follows them.
    batch: Batch,
    /// Batches sent and not yet all acknowledged, in order.
    pending: FuturesOrdered<BoxFuture<'static, Result<Done, BusError>>>,
    lease: Lease,
    /// When the last input was stepped.
    stepped_at: std::time::Instant,
    /// The key that seals every event; `None` writes unsealed events (development without identities).
    key: Option<std::sync::Arc<nkeys::KeyPair>>,
    /// This coordinator's own seals: the last event written or read is what the next chains to.
    chain: Option<bus::seal::Chain>,
    snapshots: Snapshots,
}

/// The snapshots a leader takes (only with a key: a snapshot is signed like the events).
#[derive(Default)]
struct Snapshots {
    /// Events between two.
    every: u64,
    /// The sequence of the last one taken, or the state started from.
    taken_at: u64,
    /// Taken, and waiting for its last event's ack before it is written.
    waiting: Option<crate::snapshot::Snapshot>,
    /// The one being written; the next waits until it is.
    writing: Option<tokio::task::JoinHandle<()>>,
    /// Set while a term rebuilds its state and catches up: what waited for a leader is served
    /// before a snapshot is encoded (a million events' record takes one of the cores for a while).
    held: bool,
}

/// Events chained into the log and not yet sent, with what follows the inputs that led to them.
#[derive(Default)]
struct Batch {
    /// Each with the span of the input that led to it: its trace goes on with the event.
    events: Vec<(Envelope, tracing::Span)>,
    replies: Vec<(bus::Sender, Envelope)>,
    acks: Vec<Received>,
}

/// What is left to do for a batch once its events are on the log.
struct Done {
    last: u64,
    replies: Vec<(bus::Sender, Envelope)>,
    acks: Vec<Received>,
}

/// How long replay waits for the next event of the log before it gives up.
const REPLAY_WAIT: Duration = Duration::from_secs(10);

/// Batches in flight at most (their events sent, their acks awaited): each up to [`BATCH`] events
/// and the replies behind them.
const IN_FLIGHT: usize = 32;

/// Events in a batch at most: the submissions already waiting join the batch until it is this
/// long; when none waits, it is written at once.
const BATCH: usize = 256;

/// Why a leader must stop leading now.
enum Stop {
    SteppedDown,
    Bus(BusError),
}

impl From<BusError> for Stop {
    fn from(e: BusError) -> Self {
        match e {
            BusError::Fenced { .. } => Stop::SteppedDown,
            other => Stop::Bus(other),
        }
    }
}

impl Core {
    async fn lead(
        mut self,
        settings: &Settings,
        shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Term, CoordinatorError> {
        match self.term(settings, shutdown).await {
            Ok(term) => {
                if matches!(term, Term::Concluded(_) | Term::Stopped(_)) {
                    // Hand over at once rather than after the lease expires.
                    self.lease.release().await;
                }
                Ok(term)
            }
            Err(Stop::SteppedDown) => Ok(Term::SteppedDown),
            Err(Stop::Bus(e)) => {
                tracing::warn!(exercise = %self.config.exercise, error = %e, "bus failure while leading");
                Ok(Term::SteppedDown)
            }
        }
    }

    async fn term(
        &mut self,
        settings: &Settings,
        shutdown: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    ) -> Result<Term, Stop> {
        self.snapshots.held = true;
        self.replay(settings.time_scale).await?;
        self.input(Input::Start);
        self.flush().await?;
        let submissions = self.bus.follow_submissions(&self.config.exercise, CONSUMER);
        let mut submissions = signatures::checked(submissions, self.config.keys.clone());
        self.catch_up(&mut submissions).await?;
        self.snapshots.held = false;
        let tick = if settings.mode == Mode::Fast { Duration::from_millis(10) } else { Duration::from_millis(100) };
        // The first tick waits one period, so submissions queued while nobody led come in first.
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut renewal = tokio::time::interval(settings.lease_ttl / 3);
        while self.state.phase.phase != Phase::Concluded {
            tokio::select! {
                biased;
                () = shutdown.as_mut() => {
                    tracing::info!(exercise = %self.config.exercise, "coordinator stopping on request");
                    return Ok(Term::Stopped(self.state.clone()));
                }
                _ = renewal.tick() => self.renew().await?,
                Some(done) = self.pending.next(), if !self.pending.is_empty() => self.finish(done).await?,
                received = submissions.next(), if self.pending.len() < IN_FLIGHT => {
                    let Some(received) = received else { return Err(Stop::SteppedDown) };
                    self.submission(received).await?;
                    self.take_waiting(&mut submissions).await?;
                }
                _ = ticker.tick() => self.input(Input::Tick),
            }
            self.flush().await?;
        }
        self.drain().await?;
        tracing::info!(exercise = %self.config.exercise, events = self.state.events, "exercise concluded");
        Ok(Term::Concluded(self.state.clone()))
    }

    /// Handles every submission that reached the bus before this term began — including those a
    /// dead leader took and never acknowledged, which come again after the redelivery delay —
    /// before the clock may close a window: what arrived in time counts. What arrives meanwhile
    /// is handled as it comes, but not waited for.
    async fn catch_up(
        &mut self,
        submissions: &mut futures::stream::BoxStream<'static, signatures::Checked>,
    ) -> Result<(), Stop> {
        // Owed now: what came while the log was replayed counts as well.
        let owed = self.bus.submissions_owed(&self.config.exercise, CONSUMER).await?;
        let mut handled = std::collections::HashSet::new();
        let give_up = tokio::time::Instant::now() + bus::client::REDELIVERY_AFTER * 3;
        while (handled.len() as u64) < owed.count {
            self.renew_if_due().await?;
            tokio::select! {
                biased;
                Some(done) = self.pending.next(), if !self.pending.is_empty() => self.finish(done).await?,
                received = submissions.next(), if self.pending.len() < IN_FLIGHT => {
                    let Some(received) = received else { return Err(Stop::SteppedDown) };
                    let sequence = received.received.delivery.sequence;
                    self.submission(received).await?;
                    if owed.covers(sequence) {
                        handled.insert(sequence);
                    }
                    self.flush().await?;
                }
                () = tokio::time::sleep_until(give_up) => {
                    tracing::warn!(exercise = %self.config.exercise, owed = owed.count, handled = handled.len(),
                        "submissions still pending after catching up; going on");
                    break;
                }
                // Wakes the loop to renew the lease while redeliveries are awaited.
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
        }
        self.drain().await
    }

    /// Steps the submissions already waiting into the batch, until it holds [`BATCH`] events or
    /// as many submissions were taken: one checkpoint for them all.
    async fn take_waiting(
        &mut self,
        submissions: &mut futures::stream::BoxStream<'static, signatures::Checked>,
    ) -> Result<(), Stop> {
        use futures::FutureExt as _;
        for _ in 0..BATCH {
            if self.batch.events.len() >= BATCH {
                break;
            }
            match submissions.next().now_or_never() {
                Some(Some(received)) => self.submission(received).await?,
                Some(None) => return Err(Stop::SteppedDown),
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// Renews the lease if a third of its life has passed: for the work a term does before its
    /// loop, whose ticker renews it.
    async fn renew_if_due(&mut self) -> Result<(), Stop> {
        if self.lease.renewal_due() { self.renew().await } else { Ok(()) }
    }

    async fn renew(&mut self) -> Result<(), Stop> {
        match self.lease.renew().await {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::warn!(exercise = %self.config.exercise, "lease lost to another coordinator");
                Err(Stop::SteppedDown)
            }
            Err(e) if self.lease.is_fresh() => {
                tracing::warn!(exercise = %self.config.exercise, error = %e, "lease not renewed; retrying");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(exercise = %self.config.exercise, error = %e, "lease expired unrenewed");
                Err(Stop::SteppedDown)
            }
        }
    }
}
