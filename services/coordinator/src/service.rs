//! The coordinator service: takes submissions off the bus, runs them through the machine, publishes
//! the events (fenced on the log's last sequence) and replies to the submitter.

use std::future::Future;
use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Bus, BusError, ConnectSettings, Delivery, Envelope, ExerciseId, StreamSettings};
use futures::StreamExt;
use proto::v1 as wire;
use scenario::Scenario;

use crate::clock::Clock;
use crate::machine::{self, Config, Decision, Input, Mode, Now, Phase, Reply, State};

/// The durable consumer name of the coordinator on the submissions stream.
const CONSUMER: &str = "coordinator";

/// What the coordinator is to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// NATS URL.
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
}

/// Why the coordinator stopped before the exercise concluded.
#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The submissions stream ended.
    #[error("the submissions stream of exercise {0} ended")]
    StreamEnded(ExerciseId),
}

/// Runs the exercise to its conclusion, or until `shutdown` resolves.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<State, CoordinatorError> {
    let bus =
        Bus::connect(&ConnectSettings::new(&settings.nats_url, format!("muster-coordinator-{}", settings.exercise)))
            .await?;
    bus.provision(&settings.exercise, &settings.streams).await?;
    let config = Config { exercise: settings.exercise.clone(), scenario: settings.scenario, mode: settings.mode };
    let mut core =
        Core { bus, config, state: State::default(), clock: Clock::start(settings.time_scale), last_sequence: 0 };
    core.replay().await?;
    core.input(Input::Start).await?;

    let mut submissions = core.bus.submissions(&settings.exercise, CONSUMER).await?;
    let tick = if settings.mode == Mode::Fast { Duration::from_millis(10) } else { Duration::from_millis(100) };
    let mut ticker = tokio::time::interval(tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    while core.state.phase.phase != Phase::Concluded {
        tokio::select! {
            () = &mut shutdown => {
                tracing::info!(exercise = %core.config.exercise, "coordinator stopping on request");
                break;
            }
            received = submissions.next() => {
                let received = received.ok_or_else(|| CoordinatorError::StreamEnded(core.config.exercise.clone()))??;
                core.submission(&received.delivery).await?;
                received.ack().await?;
            }
            _ = ticker.tick() => core.input(Input::Tick).await?,
        }
    }
    if core.state.phase.phase == Phase::Concluded {
        tracing::info!(exercise = %core.config.exercise, events = core.state.events, "exercise concluded");
    }
    Ok(core.state)
}

struct Core {
    bus: Bus,
    config: Config,
    state: State,
    clock: Clock,
    /// The last sequence of the event log as this writer knows it; every publish is fenced on it.
    last_sequence: u64,
}

impl Core {
    /// Rebuilds the state from the events already in the log.
    async fn replay(&mut self) -> Result<(), CoordinatorError> {
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
        if last == 0 {
            return Ok(());
        }
        let mut events = self.bus.events_from(&self.config.exercise, 1).await?;
        while self.last_sequence < last {
            let Some(delivery) = events.next().await else { break };
            let delivery = delivery?;
            self.last_sequence = delivery.sequence;
            if let Ok(event) = &delivery.envelope {
                machine::evolve(&mut self.state, event);
            }
        }
        self.clock.set_paused(self.state.phase.paused);
        tracing::info!(exercise = %self.config.exercise, events = last, phase = ?self.state.phase.phase, "state rebuilt from the event log");
        Ok(())
    }

    fn now(&self) -> Now {
        Now { exercise: self.clock.now(), wall: SystemTime::now() }
    }

    async fn input(&mut self, input: Input<'_>) -> Result<(), CoordinatorError> {
        let decision = machine::decide(&self.config, &self.state, input, self.now());
        self.carry_out(decision).await
    }

    async fn submission(&mut self, delivery: &Delivery) -> Result<(), CoordinatorError> {
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
        let decision = machine::decide(&self.config, &self.state, Input::Submission(envelope), self.now());
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

    /// Publishes the events (each fenced on the log's last sequence) and applies each once acked.
    async fn carry_out(&mut self, decision: Decision) -> Result<(), CoordinatorError> {
        for event in &decision.events {
            let ack = self.bus.publish_event_fenced(event, self.last_sequence).await?;
            self.last_sequence = ack.sequence;
            machine::evolve(&mut self.state, event);
            if let Payload::PhaseChanged(p) = &event.payload {
                tracing::info!(exercise = %self.config.exercise, phase = p.phase().as_str_name(), stage = p.stage_number, paused = p.paused, "phase changed");
            }
        }
        self.clock.set_paused(self.state.phase.paused);
        Ok(())
    }

    async fn reply(&self, to: &bus::Sender, cause: Option<&Envelope>, reply: &Reply) -> Result<(), CoordinatorError> {
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
