//! The coordinator's brain: pure functions over data, no I/O.
//!
//! [`step`] takes the state and one input (start, a submission, the clock), applies the events the
//! input leads to, and returns them (to publish) with the reply to send; [`evolve`] applies one event
//! to the state. The state is therefore a fold of the event log, and an input that is refused changes
//! nothing: every check is made before anything is applied.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, MessageId, NodeId, Role, Sender};
use proto::v1::{self as wire, Outcome, PositionKind, RejectionCode};
use scenario::{DecisionRule, Scenario};
use sha2::{Digest, Sha256};

/// How windows close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every window stays open until its deadline (assembly, deployment and distribution close
    /// early once everyone expected has answered, as in the source).
    Scaled,
    /// Stages too close as soon as everything expected has arrived.
    Fast,
}

/// What the machine needs to know besides its state.
#[derive(Debug, Clone)]
pub struct Config {
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its scenario.
    pub scenario: Scenario,
    /// How windows close.
    pub mode: Mode,
}

impl Config {
    /// States present: control points of the scenario not recorded absent.
    pub fn states_present(&self, state: &State) -> usize {
        let absent = state
            .absent
            .iter()
            .filter(|n| self.scenario.participant(n).is_some_and(|p| p.role == Role::ControlPoint))
            .count();
        self.scenario.states().count() - absent
    }

    /// The coordinator as a sender.
    pub fn sender() -> Sender {
        Sender::new(Role::Coordinator, coordinator_node())
    }

    fn participant(&self, sender: &Sender) -> Option<&scenario::Participant> {
        self.scenario.participant(&sender.node).filter(|p| p.role == sender.role)
    }
}

fn coordinator_node() -> NodeId {
    NodeId::new("control").unwrap_or_else(|_| unreachable!("`control` is a valid node id"))
}

/// Where the exercise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Not started: the log is empty.
    NotStarted,
    /// Notified; assembly reports come in.
    Assembly,
    /// Control points activate and check communications.
    Deployment,
    /// Stage number n (1-based) is running.
    Stage(u32),
    /// The package is out; receipts come in.
    Distribution,
    /// Over.
    Concluded,
}

impl Phase {
    /// The wire phase and stage number.
    pub fn to_wire(self) -> (wire::Phase, u32) {
        match self {
            Phase::NotStarted => (wire::Phase::Unspecified, 0),
            Phase::Assembly => (wire::Phase::Assembly, 0),
            Phase::Deployment => (wire::Phase::Deployment, 0),
            Phase::Stage(n) => (wire::Phase::Stage, n),
            Phase::Distribution => (wire::Phase::Distribution, 0),
            Phase::Concluded => (wire::Phase::Concluded, 0),
        }
    }

    fn from_wire(changed: &wire::PhaseChanged) -> Phase {
        match changed.phase() {
            wire::Phase::Unspecified => Phase::NotStarted,
            wire::Phase::Assembly => Phase::Assembly,
            wire::Phase::Deployment => Phase::Deployment,
            wire::Phase::Stage => Phase::Stage(changed.stage_number),
            wire::Phase::Distribution => Phase::Distribution,
            wire::Phase::Concluded => Phase::Concluded,
        }
    }
}

/// A draft's versions and the positions on each.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftRecord {
    /// The stage the slot belongs to.
    pub stage: u32,
    /// Every version, oldest first; version n is at index n-1.
    pub versions: Vec<wire::DraftDecision>,
    /// Positions per version (same index), by state.
    pub positions: Vec<BTreeMap<NodeId, wire::Position>>,
    /// Per version (same index): how many states answered, and how many did not concur.
    pub tallies: Vec<Tally>,
}

/// Counts of the states' answers on one draft version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Control points that gave a position.
    pub states: usize,
    /// Of those, how many did not concur.
    pub objections: usize,
}

impl DraftRecord {
    /// The current version number.
    pub fn current(&self) -> u32 {
        u32::try_from(self.versions.len()).unwrap_or(u32::MAX)
    }

    fn current_positions(&self) -> Option<&BTreeMap<NodeId, wire::Position>> {
        self.positions.last()
    }
}

