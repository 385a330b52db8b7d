//! One follower of each exercise's event log per gateway, keeping the log in memory and
//! broadcasting each new event to every node's stream: a thousand streaming nodes cost one
//! reader of the log, not a thousand. A stream starts from the kept log at the sequence it asks
//! for, then takes the broadcast; sequences tell it what it already has, so nothing is missed and
//! nothing comes twice. The gateway stays stateless: any replica rebuilds the same from JetStream.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use bus::envelope::Payload;
use bus::{Bus, ExerciseId, Sender};
use futures::{Stream, StreamExt};
use proto::v1 as wire;
use tokio::sync::broadcast;
use tonic::Status;

use crate::frame::Frame;

/// Events buffered for streams that are momentarily slow; one that falls further behind takes
/// them from the kept log.
const BUFFER: usize = 1024;

/// The followers of one gateway.
#[derive(Debug)]
pub struct Hub {
    bus: Bus,
    /// The coordinator's public key: events it did not seal, in chain, are neither kept nor broadcast.
    trust: Option<String>,
    exercises: Mutex<HashMap<ExerciseId, Arc<Feed>>>,
    /// Each exercise's participants, read from its notification alone: who may open a feed.
    members: Mutex<HashMap<ExerciseId, Vec<Sender>>>,
}

/// Exercises whose logs the gateway keeps at once; concluded ones make room first.
pub const MAX_FEEDS: usize = 64;

#[derive(Debug)]
struct Feed {
    tx: broadcast::Sender<Frame>,
    /// Every event read so far, in order.
    log: RwLock<Vec<Frame>>,
    /// Set once the log is complete: the feed may be evicted.
    concluded: std::sync::atomic::AtomicBool,
}

impl Feed {
    /// Events from sequence `from` on.
    fn since(&self, from: u64) -> Vec<Frame> {
        let log = self.log.read().unwrap_or_else(|e| e.into_inner());
        let start = log.partition_point(|e| e.sequence < from);
        log[start..].to_vec()
    }
}

impl Hub {
    /// A hub reading through `bus`.
    pub fn new(bus: Bus, trust: Option<String>) -> Self {
        Hub { bus, trust, exercises: Mutex::new(HashMap::new()), members: Mutex::new(HashMap::new()) }
    }

