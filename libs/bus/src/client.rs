//! Connecting to NATS, typed publishing that awaits JetStream acks, and typed consuming.

use std::path::PathBuf;
use std::time::Duration;

use async_nats::jetstream::consumer::pull;
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::publish::PublishAck;
use async_nats::jetstream::{self, Message};
use async_nats::{ConnectOptions, Event};
use futures::StreamExt;
use futures::stream::BoxStream;

use crate::envelope::{Envelope, Limits};
use crate::error::{BusError, EnvelopeError};
use crate::id::{ExerciseId, Sender};
use crate::provision::{self, Provisioned, StreamSettings};
use crate::subject;

/// Pause before a broken stream is read again.
const RESUME_AFTER: Duration = Duration::from_millis(100);

pub use crate::provision::REDELIVERY_AFTER;

/// How to reach NATS.
#[derive(Debug, Clone)]
pub struct ConnectSettings {
    /// Server URL, e.g. `nats://127.0.0.1:4222`, or several separated by commas for a cluster
    /// (then only those are used, not the addresses the servers advertise).
    pub url: String,
    /// Connection name shown by the server's monitoring, e.g. `muster-coordinator`.
    pub name: String,
    /// Timeout of JetStream API calls and acks. Short, because an ack in flight when a server is
    /// lost never comes: every caller retries (publishes are deduplicated by message id), so the
    /// timeout is how long an exercise waits before it goes on through another server.
    pub request_timeout: Duration,
    /// Size limits of envelopes sent and received.
    pub limits: Limits,
    /// Who connects; `None` connects anonymously, which every server Muster configures refuses.
    pub credentials: Option<Credentials>,
    /// The certificates the server's is verified against (a PEM bundle: `ca.pem` of `muster
    /// identities`, or an operator's). With it the connection is TLS or nothing; without it, plain
    /// unless the server asks for TLS.
    pub authority: Option<PathBuf>,
}

/// An identity on the bus: its name and nkey seed (`identity::Keyring` reads them from the
/// folder they were issued in). The same key signs what its holder writes.
#[derive(Clone)]
pub struct Credentials {
    /// The identity's name (a node id or a service's name).
    pub name: String,
    seed: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Credentials {
    /// Credentials from a seed.
    pub fn new(name: impl Into<String>, seed: impl Into<String>) -> Self {
        Credentials { name: name.into(), seed: seed.into().trim().to_owned() }
    }

    /// The key pair, to sign with.
    pub fn key_pair(&self) -> Result<nkeys::KeyPair, BusError> {
        nkeys::KeyPair::from_seed(&self.seed)
            .map_err(|e| BusError::Credentials { path: self.name.clone(), reason: e.to_string() })
    }
}

impl ConnectSettings {
    /// Settings with the defaults for everything but the URL and the name.
    pub fn new(url: impl Into<String>, name: impl Into<String>) -> Self {
        ConnectSettings {
            url: url.into(),
            name: name.into(),
            request_timeout: Duration::from_millis(1500),
            limits: Limits::default(),
            credentials: None,
            authority: None,
        }
    }

    /// The same settings, over TLS to a server whose certificate `authority` (a PEM bundle) issued.
    pub fn with_authority(mut self, authority: Option<PathBuf>) -> Self {
        self.authority = authority;
        self
    }

    /// The same settings, connecting as `credentials`.
    pub fn with_credentials(mut self, credentials: Option<Credentials>) -> Self {
        self.credentials = credentials;
        self
    }
}

/// The acknowledgement of a publish already sent.
pub type PendingAck = futures::future::BoxFuture<'static, Result<PublishAck, BusError>>;

/// A message taken off the bus: where it was, and the envelope or why it could not be read.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The subject it arrived on.
    pub subject: String,
    /// Its sequence in its stream; 0 for core NATS messages.
    pub sequence: u64,
    /// How many messages the stream held after it when it was delivered: how far the reader is
    /// behind. 0 for core NATS messages.
    pub pending: u64,
    /// The trace context it was sent in, if any.
    pub trace: crate::trace::Carrier,
    /// The validated envelope, or the reason it was refused.
    pub envelope: Result<Envelope, EnvelopeError>,
}

