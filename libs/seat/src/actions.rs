//! What a seat can do, built in one place: each act as the name its message id carries and the
//! payload it submits. The policy, a person's console, exercise control and the benchmarks build
//! their submissions here; they differ only in how the id is made: a policy's is deterministic
//! (`<node>-<name>`), so an act repeated after a restart is recognised; a person's carries a nonce,
//! since a person may do the same thing twice on purpose.

use bus::envelope::Payload;
use bus::{MessageId, NodeId};
use proto::v1::{self as wire, PositionKind};
use record::Phase;

/// One submission a seat decided to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Its message id: deterministic for a policy, so a repeat is recognised.
    pub message_id: MessageId,
    /// What to submit.
    pub payload: Payload,
    /// The language its free text is written in (`ru`); empty when unknown.
    pub language: String,
}

/// An act before it is anyone's: what it is called and what it submits.
#[derive(Debug, Clone, PartialEq)]
pub struct Act {
    /// The name its message id carries (`position-s1-03-v2`).
    pub name: String,
    /// What it submits.
    pub payload: Payload,
    /// The language its free text is written in (`ru`); empty when unknown.
    pub language: String,
}

/// Exercise control's commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Start an exercise that waits for the director.
    Start,
    /// Hold the exercise.
    Pause,
    /// Let it go on.
    Resume,
    /// Close the current window now.
    Advance,
}

impl Control {
    /// Every command.
    pub const ALL: [Control; 4] = [Control::Start, Control::Pause, Control::Resume, Control::Advance];

