//! The exercise as this console sees it: its log, followed from the first event and kept, folded
//! into the record (only what the coordinator sealed, in chain), with the last sequence announced
//! to every page's live link. One follower per exercise however many browsers watch.

use std::sync::{Arc, RwLock, RwLockReadGuard};

use bus::{Envelope, ExerciseId};
use futures::StreamExt;
use futures::stream::BoxStream;
use record::Record;
use seat::link::Event;
use tokio::sync::watch;

/// The log and its fold.
#[derive(Debug)]
pub struct Log {
    /// The record folded from the events accepted.
    pub record: Record,
    /// Every event accepted, with its sequence in the exercise's log.
    pub events: Vec<(u64, Envelope)>,
}

impl Log {
    /// The events after sequence `after`, in order.
    pub fn after(&self, after: u64) -> &[(u64, Envelope)] {
        let start = self.events.partition_point(|(sequence, _)| *sequence <= after);
        &self.events[start..]
    }

    /// The last sequence accepted (0 before any).
    pub fn last(&self) -> u64 {
        self.events.last().map_or(0, |(sequence, _)| *sequence)
    }
}

/// One exercise followed live.
#[derive(Debug)]
pub struct Live {
    /// The exercise.
    pub exercise: ExerciseId,
    log: RwLock<Log>,
    last: watch::Sender<u64>,
}

impl Live {
    /// Follows `events` (the exercise's log from sequence 1), trusting what `coordinator` sealed.
    pub fn follow(exercise: ExerciseId, events: BoxStream<'static, Event>, coordinator: Option<String>) -> Arc<Live> {
        let live = Arc::new(Live {
            exercise,
            log: RwLock::new(Log { record: Record::reading(coordinator), events: Vec::new() }),
            last: watch::channel(0).0,
        });
        let weak = Arc::downgrade(&live);
        tokio::spawn(async move {
            let mut events = events;
            while let Some(event) = events.next().await {
                let Some(live) = weak.upgrade() else { return };
                live.take(event);
            }
        });
        live
    }

    fn take(&self, event: Event) {
        let mut log = self.log.write().unwrap_or_else(|e| e.into_inner());
        if event.sequence <= log.last() {
            return;
        }
        let message_id = event.envelope.message_id.clone();
        match log.record.accept(event.sequence, event.envelope) {
            Ok(covered) if covered.is_empty() => return,
            Ok(covered) => log.events.extend(covered),
            Err(e) => {
                tracing::warn!(exercise = %self.exercise, sequence = event.sequence, %message_id,
                    error = %e, "event dropped: not the coordinator's");
                return;
            }
        }
        let last = log.last();
        drop(log);
        self.last.send_replace(last);
    }

    /// The log as it stands (hold it briefly: the follower waits while it is read).
    pub fn read(&self) -> RwLockReadGuard<'_, Log> {
        self.log.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Announces every new last sequence.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.last.subscribe()
    }
}
