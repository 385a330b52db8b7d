//! Whole exercises over a real NATS (testcontainers): every participant a separate task with its
//! own connection, the observer's report checked as a director would read it.

use std::time::Duration;

use bus::{Envelope, NodeId, Payload, Role, Sender};
use bus::{SubmitError, Verdict};
use coordinator::Mode;
use futures::StreamExt;
use proto::v1::{self as wire, PositionKind, RejectionCode};
use scenario::Sketch;
use tests::{Nats, Probe, Run, run_exercise, start_coordinator, start_exercise, within};

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_default_scenario_runs_to_its_conclusion() -> anyhow::Result<()> {
    let run = Run::default_fast("default")?;
    let nats = Nats::start(&[&run]).await?;
    let report = run_exercise(&nats, &run, LIMIT).await?;
    tests::expect::check(&run.scenario, &report).map_err(|e| e.context(format!("{report:#?}")))?;

    // A state that did not concur with a draft's first version saw it revised, then concurred.
    let mut refused_first = 0;
    for state in run.scenario.states().filter(|p| !p.absent) {
        for slot_id in &state.policy.non_concur_first_version {
            let slot = report.stages.iter().flat_map(|s| &s.slots).find(|s| &s.id == slot_id).expect("slot in report");
            let node = state.node.as_str();
            assert_eq!(slot.versions.len(), 2, "{slot_id} must have been revised");
            assert_eq!(slot.versions[0].positions[node].kind, "non_concur");
            assert_eq!(slot.versions[1].positions[node].kind, "concur");
            refused_first += 1;
        }
    }
    assert!(refused_first > 0, "the default scenario has first versions refused");
    Ok(())
}

/// Uneven stages, a declared absence, both drafting bodies, and every kind of answer a policy
/// gives under consensus: what each slot comes to is worked out from the scenario.
#[tokio::test]
async fn an_uneven_exercise_with_an_absent_state_comes_to_what_its_policies_say() -> anyhow::Result<()> {
    let scenario = Sketch::new("uneven")
        .deadlines("1h", "2h", "40h")
        .participant("joint_staff", "js", &["policy = { skip = [\"b3\"] }"])
        .participant("secretariat", "sec", &[])
        .state("BY", &["policy = { non_concur_first_version = [\"a1\", \"b2\"] }"])
        .state("RU", &["policy = { object = [\"b1\"], abstain = [\"a2\"] }"])
        .state("KZ", &["policy = { skip = [\"b4\"] }"])
        .state("AM", &["absent = true", "mandatory = false", "policy = { object = [\"a1\", \"c1\"] }"])
        .stage("10h", &[("a1", "joint_staff"), ("a2", "secretariat")])
        .stage("20h", &[("b1", "joint_staff"), ("b2", "secretariat"), ("b3", "joint_staff"), ("b4", "secretariat")])
        .stage("30h", &[("c1", "secretariat")])
        .build()?;
    let expected = tests::expect::of(&scenario);
    assert!(
        ["adopted", "returned", "no_draft"].iter().all(|o| expected.count(o) > 0) && expected.revisions() > 2,
        "the scenario tries every outcome and both kinds of revision: {expected:?}"
    );
    // Stages wait for their deadlines where a state is silent: 10 exercise hours, 5 s.
    let run = Run { grpc: None, exercise: tests::exercise("uneven"), scenario, mode: Mode::Fast, time_scale: 7200.0 };
    let nats = Nats::start(&[&run]).await?;
    let report = run_exercise(&nats, &run, LIMIT).await?;
    tests::expect::check(&run.scenario, &report).map_err(|e| e.context(format!("{report:#?}")))?;
    Ok(())
}

