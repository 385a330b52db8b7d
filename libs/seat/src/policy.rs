//! What an automated seat does in answer to an event: the scenario's policy for the participant.
//! Pure: no I/O, no clock. It reads the record (already holding the event) for what it needs.
//!
//! Every action has a deterministic message id (`<node>-<action>`), so an action repeated after a
//! restart is de-duplicated by JetStream and acknowledged as a duplicate by the coordinator.

use std::collections::BTreeSet;

use bus::envelope::Payload;
use bus::{Envelope, MessageId, Role};
use proto::v1::{self as wire, PositionKind};
use record::Record;
use scenario::{DraftingBody, Participant};

use crate::mind::Action;

/// Most versions a drafting body writes of one draft before it leaves it to consideration.
pub const MAX_VERSIONS: u32 = 3;

/// What the policy remembers between events beyond the record: the revisions it already made.
#[derive(Debug, Default)]
pub struct Memory {
    revised: BTreeSet<(String, u32)>,
}

/// The actions `me` takes on `event`, which `record` already holds.
pub fn react(me: &Participant, record: &Record, memory: &mut Memory, event: &Envelope) -> Vec<Action> {
    if me.absent || me.role == Role::Observer {
        return vec![];
    }
    let node = me.node.as_str();
    let act = |name: String, payload: Payload| Action {
        message_id: MessageId::new(format!("{node}-{name}")).unwrap_or_else(|_| MessageId::generate()),
        payload,
    };
    let gives_positions = me.role == Role::ControlPoint || (me.role == Role::Guest && me.policy.gives_positions);
    match &event.payload {
        Payload::Notification(_) => {
            vec![act(
                "assembly".into(),
                Payload::AssemblyReport(wire::AssemblyReport { remarks: format!("{} assembled", me.name) }),
            )]
        }
        Payload::DeploymentOrdered(d) if me.role == Role::ControlPoint => vec![act(
            "activation".into(),
            Payload::ControlPointActivation(wire::ControlPointActivation {
                comms_check_token: d.comms_check_token.clone(),
                remarks: "control point active; communications checked".into(),
            }),
        )],
        Payload::StageOpened(stage) => match body_of(me) {
            Some(body) => stage
                .slots
                .iter()
                .filter(|s| s.owner == body.to_wire() as i32 && !me.policy.skip.contains(&s.slot_id))
                .map(|s| {
                    let draft = first_draft(body, s, stage.stage_number);
                    act(format!("draft-{}-v1", s.slot_id), Payload::DraftDecision(draft))
                })
                .collect(),
            None if matches!(me.role, Role::ControlPoint | Role::Guest) => vec![act(
                format!("assess-{}", stage.stage_number),
                Payload::SituationAssessment(wire::SituationAssessment {
                    stage_number: stage.stage_number,
                    summary: format!(
                        "{}: situation in the {} assessed; operational group reports",
                        me.name, stage.region
                    ),
                }),
            )],
            None => vec![],
        },
        Payload::DraftDecision(d) | Payload::DraftRevised(wire::DraftRevised { draft: Some(d), .. }) => {
            if !gives_positions || me.policy.skip.contains(&d.slot_id) {
                return vec![];
            }
            let (kind, reasons) = position(me, &d.slot_id, d.version);
            vec![act(
                format!("position-{}-v{}", d.slot_id, d.version),
                Payload::Position(wire::Position {
                    slot_id: d.slot_id.clone(),
                    draft_version: d.version,
                    kind: kind as i32,
                    reasons,
                }),
            )]
        }
        Payload::Position(p) if p.kind() == PositionKind::NonConcur => {
            let Some(body) = body_of(me) else { return vec![] };
            let Some(current) = record.drafts.get(&p.slot_id).and_then(|d| d.latest()).map(|v| &v.draft) else {
                return vec![];
            };
            let mine = current.drafting_body == body.to_wire() as i32;
            if !mine || current.version != p.draft_version || current.version >= MAX_VERSIONS {
                return vec![];
            }
            if !memory.revised.insert((p.slot_id.clone(), p.draft_version)) {
                return vec![];
            }
            let revised = revise(current, &event.sender.node.to_string(), &p.reasons);
            vec![act(
                format!("draft-{}-v{}", p.slot_id, revised.version),
                Payload::DraftRevised(wire::DraftRevised {
                    change_summary: format!(
                        "answers the non-concurrence of {}: {}",
                        event.sender.node,
                        p.reasons.join("; ")
                    ),
                    draft: Some(revised),
                }),
            )]
        }
        Payload::PackageCommunicated(package) if me.role == Role::ControlPoint => vec![act(
            "receipt".into(),
            Payload::ReceiptConfirmed(wire::ReceiptConfirmed {
                package_id: package.package_id.clone(),
                digest: package.digest.clone(),
            }),
        )],
        _ => vec![],
    }
}

fn body_of(me: &Participant) -> Option<DraftingBody> {
    DraftingBody::ALL.iter().copied().find(|b| b.role() == me.role)
}

/// A state's position on one draft version, from its policy.
pub fn position(me: &Participant, slot: &str, version: u32) -> (PositionKind, Vec<String>) {
    let policy = &me.policy;
    let listed = |list: &[String]| list.iter().any(|s| s == slot);
    if listed(&policy.object) {
        (PositionKind::NonConcur, vec![format!("{} objects to the decision in substance", me.name)])
    } else if listed(&policy.non_concur_first_version) && version == 1 {
        (
            PositionKind::NonConcur,
            vec![format!("{} asks that the draft set out the national contribution and its financing", me.name)],
        )
    } else if listed(&policy.abstain) {
        (PositionKind::Abstain, vec![format!("{} is not interested in the matter and stands aside", me.name)])
    } else {
        (PositionKind::Concur, vec![])
    }
}

fn first_draft(body: DraftingBody, slot: &wire::Slot, stage: u32) -> wire::DraftDecision {
    wire::DraftDecision {
        slot_id: slot.slot_id.clone(),
        version: 1,
        drafting_body: body.to_wire() as i32,
        category: slot.category,
        title: slot.title.clone(),
        text: format!(
            "Draft decision of the Collective Security Council \"{}\", prepared by the {} in stage {stage}. \
             The Council decides to approve the proposals annexed hereto and instructs the Joint Staff and the \
             Secretariat to ensure their implementation.",
            slot.title, body
        ),
    }
}

fn revise(current: &wire::DraftDecision, objector: &str, reasons: &[String]) -> wire::DraftDecision {
    wire::DraftDecision {
        version: current.version + 1,
        text: format!(
            "{}\n\nRevision {}: amended to take account of the remarks of {objector} ({}).",
            current.text,
            current.version + 1,
            reasons.join("; ")
        ),
        ..current.clone()
    }
}
