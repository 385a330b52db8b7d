//! Runs an automated participant: follows the exercise's events from the start, submits what the
//! policy says after the participant's answer delay, retries each submission until the bus has it.

use std::future::Future;
use std::time::Duration;

use bus::envelope::Payload;
use bus::{Bus, BusError, ConnectSettings, Envelope, ExerciseId, NodeId, Sender};
use futures::StreamExt;
use scenario::Scenario;
use tokio::task::JoinSet;

use crate::policy::{self, Action, Memory};

/// Who to play, in which exercise.
#[derive(Debug, Clone)]
pub struct Settings {
    /// NATS URL.
    pub nats_url: String,
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its scenario.
    pub scenario: Scenario,
    /// The participant to play (its node id in the scenario).
    pub node: NodeId,
    /// Exercise seconds per wall second, to turn answer delays into wall time.
    pub time_scale: f64,
}

/// Why a participant stopped early.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The node is not in the scenario.
    #[error("node `{0}` is not a participant of the scenario")]
    NotAParticipant(NodeId),
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The event stream ended before the exercise concluded.
    #[error("the event stream ended before the exercise concluded")]
    StreamEnded,
}

/// Plays the participant until the exercise concludes or `shutdown` resolves.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), AgentError> {
    let me = settings
        .scenario
        .participant(&settings.node)
        .cloned()
        .ok_or_else(|| AgentError::NotAParticipant(settings.node.clone()))?;
    let sender = Sender::new(me.role, me.node.clone());
    let exercise = settings.exercise.clone();
    let bus =
        Bus::connect(&ConnectSettings::new(&settings.nats_url, format!("muster-{}-{}", me.role, me.node))).await?;
    if me.absent {
        tracing::info!(%exercise, node = %me.node, "declared absent in the scenario: staying silent");
    }
    tokio::pin!(shutdown);
    let mut events = bus.follow_events(&exercise, 1);
    let mut refusals = tokio::spawn(log_refusals(bus.clone(), exercise.clone(), sender.clone()));
    let delay = me.policy.answer_delay.div_f64(settings.time_scale.max(f64::MIN_POSITIVE));
    let mut memory = Memory::default();
    let mut submissions = JoinSet::new();
    let result = loop {
        tokio::select! {
            () = &mut shutdown => break Ok(()),
            delivery = events.next() => {
                let Some(delivery) = delivery else { break Err(AgentError::StreamEnded) };
                let Ok(event) = delivery.envelope else { continue };
                if matches!(event.payload, Payload::ExerciseConcluded(_)) {
                    tracing::info!(%exercise, node = %me.node, "exercise concluded");
                    break Ok(());
                }
                for action in policy::react(&settings.scenario, &me, &mut memory, &event) {
                    let envelope = envelope(&exercise, &sender, &event, action);
                    submissions.spawn(submit(bus.clone(), envelope, delay));
                }
            }
            Some(_) = submissions.join_next(), if !submissions.is_empty() => {}
        }
    };
    refusals.abort();
    let _ = (&mut refusals).await;
    submissions.shutdown().await;
    result
}

fn envelope(exercise: &ExerciseId, sender: &Sender, cause: &Envelope, action: Action) -> Envelope {
    let mut envelope = Envelope::new(exercise.clone(), sender.clone(), action.payload).caused_by(cause);
    envelope.message_id = action.message_id;
    envelope
}

/// Submits after `delay`, retrying with the same message id until the bus acknowledges it.
async fn submit(bus: Bus, mut envelope: Envelope, delay: Duration) {
    tokio::time::sleep(delay).await;
    envelope.sent_at = std::time::SystemTime::now();
    let mut backoff = Duration::from_millis(50);
    loop {
        match bus.submit(&envelope).await {
            Ok(_) => {
                tracing::debug!(exercise = %envelope.exercise, message_id = %envelope.message_id, kind = envelope.kind(), "submitted");
                return;
            }
            Err(e) => {
                tracing::warn!(exercise = %envelope.exercise, message_id = %envelope.message_id, error = %e, "submission not acknowledged; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// Logs the coordinator's refusals of this participant's submissions.
async fn log_refusals(bus: Bus, exercise: ExerciseId, me: Sender) {
    let Ok(mut replies) = bus.replies(&exercise, &me).await else { return };
    while let Some(delivery) = replies.next().await {
        if let Ok(Envelope { payload: Payload::Rejection(r), .. }) = delivery.envelope {
            tracing::warn!(%exercise, node = %me.node, message_id = %r.rejected_message_id, code = r.code().as_str_name(), reason = %r.reason, "submission refused by the coordinator");
        }
    }
}
