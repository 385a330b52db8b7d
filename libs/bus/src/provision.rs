//! Idempotent JetStream set-up of an exercise, done by the admin identity alone: its two streams,
//! the coordinator's durable consumer on the submissions, its lease bucket and its snapshot store. Created once,
//! checked after; nobody else may create, change or delete any of them.

use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, pull};
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::stream::{Config, DiscardPolicy, Republish, RetentionPolicy, StorageType};
use async_nats::jetstream::{self, ErrorCode};
use async_nats::jetstream::{kv, object_store};

use crate::error::BusError;
use crate::id::ExerciseId;
use crate::subject;

/// How long a submission handed to a reader stays unacknowledged before JetStream gives it again.
/// Short, because a reader that died holds its messages this long.
pub const REDELIVERY_AFTER: Duration = Duration::from_secs(1);

/// How an exercise's streams are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    /// Copies of every stream: 1 on a single server, 3 on a cluster.
    pub replicas: usize,
    /// How long the event log remembers events' ids (sender and id) to drop one written again
    /// (a coordinator that died between writing and learning it was written).
    pub duplicate_window: Duration,
    /// Largest message the streams accept, in bytes.
    pub max_message_bytes: i32,
    /// How long the coordinator's lease lives unrenewed: a standby takes over at most this long
    /// after the leader died. Kept by the exercise's lease bucket; every replica must agree.
    pub lease_ttl: Duration,
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings {
            replicas: 1,
            duplicate_window: Duration::from_secs(10 * 60),
            max_message_bytes: 1024 * 1024,
            lease_ttl: Duration::from_secs(3),
        }
    }
}

/// The shortest lease time to live provisioning accepts.
pub const MIN_LEASE_TTL: Duration = Duration::from_millis(100);

/// What provisioning did to one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioned {
    /// The stream did not exist and was created.
    Created,
    /// The stream existed with the wanted configuration; nothing was changed.
    Unchanged,
    /// The stream existed with another configuration and was updated to the wanted one.
    Updated,
}

/// The configuration of an exercise's event log: readers read it with direct gets, which hold
/// nothing on the server (no consumer), and learn of each event stored from its headers, which the
/// log republishes on [`subject::announcements`].
pub fn events_config(exercise: &ExerciseId, settings: &StreamSettings) -> Config {
    Config {
        allow_direct: true,
        republish: Some(Republish {
            source: subject::events(exercise),
            destination: subject::announcements(exercise),
            headers_only: true,
        }),
        ..stream_config(subject::events_stream(exercise), subject::events(exercise), "exercise events", settings)
    }
}

/// Submissions of one kind from one seat that may wait for the coordinator at once: its quota.
/// Room for a drafting body's every draft of a large stage at its opening, or a state's every
/// position on them; a seat's own retries while the coordinator is away count too (a retry backs
/// off to 16 s). With envelopes of 256 KiB at most, a seat can hold some 250 MiB per kind.
pub const WAITING_PER_SEAT_AND_KIND: i64 = 1000;

/// The configuration of an exercise's submissions stream: a work queue (what the coordinator has
/// taken is removed: the record keeps what was accepted, the backlog is all that is stored), no
/// larger than an envelope may be, and at most [`WAITING_PER_SEAT_AND_KIND`] waiting on each
/// seat's subject of each kind; the server refuses the one more. A seat publishes only on its own
/// subjects of the kinds it may submit, so what one seat can store is bounded by the server.
pub fn submissions_config(exercise: &ExerciseId, settings: &StreamSettings) -> Config {
    Config {
        retention: RetentionPolicy::WorkQueue,
        discard: DiscardPolicy::New,
        discard_new_per_subject: true,
        max_messages_per_subject: WAITING_PER_SEAT_AND_KIND,
        // The envelope, and room for the headers (trace context) beside it.
        max_message_size: i32::try_from(crate::envelope::Limits::default().max_message_bytes + 4096)
            .unwrap_or(i32::MAX)
            .min(settings.max_message_bytes),
        ..stream_config(
            subject::submissions_stream(exercise),
            subject::submissions(exercise),
            "exercise submissions",
            settings,
        )
    }
}

fn stream_config(name: String, subjects: String, what: &str, settings: &StreamSettings) -> Config {
    Config {
        name,
        description: Some(format!("muster {what}")),
        subjects: vec![subjects],
        storage: StorageType::File,
        num_replicas: settings.replicas.max(1),
        duplicate_window: settings.duplicate_window,
        max_message_size: settings.max_message_bytes,
        ..Default::default()
    }
}

/// The coordinator's durable consumer on the submissions: explicit acks, redelivery after
/// [`REDELIVERY_AFTER`] of a submission handed out and not acknowledged.
pub fn coordinator_consumer() -> pull::Config {
    pull::Config {
        durable_name: Some(subject::COORDINATOR_CONSUMER.to_owned()),
        ack_policy: AckPolicy::Explicit,
        ack_wait: REDELIVERY_AFTER,
        ..Default::default()
    }
}

/// The lease bucket of an exercise.
pub fn lease_config(exercise: &ExerciseId, settings: &StreamSettings) -> kv::Config {
    kv::Config {
        bucket: subject::lease_bucket(exercise),
        description: format!("muster coordinator lease of exercise {exercise}"),
        history: 1,
        max_age: settings.lease_ttl,
        num_replicas: settings.replicas.max(1),
        ..Default::default()
    }
}

