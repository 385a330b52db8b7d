//! An exercise's state rebuilt from its event log with the coordinator's own `evolve`, for the
//! queries. The scenario is rebuilt from the log too (participants from the notification, stages
//! from their opening), so the gateway needs nothing but the bus.

use std::time::Duration;

use async_nats::jetstream::ErrorCode;
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::stream::Stream;
use bus::envelope::Payload;
use bus::{Bus, ExerciseId, NodeId, Sender};
use coordinator::machine::{self, Config, Mode, State};
use futures::StreamExt;
use proto::v1 as wire;
use scenario::{Category, DecisionRule, DraftingBody, Participant, Policy, Scenario, Slot, Stage, Transport};
use tonic::Status;

use crate::status;

/// An exercise as its log says it stands.
#[derive(Debug)]
pub struct View {
    /// The scenario as far as the log shows it.
    pub config: Config,
    /// The coordinator's state, folded from the log.
    pub state: State,
    /// The last sequence read.
    pub last_sequence: u64,
}

impl View {
    /// Fails unless `caller` takes part in the exercise.
    pub fn authorize(&self, caller: &Sender) -> Result<(), Status> {
        let member = self.config.scenario.participants.iter().any(|p| p.node == caller.node && p.role == caller.role);
        if member {
            return Ok(());
        }
        Err(Status::permission_denied(format!("{caller} is not a participant of exercise {}", self.config.exercise)))
    }
}

/// The exercise's event log, or `NOT_FOUND` when there is no such exercise.
pub async fn require_exercise(bus: &Bus, exercise: &ExerciseId) -> Result<Stream, Status> {
    match bus.jetstream().get_stream(bus::subject::events_stream(exercise)).await {
        Ok(stream) => Ok(stream),
        Err(e) if matches!(e.kind(), GetStreamErrorKind::JetStream(j) if j.error_code() == ErrorCode::STREAM_NOT_FOUND) => {
            Err(Status::not_found(format!("no exercise `{exercise}`")))
        }
        Err(e) => Err(Status::unavailable(format!("the bus is not reachable now: {e}"))),
    }
}

/// Reads the whole log of `exercise` and folds it.
pub async fn load(bus: &Bus, exercise: &ExerciseId) -> Result<View, Status> {
    let mut stream = require_exercise(bus, exercise).await?;
    let last = stream.info().await.map_err(|e| Status::unavailable(e.to_string()))?.state.last_sequence;
    let mut scenario = empty_scenario();
    let mut state = State::default();
    let mut read = 0;
    if last > 0 {
        let mut events = bus.events_from(exercise, 1).await.map_err(|e| status::bus(&e))?;
        while read < last {
            let delivery = tokio::time::timeout(Duration::from_secs(5), events.next())
                .await
                .map_err(|_| Status::unavailable("the event log did not answer in time"))?
                .ok_or_else(|| Status::unavailable("the event log ended"))?
                .map_err(|e| status::bus(&e))?;
            read = delivery.sequence;
            let Ok(event) = delivery.envelope else { continue };
            learn(&mut scenario, &event.payload);
            machine::evolve(&mut state, &event);
        }
    }
    Ok(View { config: Config { exercise: exercise.clone(), scenario, mode: Mode::Scaled }, state, last_sequence: read })
}

fn empty_scenario() -> Scenario {
    Scenario {
        title: String::new(),
        description: String::new(),
        starts: String::new(),
        time_scale: 1.0,
        decision_rule: DecisionRule::Consensus,
        assembly_deadline: Duration::ZERO,
        deployment_deadline: Duration::ZERO,
        distribution_deadline: Duration::ZERO,
        participants: vec![],
        stages: vec![],
    }
}

/// Takes what the scenario says from the events that carry it.
fn learn(scenario: &mut Scenario, payload: &Payload) {
    match payload {
        Payload::Notification(n) => {
            scenario.title = n.scenario_title.clone();
            scenario.participants = n.participants.iter().filter_map(participant).collect();
        }
        Payload::StageOpened(s) => scenario.stages.push(Stage {
            number: s.stage_number,
            title: s.title.clone(),
            region: s.region.clone(),
            situation: s.situation.clone(),
            tasks: s.tasks.clone(),
            closes_at: s.closes_at.and_then(|d| Duration::try_from(d).ok()).unwrap_or_default(),
            slots: s.slots.iter().filter_map(slot).collect(),
        }),
        _ => {}
    }
}

fn participant(p: &wire::Participant) -> Option<Participant> {
    let identity = Sender::try_from(p.identity.clone()?).ok()?;
    Some(Participant {
        role: identity.role,
        node: identity.node,
        name: p.display_name.clone(),
        mandatory: p.mandatory,
        absent: false,
        transport: Transport::Nats,
        policy: Policy::default(),
    })
}

fn slot(s: &wire::Slot) -> Option<Slot> {
    Some(Slot {
        id: s.slot_id.clone(),
        title: s.title.clone(),
        owner: DraftingBody::ALL.iter().copied().find(|b| b.to_wire() as i32 == s.owner)?,
        category: Category::ALL.iter().copied().find(|c| c.to_wire() as i32 == s.category)?,
    })
}

/// The status answer.
pub fn status(view: &View) -> wire::GetExerciseStatusResponse {
    let (phase, stage_number) = view.state.phase.phase.to_wire();
    wire::GetExerciseStatusResponse {
        phase: Some(wire::PhaseChanged { phase: phase as i32, stage_number, paused: view.state.phase.paused }),
        awaited: machine::awaited(&view.config, &view.state),
        last_sequence: view.last_sequence,
    }
}

/// The draft answer: every version with its positions, and the outcome once considered.
pub fn draft(view: &View, slot_id: &str) -> Result<wire::GetDraftResponse, Status> {
    let known = view.config.scenario.slots().any(|(_, s)| s.id == slot_id);
    let Some(record) = view.state.drafts.get(slot_id) else {
        if known {
            return Ok(wire::GetDraftResponse::default());
        }
        return Err(Status::not_found(format!(
            "no slot `{slot_id}` in an opened stage of exercise {}",
            view.config.exercise
        )));
    };
    let versions = record
        .versions
        .iter()
        .zip(&record.positions)
        .map(|(draft, positions)| wire::DraftVersionRecord {
            draft: Some(draft.clone()),
            positions: positions.iter().map(|(node, p): (&NodeId, _)| (node.to_string(), p.clone())).collect(),
        })
        .collect();
    let outcome = view.state.outcomes.get(slot_id).map_or(wire::Outcome::Unspecified as i32, |o| o.outcome);
    Ok(wire::GetDraftResponse { versions, outcome })
}

/// The package answer.
pub fn package(view: &View) -> Result<wire::GetPackageResponse, Status> {
    let package = view
        .state
        .package
        .clone()
        .ok_or_else(|| Status::failed_precondition("the package has not been communicated yet"))?;
    Ok(wire::GetPackageResponse { package: Some(package) })
}
