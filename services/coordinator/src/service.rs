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

use crate::clock::{Clock, ClockLog};
use crate::lease::{self, Lease};
use crate::machine::{self, Config, Input, Moment, Reply, State};
use record::{Mode, Phase};

/// The durable consumer name of the coordinator on the submissions stream.
const CONSUMER: &str = bus::subject::COORDINATOR_CONSUMER;

/// What the coordinator is to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// NATS URL (several, comma-separated, for a cluster).
    pub nats_url: String,
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
        .with_credentials(first.credentials.clone());
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
                pending: FuturesOrdered::new(),
                lease,
                stepped_at: std::time::Instant::now(),
                chain: key.as_ref().map(|k| bus::seal::Chain::new(k.public_key())),
                key: key.clone(),
                clock_log: ClockLog::default(),
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
    /// Inputs whose events are sent and not yet all acknowledged, in order.
    pending: FuturesOrdered<BoxFuture<'static, Result<Done, BusError>>>,
    lease: Lease,
    /// When the last input was stepped.
    stepped_at: std::time::Instant,
    /// The key that seals every event; `None` writes unsealed events (development without identities).
    key: Option<std::sync::Arc<nkeys::KeyPair>>,
    /// This coordinator's own seals: the last event written or read is what the next chains to.
    chain: Option<bus::seal::Chain>,
    /// What the log says of the clock so far, for the snapshots.
    clock_log: ClockLog,
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

/// What is left to do for an input once its events are on the log.
struct Done {
    last: u64,
    replies: Vec<(bus::Sender, Envelope)>,
    ack: Option<Received>,
}

/// How long replay waits for the next event of the log before it gives up.
const REPLAY_WAIT: Duration = Duration::from_secs(10);

/// Events folded at once on replay, their seals checked as one run.
const RUN: usize = 1024;

