//! How windows close: at their deadline, early when everything expected has arrived (always for
//! assembly, deployment and distribution; for stages in fast mode), or on the director's advance;
//! and what closing a window records: absentees, the next stage, the consideration of every slot
//! under the decision rule, the package. Pure.

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, NodeId, Role};
use proto::v1::{self as wire, Outcome, PositionKind};
use record::package::digest;
use record::{Mode, Moment, Phase, Plan, Record};
use scenario::DecisionRule;

use crate::config::Config;
use crate::events::{emit, event, phase_changed};

/// Closes the current window if its deadline has passed, or if it may close early.
pub fn close_if_due(config: &Config, next: &mut Record, now: Moment) -> Vec<Envelope> {
    if next.phase.paused {
        return vec![];
    }
    match next.deadline() {
        Some(at) if now.exercise >= at => close(config, next, now),
        _ => close_if_complete(config, next, now),
    }
}

/// Closes the current window if everything it waits for has arrived and it may close early.
pub fn close_if_complete(config: &Config, next: &mut Record, now: Moment) -> Vec<Envelope> {
    if next.phase.paused || !next.complete() {
        return vec![];
    }
    let early = match next.phase.phase {
        Phase::Assembly | Phase::Deployment | Phase::Distribution => true,
        Phase::Stage(_) => next.plan.as_ref().is_some_and(|p| p.mode == Mode::Fast),
        Phase::NotStarted | Phase::Concluded => false,
    };
    if early { close(config, next, now) } else { vec![] }
}

/// Closes the current window: the events that end it and open the next, after the stage's
/// injects whose time has come, however the window closes (its deadline, early, the director).
pub fn close(config: &Config, next: &mut Record, now: Moment) -> Vec<Envelope> {
    let exercise = &config.exercise;
    let mut released = crate::injects::release_due(config, next, now);
    let Some(plan) = next.plan.clone() else { return released };
    let events = match next.phase.phase {
        Phase::Assembly => {
            let (assembled, absent): (Vec<_>, Vec<_>) = plan
                .participants
                .iter()
                .filter(|p| p.role != Role::Observer)
                .map(|p| p.node.to_string())
                .partition(|n| next.reported.keys().any(|r| r.as_str() == n));
            let token = config.comms.shared(exercise);
            vec![
                event(
                    exercise,
                    now,
                    "assembly-closed".into(),
                    Payload::AssemblyClosed(wire::AssemblyClosed { assembled, absent }),
                ),
                event(
                    exercise,
                    now,
                    "deployment-ordered".into(),
                    Payload::DeploymentOrdered(wire::DeploymentOrdered {
                        comms_check_token: token,
                        deadline: record::plan::after_start(plan.deployment_deadline),
                    }),
                ),
                phase_changed(exercise, now, Phase::Deployment, false, None),
            ]
        }
        Phase::Deployment => open_stage(exercise, &plan, now, 1),
        Phase::Stage(n) => {
            let concluded = consider(&plan, next, n);
            let mut events =
                vec![event(exercise, now, format!("stage-concluded-{n}"), Payload::StageConcluded(concluded))];
            if (n as usize) < plan.stages.len() {
                events.extend(open_stage(exercise, &plan, now, n + 1));
            } else {
                // The package needs this stage's outcomes: apply them before building it.
                let mut with_outcomes = next.clone();
                emit(&mut with_outcomes, events.clone());
                events.push(event(
                    exercise,
                    now,
                    "package".into(),
                    Payload::PackageCommunicated(package(exercise, &plan, &with_outcomes)),
                ));
                events.push(phase_changed(exercise, now, Phase::Distribution, false, None));
            }
            events
        }
        Phase::Distribution => {
            let concluded = wire::ExerciseConcluded {
                absent: next.absent.iter().map(ToString::to_string).collect(),
                adopted: count_outcomes(next, Outcome::Adopted),
                returned: count_outcomes(next, Outcome::Returned),
                receipts: next
                    .present_states()
                    .filter(|n| next.receipts.contains_key(*n))
                    .map(ToString::to_string)
                    .collect(),
            };
            vec![
                event(exercise, now, "exercise-concluded".into(), Payload::ExerciseConcluded(concluded)),
                phase_changed(exercise, now, Phase::Concluded, false, None),
            ]
        }
        Phase::NotStarted | Phase::Concluded => vec![],
    };
    released.extend(emit(next, events));
    released
}

fn count_outcomes(state: &Record, outcome: Outcome) -> u32 {
    u32::try_from(state.outcomes.values().filter(|o| o.outcome() == outcome).count()).unwrap_or(u32::MAX)
}

