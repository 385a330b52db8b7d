//! One follower of each exercise's event log per gateway, keeping the log in memory and
//! broadcasting each new event to every node's stream: a thousand streaming nodes cost one
//! JetStream consumer, not a thousand. A stream starts from the kept log at the sequence it asks
//! for, then takes the broadcast; sequences tell it what it already has, so nothing is missed and
//! nothing comes twice. The gateway stays stateless: any replica rebuilds the same from JetStream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bus::envelope::Payload;
use bus::{Bus, ExerciseId, Sender};
use futures::StreamExt;
use proto::v1 as wire;
use tokio::sync::{broadcast, mpsc};
use tonic::Status;

/// Events buffered for streams that are momentarily slow; one that falls further behind takes
/// them from the kept log.
const BUFFER: usize = 1024;

type Event = Arc<wire::StreamEventsResponse>;

/// The followers of one gateway.
#[derive(Debug)]
pub struct Hub {
    bus: Bus,
    exercises: Mutex<HashMap<ExerciseId, Arc<Feed>>>,
}

#[derive(Debug)]
struct Feed {
    tx: broadcast::Sender<Event>,
    /// Every event read so far, in order.
    log: RwLock<Vec<Event>>,
    /// The participants, once the notification has been read.
    participants: RwLock<Option<Vec<Sender>>>,
}

impl Feed {
    /// Events from sequence `from` on.
    fn since(&self, from: u64) -> Vec<Event> {
        let log = self.log.read().unwrap_or_else(|e| e.into_inner());
        let start = log.partition_point(|e| e.sequence < from);
        log[start..].to_vec()
    }
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
        let feed = Arc::new(Feed {
            tx: broadcast::channel(BUFFER).0,
            log: RwLock::default(),
            participants: RwLock::default(),
        });
        exercises.insert(exercise.clone(), feed.clone());
        let (bus, exercise, follower) = (self.bus.clone(), exercise.clone(), feed.clone());
        tokio::spawn(async move {
            let mut events = bus.follow_events(&exercise, 1);
            while let Some(d) = events.next().await {
                let Ok(e) = d.envelope else { continue };
                if let Payload::Notification(n) = &e.payload {
                    let senders =
                        n.participants.iter().filter_map(|p| Sender::try_from(p.identity.clone()?).ok()).collect();
                    *follower.participants.write().unwrap_or_else(|e| e.into_inner()) = Some(senders);
                }
                let event = Arc::new(wire::StreamEventsResponse { sequence: d.sequence, envelope: Some((&e).into()) });
                // Kept before it is broadcast: a stream that subscribes in between finds it in the log.
                follower.log.write().unwrap_or_else(|e| e.into_inner()).push(event.clone());
                let _ = follower.tx.send(event);
            }
        });
        feed
    }

    /// Fails unless `caller` takes part in the exercise (waits briefly for its notification).
    pub async fn authorize(&self, exercise: &ExerciseId, caller: &Sender) -> Result<(), Status> {
        let feed = self.feed(exercise);
        for _ in 0..250 {
            if let Some(participants) = feed.participants.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
                if participants.contains(caller) {
                    return Ok(());
                }
                return Err(Status::permission_denied(format!("{caller} is not a participant of exercise {exercise}")));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(Status::unavailable(format!("exercise {exercise} has not been notified yet")))
    }

    /// The exercise's events from `from` on, into `tx`, until the receiver goes away.
    pub fn stream(
        &self,
        exercise: &ExerciseId,
        from: u64,
        tx: mpsc::Sender<Result<wire::StreamEventsResponse, Status>>,
    ) {
        let feed = self.feed(exercise);
        let mut live = feed.tx.subscribe();
        tokio::spawn(async move {
            let mut next = from.max(1);
            let mut pending = feed.since(next);
            loop {
                for event in pending.drain(..) {
                    if event.sequence < next {
                        continue;
                    }
                    next = event.sequence + 1;
                    if tx.send(Ok((*event).clone())).await.is_err() {
                        return;
                    }
                }
                match live.recv().await {
                    Ok(event) => pending.push(event),
                    Err(broadcast::error::RecvError::Lagged(_)) => pending = feed.since(next),
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
    }
}
