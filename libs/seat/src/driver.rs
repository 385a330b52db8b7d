//! The one participant driver: follows the exercise's log over a [`Link`], folds it into the
//! record, takes its next actions from its [`Mind`] (a policy after the participant's answer
//! delay, or a person's inbox at once), submits them, and retries only what is worth retrying.
//! It ends when the record says the exercise concluded.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, Sender};
use futures::StreamExt;
use record::Record;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use crate::actions::{Act, Action};
use crate::link::{Link, SubmitError, Verdict};
use crate::mind::{Inbox, Mind, Token};
use crate::policy::{self, Memory};

/// Who the seat is, in which exercise.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The exercise.
    pub exercise: ExerciseId,
    /// The seat's identity.
    pub me: Sender,
    /// Receives the sequence of every event folded, in order (for tests and monitoring).
    pub processed: Option<UnboundedSender<u64>>,
    /// The seat's key: it signs every submission.
    pub key: Option<Arc<nkeys::KeyPair>>,
    /// The coordinator's public key: only events it sealed, in chain, are folded.
    pub trust: Option<String>,
    /// The file the seat keeps the coordinator's receipts in (one line each), if any.
    pub receipts: Option<std::path::PathBuf>,
}

/// Why a seat stopped before the exercise concluded.
#[derive(Debug, thiserror::Error)]
pub enum SeatError {
    /// The event stream ended.
    #[error("the event stream ended before the exercise concluded")]
    StreamEnded,
}

const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// How long a seat waits at most between two sendings of a submission the bus holds and the
/// coordinator has not answered: each copy counts against the seat's quota of waiting submissions.
const NO_VERDICT_BACKOFF: Duration = Duration::from_secs(16);

/// Plays the seat until the exercise concludes (returning its record) or `shutdown` resolves.
pub async fn run(
    link: Arc<dyn Link>,
    settings: Settings,
    mind: Mind,
    shutdown: impl Future<Output = ()>,
) -> Result<Record, SeatError> {
    let Settings { exercise, me, processed, key, trust, receipts } = settings;
    let (policy, mut inbox) = match mind {
        Mind::Policy(p) => (Some(p), None),
        Mind::Person(inbox) => (None, Some(inbox)),
    };
    if policy.as_ref().is_some_and(|p| p.absent) {
        tracing::info!(%exercise, node = %me.node, "declared absent in the scenario: staying silent");
    }
    tokio::pin!(shutdown);
    let mut events = link.events(1);
    // A person's seat keeps its token where the person's desk reads it.
    let token = inbox.as_ref().map(Inbox::token).unwrap_or_default();
    // Until the start, the seat says every few seconds that it is at its post (the declared
    // absent stay silent), and whether its person has signed in.
    let seated = inbox.as_ref().map(Inbox::seated);
    let mut presence = tokio::time::interval(bus::presence::EVERY);
    presence.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let present = me.role != bus::Role::Coordinator && !policy.as_ref().is_some_and(|p| p.absent);
    let since = std::time::SystemTime::now();
    let seat = Arc::new(Acting { link, exercise: exercise.clone(), me: me.clone(), key, token, receipts });
    let mut record = Record::reading(trust);
    let mut memory = Memory::default();
    let mut submissions = JoinSet::new();
    let result = loop {
        tokio::select! {
            () = &mut shutdown => break Ok(record),
            event = events.next() => {
                let Some(event) = event else { break Err(SeatError::StreamEnded) };
                let (sequence, message_id) = (event.sequence, event.envelope.message_id.clone());
                let covered = match record.admit(event.sequence, event.envelope) {
                    Ok(covered) => covered,
                    Err(e) => {
                        tracing::warn!(%exercise, node = %me.node, sequence, %message_id,
                            error = %e, "event dropped: not the coordinator's");
                        continue;
                    }
                };
                // Acted on only once a checkpoint covers it: one at a time, each on the record as
                // it stood after that event.
                for (sequence, envelope) in covered {
                    record.apply_at(sequence, &envelope);
                    if let Some(processed) = &processed {
                        let _ = processed.send(sequence);
                    }
                    if record.is_concluded() {
                        break;
                    }
                    let Some(participant) = &policy else { continue };
                    let delay = record.plan.as_ref().map_or(Duration::ZERO, |plan| {
                        let seconds = participant.policy.answer_delay.as_secs_f64() / plan.time_scale;
                        Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
                    });
                    for action in policy::react(participant, &record, &mut memory, &envelope) {
                        let (seat, cause) = (seat.clone(), envelope.clone());
                        submissions.spawn(async move {
                            tokio::time::sleep(delay).await;
                            let _ = seat.act(action, Some(&cause)).await;
                        });
                    }
                }
                if record.is_concluded() {
                    tracing::info!(%exercise, node = %me.node, "exercise concluded");
                    break Ok(record);
                }
            }
            request = next_request(&mut inbox), if inbox.is_some() => {
                let Some(request) = request else { inbox = None; continue };
                let seat = seat.clone();
                submissions.spawn(async move {
                    let _ = request.answer.send(seat.act(request.action, None).await);
                });
            }
            _ = presence.tick(), if present && record.plan.is_none() => {
                let person = seated.as_ref().map(|s| *s.lock().unwrap_or_else(|e| e.into_inner()));
                let said = proto::v1::Presence {
                    since: Some(since.into()),
                    played_by_person: person.is_some(),
                    person_since: person.flatten().map(Into::into),
                };
                // A link that hangs holds at most one presence at a time: the next one replaces it.
                let link = seat.link.clone();
                submissions.spawn(async move {
                    let _ = tokio::time::timeout(bus::presence::EVERY, link.present(said)).await;
                });
            }
            Some(_) = submissions.join_next(), if !submissions.is_empty() => {}
        }
    };
    if result.as_ref().is_ok_and(Record::is_concluded) {
        // The submission that concluded the exercise is in the log; its verdict (and receipt) is
        // on its way. What is still out gets that long to come back before it is dropped.
        let _ =
            tokio::time::timeout(crate::link::VERDICT_WAIT, async { while submissions.join_next().await.is_some() {} })
                .await;
    }
    submissions.shutdown().await;
    result
}