/// The submissions a consumer owes an acknowledgement: `count` of them, among the stream
/// sequences after `after` up to `upto` (everything up to `after` is acknowledged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Owed {
    /// The consumer's acknowledgement floor.
    pub after: u64,
    /// The stream's last sequence the consumer will be handed.
    pub upto: u64,
    /// How many are not acknowledged.
    pub count: u64,
}

impl Owed {
    /// Whether the submission at stream sequence `sequence` is one of them.
    pub fn covers(&self, sequence: u64) -> bool {
        self.after < sequence && sequence <= self.upto
    }
}

/// A delivery from a durable consumer, to be acknowledged once handled.
#[derive(Debug)]
pub struct Received {
    /// What arrived.
    pub delivery: Delivery,
    message: Message,
}

impl Received {
    /// Tells JetStream the message is handled. The ack is not awaited: should it be lost, the
    /// message comes again and the reader, which handles every message idempotently, recognises it.
    pub async fn ack(&self) -> Result<(), BusError> {
        self.message.ack().await.map_err(|e| BusError::jetstream("ack", e))
    }
}

/// A connection to the bus with its JetStream context.
#[derive(Debug, Clone)]
pub struct Bus {
    client: async_nats::Client,
    js: jetstream::Context,
    limits: Limits,
    /// How many times the connection came back after a loss.
    reconnects: tokio::sync::watch::Receiver<u64>,
    /// The connection's name, which labels its readers' metrics.
    name: std::sync::Arc<str>,
    /// How long a request waits for its answer.
    request_timeout: Duration,
}

impl Bus {
    /// Connects with a name; reconnects forever with backoff and logs connection events.
    pub async fn connect(settings: &ConnectSettings) -> Result<Bus, BusError> {
        let name = settings.name.clone();
        let (reconnected, reconnects) = tokio::sync::watch::channel(0u64);
        let urls: Vec<&str> = settings.url.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
        let mut options = ConnectOptions::new();
        if urls.len() > 1 {
            options = options.ignore_discovered_servers();
        }
        if let Some(authority) = &settings.authority {
            options = options.require_tls(true).add_root_certificates(authority.clone());
        }
        if let Some(credentials) = &settings.credentials {
            options =
                options.nkey(credentials.seed.clone()).custom_inbox_prefix(subject::inbox_prefix(&credentials.name));
        }
        let client = options
            .name(&settings.name)
            .connection_timeout(settings.request_timeout)
            // A server cut off by the network sends no reset: a ping every 2 s notices it within
            // seconds (two unanswered) and the client reconnects to another server.
            .ping_interval(Duration::from_secs(2))
            .request_timeout(Some(settings.request_timeout))
            .event_callback(move |event| {
                if matches!(event, Event::Connected) {
                    reconnected.send_modify(|n| *n += 1);
                }
                log_event(name.clone(), event)
            })
            .connect(urls)
            .await
            .map_err(|source| BusError::Connect { url: settings.url.clone(), source })?;
        let js = jetstream::ContextBuilder::new().timeout(settings.request_timeout).build(client.clone());
        let tls = settings.authority.is_some();
        tracing::info!(url = %settings.url, name = %settings.name, tls, "connected to nats");
        Ok(Bus {
            client,
            js,
            limits: settings.limits,
            reconnects,
            name: settings.name.as_str().into(),
            request_timeout: settings.request_timeout,
        })
    }

