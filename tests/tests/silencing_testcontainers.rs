//! No party can silence another. A state with nothing but its own key and the permissions it is
//! issued uses every other seat's message ids before they do — on the bus, with junk on its own
//! subject, and in a valid submission of its own that the coordinator records — and the exercise
//! ends as an undisturbed one did; every seat's receipts are borne out by the record, and a record
//! cut short is reported incomplete, with the receipted submissions it lacks named.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Context as _;
use bus::SubmitError;
use bus::{MessageId, NodeId, Payload, Role, Sender};
use prost::Message as _;
use proto::v1 as wire;
use tests::{Nats, Probe, Record, Run, run_exercise, start_seats, within};

const LIMIT: Duration = Duration::from_secs(120);

/// The default scenario with every state present, at an exercise hour a wall second: assembly
/// (3 h) closes only when every state has reported, whenever each one starts; every later window
/// closes once all is in.
fn run(test: &str) -> anyhow::Result<Run> {
    let scenario = scenario::parse(&tests::all_present_scenario()?, "cst-2025-all-present.toml")?;
    Ok(Run { scenario, time_scale: 3600.0, ..Run::default_fast(test)? })
}

fn node(n: &str) -> anyhow::Result<NodeId> {
    Ok(NodeId::new(n)?)
}

#[tokio::test]
async fn a_seat_using_other_seats_ids_first_changes_nothing_they_said() -> anyhow::Result<()> {
    let (baseline_run, run) = (run("squat-baseline")?, run("squat")?);
    let nats = Nats::start(&[&baseline_run, &run]).await?;
    let baseline = Record::of(&run_exercise(&nats, &baseline_run, LIMIT).await?);
    let baseline_log = Probe::connect(&nats, &baseline_run.exercise).await?.log().await?;
    let kz = Sender::new(Role::ControlPoint, node("KZ")?);
    // Every other seat's ids: deterministic, so the same again in the next exercise.
    let victims: Vec<(Sender, MessageId)> = baseline_log
        .iter()
        .filter(|e| e.sender != record::coordinator() && e.sender != kz)
        .map(|e| (e.sender.clone(), e.message_id.clone()))
        .collect();
    assert!(victims.len() > 60, "the undisturbed run's submissions: {}", victims.len());

    // On the bus: KZ, as itself, puts junk on its own subject under every one of those ids.
    tests::provision(&nats, &run).await?;
    let as_kz = nats.bus_as("KZ").await?;
    // (Spread over the kinds it submits: it may have only so many of one kind waiting.)
    let kinds = bus::envelope::submitted_kinds(Role::ControlPoint);
    for (n, (_, id)) in victims.iter().enumerate() {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id.as_str());
        let subject = bus::subject::submission(&run.exercise, &kz, kinds[n % kinds.len()]);
        as_kz.jetstream().publish_with_headers(subject, headers, "junk".into()).await?.await?;
    }

    // In the coordinator: before RU reports, KZ's own signed report goes in under RU's id.
    let (ru, kz_node) = (node("RU")?, node("KZ")?);
    let mut running = start_seats(&nats, &run, |p| p.node != ru && p.node != kz_node)?;
    running.start_coordinator(&nats, tests::coordinator_settings(&nats, &run)?);
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(20)).await?;
    let mut squat =
        probe.envelope(Role::ControlPoint, "KZ", Payload::AssemblyReport(wire::AssemblyReport::default()))?;
    squat.message_id = MessageId::new("RU-assembly")?;
    bus::seal::sign(&mut squat, nats.identities.key("KZ")?.as_ref())?;
    let mut replies = as_kz.replies(&run.exercise, &kz).await?;
    as_kz.submit(&squat).await?;
    let answer = within(Duration::from_secs(10), "the coordinator's answer to KZ", async {
        use futures::StreamExt as _;
        while let Some(d) = replies.next().await {
            if let Ok(Payload::Accepted(a)) = d.envelope.map(|e| e.payload)
                && a.accepted_message_id == "RU-assembly"
            {
                return Some(a);
            }
        }
        None
    })
    .await?
    .context("no answer")?;
    assert!(!answer.duplicate, "KZ's report is recorded, as KZ's");
    running.start_participant(&nats, &run, &kz_node)?;
    running.start_participant(&nats, &run, &ru)?;

    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    let log = probe.log().await?;
    let mut stopped = running;
    stopped.participants_done(Duration::from_secs(30)).await?;
    assert_eq!(Record::of(&report), baseline, "the outcome of the undisturbed run");
    let ru_report = log.iter().find(|e| e.kind() == "assembly_report" && e.sender.node == ru);
    assert_eq!(ru_report.map(|e| e.message_id.as_str()), Some("RU-assembly"), "RU's genuine report is RU's");

    // Every seat holds a receipt for every submission of its own the record holds, and each
    // receipt names an event of the record; KZ's junk has none.
    let receipts_dir = stopped.receipts_dir();
    let mut receipted = BTreeSet::new();
    for entry in std::fs::read_dir(&receipts_dir)? {
        for r in bus::receipt::read(&entry?.path())? {
            assert!(r.signed_by(&nats.identities.public_key("coordinator")?));
            let e = log.get(usize::try_from(r.sequence)? - 1).context("receipt beyond the log")?;
            assert_eq!(bus::seal::hash(e), r.event, "{}'s {} names its event", r.sender, r.message_id);
            receipted.insert((r.sender.to_string(), r.message_id.to_string()));
        }
    }
    let recorded: BTreeSet<(String, String)> = log
        .iter()
        .filter(|e| e.sender != record::coordinator() && e.sender != kz)
        .map(|e| (e.sender.to_string(), e.message_id.to_string()))
        .collect();
    let unreceipted: Vec<_> = recorded.difference(&receipted).collect();
    assert!(unreceipted.is_empty(), "a receipt for every submission recorded; none for {unreceipted:?}");
    let adopted = report.stages.iter().flat_map(|s| &s.slots).filter(|s| s.outcome == "adopted").count();
    let slots = report.stages.iter().flat_map(|s| &s.slots).count();
    println!(
        "{} ids squatted: {adopted} of {slots} adopted, absent {:?}; the other seats hold receipts for all {} of their submissions recorded",
        victims.len(),
        report.absent,
        receipted.intersection(&recorded).count()
    );

    // A record cut short: `muster verify` says it is incomplete, and the receipts name what it lacks.
    let dir = tempfile::TempDir::with_prefix("muster-receipts-")?;
    let (whole, cut) = (dir.path().join("whole.bin"), dir.path().join("cut.bin"));
    let write = |path: &std::path::Path, events: &[bus::Envelope]| -> anyhow::Result<()> {
        let mut bytes = Vec::new();
        for e in events {
            wire::Envelope::from(e).encode_length_delimited(&mut bytes)?;
        }
        Ok(std::fs::write(path, bytes)?)
    };
    write(&whole, &log)?;
    let kept = log.len() * 2 / 3;
    write(&cut, &log[..kept])?;
    let verify = |file: &std::path::Path| -> anyhow::Result<std::process::Output> {
        Ok(std::process::Command::new(tests::binary("muster")?)
            .args(["verify", "--file"])
            .arg(file)
            .arg("--trust")
            .arg(nats.identities.dir().join("coordinator.pub"))
            .arg("--receipts")
            .arg(&receipts_dir)
            .output()?)
    };
    let text = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };
    let intact = verify(&whole)?;
    assert!(intact.status.success(), "{}", text(&intact));
    assert!(text(&intact).contains("complete: it ends with the exercise's conclusion"), "{}", text(&intact));
    assert!(text(&intact).contains(&bus::receipt::hex(&bus::seal::hash(&log[log.len() - 1]))), "the final hash");
    let short = verify(&cut)?;
    let said = text(&short);
    assert_eq!(short.status.code(), Some(1), "{said}");
    assert!(said.contains(&format!("INCOMPLETE: it ends at event {kept}")), "{said}");
    let lacking = receipted.iter().filter(|(sender, id)| {
        log[kept..].iter().any(|e| e.sender.to_string() == *sender && e.message_id.as_str() == id)
    });
    for (sender, id) in lacking.clone() {
        assert!(said.contains(&format!("NOT IN THE RECORD: {sender}'s {id}")), "{sender}'s {id} is named: {said}");
    }
    assert!(lacking.count() > 10);
    let without = std::process::Command::new(tests::binary("muster")?)
        .args(["verify", "--file"])
        .arg(&cut)
        .arg("--trust")
        .arg(nats.identities.dir().join("coordinator.pub"))
        .output()?;
    assert_eq!(without.status.code(), Some(3), "incomplete, and nothing else wrong: {}", text(&without));
    Ok(())
}

