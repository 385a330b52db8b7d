//! What the coordinator checks before it accepts a participant's submission. Pure; a check that
//! fails names its rejection code and why.

use bus::envelope::Payload;
use bus::{Envelope, NodeId, Role};
use proto::v1::{self as wire, DispositionKind, PositionKind, RejectionCode};
use record::{Participant, Phase, Plan, Record};

use crate::config::Config;

/// A refusal with its code.
#[derive(Debug)]
pub struct Refusal(pub RejectionCode, pub String);

/// A refusal, as the `Err` of a check.
pub fn refuse<T>(code: RejectionCode, reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(code, reason.into()))
}

/// A refusal for a payload the current phase does not take.
pub fn wrong_phase<T>(state: &Record, what: &str) -> Result<T, Refusal> {
    refuse(RejectionCode::WrongPhase, format!("{what} is not accepted in {}", state.phase.phase))
}

/// Exercise control must carry the director's signature when the exercise knows its key.
pub fn director_signature(key: Option<&String>, envelope: &Envelope) -> Result<(), Refusal> {
    match key {
        Some(key) if !bus::seal::signed_by(envelope, key) => {
            refuse(RejectionCode::BadSignature, "exercise control is not signed with the director's key")
        }
        _ => Ok(()),
    }
}

/// Checks who sent a message, before anything else about it: the exercise, and the sender's
/// signature (exercise control's by the director's key: the plan's, or before the notification
/// the one the coordinator was given; a participant's by its own).
pub fn sender(config: &Config, state: &Record, envelope: &Envelope) -> Result<(), Refusal> {
    if envelope.exercise != config.exercise {
        return refuse(RejectionCode::WrongExercise, format!("this is exercise {}", config.exercise));
    }
    if envelope.sender.role == Role::Coordinator {
        let key = match &state.plan {
            Some(plan) => plan.director_key.as_ref(),
            None => config.keys.director.as_ref(),
        };
        return director_signature(key, envelope);
    }
    let participant = participant(state, envelope)?;
    if participant.role == Role::Observer {
        return refuse(RejectionCode::NotPermitted, "observers publish nothing");
    }
    if let Some(key) = &participant.public_key
        && !bus::seal::signed_by(envelope, key)
    {
        return refuse(
            RejectionCode::BadSignature,
            format!("the submission is not signed with {}'s key", envelope.sender.node),
        );
    }
    Ok(())
}

fn participant<'a>(state: &'a Record, envelope: &Envelope) -> Result<&'a Participant, Refusal> {
    let Some(plan) = &state.plan else { return wrong_phase(state, "a submission") };
    let participant = plan.participant(&envelope.sender.node).filter(|p| p.role == envelope.sender.role);
    participant.map_or_else(
        || {
            refuse(
                RejectionCode::NotAParticipant,
                format!("{} is not a participant of this exercise", envelope.sender.node),
            )
        },
        Ok,
    )
}