/// Inputs in flight at most (their events sent, their acks awaited).
const IN_FLIGHT: usize = 256;

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
        if self.state.phase.phase == Phase::NotStarted {
            // The clock starts with the notification, as a successor reading the log will take it.
            self.clock = Clock::start(settings.time_scale);
        }
        self.input(Input::Start).await?;
        let mut submissions = self.bus.follow_submissions(&self.config.exercise, CONSUMER);
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
                }
                _ = ticker.tick() => self.input(Input::Tick).await?,
            }
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
        submissions: &mut futures::stream::BoxStream<'static, bus::client::Received>,
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
                    let sequence = received.delivery.sequence;
                    self.submission(received).await?;
                    if owed.covers(sequence) {
                        handled.insert(sequence);
                    }
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

    /// Rebuilds the state and the clock from the events already in the log.
    async fn replay(&mut self, time_scale: f64) -> Result<(), Stop> {
        let mut stream = self
            .bus
            .jetstream()
            .get_stream(bus::subject::events_stream(&self.config.exercise))
            .await
            .map_err(|e| BusError::JetStream { what: "events stream lookup".into(), reason: e.to_string() })?;
        let last = stream
            .info()
            .await
            .map_err(|e| BusError::JetStream { what: "events stream info".into(), reason: e.to_string() })?
            .state
            .last_sequence;
        let coordinator = self.key.as_ref().map(|k| k.public_key());
        if let Some(snapshot) = trusted_snapshot(&self.bus, &self.config.exercise, coordinator).await {
            self.last_sequence = snapshot.sequence;
            self.snapshots.taken_at = snapshot.sequence;
            self.state = snapshot.record;
            self.clock_log = snapshot.clock;
            if let Some(chain) = &mut self.chain {
                chain.last = snapshot.hash;
            }
        }
        let (from, began) = (self.last_sequence, std::time::Instant::now());
        if last > from {
            let mut events = self.bus.follow_events(&self.config.exercise, from + 1);
            let mut run = Vec::with_capacity(RUN);
            while self.last_sequence < last {
                // A log whose last messages are gone (deleted, or a lost replica) must not hold the
                // leader forever: it steps down with a clear error and tries again.
                let next = tokio::time::timeout(REPLAY_WAIT, events.next()).await.map_err(|_| BusError::JetStream {
                    what: "replay of the event log".into(),
                    reason: format!("event {} of {last} did not come within {REPLAY_WAIT:?}", self.last_sequence + 1),
                })?;
                let Some(delivery) = next else { break };
                // A long log takes longer to read than the lease lives: unrenewed, it would expire
                // and the next leader would start the same replay.
                self.renew_if_due().await?;
                self.last_sequence = delivery.sequence;
                if let Ok(event) = delivery.envelope {
                    run.push((delivery.sequence, event));
                }
                if run.len() == RUN {
                    self.fold(std::mem::take(&mut run));
                }
            }
            self.fold(run);
            tracing::info!(exercise = %self.config.exercise, events = last, replayed = last - from, took_ms = began.elapsed().as_millis(), phase = ?self.state.phase.phase, "state rebuilt from the event log");
        }
        self.clock = self.clock_log.clock(time_scale);
        self.sent_sequence = self.last_sequence;
        // The record counts the log's positions, whatever was passed over at its end: the next
        // event it applies is the one written next.
        self.state.events = self.last_sequence;
        Ok(())
    }

    /// Folds a run of the log's events into the state. Only this exercise's coordinators' sealed
    /// events count: anything else in the log (unsealed, forged, out of chain) is passed over, as
    /// every reader does. A run that is all theirs costs one signature check (see
    /// [`bus::seal::Chain::accept_run`]); otherwise each event is checked on its own.
    fn fold(&mut self, run: Vec<(u64, Envelope)>) {
        let all_sealed = match &mut self.chain {
            Some(chain) => chain.accept_run(&run.iter().map(|(_, e)| e).collect::<Vec<_>>()),
            None => true,
        };
        for (sequence, event) in &run {
            if !all_sealed && let Some(Err(e)) = self.chain.as_mut().map(|c| c.accept(event)) {
                tracing::warn!(exercise = %self.config.exercise, sequence, message_id = %event.message_id,
                    error = %e, "event dropped on replay");
                continue;
            }
            self.clock_log.observe(event);
            // The record's count is the log's position, events passed over before it included:
            // what it applies is known by where it stands (a repeat's receipt names that place).
            self.state.events = sequence.saturating_sub(1);
            self.state.apply(event);
        }
    }

    /// Takes a snapshot if enough events have been sent since the last: the state as of the last
    /// event sent, written once that event is acked.
    fn take_snapshot_if_due(&mut self) {
        let s = &mut self.snapshots;
        let (Some(chain), true) = (&self.chain, s.every > 0) else { return };
        let busy = s.waiting.is_some() || s.writing.as_ref().is_some_and(|w| !w.is_finished());
        if s.held || busy || self.sent_sequence < s.taken_at + s.every {
            return;
        }
        s.taken_at = self.sent_sequence;
        let (exercise, sequence, began) = (&self.config.exercise, self.sent_sequence, std::time::Instant::now());
        s.waiting = Some(crate::snapshot::take(exercise, sequence, &chain.last, &mut self.state, &self.clock_log));
        tracing::debug!(%exercise, sequence, took_ms = began.elapsed().as_millis(), "snapshot taken");
    }

    /// Writes the snapshot waiting for its last event, now on the log, off the loop.
    fn write_snapshot_if_acked(&mut self) {
        let acked = self.last_sequence;
        let waiting = self.snapshots.waiting.take_if(|w| w.sequence <= acked);
        let (Some(key), Some(snapshot)) = (&self.key, waiting) else { return };
        let (bus, key) = (self.bus.clone(), key.clone());
        self.snapshots.writing = Some(tokio::spawn(async move {
            let (exercise, sequence) = (snapshot.exercise.clone(), snapshot.sequence);
            match crate::snapshot::save(&bus, snapshot, key).await {
                Ok(bytes) => tracing::info!(%exercise, sequence, bytes, "snapshot written"),
                Err(e) => tracing::warn!(%exercise, sequence, error = %e, "snapshot not written"),
            }
        }));
    }

    /// The time an input is stepped at; a pause or resume it leads to takes effect at this instant.
    fn now(&mut self) -> Moment {
        self.stepped_at = tokio::time::Instant::now().into_std();
        Moment { exercise: self.clock.at(self.stepped_at), wall: SystemTime::now() }
    }

    async fn input(&mut self, input: Input<'_>) -> Result<(), Stop> {
        let now = self.now();
        let decision = machine::step(&self.config, &mut self.state, input, now);
        self.carry_out(decision.events, vec![], None).await
    }

    /// Runs one submission through the machine, in a span of the trace it was sent in: the events
    /// it leads to carry that trace to their readers.
    async fn submission(&mut self, received: Received) -> Result<(), Stop> {
        use tracing::Instrument as _;
        let span =
            tracing::info_span!("submission", exercise = %self.config.exercise, sequence = received.delivery.sequence);
        bus::trace::follow(&span, &received.delivery.trace);
        self.step_submission(received).instrument(span).await
    }

    /// Runs one submission through the machine; its reply and its acknowledgement to JetStream
    /// wait until the events it led to are on the log.
    async fn step_submission(&mut self, received: Received) -> Result<(), Stop> {
        let exercise = self.config.exercise.clone();
        let delivery = &received.delivery;
        let from_subject = bus::subject::parse_submission(&delivery.subject).map(|s| s.sender);
        let envelope = match &delivery.envelope {
            Ok(envelope) => envelope.clone(),
            Err(error) => {
                count_submission(&exercise, error.rejection_code().as_str_name());
                let reply = Reply::Rejected {
                    message_id: unknown_id(),
                    code: error.rejection_code(),
                    reason: error.to_string(),
                };
                let replies =
                    from_subject.map(|to| (to, self.reply_envelope(None, &reply, None))).into_iter().collect();
                return self.carry_out(vec![], replies, Some(received)).await;
            }
        };
        if from_subject.as_ref() != Some(&envelope.sender) {
            count_submission(&exercise, wire::RejectionCode::NotPermitted.as_str_name());
            let reply = Reply::Rejected {
                message_id: envelope.message_id.clone(),
                code: wire::RejectionCode::NotPermitted,
                reason: format!("sender {} may not submit on {}", envelope.sender, delivery.subject),
            };
            tracing::warn!(%exercise, message_id = %envelope.message_id, subject = %delivery.subject, "submission refused: sender does not match subject");
            let replies =
                from_subject.map(|to| (to, self.reply_envelope(Some(&envelope), &reply, None))).into_iter().collect();
            return self.carry_out(vec![], replies, Some(received)).await;
        }
        let now = self.now();
        let was_started = self.state.phase.phase != Phase::NotStarted;
        let decision = machine::step(&self.config, &mut self.state, Input::Submission(&envelope), now);
        if !was_started && self.state.phase.phase != Phase::NotStarted {
            // Started by the director: the notification is time zero.
            self.clock = Clock::start(self.config.time_scale);
        }
        let outcome = match &decision.reply {
            Some((_, Reply::Rejected { code, .. })) => code.as_str_name(),
            _ => "ACCEPTED",
        };
        count_submission(&exercise, outcome);
        if let Some((_, Reply::Rejected { code, reason, .. })) = &decision.reply {
            tracing::warn!(%exercise, message_id = %envelope.message_id, sender = %envelope.sender, kind = envelope.kind(),
                code = code.as_str_name(), %reason, "submission refused");
        }
        let (acks, first) = self.send_events(decision.events).await?;
        let mut replies = Vec::with_capacity(1);
        if let Some((to, reply)) = decision.reply {
            let (reply, receipt) = self.answer(&envelope, reply, first).await?;
            replies.push((to, self.reply_envelope(Some(&envelope), &reply, receipt)));
        }
        self.queue(acks, replies, Some(received));
        Ok(())
    }

    /// The machine's reply to `submission` with the receipt it earns: for an acceptance, that of
    /// `first`, the event it was recorded as; for a repeat, the original's. A repeat whose id its
    /// sender used for another submission is refused instead.
    async fn answer(
        &mut self,
        submission: &Envelope,
        reply: Reply,
        first: Option<(u64, bus::seal::Hash)>,
    ) -> Result<(Reply, Option<bus::receipt::Receipt>), Stop> {
        let receipt = match &reply {
            Reply::Accepted { duplicate: false, .. } => {
                first.and_then(|(sequence, hash)| self.receipt(submission, sequence, hash))
            }
            Reply::Accepted { original: Some(position), .. } => {
                match self.original_receipt(submission, *position).await? {
                    Ok(receipt) => receipt,
                    Err(reason) => {
                        tracing::warn!(exercise = %self.config.exercise, message_id = %submission.message_id, sender = %submission.sender,
                            %reason, "submission refused: its id was used for another of its submissions");
                        let code = wire::RejectionCode::InvalidContent;
                        return Ok((Reply::Rejected { message_id: submission.message_id.clone(), code, reason }, None));
                    }
                }
            }
            _ => None,
        };
        Ok((reply, receipt))
    }

    /// The receipt for `submission`, recorded as the event at `sequence` with `hash`: signed with
    /// the coordinator's key (none without one).
    fn receipt(&self, submission: &Envelope, sequence: u64, hash: bus::seal::Hash) -> Option<bus::receipt::Receipt> {
        let key = self.key.as_ref()?;
        match bus::receipt::Receipt::sign(submission, sequence, hash, key) {
            Ok(receipt) => Some(receipt),
            Err(e) => {
                tracing::warn!(exercise = %self.config.exercise, message_id = %submission.message_id, error = %e, "receipt not signed");
                None
            }
        }
    }

    /// The receipt of the original of a repeated submission, recorded at `position`: the event is
    /// read back (after everything in flight is written), and must be the same submission, not
    /// another one its sender sent under the same id (`Err` says why).
    async fn original_receipt(
        &mut self,
        submission: &Envelope,
        position: u64,
    ) -> Result<Result<Option<bus::receipt::Receipt>, String>, Stop> {
        if position > self.last_sequence {
            // Still on its way to the log: wait until it is there.
            self.drain().await?;
        }
        let stored = match self.bus.event_at(&self.config.exercise, position).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(exercise = %self.config.exercise, message_id = %submission.message_id, position, error = %e, "the original of a repeated submission could not be read; answered without its receipt");
                return Ok(Ok(None));
            }
        };
        let itself = stored.sender == submission.sender && stored.message_id == submission.message_id;
        // The director's start is recorded as the notification it caused.
        let started = matches!(submission.payload, Payload::StartExercise(_))
            && matches!(stored.payload, Payload::Notification(_))
            && stored.causation_id.as_ref() == Some(&submission.message_id);
        if !itself && !started {
            tracing::error!(exercise = %self.config.exercise, message_id = %submission.message_id, position,
                "the event the record names for a repeated submission is another; answered without a receipt");
            return Ok(Ok(None));
        }
        if itself && bus::seal::signed_content(&stored) != bus::seal::signed_content(submission) {
            return Ok(Err(format!(
                "message id {} was used already, for another submission of {}'s (event {position})",
                submission.message_id, submission.sender
            )));
        }
        Ok(Ok(self.receipt(submission, position, bus::seal::hash(&stored))))
    }

    /// Sends the events the machine has applied, each fenced on the sequence before it, without
    /// waiting for their acks: up to [`IN_FLIGHT`] inputs are on their way at once. What follows an
    /// input (its replies, its acknowledgement) happens in order once its events are acked; if one
    /// cannot be written the term ends, and the next term rebuilds the state from the log.
    /// A leader whose lease may have expired writes nothing.
    async fn carry_out(
        &mut self,
        events: Vec<Envelope>,
        replies: Vec<(bus::Sender, Envelope)>,
        ack: Option<Received>,
    ) -> Result<(), Stop> {
        let (acks, _) = self.send_events(events).await?;
        self.queue(acks, replies, ack);
        Ok(())
    }

    /// Seals and sends `events`, each fenced on the sequence before it; returns their acks to
    /// come, and the sequence and hash of the first (the event a submission is recorded as).
    async fn send_events(
        &mut self,
        events: Vec<Envelope>,
    ) -> Result<(Vec<bus::client::PendingAck>, Option<(u64, bus::seal::Hash)>), Stop> {
        if !events.is_empty() && !self.lease.is_fresh() {
            tracing::warn!(exercise = %self.config.exercise, "lease not renewed in time; not writing");
            return Err(Stop::SteppedDown);
        }
        let mut acks = Vec::with_capacity(events.len());
        let mut first = None;
        for mut event in events {
            let hash = match (&self.key, &mut self.chain) {
                (Some(key), Some(chain)) => {
                    chain.last = bus::seal::seal(&mut event, &chain.last, key)
                        .map_err(|e| BusError::JetStream { what: "sealing an event".into(), reason: e.to_string() })?;
                    Some(chain.last)
                }
                _ => None,
            };
            let event = &event;
            acks.push(self.bus.send_event_fenced(event, self.sent_sequence).await?);
            self.sent_sequence += 1;
            if first.is_none() {
                first = hash.map(|h| (self.sent_sequence, h));
            }
            self.clock_log.observe(event);
            if let Payload::PhaseChanged(p) = &event.payload {
                tracing::info!(exercise = %self.config.exercise, phase = p.phase().as_str_name(), stage = p.stage_number, paused = p.paused, "phase changed");
            }
        }
        Ok((acks, first))
    }

    /// What follows the input whose events' acks are `acks`: its replies and its acknowledgement
    /// to JetStream, in order once those are in.
    fn queue(
        &mut self,
        acks: Vec<bus::client::PendingAck>,
        replies: Vec<(bus::Sender, Envelope)>,
        ack: Option<Received>,
    ) {
        self.clock.set_paused(self.state.phase.paused, self.stepped_at);
        self.take_snapshot_if_due();
        let sent = std::time::Instant::now();
        let written = !acks.is_empty();
        self.pending.push_back(Box::pin(async move {
            let mut last = 0;
            for pending in acks {
                last = last.max(pending.await?.sequence);
            }
            if written {
                metrics::histogram!("muster_event_write_seconds").record(sent.elapsed().as_secs_f64());
            }
            Ok(Done { last, replies, ack })
        }));
    }

    /// What follows an input whose events are on the log.
    async fn finish(&mut self, done: Result<Done, BusError>) -> Result<(), Stop> {
        let done = done.map_err(|e| {
            if let BusError::Fenced { expected } = e {
                tracing::warn!(exercise = %self.config.exercise, expected, "write fenced: another coordinator has written");
            }
            Stop::from(e)
        })?;
        self.last_sequence = self.last_sequence.max(done.last);
        self.write_snapshot_if_acked();
        for (to, envelope) in &done.replies {
            self.bus.reply(to, envelope).await?;
        }
        if let Some(received) = done.ack {
            received.ack().await?;
        }
        Ok(())
    }

    /// Waits for everything in flight.
    async fn drain(&mut self) -> Result<(), Stop> {
        while let Some(done) = self.pending.next().await {
            self.finish(done).await?;
        }
        Ok(())
    }

    fn reply_envelope(
        &self,
        cause: Option<&Envelope>,
        reply: &Reply,
        receipt: Option<bus::receipt::Receipt>,
    ) -> Envelope {
        let payload = match reply {
            Reply::Accepted { message_id, duplicate, comms_token, .. } => Payload::Accepted(wire::Accepted {
                accepted_message_id: message_id.to_string(),
                duplicate: *duplicate,
                comms_check_token: comms_token.clone().unwrap_or_default(),
                receipt: receipt.as_ref().map(Into::into),
            }),
            Reply::Rejected { message_id, code, reason } => Payload::Rejection(wire::Rejection {
                rejected_message_id: message_id.to_string(),
                code: *code as i32,
                reason: reason.clone(),
            }),
        };
        let envelope = Envelope::new(self.config.exercise.clone(), Config::sender(), payload);
        match cause {
            Some(cause) => envelope.caused_by(cause),
            None => envelope,
        }
    }
}

/// The latest snapshot, if there is one `coordinator` signed that fits the log; else the leader
/// replays the whole log.
async fn trusted_snapshot(
    bus: &Bus,
    exercise: &ExerciseId,
    coordinator: Option<String>,
) -> Option<crate::snapshot::Snapshot> {
    let began = std::time::Instant::now();
    match crate::snapshot::load(bus, exercise, &coordinator?).await {
        Ok(Some(snapshot)) => {
            tracing::info!(%exercise, sequence = snapshot.sequence, took_ms = began.elapsed().as_millis(), "starting from the snapshot");
            Some(snapshot)
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(%exercise, error = %e, "snapshot passed over; replaying the whole log");
            None
        }
    }
}

/// Counts a submission under its exercise and outcome.
fn count_submission(exercise: &ExerciseId, outcome: &'static str) {
    metrics::counter!("muster_submissions_total", "exercise" => exercise.to_string(), "outcome" => outcome)
        .increment(1);
}

fn unknown_id() -> bus::MessageId {
    bus::MessageId::new("unreadable").unwrap_or_else(|_| bus::MessageId::generate())
}
