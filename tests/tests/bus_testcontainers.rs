//! The bus layer against a real NATS (testcontainers): round trips, de-duplication, refusal of
//! malformed envelopes, idempotent provisioning, fencing and durable consumers.

use std::time::Duration;

use bus::envelope::Payload;
use bus::{BusError, Envelope, EnvelopeError, NodeId, Provisioned, Role, Sender, StreamSettings};
use futures::StreamExt;
use proto::v1 as wire;
use tests::{Nats, exercise, provisioned, within};

const WAIT: Duration = Duration::from_secs(10);

fn sender(role: Role, node: &str) -> Sender {
    Sender::new(role, NodeId::new(node).expect("valid node id"))
}

fn draft(version: u32) -> wire::DraftDecision {
    wire::DraftDecision {
        slot_id: "s1-01".into(),
        version,
        drafting_body: wire::DraftingBody::JointStaff.into(),
        category: wire::DraftCategory::TroopComponents.into(),
        title: "On the formation of the CRRF grouping".into(),
        text: "The Collective Security Council decides ...".into(),
    }
}

/// One payload of every kind the contract has, with its fields filled.
fn every_payload() -> Vec<Payload> {
    let outcome = wire::ConsiderationOutcome {
        slot_id: "s1-01".into(),
        considered_version: 2,
        outcome: wire::Outcome::Adopted.into(),
        concurring: vec!["BY".into(), "RU".into()],
        objecting: vec![],
        abstaining: vec!["KG".into()],
        silent: vec![],
        reason: "consensus of the states present".into(),
    };
    let package = wire::PackageCommunicated {
        package_id: "pkg-1".into(),
        items: vec![wire::PackageItem {
            stage_number: 1,
            draft: Some(draft(2)),
            outcome: wire::Outcome::Adopted.into(),
        }],
        digest: "ab12".into(),
    };
    vec![
        Payload::Notification(wire::Notification {
            scenario_title: "CST 2025".into(),
            participants: vec![wire::Participant {
                identity: Some(wire::Sender { role: wire::Role::ControlPoint.into(), node_id: "BY".into() }),
                mandatory: true,
                display_name: "Republic of Belarus".into(),
                played_by: wire::PlayedBy::Person.into(),
                remote: true,
                ..Default::default()
            }],
            assembly_deadline: Some(prost_types::Duration { seconds: 3 * 3600, nanos: 0 }),
            starts: "2025-03-17 09:00 MSK".into(),
            time_scale: 1440.0,
            decision_rule: wire::DecisionRule::Silence.into(),
            stages: vec![wire::StagePlan {
                stage_number: 1,
                title: "Eastern European region".into(),
                ..Default::default()
            }],
            ..Default::default()
        }),
        Payload::AssemblyReport(wire::AssemblyReport { remarks: "operational group assembled".into() }),
        Payload::DeploymentOrdered(wire::DeploymentOrdered { comms_check_token: "tok".into(), deadline: None }),
        Payload::ControlPointActivation(wire::ControlPointActivation {
            comms_check_token: "tok".into(),
            remarks: "ok".into(),
        }),
        Payload::StageOpened(wire::StageOpened {
            stage_number: 1,
            title: "Eastern European region".into(),
            region: "EE".into(),
            situation: "tension".into(),
            tasks: vec!["assess".into()],
            slots: vec![wire::Slot {
                slot_id: "s1-01".into(),
                title: "formation".into(),
                owner: wire::DraftingBody::JointStaff.into(),
                category: wire::DraftCategory::TroopComponents.into(),
                title_in: vec![wire::Translation { language: "ru".into(), text: "о формировании".into() }],
            }],
            closes_at: None,
            ..Default::default()
        }),
        Payload::SituationAssessment(wire::SituationAssessment { stage_number: 1, summary: "stable".into() }),
        Payload::DraftDecision(draft(1)),
        Payload::Position(wire::Position {
            slot_id: "s1-01".into(),
            draft_version: 1,
            kind: wire::PositionKind::NonConcur.into(),
            reasons: vec!["air component too small".into()],
        }),
        Payload::DraftRevised(wire::DraftRevised {
            draft: Some(draft(2)),
            change_summary: "air component doubled".into(),
            dispositions: vec![wire::Disposition {
                comment_id: "s1-01-v1-BY-1".into(),
                kind: wire::DispositionKind::Accepted as i32,
                reason: "doubled".into(),
            }],
        }),
        Payload::StageConcluded(wire::StageConcluded { stage_number: 1, outcomes: vec![outcome] }),
        Payload::PackageCommunicated(package),
        Payload::ReceiptConfirmed(wire::ReceiptConfirmed { package_id: "pkg-1".into(), digest: "ab12".into() }),
        Payload::ExerciseConcluded(wire::ExerciseConcluded {
            absent: vec!["AM".into()],
            adopted: 30,
            returned: 0,
            receipts: vec!["BY".into()],
        }),
        Payload::PhaseChanged(wire::PhaseChanged { phase: wire::Phase::Stage.into(), stage_number: 2, paused: true }),
        Payload::PauseExercise(wire::PauseExercise { reason: "lunch".into(), ..Default::default() }),
        Payload::ResumeExercise(wire::ResumeExercise { reason: "back".into(), ..Default::default() }),
        Payload::AdvanceExercise(wire::AdvanceExercise { reason: "enough".into(), ..Default::default() }),
        Payload::Rejection(wire::Rejection {
            rejected_message_id: "m1".into(),
            code: wire::RejectionCode::StaleVersion.into(),
            reason: "version 1 is not current".into(),
            reason_message: Some(wire::Reason {
                id: "reason-stale-version".into(),
                args: vec![wire::ReasonArg { name: "version".into(), value: "1".into() }],
            }),
        }),
        Payload::Accepted(wire::Accepted {
            accepted_message_id: "m2".into(),
            duplicate: false,
            comms_check_token: "ab12".into(),
            receipt: Some(wire::Receipt {
                exercise_id: "roundtrip".into(),
                sender: Some(wire::Sender { role: wire::Role::ControlPoint.into(), node_id: "BY".into() }),
                message_id: "m2".into(),
                sequence: 7,
                event_hash: vec![1; 32],
                signature: vec![2; 64],
            }),
        }),
        Payload::AssemblyClosed(wire::AssemblyClosed { assembled: vec!["BY".into()], absent: vec!["AM".into()] }),
    ]
}