#[tokio::test]
async fn the_silence_procedure_adopts_unless_a_state_objects() -> anyhow::Result<()> {
    // The stage waits for its deadline (x2 is objected to, x3 is not answered): 8 exercise hours, 4 s.
    let run = Run {
        grpc: None,
        exercise: tests::exercise("silence"),
        scenario: Sketch::new("silence")
            .silence()
            .participant("joint_staff", "js", &[])
            .state("BY", &[])
            .state("RU", &["policy = { object = [\"x2\"] }"])
            .state("TJ", &["policy = { skip = [\"x3\"] }"])
            .stage("10h", &[("x1", "joint_staff"), ("x2", "joint_staff"), ("x3", "joint_staff")])
            .build()?,
        mode: Mode::Fast,
        time_scale: 7200.0,
    };
    let nats = Nats::start(&[&run]).await?;
    let report = run_exercise(&nats, &run, LIMIT).await?;
    tests::expect::check(&run.scenario, &report)?;
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
        tests::expect::check(&run.scenario, report)?;
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
        Err(SubmitError::Refused { code: Some(code), reason, .. }) => (*code, reason.clone()),
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
        Payload::PauseExercise(wire::PauseExercise { reason: "hold".into(), ..Default::default() }),
    )?;
    assert!(matches!(probe.submit(&pause).await?, Ok(Verdict::Accepted { .. })));

    let held = probe.wait_for("assembly_closed", Duration::from_secs(3)).await;
    assert!(held.is_err(), "assembly must not close while paused, past its deadline");
    let resume = probe.envelope(
        Role::Coordinator,
        "director",
        Payload::ResumeExercise(wire::ResumeExercise { reason: "go".into(), ..Default::default() }),
    )?;
    assert!(matches!(probe.submit(&resume).await?, Ok(Verdict::Accepted { .. })));
    let closed = probe.wait_for("assembly_closed", Duration::from_secs(10)).await?;
    let Payload::AssemblyClosed(c) = closed.payload else { unreachable!("waited for assembly_closed") };
    assert_eq!(c.absent.len(), 9, "nobody reported: every non-observer is recorded absent");

    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}

// The CLI runs as a blocking child process: the coordinator in this process needs threads of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muster_control_names_its_window_and_a_command_meant_for_another_is_refused() -> anyhow::Result<()> {
    // Assembly lasts three exercise hours: three wall minutes at this scale, longer than the test.
    let run = Run { mode: Mode::Scaled, time_scale: 60.0, ..Run::default_fast("cli-window")? };
    let nats = Nats::start(&[&run]).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(10)).await?;
    let director = nats.identities.seed_file("director");
    let muster_in = |lang: &str, command: &str, window: Option<&str>| -> anyhow::Result<(bool, String)> {
        let mut cli = std::process::Command::new(tests::binary("muster")?);
        cli.args([command, "--nats", &nats.url, "--exercise", run.exercise.as_str(), "--reason", "test", "--nkey"]);
        cli.arg(&director).args(["--lang", lang]);
        if let Some(window) = window {
            cli.args(["--window", window]);
        }
        let out = cli.output()?;
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        Ok((out.status.success(), said))
    };

    let muster = |command: &str, window: Option<&str>| muster_in("en", command, window);
    let (ok, said) = muster("advance", Some("deployment"))?;
    assert!(!ok && said.contains("it was meant for deployment, but assembly is open now"), "{said}");
    // The coordinator's reason, said in the director's language.
    let (ok, said) = muster_in("ru", "advance", Some("deployment"))?;
    let refused =
        "закрытие периода (развёртывание) — не принято: команда относилась к развёртыванию, а сейчас идёт сбор";
    assert!(!ok && said.contains(refused), "{said}");
    let (ok, said) = muster("pause", None)?;
    assert!(ok && said.contains("pause of assembly accepted"), "without --window, the window open now: {said}");
    let (ok, said) = muster("resume", Some("stage 1"))?;
    assert!(!ok && said.contains("meant for stage 1"), "{said}");
    let (ok, said) = muster("resume", Some("assembly"))?;
    assert!(ok, "{said}");
    let (ok, said) = muster("advance", Some("stage-x"))?;
    assert!(!ok && said.contains("is not a window"), "a window that is none is the CLI's to refuse: {said}");
    let (ok, said) = muster("advance", Some("assembly"))?;
    assert!(ok && said.contains("advance of assembly accepted"), "{said}");
    probe.wait_for("assembly_closed", Duration::from_secs(10)).await?;
    let kinds: Vec<&str> = probe
        .log()
        .await?
        .iter()
        .filter(|e| e.sender.role == Role::Coordinator && e.sender.node.as_str() == "director")
        .map(Envelope::kind)
        .collect();
    assert_eq!(kinds, ["pause_exercise", "resume_exercise", "advance_exercise"], "only what was meant for assembly");

    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}