/// Checks a participant's submission, whose sender [`sender`] proved, against the record.
pub fn submission(config: &Config, state: &Record, envelope: &Envelope) -> Result<(), Refusal> {
    let Some(plan) = &state.plan else { return wrong_phase(state, "a submission") };
    let participant = participant(state, envelope)?;
    if participant.declared_absent {
        return refuse(
            RejectionCode::NotAParticipant,
            format!("{} is declared absent in the scenario", envelope.sender.node),
        );
    }
    if state.absent.contains(&envelope.sender.node) {
        return refuse(
            RejectionCode::NotAParticipant,
            format!("{} was recorded absent at assembly", envelope.sender.node),
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
                return wrong_phase(state, "an assembly report");
            }
            if state.reported.contains_key(node) {
                return refuse(RejectionCode::InvalidContent, format!("{node} has already reported"));
            }
        }
        Payload::ControlPointActivation(a) => {
            if phase != Phase::Deployment {
                return wrong_phase(state, "an activation");
            }
            if !is_state {
                return refuse(RejectionCode::NotPermitted, "only control points activate");
            }
            let expected = if config.comms.per_state() {
                state.comms_token.as_ref().map(|_| config.comms.token(&config.exercise, node))
            } else {
                state.comms_token.clone()
            };
            if expected.as_deref() != Some(a.comms_check_token.as_str()) {
                return refuse(RejectionCode::InvalidContent, "communications check token does not match");
            }
            if state.activated.contains_key(node) {
                return refuse(RejectionCode::InvalidContent, format!("{node} is already active"));
            }
        }
        Payload::SituationAssessment(a) => {
            let Phase::Stage(n) = phase else { return wrong_phase(state, "an assessment") };
            if !(is_state || participant.role == Role::Guest) {
                return refuse(RejectionCode::NotPermitted, "only states and guests assess the situation");
            }
            if a.stage_number != n {
                return refuse(
                    RejectionCode::WrongPhase,
                    format!("stage {} is not open; stage {n} is", a.stage_number),
                );
            }
            if a.summary.trim().is_empty() {
                return refuse(RejectionCode::Malformed, "assessment summary is empty");
            }
            if state.assessments.contains_key(&(n, node.clone())) {
                return refuse(RejectionCode::InvalidContent, format!("{node} has already assessed stage {n}"));
            }
        }
        Payload::DraftDecision(d) => {
            draft(plan, state, participant, d)?;
            if d.version != 1 {
                return refuse(
                    RejectionCode::InvalidContent,
                    "a new draft is version 1; a later version is a revision",
                );
            }
            if state.drafts.contains_key(&d.slot_id) {
                return refuse(
                    RejectionCode::InvalidContent,
                    format!("slot {} already has a draft; revise it", d.slot_id),
                );
            }
        }
        Payload::DraftRevised(r) => {
            let Some(d) = &r.draft else { return refuse(RejectionCode::Malformed, "a revision without its draft") };
            draft(plan, state, participant, d)?;
            let Some(record) = state.drafts.get(&d.slot_id) else {
                return refuse(RejectionCode::InvalidContent, format!("slot {} has no draft to revise", d.slot_id));
            };
            if d.version != record.current() + 1 {
                return refuse(
                    RejectionCode::StaleVersion,
                    format!("the next version of {} is {}", d.slot_id, record.current() + 1),
                );
            }
            dispositions(record, &r.dispositions)?;
        }
        Payload::Position(p) => position(plan, state, participant, node, p)?,
        Payload::ReceiptConfirmed(r) => {
            if phase != Phase::Distribution {
                return wrong_phase(state, "a receipt");
            }
            if !is_state {
                return refuse(RejectionCode::NotPermitted, "only states confirm receipt");
            }
            let Some(package) = &state.package else { return wrong_phase(state, "a receipt") };
            if r.package_id != package.answer.package_id || r.digest != package.answer.digest {
                return refuse(RejectionCode::InvalidContent, "receipt names another package or digest");
            }
            if state.receipts.contains_key(node) {
                return refuse(RejectionCode::InvalidContent, format!("{node} has already confirmed receipt"));
            }
        }
        other => {
            return refuse(
                RejectionCode::NotPermitted,
                format!("{} is not a participant's message", bus::envelope::payload_kind(other).replace('_', " ")),
            );
        }
    }
    Ok(())
}