async fn next_request(inbox: &mut Option<crate::mind::Inbox>) -> Option<crate::mind::Request> {
    match inbox {
        Some(inbox) => inbox.next().await,
        None => std::future::pending().await,
    }
}

/// What a seat needs to act: its link, identity and key, and the communications token it was sent.
struct Acting {
    link: Arc<dyn Link>,
    exercise: ExerciseId,
    me: Sender,
    key: Option<Arc<nkeys::KeyPair>>,
    token: Token,
    receipts: Option<std::path::PathBuf>,
}

/// How often a seat asks again for a communications token it never received.
const TOKEN_ATTEMPTS: u32 = 20;

impl Acting {
    /// Submits an action (an activation with the token this seat was sent), and learns the token
    /// from the acceptance of its assembly report.
    async fn act(&self, action: Action, cause: Option<&Envelope>) -> Result<Verdict, SubmitError> {
        let action = self.with_token(action).await?;
        self.send(action, cause).await
    }

    /// The seat's envelope for `action`, signed with its key, submitted.
    async fn send(&self, action: Action, cause: Option<&Envelope>) -> Result<Verdict, SubmitError> {
        let mut e = Envelope::new(self.exercise.clone(), self.me.clone(), action.payload);
        e.message_id = action.message_id;
        e.language = action.language;
        if let Some(cause) = cause {
            e = e.caused_by(cause);
        }
        if let Some(key) = &self.key {
            bus::seal::sign(&mut e, key).map_err(|err| SubmitError::refused(None, err.to_string()))?;
        }
        let verdict = submit(self.link.as_ref(), e).await;
        if let Ok(Verdict::Accepted { comms_token: Some(token), .. }) = &verdict {
            *self.token.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        }
        if let (Ok(Verdict::Accepted { receipt: Some(receipt), .. }), Some(path)) = (&verdict, &self.receipts)
            && let Err(e) = bus::receipt::keep(path, receipt)
        {
            tracing::error!(exercise = %self.exercise, node = %self.me.node, message_id = %receipt.message_id, error = %e, "receipt not kept");
        }
        verdict
    }