/// The injects released so far: each id with how and when (exercise time) it went out.
async fn injects_released(probe: &Probe) -> anyhow::Result<Vec<(String, wire::InjectRelease, Duration)>> {
    Ok(probe
        .log()
        .await?
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::InjectReleased(r) => Some((
                r.inject.as_ref().map(|i| i.inject_id.clone()).unwrap_or_default(),
                r.release(),
                e.exercise_time.unwrap_or_default(),
            )),
            _ => None,
        })
        .collect())
}

async fn released(probe: &Probe, id: &str) -> anyhow::Result<(wire::InjectRelease, Duration)> {
    tests::eventually(LIMIT, &format!("inject {id} released"), async || {
        Ok(injects_released(probe).await?.into_iter().find(|(i, _, _)| i == id).map(|(_, how, at)| (how, at)))
    })
    .await
}

async fn stage_opened(probe: &Probe, stage: u32) -> anyhow::Result<Duration> {
    tests::eventually(LIMIT, &format!("stage {stage} to open"), async || {
        Ok(probe.log().await?.iter().find_map(|e| match &e.payload {
            Payload::StageOpened(s) if s.stage_number == stage => e.exercise_time,
            _ => None,
        }))
    })
    .await
}

// The CLI runs as a blocking child process: the coordinator in this process needs threads of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injects_go_out_once_at_their_time_through_a_pause_and_failovers_and_by_the_directors_hand()
-> anyhow::Result<()> {
    const HOUR: Duration = Duration::from_secs(3600);
    // An exercise hour is three wall seconds; stages stay open until their deadlines.
    let scenario = Sketch::new("injects")
        .deadlines("1h", "2h", "14h")
        .participant("joint_staff", "js", &[])
        .participant("secretariat", "sec", &[])
        .state("BY", &[])
        .state("RU", &[])
        .participant("observer", "obs", &["mandatory = false"])
        .stage("8h", &[("a1", "joint_staff")])
        .inject("t1", "2h", &["BY"])
        .inject("h1", "by hand", &[])
        .stage("11h", &[("b1", "secretariat")])
        .inject("t2", "1h", &[])
        .inject("h2", "by hand", &["RU"])
        .build()?;
    let run = Run { mode: Mode::Scaled, time_scale: 1200.0, scenario, ..Run::default_fast("injects")? };
    let nats = Nats::start(&[&run]).await?;
    let mut running = start_exercise(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    let director = nats.identities.seed_file("director");
    let muster = |args: &[&str]| -> anyhow::Result<String> {
        let mut cli = std::process::Command::new(tests::binary("muster")?);
        cli.args(["inject", "--nats", &nats.url, "--exercise", run.exercise.as_str(), "--nkey"]);
        let out = cli.arg(&director).args(args).output()?;
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        anyhow::ensure!(out.status.success(), "muster inject {args:?}: {said}");
        Ok(said)
    };

    // Stage 1: held before t1's time, the coordinator killed and replaced while held.
    let opened = stage_opened(&probe, 1).await?;
    let pause = Payload::PauseExercise(wire::PauseExercise { reason: "hold".into(), ..Default::default() });
    assert!(matches!(
        probe.submit(&probe.envelope(Role::Coordinator, "director", pause)?).await?,
        Ok(Verdict::Accepted { .. })
    ));
    assert!(injects_released(&probe).await?.is_empty(), "t1 is due two exercise hours after the stage opened");
    running.kill_coordinator();
    running.start_coordinator(&nats, tests::coordinator_settings(&nats, &run)?);
    // Past t1's time in wall time (six seconds), held throughout: nothing goes out.
    let held = probe.wait_for("inject_released", Duration::from_secs(8)).await;
    assert!(held.is_err(), "no inject goes out while the exercise is held, across a failover");
    let resume = Payload::ResumeExercise(wire::ResumeExercise { reason: "go".into(), ..Default::default() });
    assert!(matches!(
        probe.submit(&probe.envelope(Role::Coordinator, "director", resume)?).await?,
        Ok(Verdict::Accepted { .. })
    ));
    let (how, at) = released(&probe, "t1").await?;
    assert_eq!(how, wire::InjectRelease::AtItsTime);
    let due = opened + 2 * HOUR;
    assert!(at >= due && at <= due + HOUR / 4, "t1 due at {due:?} of exercise time, released at {at:?}");

    // By the director's hand, and one written now.
    let said = muster(&["h1"])?;
    assert!(said.contains("the release of inject h1 accepted"), "{said}");
    muster(&["w1", "--text", "The border crossing at Kyzyl-Art is closed", "--to", "RU", "--expects", "Report"])?;
    assert_eq!(released(&probe, "h1").await?.0, wire::InjectRelease::ByHand);
    assert_eq!(released(&probe, "w1").await?.0, wire::InjectRelease::Written);
    let refused = muster(&["h1"]).expect_err("released already");
    assert!(refused.to_string().contains("inject h1 has been released already"), "{refused}");
    let refused = muster(&["h2"]).expect_err("stage 2's");
    assert!(refused.to_string().contains("inject h2 belongs to stage 2; stage 1 is open"), "{refused}");

    // Stage 2: the coordinator killed before t2's time; its successor releases it once, on time.
    let opened = stage_opened(&probe, 2).await?;
    running.kill_coordinator();
    running.start_coordinator(&nats, tests::coordinator_settings(&nats, &run)?);
    muster(&["h2"])?;
    let (how, at) = released(&probe, "t2").await?;
    let due = opened + HOUR;
    assert_eq!(how, wire::InjectRelease::AtItsTime);
    assert!(at >= due && at <= due + HOUR / 4, "t2 due at {due:?} of exercise time, released at {at:?}");

    let report = within(LIMIT * 2, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    let mut ids: Vec<String> = injects_released(&probe).await?.into_iter().map(|(id, _, _)| id).collect();
    ids.sort();
    assert_eq!(ids, ["h1", "h2", "t1", "t2", "w1"], "every inject released exactly once");
    // The report: every inject with each recipient's acknowledgement (every seat a policy plays
    // acknowledges).
    type Acknowledged = Vec<(String, bool)>;
    let listed: Vec<(String, String, Acknowledged)> = report
        .stages
        .iter()
        .flat_map(|s| &s.injects)
        .map(|i| {
            let acks = i.recipients.iter().map(|r| (r.node.clone(), r.acknowledged.is_some())).collect();
            (i.id.clone(), i.release.clone(), acks)
        })
        .collect();
    let everyone = |acked: bool| ["js", "sec", "BY", "RU"].map(|n| (n.to_string(), acked)).to_vec();
    assert_eq!(
        listed,
        [
            ("t1".into(), "at_its_time".into(), vec![("BY".into(), true)]),
            ("h1".into(), "by_hand".into(), everyone(true)),
            ("w1".into(), "written".into(), vec![("RU".into(), true)]),
            ("t2".into(), "at_its_time".into(), everyone(true)),
            ("h2".into(), "by_hand".into(), vec![("RU".into(), true)]),
        ]
    );
    Ok(())
}

/// What the independent reader does with the workbook: checks its sheets and drop-down lists,
/// adds an inject to the MSEL and moves stage 1's deadline, by the headings it finds; prints what
/// it saw as JSON.
const EDIT_WITH_OPENPYXL: &str = r#"
import json, sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1])
heads = lambda sheet: [c.value for c in sheet[1]]
participants, stages, msel = book["Participants"], book["Stages"], book["MSEL"]
lists = sorted(v.formula1 for v in participants.data_validations.dataValidation)
row = {"stage": 1, "id": "i1-new", "at": "10m", "to": "BY, RU", "text.en": "The border crossing at Brest is closed.",
       "text.ru": "Пункт пропуска Брест закрыт.", "expects.en": "Report the measures taken", "from.en": "TASS", "from.ru": "ТАСС"}
