//! What the coordinator checks before it accepts a participant's submission. Pure; a check that
//! fails names its rejection code and why.

use bus::envelope::Payload;
use bus::{Envelope, NodeId, Role};
use proto::v1::{self as wire, DispositionKind, PositionKind, RejectionCode};
use record::{Participant, Phase, Plan, Record};

use crate::config::Config;
use words::Message;

/// A refusal with its code, and why as a message of the catalogues (`reason-*`): the reply
/// carries it in English and as the message, for each reader to say in its language.
#[derive(Debug)]
pub struct Refusal(pub RejectionCode, pub Message);

/// A refusal, as the `Err` of a check.
pub fn refuse<T>(code: RejectionCode, reason: Message) -> Result<T, Refusal> {
    Err(Refusal(code, reason))
}

/// The phase as a refusal's arguments name it: `<prefix>phase` its token (`stage`),
/// `<prefix>stage` its stage's number (0 for none).
pub fn phase_args(message: Message, prefix: &str, phase: Phase) -> Message {
    let stage = if let Phase::Stage(n) = phase { n } else { 0 };
    message.with(format!("{prefix}phase"), phase.token()).with(format!("{prefix}stage"), stage)
}

/// A refusal for a payload (`what`, a payload kind such as `position`) the current phase does not take.
pub fn wrong_phase<T>(state: &Record, what: &str) -> Result<T, Refusal> {
    let reason = phase_args(Message::new("reason-wrong-phase").with("what", what), "", state.phase.phase);
    refuse(RejectionCode::WrongPhase, reason)
}

/// Whether `envelope` carries `key`'s signature: known already when a batch found it `checked`
/// by that very key.
fn signed(envelope: &Envelope, key: &str, checked: Option<&str>) -> bool {
    checked == Some(key) || bus::seal::signed_by(envelope, key)
}

/// Exercise control must carry the director's signature when the exercise knows its key.
pub fn director_signature(key: Option<&String>, envelope: &Envelope, checked: Option<&str>) -> Result<(), Refusal> {
    match key {
        Some(key) if !signed(envelope, key, checked) => {
            refuse(RejectionCode::BadSignature, Message::new("reason-not-the-directors-key"))
        }
        _ => Ok(()),
    }
}

/// Checks who sent a message, before anything else about it: the exercise, and the sender's
/// signature (exercise control's by the director's key: the plan's, or before the notification
/// the one the coordinator was given; a participant's by its own). `checked`: the key a batch found
/// the signature to be, if it was checked already.
pub fn sender(config: &Config, state: &Record, envelope: &Envelope, checked: Option<&str>) -> Result<(), Refusal> {
    if envelope.exercise != config.exercise {
        return refuse(
            RejectionCode::WrongExercise,
            Message::new("reason-wrong-exercise").with("exercise", &config.exercise),
        );
    }
    if envelope.sender.role == Role::Coordinator {
        let key = match &state.plan {
            Some(plan) => plan.director_key.as_ref(),
            None => config.keys.director.as_ref(),
        };
        return director_signature(key, envelope, checked);
    }
    let participant = participant(state, envelope)?;
    if participant.role == Role::Observer {
        return refuse(RejectionCode::NotPermitted, Message::new("reason-observers-publish-nothing"));
    }
    if let Some(key) = &participant.public_key
        && !signed(envelope, key, checked)
    {
        return refuse(
            RejectionCode::BadSignature,
            Message::new("reason-not-its-key").with("node", &envelope.sender.node),
        );
    }
    Ok(())
}

fn participant<'a>(state: &'a Record, envelope: &Envelope) -> Result<&'a Participant, Refusal> {
    let Some(plan) = &state.plan else { return wrong_phase(state, "submission") };
    let participant = plan.participant(&envelope.sender.node).filter(|p| p.role == envelope.sender.role);
    participant.map_or_else(
        || {
            refuse(
                RejectionCode::NotAParticipant,
                Message::new("reason-not-a-participant").with("node", &envelope.sender.node),
            )
        },
        Ok,
    )
}

/// Checks a participant's submission, whose sender [`sender`] proved, against the record.
pub fn submission(config: &Config, state: &Record, envelope: &Envelope) -> Result<(), Refusal> {
    let Some(plan) = &state.plan else { return wrong_phase(state, "submission") };
    let participant = participant(state, envelope)?;
    if participant.declared_absent {
        return refuse(
            RejectionCode::NotAParticipant,
            Message::new("reason-declared-absent").with("node", &envelope.sender.node),
        );
    }
    if state.absent.contains(&envelope.sender.node) {
        return refuse(
            RejectionCode::NotAParticipant,
            Message::new("reason-recorded-absent").with("node", &envelope.sender.node),
        );
    }
    payload(config, plan, state, envelope, participant)
}

