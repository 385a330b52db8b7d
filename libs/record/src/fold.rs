//! The record of an exercise: its event log folded, one event at a time, by [`Record::apply`].
//! The coordinator's state is this record; every reader builds the same one from the same log.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Envelope, NodeId, Role, Sender};
use proto::v1::{self as wire, PositionKind};
use serde::{Deserialize, Serialize};

pub use crate::moment::Moment;
use crate::phase::{Phase, PhaseState};
use crate::plan::Plan;
use crate::seen::Seen;

/// The wall time an exercise has been held (paused): with the notification's time, what maps wall
/// time to exercise time, for the coordinator's clock and every reader's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Held {
    /// Held in all, pauses that ended.
    pub total: Duration,
    /// Held since then, while paused.
    pub since: Option<SystemTime>,
}

/// A recorded answer with the moment it was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answered<T> {
    /// What was answered.
    pub answer: T,
    /// When.
    pub at: Moment,
    /// The language its text was written in (`ru`), as its sender said; empty when unknown.
    pub language: String,
}

/// One version of a draft, with the positions on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// The draft as circulated.
    pub draft: wire::DraftDecision,
    /// For a revision: what changed.
    pub change_summary: String,
    /// The language its text and change summary were written in (`ru`); empty when unknown.
    pub language: String,
    /// When it circulated.
    pub circulated: Moment,
    /// Positions by node (states, and guests that give positions).
    pub positions: BTreeMap<NodeId, Answered<wire::Position>>,
    /// For a revision: what it did with each comment open on the version before.
    pub dispositions: Vec<wire::Disposition>,
    /// The states' answers counted.
    pub tally: Tally,
}

/// Counts of the states' answers on one draft version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Control points that gave a position.
    pub states: usize,
    /// Of those, how many did not concur.
    pub objections: usize,
}

/// A draft's versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The stage the slot belongs to.
    pub stage: u32,
    /// Every version, oldest first; version n is at index n-1. Shared: a snapshot is a copy of
    /// the record that costs a count per version, and only a version changed while the snapshot is
    /// written (the latest, as positions come in) is copied whole.
    pub versions: Vec<Arc<Version>>,
}

impl Draft {
    /// The current version number.
    pub fn current(&self) -> u32 {
        u32::try_from(self.versions.len()).unwrap_or(u32::MAX)
    }

    /// The current version.
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last().map(Arc::as_ref)
    }
}

/// Something that happened, for the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Happening {
    /// Participants notified; assembly open.
    Notified,
    /// Assembly closed.
    AssemblyClosed {
        /// How many reported.
        assembled: usize,
        /// Who was recorded absent.
        absent: Vec<String>,
    },
    /// Deployment ordered.
    DeploymentOrdered,
    /// A stage opened.
    StageOpened(u32),
    /// A stage was considered.
    StageConcluded {
        /// The stage.
        stage: u32,
        /// Drafts adopted.
        adopted: usize,
        /// Slots considered.
        considered: usize,
    },
    /// The package went out.
    PackageCommunicated {
        /// Its drafts.
        items: usize,
    },
    /// Exercise control held the exercise.
    Paused(String),
    /// Exercise control let it go on.
    Resumed(String),
    /// Exercise control closed the current window.
    Advanced(String),
    /// An inject was released (its id).
    InjectReleased(String),
    /// The exercise concluded.
    ExerciseConcluded {
        /// Receipts of the package.
        receipts: usize,
    },
    /// The phase (or the pause) changed.
    PhaseChanged(PhaseState),
}

/// One entry of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When.
    pub at: Moment,
    /// What.
    pub what: Happening,
}

