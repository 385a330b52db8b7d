//! The coordinator service: waits as a standby until it holds the exercise's lease, rebuilds the
//! state from the event log, then takes submissions off the bus, runs them through the machine,
//! publishes the events (fenced on the log's last sequence) and replies to the submitter. It steps
//! down when it loses the lease or a write is fenced, and goes back to standing by.

use std::future::Future;
use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Bus, BusError, ConnectSettings, Delivery, Envelope, ExerciseId, StreamSettings};
use futures::StreamExt;
use proto::v1 as wire;
use scenario::Scenario;

use crate::clock::{Clock, ClockLog};
use crate::lease::{self, Lease};
use crate::machine::{self, Config, Decision, Input, Mode, Now, Phase, Reply, State};

/// The durable consumer name of the coordinator on the submissions stream.
const CONSUMER: &str = "coordinator";

/// What the coordinator is to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// NATS URL (several, comma-separated, for a cluster).
    pub nats_url: String,
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its scenario.
    pub scenario: Scenario,
    /// How windows close.
    pub mode: Mode,
    /// Exercise seconds per wall second.
    pub time_scale: f64,
    /// How the exercise's streams are kept.
    pub streams: StreamSettings,
    /// This replica's name, for the lease and the logs.
    pub instance: String,
    /// How long a lease lives without renewal: a standby takes over at most this long after the
    /// leader died.
    pub lease_ttl: Duration,
}

impl Settings {
    /// Settings with a fresh instance name and a three-second lease.
    pub fn new(
        nats_url: impl Into<String>,
        exercise: ExerciseId,
        scenario: Scenario,
        mode: Mode,
        time_scale: f64,
    ) -> Self {
        Settings {
            nats_url: nats_url.into(),
            exercise,
            scenario,
            mode,
            time_scale,
            streams: StreamSettings::default(),
            instance: format!("coordinator-{}", bus::MessageId::generate()),
            lease_ttl: Duration::from_secs(3),
        }
    }
}

/// Why the coordinator stopped before the exercise concluded.
#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// How a term of leadership ended.
enum Term {
    Concluded(State),
    Stopped(State),
    SteppedDown,
}

/// Runs the exercise to its conclusion, or until `shutdown` resolves; stands by while another
/// replica leads.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<State, CoordinatorError> {
    let bus = Bus::connect(&ConnectSettings::new(&settings.nats_url, format!("muster-{}", settings.instance))).await?;
    bus.provision(&settings.exercise, &settings.streams).await?;
    let leases = lease::bucket(&bus, settings.lease_ttl, settings.streams.replicas).await?;
    let config =
        Config { exercise: settings.exercise.clone(), scenario: settings.scenario.clone(), mode: settings.mode };
    let (exercise, instance) = (&settings.exercise, &settings.instance);
    tokio::pin!(shutdown);
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
        let core = Core {
            bus: bus.clone(),
            config: config.clone(),
            state: State::default(),
            clock: Clock::start(settings.time_scale),
            last_sequence: 0,
            lease,
        };
        match core.lead(&settings, &mut shutdown).await? {
            Term::Concluded(state) | Term::Stopped(state) => return Ok(state),
            Term::SteppedDown => tracing::warn!(%exercise, %instance, "stepped down; standing by"),
        }
    }
}