    /// The exercise's feed, started on first use; at [`MAX_FEEDS`], concluded exercises are evicted
    /// (a later stream reads them again from JetStream), and when none is, the request is refused.
    fn feed(&self, exercise: &ExerciseId) -> Result<Arc<Feed>, Status> {
        let mut exercises = self.exercises.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(feed) = exercises.get(exercise) {
            return Ok(feed.clone());
        }
        if exercises.len() >= MAX_FEEDS {
            exercises.retain(|_, f| !f.concluded.load(std::sync::atomic::Ordering::Relaxed));
        }
        if exercises.len() >= MAX_FEEDS {
            return Err(Status::resource_exhausted(format!(
                "this gateway follows {MAX_FEEDS} running exercises already"
            )));
        }
        let feed = Arc::new(Feed {
            tx: broadcast::channel(BUFFER).0,
            log: RwLock::default(),
            concluded: std::sync::atomic::AtomicBool::new(false),
        });
        exercises.insert(exercise.clone(), feed.clone());
        let (bus, exercise, follower) = (self.bus.clone(), exercise.clone(), feed.clone());
        let trust = self.trust.clone();
        tokio::spawn(async move {
            let mut events = bus.follow_events(&exercise, 1);
            let mut chain = trust.map(bus::seal::Chain::new);
            while let Some(d) = events.next().await {
                let Ok(e) = d.envelope else { continue };
                let message_id = e.message_id.clone();
                // Nodes are sent what a checkpoint covers (they check it again), as it is covered.
                let covered = match bus::seal::follow(chain.as_mut(), d.sequence, e) {
                    Ok(covered) => covered,
                    Err(error) => {
                        tracing::warn!(%exercise, sequence = d.sequence, %message_id, %error,
                            "event dropped: not the coordinator's");
                        continue;
                    }
                };
                for (sequence, e) in covered {
                    if matches!(&e.payload, Payload::PhaseChanged(p) if p.phase() == wire::Phase::Concluded) {
                        follower.concluded.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    let event = Frame::new(sequence, (&e).into());
                    // Kept before it is broadcast: a stream that subscribes in between finds it in the log.
                    follower.log.write().unwrap_or_else(|e| e.into_inner()).push(event.clone());
                    let _ = follower.tx.send(event);
                }
            }
        });
        Ok(feed)
    }

    /// Fails unless `caller` takes part in the exercise over gRPC (a national node), known from its
    /// (sealed) notification alone: nothing more of an exercise is read for a caller who is not.
    pub async fn authorize(&self, exercise: &ExerciseId, caller: &Sender) -> Result<(), Status> {
        let known = self.members.lock().unwrap_or_else(|e| e.into_inner()).get(exercise).cloned();
        let members = match known {
            Some(members) => members,
            None => {
                let members = self.notified(exercise).await?;
                self.members.lock().unwrap_or_else(|e| e.into_inner()).insert(exercise.clone(), members.clone());
                members
            }
        };
        if members.contains(caller) {
            return Ok(());
        }
        Err(Status::permission_denied(format!("{caller} is not a participant of exercise {exercise} over gRPC")))
    }

    /// The participants the exercise's notification lists, with the lists that continue it when
    /// they are many (waits briefly for them).
    async fn notified(&self, exercise: &ExerciseId) -> Result<Vec<Sender>, Status> {
        let mut events = self.bus.follow_events(exercise, 1);
        let mut record = record::Record::reading(self.trust.clone());
        loop {
            let next = tokio::time::timeout(Duration::from_secs(5), events.next())
                .await
                .map_err(|_| Status::unavailable(format!("exercise {exercise} has not been notified yet")))?
                .ok_or_else(|| Status::unavailable("the event log ended"))?;
            let event = next.envelope.map_err(|e| Status::unavailable(format!("unreadable first event: {e}")))?;
            let message_id = event.message_id.clone();
            match record.accept(next.sequence, event) {
                // Held until its batch's checkpoint.
                Ok(covered) if covered.is_empty() => continue,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%exercise, sequence = next.sequence, %message_id, %error, "event dropped: not the coordinator's");
                    continue;
                }
            }
            match &record.plan {
                // National nodes only: a seat on the bus, an observer or a guest in the
                // headquarters has no business here, whatever certificate it holds.
                Some(plan) if plan.is_whole() => {
                    return Ok(plan.participants.iter().filter(|p| p.remote).map(|p| p.sender()).collect());
                }
                Some(_) => {}
                None => return Err(Status::unavailable(format!("exercise {exercise} begins with no notification"))),
            }
        }
    }

    /// The exercise's events from `from` on, as the node's stream pulls them: the kept log first,
    /// then the broadcast. No task or queue of its own: a node that reads slowly falls behind the
    /// broadcast and takes the rest from the kept log.
    pub fn stream(
        &self,
        exercise: &ExerciseId,
        from: u64,
    ) -> Result<impl Stream<Item = Frame> + Send + 'static, Status> {
        let feed = self.feed(exercise)?;
        // Subscribed before the kept log is read: an event in between is in one or the other.
        let live = feed.tx.subscribe();
        let next = from.max(1);
        let pending = feed.since(next).into();
        let cursor = Cursor { feed, live, pending, next, caught_up: false, _open: StreamOpen::new() };
        Ok(futures::stream::unfold(cursor, Cursor::advance))
    }
}

/// Where one node's stream stands.
struct Cursor {
    feed: Arc<Feed>,
    live: broadcast::Receiver<Frame>,
    pending: VecDeque<Frame>,
    /// The sequence the node takes next.
    next: u64,
    /// Whether the backlog it asked for is sent: from then on, events are live and timed.
    caught_up: bool,
    _open: StreamOpen,
}

impl Cursor {
    async fn advance(mut self) -> Option<(Frame, Cursor)> {
        loop {
            while let Some(event) = self.pending.pop_front() {
                if event.sequence < self.next {
                    continue;
                }
                self.next = event.sequence + 1;
                if self.caught_up {
                    fanned_out(&event);
                }
                return Some((event, self));
            }
            self.caught_up = true;
            match self.live.recv().await {
                Ok(event) => self.pending.push_back(event),
                Err(broadcast::error::RecvError::Lagged(_)) => self.pending = self.feed.since(self.next).into(),
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

/// Counts the node streams open while it lives.
struct StreamOpen;

impl StreamOpen {
    fn new() -> StreamOpen {
        metrics::gauge!("muster_grpc_streams_open").increment(1.0);
        StreamOpen
    }
}

impl Drop for StreamOpen {
    fn drop(&mut self) {
        metrics::gauge!("muster_grpc_streams_open").decrement(1.0);
    }
}

/// Records how long a live event took from the coordinator's stamp to a node's stream.
fn fanned_out(event: &Frame) {
    if let Some(elapsed) = event.recorded_at.and_then(|t| t.elapsed().ok()) {
        metrics::histogram!("muster_fanout_seconds").record(elapsed.as_secs_f64());
    }
}
