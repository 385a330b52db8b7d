//! Injects: a stage's planned ones released when their time comes on the clock, or by the
//! director's hand; one the director writes during the exercise released at once; each
//! acknowledged by its recipients (checked with every participant's submission, `checks`). Pure.

use bus::envelope::Payload;
use bus::{Envelope, NodeId, Role};
use proto::v1::release_inject::Inject as Order;
use proto::v1::{self as wire, InjectRelease, RejectionCode};
use record::{Moment, Phase, Plan, Record};
use words::Message;

use crate::checks::{Refusal, refuse, wrong_phase};
use crate::config::Config;
use crate::events::{emit, event};

/// Releases the open stage's timed injects whose time has come.
pub fn release_due(config: &Config, next: &mut Record, now: Moment) -> Vec<Envelope> {
    let (Phase::Stage(stage), Some(plan)) = (next.phase.phase, &next.plan) else { return vec![] };
    let events: Vec<Envelope> = next
        .injects_due(now.exercise)
        .into_iter()
        .map(|inject| {
            let wire = record::plan::inject_to_wire(inject, &plan.language);
            released(config, plan, now, stage, wire, InjectRelease::AtItsTime)
        })
        .collect();
    emit(next, events)
}

/// The director's order to release an inject now (`envelope` holds a [`wire::ReleaseInject`]):
/// the order recorded, and the inject released.
pub fn release(
    config: &Config,
    next: &mut Record,
    envelope: &Envelope,
    order: &wire::ReleaseInject,
    now: Moment,
) -> Result<Vec<Envelope>, Refusal> {
    let released = released_by(config, next, envelope, order, now)?;
    let recorded = Envelope { exercise_time: Some(now.exercise), recorded_at: Some(now.wall), ..envelope.clone() };
    Ok(emit(next, vec![recorded, released]))
}

/// An order the log holds already, come again: its leader stopped after recording it and before
/// the inject went out, so the inject goes out now, if it still may.
pub fn finish(
    config: &Config,
    next: &mut Record,
    envelope: &Envelope,
    order: &wire::ReleaseInject,
    now: Moment,
) -> Vec<Envelope> {
    match released_by(config, next, envelope, order, now) {
        Ok(released) => emit(next, vec![released]),
        Err(_) => vec![],
    }
}

/// The inject an order releases, as the event that releases it.
fn released_by(
    config: &Config,
    next: &Record,
    envelope: &Envelope,
    order: &wire::ReleaseInject,
    now: Moment,
) -> Result<Envelope, Refusal> {
    let (Phase::Stage(stage), Some(plan)) = (next.phase.phase, &next.plan) else {
        return wrong_phase(next, "release_inject");
    };
    let (inject, how) = match &order.inject {
        Some(Order::Planned(id)) => (planned(plan, next, id, stage)?, InjectRelease::ByHand),
        Some(Order::Written(inject)) => (written(plan, next, inject, stage)?, InjectRelease::Written),
        None => return refuse(RejectionCode::Malformed, Message::new("reason-inject-none")),
    };
    let mut released = released(config, plan, now, stage, inject, how).caused_by(envelope);
    if how == InjectRelease::Written {
        released.language = envelope.language.clone();
    }
    Ok(released)
}

/// A planned inject of the open stage, not released yet.
fn planned(plan: &Plan, state: &Record, id: &str, open: u32) -> Result<wire::Inject, Refusal> {
    let Some((stage, inject)) = plan.inject(id) else {
        return refuse(RejectionCode::UnknownInject, Message::new("reason-inject-unknown").with("inject", id));
    };
    if stage != open {
        let reason =
            Message::new("reason-inject-other-stage").with("inject", id).with("stage", stage).with("open", open);
        return refuse(RejectionCode::WrongPhase, reason);
    }
    if state.released(id).is_some() {
        return refuse(RejectionCode::InvalidContent, Message::new("reason-inject-released").with("inject", id));
    }
    Ok(record::plan::inject_to_wire(inject, &plan.language))
}

/// An inject the director wrote: a new id, a text, recipients and slot the exercise knows.
fn written(plan: &Plan, state: &Record, inject: &wire::Inject, open: u32) -> Result<wire::Inject, Refusal> {
    let id = inject.inject_id.as_str();
    // An id as a scenario's: a token no longer than a node id, so the event's id stays one too.
    if bus::NodeId::new(id).is_err() {
        return refuse(RejectionCode::Malformed, Message::new("reason-inject-id").with("inject", id));
    }
    if plan.inject(id).is_some() || state.released(id).is_some() {
        return refuse(RejectionCode::InvalidContent, Message::new("reason-inject-id-taken").with("inject", id));
    }
    if inject.after.is_some() {
        return refuse(RejectionCode::Malformed, Message::new("reason-inject-written-timed"));
    }
    if inject.text.trim().is_empty() {
        return refuse(RejectionCode::InvalidContent, Message::new("reason-inject-empty"));
    }
    let translations =
        inject.from_in.iter().chain(&inject.text_in).chain(&inject.expects_in).chain(&inject.objective_in);
    if let Some(t) = translations.into_iter().find(|t| !words::is_tag(&t.language)) {
        return refuse(RejectionCode::Malformed, Message::new("reason-inject-language").with("language", &t.language));
    }
    for to in &inject.to {
        let role = NodeId::new(to.as_str()).ok().and_then(|n| plan.participant(&n).map(|p| p.role));
        if role.is_none_or(|r| r == Role::Observer) {
            return refuse(RejectionCode::NotAParticipant, Message::new("reason-inject-seat").with("node", to));
        }
    }
    let slots = plan.stages.iter().filter(|s| s.number == open).flat_map(|s| &s.slots);
    if !inject.slot_id.is_empty() && !slots.into_iter().any(|s| s.id == inject.slot_id) {
        let reason = Message::new("reason-inject-slot").with("slot", &inject.slot_id).with("stage", open);
        return refuse(RejectionCode::UnknownSlot, reason);
    }
    Ok(inject.clone())
}

fn released(
    config: &Config,
    plan: &Plan,
    now: Moment,
    stage: u32,
    inject: wire::Inject,
    how: InjectRelease,
) -> Envelope {
    let to: Vec<NodeId> = inject.to.iter().filter_map(|n| NodeId::new(n.as_str()).ok()).collect();
    let recipients = record::released::recipients(plan, &to);
    let id = format!("inject-{}", inject.inject_id);
    let released = wire::InjectReleased { stage_number: stage, inject: Some(inject), release: how as i32, recipients };
    event(&config.exercise, now, id, Payload::InjectReleased(released))
}
