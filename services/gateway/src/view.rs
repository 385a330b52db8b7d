//! An exercise as its log says it stands, for the queries: the record (`record::Record`) folded
//! from the log, the same fold every other reader makes, so the gateway needs nothing but the bus.

use async_nats::jetstream::ErrorCode;
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::stream::Stream;
use bus::{Bus, BusError, ExerciseId};
use proto::v1 as wire;
use record::Record;
use tonic::Status;

use crate::status;

/// An exercise as its log says it stands.
#[derive(Debug)]
pub struct View {
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its record.
    pub record: Record,
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

/// Reads the whole log of `exercise` and folds it, taking only what `trust` sealed when given.
pub async fn load(bus: &Bus, exercise: &ExerciseId, trust: Option<&str>) -> Result<View, Status> {
    let log = bus.read_log(exercise).await.map_err(|e| match e {
        BusError::NoSuchExercise(_) => Status::not_found(format!("no exercise `{exercise}`")),
        other => status::bus(&other),
    })?;
    let mut record = Record::reading(trust.map(str::to_owned));
    for delivery in log {
        let Ok(event) = delivery.envelope else { continue };
        let message_id = event.message_id.clone();
        if let Err(e) = record.accept(delivery.sequence, event) {
            tracing::warn!(%exercise, sequence = delivery.sequence, %message_id, error = %e, "event dropped: not the coordinator's");
        }
    }
    Ok(View { exercise: exercise.clone(), record })
}

/// The status answer.
// The text form of what is awaited stays filled for older nodes.
#[allow(deprecated)]
pub fn status(view: &View) -> wire::GetExerciseStatusResponse {
    let (phase, stage_number) = view.record.phase.phase.to_wire();
    let awaited = view.record.awaited();
    wire::GetExerciseStatusResponse {
        phase: Some(wire::PhaseChanged { phase: phase as i32, stage_number, paused: view.record.phase.paused }),
        awaited: awaited.iter().map(|a| format!("{}: {}", a.node, a.task)).collect(),
        last_sequence: view.record.events,
        awaited_tasks: awaited.iter().map(awaited_task).collect(),
    }
}

fn awaited_task(awaited: &record::Awaited) -> wire::AwaitedTask {
    use record::Task;
    use wire::AwaitedTaskKind as Kind;
    let (kind, slot, version) = match &awaited.task {
        Task::AssemblyReport => (Kind::AssemblyReport, "", 0),
        Task::Activation => (Kind::Activation, "", 0),
        Task::Draft(slot) => (Kind::Draft, slot.as_str(), 0),
        Task::Position(slot, v) => (Kind::Position, slot.as_str(), *v),
        Task::Revision(slot, v) => (Kind::Revision, slot.as_str(), *v),
        Task::Receipt => (Kind::Receipt, "", 0),
    };
    wire::AwaitedTask {
        node_id: awaited.node.to_string(),
        kind: kind as i32,
        slot_id: slot.to_owned(),
        draft_version: version,
    }
}

/// The draft answer: every version with its positions, and the outcome once considered.
pub fn draft(view: &View, slot_id: &str) -> Result<wire::GetDraftResponse, Status> {
    let known = view.record.plan.as_ref().is_some_and(|p| p.slot(slot_id).is_some());
    let Some(record) = view.record.drafts.get(slot_id) else {
        if known {
            return Ok(wire::GetDraftResponse::default());
        }
        return Err(Status::not_found(format!("no slot `{slot_id}` in exercise {}", view.exercise)));
    };
    let versions = record
        .versions
        .iter()
        .map(|v| wire::DraftVersionRecord {
            draft: Some(v.draft.clone()),
            positions: v.positions.iter().map(|(node, p)| (node.to_string(), p.answer.clone())).collect(),
        })
        .collect();
    let outcome = view.record.outcomes.get(slot_id).map_or(wire::Outcome::Unspecified as i32, |o| o.outcome);
    Ok(wire::GetDraftResponse { versions, outcome })
}

/// The package answer.
pub fn package(view: &View) -> Result<wire::GetPackageResponse, Status> {
    let package = view
        .record
        .package
        .as_ref()
        .map(|p| p.answer.clone())
        .ok_or_else(|| Status::failed_precondition("the package has not been communicated yet"))?;
    Ok(wire::GetPackageResponse { package: Some(package) })
}