#[tokio::test]
async fn a_reader_cannot_create_consumers_so_cannot_deny_the_log_to_anyone() -> anyhow::Result<()> {
    use async_nats::jetstream::consumer::{pull, push};
    let (baseline_run, mut run) = (Run::default_fast("hog-baseline")?, Run::default_fast("hog")?);
    let nats = Nats::start(&[&baseline_run, &run]).await?;
    let baseline = Record::of(&run_exercise(&nats, &baseline_run, LIMIT).await?);
    let bundle = tests::certificates(&run.scenario)?;
    let gateway = tests::Gateway::start(&nats, &bundle).await?;
    run.grpc = Some(tests::GrpcLink { endpoint: gateway.endpoint(), bundle, processed: None });
    tests::provision(&nats, &run).await?;

    // KZ, with its own identity, asks for a thousand durable consumers on the log, and a push
    // consumer delivering to RU's reply subject, while the exercise runs.
    let as_kz = nats.bus_as("KZ").await?;
    let log = bus::subject::events_stream(&run.exercise);
    let hogs = (0..1000).map(|i| {
        let config = pull::Config { durable_name: Some(format!("hog-{i}")), ..Default::default() };
        let (js, log) = (as_kz.jetstream().clone(), log.clone());
        async move { js.create_consumer_on_stream(config, log).await.map(drop) }
    });
    let ru = Sender::new(Role::ControlPoint, node("RU")?);
    let detour = push::Config {
        deliver_subject: bus::subject::reply(&run.exercise, &ru),
        durable_name: Some("detour".into()),
        ..Default::default()
    };
    let mut running = tests::start_exercise(&nats, &run)?;
    let (hogged, detoured) =
        tokio::join!(futures::future::join_all(hogs), as_kz.jetstream().create_consumer_on_stream(detour, log.clone()));
    assert!(hogged.iter().all(Result::is_err), "no consumer is made for a reader");
    assert!(detoured.is_err(), "no push consumer delivers to a subject its creator may not publish to");
    let admin = nats.bus_as("admin").await?;
    assert_eq!(admin.jetstream().get_stream(&log).await?.info().await?.state.consumer_count, 0);

    // The coordinator restarted mid-exercise reads the log again, the gateway serves its nodes,
    // the observer writes its report, and the director's `muster status` reads the record.
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(30)).await?;
    running.kill_coordinator();
    running.start_coordinator(&nats, tests::coordinator_settings(&nats, &run)?);
    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    assert_eq!(Record::of(&report), baseline, "the outcome of the undisturbed run");
    let status = std::process::Command::new(tests::binary("muster")?)
        .args(["status", "--nats", &nats.url, "--exercise", run.exercise.as_str(), "--nkey"])
        .arg(nats.identities.seed_file("director"))
        .output()?;
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success() && said.contains("concluded"), "{said}{}", String::from_utf8_lossy(&status.stderr));
    running.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_seat_over_its_quota_is_refused_by_the_bus_and_the_exercise_completes() -> anyhow::Result<()> {
    let (baseline_run, run) = (Run::default_fast("quota-baseline")?, Run::default_fast("quota")?);
    let nats = Nats::start(&[&baseline_run, &run]).await?;
    let baseline = Record::of(&run_exercise(&nats, &baseline_run, LIMIT).await?);
    tests::provision(&nats, &run).await?;
    let as_kz = nats.bus_as("KZ").await?;
    let junk = |n: usize| -> anyhow::Result<bus::Envelope> {
        let mut e = bus::Envelope::new(
            run.exercise.clone(),
            Sender::new(Role::ControlPoint, node("KZ")?),
            Payload::Position(wire::Position {
                slot_id: format!("junk-{n}"),
                draft_version: 1,
                kind: 1,
                reasons: vec![],
            }),
        );
        e.message_id = MessageId::new(format!("KZ-junk-{n}"))?;
        Ok(e)
    };
    // Before the coordinator takes anything: KZ fills its backlog of positions, and one more.
    let quota = usize::try_from(bus::provision::WAITING_PER_SEAT_AND_KIND)?;
    for n in 0..quota {
        as_kz.submit(&junk(n)?).await?;
    }
    let over = as_kz.submit(&junk(quota)?).await.expect_err("over its quota");
    assert!(matches!(over, bus::BusError::Quota { .. }), "{over:?}");
    assert!(over.to_string().contains(&format!("{quota} submissions of this kind waiting")), "{over}");
    // Nor can it make subjects of its own, or send what no envelope may be.
    let kz = Sender::new(Role::ControlPoint, node("KZ")?);
    let publish = |subject: String, bytes: Vec<u8>| {
        let js = as_kz.jetstream().clone();
        async move { js.publish(subject, bytes.into()).await.map_err(|e| e.to_string())?.await.map_err(|e| e.to_string()) }
    };
    let made = publish(bus::subject::submission(&run.exercise, &kz, "junk"), b"junk".to_vec()).await;
    assert!(made.is_err_and(|e| e.contains("timed out")), "a subject of its own is not its to publish on (no ack)");
    let huge = publish(bus::subject::submission(&run.exercise, &kz, "assembly_report"), vec![0; 512 * 1024]).await;
    assert!(huge.as_ref().is_err_and(|e| e.contains("maximum")), "no message larger than an envelope: {huge:?}");
    let admin = nats.bus_as("admin").await?;
    let stream = bus::subject::submissions_stream(&run.exercise);
    let waiting = admin.jetstream().get_stream(&stream).await?.info().await?.state.messages;
    assert_eq!(waiting, bus::provision::WAITING_PER_SEAT_AND_KIND as u64, "KZ's quota and nothing more");

    // The exercise runs: the coordinator takes the junk (refusing it), KZ's genuine positions go
    // in once its backlog drains, and the outcome is the undisturbed one.
    let report = run_exercise(&nats, &run, LIMIT).await?;
    assert_eq!(Record::of(&report), baseline, "the outcome of the undisturbed run");
    let waiting = admin.jetstream().get_stream(&stream).await?.info().await?.state.messages;
    assert_eq!(waiting, 0, "the backlog is stored, not the history: everything taken is gone");
    Ok(())
}

