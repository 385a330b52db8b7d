//! Submitting and awaiting the coordinator's verdict, written once for everyone who submits on the
//! bus: a seat's link, the gateway (for its national nodes), exercise control, the tests and the
//! benchmarks. A [`Submitter`] hears one seat's replies (or every seat's) from before it submits,
//! and hands each verdict to the submission it answers, known by its sender and its id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use proto::v1::RejectionCode;
use tokio::sync::oneshot;

use crate::client::{Bus, Delivery};
use crate::envelope::{Envelope, Payload};
use crate::error::BusError;
use crate::id::{ExerciseId, Sender};
use crate::receipt::Receipt;
use crate::subject;

/// How long a seat waits for the coordinator's verdict before it settles for its submission being
/// safe on the bus.
pub const VERDICT_WAIT: Duration = Duration::from_secs(2);

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
        receipt: Option<Receipt>,
    },
    /// It is safe on the bus; the coordinator's answer did not come in time.
    Received,
}

impl Verdict {
    /// Whether the coordinator accepted it.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Verdict::Accepted { .. })
    }

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
        /// Why, in English.
        reason: String,
        /// Why, as a message each reader says in its language, when the refuser gave one.
        message: Option<words::Message>,
    },
    /// The link or the bus is down for now: the same submission may be sent again.
    #[error("not through yet: {0}")]
    Transient(String),
}

impl SubmitError {
    /// A refusal with `code`, saying why only in English.
    pub fn refused(code: Option<RejectionCode>, reason: impl Into<String>) -> SubmitError {
        SubmitError::Refused { code, reason: reason.into(), message: None }
    }

    /// The coordinator's code, when it refused.
    pub fn code(&self) -> Option<RejectionCode> {
        match self {
            SubmitError::Refused { code, .. } => *code,
            SubmitError::Transient(_) => None,
        }
    }
}

impl From<BusError> for SubmitError {
    fn from(e: BusError) -> SubmitError {
        match e {
            BusError::Envelope(e) => SubmitError::refused(Some(e.rejection_code()), e.to_string()),
            // A seat's own backlog drains as the coordinator takes it: sent again, it goes in.
            other => SubmitError::Transient(other.to_string()),
        }
    }
}

/// The answer to one submission, by its reply subject (its sender's) and its id.
type Waiting = Arc<Mutex<HashMap<(String, String), oneshot::Sender<Result<Verdict, SubmitError>>>>>;

/// Submits on the bus and hands each submission the coordinator's verdict on it.
#[derive(Debug, Clone)]
pub struct Submitter {
    bus: Bus,
    waiting: Waiting,
    _listener: Arc<Listener>,
}

#[derive(Debug)]
struct Listener(tokio::task::JoinHandle<()>);

impl Drop for Listener {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Submitter {
    /// A submitter for seat `me`, hearing its replies from now on.
    pub async fn for_seat(bus: &Bus, exercise: &ExerciseId, me: &Sender) -> Result<Submitter, BusError> {
        Ok(Submitter::hearing(bus, exercise, bus.replies(exercise, me).await?))
    }

    /// A submitter for every seat of the exercise, for an identity allowed to hear all their
    /// replies (the benchmark's load generator, the test harness).
    pub async fn for_every_seat(bus: &Bus, exercise: &ExerciseId) -> Result<Submitter, BusError> {
        Ok(Submitter::hearing(bus, exercise, bus.every_reply(exercise).await?))
    }

