//! Questions every reader asks of a record: who is present, what the current window still awaits
//! of whom and by when, and how long each answer took.

use std::fmt;
use std::time::Duration;

use bus::{NodeId, Role};
use proto::v1::PositionKind;

use crate::fold::{Draft, Moment, Record};
use crate::phase::Phase;

/// What a seat is still expected to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Task {
    /// Report at assembly.
    AssemblyReport,
    /// Activate the control point and pass the communications check.
    Activation,
    /// Submit the first draft for a slot.
    Draft(String),
    /// Give a position on a draft version.
    Position(String, u32),
    /// Revise a draft version that a state did not concur with.
    Revision(String, u32),
    /// Confirm receipt of the package.
    Receipt,
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Task::AssemblyReport => f.write_str("assembly report"),
            Task::Activation => f.write_str("activation and communications check"),
            Task::Draft(slot) => write!(f, "draft for {slot}"),
            Task::Position(slot, v) => write!(f, "position on {slot} v{v}"),
            Task::Revision(slot, v) => write!(f, "revision of {slot} v{v}"),
            Task::Receipt => f.write_str("receipt of the package"),
        }
    }
}

impl Task {
    /// The task as `lang` says it (`position on s1-03 v2`, `позиция по s1-03, редакция 2`).
    pub fn say(&self, lang: words::Lang) -> String {
        use words::Arg;
        match self {
            Task::AssemblyReport => words::say(lang, "task-assembly-report"),
            Task::Activation => words::say(lang, "task-activation"),
            Task::Draft(slot) => words::say_with(lang, "task-draft", &[("slot", Arg::from(slot.as_str()))]),
            Task::Position(slot, v) => words::say_with(
                lang,
                "task-position",
                &[("slot", Arg::from(slot.as_str())), ("version", Arg::from(*v))],
            ),
            Task::Revision(slot, v) => words::say_with(
                lang,
                "task-revision",
                &[("slot", Arg::from(slot.as_str())), ("version", Arg::from(*v))],
            ),
            Task::Receipt => words::say(lang, "task-receipt"),
        }
    }
}

/// One thing the current window waits for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Awaited {
    /// The seat that owes it.
    pub node: NodeId,
    /// What it owes.
    pub task: Task,
}

/// What an answer answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// The assembly report (asked by the notification).
    AssemblyReport,
    /// The activation (asked by the deployment order).
    Activation,
    /// A situation assessment (asked by the stage's opening).
    Assessment,
    /// A position (asked by the version's circulation).
    Position,
    /// A receipt (asked by the package).
    Receipt,
}

/// How long one answer took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerTime {
    /// Who answered.
    pub node: NodeId,
    /// What.
    pub kind: AnswerKind,
    /// Exercise time from the asking event to the answer, pauses not counted.
    pub after: Duration,
    /// Wall time from the asking event to the answer.
    pub wall: Duration,
}

impl AnswerTime {
    fn between(node: &NodeId, kind: AnswerKind, asked: Moment, answered: Moment) -> AnswerTime {
        AnswerTime {
            node: node.clone(),
            kind,
            after: answered.exercise.saturating_sub(asked.exercise),
            wall: answered.wall.duration_since(asked.wall).unwrap_or_default(),
        }
    }
}

