//! What a director reads, over a real NATS: the report in exercise time with a pause in the
//! middle and a state over gRPC; a seat played by a person that nobody acts for; and
//! `muster status` on a scenario other than the default, from the log alone.

use std::process::Command;
use std::time::Duration;

use bus::{Payload, Role};
use coordinator::Mode;
use proto::v1 as wire;
use seat::{Action, Verdict};
use tests::{Gateway, GrpcLink, Nats, Probe, Run, binary, certificates, start_coordinator, start_exercise, within};

const LIMIT: Duration = Duration::from_secs(60);
const HOUR: u64 = 3600;

#[tokio::test]
async fn a_paused_exercise_reports_in_exercise_time_without_the_pause() -> anyhow::Result<()> {
    // Four exercise hours a wall second, every window open to its deadline: stage 1 of
    // interaction-2025 closes 20 exercise hours after the start, 5 s of running time.
    let scenario = tests::scenario_file("interaction-2025.toml")?;
    let mut run =
        Run { grpc: None, exercise: tests::exercise("paused"), scenario, mode: Mode::Scaled, time_scale: 14_400.0 };
    let nats = Nats::start(&[&run]).await?;
    let bundle = certificates(&run.scenario)?;
    let gateway = Gateway::start(&nats, &bundle).await?;
    run.grpc = Some(GrpcLink { endpoint: gateway.endpoint(), bundle, processed: None });
    let mut running = start_exercise(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(20)).await?;

    let director = |payload| probe.envelope(Role::Coordinator, "director", payload);
    let pause =
        director(Payload::PauseExercise(wire::PauseExercise { reason: "water break".into(), ..Default::default() }))?;
    assert!(matches!(probe.submit(&pause).await?, Ok(Verdict::Accepted { .. })));
    // Held for 2 s of wall time: 8 exercise hours, had the clock run on.
    let held = probe.wait_for("stage_concluded", Duration::from_secs(2)).await;
    assert!(held.is_err(), "nothing closes while paused");
    let resume =
        director(Payload::ResumeExercise(wire::ResumeExercise { reason: "back".into(), ..Default::default() }))?;
    assert!(matches!(probe.submit(&resume).await?, Ok(Verdict::Accepted { .. })));

    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    assert!(report.totals.concluded);
    assert_eq!(report.starts, "2025-09-01 08:00 MSK");

    let considered =
        report.timeline.iter().find(|e| e.what.starts_with("stage 1 considered")).expect("stage 1 considered");
    let tick = 30 * 60; // the coordinator's clock ticks every 0.1 s wall: 24 exercise minutes here
    assert!(
        (20 * HOUR..20 * HOUR + tick).contains(&considered.when.exercise_s),
        "stage 1 closes at its deadline in exercise time, the pause not counted: {considered:?}"
    );
    assert!(considered.when.at.starts_with("2 Sep 2025 04:"), "on the scenario's calendar: {considered:?}");
    assert!(considered.when.day.starts_with("day 1, 20:"), "{considered:?}");
    let running_wall_ms = 20 * HOUR * 1000 / 14_400;
    assert!(
        considered.when.wall_ms >= running_wall_ms + 1_800,
        "the pause shows in wall time only: {} ms wall for {running_wall_ms} ms of running",
        considered.when.wall_ms
    );
    let whats: Vec<&str> = report.timeline.iter().map(|e| e.what.as_str()).collect();
    assert!(whats.contains(&"paused by exercise control: water break"), "{whats:?}");
    assert!(whats.contains(&"resumed by exercise control: back"), "{whats:?}");
    assert_eq!(whats.last(), Some(&"record complete"), "the report ends with the log's last event");
    let pause_span = report.phases.iter().find(|p| p.paused).expect("the pause is a span of its own");
    assert_eq!(pause_span.from_s, pause_span.to_s, "no exercise time passes while paused");
    assert!(pause_span.to_wall_ms - pause_span.from_wall_ms >= 1_800);

    // KZ answers over gRPC after 25 exercise minutes. Stage 2 runs well after the pause (an answer
    // given while the clock stands takes no exercise time), so there its answer times are the delay
    // plus the way through the gateway, as the record says: never the "0" of a missing cause.
    let kz: Vec<_> =
        report.stages[1].slots.iter().flat_map(|s| &s.versions).filter_map(|v| v.positions.get("KZ")).collect();
    assert!(!kz.is_empty());
    for p in &kz {
        assert!((25 * 60..3 * HOUR).contains(&p.after_s), "KZ answered after its delay: {p:?}");
    }
    let kz_times = report.answer_times.iter().find(|a| a.node == "KZ").expect("KZ's answer times");
    assert!(kz_times.max_s >= 25 * 60 && kz_times.answers >= kz.len(), "{kz_times:?}");
    let nodes: Vec<&str> = report.answer_times.iter().map(|a| a.node.as_str()).collect();
    assert_eq!(nodes, ["BY", "KZ", "RU", "TJ"], "answer times are the states', not the drafting bodies'");
    Ok(())
}

