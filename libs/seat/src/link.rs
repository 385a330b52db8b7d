//! How a seat reaches the exercise: a [`Link`] streams the event log from a sequence (resuming by
//! itself after a failure) and submits. Two links: [`BusLink`] inside the headquarters, and
//! [`crate::grpc::GrpcLink`] through the gateway from outside.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bus::envelope::Payload;
use bus::{Bus, BusError, Envelope, ExerciseId, Sender};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use proto::v1::RejectionCode;
use tokio::sync::oneshot;

/// One event of the log with its sequence.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its sequence in the exercise's log (1-based, gap-free).
    pub sequence: u64,
    /// The event.
    pub envelope: Envelope,
}

/// What became of a submission that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The coordinator accepted and recorded it (`duplicate`: it had already).
    Accepted {
        /// It had been accepted before; nothing was recorded twice.
        duplicate: bool,
        /// For a state's assembly report: the token its activation must echo.
        comms_token: Option<String>,
        /// The coordinator's signed receipt for the event that recorded it (the original's, for a
        /// duplicate), when it sent one for this very submission.
        receipt: Option<bus::receipt::Receipt>,
    },
    /// It is safe on the bus; the coordinator's answer did not come in time.
    Received,
}

impl Verdict {
    /// The verdict, keeping its receipt only if the receipt is for `submission` (its exercise,
    /// sender and id).
    pub fn for_submission(self, submission: &Envelope) -> Verdict {
        match self {
            Verdict::Accepted { duplicate, comms_token, receipt } => {
                let receipt = receipt.filter(|r| {
                    let fits = r.is_for(submission);
                    if !fits {
                        tracing::warn!(exercise = %submission.exercise, message_id = %submission.message_id,
                            "a receipt for another submission came with the verdict; not kept");
                    }
                    fits
                });
                Verdict::Accepted { duplicate, comms_token, receipt }
            }
            Verdict::Received => Verdict::Received,
        }
    }
}

/// Why a submission did not go through. Two kinds, because only one is worth retrying.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmitError {
    /// Refused for good (by the coordinator, the gateway or the envelope's own checks): sending it
    /// again changes nothing.
    #[error("refused ({}): {reason}", code.map_or("by the gateway", |c| c.as_str_name()))]
    Refused {
        /// The coordinator's code, when known.
        code: Option<RejectionCode>,
        /// Why.
        reason: String,
    },
    /// The link or the bus is down for now: the same submission may be sent again.
    #[error("not through yet: {0}")]
    Transient(String),
}

/// A way to the exercise.
pub trait Link: Send + Sync + 'static {
    /// The exercise's events from `from` on, in order, each once; the stream re-attaches by itself
    /// after a failure and ends only when the link is dropped.
    fn events(&self, from: u64) -> BoxStream<'static, Event>;

    /// Submits one envelope (the seat's own), answering once it is safe or refused.
    fn submit(&self, envelope: Envelope) -> BoxFuture<'static, Result<Verdict, SubmitError>>;
}

/// How long a submitter waits for the coordinator's verdict before it settles for the receipt.
pub const VERDICT_WAIT: Duration = Duration::from_secs(2);

type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<Result<Verdict, SubmitError>>>>>;

/// The bus inside the headquarters: events read from the log directly, submissions to JetStream,
/// the coordinator's verdicts from the seat's own reply subject.
#[derive(Debug, Clone)]
pub struct BusLink {
    bus: Bus,
    exercise: ExerciseId,
    waiting: Waiting,
    replies_task: Arc<tokio::task::JoinHandle<()>>,
}

impl BusLink {
    /// A link for seat `me`, listening to its replies from now on.
    pub async fn new(bus: Bus, exercise: ExerciseId, me: &Sender) -> Result<BusLink, BusError> {
        let mut replies = bus.replies(&exercise, me).await?;
        let waiting: Waiting = Arc::default();
        let routed = waiting.clone();
        let (ex, node) = (exercise.clone(), me.node.clone());
        let task = tokio::spawn(async move {
            while let Some(delivery) = replies.next().await {
                let (id, verdict) = match delivery.envelope.map(|e| e.payload) {
                    Ok(Payload::Accepted(a)) => {
                        let comms_token = Some(a.comms_check_token).filter(|t| !t.is_empty());
                        let receipt = a.receipt.and_then(|r| bus::receipt::Receipt::try_from(r).ok());
                        (a.accepted_message_id, Ok(Verdict::Accepted { duplicate: a.duplicate, comms_token, receipt }))
                    }
                    Ok(Payload::Rejection(r)) => {
                        tracing::warn!(exercise = %ex, %node, message_id = %r.rejected_message_id, code = r.code().as_str_name(),
                            reason = %r.reason, "submission refused by the coordinator");
                        (
                            r.rejected_message_id.clone(),
                            Err(SubmitError::Refused { code: Some(r.code()), reason: r.reason }),
                        )
                    }
                    _ => continue,
                };
                let waiter = routed.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                if let Some(waiter) = waiter {
                    let _ = waiter.send(verdict);
                }
            }
        });
        Ok(BusLink { bus, exercise, waiting, replies_task: Arc::new(task) })
    }
}

impl Drop for BusLink {
    fn drop(&mut self) {
        if Arc::strong_count(&self.replies_task) == 1 {
            self.replies_task.abort();
        }
    }
}

/// The exercise's events from `from` on, read on the bus; an unreadable one is logged and skipped.
pub fn bus_events(bus: &Bus, exercise: &ExerciseId, from: u64) -> BoxStream<'static, Event> {
    let exercise = exercise.clone();
    bus.follow_events(&exercise, from)
        .filter_map(move |d| {
            let event = match d.envelope {
                Ok(envelope) => Some(Event { sequence: d.sequence, envelope }),
                Err(e) => {
                    tracing::warn!(%exercise, sequence = d.sequence, error = %e, "unreadable event skipped");
                    None
                }
            };
            std::future::ready(event)
        })
        .boxed()
}

impl Link for BusLink {
    fn events(&self, from: u64) -> BoxStream<'static, Event> {
        bus_events(&self.bus, &self.exercise, from)
    }

    fn submit(&self, envelope: Envelope) -> BoxFuture<'static, Result<Verdict, SubmitError>> {
        let (bus, waiting) = (self.bus.clone(), self.waiting.clone());
        Box::pin(async move {
            let id = envelope.message_id.to_string();
            let (tx, rx) = oneshot::channel();
            waiting.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), tx);
            let forget = || waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
            match bus.submit(&envelope).await {
                Ok(_) => {}
                Err(BusError::Envelope(e)) => {
                    forget();
                    return Err(SubmitError::Refused { code: Some(e.rejection_code()), reason: e.to_string() });
                }
                Err(e @ BusError::Quota { .. }) => {
                    // Its own backlog drains as the coordinator takes it: sent again, it goes in.
                    tracing::warn!(exercise = %envelope.exercise, message_id = %envelope.message_id, error = %e, "submission refused by the bus for now");
                    forget();
                    return Err(SubmitError::Transient(e.to_string()));
                }
                Err(e) => {
                    forget();
                    return Err(SubmitError::Transient(e.to_string()));
                }
            }
            let verdict = tokio::time::timeout(VERDICT_WAIT, rx).await;
            forget();
            match verdict {
                Ok(Ok(verdict)) => verdict.map(|v| v.for_submission(&envelope)),
                Ok(Err(_)) | Err(_) => Ok(Verdict::Received),
            }
        })
    }
}