fn open_stage(exercise: &ExerciseId, plan: &Plan, now: Moment, n: u32) -> Vec<Envelope> {
    let Some(stage) = plan.stage(n) else { return vec![] };
    // The stage as the plan announced it, texts in every language included.
    let s = record::plan::stage_to_wire(stage, &plan.language);
    let opened = wire::StageOpened {
        stage_number: n,
        title: s.title,
        title_in: s.title_in,
        region: s.region,
        region_in: s.region_in,
        situation: s.situation,
        situation_in: s.situation_in,
        tasks: s.tasks,
        tasks_in: s.tasks_in,
        slots: s.slots,
        closes_at: s.closes_at,
    };
    vec![
        event(exercise, now, format!("stage-opened-{n}"), Payload::StageOpened(opened)),
        phase_changed(exercise, now, Phase::Stage(n), false, None),
    ]
}

/// Considers every slot of stage `n` under the plan's decision rule.
pub fn consider(plan: &Plan, state: &Record, n: u32) -> wire::StageConcluded {
    let Some(stage) = plan.stage(n) else {
        return wire::StageConcluded { stage_number: n, outcomes: vec![] };
    };
    let present: Vec<&NodeId> = state.present_states().collect();
    let outcomes = stage
        .slots
        .iter()
        .map(|slot| {
            let Some(version) = state.drafts.get(&slot.id).and_then(|d| d.latest()) else {
                return wire::ConsiderationOutcome {
                    slot_id: slot.id.clone(),
                    outcome: Outcome::NoDraft as i32,
                    reason: "no draft was submitted".into(),
                    ..Default::default()
                };
            };
            let (mut concurring, mut objecting, mut abstaining, mut silent) = (vec![], vec![], vec![], vec![]);
            // A comment not accepted and still open is its state's objection until it concurs.
            let unresolved = state.drafts.get(&slot.id).map(record::Draft::unresolved_states).unwrap_or_default();
            for node in &present {
                let list = match version.positions.get(*node).map(|p| p.answer.kind()) {
                    _ if unresolved.contains(node) => &mut objecting,
                    Some(PositionKind::Concur | PositionKind::ConcurWithRemarks) => &mut concurring,
                    Some(PositionKind::NonConcur) => &mut objecting,
                    Some(PositionKind::Abstain) => &mut abstaining,
                    Some(PositionKind::Unspecified) | None => &mut silent,
                };
                list.push(node.to_string());
            }
            let (outcome, reason) = rule(plan.decision_rule, &concurring, &objecting, &silent);
            wire::ConsiderationOutcome {
                slot_id: slot.id.clone(),
                considered_version: version.draft.version,
                outcome: outcome as i32,
                concurring,
                objecting,
                abstaining,
                silent,
                reason,
            }
        })
        .collect();
    wire::StageConcluded { stage_number: n, outcomes }
}

/// The decision rules of the organisation (see the domain brief).
fn rule(rule: DecisionRule, concurring: &[String], objecting: &[String], silent: &[String]) -> (Outcome, String) {
    match rule {
        DecisionRule::Consensus if !objecting.is_empty() => {
            (Outcome::Returned, format!("no consensus: {} did not concur", objecting.join(", ")))
        }
        DecisionRule::Consensus if !silent.is_empty() => {
            (Outcome::Returned, format!("no consensus: {} gave no position", silent.join(", ")))
        }
        DecisionRule::Consensus if concurring.is_empty() => {
            (Outcome::Returned, "no consensus: no state concurred".into())
        }
        DecisionRule::Consensus => (Outcome::Adopted, "consensus of the states present".into()),
        DecisionRule::Silence if !objecting.is_empty() => {
            (Outcome::Returned, format!("objection by {}", objecting.join(", ")))
        }
        DecisionRule::Silence => (Outcome::Adopted, "no objection by the deadline (silence procedure)".into()),
    }
}

/// The package: every considered draft of every stage, with a digest of its items.
fn package(exercise: &ExerciseId, plan: &Plan, state: &Record) -> wire::PackageCommunicated {
    let items: Vec<wire::PackageItem> = plan
        .slots()
        .filter_map(|(stage, slot)| {
            let version = state.drafts.get(&slot.id)?.latest()?;
            let outcome = state.outcomes.get(&slot.id)?;
            Some(wire::PackageItem {
                stage_number: stage,
                draft: Some(version.draft.clone()),
                outcome: outcome.outcome,
            })
        })
        .collect();
    wire::PackageCommunicated { package_id: format!("{exercise}-package"), digest: digest(&items), items }
}
