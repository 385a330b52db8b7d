//! The after-action report as data, read off the exercise's record (`record::Record`). Pure.
//! Times are exercise time (seconds after the start, and as a director reads them on the
//! scenario's calendar), with wall time beside them.
//!
//! A report is in one language ([`build_in`]): what it says for people (dates, spans, the
//! timeline, the reasons of outcomes) is in that language, and the renderers write their own words
//! in it too. What people wrote (drafts, reasons, remarks) stays as written, and the tokens programs
//! read (`no_draft`, `control_point`) are the same in every language.

use std::collections::BTreeMap;
use std::time::Duration;

use bus::Role;
use proto::v1::{self as wire, Outcome, PositionKind};
use record::{Happening, Moment, Phase, Plan, Record};
use scenario::calendar::{self, Calendar};
use scenario::{DecisionRule, PlayedBy};
use serde::Serialize;
use words::{Arg, Lang};

use crate::terms::{category_words, listed, role_words, rule_words};

/// The after-action record of one exercise.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// The exercise id.
    pub exercise: String,
    /// The language of its words, as its tag (`en`, `ru`).
    #[serde(serialize_with = "tag")]
    pub lang: Lang,
    /// The scenario's title.
    pub title: String,
    /// SHA-256 (hex) of the scenario file played; empty when not known.
    pub scenario_digest: String,
    /// The start on the calendar as the scenario writes it (may be empty).
    pub starts: String,
    /// The decision rule in force, in words.
    pub decision_rule: String,
    /// Exercise seconds per wall second in this run.
    pub time_scale: f64,
    /// Exercise time from the notification to the last event, seconds (pauses not counted).
    pub exercise_s: u64,
    /// The same, for people.
    pub exercise_span: String,
    /// Wall time from the notification to the last event, milliseconds.
    pub wall_ms: u64,
    /// Events in the log.
    pub events: u64,
    /// What happened, in order.
    pub timeline: Vec<TimelineEntry>,
    /// The phases with their spans, pauses included, for the timeline chart.
    pub phases: Vec<PhaseSpan>,
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

/// A moment as the report shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct When {
    /// Exercise seconds after the start.
    pub exercise_s: u64,
    /// On the scenario's calendar (`18 Mar 2025 14:20 MSK`, `18 марта 2025 г., 14:20 (МСК)`), or
    /// the exercise's day and hour.
    pub at: String,
    /// The exercise's day and hour (`day 2, 05:20`, `день 2, 05:20`).
    pub day: String,
    /// Wall milliseconds after the notification.
    pub wall_ms: u64,
}

/// One step of the timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineEntry {
    /// When.
    pub when: When,
    /// What happened.
    pub what: String,
}

/// One phase (or a pause within it) from its start to the next change.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PhaseSpan {
    /// `assembly`, `deployment`, `stage 2`, `distribution`, in words.
    pub phase: String,
    /// Held by exercise control.
    pub paused: bool,
    /// Exercise seconds after the start.
    pub from_s: u64,
    /// Exercise seconds after the start.
    pub to_s: u64,
    /// Wall milliseconds after the notification.
    pub from_wall_ms: u64,
    /// Wall milliseconds after the notification.
    pub to_wall_ms: u64,
}

/// A participant's record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParticipantRecord {
    /// Node id.
    pub node: String,
    /// Name.
    pub name: String,
    /// Role token (`control_point`); people read [`bus::Role::label`].
    pub role: String,
    /// `policy` or `person`.
    pub played_by: String,
    /// Took part remotely, through its national node (the gateway); else on the headquarters bus.
    pub remote: bool,
    /// Its assembly report, if any.
    pub assembly: Option<Answer>,
    /// Its activation, if any.
    pub activation: Option<Answer>,
}