/// Validates one participant's payload against the phase and what is recorded.
fn payload(
    config: &Config,
    plan: &Plan,
    state: &Record,
    envelope: &Envelope,
    participant: &Participant,
) -> Result<(), Refusal> {
    let node = &envelope.sender.node;
    let phase = state.phase.phase;
    let is_state = participant.role == Role::ControlPoint;
    match &envelope.payload {
        Payload::AssemblyReport(_) => {
            if phase != Phase::Assembly {
                return wrong_phase(state, "assembly_report");
            }
            if state.reported.contains_key(node) {
                return refuse(
                    RejectionCode::InvalidContent,
                    Message::new("reason-already-reported").with("node", node),
                );
            }
        }
        Payload::ControlPointActivation(a) => {
            if phase != Phase::Deployment {
                return wrong_phase(state, "control_point_activation");
            }
            if !is_state {
                return refuse(RejectionCode::NotPermitted, Message::new("reason-only-control-points-activate"));
            }
            let expected = if config.comms.per_state() {
                state.comms_token.as_ref().map(|_| config.comms.token(&config.exercise, node))
            } else {
                state.comms_token.clone()
            };
            if expected.as_deref() != Some(a.comms_check_token.as_str()) {
                return refuse(RejectionCode::InvalidContent, Message::new("reason-token-does-not-match"));
            }
            if state.activated.contains_key(node) {
                return refuse(RejectionCode::InvalidContent, Message::new("reason-already-active").with("node", node));
            }
        }
        Payload::SituationAssessment(a) => {
            let Phase::Stage(n) = phase else { return wrong_phase(state, "situation_assessment") };
            if !(is_state || participant.role == Role::Guest) {
                return refuse(RejectionCode::NotPermitted, Message::new("reason-only-states-assess"));
            }
            if a.stage_number != n {
                let reason = Message::new("reason-stage-not-open").with("stage", a.stage_number).with("open", n);
                return refuse(RejectionCode::WrongPhase, reason);
            }
            if a.summary.trim().is_empty() {
                return refuse(RejectionCode::Malformed, Message::new("reason-assessment-empty"));
            }
            if state.assessments.contains_key(&(n, node.clone())) {
                return refuse(
                    RejectionCode::InvalidContent,
                    Message::new("reason-already-assessed").with("node", node).with("stage", n),
                );
            }
        }
        Payload::DraftDecision(d) => {
            draft(plan, state, participant, d)?;
            if d.version != 1 {
                return refuse(RejectionCode::InvalidContent, Message::new("reason-new-draft-is-version-1"));
            }
            if state.drafts.contains_key(&d.slot_id) {
                return refuse(
                    RejectionCode::InvalidContent,
                    Message::new("reason-draft-exists").with("slot", &d.slot_id),
                );
            }
        }
        Payload::DraftRevised(r) => {
            let Some(d) = &r.draft else {
                return refuse(RejectionCode::Malformed, Message::new("reason-revision-without-draft"));
            };
            draft(plan, state, participant, d)?;
            let Some(record) = state.drafts.get(&d.slot_id) else {
                return refuse(
                    RejectionCode::InvalidContent,
                    Message::new("reason-nothing-to-revise").with("slot", &d.slot_id),
                );
            };
            if d.version != record.current() + 1 {
                let reason =
                    Message::new("reason-next-version").with("slot", &d.slot_id).with("version", record.current() + 1);
                return refuse(RejectionCode::StaleVersion, reason);
            }
            dispositions(record, &r.dispositions)?;
        }
        Payload::Position(p) => position(plan, state, participant, node, p)?,
        Payload::ReceiptConfirmed(r) => {
            if phase != Phase::Distribution {
                return wrong_phase(state, "receipt_confirmed");
            }
            if !is_state {
                return refuse(RejectionCode::NotPermitted, Message::new("reason-only-states-confirm"));
            }
            let Some(package) = &state.package else { return wrong_phase(state, "receipt_confirmed") };
            if r.package_id != package.answer.package_id || r.digest != package.answer.digest {
                return refuse(RejectionCode::InvalidContent, Message::new("reason-another-package"));
            }
            if state.receipts.contains_key(node) {
                return refuse(
                    RejectionCode::InvalidContent,
                    Message::new("reason-already-confirmed").with("node", node),
                );
            }
        }
        Payload::AcknowledgeInject(a) => acknowledgement(state, node, &a.inject_id)?,
        other => {
            let reason =
                Message::new("reason-not-a-participants-message").with("what", bus::envelope::payload_kind(other));
            return refuse(RejectionCode::NotPermitted, reason);
        }
    }
    Ok(())
}

/// A recipient's acknowledgement: of an inject released to it, once.
fn acknowledgement(state: &Record, node: &NodeId, id: &str) -> Result<(), Refusal> {
    let Some(released) = state.released(id) else {
        return refuse(RejectionCode::UnknownInject, Message::new("reason-inject-not-released").with("inject", id));
    };
    if !released.is_for(node) {
        let reason = Message::new("reason-inject-not-for").with("inject", id).with("node", node);
        return refuse(RejectionCode::NotPermitted, reason);
    }
    if released.acknowledged.contains_key(node) {
        let reason = Message::new("reason-inject-acknowledged").with("inject", id).with("node", node);
        return refuse(RejectionCode::InvalidContent, reason);
    }
    Ok(())
}