    /// Its name: what its act and its form are called (`advance`).
    pub fn name(self) -> &'static str {
        match self {
            Control::Start => "start",
            Control::Pause => "pause",
            Control::Resume => "resume",
            Control::Advance => "advance",
        }
    }

    /// The command called `name`.
    pub fn named(name: &str) -> Option<Control> {
        Control::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl Act {
    /// The report at assembly.
    pub fn assembly(remarks: impl Into<String>) -> Act {
        Act::new("assembly", Payload::AssemblyReport(wire::AssemblyReport { remarks: remarks.into() }))
    }

    /// A control point's activation, echoing its communications-check token; an empty token is
    /// filled in by the seat with the one it was sent.
    pub fn activation(token: impl Into<String>, remarks: impl Into<String>) -> Act {
        let activation = wire::ControlPointActivation { comms_check_token: token.into(), remarks: remarks.into() };
        Act::new("activation", Payload::ControlPointActivation(activation))
    }

    /// A state's assessment of stage `stage`'s situation.
    pub fn assessment(stage: u32, summary: impl Into<String>) -> Act {
        let assessment = wire::SituationAssessment { stage_number: stage, summary: summary.into() };
        Act::new(format!("assess-{stage}"), Payload::SituationAssessment(assessment))
    }

    /// A drafting body's first draft for its slot.
    pub fn draft(draft: wire::DraftDecision) -> Act {
        Act::new(format!("draft-{}-v{}", draft.slot_id, draft.version), Payload::DraftDecision(draft))
    }

    /// A new version of a draft, with a disposition of every comment open on the one it revises.
    pub fn revision(
        draft: wire::DraftDecision,
        change_summary: impl Into<String>,
        dispositions: Vec<wire::Disposition>,
    ) -> Act {
        let name = format!("draft-{}-v{}", draft.slot_id, draft.version);
        let revised = wire::DraftRevised { draft: Some(draft), change_summary: change_summary.into(), dispositions };
        Act::new(name, Payload::DraftRevised(revised))
    }

    /// A position on version `version` of slot `slot`'s draft.
    pub fn position(slot: impl Into<String>, version: u32, kind: PositionKind, reasons: Vec<String>) -> Act {
        let slot_id = slot.into();
        let name = format!("position-{slot_id}-v{version}");
        Act::new(
            name,
            Payload::Position(wire::Position { slot_id, draft_version: version, kind: kind as i32, reasons }),
        )
    }

    /// A state's confirmation that it received the package.
    pub fn receipt(package_id: impl Into<String>, digest: impl Into<String>) -> Act {
        let receipt = wire::ReceiptConfirmed { package_id: package_id.into(), digest: digest.into() };
        Act::new("receipt", Payload::ReceiptConfirmed(receipt))
    }

    /// A recipient's acknowledgement of inject `id`.
    pub fn acknowledge(id: impl Into<String>) -> Act {
        use sha2::Digest as _;
        let inject_id = id.into();
        // Short enough that the longest seat id and a person's nonce fit a message id beside it:
        // a long inject id is named by its digest.
        let name = if inject_id.len() <= 32 {
            format!("ack-{inject_id}")
        } else {
            format!("ack-{}", &bus::receipt::hex(&sha2::Sha256::digest(inject_id.as_bytes()))[..16])
        };
        Act::new(name, Payload::AcknowledgeInject(wire::AcknowledgeInject { inject_id }))
    }

    /// Exercise control's order to release planned inject `id` now.
    pub fn release(id: impl Into<String>) -> Act {
        let order = wire::release_inject::Inject::Planned(id.into());
        Act::new("release", Payload::ReleaseInject(wire::ReleaseInject { inject: Some(order) }))
    }

    /// Exercise control's inject written during the exercise, released at once.
    pub fn write_inject(inject: wire::Inject) -> Act {
        let order = wire::release_inject::Inject::Written(inject);
        Act::new("inject", Payload::ReleaseInject(wire::ReleaseInject { inject: Some(order) }))
    }

    /// An exercise-control command, with the director's reason and the window it was decided on
    /// (`meant`), which the coordinator refuses it for once another is open. A start names none.
    pub fn control(command: Control, meant: Option<Phase>, reason: impl Into<String>) -> Act {
        let reason = reason.into();
        let window = meant.map(Phase::window);
        let payload = match command {
            Control::Start => Payload::StartExercise(wire::StartExercise { reason, scenario: String::new() }),
            Control::Pause => Payload::PauseExercise(wire::PauseExercise { reason, window }),
            Control::Resume => Payload::ResumeExercise(wire::ResumeExercise { reason, window }),
            Control::Advance => Payload::AdvanceExercise(wire::AdvanceExercise { reason, window }),
        };
        Act::new(command.name(), payload)
    }

    /// A start with the plan the planner handed over (a scenario file's text) instead of the
    /// coordinator's own; any other act as it is.
    pub fn with_plan(mut self, plan: String) -> Act {
        if let Payload::StartExercise(start) = &mut self.payload {
            start.scenario = plan;
        }
        self
    }

    fn new(name: impl Into<String>, payload: Payload) -> Act {
        Act { name: name.into(), payload, language: String::new() }
    }

    /// The same act, its free text written in `language` (a tag such as `ru`).
    pub fn written_in(self, language: impl Into<String>) -> Act {
        Act { language: language.into(), ..self }
    }

    /// The same act under another name: a second revision of one version, answering more
    /// objections than the first, is a submission of its own.
    pub fn named(self, name: impl Into<String>) -> Act {
        Act { name: name.into(), ..self }
    }

    /// As `node`'s, with the deterministic id `<node>-<name>`.
    pub fn by(self, node: &NodeId) -> Action {
        let message_id = MessageId::new(format!("{node}-{}", self.name)).unwrap_or_else(|_| MessageId::generate());
        Action { message_id, payload: self.payload, language: self.language }
    }

    /// As a person's at seat `node`, with the id `<node>-<name>-<nonce>`.
    pub fn by_person(self, node: &NodeId, nonce: &str) -> Result<Action, bus::EnvelopeError> {
        let message_id = MessageId::new(format!("{node}-{}-{nonce}", self.name))?;
        Ok(Action { message_id, payload: self.payload, language: self.language })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policys_ids_are_deterministic_and_a_persons_carry_the_nonce() {
        let by = NodeId::new("BY").expect("valid");
        let position = || Act::position("s1-03", 2, PositionKind::NonConcur, vec!["too costly".into()]);
        assert_eq!(position().by(&by).message_id.as_str(), "BY-position-s1-03-v2");
        assert_eq!(position().by(&by), position().by(&by), "the same act, the same submission");
        let person = position().by_person(&by, "a1b2").expect("a valid id");
        assert_eq!(person.message_id.as_str(), "BY-position-s1-03-v2-a1b2");
        assert!(position().by_person(&by, "not a token").is_err(), "a nonce must keep the id a subject token");
        let draft = wire::DraftDecision { slot_id: "s1-03".into(), version: 3, ..Default::default() };
        assert_eq!(Act::revision(draft, "", vec![]).by(&by).message_id.as_str(), "BY-draft-s1-03-v3");
        // The longest seat id acknowledging the longest inject id, by a person: still a message id.
        let (seat, inject) = (NodeId::new("n".repeat(64)).expect("valid"), "i".repeat(64));
        let ack = Act::acknowledge(inject.clone()).by_person(&seat, "a1b2c3d4e5f6").expect("a valid id");
        assert_ne!(ack.message_id, Act::acknowledge(format!("{inject}x")).by(&seat).message_id);
        for command in Control::ALL {
            assert_eq!(Act::control(command, None, "now").name, command.name());
            assert_eq!(Control::named(command.name()), Some(command));
        }
    }
}
