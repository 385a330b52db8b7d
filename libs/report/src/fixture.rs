//! A whole exercise's record for the renderers' tests: two stages, a remote state, an absent one,
//! a silent one, a revised draft, a returned one, a slot without a draft, a pause and a package.

use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, MessageId, NodeId, Role, Sender};
use proto::v1 as wire;
use proto::v1::{Outcome, PositionKind};
use record::{Keys, Mode, Plan, Record};
use scenario::Sketch;

/// A draft text with a line break, a table pipe, stars and one word far longer than any line.
pub const LONG_TEXT: &str = "1. The Council decides to deploy | the grouping *now*.\n\
    2. Annex: Collectiverapidreactionforcesgroupingcompositionandtransferarrangementsforthewholeoperation.";

/// The situation of stage 1.
pub const SITUATION: &str = "Armed provocations on the border of a member state.\nIt requests assistance.";

/// The record: `js` drafts x1 (revised once, adopted) and x2 (returned), `sec` leaves x3 without a
/// draft and drafts y1 (adopted); BY objects to x1 v1, KZ (remote) remarks on it, TJ stays silent,
/// AM is recorded absent.
pub fn record() -> Record {
    let mut scenario = Sketch::new("fixture")
        .deadlines("1h", "2h", "22h")
        .participant("joint_staff", "js", &[])
        .participant("secretariat", "sec", &[])
        .state("BY", &[])
        .state("KZ", &["transport = \"grpc\""])
        .state("TJ", &[])
        .state("AM", &["mandatory = false"])
        .stage("10h", &[("x1", "joint_staff"), ("x2", "joint_staff"), ("x3", "secretariat")])
        .stage("20h", &[("y1", "secretariat")])
        .build()
        .expect("a valid sketch");
    scenario.starts = "2025-03-17 09:00 MSK".into();
    scenario.stages[0].situation = words::Text::new("en", SITUATION);
    scenario.stages[0].tasks =
        vec![words::Text::new("en", "Decide on the grouping"), words::Text::new("en", "Arrange its financing")];
    let plan = Plan::of(&scenario, 60.0, Mode::Fast, &Keys::default());
    let (notification, _) = plan.to_messages(usize::MAX);

    let mut log = Log::default();
    let control = record::coordinator();
    let phase = |phase: wire::Phase, stage_number, paused| {
        Payload::PhaseChanged(wire::PhaseChanged { phase: phase as i32, stage_number, paused })
    };
    log.at(0, &control, Payload::Notification(notification));
    log.at(0, &control, phase(wire::Phase::Assembly, 0, false));
    for node in ["js", "sec", "BY", "KZ", "TJ"] {
        log.at(30, &sender(node), Payload::AssemblyReport(wire::AssemblyReport::default()));
    }
    let assembled = ["js", "sec", "BY", "KZ", "TJ"].map(String::from).to_vec();
    log.at(60, &control, Payload::AssemblyClosed(wire::AssemblyClosed { assembled, absent: vec!["AM".into()] }));
    log.at(60, &control, phase(wire::Phase::Deployment, 0, false));
    log.at(60, &control, Payload::DeploymentOrdered(wire::DeploymentOrdered::default()));
    log.at(120, &control, phase(wire::Phase::Stage, 1, false));
    log.at(120, &control, Payload::StageOpened(wire::StageOpened { stage_number: 1, ..Default::default() }));

    log.at(180, &sender("js"), Payload::DraftDecision(draft("x1", 1, LONG_TEXT)));
    log.at(180, &sender("js"), Payload::DraftDecision(draft("x2", 1, "Finance it.")));
    log.at(200, &sender("BY"), position("x1", 1, PositionKind::NonConcur, &["too costly"]));
    log.at(210, &sender("KZ"), position("x1", 1, PositionKind::ConcurWithRemarks, &["mind the budget"]));
    log.at(215, &sender("BY"), position("x2", 1, PositionKind::Concur, &[]));
    log.at(215, &sender("KZ"), position("x2", 1, PositionKind::NonConcur, &["not now"]));
    log.at(240, &control, phase(wire::Phase::Stage, 1, true));
    log.at(240, &control, Payload::PauseExercise(wire::PauseExercise { reason: "a break".into(), window: None }));
    log.at(240, &control, phase(wire::Phase::Stage, 1, false));
    let revised = wire::DraftRevised {
        draft: Some(draft("x1", 2, "The Council decides to deploy the grouping; costs shared.")),
        change_summary: "costs shared among the states".into(),
        dispositions: vec![wire::Disposition {
            comment_id: "x1-v1-BY-1".into(),
            kind: wire::DispositionKind::Accepted as i32,
            reason: "shared".into(),
        }],
    };
    log.at(300, &sender("js"), Payload::DraftRevised(revised));
    log.at(320, &sender("BY"), position("x1", 2, PositionKind::Concur, &[]));
    log.at(330, &sender("KZ"), position("x1", 2, PositionKind::Concur, &[]));
    let outcome = |slot: &str, version, outcome: Outcome, reason: &str| wire::ConsiderationOutcome {
        slot_id: slot.into(),
        considered_version: version,
        outcome: outcome as i32,
        reason: reason.into(),
        ..Default::default()
    };
    let outcomes = vec![
        outcome("x1", 2, Outcome::Adopted, "consensus of the states present"),
        wire::ConsiderationOutcome {
            concurring: vec!["BY".into()],
            objecting: vec!["KZ".into()],
            silent: vec!["TJ".into()],
            ..outcome("x2", 1, Outcome::Returned, "no consensus: KZ did not concur")
        },
        outcome("x3", 0, Outcome::NoDraft, "no draft was submitted"),
    ];
    log.at(600, &control, Payload::StageConcluded(wire::StageConcluded { stage_number: 1, outcomes }));
    log.at(600, &control, phase(wire::Phase::Stage, 2, false));
    log.at(600, &control, Payload::StageOpened(wire::StageOpened { stage_number: 2, ..Default::default() }));
    log.at(660, &sender("sec"), Payload::DraftDecision(draft("y1", 1, "Assist.")));
    log.at(700, &sender("BY"), position("y1", 1, PositionKind::Concur, &[]));
    let outcomes = vec![outcome("y1", 1, Outcome::Adopted, "consensus of the states present")];
    log.at(1200, &control, Payload::StageConcluded(wire::StageConcluded { stage_number: 2, outcomes }));
    log.at(1200, &control, phase(wire::Phase::Distribution, 0, false));
    let item = |stage_number, slot: &str, version, text: &str, outcome: Outcome| wire::PackageItem {
        stage_number,
        draft: Some(draft(slot, version, text)),
        outcome: outcome as i32,
    };
    let items = vec![
        item(1, "x1", 2, "The Council decides to deploy the grouping; costs shared.", Outcome::Adopted),
        item(1, "x2", 1, "Finance it.", Outcome::Returned),
        item(2, "y1", 1, "Assist.", Outcome::Adopted),
    ];
    let digest = record::package::digest(&items);
    let package = wire::PackageCommunicated { package_id: "pkg-1".into(), items, digest };
    log.at(1200, &control, Payload::PackageCommunicated(package));
    log.at(1230, &sender("BY"), Payload::ReceiptConfirmed(wire::ReceiptConfirmed::default()));
    log.at(1260, &control, Payload::ExerciseConcluded(wire::ExerciseConcluded::default()));
    log.at(1260, &control, phase(wire::Phase::Concluded, 0, false));
    log.0
}