/// A revision answers the comments open on the version it revises: each at most once, every
/// comment of a non-concurrence, and a comment not accepted with the reason why.
fn dispositions(draft: &record::Draft, given: &[wire::Disposition]) -> Result<(), Refusal> {
    let open = draft.open_comments(draft.current());
    for (i, d) in given.iter().enumerate() {
        if !open.iter().any(|c| c.id == d.comment_id) {
            return refuse(
                RejectionCode::InvalidContent,
                format!("comment {} is not open on version {}", d.comment_id, draft.current()),
            );
        }
        if given[..i].iter().any(|e| e.comment_id == d.comment_id) {
            return refuse(RejectionCode::InvalidContent, format!("comment {} has two dispositions", d.comment_id));
        }
        match DispositionKind::try_from(d.kind) {
            Ok(DispositionKind::Unspecified) | Err(_) => {
                return refuse(RejectionCode::Malformed, format!("the disposition of {} has no kind", d.comment_id));
            }
            Ok(DispositionKind::NotAccepted) if d.reason.trim().is_empty() => {
                return refuse(
                    RejectionCode::InvalidContent,
                    format!("comment {} is not accepted without a reason", d.comment_id),
                );
            }
            Ok(_) => {}
        }
    }
    let missing: Vec<String> =
        open.into_iter().filter(|c| c.objection && !given.iter().any(|d| d.comment_id == c.id)).map(|c| c.id).collect();
    if !missing.is_empty() {
        return refuse(
            RejectionCode::UnresolvedComment,
            format!("the revision gives no disposition for {}", missing.join(", ")),
        );
    }
    Ok(())
}

fn draft(plan: &Plan, state: &Record, participant: &Participant, d: &wire::DraftDecision) -> Result<(), Refusal> {
    let Phase::Stage(n) = state.phase.phase else { return wrong_phase(state, "a draft") };
    let Some((stage, slot)) = plan.slot(&d.slot_id) else {
        return refuse(RejectionCode::UnknownSlot, format!("no slot {} in this exercise", d.slot_id));
    };
    if stage != n {
        return refuse(
            RejectionCode::UnknownSlot,
            format!("slot {} belongs to stage {stage}; stage {n} is open", d.slot_id),
        );
    }
    if slot.owner.role() != participant.role {
        return refuse(RejectionCode::NotPermitted, format!("slot {} is owned by the {}", d.slot_id, slot.owner));
    }
    if d.drafting_body != slot.owner.to_wire() as i32 || d.category != slot.category.to_wire() as i32 {
        return refuse(
            RejectionCode::InvalidContent,
            format!("drafting body or category does not match slot {}", d.slot_id),
        );
    }
    if d.title.trim().is_empty() || d.text.trim().is_empty() {
        return refuse(RejectionCode::Malformed, "a draft needs a title and a text");
    }
    if state.outcomes.contains_key(&d.slot_id) {
        return refuse(RejectionCode::WrongPhase, format!("slot {} is already considered", d.slot_id));
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
    let Phase::Stage(n) = state.phase.phase else { return wrong_phase(state, "a position") };
    if !participant.gives_positions() {
        return refuse(
            RejectionCode::NotPermitted,
            format!("the {} gives no positions on drafts", participant.role.label()),
        );
    }
    if plan.slot(&p.slot_id).is_none() {
        return refuse(RejectionCode::UnknownSlot, format!("no slot {} in this exercise", p.slot_id));
    }
    let Some(record) = state.drafts.get(&p.slot_id).filter(|r| r.stage == n) else {
        return refuse(RejectionCode::UnknownSlot, format!("slot {} has no draft open in stage {n}", p.slot_id));
    };
    if p.draft_version != record.current() {
        return refuse(
            RejectionCode::StaleVersion,
            format!("version {} of {} is not current; version {} is", p.draft_version, p.slot_id, record.current()),
        );
    }
    match PositionKind::try_from(p.kind) {
        Ok(PositionKind::Unspecified) | Err(_) => return refuse(RejectionCode::Malformed, "position kind is not set"),
        Ok(PositionKind::NonConcur) if p.reasons.iter().all(|r| r.trim().is_empty()) => {
            return refuse(RejectionCode::Malformed, "a non-concurrence needs its reasons");
        }
        Ok(_) => {}
    }
    if record.latest().is_some_and(|v| v.positions.contains_key(node)) {
        return refuse(
            RejectionCode::InvalidContent,
            format!("{node} has already answered version {}", p.draft_version),
        );
    }
    Ok(())
}
