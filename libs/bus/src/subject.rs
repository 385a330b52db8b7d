//! The subject hierarchy and stream names, spelled in this one place.
//!
//! ```text
//! muster.<exercise>.evt.<kind>                 events; only the coordinator publishes here
//! muster.<exercise>.in.<role>.<node>.<kind>    submissions; a node publishes only under its own role and node
//! muster.<exercise>.reply.<role>.<node>        the coordinator's accept/reject replies to one node
//! muster.<exercise>.presence.<role>.<node>     a seat's presence, repeated; in no stream
//! ```
//!
//! The layout lets NATS permissions guard it: a control point for `BY` gets publish rights on
//! `muster.*.in.control_point.BY.>` and subscribe rights on `muster.*.evt.>` and
//! `muster.*.reply.control_point.BY`; observers get subscribe rights only. Exercise control
//! (pause, resume, advance) submits as role `coordinator`, which only the director's user may use.

use crate::id::{ExerciseId, NodeId, Role, Sender};

/// The first token of every Muster subject.
pub const ROOT: &str = "muster";

/// The subject of one event of an exercise.
pub fn event(exercise: &ExerciseId, kind: &str) -> String {
    format!("{ROOT}.{exercise}.evt.{kind}")
}

/// All events of an exercise.
pub fn events(exercise: &ExerciseId) -> String {
    format!("{ROOT}.{exercise}.evt.>")
}

/// Where the log announces each event once it has stored it: its headers only (its sequence among
/// them), republished by the server, so a reader knows there is more to read without a consumer.
pub fn announcements(exercise: &ExerciseId) -> String {
    format!("{ROOT}.{exercise}.log.>")
}

/// The subject a sender submits one kind of payload on.
pub fn submission(exercise: &ExerciseId, sender: &Sender, kind: &str) -> String {
    format!("{ROOT}.{exercise}.in.{}.{}.{kind}", sender.role, sender.node)
}

/// All submissions to an exercise.
pub fn submissions(exercise: &ExerciseId) -> String {
    format!("{ROOT}.{exercise}.in.>")
}

/// Where the coordinator's replies to one participant go.
pub fn reply(exercise: &ExerciseId, to: &Sender) -> String {
    format!("{ROOT}.{exercise}.reply.{}.{}", to.role, to.node)
}

/// Every reply of an exercise (the coordinator's to publish).
pub fn replies(exercise: &ExerciseId) -> String {
    format!("{ROOT}.{exercise}.reply.>")
}

/// Where a seat says it is at its post.
pub fn presence(exercise: &ExerciseId, seat: &Sender) -> String {
    format!("{ROOT}.{exercise}.presence.{}.{}", seat.role, seat.node)
}

/// Every seat's presence in an exercise.
pub fn presences(exercise: &ExerciseId) -> String {
    format!("{ROOT}.{exercise}.presence.>")
}

/// The JetStream stream holding an exercise's events: the durable, authoritative log.
pub fn events_stream(exercise: &ExerciseId) -> String {
    format!("{}{exercise}", events_stream_prefix())
}

/// The advisory NATS publishes when the replicas of the exercise's event log elect a leader: its
/// readers re-create their consumers at once instead of waiting to miss a lost one's heartbeats.
pub fn events_leader_elected(exercise: &ExerciseId) -> String {
    format!("$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.{}", events_stream(exercise))
}

/// What every event log's stream name starts with, before the exercise id.
pub fn events_stream_prefix() -> String {
    "MUSTER_EVT_".into()
}

/// The JetStream stream holding an exercise's submissions until the coordinator has handled them.
pub fn submissions_stream(exercise: &ExerciseId) -> String {
    format!("MUSTER_IN_{exercise}")
}

/// The key-value bucket holding the coordinator's lease on an exercise (one per exercise, so that
/// each exercise has its own lease time to live and only its coordinator may write it).
pub fn lease_bucket(exercise: &ExerciseId) -> String {
    format!("MUSTER_LEASE_{exercise}")
}

/// The object store holding the coordinator's latest snapshot of an exercise's state, from which a
/// new leader starts instead of replaying the whole log.
pub fn snapshot_bucket(exercise: &ExerciseId) -> String {
    format!("MUSTER_SNAP_{exercise}")
}

/// The inbox prefix of the identity `name`: replies to its requests come under it, and it may
/// subscribe to nothing else of the kind (a shared `_INBOX.>` would show everyone's replies).
pub fn inbox_prefix(name: &str) -> String {
    format!("_INBOX.{name}")
}

/// The durable consumer through which the coordinator reads an exercise's submissions.
pub const COORDINATOR_CONSUMER: &str = "coordinator";

/// A submission subject taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionSubject {
    /// The exercise submitted to.
    pub exercise: ExerciseId,
    /// Who the subject says submitted (the envelope's sender must match).
    pub sender: Sender,
    /// The payload kind token.
    pub kind: String,
}

/// Parses `muster.<exercise>.in.<role>.<node>.<kind>`; `None` for anything else.
pub fn parse_submission(subject: &str) -> Option<SubmissionSubject> {
    let mut parts = subject.split('.');
    let (root, exercise, tier, role, node, kind) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if root != ROOT || tier != "in" || parts.next().is_some() {
        return None;
    }
    Some(SubmissionSubject {
        exercise: ExerciseId::new(exercise).ok()?,
        sender: Sender::new(Role::from_token(role)?, NodeId::new(node).ok()?),
        kind: kind.to_owned(),
    })
}

/// The exercise token of any Muster subject.
pub fn exercise_of(subject: &str) -> Option<ExerciseId> {
    let mut parts = subject.split('.');
    if parts.next()? != ROOT {
        return None;
    }
    ExerciseId::new(parts.next()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex() -> ExerciseId {
        ExerciseId::new("cst-1").expect("valid id")
    }

    #[test]
    fn submission_subjects_round_trip() {
        let by = Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid id"));
        let subject = submission(&ex(), &by, "position");
        assert_eq!(subject, "muster.cst-1.in.control_point.BY.position");
        let parsed = parse_submission(&subject).expect("parses");
        assert_eq!(parsed, SubmissionSubject { exercise: ex(), sender: by, kind: "position".into() });
    }

    #[test]
    fn foreign_subjects_do_not_parse_as_submissions() {
        for s in [
            "muster.cst-1.evt.position",
            "other.cst-1.in.control_point.BY.x",
            "muster.cst-1.in.king.BY.x",
            "muster.cst-1.in.control_point.BY.x.y",
            "muster.cst-1.in.control_point.BY",
        ] {
            assert_eq!(parse_submission(s), None, "{s}");
        }
    }

    #[test]
    fn events_of_two_exercises_do_not_overlap() {
        let other = ExerciseId::new("cst-2").expect("valid id");
        assert_eq!(event(&ex(), "stage_opened"), "muster.cst-1.evt.stage_opened");
        assert_ne!(events(&ex()), events(&other));
        assert_ne!(events_stream(&ex()), events_stream(&other));
        assert_eq!(exercise_of("muster.cst-2.evt.x"), Some(other));
    }
}