#[tokio::test]
async fn every_payload_type_round_trips_through_jetstream() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let ex = exercise("roundtrip");
    let bus = provisioned(&nats, &ex).await?;
    let coordinator = sender(Role::Coordinator, "control");
    let sent: Vec<Envelope> =
        every_payload().into_iter().map(|p| Envelope::new(ex.clone(), coordinator.clone(), p)).collect();
    assert_eq!(sent.len(), 20, "one envelope per payload kind of muster.v1");
    for envelope in &sent {
        let ack = bus.publish_event(envelope).await?;
        assert!(!ack.duplicate);
    }
    let mut events = bus.events_from(&ex, 1).await?;
    for (i, expected) in sent.iter().enumerate() {
        let delivery = within(WAIT, "an event", events.next()).await?.expect("stream open")?;
        assert_eq!(delivery.sequence, i as u64 + 1);
        assert_eq!(delivery.subject, format!("muster.{ex}.evt.{}", expected.kind()));
        assert_eq!(delivery.envelope.as_ref(), Ok(expected));
    }
    Ok(())
}

#[tokio::test]
async fn no_sender_can_shadow_another_senders_message_by_using_its_id_first() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let ex = exercise("dedup");
    let bus = provisioned(&nats, &ex).await?;
    let (by, kz) = (sender(Role::ControlPoint, "BY"), sender(Role::ControlPoint, "KZ"));
    let report =
        Envelope::new(ex.clone(), by, Payload::AssemblyReport(wire::AssemblyReport { remarks: "ready".into() }));
    // KZ, on its own subject, uses BY's id first, as a JetStream message id as well.
    let squat = Envelope { sender: kz.clone(), ..report.clone() };
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", report.message_id.as_str());
    let subject = bus::subject::submission(&ex, &kz, "assembly_report");
    let squatted = bus.jetstream().publish_with_headers(subject, headers, squat.encode(bus.limits())?).await?.await?;
    assert!(!squatted.duplicate);
    let first = bus.submit(&report).await?;
    assert!(!first.duplicate, "BY's submission is stored, whoever used its id before");
    let retry = bus.submit(&report).await?;
    assert!(!retry.duplicate && retry.sequence > first.sequence, "a retry is stored too: the coordinator knows it");
    let mut stream = bus.jetstream().get_stream(bus::subject::submissions_stream(&ex)).await?;
    assert_eq!(stream.info().await?.state.messages, 3);

    // In the log, which the coordinator alone writes, an event is known by its sender and id.
    let event = |sender: &bus::Sender| Envelope { sender: sender.clone(), ..report.clone() };
    assert!(!bus.publish_event(&event(&kz)).await?.duplicate);
    assert!(!bus.publish_event(&event(&report.sender)).await?.duplicate, "BY's event is not KZ's");
    assert!(bus.publish_event(&event(&report.sender)).await?.duplicate, "the same event written again is dropped");
    let mut log = bus.jetstream().get_stream(bus::subject::events_stream(&ex)).await?;
    assert_eq!(log.info().await?.state.messages, 2);
    Ok(())
}