    fn hearing(bus: &Bus, exercise: &ExerciseId, mut replies: BoxStream<'static, Delivery>) -> Submitter {
        let waiting: Waiting = Arc::default();
        let routed = waiting.clone();
        let exercise = exercise.clone();
        let task = tokio::spawn(async move {
            while let Some(delivery) = replies.next().await {
                let (id, verdict) = match delivery.envelope.map(|e| e.payload) {
                    Ok(Payload::Accepted(a)) => {
                        let comms_token = Some(a.comms_check_token).filter(|t| !t.is_empty());
                        let receipt = a.receipt.and_then(|r| Receipt::try_from(r).ok());
                        (a.accepted_message_id, Ok(Verdict::Accepted { duplicate: a.duplicate, comms_token, receipt }))
                    }
                    Ok(Payload::Rejection(r)) => {
                        tracing::warn!(%exercise, subject = %delivery.subject, message_id = %r.rejected_message_id,
                            code = r.code().as_str_name(), reason = %r.reason, "submission refused by the coordinator");
                        let code = Some(r.code());
                        let message = r.reason_message.as_ref().and_then(crate::reason::from_wire);
                        (r.rejected_message_id, Err(SubmitError::Refused { code, reason: r.reason, message }))
                    }
                    _ => continue,
                };
                let waiter = routed.lock().unwrap_or_else(|e| e.into_inner()).remove(&(delivery.subject, id));
                if let Some(waiter) = waiter {
                    let _ = waiter.send(verdict);
                }
            }
        });
        Submitter { bus: bus.clone(), waiting, _listener: Arc::new(Listener(task)) }
    }

    /// The bus it submits on.
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// Submits `envelope` (signed by its sender already) once JetStream holds it, and waits up to
    /// `wait` for the coordinator's verdict: [`Verdict::Received`] when none came in time.
    pub async fn submit(&self, envelope: &Envelope, wait: Duration) -> Result<Verdict, SubmitError> {
        let pending = self.send(envelope).await.inspect_err(|e| {
            if matches!(e, BusError::Quota { .. }) {
                tracing::warn!(exercise = %envelope.exercise, message_id = %envelope.message_id, error = %e,
                    "submission refused by the bus for now");
            }
        })?;
        pending.verdict(wait).await
    }

    /// Submits `envelope` once JetStream holds it; its verdict is to come. For a caller that tells
    /// the bus's refusals apart (the gateway maps each to a gRPC status).
    pub async fn send<'a>(&self, envelope: &'a Envelope) -> Result<Pending<'a>, BusError> {
        let mut pending = self.expect(&envelope.exercise, &envelope.sender, envelope.message_id.as_str());
        self.bus.submit(envelope).await?;
        pending.envelope = Some(envelope);
        Ok(pending)
    }

    /// The verdict to come on `sender`'s submission `message_id`, sent some other way (bytes
    /// that are no envelope, in the tests). Ask before sending, or the verdict may pass unheard.
    pub fn expect(&self, exercise: &ExerciseId, sender: &Sender, message_id: &str) -> Pending<'static> {
        let key = (subject::reply(exercise, sender), message_id.to_owned());
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone(), tx);
        // Forgotten however this ends: refused by the bus, answered, or given up on.
        Pending { envelope: None, rx, _forget: Forget { waiting: self.waiting.clone(), key } }
    }
}

/// A submission on the bus, the coordinator's verdict on it to come.
#[derive(Debug)]
pub struct Pending<'a> {
    /// The submission, whose receipt alone is kept.
    envelope: Option<&'a Envelope>,
    rx: oneshot::Receiver<Result<Verdict, SubmitError>>,
    _forget: Forget,
}

impl Pending<'_> {
    /// The coordinator's verdict, waited for up to `wait`: [`Verdict::Received`] when none came.
    pub async fn verdict(self, wait: Duration) -> Result<Verdict, SubmitError> {
        match tokio::time::timeout(wait, self.rx).await {
            Ok(Ok(verdict)) => match self.envelope {
                Some(envelope) => verdict.map(|v| v.for_submission(envelope)),
                None => verdict,
            },
            Ok(Err(_)) | Err(_) => Ok(Verdict::Received),
        }
    }
}

#[derive(Debug)]
struct Forget {
    waiting: Waiting,
    key: (String, String),
}

impl Drop for Forget {
    fn drop(&mut self) {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.key);
    }
}
