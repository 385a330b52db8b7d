//! The domain envelope: validated ids and sender around a payload, and its protobuf encoding.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use prost::Message as _;

use crate::error::EnvelopeError;
use crate::id::{ExerciseId, MessageId, Sender, rename};

pub use proto::v1::envelope::Payload;

/// Size limits applied to every envelope sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded envelope accepted, in bytes.
    pub max_message_bytes: usize,
}

impl Default for Limits {
    /// 256 KiB: a long draft text fits many times; NATS' own default limit is 1 MiB.
    fn default() -> Self {
        Limits { max_message_bytes: 256 * 1024 }
    }
}

/// The coordinator's seal on an event: the hash it chains to, and on the last event of a batch the
/// checkpoint that covers it ([`crate::seal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// SHA-256 of the previous event.
    pub previous: Vec<u8>,
    /// The coordinator's signed checkpoint with this event at its head.
    pub checkpoint: Option<Signed>,
}

/// A checkpoint as an event carries it: the size it names (the event's position) and the
/// coordinator's signature of the note; the rest of the note is the event's exercise and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The position of the event at the head.
    pub size: u64,
    /// The coordinator's signature of the checkpoint's note text.
    pub signature: Vec<u8>,
}

/// A validated message: every id present and well-formed, a sender, exactly one known payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The exercise it belongs to.
    pub exercise: ExerciseId,
    /// Its unique id; de-duplication key.
    pub message_id: MessageId,
    /// Who sent it.
    pub sender: Sender,
    /// When it was sent (wall time).
    pub sent_at: SystemTime,
    /// The conversation it belongs to.
    pub correlation_id: Option<MessageId>,
    /// The message that caused it.
    pub causation_id: Option<MessageId>,
    /// On events: the exercise time at which the coordinator recorded it (after the start,
    /// pauses not counted). `None` on submissions.
    pub exercise_time: Option<Duration>,
    /// On events: the wall time at which the coordinator recorded it. `None` on submissions.
    pub recorded_at: Option<SystemTime>,
    /// The language its free text is written in (`ru`), signed with it; empty when unknown.
    pub language: String,
    /// The sender's signature of its signed content ([`crate::seal`]); empty when unsigned.
    pub signature: Vec<u8>,
    /// On events: the coordinator's seal. `None` on submissions.
    pub seal: Option<Seal>,
    /// The message itself.
    pub payload: Payload,
}

impl Envelope {
    /// A new message with a fresh id, sent now.
    pub fn new(exercise: ExerciseId, sender: Sender, payload: Payload) -> Self {
        Envelope {
            exercise,
            message_id: MessageId::generate(),
            sender,
            sent_at: SystemTime::now(),
            correlation_id: None,
            causation_id: None,
            exercise_time: None,
            recorded_at: None,
            language: String::new(),
            signature: Vec::new(),
            seal: None,
            payload,
        }
    }

    /// Marks this message as caused by `cause`, in the same conversation.
    pub fn caused_by(mut self, cause: &Envelope) -> Self {
        self.causation_id = Some(cause.message_id.clone());
        self.correlation_id = Some(cause.correlation_id.clone().unwrap_or_else(|| cause.message_id.clone()));
        self
    }

    /// The payload kind token used in subjects, e.g. `draft_decision`.
    pub fn kind(&self) -> &'static str {
        payload_kind(&self.payload)
    }

    /// Encodes to protobuf bytes, refusing an envelope over the size limit.
    pub fn encode(&self, limits: Limits) -> Result<Bytes, EnvelopeError> {
        let bytes = proto::v1::Envelope::from(self).encode_to_vec();
        check_size(bytes.len(), limits)?;
        Ok(Bytes::from(bytes))
    }

    /// Decodes and validates bytes received on a subject of `expected` exercise.
    pub fn decode(bytes: &[u8], expected: &ExerciseId, limits: Limits) -> Result<Envelope, EnvelopeError> {
        check_size(bytes.len(), limits)?;
        let wire = proto::v1::Envelope::decode(bytes).map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
        let envelope = Envelope::try_from(wire)?;
        if &envelope.exercise != expected {
            return Err(EnvelopeError::WrongExercise {
                expected: expected.to_string(),
                found: envelope.exercise.to_string(),
            });
        }
        Ok(envelope)
    }
}

fn check_size(size: usize, limits: Limits) -> Result<(), EnvelopeError> {
    if size > limits.max_message_bytes {
        return Err(EnvelopeError::TooLarge { size, limit: limits.max_message_bytes });
    }
    Ok(())
}

