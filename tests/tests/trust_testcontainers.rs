//! The bus enforces who may do what, with real credentials against a real server: a state holding
//! its own key cannot write the record, act for another state or for exercise control, read
//! another's replies, or touch the streams, the coordinator's consumer or the lease; the observer
//! publishes nothing; nobody connects without a key the server knows. Meanwhile the exercise
//! completes with the record of an undisturbed run.

use std::time::Duration;

use bus::{Bus, BusError, Credentials, Envelope, NodeId, Payload, Role, Sender, subject};
use futures::StreamExt;
use proto::v1 as wire;
use tests::{Nats, Probe, Record, Run, run_exercise, start_exercise, within};

const LIMIT: Duration = Duration::from_secs(90);

/// A connection as `who` whose refused requests fail fast (a denied publish is dropped by the
/// server, and the JetStream ack it waits for times out).
async fn connect_as(nats: &Nats, who: &str) -> anyhow::Result<Bus> {
    let mut settings = nats.identities.settings(&nats.url, who, &format!("attacker-{who}"))?;
    settings.request_timeout = Duration::from_millis(500);
    Ok(Bus::connect(&settings).await?)
}

fn refused<T, E: std::fmt::Debug>(what: &str, result: Result<T, E>) {
    assert!(result.is_err(), "{what} must be refused by the server, and it went through");
}

#[tokio::test]
async fn a_state_holding_its_own_key_can_act_only_as_itself() -> anyhow::Result<()> {
    let baseline = Run::default_fast("trust-baseline")?;
    // Ten exercise hours a second would end the exercise before the attempts are made; two hours
    // a second keeps it running meanwhile.
    let run = Run { time_scale: 7200.0, ..Run::default_fast("trust")? };
    let nats = Nats::start(&[&baseline, &run]).await?;
    let expected = Record::of(&run_exercise(&nats, &baseline, LIMIT).await?);

    let mut running = start_exercise(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(30)).await?;
    let ex = &run.exercise;
    let by = connect_as(&nats, "BY").await?;
    let as_sender = |role, node: &str, payload| {
        let mut e = Envelope::new(ex.clone(), Sender::new(role, NodeId::new(node).expect("valid")), payload);
        e.message_id = bus::MessageId::new(format!("forged-{node}-{}", bus::MessageId::generate())).expect("valid");
        e
    };

    // Reading another state's replies: the subscription is refused, so nothing ever arrives.
    let mut kz_replies =
        by.client().subscribe(subject::reply(ex, &Sender::new(Role::ControlPoint, NodeId::new("KZ")?))).await?;

    let concluded = as_sender(
        Role::Coordinator,
        "control",
        Payload::ExerciseConcluded(wire::ExerciseConcluded { adopted: 0, ..Default::default() }),
    );
    refused("a state publishing an event", by.publish_event(&concluded).await);
    let kz_position = as_sender(
        Role::ControlPoint,
        "KZ",
        Payload::Position(wire::Position {
            slot_id: "s1-01".into(),
            draft_version: 1,
            kind: 3,
            reasons: vec!["no".into()],
        }),
    );
    refused("a state submitting as another state", by.submit(&kz_position).await);
    let pause = as_sender(
        Role::Coordinator,
        "director",
        Payload::PauseExercise(wire::PauseExercise { reason: "mine".into(), ..Default::default() }),
    );
    refused("a state pausing the exercise", by.submit(&pause).await);
    let advance = as_sender(Role::Coordinator, "director", Payload::AdvanceExercise(wire::AdvanceExercise::default()));
    refused("a state advancing the exercise", by.submit(&advance).await);

    let js = by.jetstream();
    refused("a state deleting the event log", js.delete_stream(subject::events_stream(ex)).await);
    refused("a state deleting the submissions", js.delete_stream(subject::submissions_stream(ex)).await);
    let events = js.get_stream(subject::events_stream(ex)).await?; // reading is its right
    refused("a state purging the event log", events.purge().await);
    refused(
        "a state deleting the coordinator's consumer",
        js.delete_consumer_from_stream(subject::COORDINATOR_CONSUMER, subject::submissions_stream(ex)).await,
    );
    refused("a state reading the lease bucket", js.get_key_value(subject::lease_bucket(ex)).await);
    let lease_key = format!("$KV.{}.{}", subject::lease_bucket(ex), ex);
    refused("a state writing the lease", async { js.publish(lease_key, "BY".into()).await?.await }.await);

    let observer = connect_as(&nats, "observer").await?;
    let note = as_sender(Role::Observer, "pa-secretariat", Payload::AssemblyReport(wire::AssemblyReport::default()));
    refused("the observer submitting", observer.submit(&note).await);
    refused("the observer publishing an event", observer.publish_event(&concluded).await);

    // Saying that another seat is at its post: the server drops it; the seat's own word goes
    // through (the console hears both subjects).
    let console = connect_as(&nats, "console").await?;
    let heard = bus::presence::hear(&console, ex).await?;
    let marked = wire::Presence {
        since: Some((std::time::UNIX_EPOCH + Duration::from_secs(42)).into()),
        played_by_person: true,
        person_since: None,
    };
    let (kz, by_seat) =
        (Sender::new(Role::ControlPoint, NodeId::new("KZ")?), Sender::new(Role::ControlPoint, NodeId::new("BY")?));
    // Said again until heard, as a seat repeats it: the first word may cross the console's
    // subscription on its way to the server.
    let mut forged = heard.filter(|(_, p)| std::future::ready(p == &marked));
    let first = within(LIMIT, "BY's own presence", async {
        loop {
            bus::presence::announce(&by, ex, &kz, &marked).await?;
            bus::presence::announce(&by, ex, &by_seat, &marked).await?;
            by.client().flush().await?;
            if let Ok(Some((seat, _))) = tokio::time::timeout(Duration::from_secs(1), forged.next()).await {
                return anyhow::Ok(seat);
            }
        }
    })
    .await??;
    assert_eq!(first, by_seat, "BY's own word reached the console");
    while let Ok(Some((seat, _))) = tokio::time::timeout(Duration::from_millis(300), forged.next()).await {
        assert_eq!(seat, by_seat, "BY's word for KZ never reaches the console");
    }

    let anonymous = Bus::connect(&bus::ConnectSettings::new(&nats.url, "anonymous")).await;
    assert!(matches!(anonymous, Err(BusError::Connect { .. })), "no credentials, no connection: {anonymous:?}");
    let stranger = Credentials::new("BY", identity::Key::generate("BY").seed()?);
    let unknown =
        Bus::connect(&bus::ConnectSettings::new(&nats.url, "stranger").with_credentials(Some(stranger))).await;
    assert!(matches!(unknown, Err(BusError::Connect { .. })), "a key the server does not know: {unknown:?}");

    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    assert!(report.totals.concluded);
    assert_eq!(Record::of(&report), expected, "the record is the undisturbed one");
    let log = probe.log().await?;
    assert!(!log.iter().any(|e| e.message_id.as_str().starts_with("forged-")), "nothing forged was recorded");
    let kz_answers = log.iter().filter(|e| e.sender.node.as_str() == "KZ").count();
    assert!(kz_answers > 10, "KZ was answered {kz_answers} times meanwhile");
    let overheard = tokio::time::timeout(Duration::from_millis(200), kz_replies.next()).await;
    assert!(!matches!(overheard, Ok(Some(_))), "BY read a reply meant for KZ");
    Ok(())
}