#[tokio::test]
async fn a_malformed_envelope_is_refused_with_its_reason_and_the_reader_goes_on() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let ex = exercise("malformed");
    let other = exercise("other");
    let bus = provisioned(&nats, &ex).await?;
    let subject = bus::subject::event(&ex, "notification");
    bus.jetstream().publish(subject.clone(), vec![0xff, 0xff, 0x01].into()).await?.await?;
    let foreign = Envelope::new(
        other,
        sender(Role::Coordinator, "control"),
        Payload::PauseExercise(wire::PauseExercise::default()),
    );
    bus.jetstream().publish(subject, foreign.encode(bus.limits())?).await?.await?;
    let good = Envelope::new(
        ex.clone(),
        sender(Role::Coordinator, "control"),
        Payload::ResumeExercise(wire::ResumeExercise::default()),
    );
    bus.publish_event(&good).await?;

    let mut events = bus.events_from(&ex, 1).await?;
    let garbage = within(WAIT, "the garbage", events.next()).await?.expect("stream open")?;
    assert!(matches!(garbage.envelope, Err(EnvelopeError::Malformed(_))), "{:?}", garbage.envelope);
    let wrong = within(WAIT, "the foreign envelope", events.next()).await?.expect("stream open")?;
    assert!(matches!(wrong.envelope, Err(EnvelopeError::WrongExercise { .. })), "{:?}", wrong.envelope);
    assert_eq!(
        wrong.envelope.expect_err("refused").to_string(),
        format!("envelope is for exercise `{}`, expected `{ex}`", foreign.exercise)
    );
    let next = within(WAIT, "the good envelope", events.next()).await?.expect("stream open")?;
    assert_eq!(next.envelope, Ok(good));
    Ok(())
}

#[tokio::test]
async fn provisioning_twice_changes_nothing() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let ex = exercise("provision");
    let bus = nats.bus("provisioner").await?;
    let settings = StreamSettings::default();
    assert_eq!(bus.provision(&ex, &settings).await?, [Provisioned::Created, Provisioned::Created]);
    let event = Envelope::new(
        ex.clone(),
        sender(Role::Coordinator, "control"),
        Payload::PauseExercise(wire::PauseExercise::default()),
    );
    bus.publish_event(&event).await?;
    let mut stream = bus.jetstream().get_stream(bus::subject::events_stream(&ex)).await?;
    let before = stream.info().await?.clone();

    assert_eq!(bus.provision(&ex, &settings).await?, [Provisioned::Unchanged, Provisioned::Unchanged]);
    let after = stream.info().await?.clone();
    assert_eq!(after.config, before.config);
    assert_eq!(after.state.messages, 1, "provisioning must not touch what is stored");
    assert_eq!(after.created, before.created, "the stream must not be recreated");

    let longer = StreamSettings { duplicate_window: Duration::from_secs(20 * 60), ..settings };
    assert_eq!(bus.provision(&ex, &longer).await?, [Provisioned::Updated, Provisioned::Updated]);
    assert_eq!(stream.info().await?.state.messages, 1);
    Ok(())
}

