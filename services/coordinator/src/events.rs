//! What the coordinator writes: its events, each with a deterministic id and stamped with the
//! exercise time and wall time at which it is recorded, applied to the record as they are made.

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, MessageId};
use proto::v1 as wire;
use record::{Moment, Phase, Record};

/// Applies the events to `next` as they will be published, and returns them, less those the
/// record holds already: a leader that died between two events of one step left the first in the
/// log, and its successor, stepping the same way, writes only the rest (written again, the first
/// would be dropped by JetStream as a duplicate and throw the fencing sequence off by one).
pub fn emit(next: &mut Record, events: Vec<Envelope>) -> Vec<Envelope> {
    let mut new = Vec::with_capacity(events.len());
    for e in events {
        if !next.seen.contains(&e.sender, &e.message_id) {
            next.apply(&e);
            new.push(e);
        }
    }
    new
}

/// A coordinator event with a deterministic id, so a re-published event is de-duplicated, stamped
/// with the exercise time.
pub fn event(exercise: &ExerciseId, now: Moment, id: String, payload: Payload) -> Envelope {
    let mut e = Envelope::new(exercise.clone(), record::coordinator(), payload);
    e.message_id = MessageId::new(id).unwrap_or_else(|_| MessageId::generate());
    e.sent_at = now.wall;
    e.exercise_time = Some(now.exercise);
    e.recorded_at = Some(now.wall);
    e
}

/// A phase change; one caused by a control command takes its id from the command, since pause and
/// resume can repeat within a phase.
pub fn phase_changed(
    exercise: &ExerciseId,
    now: Moment,
    phase: Phase,
    paused: bool,
    cause: Option<&MessageId>,
) -> Envelope {
    let (wire_phase, stage_number) = phase.to_wire();
    let id = match cause {
        Some(cause) => format!("{cause}-phase"),
        None => format!("phase-{}-{stage_number}", wire_phase.as_str_name().to_lowercase()),
    };
    event(
        exercise,
        now,
        id,
        Payload::PhaseChanged(wire::PhaseChanged { phase: wire_phase as i32, stage_number, paused }),
    )
}
