//! One follower of each exercise's event log per gateway, broadcasting to every node's stream: a
//! thousand nodes cost one JetStream consumer, not a thousand. A stream that starts behind (a node
//! resuming, or one that fell behind the broadcast) first catches up from the log, then takes the
//! broadcast; sequences tell it what it already has, so nothing is missed and nothing comes twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bus::{Bus, ExerciseId};
use futures::StreamExt;
use proto::v1 as wire;
use tokio::sync::{broadcast, mpsc};
use tonic::Status;

use crate::status;

/// Events buffered per exercise for slow streams; one that falls further behind catches up from the log.
const BUFFER: usize = 1024;

type Item = Result<wire::StreamEventsResponse, Status>;

/// The followers of one gateway.
#[derive(Debug)]
pub struct Hub {
    bus: Bus,
    exercises: Mutex<HashMap<ExerciseId, Arc<Feed>>>,
}

#[derive(Debug)]
struct Feed {
    tx: broadcast::Sender<Arc<wire::StreamEventsResponse>>,
    /// The last sequence broadcast.
    last: AtomicU64,
}

impl Hub {
    /// A hub reading through `bus`.
    pub fn new(bus: Bus) -> Self {
        Hub { bus, exercises: Mutex::new(HashMap::new()) }
    }

    fn feed(&self, exercise: &ExerciseId) -> Arc<Feed> {
        let mut exercises = self.exercises.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(feed) = exercises.get(exercise) {
            return feed.clone();
        }
        let feed = Arc::new(Feed { tx: broadcast::channel(BUFFER).0, last: AtomicU64::new(0) });
        exercises.insert(exercise.clone(), feed.clone());
        let (bus, exercise, follower) = (self.bus.clone(), exercise.clone(), feed.clone());
        tokio::spawn(async move {
            let mut events = bus.follow_events(&exercise, 1);
            while let Some(d) = events.next().await {
                follower.last.store(d.sequence, Ordering::SeqCst);
                if let Ok(e) = d.envelope {
                    let _ = follower.tx.send(Arc::new(wire::StreamEventsResponse {
                        sequence: d.sequence,
                        envelope: Some((&e).into()),
                    }));
                }
            }
        });
        feed
    }

    /// The exercise's events from `from` on, into `tx`, until the receiver goes away.
    pub fn stream(&self, exercise: &ExerciseId, from: u64, tx: mpsc::Sender<Item>) {
        let feed = self.feed(exercise);
        let mut live = feed.tx.subscribe();
        let (bus, exercise) = (self.bus.clone(), exercise.clone());
        tokio::spawn(async move {
            let mut next = from.max(1);
            let caught_up = feed.last.load(Ordering::SeqCst);
            if !catch_up(&bus, &exercise, &mut next, caught_up, &tx).await {
                return;
            }
            loop {
                match live.recv().await {
                    Ok(item) if item.sequence < next => {}
                    Ok(item) => {
                        if !catch_up(&bus, &exercise, &mut next, item.sequence - 1, &tx).await {
                            return;
                        }
                        next = item.sequence + 1;
                        if tx.send(Ok((*item).clone())).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let until = feed.last.load(Ordering::SeqCst);
                        if !catch_up(&bus, &exercise, &mut next, until, &tx).await {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }
}

/// Sends the log's events from `next` through `until` (inclusive) from JetStream; false once the
/// receiver is gone.
async fn catch_up(bus: &Bus, exercise: &ExerciseId, next: &mut u64, until: u64, tx: &mpsc::Sender<Item>) -> bool {
    if *next > until {
        return true;
    }
    let mut events = match bus.events_from(exercise, *next).await {
        Ok(events) => events,
        Err(e) => {
            let _ = tx.send(Err(status::bus(&e))).await;
            return false;
        }
    };
    while *next <= until {
        let Some(delivery) = events.next().await else { return false };
        let d = match delivery {
            Ok(d) => d,
            Err(e) => {
                let _ = tx.send(Err(status::bus(&e))).await;
                return false;
            }
        };
        *next = d.sequence + 1;
        if let Ok(e) = d.envelope {
            let item = wire::StreamEventsResponse { sequence: d.sequence, envelope: Some((&e).into()) };
            if tx.send(Ok(item)).await.is_err() {
                return false;
            }
        }
    }
    true
}