/// The record being written, one event at a time.
#[derive(Default)]
struct Log(Record, u32);

impl Log {
    /// Applies an event of `sender` at `minute` of exercise time (wall time: as many seconds).
    fn at(&mut self, minute: u64, sender: &Sender, payload: Payload) {
        self.1 += 1;
        let mut e = Envelope::new(ExerciseId::new("ex").expect("valid"), sender.clone(), payload);
        e.message_id = MessageId::new(format!("e{}", self.1)).expect("valid");
        // The participants write English; exercise control's own events have no text of theirs.
        if sender.role != Role::Coordinator {
            e.language = "en".into();
        }
        e.exercise_time = Some(Duration::from_secs(minute * 60));
        e.recorded_at = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(minute));
        self.0.apply(&e);
    }
}

fn sender(node: &str) -> Sender {
    let role = match node {
        "js" => Role::JointStaff,
        "sec" => Role::Secretariat,
        _ => Role::ControlPoint,
    };
    Sender::new(role, NodeId::new(node).expect("valid"))
}

fn draft(slot: &str, version: u32, text: &str) -> wire::DraftDecision {
    wire::DraftDecision {
        slot_id: slot.into(),
        version,
        title: format!("decision {slot}"),
        text: text.into(),
        ..Default::default()
    }
}

fn position(slot: &str, version: u32, kind: PositionKind, reasons: &[&str]) -> Payload {
    Payload::Position(wire::Position {
        slot_id: slot.into(),
        draft_version: version,
        kind: kind as i32,
        reasons: reasons.iter().map(|r| r.to_string()).collect(),
    })
}
