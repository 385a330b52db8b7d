//! The after-action report as data, built from an exercise's events in log order. Pure.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Envelope, Role};
use proto::v1::{self as wire, Outcome, PositionKind};
use scenario::{DecisionRule, Scenario};
use serde::Serialize;

/// The after-action record of one exercise.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// The exercise id.
    pub exercise: String,
    /// The scenario's title.
    pub title: String,
    /// The decision rule in force.
    pub decision_rule: String,
    /// Exercise seconds per wall second in this run.
    pub time_scale: f64,
    /// Wall time from the notification to the conclusion, milliseconds.
    pub wall_ms: u64,
    /// Events in the log.
    pub events: usize,
    /// Phases and stages with their wall times.
    pub timeline: Vec<TimelineEntry>,
    /// Every participant with its assembly and activation.
    pub participants: Vec<ParticipantRecord>,
    /// Nodes recorded absent at assembly.
    pub absent: Vec<String>,
    /// Per stage: assessments and slots.
    pub stages: Vec<StageRecord>,
    /// Per state: how many answers and how fast.
    pub answer_times: Vec<AnswerTimes>,
    /// The package as sent.
    pub package: Option<PackageRecord>,
    /// Receipts of the package.
    pub receipts: Vec<Answer>,
    /// Totals.
    pub totals: Totals,
}

/// One step of the timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineEntry {
    /// Milliseconds after the start (wall).
    pub at_ms: u64,
    /// What happened.
    pub what: String,
}

/// A participant's record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParticipantRecord {
    /// Node id.
    pub node: String,
    /// Name.
    pub name: String,
    /// Role token.
    pub role: String,
    /// Its assembly report, if any.
    pub assembly: Option<Answer>,
    /// Its activation, if any.
    pub activation: Option<Answer>,
}

/// When an answer came, relative to what asked for it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    /// Who answered.
    pub node: String,
    /// Milliseconds (wall) after the event that asked for it.
    pub after_ms: u64,
}

/// One stage's record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StageRecord {
    /// 1-based number.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Region.
    pub region: String,
    /// Situation assessments.
    pub assessments: Vec<Answer>,
    /// Slots in order.
    pub slots: Vec<SlotRecord>,
}

/// One slot's record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SlotRecord {
    /// Slot id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Drafting body.
    pub body: String,
    /// Category.
    pub category: String,
    /// Every version with its positions.
    pub versions: Vec<VersionRecord>,
    /// Outcome token: adopted, returned, no_draft; empty when not considered.
    pub outcome: String,
    /// Why.
    pub reason: String,
}

/// One draft version.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VersionRecord {
    /// Version number.
    pub version: u32,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// For revisions: what changed.
    pub change_summary: String,
    /// Positions, by state.
    pub positions: BTreeMap<String, PositionRecord>,
}

/// One position.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PositionRecord {
    /// concur, concur_with_remarks, non_concur, abstain.
    pub kind: String,
    /// Reasons or remarks.
    pub reasons: Vec<String>,
    /// Milliseconds (wall) after the version circulated.
    pub after_ms: u64,
}

/// Answer times of one participant.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnswerTimes {
    /// Node id.
    pub node: String,
    /// Answers given (assembly, activation, assessments, positions, receipt).
    pub answers: usize,
    /// Median milliseconds after the asking event.
    pub median_ms: u64,
    /// Slowest answer.
    pub max_ms: u64,
}

/// The package as communicated.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PackageRecord {
    /// Its id.
    pub package_id: String,
    /// SHA-256 of its items.
    pub digest: String,
    /// Items in order.
    pub items: Vec<PackageItemRecord>,
}

/// One item of the package.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PackageItemRecord {
    /// Stage.
    pub stage: u32,
    /// Slot.
    pub slot: String,
    /// Version sent.
    pub version: u32,
    /// Title.
    pub title: String,
    /// Outcome token.
    pub outcome: String,
}

/// Totals over the exercise.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Totals {
    /// Slots considered.
    pub considered: usize,
    /// Drafts adopted.
    pub adopted: usize,
    /// Drafts returned.
    pub returned: usize,
    /// Slots without a draft.
    pub no_draft: usize,
    /// Revisions submitted.
    pub revisions: usize,
    /// Positions given.
    pub positions: usize,
    /// Whether the exercise concluded.
    pub concluded: bool,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn outcome_token(outcome: i32) -> String {
    match Outcome::try_from(outcome) {
        Ok(Outcome::Adopted) => "adopted",
        Ok(Outcome::Returned) => "returned",
        Ok(Outcome::NoDraft) => "no_draft",
        _ => "",
    }
    .into()
}