/// The subject token of a payload kind.
pub fn payload_kind(payload: &Payload) -> &'static str {
    match payload {
        Payload::Notification(_) => "notification",
        Payload::AssemblyReport(_) => "assembly_report",
        Payload::DeploymentOrdered(_) => "deployment_ordered",
        Payload::ControlPointActivation(_) => "control_point_activation",
        Payload::StageOpened(_) => "stage_opened",
        Payload::SituationAssessment(_) => "situation_assessment",
        Payload::DraftDecision(_) => "draft_decision",
        Payload::Position(_) => "position",
        Payload::DraftRevised(_) => "draft_revised",
        Payload::StageConcluded(_) => "stage_concluded",
        Payload::PackageCommunicated(_) => "package_communicated",
        Payload::ReceiptConfirmed(_) => "receipt_confirmed",
        Payload::ExerciseConcluded(_) => "exercise_concluded",
        Payload::PhaseChanged(_) => "phase_changed",
        Payload::PauseExercise(_) => "pause_exercise",
        Payload::ResumeExercise(_) => "resume_exercise",
        Payload::AdvanceExercise(_) => "advance_exercise",
        Payload::StartExercise(_) => "start_exercise",
        Payload::Rejection(_) => "rejection",
        Payload::Accepted(_) => "accepted",
        Payload::AssemblyClosed(_) => "assembly_closed",
        Payload::ParticipantsListed(_) => "participants_listed",
        Payload::InjectReleased(_) => "inject_released",
        Payload::ReleaseInject(_) => "release_inject",
        Payload::AcknowledgeInject(_) => "acknowledge_inject",
    }
}

/// The kinds of payload a sender of `role` submits (the last token of its submission subjects):
/// exercise control its commands, a participant its answers. The server lets a seat publish on
/// these subjects of its own only, so the subjects it can fill are few and known.
pub fn submitted_kinds(role: crate::id::Role) -> &'static [&'static str] {
    match role {
        crate::id::Role::Coordinator => {
            &["start_exercise", "pause_exercise", "resume_exercise", "advance_exercise", "release_inject"]
        }
        crate::id::Role::Observer => &[],
        _ => &[
            "assembly_report",
            "control_point_activation",
            "situation_assessment",
            "draft_decision",
            "draft_revised",
            "position",
            "receipt_confirmed",
            "acknowledge_inject",
        ],
    }
}

fn optional_id(s: String, field: &'static str) -> Result<Option<MessageId>, EnvelopeError> {
    if s.is_empty() {
        return Ok(None);
    }
    MessageId::new(s).map(Some).map_err(|e| rename(e, field))
}

impl TryFrom<proto::v1::Envelope> for Envelope {
    type Error = EnvelopeError;

    fn try_from(wire: proto::v1::Envelope) -> Result<Self, Self::Error> {
        let exercise = ExerciseId::new(wire.exercise_id)?;
        let message_id = MessageId::new(wire.message_id)?;
        let sender = Sender::try_from(wire.sender.ok_or(EnvelopeError::Missing("sender"))?)?;
        let sent_at = wire.sent_at.ok_or(EnvelopeError::Missing("sent_at"))?;
        let sent_at = SystemTime::try_from(sent_at)
            .map_err(|e| EnvelopeError::Invalid { field: "sent_at", reason: e.to_string() })?;
        Ok(Envelope {
            exercise,
            message_id,
            sender,
            sent_at,
            correlation_id: optional_id(wire.correlation_id, "correlation_id")?,
            causation_id: optional_id(wire.causation_id, "causation_id")?,
            exercise_time: match wire.exercise_time {
                None => None,
                Some(d) => Some(
                    Duration::try_from(d)
                        .map_err(|e| EnvelopeError::Invalid { field: "exercise_time", reason: e.to_string() })?,
                ),
            },
            recorded_at: match wire.recorded_at {
                None => None,
                Some(t) => Some(
                    SystemTime::try_from(t)
                        .map_err(|e| EnvelopeError::Invalid { field: "recorded_at", reason: e.to_string() })?,
                ),
            },
            language: match wire.language {
                language if language.is_empty() || words::is_tag(&language) => language,
                language => {
                    return Err(EnvelopeError::Invalid {
                        field: "language",
                        reason: format!("`{}` is not a language tag (such as ru, en)", crate::text::shown(&language)),
                    });
                }
            },
            signature: wire.signature,
            seal: wire.seal.map(|s| Seal {
                previous: s.previous,
                checkpoint: s.checkpoint.map(|c| Signed { size: c.size, signature: c.signature }),
            }),
            payload: wire.payload.ok_or(EnvelopeError::UnknownPayload)?,
        })
    }
}