/// An exercise with its first stage under way (two exercise hours a second), beside the record an
/// undisturbed run of it ends with.
struct UnderWay {
    nats: Nats,
    run: Run,
    expected: Record,
    running: tests::Running,
    probe: Probe,
}

async fn a_stage_under_way(name: &str) -> anyhow::Result<UnderWay> {
    let baseline = Run::default_fast(&format!("{name}-baseline"))?;
    let run = Run { time_scale: 7200.0, ..Run::default_fast(name)? };
    let nats = Nats::start(&[&baseline, &run]).await?;
    let expected = Record::of(&run_exercise(&nats, &baseline, LIMIT).await?);
    let running = start_exercise(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(30)).await?;
    Ok(UnderWay { nats, run, expected, running, probe })
}

/// An end to the exercise in the coordinator's name, known by `id`.
fn conclusion(run: &Run, id: &str) -> anyhow::Result<Envelope> {
    let mut end = Envelope::new(
        run.exercise.clone(),
        record::coordinator(),
        Payload::ExerciseConcluded(wire::ExerciseConcluded { adopted: 0, ..Default::default() }),
    );
    end.message_id = bus::MessageId::new(id)?;
    Ok(end)
}

#[tokio::test]
async fn a_forged_event_in_the_log_is_dropped_by_every_reader() -> anyhow::Result<()> {
    let UnderWay { nats, run, expected, mut running, probe } = a_stage_under_way("seal").await?;
    // The test's own identity may write anywhere (no identity of a deployment may): it writes an
    // end to the exercise, sealed with a key that is not the coordinator's, after the last event.
    let log = probe.log().await?;
    let last = bus::seal::hash(log.last().expect("events"));
    let mut forged = conclusion(&run, "forged-conclusion")?;
    bus::seal::seal(&mut forged, &last, log.len() as u64 + 1, &nkeys::KeyPair::new_user())?;
    probe.bus.publish_event(&forged).await?;

    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.participants_done(Duration::from_secs(20)).await?;
    running.stop().await;
    assert!(report.totals.concluded);
    assert_eq!(Record::of(&report), expected, "the observer passed over the forged event");
    let log = probe.log().await?;
    assert!(log.iter().any(|e| e.message_id.as_str() == "forged-conclusion"), "the forged event is in the stream");
    let coordinator = nats.identities.public_key("coordinator")?;
    let mut reader = record::Record::trusting(coordinator);
    let dropped: Vec<&str> = (1..)
        .zip(&log)
        .filter(|(sequence, e)| reader.accept(*sequence, (*e).clone()).is_err())
        .map(|(_, e)| e.message_id.as_str())
        .collect();
    assert_eq!(dropped, ["forged-conclusion"], "every other event is sealed in chain");
    Ok(())
}