fn kind_token(kind: PositionKind) -> &'static str {
    match kind {
        PositionKind::Concur => "concur",
        PositionKind::ConcurWithRemarks => "concur_with_remarks",
        PositionKind::NonConcur => "non_concur",
        PositionKind::Abstain => "abstain",
        PositionKind::Unspecified => "unspecified",
    }
}

/// Builds the report from the events of one exercise, in log order.
pub fn build(scenario: &Scenario, exercise: &str, time_scale: f64, events: &[Envelope]) -> Report {
    let start = events.first().map_or(SystemTime::UNIX_EPOCH, |e| e.sent_at);
    let since_start = |t: SystemTime| ms(t.duration_since(start).unwrap_or_default());
    let sent: BTreeMap<&str, SystemTime> = events.iter().map(|e| (e.message_id.as_str(), e.sent_at)).collect();
    let answer = |e: &Envelope| Answer {
        node: e.sender.node.to_string(),
        after_ms: e
            .causation_id
            .as_ref()
            .and_then(|c| sent.get(c.as_str()))
            .map_or(0, |asked| ms(e.sent_at.duration_since(*asked).unwrap_or_default())),
    };

    let mut participants: Vec<ParticipantRecord> = scenario
        .participants
        .iter()
        .map(|p| ParticipantRecord {
            node: p.node.to_string(),
            name: p.name.clone(),
            role: p.role.token().into(),
            assembly: None,
            activation: None,
        })
        .collect();
    let mut stages: Vec<StageRecord> = scenario
        .stages
        .iter()
        .map(|s| StageRecord {
            number: s.number,
            title: s.title.clone(),
            region: s.region.clone(),
            assessments: vec![],
            slots: s
                .slots
                .iter()
                .map(|slot| SlotRecord {
                    id: slot.id.clone(),
                    title: slot.title.clone(),
                    body: slot.owner.to_string(),
                    category: slot.category.to_string(),
                    versions: vec![],
                    outcome: String::new(),
                    reason: String::new(),
                })
                .collect(),
        })
        .collect();
    let mut report = Report {
        exercise: exercise.into(),
        title: scenario.title.clone(),
        decision_rule: match scenario.decision_rule {
            DecisionRule::Consensus => "consensus of the states present".into(),
            DecisionRule::Silence => "silence procedure".into(),
        },
        time_scale,
        wall_ms: events.last().map_or(0, |e| since_start(e.sent_at)),
        events: events.len(),
        timeline: vec![],
        participants: vec![],
        absent: vec![],
        stages: vec![],
        answer_times: vec![],
        package: None,
        receipts: vec![],
        totals: Totals::default(),
    };
    let mut answers: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut circulated: BTreeMap<(String, u32), SystemTime> = BTreeMap::new();
    let note = |report: &mut Report, at: SystemTime, what: String| {
        report.timeline.push(TimelineEntry { at_ms: since_start(at), what });
    };

    for e in events {
        let by_state = e.sender.role != Role::Coordinator;
        if by_state && !matches!(e.payload, Payload::DraftDecision(_) | Payload::DraftRevised(_)) {
            answers.entry(e.sender.node.to_string()).or_default().push(answer(e).after_ms);
        }
        match &e.payload {
            Payload::Notification(_) => note(&mut report, e.sent_at, "participants notified; assembly open".into()),
            Payload::AssemblyReport(_) => {
                if let Some(p) = participants.iter_mut().find(|p| p.node == e.sender.node.as_str()) {
                    p.assembly = Some(answer(e));
                }
            }
            Payload::AssemblyClosed(c) => {
                report.absent = c.absent.clone();
                let absent = if c.absent.is_empty() { "none".to_string() } else { c.absent.join(", ") };
                note(
                    &mut report,
                    e.sent_at,
                    format!("assembly closed: {} reported, absent: {absent}", c.assembled.len()),
                );
            }
            Payload::DeploymentOrdered(_) => {
                note(&mut report, e.sent_at, "deployment ordered; control points activate".into())
            }
            Payload::ControlPointActivation(_) => {
                if let Some(p) = participants.iter_mut().find(|p| p.node == e.sender.node.as_str()) {
                    p.activation = Some(answer(e));
                }
            }
            Payload::StageOpened(s) => {
                note(&mut report, e.sent_at, format!("stage {} opened: {}", s.stage_number, s.title))
            }
            Payload::SituationAssessment(a) => {
                if let Some(stage) = stages.iter_mut().find(|s| s.number == a.stage_number) {
                    stage.assessments.push(answer(e));
                }
            }
            Payload::DraftDecision(d) => add_version(&mut stages, &mut circulated, e.sent_at, d, String::new()),
            Payload::DraftRevised(r) => {
                if let Some(d) = &r.draft {
                    report.totals.revisions += 1;
                    add_version(&mut stages, &mut circulated, e.sent_at, d, r.change_summary.clone());
                }
            }
            Payload::Position(p) => {
                report.totals.positions += 1;
                let asked = circulated.get(&(p.slot_id.clone(), p.draft_version)).copied().unwrap_or(e.sent_at);
                let version = slot_mut(&mut stages, &p.slot_id)
                    .and_then(|s| s.versions.iter_mut().find(|v| v.version == p.draft_version));
                if let Some(version) = version {
                    version.positions.insert(
                        e.sender.node.to_string(),
                        PositionRecord {
                            kind: kind_token(p.kind()).into(),
                            reasons: p.reasons.clone(),
                            after_ms: ms(e.sent_at.duration_since(asked).unwrap_or_default()),
                        },
                    );
                }
            }
            Payload::StageConcluded(c) => {
                let adopted = c.outcomes.iter().filter(|o| o.outcome() == Outcome::Adopted).count();
                note(
                    &mut report,
                    e.sent_at,
                    format!("stage {} considered: {adopted} of {} adopted", c.stage_number, c.outcomes.len()),
                );
                for o in &c.outcomes {
                    report.totals.considered += 1;
                    match o.outcome() {
                        Outcome::Adopted => report.totals.adopted += 1,
                        Outcome::Returned => report.totals.returned += 1,
                        Outcome::NoDraft => report.totals.no_draft += 1,
                        Outcome::Unspecified => {}
                    }
                    if let Some(slot) = slot_mut(&mut stages, &o.slot_id) {
                        slot.outcome = outcome_token(o.outcome);
                        slot.reason = o.reason.clone();
                    }
                }
            }
            Payload::PackageCommunicated(p) => {
                note(&mut report, e.sent_at, format!("package of {} drafts communicated to the states", p.items.len()));
                report.package = Some(package(p));
            }
            Payload::ReceiptConfirmed(_) => report.receipts.push(answer(e)),
            Payload::PauseExercise(p) => {
                note(&mut report, e.sent_at, format!("paused by exercise control: {}", p.reason))
            }
            Payload::ResumeExercise(p) => {
                note(&mut report, e.sent_at, format!("resumed by exercise control: {}", p.reason))
            }
            Payload::AdvanceExercise(p) => {
                note(&mut report, e.sent_at, format!("advanced by exercise control: {}", p.reason))
            }
            Payload::ExerciseConcluded(c) => {
                report.totals.concluded = true;
                note(&mut report, e.sent_at, format!("exercise concluded: {} receipts", c.receipts.len()));
            }
            _ => {}
        }
    }
    report.answer_times = answers
        .into_iter()
        .map(|(node, mut times)| {
            times.sort_unstable();
            AnswerTimes {
                answers: times.len(),
                median_ms: times[times.len() / 2],
                max_ms: times.last().copied().unwrap_or(0),
                node,
            }
        })
        .collect();
    report.participants = participants;
    report.stages = stages;
    report
}