/// An answer and how long it took after what asked for it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    /// Who answered.
    pub node: String,
    /// Exercise seconds after the asking event (pauses not counted).
    pub after_s: u64,
    /// The same, for people.
    pub after: String,
    /// Wall milliseconds after the asking event.
    pub wall_ms: u64,
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
    /// The situation as the directing staff set it.
    pub situation: String,
    /// The language the situation is shown in when it is not the report's (it was not given in
    /// that one); empty otherwise. (The other texts of the scenario carry their mark, `(EN)`.)
    pub situation_language: String,
    /// The tasks to work out, in order.
    pub tasks: Vec<String>,
    /// When it opened, if it did.
    pub opened: Option<When>,
    /// Its deadline, exercise time.
    pub closes: When,
    /// Situation assessments.
    pub assessments: Vec<Answer>,
    /// Slots in order.
    pub slots: Vec<SlotRecord>,
    /// Its injects: planned ones in the scenario's order, then those written during it.
    pub injects: Vec<InjectRecord>,
}

/// One inject's record: when it was due and released, what it said, who acknowledged it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InjectRecord {
    /// Its id.
    pub id: String,
    /// How it was released: `at_its_time`, `by_hand`, `written`; empty when it never was.
    pub release: String,
    /// For a timed one, when it was due (its stage's opening plus its time), if the stage opened.
    pub due: Option<When>,
    /// When it was released, if it was.
    pub released: Option<When>,
    /// Who it speaks as, marked when in another language; empty: exercise control.
    pub from: String,
    /// What it says.
    pub text: String,
    /// The language the text is shown in when it is not the report's; empty otherwise.
    pub text_language: String,
    /// What it expects, marked when in another language; empty when nothing in particular.
    pub expects: String,
    /// The slot it bears on; empty when none.
    pub slot: String,
    /// The exercise objective it serves, marked when in another language; empty when none.
    pub objective: String,
    /// Its recipients in order, each with its acknowledgement (after the release) if any.
    pub recipients: Vec<Acknowledgement>,
}

/// A recipient of an inject and its acknowledgement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Acknowledgement {
    /// The recipient's node id.
    pub node: String,
    /// Its acknowledgement, timed from the release; `None`: not acknowledged.
    pub acknowledged: Option<Answer>,
}

/// One slot's record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SlotRecord {
    /// Slot id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Drafting body, in words.
    pub body: String,
    /// Category, in words.
    pub category: String,
    /// Every version with its positions.
    pub versions: Vec<VersionRecord>,
    /// The comment-resolution matrix: every comment made on the draft, with what became of it.
    pub comments: Vec<CommentRecord>,
    /// Outcome token: adopted, returned, no_draft; empty when not considered.
    pub outcome: String,
    /// Why, in words (see [`reason`]).
    pub reason: String,
}

/// One comment (a reason of a non-concurrence, or a remark) and what became of it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CommentRecord {
    /// Stable id: `<slot>-v<version>-<state>-<n>`.
    pub id: String,
    /// The state that made it.
    pub state: String,
    /// The version it answers.
    pub version: u32,
    /// objection (from a non-concurrence) or remark.
    pub kind: String,
    /// What it says.
    pub text: String,
    /// The language it was written in (`ru`); empty when unknown.
    pub language: String,
    /// Each revision that answered it, and the state's answer to that revision.
    pub dispositions: Vec<DispositionRecord>,
    /// Still open on the draft's last version.
    pub open: bool,
}

/// One revision's disposition of a comment, and the state's answer to it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DispositionRecord {
    /// The version the revision made.
    pub version: u32,
    /// accepted, accepted_in_part, not_accepted, noted; empty when the revision gave none.
    pub disposition: String,
    /// Why.
    pub reason: String,
    /// The language the revision was written in (`ru`); empty when unknown.
    pub language: String,
    /// The state's position on that version (concur, … ; empty when it gave none).
    pub answer: String,
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
    /// The language its text and change summary were written in (`ru`); empty when unknown.
    pub language: String,
    /// When it circulated.
    pub circulated: When,
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
    /// The language they were written in (`ru`); empty when unknown.
    pub language: String,
    /// Exercise seconds after the version circulated.
    pub after_s: u64,
    /// Wall milliseconds after the version circulated.
    pub wall_ms: u64,
}

/// Answer times of one state.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AnswerTimes {
    /// Node id.
    pub node: String,
    /// Answers given (assembly, activation, assessments, positions, receipt).
    pub answers: usize,
    /// Median exercise seconds after the asking event.
    pub median_s: u64,
    /// Slowest answer, exercise seconds.
    pub max_s: u64,
    /// Median wall milliseconds.
    pub median_wall_ms: u64,
}