    /// An activation without a token gets the one this state was sent; a state whose token never
    /// arrived (its reply was lost) reports again, which is answered with it and recorded once.
    async fn with_token(&self, mut action: Action) -> Result<Action, SubmitError> {
        let Payload::ControlPointActivation(activation) = &mut action.payload else { return Ok(action) };
        if !activation.comms_check_token.is_empty() {
            return Ok(action);
        }
        for attempt in 1..=TOKEN_ATTEMPTS {
            if let Some(token) = self.token.lock().unwrap_or_else(|e| e.into_inner()).clone() {
                activation.comms_check_token = token;
                return Ok(action);
            }
            let again = Act::assembly("reporting again for the communications-check token")
                .named(format!("assembly-again-{attempt}"))
                .by(&self.me.node);
            let _ = self.send(again, None).await;
            tokio::time::sleep(Duration::from_millis(100) * attempt).await;
        }
        Err(SubmitError::refused(None, "no communications-check token arrived"))
    }
}

/// Submits, retrying with the same message id while the link or the bus is down or the
/// coordinator's verdict does not come (a repeat is answered with the original's receipt); a
/// verdict is final, and a refusal logged.
pub async fn submit(link: &dyn Link, envelope: Envelope) -> Result<Verdict, SubmitError> {
    use tracing::Instrument as _;
    // The root of the submission's trace: the gateway, the coordinator and the readers of its
    // events join it.
    let span = tracing::info_span!("submit", exercise = %envelope.exercise, message_id = %envelope.message_id, kind = envelope.kind());
    submit_retrying(link, envelope).instrument(span).await
}

/// Waits `backoff` before `envelope` is sent again, with the same id, for `why`; the next wait is
/// twice as long, up to `most`.
async fn again(envelope: &Envelope, why: &str, backoff: &mut Duration, most: Duration) {
    tracing::debug!(exercise = %envelope.exercise, message_id = %envelope.message_id, reason = why, "submitting again with the same id");
    metrics::counter!("muster_seat_submission_retries_total").increment(1);
    tokio::time::sleep(*backoff).await;
    *backoff = (*backoff * 2).min(most);
}

async fn submit_retrying(link: &dyn Link, mut envelope: Envelope) -> Result<Verdict, SubmitError> {
    envelope.sent_at = std::time::SystemTime::now();
    let mut backoff = Duration::from_millis(50);
    loop {
        match link.submit(envelope.clone()).await {
            // On the bus and to be taken: only its verdict (its receipt) is missing.
            Ok(Verdict::Received) => again(&envelope, "no verdict yet", &mut backoff, NO_VERDICT_BACKOFF).await,
            Ok(verdict) => {
                tracing::debug!(exercise = %envelope.exercise, message_id = %envelope.message_id, kind = envelope.kind(), ?verdict, "submitted");
                let outcome = match verdict {
                    Verdict::Accepted { duplicate: false, .. } => "accepted",
                    _ => "duplicate",
                };
                metrics::counter!("muster_seat_submissions_total", "outcome" => outcome).increment(1);
                return Ok(verdict);
            }
            Err(SubmitError::Transient(reason)) => again(&envelope, &reason, &mut backoff, MAX_BACKOFF).await,
            Err(refused) => {
                tracing::warn!(exercise = %envelope.exercise, message_id = %envelope.message_id, kind = envelope.kind(), error = %refused, "submission refused");
                let code = match &refused {
                    SubmitError::Refused { code: Some(code), .. } => code.as_str_name(),
                    _ => "refused_by_the_gateway",
                };
                metrics::counter!("muster_seat_submissions_total", "outcome" => code).increment(1);
                return Err(refused);
            }
        }
    }
}