#[tokio::test]
async fn an_event_no_checkpoint_covers_is_not_acted_on() -> anyhow::Result<()> {
    let UnderWay { nats, run, expected, mut running, probe } = a_stage_under_way("held").await?;
    // An end to the exercise chained to the log's last event as the coordinator chains its own,
    // but with no checkpoint: nobody's signature covers it, nor will.
    let log = probe.log().await?;
    let mut unsigned = conclusion(&run, "unsigned-conclusion")?;
    bus::seal::link(&mut unsigned, &bus::seal::hash(log.last().expect("events")));
    probe.bus.publish_event(&unsigned).await?;
    let coordinator = nats.identities.public_key("coordinator")?;
    let mut reader = record::Record::trusting(coordinator.clone());
    for (sequence, e) in (1..).zip(probe.log().await?) {
        let released = reader.accept(sequence, e.clone())?;
        if e.message_id.as_str() == "unsigned-conclusion" {
            assert!(released.is_empty(), "released with nothing covering it");
            break;
        }
    }
    assert!(!reader.is_concluded(), "a reader acted on the uncovered end");

    // Every seat goes on, the observer too: the exercise ends when the coordinator ends it.
    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.participants_done(Duration::from_secs(20)).await?;
    running.stop().await;
    assert_eq!(Record::of(&report), expected, "the observer did not act on the uncovered end");
    let log = probe.log().await?;
    let mut reader = record::Record::trusting(coordinator);
    let mut applied = Vec::new();
    for (sequence, e) in (1..).zip(&log) {
        applied.extend(reader.accept(sequence, e.clone())?.into_iter().map(|(_, e)| e.message_id.to_string()));
    }
    assert!(log.iter().any(|e| e.message_id.as_str() == "unsigned-conclusion"), "the event is in the stream");
    assert!(!applied.iter().any(|id| id == "unsigned-conclusion"), "and never applied");
    Ok(())
}