/// The package as communicated.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PackageRecord {
    /// Its id.
    pub package_id: String,
    /// SHA-256 of its items.
    pub digest: String,
    /// When it went out.
    pub sent: When,
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

pub(crate) fn tag<S: serde::Serializer>(lang: &Lang, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(lang.tag())
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Outcome token for machines.
pub fn outcome_token(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Adopted => "adopted",
        Outcome::Returned => "returned",
        Outcome::NoDraft => "no_draft",
        Outcome::Unspecified => "",
    }
}

/// Position kind token for machines.
pub fn kind_token(kind: PositionKind) -> &'static str {
    match kind {
        PositionKind::Concur => "concur",
        PositionKind::ConcurWithRemarks => "concur_with_remarks",
        PositionKind::NonConcur => "non_concur",
        PositionKind::Abstain => "abstain",
        PositionKind::Unspecified => "unspecified",
    }
}

/// Turns moments into what the report shows, in its language.
struct Clock {
    lang: Lang,
    calendar: Option<Calendar>,
    start: Moment,
}

impl Clock {
    fn when(&self, at: Moment) -> When {
        let day = calendar::day_clock_in(self.lang, at.exercise);
        When {
            exercise_s: at.exercise.as_secs(),
            at: self.calendar.as_ref().map_or_else(|| day.clone(), |c| c.at_in(self.lang, at.exercise)),
            day,
            wall_ms: ms(at.wall.duration_since(self.start.wall).unwrap_or_default()),
        }
    }

    fn deadline(&self, after: Duration) -> When {
        When { wall_ms: 0, ..self.when(Moment { exercise: after, wall: self.start.wall }) }
    }
}

fn answer(lang: Lang, node: &str, asked: Moment, at: Moment) -> Answer {
    let after = at.exercise.saturating_sub(asked.exercise);
    Answer {
        node: node.into(),
        after_s: after.as_secs(),
        after: calendar::span_in(lang, after),
        wall_ms: ms(at.wall.duration_since(asked.wall).unwrap_or_default()),
    }
}

/// The report of `exercise`, read off its record, in English.
pub fn build(exercise: &str, record: &Record) -> Report {
    build_in(Lang::default(), exercise, record)
}

/// The report of `exercise`, read off its record, in `lang`.
pub fn build_in(lang: Lang, exercise: &str, record: &Record) -> Report {
    let start = record.notified.unwrap_or_default();
    let Some(plan) = &record.plan else {
        return empty(lang, exercise, record);
    };
    let clock = Clock { lang, calendar: plan.calendar(), start };
    let mut report = empty(lang, exercise, record);
    report.title = plan.title.in_lang(lang).to_string();
    report.starts = plan.starts.clone();
    report.scenario_digest = plan.scenario_digest.clone();
    report.decision_rule = rule_words(lang, plan.decision_rule);
    report.time_scale = plan.time_scale;
    let span = record.last.exercise.saturating_sub(start.exercise);
    report.exercise_s = span.as_secs();
    report.exercise_span = calendar::span_in(lang, span);
    report.wall_ms = ms(record.last.wall.duration_since(start.wall).unwrap_or_default());
    report.timeline = timeline(plan, record, &clock);
    report.phases = phases(record, &clock);
    report.participants = participants(lang, plan, record, start);
    report.absent =
        plan.participants.iter().filter(|p| record.absent.contains(&p.node)).map(|p| p.node.to_string()).collect();
    report.stages = stages(plan, record, &clock, &mut report.totals);
    report.answer_times = answer_times(plan, record);
    if let Some(package) = &record.package {
        report.package = Some(PackageRecord {
            package_id: package.answer.package_id.clone(),
            digest: package.answer.digest.clone(),
            sent: clock.when(package.at),
            items: package
                .answer
                .items
                .iter()
                .map(|i| {
                    let d = i.draft.clone().unwrap_or_default();
                    PackageItemRecord {
                        stage: i.stage_number,
                        slot: d.slot_id,
                        version: d.version,
                        title: d.title,
                        outcome: outcome_token(i.outcome()).into(),
                    }
                })
                .collect(),
        });
        report.receipts = plan
            .states()
            .filter_map(|p| record.receipts.get(&p.node).map(|at| answer(lang, p.node.as_str(), package.at, *at)))
            .collect();
    }
    report.totals.concluded = record.concluded.is_some();
    report
}

