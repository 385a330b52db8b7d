//! The coordinator's brain: pure functions over data, no I/O.
//!
//! [`step`] takes the record and one input (start, a submission, the clock), applies the events
//! the input leads to, and returns them (to publish) with the reply to send. The record is the
//! exercise's log folded (`record::Record::apply`), so the coordinator's state is exactly what
//! every reader folds, and an input that is refused changes nothing: every check
//! ([`crate::checks`]) is made before anything is applied. How windows close and drafts are
//! considered is in [`crate::windows`].

use bus::envelope::Payload;
use bus::{Envelope, MessageId, Role, Sender};
use proto::v1::RejectionCode;
use record::{Phase, Plan, Record};
use words::Message;

use crate::checks::{Refusal, refuse};
pub use crate::config::{Comms, Config};
use crate::events::{emit, event, phase_changed};
use crate::{checks, injects, windows};
/// The time an input arrives at: the moment its events are recorded.
pub use record::Moment;

/// The coordinator's state: the record of the exercise.
pub type State = Record;

/// One input to the machine.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Start the exercise (ignored once started).
    Start,
    /// A submission taken off the bus.
    Submission(&'a Envelope),
    /// A submission whose signature was found, in a batch, to be this public key's: when it is the
    /// key the sender must sign with, it is not checked again; else it is, as any submission.
    Checked(&'a Envelope, &'a str),
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
        /// For a duplicate: the log position of the event that recorded the original, whose
        /// receipt the answer carries again.
        original: Option<u64>,
        /// For a state's assembly report: the token its activation must echo (for it alone).
        comms_token: Option<String>,
    },
    /// Refused; nothing changed.
    Rejected {
        /// The message refused.
        message_id: MessageId,
        /// Why, for machines.
        code: RejectionCode,
        /// Why, for people: a message each reader says in its language.
        reason: words::Message,
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

/// Takes one input: applies the events it leads to and returns them with the reply. Pure: the same
/// state and input give the same decision. A refused input leaves the state as it was.
pub fn step(config: &Config, state: &mut State, input: Input<'_>, now: Moment) -> Decision {
    match input {
        Input::Start if state.phase.phase == Phase::NotStarted && !config.awaits_director => {
            Decision { events: start(config, &config.scenario, state, now, None), reply: None }
        }
        Input::Start => Decision::default(),
        Input::Tick => {
            // Injects go out when their time comes, whether or not a window closes now.
            let mut events = injects::release_due(config, state, now);
            events.extend(windows::close_if_due(config, state, now));
            Decision { events, reply: None }
        }
        Input::Submission(envelope) => submission(config, state, envelope, None, now),
        Input::Checked(envelope, key) => submission(config, state, envelope, Some(key), now),
    }
}

/// The notification of `scenario` and the opening of assembly: the exercise's time zero, by definition.
fn start(
    config: &Config,
    scenario: &scenario::Scenario,
    state: &mut State,
    now: Moment,
    cause: Option<&Envelope>,
) -> Vec<Envelope> {
    let now = Moment { exercise: std::time::Duration::ZERO, ..now };
    let plan = Plan::of(scenario, config.time_scale, config.mode, &config.keys);
    let (notification, lists) = plan.to_messages(record::plan::MESSAGE_BUDGET);
    let mut notification = event(&config.exercise, now, "notification".into(), Payload::Notification(notification));
    if let Some(cause) = cause {
        notification = notification.caused_by(cause);
    }
    let mut events = vec![notification];
    // A list too long for the notification follows it at once, before anyone can answer.
    for (n, list) in lists.into_iter().enumerate() {
        let id = format!("participants-listed-{}", n + 1);
        events.push(event(&config.exercise, now, id, Payload::ParticipantsListed(list)));
    }
    events.push(phase_changed(&config.exercise, now, Phase::Assembly, false, None));
    emit(state, events)
}

fn submission(config: &Config, state: &mut State, envelope: &Envelope, checked: Option<&str>, now: Moment) -> Decision {
    let to = envelope.sender.clone();
    let message_id = envelope.message_id.clone();
    let refused = |Refusal(code, reason)| Decision {
        events: vec![],
        reply: Some((envelope.sender.clone(), Reply::Rejected { message_id: message_id.clone(), code, reason })),
    };
    // Who sent it comes first: a submission is known by its sender and its id, so nothing about it
    // is looked up before its sender is proven by its signature.
    if let Err(refusal) = checks::sender(config, state, envelope, checked) {
        return refused(refusal);
    }
    let comms_token = comms_token(config, state, envelope);
    let original = state.seen.position(&envelope.sender, &message_id);
    let reported_again = comms_token.is_some() && state.reported.contains_key(&envelope.sender.node);
    if original.is_some() || reported_again {
        // A state that reported already and lost its token asks again with a new report: it gets
        // its token, and nothing is recorded twice.
        let events = match &envelope.payload {
            Payload::ReleaseInject(order) => injects::finish(config, state, envelope, order, now),
            _ => vec![],
        };
        let reply = Reply::Accepted { message_id, duplicate: true, original, comms_token };
        return Decision { events, reply: Some((to, reply)) };
    }
    match accept(config, state, envelope, now) {
        Ok(events) => Decision {
            events,
            reply: Some((to, Reply::Accepted { message_id, duplicate: false, original: None, comms_token })),
        },
        Err(refusal) => refused(refusal),
    }
}

/// The token a state's assembly report is answered with, when each state has its own and the
/// report is the state's own.
fn comms_token(config: &Config, state: &State, envelope: &Envelope) -> Option<String> {
    if !config.comms.per_state() || !matches!(envelope.payload, Payload::AssemblyReport(_)) {
        return None;
    }
    let plan = state.plan.as_ref()?;
    let seat = plan.participant(&envelope.sender.node).filter(|p| p.role == envelope.sender.role)?;
    // Its signature was checked with its sender.
    if seat.role != Role::ControlPoint {
        return None;
    }
    Some(config.comms.token(&config.exercise, &envelope.sender.node))
}

/// Checks a submission against the state; on success applies and returns the events it leads to.
/// Its sender is proven already ([`checks::sender`]).
fn accept(config: &Config, state: &mut State, envelope: &Envelope, now: Moment) -> Result<Vec<Envelope>, Refusal> {
    // What people wrote: within its limits, and nothing that acts on a display.
    bus::text::check_payload(&envelope.payload).map_err(|e| Refusal(RejectionCode::InvalidContent, e.message()))?;
    if envelope.sender.role == Role::Coordinator {
        if let Payload::StartExercise(_) = envelope.payload {
            return start_by_director(config, state, envelope, now);
        }
        return control(config, state, envelope, now);
    }
    checks::submission(config, state, envelope)?;
    let mut events = emit(state, vec![recorded(envelope, now)]);
    events.extend(windows::close_if_complete(config, state, now));
    Ok(events)
}

/// A submission as the log records it: the submitter's own envelope, stamped with when it was
/// recorded.
fn recorded(envelope: &Envelope, now: Moment) -> Envelope {
    Envelope { exercise_time: Some(now.exercise), recorded_at: Some(now.wall), ..envelope.clone() }
}

/// The director's start of an exercise that waits for it; before the notification, the director's
/// key is the one the coordinator was given.
fn start_by_director(
    config: &Config,
    state: &mut State,
    envelope: &Envelope,
    now: Moment,
) -> Result<Vec<Envelope>, Refusal> {
    if state.phase.phase != Phase::NotStarted {
        return refuse(RejectionCode::WrongPhase, Message::new("reason-started-already"));
    }
    if !config.awaits_director {
        return refuse(RejectionCode::NotPermitted, Message::new("reason-starts-by-itself"));
    }
    let Payload::StartExercise(order) = &envelope.payload else {
        return refuse(RejectionCode::Malformed, Message::new("reason-no-start"));
    };
    if order.scenario.is_empty() {
        return Ok(start(config, &config.scenario, state, now, Some(envelope)));
    }
    let handed = handed_plan(config, &order.scenario)?;
    Ok(start(config, &handed, state, now, Some(envelope)))
}

/// The plan the planner handed over, as the director starts with it: valid, and played by the
/// seats this exercise has (their keys, their policies).
fn handed_plan(config: &Config, text: &str) -> Result<scenario::Scenario, Refusal> {
    let handed = scenario::parse(text, "plan").map_err(|e| {
        let problems = match &e {
            scenario::ScenarioError::Invalid { problems, .. } => problems.len(),
            scenario::ScenarioError::Read { .. } => 1,
        };
        Refusal(RejectionCode::InvalidContent, Message::new("reason-plan-invalid").with("problems", problems))
    })?;
    if handed.participants != config.scenario.participants {
        return refuse(RejectionCode::NotPermitted, Message::new("reason-plan-other-seats"));
    }
    Ok(handed)
}

/// Pause, resume, advance and the release of an inject, from exercise control.
fn control(config: &Config, next: &mut State, envelope: &Envelope, now: Moment) -> Result<Vec<Envelope>, Refusal> {
    let exercise = &config.exercise;
    let phase = next.phase;
    if matches!(phase.phase, Phase::NotStarted | Phase::Concluded) {
        return checks::wrong_phase(next, "control");
    }
    let meant = match &envelope.payload {
        Payload::PauseExercise(c) => c.window.as_ref(),
        Payload::ResumeExercise(c) => c.window.as_ref(),
        Payload::AdvanceExercise(c) => c.window.as_ref(),
        _ => None,
    };
    let meant = meant.map(Phase::of_window);
    if matches!(meant, Some(Phase::NotStarted | Phase::Concluded)) {
        return refuse(RejectionCode::Malformed, Message::new("reason-no-such-window"));
    }
    if let Some(meant) = meant
        && meant != phase.phase
    {
        let reason = checks::phase_args(Message::new("reason-stale-window"), "meant_", meant);
        return refuse(RejectionCode::StaleWindow, checks::phase_args(reason, "open_", phase.phase));
    }
    let paused = match &envelope.payload {
        Payload::PauseExercise(_) if phase.paused => {
            return refuse(RejectionCode::WrongPhase, Message::new("reason-already-paused"));
        }
        Payload::PauseExercise(_) => true,
        Payload::ResumeExercise(_) if !phase.paused => {
            return refuse(RejectionCode::WrongPhase, Message::new("reason-not-paused"));
        }
        Payload::ResumeExercise(_) => false,
        Payload::ReleaseInject(order) => return injects::release(config, next, envelope, order, now),
        Payload::AdvanceExercise(_) => {
            let mut events = emit(next, vec![recorded(envelope, now)]);
            events.extend(windows::close(config, next, now));
            return Ok(events);
        }
        other => {
            let reason = Message::new("reason-not-a-command").with("what", bus::envelope::payload_kind(other));
            return refuse(RejectionCode::NotPermitted, reason);
        }
    };
    let changed = phase_changed(exercise, now, phase.phase, paused, Some(&envelope.message_id));
    Ok(emit(next, vec![recorded(envelope, now), changed]))
}