    /// The core NATS client, for what the typed helpers do not cover.
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// The JetStream context.
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }

    /// The envelope size limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Makes sure the exercise's streams exist; see [`provision::exercise_streams`].
    pub async fn provision(
        &self,
        exercise: &ExerciseId,
        settings: &StreamSettings,
    ) -> Result<[Provisioned; 2], BusError> {
        provision::exercise_streams(&self.js, exercise, settings).await
    }

    /// Publishes an event to the exercise's log and waits for JetStream's ack.
    pub async fn publish_event(&self, envelope: &Envelope) -> Result<PublishAck, BusError> {
        let subject = subject::event(&envelope.exercise, envelope.kind());
        self.send(subject, envelope, None, true).await?.await
    }

    /// Publishes an event only if the log still ends at `expected_last_sequence`; otherwise
    /// another writer has written and [`BusError::Fenced`] is returned.
    pub async fn publish_event_fenced(
        &self,
        envelope: &Envelope,
        expected_last_sequence: u64,
    ) -> Result<PublishAck, BusError> {
        self.send_event_fenced(envelope, expected_last_sequence).await?.await
    }

    /// Sends a fenced event now and returns the future of its ack, so a writer can keep many in
    /// flight: JetStream applies one connection's publishes in order, so the n-th in flight expects
    /// the sequence before it.
    pub async fn send_event_fenced(
        &self,
        envelope: &Envelope,
        expected_last_sequence: u64,
    ) -> Result<PendingAck, BusError> {
        let subject = subject::event(&envelope.exercise, envelope.kind());
        self.send(subject, envelope, Some(expected_last_sequence), true).await
    }

    /// Submits a participant's message to the exercise's submissions stream and waits for the ack.
    /// Retrying with the same envelope (same message id) is safe: the coordinator knows a
    /// submission by its sender and id, and answers a repeat with the original's receipt. It
    /// carries no JetStream message id: the stream de-duplicates across every sender's subject,
    /// so an id there would let one seat shadow another's submission by using its id first.
    pub async fn submit(&self, envelope: &Envelope) -> Result<PublishAck, BusError> {
        let subject = subject::submission(&envelope.exercise, &envelope.sender, envelope.kind());
        self.send(subject, envelope, None, false).await?.await
    }

    /// Sends `envelope`; `dedup` gives it its sender and id as JetStream message id (events
    /// only, which the coordinator alone writes).
    async fn send(
        &self,
        subject: String,
        envelope: &Envelope,
        fence: Option<u64>,
        dedup: bool,
    ) -> Result<PendingAck, BusError> {
        let mut publish = PublishMessage::build().payload(envelope.encode(self.limits)?);
        if dedup {
            publish = publish
                .message_id(format!("{}.{}.{}", envelope.sender.role, envelope.sender.node, envelope.message_id));
        }
        if let Some(sequence) = fence {
            publish = publish.expected_last_sequence(sequence);
        }
        for (name, value) in crate::trace::current() {
            publish = publish.header(name.as_str(), value.as_str());
        }
        let pending = self
            .js
            .send_publish(subject.clone(), publish)
            .await
            .map_err(|source| BusError::Publish { subject: subject.clone(), source })?;
        let (exercise, message_id, sender) =
            (envelope.exercise.clone(), envelope.message_id.clone(), envelope.sender.clone());
        Ok(Box::pin(async move {
            let ack = pending.await.map_err(|source| match (source.kind(), fence) {
                (PublishErrorKind::WrongLastSequence, Some(expected)) => BusError::Fenced { expected },
                _ => match over_quota(&source) {
                    Some(reason) => BusError::Quota {
                        seat: sender.to_string(),
                        limit: crate::provision::WAITING_PER_SEAT_AND_KIND,
                        reason,
                    },
                    None => BusError::Publish { subject: subject.clone(), source },
                },
            })?;
            tracing::debug!(%exercise, %message_id, %subject, sequence = ack.sequence, duplicate = ack.duplicate, "published");
            Ok(ack)
        }))
    }

    /// Sends a reply (acceptance or rejection) to one participant over core NATS.
    pub async fn reply(&self, to: &Sender, envelope: &Envelope) -> Result<(), BusError> {
        let subject = subject::reply(&envelope.exercise, to);
        let payload = envelope.encode(self.limits)?;
        self.client.publish(subject.clone(), payload).await.map_err(|source| BusError::CorePublish { subject, source })
    }

    /// Replies addressed to `me` in `exercise`.
    pub async fn replies(&self, exercise: &ExerciseId, me: &Sender) -> Result<BoxStream<'static, Delivery>, BusError> {
        self.hear(exercise, subject::reply(exercise, me)).await
    }

    /// Every seat's replies in the exercise (for an identity allowed to hear them all).
    pub async fn every_reply(&self, exercise: &ExerciseId) -> Result<BoxStream<'static, Delivery>, BusError> {
        self.hear(exercise, subject::replies(exercise)).await
    }

    async fn hear(&self, exercise: &ExerciseId, subject: String) -> Result<BoxStream<'static, Delivery>, BusError> {
        let subscriber =
            self.client.subscribe(subject.clone()).await.map_err(|source| BusError::Subscribe { subject, source })?;
        let (exercise, limits) = (exercise.clone(), self.limits);
        Ok(subscriber.map(move |m| delivery(m.subject.to_string(), 0, &m.payload, &exercise, limits)).boxed())
    }

    /// The exercise's events in order from `from_sequence` (1 for the beginning), each once, for
    /// as long as the stream is read. Read with batched direct gets, which leave nothing on the
    /// server: a reader holds no consumer, so no reader can use up the consumers the log may have
    /// (a thousand) and deny it to the others. Once caught up, a reader waits until the log
    /// announces an event stored after it (or [`POLL`] at most) and asks again.
    pub async fn events_from(
        &self,
        exercise: &ExerciseId,
        from_sequence: u64,
    ) -> Result<BoxStream<'static, Result<Delivery, BusError>>, BusError> {
        let name = subject::events_stream(exercise);
        self.stream(&name).await?;
        let announcements = subject::announcements(exercise);
        let announced = self
            .client
            .subscribe(announcements.clone())
            .await
            .map_err(|source| BusError::Subscribe { subject: announcements, source })?;
        let inbox = self.client.new_inbox();
        let answers = self
            .client
            .subscribe(format!("{inbox}.*"))
            .await
            .map_err(|source| BusError::Subscribe { subject: format!("{inbox}.*"), source })?;
        let reader = LogReader {
            client: self.client.clone(),
            api: format!("$JS.API.DIRECT.GET.{name}"),
            inbox,
            answers,
            asked: 0,
            timeout: self.request_timeout,
            exercise: exercise.clone(),
            limits: self.limits,
        };
        let (tx, rx) = tokio::sync::mpsc::channel(BATCH);
        tokio::spawn(reader.run(from_sequence.max(1), announced, tx));
        Ok(futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|d| (d, rx)) }).boxed())
    }

    /// The exercise's submissions through the durable consumer `durable` that provisioning made: a
    /// restarted reader resumes after the last message it acknowledged. A message handed to a reader that died
    /// before acknowledging it comes again after [`REDELIVERY_AFTER`].
    pub async fn submissions(
        &self,
        exercise: &ExerciseId,
        durable: &str,
    ) -> Result<BoxStream<'static, Result<Received, BusError>>, BusError> {
        let stream = self.stream(&subject::submissions_stream(exercise)).await?;
        let consumer = stream
            .get_consumer::<pull::Config>(durable)
            .await
            .map_err(|e| BusError::jetstream(format!("durable consumer {durable}"), e))?;
        // Frequent heartbeats: a reader notices a lost server within a second and re-attaches.
        let messages = consumer
            .stream()
            .heartbeat(Duration::from_millis(500))
            .expires(Duration::from_secs(2))
            .messages()
            .await
            .map_err(|e| BusError::jetstream("durable consumer stream", e))?;
        let (exercise, limits) = (exercise.clone(), self.limits);
        Ok(messages
            .map(move |m| {
                let message = m.map_err(|e| BusError::jetstream("submission stream", e))?;
                Ok(Received { delivery: stream_delivery(&message, &exercise, limits), message })
            })
            .boxed())
    }

    /// The exercise's events from `from_sequence` on, for as long as the stream is read: once the
    /// log exists, and again after any failure (a server restart, a lost link), from the sequence
    /// after the last one delivered. Nothing is missed, nothing comes twice.
    pub fn follow_events(&self, exercise: &ExerciseId, from_sequence: u64) -> BoxStream<'static, Delivery> {
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let (bus, exercise) = (self.clone(), exercise.clone());
        let mut reconnects = self.reconnects.clone();
        let reader = self.name.clone();
        let elections = subject::events_leader_elected(&exercise);
        let lag = metrics::gauge!("muster_follower_lag_events", "exercise" => exercise.to_string(), "reader" => reader.to_string());
        tokio::spawn(async move {
            let mut next = from_sequence.max(1);
            // Where the log's replicas announce a new leader; without the permission to hear it,
            // a reader learns of the change at its next poll.
            let mut elected = match bus.client.subscribe(elections).await {
                Ok(subscriber) => subscriber.boxed(),
                Err(e) => {
                    tracing::debug!(%exercise, error = %e, "not listening for the log's leader elections");
                    futures::stream::pending().boxed()
                }
            };
            loop {
                reconnects.mark_unchanged();
                match bus.events_from(&exercise, next).await {
                    Ok(mut events) => loop {
                        let delivery = tokio::select! {
                            next = events.next() => next,
                            () = tx.closed() => return,
                            // Announcements made while the link was down are lost: asking again
                            // now, rather than at the next poll, catches up at once.
                            Ok(()) = reconnects.changed() => {
                                tracing::debug!(%exercise, next, "reconnected; reading the log again");
                                break;
                            }
                            // So are those of a leader that went: the new one is asked now.
                            Some(_) = elected.next() => {
                                tracing::debug!(%exercise, next, "the log elected a leader; reading the log again");
                                break;
                            }
                        };
                        match delivery {
                            // Never expected (each read starts after the last delivered), but a
                            // repeat must not be handed on twice.
                            Some(Ok(d)) if d.sequence < next => {
                                tracing::debug!(%exercise, sequence = d.sequence, next, "event already read; skipped");
                            }
                            Some(Ok(d)) => {
                                next = d.sequence + 1;
                                lag.set(d.pending as f64);
                                if !d.trace.is_empty() {
                                    // The reader's part of the trace the event was written in.
                                    let span = tracing::info_span!("event read", %exercise, sequence = d.sequence, reader = %reader);
                                    crate::trace::follow(&span, &d.trace);
                                }
                                if tx.send(d).await.is_err() {
                                    return;
                                }
                            }
                            Some(Err(e)) => {
                                tracing::warn!(%exercise, next, error = %e, "event stream broke; resuming");
                                break;
                            }
                            None => break,
                        }
                    },
                    Err(e) => tracing::debug!(%exercise, next, error = %e, "event log not readable yet"),
                }
                if tx.is_closed() {
                    return;
                }
                tokio::time::sleep(RESUME_AFTER).await;
            }
        });
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|d| (d, rx)) }).boxed()
    }

    /// The exercise's submissions through the durable consumer `durable`, re-attached after any
    /// failure; see [`Bus::submissions`].
    pub fn follow_submissions(&self, exercise: &ExerciseId, durable: &str) -> BoxStream<'static, Received> {
        // Read on the reader's own task, not handed over from another: a hop between two tasks
        // would add to every submission's round trip.
        let following =
            Following { bus: self.clone(), exercise: exercise.clone(), durable: durable.to_owned(), attached: None };
        futures::stream::unfold(following, |mut f| async move {
            loop {
                match &mut f.attached {
                    Some(received) => match received.next().await {
                        Some(Ok(r)) => return Some((r, f)),
                        Some(Err(e)) => {
                            tracing::warn!(exercise = %f.exercise, error = %e, "submission stream broke; re-attaching");
                            f.attached = None;
                        }
                        None => f.attached = None,
                    },
                    None => match f.bus.submissions(&f.exercise, &f.durable).await {
                        Ok(received) => {
                            f.attached = Some(received);
                            continue;
                        }
                        Err(e) => {
                            tracing::warn!(exercise = %f.exercise, error = %e, "submissions not readable; retrying")
                        }
                    },
                }
                tokio::time::sleep(RESUME_AFTER).await;
            }
        })
        .boxed()
    }

    /// Submissions not yet acknowledged by the durable consumer `durable`, as of now: waiting, or
    /// handed to a reader (perhaps one that died) and not acknowledged. Nothing when the consumer
    /// does not exist yet.
    pub async fn submissions_owed(&self, exercise: &ExerciseId, durable: &str) -> Result<Owed, BusError> {
        let mut stream = self.stream(&subject::submissions_stream(exercise)).await?;
        let Ok(mut consumer) = stream.get_consumer::<pull::Config>(durable).await else { return Ok(Owed::default()) };
        let info = consumer.info().await.map_err(|e| BusError::jetstream(format!("consumer {durable} info"), e))?;
        let (after, count) = (info.ack_floor.stream_sequence, info.num_pending + info.num_ack_pending as u64);
        // Read after the consumer's: everything it counted is at or before this.
        let stream_info = stream.info().await.map_err(|e| BusError::jetstream("submissions stream info", e))?;
        Ok(Owed { after, upto: stream_info.state.last_sequence, count })
    }

    /// The exercises on the server whose event logs this identity may list, by id.
    pub async fn exercises(&self) -> Result<Vec<ExerciseId>, BusError> {
        let prefix = subject::events_stream_prefix();
        let mut names = self.js.stream_names();
        let mut out = Vec::new();
        while let Some(name) = names.next().await {
            let name = name.map_err(|e| BusError::jetstream("listing the streams", e))?;
            out.extend(name.strip_prefix(prefix.as_str()).and_then(|id| ExerciseId::new(id).ok()));
        }
        out.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(out)
    }

    /// Every event of the exercise's log as it stands now, in order. An exercise that does not
    /// exist is [`BusError::NoSuchExercise`]; a log that stops answering is an error, not a hang.
    pub async fn read_log(&self, exercise: &ExerciseId) -> Result<Vec<Delivery>, BusError> {
        let name = subject::events_stream(exercise);
        let mut stream = match self.js.get_stream(&name).await {
            Ok(stream) => stream,
            Err(e)
                if matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(j)
                    if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND) =>
            {
                return Err(BusError::NoSuchExercise(exercise.to_string()));
            }
            Err(e) => return Err(BusError::jetstream(format!("lookup of stream {name}"), e)),
        };
        let last = stream.info().await.map_err(|e| BusError::jetstream("events stream info", e))?.state.last_sequence;
        let mut out = Vec::with_capacity(usize::try_from(last).unwrap_or_default());
        if last == 0 {
            return Ok(out);
        }
        let mut events = self.events_from(exercise, 1).await?;
        while out.last().is_none_or(|d: &Delivery| d.sequence < last) {
            let next = tokio::time::timeout(Duration::from_secs(5), events.next())
                .await
                .map_err(|_| BusError::jetstream("event log read", "no event within 5 s"))?
                .ok_or_else(|| BusError::jetstream("event log read", "the stream ended"))??;
            out.push(next);
        }
        Ok(out)
    }

    /// The event at `sequence` of the exercise's log, read directly (no consumer).
    pub async fn event_at(&self, exercise: &ExerciseId, sequence: u64) -> Result<Envelope, BusError> {
        let stream = self.stream(&subject::events_stream(exercise)).await?;
        let message = stream
            .get_raw_message(sequence)
            .await
            .map_err(|e| BusError::jetstream(format!("event {sequence} of the log"), e))?;
        Envelope::decode(&message.payload, exercise, self.limits)
            .map_err(|e| BusError::jetstream(format!("event {sequence} of the log"), e))
    }

    async fn stream(&self, name: &str) -> Result<jetstream::stream::Stream, BusError> {
        self.js.get_stream(name).await.map_err(|e| BusError::jetstream(format!("lookup of stream {name}"), e))
    }
}