msel.append([row.get(h) for h in heads(msel)])
stages.cell(row=2, column=heads(stages).index("closes") + 1).value = "1d9h"
book.save(sys.argv[2])
print(json.dumps({"sheets": book.sheetnames, "participants": heads(participants), "lists": lists,
                  "states": [r[0].value for r in participants.iter_rows(min_row=2) if r[1].value == "control_point"]}))
"#;

// The CLI and Python run as blocking child processes: the exercise in this process needs threads of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_scenario_goes_to_a_workbook_is_edited_elsewhere_and_comes_back_to_run() -> anyhow::Result<()> {
    let dir = tempfile::TempDir::with_prefix("muster-workbook")?;
    let (plan, edited, toml) =
        (dir.path().join("plan.xlsx"), dir.path().join("edited.xlsx"), dir.path().join("edited.toml"));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let muster = |args: &[&std::ffi::OsStr]| -> anyhow::Result<String> {
        let out = std::process::Command::new(tests::binary("muster")?).args(args).current_dir(&root).output()?;
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        anyhow::ensure!(out.status.success(), "muster {args:?}: {said}");
        Ok(said)
    };
    muster(&["scenario".as_ref(), "export".as_ref(), plan.as_os_str()])?;

    // Opened, checked and edited by openpyxl, which Muster's code has nothing to do with.
    let python = std::process::Command::new("python3")
        .env("PYTHONPATH", root.join(".tools/py"))
        .args(["-c", EDIT_WITH_OPENPYXL])
        .arg(&plan)
        .arg(&edited)
        .output()?;
    let said = String::from_utf8_lossy(&python.stdout);
    anyhow::ensure!(
        python.status.success(),
        "openpyxl (make tools installs it into .tools/py): {}{said}",
        String::from_utf8_lossy(&python.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(&said)?;
    assert_eq!(seen["sheets"], serde_json::json!(["Exercise", "Participants", "Stages", "Slots", "MSEL"]));
    let headings = seen["participants"].as_array().map(|h| h[..4].to_vec()).unwrap_or_default();
    assert_eq!(headings, ["node", "role", "name.en", "name.ru"]);
    assert_eq!(seen["states"], serde_json::json!(["AM", "BY", "KZ", "KG", "RU", "TJ"]), "{seen}");
    let lists = seen["lists"].to_string();
    for offered in ["control_point,joint_staff,secretariat,guest,observer", "nats,grpc", "policy,person", "true,false"]
    {
        assert!(lists.contains(offered), "a drop-down of {offered} on the participants sheet: {lists}");
    }

    let said =
        muster(&["scenario".as_ref(), "import".as_ref(), edited.as_os_str(), "--out".as_ref(), toml.as_os_str()])?;
    assert!(said.contains("3 stages, 10 participants, 1 injects"), "{said}");
    let scenario = scenario::load(&toml)?;
    assert_eq!(scenario.stages[0].closes_at, Duration::from_secs(33 * 3600), "the deadline moved");
    let inject = &scenario.stages[0].injects[0];
    assert_eq!((inject.id.as_str(), inject.text.get("ru")), ("i1-new", Some("Пункт пропуска Брест закрыт.")));

    let run = Run { scenario, ..Run::default_fast("workbook")? };
    let nats = Nats::start(&[&run]).await?;
    let report = run_exercise(&nats, &run, LIMIT).await?;
    assert!(report.totals.concluded);
    let listed = &report.stages[0].injects;
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id.as_str(), listed[0].release.as_str()), ("i1-new", "at_its_time"));
    let acknowledged: Vec<&str> =
        listed[0].recipients.iter().filter(|r| r.acknowledged.is_some()).map(|r| r.node.as_str()).collect();
    assert_eq!(acknowledged, ["BY", "RU"]);
    Ok(())
}