/// An exercise as its log says it stands.
/// A record serializes (for the coordinator's snapshots) with its plan as the notification it came
/// from, the wire form every reader already folds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Record {
    /// The plan, once the notification is in the log: shared with the snapshots taken of the
    /// record (a plan of ten thousand states is megabytes, and only its list ever changes).
    #[serde(with = "crate::plan::as_notification")]
    pub plan: Option<Arc<Plan>>,
    /// The current phase.
    pub phase: PhaseState,
    /// Participants that reported at assembly.
    pub reported: BTreeMap<NodeId, Moment>,
    /// Participants recorded absent when assembly closed.
    pub absent: BTreeSet<NodeId>,
    /// The token control points must echo.
    pub comms_token: Option<String>,
    /// Control points that activated.
    pub activated: BTreeMap<NodeId, Moment>,
    /// When each stage opened.
    pub stages_opened: BTreeMap<u32, Moment>,
    /// Situation assessments by (stage, node).
    pub assessments: BTreeMap<(u32, NodeId), Answered<String>>,
    /// Drafts by slot id.
    pub drafts: BTreeMap<String, Draft>,
    /// Outcomes by slot id, once considered.
    pub outcomes: BTreeMap<String, wire::ConsiderationOutcome>,
    /// The package once communicated, and when.
    pub package: Option<Answered<wire::PackageCommunicated>>,
    /// States that confirmed receipt.
    pub receipts: BTreeMap<NodeId, Moment>,
    /// Injects released, in the order they were, with who acknowledged each.
    pub injects: Vec<crate::released::Released>,
    /// The conclusion, once recorded.
    pub concluded: Option<wire::ExerciseConcluded>,
    /// What happened, in order.
    pub timeline: Vec<Entry>,
    /// The events applied (accepted submissions and the coordinator's own), by sender and id, with
    /// their positions: a repeated submission is acknowledged with the original's receipt and
    /// changes nothing, and so does an event the log holds already.
    pub seen: Seen,
    /// Events applied so far (the log's length as this record knows it).
    pub events: u64,
    /// When the last event was recorded.
    pub last: Moment,
    /// When the notification was recorded: exercise time zero.
    pub notified: Option<Moment>,
    /// How long the exercise has been held.
    pub held: Held,
    /// When deployment was ordered.
    pub deployment_ordered: Option<Moment>,
    /// Whom the record trusts, and the last event it accepted; `None` folds without checking (the
    /// coordinator's own state, which it writes itself).
    pub trust: Option<bus::seal::Chain>,
    /// Where [`Record::complete`] last found the stage still open.
    #[serde(skip)]
    pub(crate) open_at: crate::hint::OpenAt,
}

/// The coordinator's identity: the sender of every event it writes itself.
pub fn coordinator() -> Sender {
    Sender::new(Role::Coordinator, NodeId::new("control").unwrap_or_else(|_| unreachable!("a valid node id")))
}

impl Record {
    /// An empty record that accepts only events sealed by `coordinator`, in chain.
    pub fn trusting(coordinator: impl Into<String>) -> Record {
        Record { trust: Some(bus::seal::Chain::new(coordinator)), ..Record::default() }
    }

    /// An empty record for a reader: trusting the coordinator whose key it was given, or, without
    /// one (a run without identities), folding unchecked.
    pub fn reading(coordinator: Option<String>) -> Record {
        coordinator.map_or_else(Record::default, Record::trusting)
    }

    /// Follows the log with `event`, the one at `sequence`: when the record trusts a coordinator,
    /// the events a verified checkpoint now covers, in log order (none while `event` waits for
    /// one); without trust, `event` itself. They are not applied: a reader that acts on each
    /// applies it ([`Record::apply`]) and acts, one by one. An event that is unsealed, out of chain
    /// or carries a checkpoint not the coordinator's is refused and changes nothing.
    pub fn admit(&mut self, sequence: u64, event: Envelope) -> Result<Vec<(u64, Envelope)>, bus::seal::SealError> {
        bus::seal::follow(self.trust.as_mut(), sequence, event)
    }

    /// [`Record::admit`]s `event` and applies what it releases; returns those events.
    pub fn accept(&mut self, sequence: u64, event: Envelope) -> Result<Vec<(u64, Envelope)>, bus::seal::SealError> {
        let covered = self.admit(sequence, event)?;
        for (sequence, e) in &covered {
            self.apply_at(*sequence, e);
        }
        Ok(covered)
    }

    /// Applies the log's event at `sequence`: the record's count stands at its position, whatever
    /// was passed over before it, so that what it holds is known by where it stands in the log.
    pub fn apply_at(&mut self, sequence: u64, event: &Envelope) {
        self.events = sequence.saturating_sub(1);
        self.apply(event);
    }