#[tokio::test]
async fn a_submission_signed_with_another_key_is_refused_with_its_code() -> anyhow::Result<()> {
    let run = Run { time_scale: 60.0, ..Run::default_fast("signature")? };
    let nats = Nats::start(&[&run]).await?;
    let (coordinator, stop) = tests::start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(10)).await?;
    let by = Sender::new(Role::ControlPoint, NodeId::new("BY")?);
    let mut replies = probe.bus.replies(&run.exercise, &by).await?;
    // A position in BY's name signed with KZ's key: the signature is checked before anything else.
    let position = wire::Position { slot_id: "s1-01".into(), draft_version: 1, kind: 3, reasons: vec!["no".into()] };
    let mut report = Envelope::new(run.exercise.clone(), by.clone(), Payload::Position(position));
    bus::seal::sign(&mut report, nats.identities.key("KZ")?.as_ref())?;
    probe.bus.submit(&report).await?;
    let reply = within(Duration::from_secs(10), "the coordinator's reply", replies.next()).await?.expect("a reply");
    match reply.envelope?.payload {
        Payload::Rejection(r) => assert_eq!(r.code(), wire::RejectionCode::BadSignature, "{}", r.reason),
        other => panic!("expected a rejection, got {other:?}"),
    }
    let log = probe.log().await?;
    assert!(!log.iter().any(|e| e.message_id == report.message_id), "nothing recorded");

    // A burst, checked in batches: states' genuine assembly reports and, among them, reports in
    // BY's name signed with KZ's key. Only those are refused, each with its code.
    let states = ["RU", "KZ", "TJ", "KG"];
    let mut answers = Vec::new();
    for state in states.iter().chain(&["BY"]) {
        let sender = Sender::new(Role::ControlPoint, NodeId::new(*state)?);
        answers.push(probe.bus.replies(&run.exercise, &sender).await?);
    }
    let mut burst = Vec::new();
    for (i, state) in states.iter().enumerate() {
        let sender = Sender::new(Role::ControlPoint, NodeId::new(*state)?);
        let mut genuine = Envelope::new(run.exercise.clone(), sender, Payload::AssemblyReport(Default::default()));
        bus::seal::sign(&mut genuine, nats.identities.key(state)?.as_ref())?;
        let mut forged = Envelope::new(run.exercise.clone(), by.clone(), Payload::AssemblyReport(Default::default()));
        forged.message_id = bus::MessageId::new(format!("forged-{i}"))?;
        bus::seal::sign(&mut forged, nats.identities.key("KZ")?.as_ref())?;
        burst.extend([genuine, forged]);
    }
    futures::future::try_join_all(burst.iter().map(|e| probe.bus.submit(e))).await?;
    let by_answers = answers.pop().expect("BY's replies");
    for (state, mut replies) in states.iter().zip(answers) {
        let reply = within(Duration::from_secs(10), "a reply", replies.next()).await?.expect("a reply");
        let payload = reply.envelope?.payload;
        assert!(matches!(payload, Payload::Accepted(_)), "{state}'s genuine report is accepted: {payload:?}");
    }
    let refusals = by_answers.take(states.len()).map(|reply| match reply.envelope.map(|e| e.payload) {
        Ok(Payload::Rejection(r)) => r.code(),
        other => panic!("expected a rejection, got {other:?}"),
    });
    let refused: Vec<wire::RejectionCode> =
        within(Duration::from_secs(10), "BY's refusals", refusals.collect()).await?;
    assert_eq!(refused, vec![wire::RejectionCode::BadSignature; states.len()], "each forged report is refused");
    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}

#[tokio::test]
async fn muster_verify_names_the_first_event_of_a_tampered_record() -> anyhow::Result<()> {
    let run = Run::default_fast("verify")?;
    let nats = Nats::start(&[&run]).await?;
    run_exercise(&nats, &run, LIMIT).await?;
    let dir = tempfile::TempDir::with_prefix("muster-verify-")?;
    let file = dir.path().join("record.bin");
    let muster = |args: &[&str]| -> anyhow::Result<std::process::Output> {
        Ok(std::process::Command::new(tests::binary("muster")?)
            .args(args)
            .arg("--nkey")
            .arg(nats.identities.seed_file("director"))
            .output()?)
    };
    let export = muster(&[
        "export",
        "--nats",
        &nats.url,
        "--exercise",
        run.exercise.as_str(),
        "--out",
        file.to_str().unwrap_or_default(),
    ])?;
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let verify = |path: &std::path::Path| muster(&["verify", "--file", path.to_str().unwrap_or_default()]);
    let intact = verify(&file)?;
    assert!(intact.status.success(), "{}", String::from_utf8_lossy(&intact.stderr));
    assert!(String::from_utf8_lossy(&intact.stdout).contains("events verified"));
    let from_stream = muster(&["verify", "--nats", &nats.url, "--exercise", run.exercise.as_str()])?;
    assert!(from_stream.status.success(), "{}", String::from_utf8_lossy(&from_stream.stderr));

    // Belarus's first non-concurrence, turned into a concurrence after the fact.
    let mut events = Vec::new();
    let mut rest = std::fs::read(&file)?;
    let mut bytes = rest.as_slice();
    while !bytes.is_empty() {
        events.push(<wire::Envelope as prost::Message>::decode_length_delimited(&mut bytes)?);
    }
    let tampered = events
        .iter()
        .position(|e| matches!(&e.payload, Some(wire::envelope::Payload::Position(p)) if p.kind() == wire::PositionKind::NonConcur))
        .expect("a non-concurrence in the default exercise");
    if let Some(wire::envelope::Payload::Position(p)) = &mut events[tampered].payload {
        p.kind = wire::PositionKind::Concur as i32;
        p.reasons.clear();
    }
    rest.clear();
    for e in &events {
        prost::Message::encode_length_delimited(e, &mut rest)?;
    }
    let changed = dir.path().join("tampered.bin");
    std::fs::write(&changed, rest)?;
    let caught = verify(&changed)?;
    let stderr = String::from_utf8_lossy(&caught.stderr);
    assert!(!caught.status.success(), "a tampered record must fail");
    assert!(stderr.contains(&format!("event {} (position from control_point/BY", tampered + 1)), "{stderr}");
    Ok(())
}