struct Core {
    bus: Bus,
    config: Config,
    state: State,
    clock: Clock,
    /// The last sequence of the event log as this writer knows it; every publish is fenced on it.
    last_sequence: u64,
    lease: Lease,
}

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
        self.replay(settings.time_scale).await?;
        self.input(Input::Start).await?;
        let mut submissions = self.bus.follow_submissions(&self.config.exercise, CONSUMER);
        self.catch_up(&mut submissions).await?;
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
                received = submissions.next() => {
                    let Some(received) = received else { return Err(Stop::SteppedDown) };
                    self.submission(&received.delivery).await?;
                    received.ack().await?;
                }
                _ = ticker.tick() => self.input(Input::Tick).await?,
            }
        }
        tracing::info!(exercise = %self.config.exercise, events = self.state.events, "exercise concluded");
        Ok(Term::Concluded(self.state.clone()))
    }

    /// Handles every submission that reached the bus before this term began — including those a
    /// dead leader took and never acknowledged, which come again after the redelivery delay —
    /// before the clock may close a window: what arrived in time counts.
    async fn catch_up(
        &mut self,
        submissions: &mut futures::stream::BoxStream<'static, bus::client::Received>,
    ) -> Result<(), Stop> {
        let give_up = tokio::time::Instant::now() + bus::client::REDELIVERY_AFTER * 3;
        while tokio::time::Instant::now() < give_up {
            if self.lease.renewal_due() {
                self.renew().await?;
            }
            if self.bus.submissions_backlog(&self.config.exercise, CONSUMER).await? == 0 {
                return Ok(());
            }
            if let Ok(received) = tokio::time::timeout(Duration::from_millis(50), submissions.next()).await {
                let Some(received) = received else { return Err(Stop::SteppedDown) };
                self.submission(&received.delivery).await?;
                received.ack().await?;
            }
        }
        tracing::warn!(exercise = %self.config.exercise, "submissions still pending after catching up; going on");
        Ok(())
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
        let mut clock = ClockLog::default();
        if last > 0 {
            let mut events = self.bus.follow_events(&self.config.exercise, 1);
            while self.last_sequence < last {
                let Some(delivery) = events.next().await else { break };
                self.last_sequence = delivery.sequence;
                if let Ok(event) = &delivery.envelope {
                    clock.observe(event);
                    machine::evolve(&mut self.state, event);
                }
            }
            tracing::info!(exercise = %self.config.exercise, events = last, phase = ?self.state.phase.phase, "state rebuilt from the event log");
        }
        self.clock = clock.clock(time_scale);
        Ok(())
    }

    fn now(&self) -> Now {
        Now { exercise: self.clock.now(), wall: SystemTime::now() }
    }

    async fn input(&mut self, input: Input<'_>) -> Result<(), Stop> {
        let now = self.now();
        let decision = machine::step(&self.config, &mut self.state, input, now);
        self.carry_out(decision).await
    }

    async fn submission(&mut self, delivery: &Delivery) -> Result<(), Stop> {
        let exercise = &self.config.exercise;
        let from_subject = bus::subject::parse_submission(&delivery.subject).map(|s| s.sender);
        let envelope = match &delivery.envelope {
            Ok(envelope) => envelope,
            Err(error) => {
                if let Some(to) = from_subject {
                    let reply = Reply::Rejected {
                        message_id: unknown_id(),
                        code: error.rejection_code(),
                        reason: error.to_string(),
                    };
                    self.reply(&to, None, &reply).await?;
                }
                return Ok(());
            }
        };
        if from_subject.as_ref() != Some(&envelope.sender) {
            let reply = Reply::Rejected {
                message_id: envelope.message_id.clone(),
                code: wire::RejectionCode::NotPermitted,
                reason: format!("sender {} may not submit on {}", envelope.sender, delivery.subject),
            };
            tracing::warn!(%exercise, message_id = %envelope.message_id, subject = %delivery.subject, "submission refused: sender does not match subject");
            if let Some(to) = from_subject {
                self.reply(&to, Some(envelope), &reply).await?;
            }
            return Ok(());
        }
        let now = self.now();
        let decision = machine::step(&self.config, &mut self.state, Input::Submission(envelope), now);
        if let Some((_, Reply::Rejected { code, reason, .. })) = &decision.reply {
            tracing::warn!(%exercise, message_id = %envelope.message_id, sender = %envelope.sender, kind = envelope.kind(),
                code = code.as_str_name(), %reason, "submission refused");
        }
        let reply = decision.reply.clone();
        self.carry_out(Decision { reply: None, ..decision }).await?;
        if let Some((to, reply)) = reply {
            self.reply(&to, Some(envelope), &reply).await?;
        }
        Ok(())
    }

    /// Publishes the events the machine has applied, each fenced on the log's last sequence. If one
    /// cannot be written the term ends, and the next term rebuilds the state from the log.
    /// A leader whose lease may have expired writes nothing.
    async fn carry_out(&mut self, decision: Decision) -> Result<(), Stop> {
        if !decision.events.is_empty() && !self.lease.is_fresh() {
            tracing::warn!(exercise = %self.config.exercise, "lease not renewed in time; not writing");
            return Err(Stop::SteppedDown);
        }
        for event in &decision.events {
            let ack = match self.bus.publish_event_fenced(event, self.last_sequence).await {
                Ok(ack) => ack,
                Err(BusError::Fenced { expected }) => {
                    tracing::warn!(exercise = %self.config.exercise, expected, "write fenced: another coordinator has written");
                    return Err(Stop::SteppedDown);
                }
                Err(e) => return Err(e.into()),
            };
            // A de-duplicated event was written before (its sequence is an old one).
            self.last_sequence = self.last_sequence.max(ack.sequence);
            if let Payload::PhaseChanged(p) = &event.payload {
                tracing::info!(exercise = %self.config.exercise, phase = p.phase().as_str_name(), stage = p.stage_number, paused = p.paused, "phase changed");
            }
        }
        self.clock.set_paused(self.state.phase.paused);
        Ok(())
    }

    async fn reply(&self, to: &bus::Sender, cause: Option<&Envelope>, reply: &Reply) -> Result<(), Stop> {
        let payload = match reply {
            Reply::Accepted { message_id, duplicate } => {
                Payload::Accepted(wire::Accepted { accepted_message_id: message_id.to_string(), duplicate: *duplicate })
            }
            Reply::Rejected { message_id, code, reason } => Payload::Rejection(wire::Rejection {
                rejected_message_id: message_id.to_string(),
                code: *code as i32,
                reason: reason.clone(),
            }),
        };
        let mut envelope = Envelope::new(self.config.exercise.clone(), Config::sender(), payload);
        if let Some(cause) = cause {
            envelope = envelope.caused_by(cause);
        }
        self.bus.reply(to, &envelope).await?;
        Ok(())
    }
}

fn unknown_id() -> bus::MessageId {
    bus::MessageId::new("unreadable").unwrap_or_else(|_| bus::MessageId::generate())
}
