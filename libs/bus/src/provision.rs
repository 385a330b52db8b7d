//! Idempotent JetStream set-up: the two streams of an exercise, created once, checked after.

use std::time::Duration;

use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::stream::{Config, StorageType};
use async_nats::jetstream::{self, ErrorCode};

use crate::error::BusError;
use crate::id::ExerciseId;
use crate::subject;

/// How an exercise's streams are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    /// Copies of every stream: 1 on a single server, 3 on a cluster.
    pub replicas: usize,
    /// How long JetStream remembers message ids to drop a repeated one. A participant's retries
    /// of one submission must fall inside it.
    pub duplicate_window: Duration,
    /// Largest message the streams accept, in bytes.
    pub max_message_bytes: i32,
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings { replicas: 1, duplicate_window: Duration::from_secs(10 * 60), max_message_bytes: 1024 * 1024 }
    }
}

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

/// The configuration of an exercise's event log.
pub fn events_config(exercise: &ExerciseId, settings: &StreamSettings) -> Config {
    stream_config(subject::events_stream(exercise), subject::events(exercise), "exercise events", settings)
}

/// The configuration of an exercise's submissions stream.
pub fn submissions_config(exercise: &ExerciseId, settings: &StreamSettings) -> Config {
    stream_config(
        subject::submissions_stream(exercise),
        subject::submissions(exercise),
        "exercise submissions",
        settings,
    )
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

/// Makes sure both streams of `exercise` exist as `settings` say. Running it again changes nothing.
pub async fn exercise_streams(
    js: &jetstream::Context,
    exercise: &ExerciseId,
    settings: &StreamSettings,
) -> Result<[Provisioned; 2], BusError> {
    let events = ensure_stream(js, events_config(exercise, settings)).await?;
    let submissions = ensure_stream(js, submissions_config(exercise, settings)).await?;
    Ok([events, submissions])
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