/// The server's words, when a publish was refused because its subject holds as many messages as
/// it may (a seat over its quota of waiting submissions).
fn over_quota(error: &async_nats::jetstream::context::PublishError) -> Option<String> {
    let server = std::error::Error::source(error)?.downcast_ref::<async_nats::jetstream::Error>()?;
    // JSStreamStoreFailedF: "maximum messages per subject exceeded".
    let description = server.to_string();
    (server.error_code() == jetstream::ErrorCode::STREAM_STORE_FAILED && description.contains("per subject"))
        .then_some(description)
}

/// Events asked for at once.
const BATCH: usize = 256;
/// Bytes asked for at once, at most (events may be up to a MiB each).
const BATCH_BYTES: usize = 8 << 20;
/// How long a reader that has read everything waits for an announcement before it asks anyway.
pub const POLL: Duration = Duration::from_millis(500);

/// One reader of an exercise's log by direct gets: its own inbox for the answers.
struct LogReader {
    client: async_nats::Client,
    api: String,
    inbox: String,
    answers: async_nats::Subscriber,
    asked: u64,
    timeout: Duration,
    exercise: ExerciseId,
    limits: Limits,
}

impl LogReader {
    /// Reads from `next` on into `tx` until it is dropped: a batch at a time while there is more,
    /// then again when the log announces an event stored at or after `next`, or after [`POLL`].
    /// An event announced may not be readable yet from the replica that answers (one behind the
    /// log's leader): the reader then asks again at once and ever less often, up to every 16 ms,
    /// for a second at most.
    async fn run(
        mut self,
        mut next: u64,
        mut announced: async_nats::Subscriber,
        tx: tokio::sync::mpsc::Sender<Result<Delivery, BusError>>,
    ) {
        // The last sequence the log has announced storing.
        let mut stored = 0u64;
        let mut behind_since: Option<tokio::time::Instant> = None;
        let mut backoff = Duration::from_millis(1);
        let sequence = |m: &async_nats::Message| {
            m.headers.as_ref().and_then(|h| h.get("Nats-Sequence")).and_then(|v| v.as_str().parse::<u64>().ok())
        };
        loop {
            let batch = match self.batch(next).await {
                Ok(batch) => batch,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            // More than the batch held (it stops at BATCH events or BATCH_BYTES): the last one
            // says how many come after it.
            let more = batch.len() == BATCH || batch.last().is_some_and(|d| d.pending > 0);
            for delivery in batch {
                next = delivery.sequence + 1;
                if tx.send(Ok(delivery)).await.is_err() {
                    return;
                }
            }
            if more {
                continue;
            }
            while let Some(Some(m)) = futures::FutureExt::now_or_never(announced.next()) {
                stored = stored.max(sequence(&m).unwrap_or_default());
            }
            let wait = if stored >= next {
                let since = *behind_since.get_or_insert_with(tokio::time::Instant::now);
                backoff = (backoff * 2).min(Duration::from_millis(32));
                if since.elapsed() > Duration::from_secs(1) { POLL } else { backoff / 2 }
            } else {
                behind_since = None;
                backoff = Duration::from_millis(1);
                POLL
            };
            tokio::select! {
                () = tx.closed() => return,
                m = announced.next() => match m {
                    Some(m) => stored = stored.max(sequence(&m).unwrap_or_default()),
                    None => {
                        let _ = tx.send(Err(BusError::jetstream("event log read", "the announcements ended"))).await;
                        return;
                    }
                },
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// The events from `from` on, up to [`BATCH`] of them; none when the log ends before `from`.
    async fn batch(&mut self, from: u64) -> Result<Vec<Delivery>, BusError> {
        self.asked += 1;
        let reply = format!("{}.{}", self.inbox, self.asked);
        let request = format!(r#"{{"seq":{from},"batch":{BATCH},"max_bytes":{BATCH_BYTES}}}"#);
        self.client
            .publish_with_reply(self.api.clone(), reply.clone(), request.into())
            .await
            .map_err(|source| BusError::CorePublish { subject: self.api.clone(), source })?;
        let mut out = Vec::new();
        loop {
            let message = tokio::time::timeout(self.timeout, self.answers.next())
                .await
                .map_err(|_| BusError::jetstream("event log read", format!("no answer within {:?}", self.timeout)))?
                .ok_or_else(|| BusError::jetstream("event log read", "the answers ended"))?;
            if message.subject.as_str() != reply {
                // A late answer to an ask given up on.
                continue;
            }
            match message.status.map(|s| s.as_u16()) {
                None => out.push(self.delivery(&message)?),
                // The end of the batch (204), or nothing at `from` (404).
                Some(204 | 404) => return Ok(out),
                Some(status) => {
                    let why = message.description.unwrap_or_default();
                    return Err(BusError::jetstream("event log read", format!("{status} {why}")));
                }
            }
        }
    }

    fn delivery(&self, message: &async_nats::Message) -> Result<Delivery, BusError> {
        let header = |name: &str| message.headers.as_ref().and_then(|h| h.get(name)).map(|v| v.as_str().to_owned());
        let sequence = header("Nats-Sequence")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| BusError::jetstream("event log read", "an event came without its sequence"))?;
        let subject = header("Nats-Subject").unwrap_or_default();
        let pending = header("Nats-Num-Pending").and_then(|s| s.parse().ok()).unwrap_or_default();
        let trace = crate::trace::from_headers(message.headers.as_ref());
        Ok(Delivery { pending, trace, ..delivery(subject, sequence, &message.payload, &self.exercise, self.limits) })
    }
}

fn stream_delivery(message: &Message, exercise: &ExerciseId, limits: Limits) -> Delivery {
    let (sequence, pending) = message.info().map(|info| (info.stream_sequence, info.pending)).unwrap_or_default();
    let trace = crate::trace::from_headers(message.headers.as_ref());
    Delivery { pending, trace, ..delivery(message.subject.to_string(), sequence, &message.payload, exercise, limits) }
}

/// Decodes one message; a refused one is logged here, where it is dropped from the typed flow.
fn delivery(subject: String, sequence: u64, payload: &[u8], exercise: &ExerciseId, limits: Limits) -> Delivery {
    let envelope = Envelope::decode(payload, exercise, limits);
    if let Err(error) = &envelope {
        tracing::warn!(exercise = %exercise, %subject, sequence, %error, "refused a message that is not a valid envelope");
    }
    Delivery { subject, sequence, pending: 0, trace: Default::default(), envelope }
}

async fn log_event(name: String, event: Event) {
    match event {
        Event::Connected => tracing::info!(connection = %name, "nats connected"),
        Event::Disconnected => {
            tracing::warn!(connection = %name, "nats disconnected; reconnecting")
        }
        Event::SlowConsumer(sid) => {
            tracing::warn!(connection = %name, sid, "nats slow consumer: messages were dropped")
        }
        Event::Closed | Event::Draining => {
            tracing::debug!(connection = %name, event = %event, "nats connection closing")
        }
        other => tracing::warn!(connection = %name, event = %other, "nats connection event"),
    }
}

/// A durable consumer's submissions as [`Bus::follow_submissions`] reads them: attached, or to be
/// attached again.
struct Following {
    bus: Bus,
    exercise: ExerciseId,
    durable: String,
    attached: Option<BoxStream<'static, Result<Received, BusError>>>,
}