impl From<&Envelope> for proto::v1::Envelope {
    fn from(e: &Envelope) -> Self {
        proto::v1::Envelope {
            exercise_id: e.exercise.to_string(),
            message_id: e.message_id.to_string(),
            sender: Some((&e.sender).into()),
            sent_at: Some(e.sent_at.into()),
            correlation_id: e.correlation_id.as_ref().map(ToString::to_string).unwrap_or_default(),
            causation_id: e.causation_id.as_ref().map(ToString::to_string).unwrap_or_default(),
            exercise_time: e.exercise_time.and_then(|d| prost_types::Duration::try_from(d).ok()),
            recorded_at: e.recorded_at.map(Into::into),
            language: e.language.clone(),
            signature: e.signature.clone(),
            seal: e.seal.as_ref().map(|s| proto::v1::Seal {
                previous: s.previous.clone(),
                checkpoint: s
                    .checkpoint
                    .as_ref()
                    .map(|c| proto::v1::Checkpoint { size: c.size, signature: c.signature.clone() }),
                ..Default::default()
            }),
            payload: Some(e.payload.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{NodeId, Role};
    use proto::v1::{AssemblyReport, RejectionCode};

    fn ex(s: &str) -> ExerciseId {
        ExerciseId::new(s).expect("valid id")
    }

    fn report() -> Envelope {
        let sender = Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid id"));
        Envelope::new(ex("cst-1"), sender, Payload::AssemblyReport(AssemblyReport { remarks: "ready".into() }))
    }

    #[test]
    fn encode_decode_round_trips() {
        let sent = report();
        let bytes = sent.encode(Limits::default()).expect("encodes");
        assert_eq!(Envelope::decode(&bytes, &ex("cst-1"), Limits::default()), Ok(sent));
    }

    #[test]
    fn the_language_of_a_text_is_a_tag_or_nothing() {
        let mut sent = report();
        sent.language = "ru".into();
        let bytes = sent.encode(Limits::default()).expect("encodes");
        assert_eq!(Envelope::decode(&bytes, &ex("cst-1"), Limits::default()).map(|e| e.language), Ok("ru".into()));
        let mut wire = proto::v1::Envelope::from(&sent);
        wire.language = "ru.UTF-8 <script>".into();
        match Envelope::try_from(wire) {
            Err(EnvelopeError::Invalid { field: "language", reason }) => assert!(reason.contains("not a language tag")),
            other => panic!("expected the language refused, got {other:?}"),
        }
    }

    #[test]
    fn causation_links_to_the_cause_and_keeps_the_conversation() {
        let first = report();
        let second = report().caused_by(&first);
        let third = report().caused_by(&second);
        assert_eq!(second.causation_id.as_ref(), Some(&first.message_id));
        assert_eq!(third.causation_id.as_ref(), Some(&second.message_id));
        assert_eq!(third.correlation_id.as_ref(), Some(&first.message_id));
    }

    #[test]
    fn wrong_exercise_is_refused() {
        let bytes = report().encode(Limits::default()).expect("encodes");
        let err = Envelope::decode(&bytes, &ex("cst-2"), Limits::default()).expect_err("refused");
        assert_eq!(err, EnvelopeError::WrongExercise { expected: "cst-2".into(), found: "cst-1".into() });
        assert_eq!(err.rejection_code(), RejectionCode::WrongExercise);
    }

    #[test]
    fn missing_ids_are_named() {
        let mut wire = proto::v1::Envelope::from(&report());
        wire.message_id.clear();
        assert_eq!(Envelope::try_from(wire.clone()), Err(EnvelopeError::Missing("message_id")));
        wire.message_id = "m1".into();
        wire.sender.as_mut().expect("sender set").node_id.clear();
        assert_eq!(Envelope::try_from(wire.clone()), Err(EnvelopeError::Missing("sender.node_id")));
        wire.sender = None;
        assert_eq!(Envelope::try_from(wire), Err(EnvelopeError::Missing("sender")));
    }

    #[test]
    fn unknown_payload_is_refused() {
        let mut wire = proto::v1::Envelope::from(&report());
        wire.payload = None;
        let err = Envelope::try_from(wire).expect_err("refused");
        assert_eq!(err.rejection_code(), RejectionCode::UnknownPayload);
    }

    #[test]
    fn oversized_payload_is_refused_both_ways() {
        let limits = Limits { max_message_bytes: 64 };
        let mut big = report();
        big.payload = Payload::AssemblyReport(AssemblyReport { remarks: "x".repeat(100) });
        assert!(matches!(big.encode(limits), Err(EnvelopeError::TooLarge { limit: 64, .. })));
        let bytes = big.encode(Limits::default()).expect("encodes");
        assert!(matches!(Envelope::decode(&bytes, &ex("cst-1"), limits), Err(EnvelopeError::TooLarge { .. })));
    }

    #[test]
    fn garbage_bytes_are_malformed_not_a_panic() {
        let err = Envelope::decode(&[0xff, 0xff, 0xff, 0x01], &ex("cst-1"), Limits::default()).expect_err("refused");
        assert!(matches!(err, EnvelopeError::Malformed(_)), "{err:?}");
    }
}