fn empty(lang: Lang, exercise: &str, record: &Record) -> Report {
    Report {
        exercise: exercise.into(),
        lang,
        title: String::new(),
        scenario_digest: String::new(),
        starts: String::new(),
        decision_rule: String::new(),
        time_scale: 0.0,
        exercise_s: 0,
        exercise_span: String::new(),
        wall_ms: 0,
        events: record.events,
        timeline: vec![],
        phases: vec![],
        participants: vec![],
        absent: vec![],
        stages: vec![],
        answer_times: vec![],
        package: None,
        receipts: vec![],
        totals: Totals::default(),
    }
}

fn timeline(plan: &Plan, record: &Record, clock: &Clock) -> Vec<TimelineEntry> {
    let lang = clock.lang;
    // Exercise control's reasons are what a person wrote: as written.
    fn why(reason: &str) -> [(&'static str, Arg<'_>); 1] {
        [("reason", Arg::from(reason))]
    }
    record
        .timeline
        .iter()
        .filter_map(|entry| {
            let what = match &entry.what {
                Happening::Notified => words::say(lang, "event-notified"),
                Happening::AssemblyClosed { assembled, absent } => words::say_with(
                    lang,
                    "event-assembly-closed",
                    &[("assembled", Arg::from(*assembled)), ("absent", Arg::from(listed(lang, absent)))],
                ),
                Happening::DeploymentOrdered => words::say(lang, "event-deployment-ordered"),
                Happening::StageOpened(n) => {
                    let title = plan.stage(*n).map(|s| s.title.in_lang(lang).to_string()).unwrap_or_default();
                    words::say_with(
                        lang,
                        "event-stage-opened",
                        &[("stage", Arg::from(*n)), ("title", Arg::from(title))],
                    )
                }
                Happening::StageConcluded { stage, adopted, considered } => words::say_with(
                    lang,
                    "event-stage-considered",
                    &[
                        ("stage", Arg::from(*stage)),
                        ("adopted", Arg::from(*adopted)),
                        ("considered", Arg::from(*considered)),
                    ],
                ),
                Happening::PackageCommunicated { items } => {
                    words::say_with(lang, "event-package-communicated", &[("count", Arg::from(*items))])
                }
                Happening::Paused(r) => words::say_with(lang, "event-paused", &why(r)),
                Happening::Resumed(r) => words::say_with(lang, "event-resumed", &why(r)),
                Happening::Advanced(r) => words::say_with(lang, "event-advanced", &why(r)),
                Happening::InjectReleased(id) => {
                    words::say_with(lang, "event-inject-released", &[("inject", Arg::from(id.as_str()))])
                }
                Happening::ExerciseConcluded { receipts } => {
                    words::say_with(lang, "event-exercise-concluded", &[("count", Arg::from(*receipts))])
                }
                Happening::PhaseChanged(p) if p.phase == Phase::Concluded => words::say(lang, "event-record-complete"),
                Happening::PhaseChanged(_) => return None,
            };
            Some(TimelineEntry { when: clock.when(entry.at), what })
        })
        .collect()
}

fn phases(record: &Record, clock: &Clock) -> Vec<PhaseSpan> {
    let changes: Vec<_> = record
        .timeline
        .iter()
        .filter_map(|e| match e.what {
            Happening::PhaseChanged(p) => Some((p, e.at)),
            _ => None,
        })
        .collect();
    changes
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p.phase != Phase::Concluded)
        .map(|(i, (p, from))| {
            let to = changes.get(i + 1).map_or(record.last, |(_, at)| *at);
            let (from, to) = (clock.when(*from), clock.when(to));
            PhaseSpan {
                phase: p.phase.say(clock.lang),
                paused: p.paused,
                from_s: from.exercise_s,
                to_s: to.exercise_s,
                from_wall_ms: from.wall_ms,
                to_wall_ms: to.wall_ms,
            }
        })
        .collect()
}

