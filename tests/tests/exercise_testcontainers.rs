//! Whole exercises over a real NATS (testcontainers): every participant a separate task with its
//! own connection, the observer's report checked as a director would read it.

use std::time::Duration;

use bus::{Envelope, NodeId, Payload, Role, Sender};
use bus::{SubmitError, Verdict};
use coordinator::Mode;
use futures::StreamExt;
use proto::v1::{self as wire, PositionKind, RejectionCode};
use tests::{Nats, Probe, Run, run_exercise, start_coordinator, start_exercise, within};

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_default_scenario_runs_to_its_conclusion() -> anyhow::Result<()> {
    let run = Run::default_fast("default")?;
    let nats = Nats::start(&[&run]).await?;
    let report = run_exercise(&nats, &run, LIMIT).await?;

    assert!(report.totals.concluded, "{report:#?}");
    assert_eq!(report.totals.considered, 30);
    assert_eq!(report.absent, ["AM"], "the declared-absent state is recorded absent");
    let stage_slots: Vec<usize> = report.stages.iter().map(|s| s.slots.len()).collect();
    assert_eq!(stage_slots, [10, 10, 10]);
    assert_eq!(report.totals.adopted, 30, "every draft reaches consensus once revised: {report:#?}");

    // Belarus did not concur with the first version of three drafts; each was revised and then concurred.
    for slot_id in ["s1-03", "s2-06", "s3-09"] {
        let slot = report.stages.iter().flat_map(|s| &s.slots).find(|s| s.id == slot_id).expect("slot in report");
        assert_eq!(slot.versions.len(), 2, "{slot_id} must have been revised");
        assert_eq!(slot.versions[0].positions["BY"].kind, "non_concur");
        assert_eq!(slot.versions[1].positions["BY"].kind, "concur");
        assert_eq!(slot.outcome, "adopted");
    }
    assert_eq!(report.totals.revisions, 3);

    let package = report.package.as_ref().expect("package communicated");
    assert_eq!(package.items.len(), 30);
    let mut received: Vec<&str> = report.receipts.iter().map(|r| r.node.as_str()).collect();
    received.sort_unstable();
    assert_eq!(received, ["BY", "KG", "KZ", "RU", "TJ"], "every present state confirms receipt");
    Ok(())
}

/// A one-stage scenario under the silence procedure: RU objects to x2 in every version, TJ says
/// nothing on x3.
const SILENCE: &str = r#"
title = "silence procedure"
decision_rule = "silence"
[deadlines]
assembly = "1h"
deployment = "2h"
distribution = "12h"
[[participants]]
role = "joint_staff"
node = "js"
[[participants]]
role = "control_point"
node = "BY"
[[participants]]
role = "control_point"
node = "RU"
policy = { object = ["x2"] }
[[participants]]
role = "control_point"
node = "TJ"
policy = { skip = ["x3"] }
[[stages]]
title = "only"
region = "r"
situation = "s"
closes = "10h"
[[stages.slots]]
id = "x1"
title = "one"
owner = "joint_staff"
category = "troop_components"
[[stages.slots]]
id = "x2"
title = "two"
owner = "joint_staff"
category = "financial_support"
[[stages.slots]]
id = "x3"
title = "three"
owner = "joint_staff"
category = "military_technical_assistance"
"#;

#[tokio::test]
async fn the_silence_procedure_adopts_unless_a_state_objects() -> anyhow::Result<()> {
    // The stage waits for its deadline (x2 is objected to, x3 is not answered): 8 exercise hours, 4 s.
    let run = Run {
        grpc: None,
        exercise: tests::exercise("silence"),
        scenario: scenario::parse(SILENCE, "silence.toml")?,
        mode: Mode::Fast,
        time_scale: 7200.0,
    };
    let nats = Nats::start(&[&run]).await?;
    let report = run_exercise(&nats, &run, LIMIT).await?;
    let slots = &report.stages[0].slots;
    let outcome = |id: &str| slots.iter().find(|s| s.id == id).map(|s| s.outcome.as_str()).unwrap_or_default();
    assert_eq!(outcome("x1"), "adopted");
    assert_eq!(outcome("x3"), "adopted", "TJ's silence is consent: {slots:#?}");
    assert!(!slots[2].versions[0].positions.contains_key("TJ"));
    assert_eq!(outcome("x2"), "returned", "RU's objection stops adoption: {slots:#?}");
    assert!(slots[1].versions.iter().all(|v| v.positions["RU"].kind == "non_concur"));
    Ok(())
}