#[tokio::test]
async fn text_that_acts_on_a_display_never_reaches_the_record_a_report_or_a_log() -> anyhow::Result<()> {
    let run = Run::default_fast("hostile-text")?;
    let nats = Nats::start(&[&run]).await?;
    let mut running = tests::start_exercise(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(30)).await?;
    let cases = [
        (
            "remarks in a reason",
            wire::Position {
                slot_id: "s1-01".into(),
                draft_version: 1,
                kind: 2,
                reasons: vec!["fine\u{1b}[2J\u{1b}[31mFORGED\u{7}".into()],
            },
            "\\u{1b}",
        ),
        (
            "an override",
            wire::Position {
                slot_id: "s1-01".into(),
                draft_version: 1,
                kind: 2,
                reasons: vec!["see annex \u{202E}gpj.exe".into()],
            },
            "\\u{202e}",
        ),
        (
            "a slot id",
            wire::Position { slot_id: "s1-01\u{1b}[31m".into(), draft_version: 1, kind: 1, reasons: vec![] },
            "\\u{1b}",
        ),
    ];
    for (what, position, shown) in cases {
        let mut e = probe.envelope(Role::ControlPoint, "TJ", Payload::Position(position))?;
        e.message_id = MessageId::new(format!("TJ-hostile-{}", what.len()))?;
        let Err(SubmitError::Refused { code: Some(code), reason, .. }) = probe.submit(&e).await? else {
            anyhow::bail!("{what} accepted")
        };
        assert_eq!(code, wire::RejectionCode::InvalidContent, "{what}: {reason}");
        assert!(reason.contains(shown), "{what}: the reason (logged as it is) shows the character: {reason}");
        assert!(!reason.chars().any(bus::text::is_hostile), "{what}: nothing raw in the reason: {reason:?}");
    }
    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    let log = probe.log().await?;
    let record = record::Record::of(&log);
    for (what, text) in [
        ("report.md", report::markdown::render(&report)),
        ("report.html", report::html::render(&report)),
        ("report.json", serde_json::to_string(&report)?),
    ] {
        assert!(!text.chars().any(bus::text::is_hostile), "{what} carries a control character");
    }
    assert!(record.is_concluded());
    Ok(())
}