/// The exercise state: a fold of the event log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    /// The current phase.
    pub phase: PhaseState,
    /// Participants that reported at assembly.
    pub reported: BTreeSet<NodeId>,
    /// Participants recorded absent when assembly closed.
    pub absent: BTreeSet<NodeId>,
    /// The token control points must echo.
    pub comms_token: Option<String>,
    /// Control points that activated.
    pub activated: BTreeSet<NodeId>,
    /// (stage, node) pairs that assessed.
    pub assessed: BTreeSet<(u32, NodeId)>,
    /// Drafts by slot id.
    pub drafts: BTreeMap<String, DraftRecord>,
    /// Outcomes by slot id, once considered.
    pub outcomes: BTreeMap<String, wire::ConsiderationOutcome>,
    /// The package once communicated.
    pub package: Option<wire::PackageCommunicated>,
    /// States that confirmed receipt.
    pub receipts: BTreeSet<NodeId>,
    /// Ids of accepted submissions: a repeat is acknowledged and changes nothing.
    pub seen: BTreeSet<MessageId>,
    /// Events applied so far (the log's length as this state knows it).
    pub events: u64,
}

/// Phase and pause, kept together because `PhaseChanged` carries both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseState {
    /// The phase.
    pub phase: Phase,
    /// Held by exercise control.
    pub paused: bool,
}

impl Default for PhaseState {
    fn default() -> Self {
        PhaseState { phase: Phase::NotStarted, paused: false }
    }
}

/// The time an input arrives at.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    /// Exercise time since the start.
    pub exercise: Duration,
    /// Wall time, for the envelopes' `sent_at`.
    pub wall: SystemTime,
}

/// One input to the machine.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Start the exercise (ignored once started).
    Start,
    /// A submission taken off the bus.
    Submission(&'a Envelope),
    /// The clock moved on.
    Tick,
}

/// The answer to a submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Accepted (or already accepted before: `duplicate`).
    Accepted {
        /// The message accepted.
        message_id: MessageId,
        /// It had been accepted before.
        duplicate: bool,
    },
    /// Refused; nothing changed.
    Rejected {
        /// The message refused.
        message_id: MessageId,
        /// Why, for machines.
        code: RejectionCode,
        /// Why, for people.
        reason: String,
    },
}

/// What [`step`] returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// Events to publish, in order.
    pub events: Vec<Envelope>,
    /// The reply to the submitter, for a submission.
    pub reply: Option<(Sender, Reply)>,
}

/// A refusal with its code.
struct Refusal(RejectionCode, String);

fn refuse<T>(code: RejectionCode, reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(code, reason.into()))
}

/// Takes one input: applies the events it leads to and returns them with the reply. Pure: the same
/// state and input give the same decision. A refused input leaves the state as it was.
pub fn step(config: &Config, state: &mut State, input: Input<'_>, now: Now) -> Decision {
    match input {
        Input::Start if state.phase.phase == Phase::NotStarted => {
            let events = emit(state, start_events(config, now));
            Decision { events, reply: None }
        }
        Input::Start => Decision::default(),
        Input::Tick => Decision { events: close_if_due(config, state, now), reply: None },
        Input::Submission(envelope) => submission(config, state, envelope, now),
    }
}

fn submission(config: &Config, state: &mut State, envelope: &Envelope, now: Now) -> Decision {
    let to = envelope.sender.clone();
    let message_id = envelope.message_id.clone();
    if state.seen.contains(&message_id) {
        return Decision { events: vec![], reply: Some((to, Reply::Accepted { message_id, duplicate: true })) };
    }
    match accept(config, state, envelope, now) {
        Ok(events) => Decision { events, reply: Some((to, Reply::Accepted { message_id, duplicate: false })) },
        Err(Refusal(code, reason)) => {
            Decision { events: vec![], reply: Some((to, Reply::Rejected { message_id, code, reason })) }
        }
    }
}

/// Checks a submission against the state; on success applies and returns the events it leads to.
fn accept(config: &Config, state: &mut State, envelope: &Envelope, now: Now) -> Result<Vec<Envelope>, Refusal> {
    if envelope.exercise != config.exercise {
        return refuse(RejectionCode::WrongExercise, format!("this is exercise {}", config.exercise));
    }
    if envelope.sender.role == Role::Coordinator {
        return control(config, state, envelope, now);
    }
    let Some(participant) = config.participant(&envelope.sender) else {
        return refuse(
            RejectionCode::NotAParticipant,
            format!("{} is not a participant of this exercise", envelope.sender),
        );
    };
    if participant.role == Role::Observer {
        return refuse(RejectionCode::NotPermitted, "observers publish nothing");
    }
    if state.absent.contains(&envelope.sender.node) {
        return refuse(
            RejectionCode::NotAParticipant,
            format!("{} was recorded absent at assembly", envelope.sender.node),
        );
    }
    check_payload(config, state, envelope, participant)?;
    let mut events = emit(state, vec![envelope.clone()]);
    events.extend(close_if_complete(config, state, now));
    Ok(events)
}