#[tokio::test]
async fn a_fenced_publish_fails_once_another_writer_has_written() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let ex = exercise("fence");
    let bus = provisioned(&nats, &ex).await?;
    let control = sender(Role::Coordinator, "control");
    let event = |reason: &str| {
        Envelope::new(
            ex.clone(),
            control.clone(),
            Payload::PauseExercise(wire::PauseExercise { reason: reason.into(), ..Default::default() }),
        )
    };
    let first = bus.publish_event_fenced(&event("first"), 0).await?;
    assert_eq!(first.sequence, 1);
    bus.publish_event(&event("another writer")).await?;
    let stale = bus.publish_event_fenced(&event("stale writer"), first.sequence).await;
    assert!(matches!(stale, Err(BusError::Fenced { expected: 1 })), "{stale:?}");
    Ok(())
}

#[tokio::test]
async fn a_durable_reader_resumes_after_what_it_acknowledged() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let ex = exercise("durable");
    let bus = provisioned(&nats, &ex).await?;
    let kz = sender(Role::ControlPoint, "KZ");
    let reports: Vec<Envelope> = (0..3)
        .map(|i| {
            Envelope::new(
                ex.clone(),
                kz.clone(),
                Payload::AssemblyReport(wire::AssemblyReport { remarks: format!("r{i}") }),
            )
        })
        .collect();
    for r in &reports {
        bus.submit(r).await?;
    }
    {
        let mut reader = bus.submissions(&ex, "coordinator").await?;
        for expected in &reports[..2] {
            let received = within(WAIT, "a submission", reader.next()).await?.expect("stream open")?;
            assert_eq!(received.delivery.envelope.as_ref(), Ok(expected));
            received.ack().await?;
        }
    }
    // The dropped reader may have pulled the third one already; it comes again once unacknowledged
    // for bus::client::REDELIVERY_AFTER.
    let restarted = nats.bus("restarted").await?;
    let mut reader = restarted.submissions(&ex, "coordinator").await?;
    let received = within(WAIT, "the unacknowledged submission", reader.next()).await?.expect("stream open")?;
    assert_eq!(received.delivery.envelope.as_ref(), Ok(&reports[2]));
    Ok(())
}

#[tokio::test]
async fn two_exercises_on_one_server_do_not_see_each_other() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let (a, b) = (exercise("iso-a"), exercise("iso-b"));
    let bus = provisioned(&nats, &a).await?;
    bus.provision(&b, &StreamSettings::default()).await?;
    let control = sender(Role::Coordinator, "control");
    for ex in [&a, &b] {
        let e = Envelope::new(
            ex.clone(),
            control.clone(),
            Payload::PauseExercise(wire::PauseExercise { reason: ex.to_string(), ..Default::default() }),
        );
        bus.publish_event(&e).await?;
    }
    for ex in [&a, &b] {
        let mut stream = bus.jetstream().get_stream(bus::subject::events_stream(ex)).await?;
        assert_eq!(stream.info().await?.state.messages, 1);
        let mut events = bus.events_from(ex, 1).await?;
        let only = within(WAIT, "the exercise's event", events.next()).await?.expect("stream open")?;
        let Ok(Envelope { payload: Payload::PauseExercise(p), .. }) = only.envelope else { panic!("{only:?}") };
        assert_eq!(p.reason, ex.to_string());
    }
    Ok(())
}

#[tokio::test]
async fn a_log_larger_than_one_read_is_read_whole_in_order_with_what_is_left_after_each() -> anyhow::Result<()> {
    let nats = Nats::start(&[]).await?;
    let ex = exercise("large-log");
    let bus = provisioned(&nats, &ex).await?;
    // 40 events of 200 KiB: more bytes than one direct read returns.
    let count = 40u64;
    for n in 0..count {
        let mut e = Envelope::new(
            ex.clone(),
            sender(Role::Coordinator, "control"),
            Payload::PauseExercise(wire::PauseExercise { reason: "x".repeat(200 * 1024), ..Default::default() }),
        );
        e.message_id = bus::MessageId::new(format!("big-{n}"))?;
        bus.publish_event(&e).await?;
    }
    let log = bus.read_log(&ex).await?;
    assert_eq!(log.iter().map(|d| d.sequence).collect::<Vec<_>>(), (1..=count).collect::<Vec<_>>());
    assert_eq!(log.first().map(|d| d.pending), Some(count - 1), "the reader knows how far behind it is");
    assert_eq!(log.last().map(|d| d.pending), Some(0));
    Ok(())
}