fn slot_mut<'a>(stages: &'a mut [StageRecord], id: &str) -> Option<&'a mut SlotRecord> {
    stages.iter_mut().flat_map(|s| s.slots.iter_mut()).find(|s| s.id == id)
}

fn add_version(
    stages: &mut [StageRecord],
    circulated: &mut BTreeMap<(String, u32), SystemTime>,
    at: SystemTime,
    d: &wire::DraftDecision,
    change_summary: String,
) {
    circulated.insert((d.slot_id.clone(), d.version), at);
    if let Some(slot) = slot_mut(stages, &d.slot_id) {
        slot.versions.push(VersionRecord {
            version: d.version,
            title: d.title.clone(),
            text: d.text.clone(),
            change_summary,
            positions: BTreeMap::new(),
        });
    }
}

fn package(p: &wire::PackageCommunicated) -> PackageRecord {
    PackageRecord {
        package_id: p.package_id.clone(),
        digest: p.digest.clone(),
        items: p
            .items
            .iter()
            .map(|i| {
                let d = i.draft.clone().unwrap_or_default();
                PackageItemRecord {
                    stage: i.stage_number,
                    slot: d.slot_id,
                    version: d.version,
                    title: d.title,
                    outcome: outcome_token(i.outcome),
                }
            })
            .collect(),
    }
}