fn phase_name(phase: Phase) -> String {
    match phase {
        Phase::NotStarted => "not started".into(),
        Phase::Assembly => "assembly".into(),
        Phase::Deployment => "deployment".into(),
        Phase::Stage(n) => format!("stage {n}"),
        Phase::Distribution => "distribution".into(),
        Phase::Concluded => "concluded".into(),
    }
}

fn wrong_phase<T>(state: &State, what: &str) -> Result<T, Refusal> {
    refuse(RejectionCode::WrongPhase, format!("{what} is not accepted in {}", phase_name(state.phase.phase)))
}

/// Validates one participant's payload against the phase and what is recorded.
fn check_payload(
    config: &Config,
    state: &State,
    envelope: &Envelope,
    participant: &scenario::Participant,
) -> Result<(), Refusal> {
    let node = &envelope.sender.node;
    let phase = state.phase.phase;
    let is_state = participant.role == Role::ControlPoint;
    match &envelope.payload {
        Payload::AssemblyReport(_) => {
            if phase != Phase::Assembly {
                return wrong_phase(state, "an assembly report");
            }
            if state.reported.contains(node) {
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
            if state.comms_token.as_deref() != Some(a.comms_check_token.as_str()) {
                return refuse(RejectionCode::InvalidContent, "communications check token does not match");
            }
            if state.activated.contains(node) {
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
            if state.assessed.contains(&(n, node.clone())) {
                return refuse(RejectionCode::InvalidContent, format!("{node} has already assessed stage {n}"));
            }
        }
        Payload::DraftDecision(d) => {
            check_draft(config, state, participant, d)?;
            if d.version != 1 {
                return refuse(RejectionCode::InvalidContent, "a new draft is version 1; revise with draft_revised");
            }
            if state.drafts.contains_key(&d.slot_id) {
                return refuse(
                    RejectionCode::InvalidContent,
                    format!("slot {} already has a draft; revise it", d.slot_id),
                );
            }
        }
        Payload::DraftRevised(r) => {
            let Some(d) = &r.draft else { return refuse(RejectionCode::Malformed, "draft_revised without a draft") };
            check_draft(config, state, participant, d)?;
            let Some(record) = state.drafts.get(&d.slot_id) else {
                return refuse(RejectionCode::InvalidContent, format!("slot {} has no draft to revise", d.slot_id));
            };
            if d.version != record.current() + 1 {
                return refuse(
                    RejectionCode::StaleVersion,
                    format!("the next version of {} is {}", d.slot_id, record.current() + 1),
                );
            }
        }
        Payload::Position(p) => check_position(config, state, participant, node, p)?,
        Payload::ReceiptConfirmed(r) => {
            if phase != Phase::Distribution {
                return wrong_phase(state, "a receipt");
            }
            if !is_state {
                return refuse(RejectionCode::NotPermitted, "only states confirm receipt");
            }
            let Some(package) = &state.package else { return wrong_phase(state, "a receipt") };
            if r.package_id != package.package_id || r.digest != package.digest {
                return refuse(RejectionCode::InvalidContent, "receipt names another package or digest");
            }
            if state.receipts.contains(node) {
                return refuse(RejectionCode::InvalidContent, format!("{node} has already confirmed receipt"));
            }
        }
        other => {
            return refuse(
                RejectionCode::NotPermitted,
                format!("{} is not a participant's message", bus::envelope::payload_kind(other)),
            );
        }
    }
    Ok(())
}

fn check_draft(
    config: &Config,
    state: &State,
    participant: &scenario::Participant,
    d: &wire::DraftDecision,
) -> Result<(), Refusal> {
    let Phase::Stage(n) = state.phase.phase else { return wrong_phase(state, "a draft") };
    let Some((stage, slot)) = config.scenario.slots().find(|(_, s)| s.id == d.slot_id) else {
        return refuse(RejectionCode::UnknownSlot, format!("no slot `{}` in this exercise", d.slot_id));
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

fn check_position(
    config: &Config,
    state: &State,
    participant: &scenario::Participant,
    node: &NodeId,
    p: &wire::Position,
) -> Result<(), Refusal> {
    let Phase::Stage(n) = state.phase.phase else { return wrong_phase(state, "a position") };
    let may_answer = participant.role == Role::ControlPoint
        || (participant.role == Role::Guest && participant.policy.gives_positions);
    if !may_answer {
        return refuse(RejectionCode::NotPermitted, format!("{} gives no positions on drafts", participant.role));
    }
    if config.scenario.slots().all(|(_, s)| s.id != p.slot_id) {
        return refuse(RejectionCode::UnknownSlot, format!("no slot `{}` in this exercise", p.slot_id));
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
    if record.current_positions().is_some_and(|ps| ps.contains_key(node)) {
        return refuse(
            RejectionCode::InvalidContent,
            format!("{node} has already answered version {}", p.draft_version),
        );
    }
    Ok(())
}

/// Pause, resume and advance from exercise control.
fn control(config: &Config, next: &mut State, envelope: &Envelope, now: Now) -> Result<Vec<Envelope>, Refusal> {
    let phase = next.phase;
    if matches!(phase.phase, Phase::NotStarted | Phase::Concluded) {
        return wrong_phase(next, "exercise control");
    }
    let paused = match &envelope.payload {
        Payload::PauseExercise(_) if phase.paused => return refuse(RejectionCode::WrongPhase, "already paused"),
        Payload::PauseExercise(_) => true,
        Payload::ResumeExercise(_) if !phase.paused => return refuse(RejectionCode::WrongPhase, "not paused"),
        Payload::ResumeExercise(_) => false,
        Payload::AdvanceExercise(_) => {
            let mut events = emit(next, vec![envelope.clone()]);
            events.extend(close(config, next, now));
            return Ok(events);
        }
        other => {
            return refuse(
                RejectionCode::NotPermitted,
                format!("{} is not an exercise control command", bus::envelope::payload_kind(other)),
            );
        }
    };
    let changed = phase_changed(config, now, phase.phase, paused, Some(&envelope.message_id));
    Ok(emit(next, vec![envelope.clone(), changed]))
}

/// Applies the events to `next` as they will be published, and returns them.
fn emit(next: &mut State, events: Vec<Envelope>) -> Vec<Envelope> {
    for e in &events {
        evolve(next, e);
    }
    events
}

/// A coordinator event with a deterministic id, so a re-published event is de-duplicated.
fn event(config: &Config, now: Now, id: String, payload: Payload) -> Envelope {
    let mut e = Envelope::new(config.exercise.clone(), Config::sender(), payload);
    e.message_id = MessageId::new(id).unwrap_or_else(|_| MessageId::generate());
    e.sent_at = now.wall;
    e
}

/// A phase change; one caused by a control command takes its id from the command, since pause and
/// resume can repeat within a phase.
fn phase_changed(config: &Config, now: Now, phase: Phase, paused: bool, cause: Option<&MessageId>) -> Envelope {
    let (wire_phase, stage_number) = phase.to_wire();
    let id = match cause {
        Some(cause) => format!("{cause}-phase"),
        None => format!("phase-{}-{stage_number}", wire_phase.as_str_name().to_lowercase()),
    };
    event(config, now, id, Payload::PhaseChanged(wire::PhaseChanged { phase: wire_phase as i32, stage_number, paused }))
}

/// Exercise time after the start, as the wire carries it.
fn after_start(offset: Duration) -> Option<prost_types::Duration> {
    prost_types::Duration::try_from(offset).ok()
}

fn start_events(config: &Config, now: Now) -> Vec<Envelope> {
    let participants = config
        .scenario
        .participants
        .iter()
        .map(|p| wire::Participant {
            identity: Some((&Sender::new(p.role, p.node.clone())).into()),
            mandatory: p.mandatory,
            display_name: p.name.clone(),
        })
        .collect();
    let notification = wire::Notification {
        scenario_title: config.scenario.title.clone(),
        participants,
        assembly_deadline: after_start(config.scenario.assembly_deadline),
    };
    vec![
        event(config, now, "notification".into(), Payload::Notification(notification)),
        phase_changed(config, now, Phase::Assembly, false, None),
    ]
}

/// Stage `n` (1-based) of the scenario.
fn stage(config: &Config, n: u32) -> Option<&scenario::Stage> {
    config.scenario.stages.get((n as usize).checked_sub(1)?)
}

/// The deadline of the current phase, exercise time.
pub fn deadline(config: &Config, phase: Phase) -> Option<Duration> {
    let s = &config.scenario;
    match phase {
        Phase::Assembly => Some(s.assembly_deadline),
        Phase::Deployment => Some(s.deployment_deadline),
        Phase::Stage(n) => stage(config, n).map(|st| st.closes_at),
        Phase::Distribution => Some(s.distribution_deadline),
        Phase::NotStarted | Phase::Concluded => None,
    }
}

fn close_if_due(config: &Config, next: &mut State, now: Now) -> Vec<Envelope> {
    if next.phase.paused {
        return vec![];
    }
    match deadline(config, next.phase.phase) {
        Some(at) if now.exercise >= at => close(config, next, now),
        _ => close_if_complete(config, next, now),
    }
}

fn close_if_complete(config: &Config, next: &mut State, now: Now) -> Vec<Envelope> {
    if next.phase.paused || !complete(config, next) {
        return vec![];
    }
    let early = match next.phase.phase {
        Phase::Assembly | Phase::Deployment | Phase::Distribution => true,
        Phase::Stage(_) => config.mode == Mode::Fast,
        Phase::NotStarted | Phase::Concluded => false,
    };
    if early { close(config, next, now) } else { vec![] }
}

/// Whether the current phase awaits nothing more. The same question as [`awaited`] is empty, asked
/// after every submission, so it is answered from counts: a stage costs one look per slot.
fn complete(config: &Config, state: &State) -> bool {
    let s = &config.scenario;
    match state.phase.phase {
        Phase::Assembly => {
            s.participants.iter().all(|p| !p.mandatory || p.role == Role::Observer || state.reported.contains(&p.node))
        }
        Phase::Deployment => present_states(config, state).all(|n| state.activated.contains(n)),
        Phase::Stage(n) => {
            let present = config.states_present(state);
            stage(config, n).is_some_and(|stage| {
                stage.slots.iter().all(|slot| {
                    state
                        .drafts
                        .get(&slot.id)
                        .and_then(|r| r.tallies.last())
                        .is_some_and(|t| t.states == present && t.objections == 0)
                })
            })
        }
        Phase::Distribution => present_states(config, state).all(|n| state.receipts.contains(n)),
        Phase::NotStarted | Phase::Concluded => false,
    }
}

/// States present: control points not recorded absent.
pub fn present_states<'c>(config: &'c Config, state: &'c State) -> impl Iterator<Item = &'c NodeId> + 'c {
    config.scenario.states().map(|p| &p.node).filter(|n| !state.absent.contains(*n))
}

/// Who the current phase still waits for: node ids, or slot ids whose draft is missing or unsettled.
pub fn awaited(config: &Config, state: &State) -> Vec<String> {
    let s = &config.scenario;
    match state.phase.phase {
        Phase::Assembly => s
            .participants
            .iter()
            .filter(|p| p.mandatory && p.role != Role::Observer && !state.reported.contains(&p.node))
            .map(|p| p.node.to_string())
            .collect(),
        Phase::Deployment => {
            present_states(config, state).filter(|n| !state.activated.contains(*n)).map(ToString::to_string).collect()
        }
        Phase::Stage(n) => {
            let Some(stage) = stage(config, n) else { return vec![] };
            let mut waiting = Vec::new();
            for slot in &stage.slots {
                let Some(record) = state.drafts.get(&slot.id) else {
                    waiting.push(format!("draft {}", slot.id));
                    continue;
                };
                let positions = record.current_positions();
                let missing: Vec<String> = present_states(config, state)
                    .filter(|n| !positions.is_some_and(|ps| ps.contains_key(*n)))
                    .map(|n| format!("{n} on {}", slot.id))
                    .collect();
                let objected = positions.is_some_and(|ps| ps.values().any(|p| p.kind() == PositionKind::NonConcur));
                if objected && missing.is_empty() {
                    waiting.push(format!("revision of {}", slot.id));
                }
                waiting.extend(missing);
            }
            waiting
        }
        Phase::Distribution => {
            present_states(config, state).filter(|n| !state.receipts.contains(*n)).map(ToString::to_string).collect()
        }
        Phase::NotStarted | Phase::Concluded => vec![],
    }
}

/// Closes the current window: the events that end it and open the next.
fn close(config: &Config, next: &mut State, now: Now) -> Vec<Envelope> {
    let s = &config.scenario;
    let events = match next.phase.phase {
        Phase::Assembly => {
            let (assembled, absent): (Vec<_>, Vec<_>) = s
                .participants
                .iter()
                .filter(|p| p.role != Role::Observer)
                .map(|p| p.node.to_string())
                .partition(|n| next.reported.iter().any(|r| r.as_str() == n));
            let token = format!("comms-{}", config.exercise);
            vec![
                event(
                    config,
                    now,
                    "assembly-closed".into(),
                    Payload::AssemblyClosed(wire::AssemblyClosed { assembled, absent }),
                ),
                event(
                    config,
                    now,
                    "deployment-ordered".into(),
                    Payload::DeploymentOrdered(wire::DeploymentOrdered {
                        comms_check_token: token,
                        deadline: after_start(s.deployment_deadline),
                    }),
                ),
                phase_changed(config, now, Phase::Deployment, false, None),
            ]
        }
        Phase::Deployment => open_stage(config, now, 1),
        Phase::Stage(n) => {
            let concluded = consider(config, next, n);
            let mut events =
                vec![event(config, now, format!("stage-concluded-{n}"), Payload::StageConcluded(concluded))];
            if (n as usize) < s.stages.len() {
                events.extend(open_stage(config, now, n + 1));
            } else {
                // The package needs this stage's outcomes: apply them before building it.
                let mut with_outcomes = next.clone();
                emit(&mut with_outcomes, events.clone());
                events.push(event(
                    config,
                    now,
                    "package".into(),
                    Payload::PackageCommunicated(package(config, &with_outcomes)),
                ));
                events.push(phase_changed(config, now, Phase::Distribution, false, None));
            }
            events
        }
        Phase::Distribution => {
            let adopted = count_outcomes(next, Outcome::Adopted);
            let returned = count_outcomes(next, Outcome::Returned);
            let concluded = wire::ExerciseConcluded {
                absent: next.absent.iter().map(ToString::to_string).collect(),
                adopted,
                returned,
                receipts: present_states(config, next)
                    .filter(|n| next.receipts.contains(*n))
                    .map(ToString::to_string)
                    .collect(),
            };
            vec![
                event(config, now, "exercise-concluded".into(), Payload::ExerciseConcluded(concluded)),
                phase_changed(config, now, Phase::Concluded, false, None),
            ]
        }
        Phase::NotStarted | Phase::Concluded => vec![],
    };
    emit(next, events)
}

fn count_outcomes(state: &State, outcome: Outcome) -> u32 {
    u32::try_from(state.outcomes.values().filter(|o| o.outcome() == outcome).count()).unwrap_or(u32::MAX)
}

fn open_stage(config: &Config, now: Now, n: u32) -> Vec<Envelope> {
    let Some(stage) = stage(config, n) else { return vec![] };
    let opened = wire::StageOpened {
        stage_number: n,
        title: stage.title.clone(),
        region: stage.region.clone(),
        situation: stage.situation.clone(),
        tasks: stage.tasks.clone(),
        slots: stage
            .slots
            .iter()
            .map(|s| wire::Slot {
                slot_id: s.id.clone(),
                title: s.title.clone(),
                owner: s.owner.to_wire() as i32,
                category: s.category.to_wire() as i32,
            })
            .collect(),
        closes_at: after_start(stage.closes_at),
    };
    vec![
        event(config, now, format!("stage-opened-{n}"), Payload::StageOpened(opened)),
        phase_changed(config, now, Phase::Stage(n), false, None),
    ]
}

/// Considers every slot of stage `n` under the scenario's decision rule.
pub fn consider(config: &Config, state: &State, n: u32) -> wire::StageConcluded {
    let Some(stage) = stage(config, n) else {
        return wire::StageConcluded { stage_number: n, outcomes: vec![] };
    };
    let present: Vec<&NodeId> = present_states(config, state).collect();
    let outcomes = stage
        .slots
        .iter()
        .map(|slot| {
            let Some(record) = state.drafts.get(&slot.id) else {
                return wire::ConsiderationOutcome {
                    slot_id: slot.id.clone(),
                    outcome: Outcome::NoDraft as i32,
                    reason: "no draft was submitted".into(),
                    ..Default::default()
                };
            };
            let positions = record.current_positions().cloned().unwrap_or_default();
            let (mut concurring, mut objecting, mut abstaining, mut silent) = (vec![], vec![], vec![], vec![]);
            for node in &present {
                let list = match positions.get(*node).map(|p| p.kind()) {
                    Some(PositionKind::Concur | PositionKind::ConcurWithRemarks) => &mut concurring,
                    Some(PositionKind::NonConcur) => &mut objecting,
                    Some(PositionKind::Abstain) => &mut abstaining,
                    Some(PositionKind::Unspecified) | None => &mut silent,
                };
                list.push(node.to_string());
            }
            let (outcome, reason) = rule(config.scenario.decision_rule, &concurring, &objecting, &silent);
            wire::ConsiderationOutcome {
                slot_id: slot.id.clone(),
                considered_version: record.current(),
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
fn package(config: &Config, state: &State) -> wire::PackageCommunicated {
    let items: Vec<wire::PackageItem> = config
        .scenario
        .slots()
        .filter_map(|(stage, slot)| {
            let record = state.drafts.get(&slot.id)?;
            let outcome = state.outcomes.get(&slot.id)?;
            Some(wire::PackageItem {
                stage_number: stage,
                draft: record.versions.last().cloned(),
                outcome: outcome.outcome,
            })
        })
        .collect();
    wire::PackageCommunicated { package_id: format!("{}-package", config.exercise), digest: digest(&items), items }
}

/// SHA-256 over the encoded items, hex: what a receipt echoes.
pub fn digest(items: &[wire::PackageItem]) -> String {
    use prost::Message as _;
    let mut hasher = Sha256::new();
    for item in items {
        hasher.update(item.encode_length_delimited_to_vec());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Applies one published event to the state.
pub fn evolve(state: &mut State, event: &Envelope) {
    state.events += 1;
    let node = &event.sender.node;
    if event.sender != Config::sender() {
        // Submissions and control commands are remembered so that a repeat changes nothing.
        state.seen.insert(event.message_id.clone());
    }
    match &event.payload {
        Payload::PhaseChanged(p) => state.phase = PhaseState { phase: Phase::from_wire(p), paused: p.paused },
        Payload::AssemblyReport(_) => {
            state.reported.insert(node.clone());
        }
        Payload::AssemblyClosed(c) => {
            state.absent = c.absent.iter().filter_map(|n| NodeId::new(n.as_str()).ok()).collect();
        }
        Payload::DeploymentOrdered(d) => state.comms_token = Some(d.comms_check_token.clone()),
        Payload::ControlPointActivation(_) => {
            state.activated.insert(node.clone());
        }
        Payload::SituationAssessment(a) => {
            state.assessed.insert((a.stage_number, node.clone()));
        }
        Payload::DraftDecision(d) => {
            let stage = match state.phase.phase {
                Phase::Stage(n) => n,
                _ => 0,
            };
            state.drafts.insert(
                d.slot_id.clone(),
                DraftRecord {
                    stage,
                    versions: vec![d.clone()],
                    positions: vec![BTreeMap::new()],
                    tallies: vec![Tally::default()],
                },
            );
        }
        Payload::DraftRevised(r) => {
            if let Some((d, record)) = r.draft.as_ref().and_then(|d| Some((d, state.drafts.get_mut(&d.slot_id)?))) {
                record.versions.push(d.clone());
                record.positions.push(BTreeMap::new());
                record.tallies.push(Tally::default());
            }
        }
        Payload::Position(p) => {
            let index = (p.draft_version as usize).checked_sub(1);
            let record = state.drafts.get_mut(&p.slot_id);
            if let Some((record, i)) = record.zip(index).filter(|(r, i)| *i < r.positions.len()) {
                let fresh = record.positions[i].insert(node.clone(), p.clone()).is_none();
                if fresh && event.sender.role == Role::ControlPoint {
                    record.tallies[i].states += 1;
                    record.tallies[i].objections += usize::from(p.kind() == PositionKind::NonConcur);
                }
            }
        }
        Payload::StageConcluded(c) => {
            for o in &c.outcomes {
                state.outcomes.insert(o.slot_id.clone(), o.clone());
            }
        }
        Payload::PackageCommunicated(p) => state.package = Some(p.clone()),
        Payload::ReceiptConfirmed(_) => {
            state.receipts.insert(node.clone());
        }
        _ => {}
    }
}