fn participants(lang: Lang, plan: &Plan, record: &Record, start: Moment) -> Vec<ParticipantRecord> {
    plan.participants
        .iter()
        .map(|p| ParticipantRecord {
            node: p.node.to_string(),
            name: p.name.in_lang(lang).to_string(),
            role: p.role.token().into(),
            played_by: match p.played_by {
                PlayedBy::Policy => "policy",
                PlayedBy::Person => "person",
            }
            .into(),
            remote: p.remote,
            assembly: record.reported.get(&p.node).map(|at| answer(lang, p.node.as_str(), start, *at)),
            activation: record
                .deployment_ordered
                .zip(record.activated.get(&p.node))
                .map(|(asked, at)| answer(lang, p.node.as_str(), asked, *at)),
        })
        .collect()
}

fn stages(plan: &Plan, record: &Record, clock: &Clock, totals: &mut Totals) -> Vec<StageRecord> {
    let lang = clock.lang;
    plan.stages
        .iter()
        .map(|stage| {
            let opened = record.stages_opened.get(&stage.number).copied();
            let assessments = plan
                .participants
                .iter()
                .filter_map(|p| {
                    let a = record.assessments.get(&(stage.number, p.node.clone()))?;
                    Some(answer(lang, p.node.as_str(), opened?, a.at))
                })
                .collect();
            let slots = stage
                .slots
                .iter()
                .map(|slot| {
                    let versions: Vec<VersionRecord> = record
                        .drafts
                        .get(&slot.id)
                        .map(|d| d.versions.as_slice())
                        .unwrap_or_default()
                        .iter()
                        .map(|v| VersionRecord {
                            version: v.draft.version,
                            title: v.draft.title.clone(),
                            text: v.draft.text.clone(),
                            change_summary: v.change_summary.clone(),
                            language: v.language.clone(),
                            circulated: clock.when(v.circulated),
                            positions: v
                                .positions
                                .iter()
                                .map(|(node, p)| {
                                    let after = p.at.exercise.saturating_sub(v.circulated.exercise);
                                    let record = PositionRecord {
                                        kind: kind_token(p.answer.kind()).into(),
                                        reasons: p.answer.reasons.clone(),
                                        language: p.language.clone(),
                                        after_s: after.as_secs(),
                                        wall_ms: ms(p.at.wall.duration_since(v.circulated.wall).unwrap_or_default()),
                                    };
                                    (node.to_string(), record)
                                })
                                .collect(),
                        })
                        .collect();
                    totals.revisions += versions.len().saturating_sub(1);
                    totals.positions += versions.iter().map(|v| v.positions.len()).sum::<usize>();
                    let outcome = record.outcomes.get(&slot.id);
                    if let Some(o) = outcome {
                        totals.considered += 1;
                        match o.outcome() {
                            Outcome::Adopted => totals.adopted += 1,
                            Outcome::Returned => totals.returned += 1,
                            Outcome::NoDraft => totals.no_draft += 1,
                            Outcome::Unspecified => {}
                        }
                    }
                    let comments = record.drafts.get(&slot.id).map(comments).unwrap_or_default();
                    SlotRecord {
                        id: slot.id.clone(),
                        title: slot.title.in_lang(lang).to_string(),
                        body: role_words(lang, slot.owner.role().token()),
                        category: category_words(lang, slot.category),
                        versions,
                        comments,
                        outcome: outcome.map(|o| outcome_token(o.outcome())).unwrap_or_default().into(),
                        reason: outcome.map(|o| reason(lang, plan.decision_rule, o)).unwrap_or_default(),
                    }
                })
                .collect();
            StageRecord {
                number: stage.number,
                title: stage.title.in_lang(lang).to_string(),
                region: stage.region.in_lang(lang).to_string(),
                situation: stage.situation.in_lang(lang).text.to_owned(),
                situation_language: Some(stage.situation.in_lang(lang))
                    .filter(|s| !s.asked)
                    .map(|s| s.language.to_owned())
                    .unwrap_or_default(),
                tasks: stage.tasks.iter().map(|t| t.in_lang(lang).to_string()).collect(),
                opened: opened.map(|at| clock.when(at)),
                closes: clock.deadline(stage.closes_at),
                assessments,
                slots,
                injects: injects(plan, record, clock, stage),
            }
        })
        .collect()
}