/// Makes sure everything of `exercise` exists as `settings` say: both streams, the coordinator's
/// consumer and the lease bucket. Running it again changes nothing.
pub async fn exercise_streams(
    js: &jetstream::Context,
    exercise: &ExerciseId,
    settings: &StreamSettings,
) -> Result<[Provisioned; 2], BusError> {
    if settings.lease_ttl < MIN_LEASE_TTL {
        // A bucket's max_age of 0 means "never expires": no standby could ever take over.
        return Err(BusError::jetstream(
            "provisioning",
            format!("the lease time to live must be at least {MIN_LEASE_TTL:?}, not {:?}", settings.lease_ttl),
        ));
    }
    let events = ensure_stream(js, events_config(exercise, settings)).await?;
    let submissions = ensure_stream(js, submissions_config(exercise, settings)).await?;
    let name = subject::submissions_stream(exercise);
    let stream = js.get_stream(&name).await.map_err(|e| BusError::jetstream(format!("lookup of stream {name}"), e))?;
    stream
        .get_or_create_consumer(subject::COORDINATOR_CONSUMER, coordinator_consumer())
        .await
        .map_err(|e| BusError::jetstream("creation of the coordinator's consumer", e))?;
    let snapshots = subject::snapshot_bucket(exercise);
    if js.get_object_store(&snapshots).await.is_err() {
        js.create_object_store(snapshot_config(exercise, settings))
            .await
            .map_err(|e| BusError::jetstream(format!("creation of snapshot store {snapshots}"), e))?;
    }
    // Last: a coordinator waits for its lease bucket and then leads, so all else must be there by then.
    let bucket = subject::lease_bucket(exercise);
    if js.get_key_value(&bucket).await.is_err() {
        js.create_key_value(lease_config(exercise, settings))
            .await
            .map_err(|e| BusError::jetstream(format!("creation of lease bucket {bucket}"), e))?;
    }
    Ok([events, submissions])
}

/// The object store of an exercise's snapshots: kept like its log.
pub fn snapshot_config(exercise: &ExerciseId, settings: &StreamSettings) -> object_store::Config {
    object_store::Config {
        bucket: subject::snapshot_bucket(exercise),
        description: Some(format!("muster coordinator snapshots of exercise {exercise}")),
        storage: StorageType::File,
        num_replicas: settings.replicas.max(1),
        ..Default::default()
    }
}

/// Creates the stream, or brings an existing one to `wanted` when the fields Muster sets differ.
pub async fn ensure_stream(js: &jetstream::Context, wanted: Config) -> Result<Provisioned, BusError> {
    let name = wanted.name.clone();
    match js.get_stream(&name).await {
        Ok(stream) => {
            if same_settings(&stream.cached_info().config, &wanted) {
                return Ok(Provisioned::Unchanged);
            }
            js.update_stream(wanted).await.map_err(|e| BusError::jetstream(format!("update of stream {name}"), e))?;
            tracing::info!(stream = %name, "stream configuration updated");
            Ok(Provisioned::Updated)
        }
        Err(e) if is_not_found(e.kind()) => {
            js.create_stream(wanted).await.map_err(|e| BusError::jetstream(format!("creation of stream {name}"), e))?;
            tracing::info!(stream = %name, "stream created");
            Ok(Provisioned::Created)
        }
        Err(e) => Err(BusError::jetstream(format!("lookup of stream {name}"), e)),
    }
}

fn is_not_found(kind: GetStreamErrorKind) -> bool {
    matches!(kind, GetStreamErrorKind::JetStream(e) if e.error_code() == ErrorCode::STREAM_NOT_FOUND)
}

fn same_settings(have: &Config, want: &Config) -> bool {
    have.subjects == want.subjects
        && have.storage == want.storage
        && have.num_replicas.max(1) == want.num_replicas.max(1)
        && have.duplicate_window == want.duplicate_window
        && have.max_message_size == want.max_message_size
        && have.description == want.description
        && have.allow_direct == want.allow_direct
        && have.republish.as_ref().map(|r| (&r.source, &r.destination, r.headers_only))
            == want.republish.as_ref().map(|r| (&r.source, &r.destination, r.headers_only))
        && have.retention == want.retention
        && have.discard == want.discard
        && have.discard_new_per_subject == want.discard_new_per_subject
        // The server keeps "no limit" as -1 where a config says 0.
        && have.max_messages_per_subject.max(0) == want.max_messages_per_subject.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_guard_only_their_exercise() {
        let ex = ExerciseId::new("cst-1").expect("valid id");
        let settings = StreamSettings { replicas: 3, ..Default::default() };
        let events = events_config(&ex, &settings);
        assert_eq!(events.name, "MUSTER_EVT_cst-1");
        assert_eq!(events.subjects, vec!["muster.cst-1.evt.>".to_string()]);
        assert_eq!(events.num_replicas, 3);
        assert_eq!(submissions_config(&ex, &settings).subjects, vec!["muster.cst-1.in.>".to_string()]);
        // A rollup header on an ordinary publish would purge a stream: never allowed on Muster's.
        assert!(!events.allow_rollup && !submissions_config(&ex, &settings).allow_rollup);
    }

    #[test]
    fn zero_replicas_count_as_one() {
        let ex = ExerciseId::new("cst-1").expect("valid id");
        let one = events_config(&ex, &StreamSettings::default());
        let mut zero = one.clone();
        zero.num_replicas = 0;
        assert!(same_settings(&zero, &one));
    }
}