/// A revision answers the comments open on the version it revises: each at most once, every
/// comment of a non-concurrence, and a comment not accepted with the reason why.
fn dispositions(draft: &record::Draft, given: &[wire::Disposition]) -> Result<(), Refusal> {
    let open = draft.open_comments(draft.current());
    for (i, d) in given.iter().enumerate() {
        if !open.iter().any(|c| c.id == d.comment_id) {
            let reason =
                Message::new("reason-comment-not-open").with("comment", &d.comment_id).with("version", draft.current());
            return refuse(RejectionCode::InvalidContent, reason);
        }
        if given[..i].iter().any(|e| e.comment_id == d.comment_id) {
            return refuse(
                RejectionCode::InvalidContent,
                Message::new("reason-two-dispositions").with("comment", &d.comment_id),
            );
        }
        match DispositionKind::try_from(d.kind) {
            Ok(DispositionKind::Unspecified) | Err(_) => {
                return refuse(
                    RejectionCode::Malformed,
                    Message::new("reason-disposition-without-kind").with("comment", &d.comment_id),
                );
            }
            Ok(DispositionKind::NotAccepted) if d.reason.trim().is_empty() => {
                let reason = Message::new("reason-not-accepted-without-reason").with("comment", &d.comment_id);
                return refuse(RejectionCode::InvalidContent, reason);
            }
            Ok(_) => {}
        }
    }
    let missing: Vec<String> =
        open.into_iter().filter(|c| c.objection && !given.iter().any(|d| d.comment_id == c.id)).map(|c| c.id).collect();
    if !missing.is_empty() {
        let reason = Message::new("reason-no-disposition").with("comments", missing.join(", "));
        return refuse(RejectionCode::UnresolvedComment, reason);
    }
    Ok(())
}

fn draft(plan: &Plan, state: &Record, participant: &Participant, d: &wire::DraftDecision) -> Result<(), Refusal> {
    let Phase::Stage(n) = state.phase.phase else { return wrong_phase(state, "draft_decision") };
    let Some((stage, slot)) = plan.slot(&d.slot_id) else {
        return refuse(RejectionCode::UnknownSlot, Message::new("reason-unknown-slot").with("slot", &d.slot_id));
    };
    if stage != n {
        let reason =
            Message::new("reason-slot-of-another-stage").with("slot", &d.slot_id).with("stage", stage).with("open", n);
        return refuse(RejectionCode::UnknownSlot, reason);
    }
    if slot.owner.role() != participant.role {
        return refuse(
            RejectionCode::NotPermitted,
            Message::new("reason-owned-by").with("slot", &d.slot_id).with("body", slot.owner.token()),
        );
    }
    if d.drafting_body != slot.owner.to_wire() as i32 || d.category != slot.category.to_wire() as i32 {
        return refuse(RejectionCode::InvalidContent, Message::new("reason-body-or-category").with("slot", &d.slot_id));
    }
    if d.title.trim().is_empty() || d.text.trim().is_empty() {
        return refuse(RejectionCode::Malformed, Message::new("reason-title-and-text"));
    }
    if state.outcomes.contains_key(&d.slot_id) {
        return refuse(RejectionCode::WrongPhase, Message::new("reason-already-considered").with("slot", &d.slot_id));
    }
    Ok(())
}

fn position(
    plan: &Plan,
    state: &Record,
    participant: &Participant,
    node: &NodeId,
    p: &wire::Position,
) -> Result<(), Refusal> {
    let Phase::Stage(n) = state.phase.phase else { return wrong_phase(state, "position") };
    if !participant.gives_positions() {
        return refuse(
            RejectionCode::NotPermitted,
            Message::new("reason-gives-no-positions").with("role", participant.role.token()),
        );
    }
    if plan.slot(&p.slot_id).is_none() {
        return refuse(RejectionCode::UnknownSlot, Message::new("reason-unknown-slot").with("slot", &p.slot_id));
    }
    let Some(record) = state.drafts.get(&p.slot_id).filter(|r| r.stage == n) else {
        return refuse(
            RejectionCode::UnknownSlot,
            Message::new("reason-no-draft-open").with("slot", &p.slot_id).with("stage", n),
        );
    };
    if p.draft_version != record.current() {
        let reason = Message::new("reason-stale-version")
            .with("version", p.draft_version)
            .with("slot", &p.slot_id)
            .with("current", record.current());
        return refuse(RejectionCode::StaleVersion, reason);
    }
    match PositionKind::try_from(p.kind) {
        Ok(PositionKind::Unspecified) | Err(_) => {
            return refuse(RejectionCode::Malformed, Message::new("reason-position-kind-unset"));
        }
        Ok(PositionKind::NonConcur) if p.reasons.iter().all(|r| r.trim().is_empty()) => {
            return refuse(RejectionCode::Malformed, Message::new("reason-non-concurrence-needs-reasons"));
        }
        Ok(_) => {}
    }
    if record.latest().is_some_and(|v| v.positions.contains_key(node)) {
        let reason = Message::new("reason-already-answered").with("node", node).with("version", p.draft_version);
        return refuse(RejectionCode::InvalidContent, reason);
    }
    Ok(())
}
