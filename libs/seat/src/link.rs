//! How a seat reaches the exercise: a [`Link`] streams the event log from a sequence (resuming by
//! itself after a failure) and submits. Two links: [`BusLink`] inside the headquarters, and
//! [`crate::grpc::GrpcLink`] through the gateway from outside.

pub use bus::submit::{SubmitError, VERDICT_WAIT, Verdict};
use bus::{Bus, BusError, Envelope, ExerciseId, Sender, Submitter};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use proto::v1 as wire;

/// One event of the log with its sequence.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its sequence in the exercise's log (1-based, gap-free).
    pub sequence: u64,
    /// The event.
    pub envelope: Envelope,
}

/// A way to the exercise.
pub trait Link: Send + Sync + 'static {
    /// The exercise's events from `from` on, in order, each once; the stream re-attaches by itself
    /// after a failure and ends only when the link is dropped.
    fn events(&self, from: u64) -> BoxStream<'static, Event>;

    /// Submits one envelope (the seat's own), answering once it is safe or refused.
    fn submit(&self, envelope: Envelope) -> BoxFuture<'static, Result<Verdict, SubmitError>>;

    /// Says once that the seat is at its post (see [`bus::presence`]); a failure is only logged,
    /// since the next repeat follows soon.
    fn present(&self, presence: wire::Presence) -> BoxFuture<'static, ()>;
}

/// The bus inside the headquarters: events read from the log directly, submissions to JetStream,
/// the coordinator's verdicts from the seat's own reply subject.
#[derive(Debug, Clone)]
pub struct BusLink {
    submitter: Submitter,
    exercise: ExerciseId,
    me: Sender,
}

impl BusLink {
    /// A link for seat `me`, listening to its replies from now on.
    pub async fn new(bus: Bus, exercise: ExerciseId, me: &Sender) -> Result<BusLink, BusError> {
        Ok(BusLink { submitter: Submitter::for_seat(&bus, &exercise, me).await?, exercise, me: me.clone() })
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
        bus_events(self.submitter.bus(), &self.exercise, from)
    }

    fn submit(&self, envelope: Envelope) -> BoxFuture<'static, Result<Verdict, SubmitError>> {
        let submitter = self.submitter.clone();
        Box::pin(async move { submitter.submit(&envelope, VERDICT_WAIT).await })
    }

    fn present(&self, presence: wire::Presence) -> BoxFuture<'static, ()> {
        let (bus, exercise, me) = (self.submitter.bus().clone(), self.exercise.clone(), self.me.clone());
        Box::pin(async move {
            if let Err(e) = bus::presence::announce(&bus, &exercise, &me, &presence).await {
                tracing::debug!(%exercise, node = %me.node, error = %e, "presence not said");
            }
        })
    }
}