/// A stage's injects: the planned ones, released or not, then those the director wrote.
fn injects(plan: &Plan, record: &Record, clock: &Clock, stage: &scenario::Stage) -> Vec<InjectRecord> {
    let lang = clock.lang;
    let opened = record.stages_opened.get(&stage.number).copied();
    let written = record
        .injects
        .iter()
        .filter(|r| r.event.stage_number == stage.number && r.how() == wire::InjectRelease::Written)
        .filter_map(|r| r.inject());
    stage
        .injects
        .iter()
        .cloned()
        .chain(written)
        .map(|inject| {
            let released = record.released(&inject.id);
            let due = match (inject.release, opened) {
                (scenario::Release::After(after), Some(opened)) => {
                    Some(Moment { exercise: opened.exercise.saturating_add(after), wall: opened.wall })
                }
                _ => None,
            };
            let shown = inject.text.in_lang(lang);
            let recipients = match released {
                Some(r) => r.event.recipients.clone(),
                None => record::released::recipients(plan, &inject.to),
            };
            InjectRecord {
                id: inject.id.clone(),
                release: released.map(|r| release_token(r.how())).unwrap_or_default().into(),
                due: due.map(|at| clock.deadline(at.exercise)),
                released: released.map(|r| clock.when(r.at)),
                from: inject.from.as_ref().map(|f| f.in_lang(lang).to_string()).unwrap_or_default(),
                text: shown.text.to_owned(),
                text_language: if shown.asked { String::new() } else { shown.language.to_owned() },
                expects: if inject.expects.is_empty() {
                    String::new()
                } else {
                    inject.expects.in_lang(lang).to_string()
                },
                slot: inject.slot.clone().unwrap_or_default(),
                objective: if inject.objective.is_empty() {
                    String::new()
                } else {
                    inject.objective.in_lang(lang).to_string()
                },
                recipients: recipients
                    .into_iter()
                    .map(|node| {
                        let acknowledged = released.and_then(|r| {
                            let (_, at) = r.acknowledged.iter().find(|(n, _)| n.as_str() == node)?;
                            Some(answer(lang, &node, r.at, *at))
                        });
                        Acknowledgement { node, acknowledged }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// How an inject was released, as a token programs read.
fn release_token(how: wire::InjectRelease) -> &'static str {
    match how {
        wire::InjectRelease::AtItsTime => "at_its_time",
        wire::InjectRelease::ByHand => "by_hand",
        wire::InjectRelease::Written => "written",
        wire::InjectRelease::Unspecified => "",
    }
}

/// Why a slot came out as it did, in `lang`. The coordinator recorded its reason in English
/// beside who concurred, objected and stayed silent; the reason is said again from those, as
/// its decision rules word it, so that a report in any language gives it. A reason the rules
/// do not give is kept as recorded.
pub fn reason(lang: Lang, rule: DecisionRule, o: &wire::ConsiderationOutcome) -> String {
    let states = |list: &[String]| [("states", Arg::from(list.join(", ")))];
    match (o.outcome(), rule) {
        (Outcome::NoDraft, _) => words::say(lang, "reason-no-draft"),
        (Outcome::Returned, DecisionRule::Consensus) if !o.objecting.is_empty() => {
            words::say_with(lang, "reason-not-concurred", &states(&o.objecting))
        }
        (Outcome::Returned, DecisionRule::Consensus) if !o.silent.is_empty() => {
            words::say_with(lang, "reason-no-position", &states(&o.silent))
        }
        (Outcome::Returned, DecisionRule::Consensus) if o.concurring.is_empty() => {
            words::say(lang, "reason-none-concurred")
        }
        (Outcome::Returned, DecisionRule::Silence) if !o.objecting.is_empty() => {
            words::say_with(lang, "reason-objection", &states(&o.objecting))
        }
        (Outcome::Adopted, DecisionRule::Consensus) => words::say(lang, "reason-consensus"),
        (Outcome::Adopted, DecisionRule::Silence) => words::say(lang, "reason-silence"),
        _ => o.reason.clone(),
    }
}

/// The comment-resolution matrix of a draft.
fn comments(draft: &record::Draft) -> Vec<CommentRecord> {
    draft
        .resolutions()
        .into_iter()
        .map(|r| CommentRecord {
            id: r.comment.id,
            state: r.comment.state.to_string(),
            version: r.comment.version,
            kind: if r.comment.objection { "objection" } else { "remark" }.into(),
            text: r.comment.text,
            language: r.comment.language,
            dispositions: r
                .steps
                .into_iter()
                .map(|step| DispositionRecord {
                    version: step.version,
                    disposition: step
                        .disposition
                        .as_ref()
                        .map(|d| record::comments::disposition_token(d.kind()))
                        .unwrap_or_default()
                        .into(),
                    reason: step.disposition.map(|d| d.reason).unwrap_or_default(),
                    language: (step.version as usize)
                        .checked_sub(1)
                        .and_then(|i| draft.versions.get(i))
                        .map(|v| v.language.clone())
                        .unwrap_or_default(),
                    answer: step.answer.map(kind_token).unwrap_or_default().into(),
                })
                .collect(),
            open: r.open,
        })
        .collect()
}

/// Per state (control points only), in scenario order; every kind of answer counts (assembly,
/// activation, assessments, positions, receipt).
fn answer_times(plan: &Plan, record: &Record) -> Vec<AnswerTimes> {
    let mut by_node: BTreeMap<String, Vec<(Duration, Duration)>> = BTreeMap::new();
    for a in record.answer_times() {
        by_node.entry(a.node.to_string()).or_default().push((a.after, a.wall));
    }
    plan.states()
        .filter_map(|p| {
            let mut times = by_node.remove(p.node.as_str())?;
            times.sort_unstable();
            let mut walls: Vec<Duration> = times.iter().map(|(_, w)| *w).collect();
            walls.sort_unstable();
            Some(AnswerTimes {
                node: p.node.to_string(),
                answers: times.len(),
                median_s: times[times.len() / 2].0.as_secs(),
                max_s: times.last().map_or(0, |t| t.0.as_secs()),
                median_wall_ms: ms(walls[walls.len() / 2]),
            })
        })
        .collect()
}

/// Whether a participant of this role appears in the per-state tables.
pub fn is_state(role: &str) -> bool {
    role == Role::ControlPoint.token()
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use bus::envelope::Payload;
    use bus::{Envelope, ExerciseId, MessageId, NodeId, Sender};
    use proto::v1 as wire;
    use record::{Keys, Mode};
    use scenario::Sketch;

    use super::*;

    #[test]
    fn each_stage_carries_its_situation_and_tasks_as_data() {
        let json = serde_json::to_value(build("ex", &crate::fixture::record())).expect("serialisable");
        assert_eq!(json["stages"][0]["situation"], crate::fixture::SITUATION);
        assert_eq!(json["stages"][0]["tasks"], serde_json::json!(["Decide on the grouping", "Arrange its financing"]));
        assert_eq!(json["stages"][1]["situation"], "s", "the sketch's own");
        // Programs read tokens.
        assert_eq!(json["stages"][0]["slots"][2]["outcome"], "no_draft");
        assert_eq!(json["participants"][2]["role"], "control_point");
    }

    /// An event of `sender` at exercise hour `hour` (wall time: as many seconds after the epoch).
    fn at(sender: Sender, id: &str, hour: u64, payload: Payload) -> Envelope {
        let mut e = Envelope::new(ExerciseId::new("ex").expect("valid"), sender, payload);
        e.message_id = MessageId::new(id).expect("valid");
        e.exercise_time = Some(Duration::from_secs(hour * 3600));
        e.recorded_at = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(hour));
        e
    }

    #[test]
    fn the_report_reads_who_was_absent_who_answered_when_and_each_version_off_the_record() {
        let scenario = Sketch::new("report")
            .participant("joint_staff", "js", &[])
            .state("BY", &[])
            .state("AM", &["absent = true", "mandatory = false"])
            .stage("10h", &[("x1", "joint_staff"), ("x2", "joint_staff")])
            .build()
            .expect("valid");
        let plan = Plan::of(&scenario, 60.0, Mode::Fast, &Keys::default());
        let (notification, _) = plan.to_messages(usize::MAX);
        let coordinator = record::coordinator();
        let (js, by) = (
            Sender::new(Role::JointStaff, NodeId::new("js").expect("valid")),
            Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid")),
        );
        let draft = |version| wire::DraftDecision { slot_id: "x1".into(), version, ..Default::default() };
        let closed = wire::AssemblyClosed { assembled: vec!["js".into(), "BY".into()], absent: vec!["AM".into()] };
        let position = wire::Position {
            slot_id: "x1".into(),
            draft_version: 1,
            kind: PositionKind::NonConcur as i32,
            reasons: vec!["too costly".into()],
        };
        let mut record = Record::default();
        for e in [
            at(coordinator.clone(), "notification", 0, Payload::Notification(notification)),
            at(by.clone(), "BY-assembly", 1, Payload::AssemblyReport(wire::AssemblyReport::default())),
            at(coordinator.clone(), "assembly-closed", 1, Payload::AssemblyClosed(closed)),
            at(js.clone(), "js-draft-x1-v1", 3, Payload::DraftDecision(draft(1))),
            at(by, "BY-position-x1-v1", 5, Payload::Position(position)),
        ] {
            record.apply(&e);
        }
        let report = build("ex", &record);
        assert_eq!(report.absent, ["AM"]);
        let by_row = report.participants.iter().find(|p| p.node == "BY").expect("BY listed");
        assert_eq!(by_row.assembly.as_ref().map(|a| a.after_s), Some(3600), "reported an hour after the notification");
        let slots = &report.stages[0].slots;
        assert_eq!(slots.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["x1", "x2"], "each slot, drafted or not");
        assert_eq!(slots[0].versions.len(), 1);
        assert_eq!(slots[0].versions[0].positions["BY"].kind, "non_concur");
        assert!(slots[1].versions.is_empty());
        assert_eq!(slots[0].outcome, "", "not considered yet");
        assert_eq!((report.totals.positions, report.totals.concluded), (1, false));
    }

    #[test]
    fn a_report_names_its_language_and_keeps_tokens_for_programs() {
        let ru = Lang::parse("ru").expect("Russian catalogues");
        let json = serde_json::to_value(build_in(ru, "ex", &crate::fixture::record())).expect("serialisable");
        assert_eq!(json["lang"], "ru");
        assert_eq!(json["timeline"][0]["when"]["at"], "17 марта 2025 г., 09:00 (МСК)");
        assert_eq!(json["timeline"][0]["when"]["day"], "день 1, 00:00");
        assert_eq!(json["stages"][0]["slots"][2]["outcome"], "no_draft");
        assert_eq!(json["participants"][2]["role"], "control_point");
        assert_eq!(serde_json::to_value(build("ex", &crate::fixture::record())).expect("serialisable")["lang"], "en");
    }

    #[test]
    fn an_outcomes_reason_is_said_again_in_the_language_as_the_coordinator_words_it() {
        let ru = Lang::parse("ru").expect("Russian catalogues");
        let returned = |objecting: &[&str], silent: &[&str]| wire::ConsiderationOutcome {
            outcome: Outcome::Returned as i32,
            objecting: objecting.iter().map(|s| s.to_string()).collect(),
            silent: silent.iter().map(|s| s.to_string()).collect(),
            reason: "as recorded".into(),
            ..Default::default()
        };
        let silent = returned(&[], &["TJ"]);
        assert_eq!(reason(Lang::default(), DecisionRule::Consensus, &silent), "no consensus: TJ gave no position");
        assert_eq!(reason(ru, DecisionRule::Consensus, &silent), "консенсус не достигнут, позиция не представлена: TJ");
        let objected = returned(&["BY", "KZ"], &[]);
        assert_eq!(reason(Lang::default(), DecisionRule::Silence, &objected), "objection by BY, KZ");
        assert_eq!(reason(ru, DecisionRule::Silence, &objected), "возражение: BY, KZ");
        let adopted = wire::ConsiderationOutcome { outcome: Outcome::Adopted as i32, ..Default::default() };
        assert_eq!(
            reason(ru, DecisionRule::Silence, &adopted),
            "к установленному сроку возражений не поступило (процедура умолчания)"
        );
        // What no rule gives is kept as recorded.
        assert_eq!(reason(ru, DecisionRule::Silence, &returned(&[], &["TJ"])), "as recorded");
    }
}