#[tokio::test]
async fn two_exercises_at_once_do_not_see_each_other() -> anyhow::Result<()> {
    let (a, b) = (Run::default_fast("twin-a")?, Run::default_fast("twin-b")?);
    let nats = Nats::start(&[&a, &b]).await?;
    let (mut run_a, mut run_b) = (start_exercise(&nats, &a)?, start_exercise(&nats, &b)?);
    let report_a = within(LIMIT, "exercise a", &mut run_a.report).await???;
    let report_b = within(LIMIT, "exercise b", &mut run_b.report).await???;
    for (run, report) in [(&a, &report_a), (&b, &report_b)] {
        assert!(report.totals.concluded);
        assert_eq!(report.exercise, run.exercise.as_str());
        assert_eq!((report.totals.considered, report.totals.adopted), (30, 30));
        // Reading the log decodes every event against its own exercise: a foreign one would fail.
        let log = Probe::connect(&nats, &run.exercise).await?.log().await?;
        assert!(log.len() as u64 >= report.events, "the observer saw {} of {} events", report.events, log.len());
        assert!(log.iter().all(|e| e.exercise == run.exercise));
    }
    run_a.stop().await;
    run_b.stop().await;
    Ok(())
}

fn rejection(answer: &Result<Verdict, SubmitError>) -> (RejectionCode, String) {
    match answer {
        Err(SubmitError::Refused { code: Some(code), reason }) => (*code, reason.clone()),
        other => panic!("expected the coordinator's refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_its_reason_and_changes_nothing() -> anyhow::Result<()> {
    // Scaled at the scenario's own 1440x, no window closes by itself during this test.
    let run = Run { mode: Mode::Scaled, time_scale: 1.0, ..Run::default_fast("bad-input")? };
    let nats = Nats::start(&[&run]).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("phase_changed", Duration::from_secs(10)).await?;

    let position = |slot: &str, version: u32| {
        Payload::Position(wire::Position {
            slot_id: slot.into(),
            draft_version: version,
            kind: PositionKind::Concur as i32,
            reasons: vec![],
        })
    };
    let report = || Payload::AssemblyReport(wire::AssemblyReport { remarks: "assembled".into() });
    let by = Sender::new(Role::ControlPoint, NodeId::new("BY")?);
    let before = probe.log_len().await?;

    let cases: Vec<(Envelope, RejectionCode)> = vec![
        (probe.envelope(Role::ControlPoint, "BY", position("s1-01", 1))?, RejectionCode::WrongPhase),
        (probe.envelope(Role::ControlPoint, "XX", report())?, RejectionCode::NotAParticipant),
        (probe.envelope(Role::Observer, "pa-secretariat", report())?, RejectionCode::NotPermitted),
    ];
    for (envelope, code) in &cases {
        let (got, reason) = rejection(&probe.submit(envelope).await?);
        assert_eq!(got, *code, "{reason}");
        assert!(!reason.is_empty());
    }
    let (got, reason) = rejection(&probe.submit_raw(&by, "assembly_report", vec![0xff, 0x00, 0x13]).await?);
    assert_eq!(got, RejectionCode::Malformed, "{reason}");
    // A sender that does not match the subject it used: BY's subject, RU's envelope.
    let mut forged = probe.envelope(Role::ControlPoint, "RU", report())?;
    let subject_sender = by.clone();
    forged.sender = Sender::new(Role::ControlPoint, NodeId::new("RU")?);
    let raw = forged.encode(probe.bus.limits())?;
    let mut replies = probe.bus.replies(&run.exercise, &subject_sender).await?;
    probe
        .bus
        .jetstream()
        .publish(bus::subject::submission(&run.exercise, &subject_sender, "assembly_report"), raw)
        .await?
        .await?;
    let reply = within(Duration::from_secs(10), "the forgery's refusal", async {
        loop {
            let delivery = replies.next().await.expect("replies open");
            if let Ok(Envelope { payload: Payload::Rejection(r), .. }) = delivery.envelope {
                return r;
            }
        }
    })
    .await?;
    assert_eq!(reply.code(), RejectionCode::NotPermitted, "{}", reply.reason);
    assert_eq!(probe.log_len().await?, before, "refused input leaves the log unchanged");

    // The coordinator keeps serving: a good report is accepted and recorded.
    assert!(matches!(
        probe.submit(&probe.envelope(Role::ControlPoint, "BY", report())?).await?,
        Ok(Verdict::Accepted { .. })
    ));
    assert_eq!(probe.log_len().await?, before + 1);

    // Into stage 1 by exercise control (those who did not report are recorded absent), then the stage's own mistakes.
    for (role, node) in [(Role::JointStaff, "joint-staff"), (Role::ControlPoint, "KZ")] {
        assert!(matches!(probe.submit(&probe.envelope(role, node, report())?).await?, Ok(Verdict::Accepted { .. })));
    }
    for _ in 0..2 {
        let advance = probe.envelope(
            Role::Coordinator,
            "director",
            Payload::AdvanceExercise(wire::AdvanceExercise::default()),
        )?;
        assert!(matches!(probe.submit(&advance).await?, Ok(Verdict::Accepted { .. })));
    }
    let draft = |slot: &str, version: u32| wire::DraftDecision {
        slot_id: slot.into(),
        version,
        drafting_body: wire::DraftingBody::JointStaff as i32,
        category: wire::DraftCategory::TroopComponents as i32,
        title: "On the formation of the CRRF grouping".into(),
        text: "The Council decides".into(),
    };
    let unknown = probe.envelope(Role::JointStaff, "joint-staff", Payload::DraftDecision(draft("s9-99", 1)))?;
    assert_eq!(rejection(&probe.submit(&unknown).await?).0, RejectionCode::UnknownSlot);
    let first = probe.envelope(Role::JointStaff, "joint-staff", Payload::DraftDecision(draft("s1-01", 1)))?;
    assert!(matches!(probe.submit(&first).await?, Ok(Verdict::Accepted { .. })));
    let revision = Payload::DraftRevised(wire::DraftRevised {
        draft: Some(draft("s1-01", 2)),
        change_summary: "amended".into(),
        ..Default::default()
    });
    assert!(matches!(
        probe.submit(&probe.envelope(Role::JointStaff, "joint-staff", revision)?).await?,
        Ok(Verdict::Accepted { .. })
    ));
    let settled = probe.log_len().await?;
    let stale = probe.envelope(Role::ControlPoint, "KZ", position("s1-01", 1))?;
    let (code, reason) = rejection(&probe.submit(&stale).await?);
    assert_eq!(code, RejectionCode::StaleVersion);
    assert!(reason.contains("version 2"), "{reason}");
    assert_eq!(probe.log_len().await?, settled);
    let current = probe.envelope(Role::ControlPoint, "KZ", position("s1-01", 2))?;
    assert!(matches!(probe.submit(&current).await?, Ok(Verdict::Accepted { .. })));

    let _ = stop.send(true);
    let state = within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    assert_eq!(state.drafts["s1-01"].versions.len(), 2);
    Ok(())
}

#[tokio::test]
async fn pause_holds_the_exercise_and_resume_lets_it_go_on() -> anyhow::Result<()> {
    // Assembly's deadline (3 exercise hours) passes 1.5 s after the start at this scale.
    let run = Run { mode: Mode::Scaled, time_scale: 7200.0, ..Run::default_fast("pause")? };
    let nats = Nats::start(&[&run]).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(10)).await?;
    let pause = probe.envelope(
        Role::Coordinator,
        "director",
        Payload::PauseExercise(wire::PauseExercise { reason: "hold".into() }),
    )?;
    assert!(matches!(probe.submit(&pause).await?, Ok(Verdict::Accepted { .. })));

    let held = probe.wait_for("assembly_closed", Duration::from_secs(3)).await;
    assert!(held.is_err(), "assembly must not close while paused, past its deadline");
    let resume = probe.envelope(
        Role::Coordinator,
        "director",
        Payload::ResumeExercise(wire::ResumeExercise { reason: "go".into() }),
    )?;
    assert!(matches!(probe.submit(&resume).await?, Ok(Verdict::Accepted { .. })));
    let closed = probe.wait_for("assembly_closed", Duration::from_secs(10)).await?;
    let Payload::AssemblyClosed(c) = closed.payload else { unreachable!("waited for assembly_closed") };
    assert_eq!(c.absent.len(), 9, "nobody reported: every non-observer is recorded absent");

    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}