    /// A record folded from `events`, in log order.
    pub fn of<'a>(events: impl IntoIterator<Item = &'a Envelope>) -> Record {
        let mut record = Record::default();
        for e in events {
            record.apply(e);
        }
        record
    }

    /// Whether the log is complete: the phase change to concluded is its last event.
    pub fn is_concluded(&self) -> bool {
        self.phase.phase == Phase::Concluded
    }

    /// Applies one event of the log. An event whose sender and id the record holds already changes
    /// nothing but the count: every sender's id is one event, the coordinator's own too.
    pub fn apply(&mut self, event: &Envelope) {
        self.events += 1;
        if !self.seen.insert(&event.sender, &event.message_id, self.events) {
            return;
        }
        let at = Moment {
            exercise: event.exercise_time.unwrap_or(self.last.exercise),
            wall: event.recorded_at.unwrap_or(event.sent_at),
        };
        self.last = at;
        let node = &event.sender.node;
        let note = |timeline: &mut Vec<Entry>, what| timeline.push(Entry { at, what });
        match &event.payload {
            Payload::Notification(n) => {
                // A notification that does not carry a plan leaves the record without one: readers
                // then show nothing rather than guess.
                self.plan = Plan::from_notification(n).ok().map(Arc::new);
                self.notified = Some(at);
                // The director's start, when the notification answers one: a start that comes
                // again is recognised as recorded.
                if let Some(start) = &event.causation_id {
                    self.seen.insert(&bus::names::director(), start, self.events);
                }
                note(&mut self.timeline, Happening::Notified);
            }
            Payload::ParticipantsListed(listed) => {
                // More than announced, or unreadable, leaves the plan as it was: the list it
                // continues is the notification's.
                if let Some(plan) = &mut self.plan {
                    let _ = Arc::make_mut(plan).list(listed);
                }
            }
            Payload::PhaseChanged(p) => {
                match (p.paused, self.held.since) {
                    (true, None) => self.held.since = Some(at.wall),
                    (false, Some(since)) => {
                        self.held.total += at.wall.duration_since(since).unwrap_or_default();
                        self.held.since = None;
                    }
                    _ => {}
                }
                self.phase = PhaseState { phase: Phase::from_wire(p), paused: p.paused };
                note(&mut self.timeline, Happening::PhaseChanged(self.phase));
            }
            Payload::AssemblyReport(_) => {
                self.reported.entry(node.clone()).or_insert(at);
            }
            Payload::AssemblyClosed(c) => {
                self.absent = c.absent.iter().filter_map(|n| NodeId::new(n.as_str()).ok()).collect();
                note(
                    &mut self.timeline,
                    Happening::AssemblyClosed { assembled: c.assembled.len(), absent: c.absent.clone() },
                );
            }
            Payload::DeploymentOrdered(d) => {
                self.comms_token = Some(d.comms_check_token.clone());
                self.deployment_ordered = Some(at);
                note(&mut self.timeline, Happening::DeploymentOrdered);
            }
            Payload::ControlPointActivation(_) => {
                self.activated.entry(node.clone()).or_insert(at);
            }
            Payload::StageOpened(s) => {
                self.stages_opened.insert(s.stage_number, at);
                note(&mut self.timeline, Happening::StageOpened(s.stage_number));
            }
            Payload::SituationAssessment(a) => {
                self.assessments.entry((a.stage_number, node.clone())).or_insert(Answered {
                    answer: a.summary.clone(),
                    at,
                    language: event.language.clone(),
                });
            }
            Payload::DraftDecision(d) => {
                let stage = match self.phase.phase {
                    Phase::Stage(n) => n,
                    _ => 0,
                };
                let version = Version::new(d.clone(), String::new(), &event.language, at);
                self.drafts.insert(d.slot_id.clone(), Draft { stage, versions: vec![Arc::new(version)] });
            }
            Payload::DraftRevised(r) => {
                if let Some((d, draft)) = r.draft.as_ref().and_then(|d| Some((d, self.drafts.get_mut(&d.slot_id)?))) {
                    let mut version = Version::new(d.clone(), r.change_summary.clone(), &event.language, at);
                    version.dispositions = r.dispositions.clone();
                    draft.versions.push(Arc::new(version));
                }
            }
            Payload::Position(p) => {
                let index = (p.draft_version as usize).checked_sub(1);
                let draft = self.drafts.get_mut(&p.slot_id);
                if let Some(version) = draft.zip(index).and_then(|(d, i)| d.versions.get_mut(i))
                    && !version.positions.contains_key(node)
                {
                    // Copied first only while a snapshot being written still holds it.
                    let version = Arc::make_mut(version);
                    version
                        .positions
                        .insert(node.clone(), Answered { answer: p.clone(), at, language: event.language.clone() });
                    if event.sender.role == Role::ControlPoint {
                        version.tally.states += 1;
                        version.tally.objections += usize::from(p.kind() == PositionKind::NonConcur);
                    }
                }
            }
            Payload::StageConcluded(c) => {
                for o in &c.outcomes {
                    self.outcomes.insert(o.slot_id.clone(), o.clone());
                }
                let adopted = c.outcomes.iter().filter(|o| o.outcome() == wire::Outcome::Adopted).count();
                note(
                    &mut self.timeline,
                    Happening::StageConcluded { stage: c.stage_number, adopted, considered: c.outcomes.len() },
                );
            }
            Payload::PackageCommunicated(p) => {
                self.package = Some(Answered { answer: p.clone(), at, language: String::new() });
                note(&mut self.timeline, Happening::PackageCommunicated { items: p.items.len() });
            }
            Payload::ReceiptConfirmed(_) => {
                self.receipts.entry(node.clone()).or_insert(at);
            }
            Payload::InjectReleased(r) => {
                self.inject_released(r, at, &event.language);
                if let Some(inject) = &r.inject {
                    note(&mut self.timeline, Happening::InjectReleased(inject.inject_id.clone()));
                }
            }
            Payload::AcknowledgeInject(a) => self.inject_acknowledged(&a.inject_id, node, at),
            // The director's order is recorded; the inject it releases follows it.
            Payload::ReleaseInject(_) => {}
            Payload::PauseExercise(p) => note(&mut self.timeline, Happening::Paused(p.reason.clone())),
            Payload::ResumeExercise(p) => note(&mut self.timeline, Happening::Resumed(p.reason.clone())),
            Payload::AdvanceExercise(p) => note(&mut self.timeline, Happening::Advanced(p.reason.clone())),
            Payload::ExerciseConcluded(c) => {
                self.concluded = Some(c.clone());
                note(&mut self.timeline, Happening::ExerciseConcluded { receipts: c.receipts.len() });
            }
            // A start is never recorded: the notification it leads to is.
            Payload::Rejection(_) | Payload::Accepted(_) | Payload::StartExercise(_) => {}
        }
    }

    /// Exercise time `at` as people read it, on the plan's calendar (see `scenario::calendar::when`).
    pub fn when(&self, at: Duration) -> String {
        self.when_in(words::Lang::default(), at)
    }

    /// [`Self::when`], as `lang` writes it.
    pub fn when_in(&self, lang: words::Lang, at: Duration) -> String {
        scenario::calendar::when_in(lang, self.plan.as_deref().and_then(Plan::calendar).as_ref(), at)
    }

    /// Exercise time at wall time `now`, as the log lets a reader estimate it: the last event's
    /// exercise time, plus the wall time since then at the plan's scale unless paused.
    pub fn exercise_now(&self, now: SystemTime) -> Duration {
        let Some(plan) = &self.plan else { return Duration::ZERO };
        if self.phase.paused || self.phase.phase == Phase::Concluded {
            return self.last.exercise;
        }
        let since = now.duration_since(self.last.wall).unwrap_or_default();
        self.last
            .exercise
            .saturating_add(Duration::try_from_secs_f64(since.as_secs_f64() * plan.time_scale).unwrap_or(Duration::MAX))
    }

    /// How long `span` of exercise time lasts in real time at the plan's scale, to the second.
    pub fn real_time(&self, span: Duration) -> Option<Duration> {
        let plan = self.plan.as_ref()?;
        Duration::try_from_secs_f64(span.as_secs_f64() / plan.time_scale).ok().map(|d| Duration::from_secs(d.as_secs()))
    }

    /// `span` of exercise time left, in exercise time and, when the scale is not 1, in real time.
    pub fn time_left(&self, span: Duration) -> String {
        self.time_left_in(words::Lang::default(), span)
    }

    /// [`Self::time_left`], as `lang` says it.
    pub fn time_left_in(&self, lang: words::Lang, span: Duration) -> String {
        use words::Arg;
        let exercise = Arg::from(scenario::calendar::span_in(lang, span));
        let scale = self.plan.as_ref().map_or(1.0, |p| p.time_scale);
        let Some(real) = self.real_time(span).filter(|_| scale != 1.0) else {
            return words::say_with(lang, "time-left", &[("exercise", exercise)]);
        };
        let real = Arg::from(scenario::calendar::span_in(lang, real));
        if self.phase.paused {
            return words::say_with(lang, "time-left-paused", &[("exercise", exercise), ("real", real)]);
        }
        // To a tenth: "3.3× slower", not the float's sixteen digits.
        let times = |x: f64| Arg::from((x * 10.0).round() / 10.0);
        let pace = if scale > 1.0 {
            words::say_with(lang, "pace-faster", &[("times", times(scale))])
        } else {
            words::say_with(lang, "pace-slower", &[("times", times(1.0 / scale))])
        };
        words::say_with(lang, "time-left-scaled", &[("exercise", exercise), ("real", real), ("pace", Arg::from(pace))])
    }
}