impl Record {
    /// States present: control points of the plan not recorded absent.
    pub fn present_states(&self) -> impl Iterator<Item = &NodeId> + '_ {
        self.plan.iter().flat_map(|p| p.states()).map(|p| &p.node).filter(|n| !self.absent.contains(*n))
    }

    /// How many states are present.
    pub fn states_present(&self) -> usize {
        // Counted from the few absent, not the many present: asked after every submission.
        let Some(plan) = &self.plan else { return 0 };
        let absent =
            self.absent.iter().filter(|n| plan.participant(n).is_some_and(|p| p.role == Role::ControlPoint)).count();
        plan.state_count().saturating_sub(absent)
    }

    /// The deadline of the current window, exercise time after the start.
    pub fn deadline(&self) -> Option<Duration> {
        self.plan.as_ref()?.deadline(self.phase.phase)
    }

    /// What the current window still waits for, of whom. Empty when the window may close early.
    pub fn awaited(&self) -> Vec<Awaited> {
        let Some(plan) = &self.plan else { return vec![] };
        let of = |node: &NodeId, task| Awaited { node: node.clone(), task };
        match self.phase.phase {
            Phase::Assembly => plan
                .participants
                .iter()
                .filter(|p| p.reports_at_assembly() && !self.reported.contains_key(&p.node))
                .map(|p| of(&p.node, Task::AssemblyReport))
                .collect(),
            Phase::Deployment => self
                .present_states()
                .filter(|n| !self.activated.contains_key(*n))
                .map(|n| of(n, Task::Activation))
                .collect(),
            Phase::Stage(n) => {
                let Some(stage) = plan.stage(n) else { return vec![] };
                let mut waiting = Vec::new();
                for slot in &stage.slots {
                    let owner = plan.body(slot.owner).map(|p| &p.node);
                    let Some(version) = self.drafts.get(&slot.id).and_then(|d| d.latest()) else {
                        waiting.extend(owner.map(|o| of(o, Task::Draft(slot.id.clone()))));
                        continue;
                    };
                    let number = version.draft.version;
                    let missing: Vec<Awaited> = self
                        .present_states()
                        .filter(|n| !version.positions.contains_key(*n))
                        .map(|n| of(n, Task::Position(slot.id.clone(), number)))
                        .collect();
                    // A guest's non-concurrence is recorded but blocks nothing: only states' count.
                    // A state whose comment a revision did not accept objects until it concurs.
                    let unresolved = self.drafts.get(&slot.id).map(Draft::unresolved_states).unwrap_or_default();
                    let objected = self.present_states().any(|n| {
                        unresolved.contains(n)
                            || version.positions.get(n).is_some_and(|p| p.answer.kind() == PositionKind::NonConcur)
                    });
                    if objected && missing.is_empty() {
                        waiting.extend(owner.map(|o| of(o, Task::Revision(slot.id.clone(), number))));
                    }
                    waiting.extend(missing);
                }
                waiting
            }
            Phase::Distribution => self
                .present_states()
                .filter(|n| !self.receipts.contains_key(*n))
                .map(|n| of(n, Task::Receipt))
                .collect(),
            Phase::NotStarted | Phase::Concluded => vec![],
        }
    }

    /// Whether the current window awaits nothing more: the same question as "is [`Self::awaited`]
    /// empty", asked after every submission, so it is answered from counts (a stage costs one look
    /// per slot).
    pub fn complete(&self) -> bool {
        let Some(plan) = &self.plan else { return false };
        match self.phase.phase {
            Phase::Assembly => {
                plan.participants.iter().all(|p| !p.reports_at_assembly() || self.reported.contains_key(&p.node))
            }
            Phase::Deployment => self.present_states().all(|n| self.activated.contains_key(n)),
            Phase::Stage(n) => {
                let present = self.states_present();
                let Some(stage) = plan.stage(n) else { return false };
                let settled = |slot: &scenario::Slot| {
                    self.drafts.get(&slot.id).is_some_and(|d| {
                        d.latest().is_some_and(|v| v.tally.states == present && v.tally.objections == 0)
                            && !d.unresolved_states().iter().any(|n| self.present_states().any(|p| p == n))
                    })
                };
                // Every slot is looked at, from the one that held the stage open last time: until
                // that one settles, the answer takes one look rather than one per slot.
                let from = self.open_at.get().min(stage.slots.len());
                let (before, after) = stage.slots.split_at(from);
                match after.iter().chain(before).position(|slot| !settled(slot)) {
                    Some(k) => {
                        self.open_at.set((from + k) % stage.slots.len());
                        false
                    }
                    None => true,
                }
            }
            Phase::Distribution => self.present_states().all(|n| self.receipts.contains_key(n)),
            Phase::NotStarted | Phase::Concluded => false,
        }
    }

    /// Every answer with the time it took after what asked for it, in exercise time and wall
    /// time: assembly reports, activations, assessments, positions and receipts.
    pub fn answer_times(&self) -> Vec<AnswerTime> {
        let mut out = Vec::new();
        if let Some(asked) = self.notified {
            for (node, at) in &self.reported {
                out.push(AnswerTime::between(node, AnswerKind::AssemblyReport, asked, *at));
            }
        }
        if let Some(asked) = self.deployment_ordered {
            for (node, at) in &self.activated {
                out.push(AnswerTime::between(node, AnswerKind::Activation, asked, *at));
            }
        }
        for ((stage, node), a) in &self.assessments {
            if let Some(asked) = self.stages_opened.get(stage) {
                out.push(AnswerTime::between(node, AnswerKind::Assessment, *asked, a.at));
            }
        }
        for version in self.drafts.values().flat_map(|d| &d.versions) {
            for (node, p) in &version.positions {
                out.push(AnswerTime::between(node, AnswerKind::Position, version.circulated, p.at));
            }
        }
        if let Some(package) = &self.package {
            for (node, at) in &self.receipts {
                out.push(AnswerTime::between(node, AnswerKind::Receipt, package.at, *at));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use bus::envelope::Payload;
    use bus::{Envelope, ExerciseId, Sender};
    use proto::v1 as wire;

    use super::*;

    #[test]
    fn a_stage_is_complete_only_once_every_slot_is_settled_whichever_held_it_open_last() {
        let (_, plan) = crate::plan::default_plan();
        let slots: Vec<String> = plan.stage(1).expect("a first stage").slots.iter().map(|s| s.id.clone()).collect();
        assert!(slots.len() >= 2, "the first stage has {} slots", slots.len());
        let states: Vec<NodeId> = plan.states().map(|p| p.node.clone()).collect();
        let mut record = Record { plan: Some(Arc::new(plan)), ..Record::default() };
        record.phase.phase = Phase::Stage(1);
        let exercise = ExerciseId::new("ex").expect("valid");
        let body = Sender::new(Role::JointStaff, NodeId::new("js").expect("valid"));
        let draft = |slot: &str, version| wire::DraftDecision { slot_id: slot.into(), version, ..Default::default() };
        let submit =
            |record: &mut Record, payload| record.apply(&Envelope::new(exercise.clone(), body.clone(), payload));
        let concur = |record: &mut Record, slot: &str, version| {
            for state in &states {
                let position = wire::Position { slot_id: slot.into(), draft_version: version, ..Default::default() };
                let from = Sender::new(Role::ControlPoint, state.clone());
                record.apply(&Envelope::new(exercise.clone(), from, Payload::Position(position)));
            }
        };
        for slot in &slots {
            submit(&mut record, Payload::DraftDecision(draft(slot, 1)));
        }
        let (first, last) = (&slots[0], &slots[slots.len() - 1]);
        for slot in &slots[..slots.len() - 1] {
            concur(&mut record, slot, 1);
        }
        assert!(!record.complete(), "the last slot has no answers yet");
        // The first slot is revised (open again) as the last settles: the stage is still open.
        let revised = wire::DraftRevised { draft: Some(draft(first, 2)), ..Default::default() };
        submit(&mut record, Payload::DraftRevised(revised));
        concur(&mut record, last, 1);
        assert!(!record.complete(), "the first slot's revision is unanswered");
        assert!(!record.complete(), "asked again");
        concur(&mut record, first, 2);
        assert!(record.complete());
        assert_eq!(record.awaited(), vec![]);
    }
}
