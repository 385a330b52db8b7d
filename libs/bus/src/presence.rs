//! Seats' presence: each seat repeats, every [`EVERY`], that it is at its post and whether a
//! person is signed in at its console. Nothing of it is recorded: it answers one question before
//! the start, "which seats are taken?". Who says it is the server's to check: only the seat's own
//! identity (or the gateway, for a seat outside the headquarters) may publish on its subject.

use std::time::Duration;

use futures::StreamExt;
use futures::stream::BoxStream;
use prost::Message as _;
use proto::v1 as wire;

use crate::id::{ExerciseId, NodeId, Role, Sender};
use crate::{Bus, BusError, subject};

/// How often a seat says it is present.
pub const EVERY: Duration = Duration::from_secs(5);
/// How long a seat unheard still counts as present: a few repeats lost, not more.
pub const FORGOTTEN_AFTER: Duration = Duration::from_secs(16);

/// Says once, for `seat`, that it is present.
pub async fn announce(
    bus: &Bus,
    exercise: &ExerciseId,
    seat: &Sender,
    presence: &wire::Presence,
) -> Result<(), BusError> {
    let subject = subject::presence(exercise, seat);
    bus.client()
        .publish(subject.clone(), presence.encode_to_vec().into())
        .await
        .map_err(|source| BusError::CorePublish { subject, source })
}

/// Every seat's presence in `exercise` from now on; what cannot be read is logged and skipped.
pub async fn hear(bus: &Bus, exercise: &ExerciseId) -> Result<BoxStream<'static, (Sender, wire::Presence)>, BusError> {
    let subject = subject::presences(exercise);
    let subscriber = bus
        .client()
        .subscribe(subject.clone())
        .await
        .map_err(|source| BusError::Subscribe { subject: subject.clone(), source })?;
    // Heard from now on means from when the server has the subscription, not when it is sent.
    bus.client().flush().await.map_err(|e| BusError::Flush(e.to_string()))?;
    let exercise = exercise.clone();
    Ok(subscriber
        .filter_map(move |message| {
            let heard = seat_of(&message.subject).zip(wire::Presence::decode(message.payload.as_ref()).ok());
            if heard.is_none() {
                // Debug only: a seat may say anything on its own subject, and the log is not its.
                tracing::debug!(%exercise, subject = %message.subject, "unreadable presence skipped");
            }
            std::future::ready(heard)
        })
        .boxed())
}

/// The seat a presence subject names: its last two tokens.
fn seat_of(subject: &str) -> Option<Sender> {
    let mut tokens = subject.rsplit('.');
    let node = NodeId::new(tokens.next()?).ok()?;
    let role = Role::from_token(tokens.next()?)?;
    Some(Sender::new(role, node))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seat_is_read_back_from_its_subject() {
        let exercise = ExerciseId::new("ex1").expect("valid");
        let seat = Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid"));
        assert_eq!(seat_of(&subject::presence(&exercise, &seat)), Some(seat));
        assert_eq!(seat_of("muster.ex1.presence.nobody.BY"), None);
    }
}