impl Version {
    fn new(draft: wire::DraftDecision, change_summary: String, language: &str, circulated: Moment) -> Self {
        Version {
            draft,
            change_summary,
            language: language.to_owned(),
            circulated,
            positions: BTreeMap::new(),
            dispositions: Vec::new(),
            tally: Tally::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use bus::ExerciseId;
    use proto::v1 as wire;

    use super::*;

    /// An event of the coordinator's, recorded at exercise time `exercise` and wall time `wall`
    /// seconds after the epoch.
    fn event(id: &str, exercise: u64, wall: u64, payload: Payload) -> Envelope {
        let mut e = Envelope::new(ExerciseId::new("ex").expect("valid"), crate::coordinator(), payload);
        e.message_id = bus::MessageId::new(id).expect("valid");
        e.exercise_time = Some(Duration::from_secs(exercise));
        e.recorded_at = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(wall));
        e
    }

    fn paused(id: &str, exercise: u64, wall: u64, paused: bool) -> Envelope {
        let phase = wire::PhaseChanged { phase: wire::Phase::Assembly as i32, stage_number: 0, paused };
        event(id, exercise, wall, Payload::PhaseChanged(phase))
    }

    #[test]
    fn the_record_keeps_the_clock_start_and_every_pause_and_a_repeat_changes_nothing() {
        let (_, plan) = crate::plan::default_plan();
        let (notification, _) = plan.to_messages(usize::MAX);
        let mut record = Record::default();
        record.apply(&event("notification", 0, 100, Payload::Notification(notification)));
        assert_eq!(record.notified.map(|m| m.wall), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(100)));
        record.apply(&paused("pause-1", 600, 110, true));
        assert_eq!(
            record.held,
            Held { total: Duration::ZERO, since: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(110)) }
        );
        let before = record.clone();
        record.apply(&paused("pause-1", 600, 110, true));
        assert_eq!((record.held, &record.timeline), (before.held, &before.timeline), "a repeat is recognised");
        assert_eq!(record.events, before.events + 1, "though it takes its place in the log");
        record.apply(&paused("resume-1", 600, 130, false));
        record.apply(&paused("pause-2", 900, 135, true));
        record.apply(&paused("resume-2", 900, 140, false));
        assert_eq!(record.held, Held { total: Duration::from_secs(25), since: None }, "20 s and 5 s held");
        assert_eq!(record.last.exercise, Duration::from_secs(900));
    }

    #[test]
    fn exercise_time_reads_on_the_plans_calendar_or_as_day_and_hour_without_one() {
        let (_, plan) = crate::plan::default_plan();
        let after = Duration::from_secs(29 * 3600 + 20 * 60);
        assert_eq!(Record::default().when(after), "day 2, 05:20");
        let record = Record { plan: Some(Arc::new(plan)), ..Record::default() };
        assert_eq!(record.when(after), "18 Mar 2025 14:20 MSK (day 2, 05:20)");
    }

    #[test]
    fn time_left_is_said_in_exercise_time_and_in_real_time_at_the_scale() {
        let (_, mut plan) = crate::plan::default_plan();
        plan.time_scale = 60.0;
        let mut record = Record { plan: Some(Arc::new(plan)), ..Record::default() };
        let left = Duration::from_secs(30 * 3600);
        assert_eq!(
            record.time_left(left),
            "1 d 6 h left in exercise time: about 30 min in real time (the exercise runs 60× faster)"
        );
        Arc::make_mut(record.plan.as_mut().expect("a plan")).time_scale = 0.5;
        assert!(record.time_left(left).ends_with("about 2 d 12 h in real time (the exercise runs 2× slower)"));
        let ru = words::Lang::parse("ru").expect("Russian catalogues");
        assert_eq!(
            record.time_left_in(ru, left),
            "осталось 1 сут 6 ч времени учения: около 2 сут 12 ч реального времени (учение идёт в 2 раза медленнее)"
        );
        Arc::make_mut(record.plan.as_mut().expect("a plan")).time_scale = 60.0;
        assert!(
            record.time_left_in(ru, left).ends_with("(учение идёт в 60 раз быстрее)"),
            "{}",
            record.time_left_in(ru, left)
        );
        record.phase.paused = true;
        assert!(record.time_left(left).contains("once resumed"), "{}", record.time_left(left));
        Arc::make_mut(record.plan.as_mut().expect("a plan")).time_scale = 1.0;
        assert_eq!(record.time_left(left), "1 d 6 h left", "real time is exercise time: said once");
    }
}