#[tokio::test]
async fn a_persons_seat_that_nobody_plays_is_waited_for_and_recorded_silent() -> anyhow::Result<()> {
    let mut run = Run::default_fast("person")?;
    run.scenario.seat_person(&bus::NodeId::new("TJ")?).map_err(anyhow::Error::msg)?;
    let nats = Nats::start(&[&run]).await?;
    let mut running = start_exercise(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(10)).await?;

    // The person reports at assembly through the seat's desk, and then does nothing more.
    let desk = running.desk("TJ")?;
    let report = Payload::AssemblyReport(wire::AssemblyReport { remarks: "operational group of Tajikistan".into() });
    let verdict = desk
        .act(Action { message_id: bus::MessageId::new("TJ-assembly-by-hand")?, payload: report, language: "en".into() })
        .await?;
    assert!(
        matches!(verdict, Verdict::Accepted { duplicate: false, comms_token: Some(_), receipt: Some(_) }),
        "{verdict:?}"
    );

    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    let log = probe.log().await?;
    let tj = report.participants.iter().find(|p| p.node == "TJ").expect("TJ");
    assert_eq!(tj.played_by, "person");
    assert!(tj.assembly.is_some() && tj.activation.is_none(), "{tj:?}");
    assert_eq!(report.absent, ["AM"], "TJ reported, so it is present");
    assert!(
        log.iter().all(|e| e.sender.node.as_str() != "TJ" || e.kind() == "assembly_report"),
        "nothing acted for TJ but its person"
    );

    // Fast mode closes windows early once all is in; TJ's silence holds each to its deadline.
    let at = |kind: &str| log.iter().find(|e| e.kind() == kind).and_then(|e| e.exercise_time);
    let deadline = |h: u64| Some(Duration::from_secs(h * HOUR));
    assert!(at("stage_opened") >= deadline(8), "deployment waited for TJ's activation until its deadline");
    assert!(at("stage_concluded") >= deadline(32), "stage 1 waited for TJ's positions until its deadline");
    for slot in report.stages.iter().flat_map(|s| &s.slots) {
        assert_eq!(slot.outcome, "returned", "{slot:?}");
        assert_eq!(slot.reason, "no consensus: TJ gave no position", "{slot:?}");
    }
    let mut received: Vec<&str> = report.receipts.iter().map(|a| a.node.as_str()).collect();
    received.sort_unstable();
    assert_eq!(received, ["BY", "KG", "KZ", "RU"]);
    assert!(at("exercise_concluded") >= deadline(82), "distribution waited for TJ's receipt until its deadline");
    Ok(())
}

fn status(nats: &Nats, exercise: &str) -> anyhow::Result<(bool, String, String)> {
    let out = Command::new(binary("muster")?)
        .args(["status", "--nats", &nats.url, "--exercise", exercise, "--nkey"])
        .arg(nats.identities.seed_file("director"))
        .output()?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[tokio::test]
async fn muster_status_reads_what_is_awaited_from_the_log_alone() -> anyhow::Result<()> {
    // interaction-2025 at one exercise minute a second: assembly stays open for the whole test.
    let scenario = tests::scenario_file("interaction-2025.toml")?;
    let run = Run { grpc: None, exercise: tests::exercise("status"), scenario, mode: Mode::Scaled, time_scale: 60.0 };
    let nats = Nats::start(&[&run]).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(10)).await?;
    for (role, node) in [(Role::JointStaff, "joint-staff"), (Role::ControlPoint, "BY")] {
        let report = probe.envelope(role, node, Payload::AssemblyReport(wire::AssemblyReport::default()))?;
        assert!(matches!(probe.submit(&report).await?, Ok(Verdict::Accepted { .. })));
    }

    let (ok, out, err) = status(&nats, run.exercise.as_str())?;
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("exercise {}: assembly", run.exercise)), "{out}");
    assert!(out.contains("scenario: Interaction-2025: command-staff phase of the CRRF"), "{out}");
    assert!(out.contains("window closes 1 Sep 2025 10:00 MSK (day 1, 02:00)"), "{out}");
    let awaited: Vec<&str> = out.lines().skip_while(|l| !l.starts_with("awaited")).collect();
    assert_eq!(
        awaited,
        [
            "awaited (4):",
            "  secretariat (CSTO Secretariat): assembly report",
            "  KZ (Republic of Kazakhstan): assembly report",
            "  RU (Russian Federation): assembly report",
            "  TJ (Republic of Tajikistan): assembly report",
        ],
        "{out}"
    );

    let (ok, out, err) = status(&nats, "no-such-exercise")?;
    assert!(!ok, "{out}");
    assert_eq!(err.trim(), format!("muster: no exercise `no-such-exercise` on {}", nats.url));
    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}
