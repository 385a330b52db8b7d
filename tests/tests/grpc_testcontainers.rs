//! National nodes over gRPC: real gateways on loopback ports with mutual TLS, real NATS in a
//! container, national nodes as clients; links cut and moved through a TCP proxy.

use std::collections::BTreeMap;

use anyhow::Context as _;
use std::time::Duration;

use bus::Verdict;
use bus::{Payload, Role};
use coordinator::Mode;
use futures::StreamExt;
use proto::v1::{self as wire, national_node_service_client::NationalNodeServiceClient};
use scenario::Sketch;
use tests::{
    Gateway, GrpcLink, Nats, Probe, Proxy, Run, certificates, eventually, run_exercise, start_coordinator,
    start_exercise, within,
};
use tonic::Code;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

const LIMIT: Duration = Duration::from_secs(60);

fn outcomes(report: &observer::Report) -> BTreeMap<String, (String, usize)> {
    report.stages.iter().flat_map(|s| &s.slots).map(|s| (s.id.clone(), (s.outcome.clone(), s.versions.len()))).collect()
}

#[tokio::test]
async fn the_default_exercise_with_states_over_grpc_has_the_same_outcomes() -> anyhow::Result<()> {
    let (all, mut run) = (Run::default_fast("all-nats")?, Run::default_fast("with-grpc")?);
    let nats = Nats::start(&[&all, &run]).await?;
    let all_nats = run_exercise(&nats, &all, LIMIT).await?;

    let bundle = certificates(&run.scenario)?;
    let gateway = Gateway::start(&nats, &bundle).await?;
    run.grpc = Some(GrpcLink { endpoint: gateway.endpoint(), bundle, processed: None });
    let over_grpc: Vec<&str> =
        run.scenario.states().filter(|p| p.transport == scenario::Transport::Grpc).map(|p| p.node.as_str()).collect();
    assert_eq!(over_grpc, ["BY", "KG"], "the default scenario runs two states over gRPC");
    let with_grpc = run_exercise(&nats, &run, LIMIT).await?;

    assert!(with_grpc.totals.concluded);
    assert_eq!(outcomes(&with_grpc), outcomes(&all_nats));
    assert_eq!(with_grpc.absent, all_nats.absent);
    let receipts = |r: &observer::Report| {
        let mut v: Vec<String> = r.receipts.iter().map(|a| a.node.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(receipts(&with_grpc), receipts(&all_nats));
    let by_positions = with_grpc
        .stages
        .iter()
        .flat_map(|s| &s.slots)
        .filter(|s| s.versions.iter().any(|v| v.positions.contains_key("BY")))
        .count();
    let drafted = tests::expect::of(&run.scenario).slots().values().filter(|s| s.versions > 0).count();
    assert_eq!(by_positions, drafted, "Belarus answered every draft over gRPC");
    Ok(())
}

/// BY over gRPC, RU on the bus; one stage of three slots; `before` more states listed before BY
/// (none: the LINK scenario).
fn link(before: usize) -> Sketch {
    let mut sketch = Sketch::new("link").deadlines("1h", "2h", "30h").participant("joint_staff", "js", &[]);
    for i in 0..before {
        sketch = sketch.state(&format!("S{i:04}"), &["mandatory = false"]);
    }
    sketch
        .state("BY", &["transport = \"grpc\""])
        .state("RU", &[])
        .stage("24h", &[("x1", "joint_staff"), ("x2", "joint_staff"), ("x3", "joint_staff")])
}

/// Runs the LINK scenario with BY behind `proxy`; `disturb` acts on the link once stage 1 is open
/// and RU has answered every draft. Returns the report and the sequences BY processed.
/// The LINK exercise of a test, before its link is known.
fn link_run(test: &str) -> anyhow::Result<Run> {
    Ok(Run {
        grpc: None,
        exercise: tests::exercise(test),
        scenario: link(0).build()?,
        mode: Mode::Fast,
        time_scale: 3600.0,
    })
}

async fn run_with_link(
    nats: &Nats,
    run: Run,
    proxy: &Proxy,
    bundle: identity::certs::Bundle,
    disturb: impl AsyncFnOnce(&Proxy, &Probe) -> anyhow::Result<()>,
) -> anyhow::Result<(observer::Report, Vec<u64>)> {
    // Fast mode: the stage cannot close before BY has answered (its deadline is 24 s away).
    let (processed, mut sequences) = tokio::sync::mpsc::unbounded_channel();
    let run = Run { grpc: Some(GrpcLink { endpoint: proxy.endpoint(), bundle, processed: Some(processed) }), ..run };
    let mut running = start_exercise(nats, &run)?;
    let probe = Probe::connect(nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(20)).await?;
    proxy.cut();
    eventually(Duration::from_secs(20), "RU's positions on all three drafts", async || {
        let log = probe.log().await?;
        let ru = log.iter().filter(|e| e.sender.node.as_str() == "RU" && e.kind() == "position").count();
        Ok((ru == 3).then_some(()))
    })
    .await?;
    let before = probe.log().await?;
    assert!(
        !before.iter().any(|e| e.sender.node.as_str() == "BY" && e.kind() == "position"),
        "BY was cut off before it answered"
    );
    disturb(proxy, &probe).await?;
    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.participants_done(Duration::from_secs(10)).await?;
    running.stop().await;
    let mut seen = Vec::new();
    while let Ok(s) = sequences.try_recv() {
        seen.push(s);
    }
    Ok((report, seen))
}

fn assert_exactly_once_in_order(seen: &[u64]) {
    let expected: Vec<u64> = (1..=seen.len() as u64).collect();
    assert_eq!(seen, expected, "every event once, in order, from the first");
}

#[tokio::test]
async fn a_node_cut_off_mid_stage_misses_nothing_and_its_late_positions_count() -> anyhow::Result<()> {
    let run = link_run("cut")?;
    let nats = Nats::start(&[&run]).await?;
    let bundle = certificates(&run.scenario)?;
    let gateway = Gateway::start(&nats, &bundle).await?;
    let proxy = Proxy::start(gateway.addr).await?;
    let (report, seen) = run_with_link(&nats, run, &proxy, bundle, async |proxy, _| {
        proxy.restore();
        Ok(())
    })
    .await?;
    assert!(report.totals.concluded);
    assert_exactly_once_in_order(&seen);
    assert!(seen.len() as u64 >= report.events, "BY saw {} events, the log has {}", seen.len(), report.events);
    for slot in &report.stages[0].slots {
        assert_eq!(slot.versions[0].positions["BY"].kind, "concur", "BY's late position on {} was accepted", slot.id);
        assert_eq!(slot.outcome, "adopted");
    }
    Ok(())
}

#[tokio::test]
async fn a_node_moved_to_another_gateway_replica_resumes_without_a_gap() -> anyhow::Result<()> {
    let run = link_run("replica")?;
    let nats = Nats::start(&[&run]).await?;
    let bundle = certificates(&run.scenario)?;
    let (a, b) = (Gateway::start(&nats, &bundle).await?, Gateway::start(&nats, &bundle).await?);
    let proxy = Proxy::start(a.addr).await?;
    let b_addr = b.addr;
    let (report, seen) = run_with_link(&nats, run, &proxy, bundle, async move |proxy, _| {
        proxy.switch(b_addr);
        proxy.restore();
        Ok(())
    })
    .await?;
    drop(a);
    assert!(report.totals.concluded);
    assert_exactly_once_in_order(&seen);
    assert!(
        report.stages[0].slots.iter().all(|s| s.versions[0].positions.contains_key("BY") && s.outcome == "adopted")
    );
    Ok(())
}

async fn client(
    gateway: &Gateway,
    bundle: &identity::certs::Bundle,
    node: &str,
) -> anyhow::Result<NationalNodeServiceClient<Channel>> {
    let pem = &bundle.nodes[&bus::NodeId::new(node)?];
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&bundle.ca))
        .identity(Identity::from_pem(&pem.cert, &pem.key))
        .domain_name("localhost");
    let channel = Endpoint::from_shared(gateway.endpoint())?.tls_config(tls)?.connect().await?;
    Ok(NationalNodeServiceClient::new(channel))
}

/// A header for `node`'s submission of `payload`, signed with `node`'s key as a national node signs.
fn header(keys: &tests::Identities, exercise: &str, node: &str, payload: Payload) -> Option<wire::SubmissionHeader> {
    let mut header = wire::SubmissionHeader {
        exercise_id: exercise.into(),
        message_id: bus::MessageId::generate().to_string(),
        node_id: node.into(),
        ..Default::default()
    };
    let (Ok(ex), Ok(id), Ok(n)) =
        (bus::ExerciseId::new(exercise), bus::MessageId::new(header.message_id.as_str()), bus::NodeId::new(node))
    else {
        return Some(header);
    };
    let mut envelope = bus::Envelope::new(ex, bus::Sender::new(Role::ControlPoint, n), payload);
    envelope.message_id = id;
    if let Ok(key) = keys.key(node) {
        bus::seal::sign(&mut envelope, &key).expect("signed");
        header.signature = envelope.signature;
    }
    Some(header)
}

fn position(
    keys: &tests::Identities,
    exercise: &str,
    node: &str,
    slot: &str,
    version: u32,
) -> wire::SubmitPositionRequest {
    let position = wire::Position {
        slot_id: slot.into(),
        draft_version: version,
        kind: wire::PositionKind::Concur as i32,
        reasons: vec![],
    };
    wire::SubmitPositionRequest {
        header: header(keys, exercise, node, Payload::Position(position.clone())),
        position: Some(position),
    }
}

fn assert_status<T: std::fmt::Debug>(result: Result<T, tonic::Status>, code: Code, mentions: &str) {
    let status = result.expect_err("the request must be refused");
    assert_eq!(status.code(), code, "{}", status.message());
    assert!(status.message().contains(mentions), "{:?} should mention {mentions:?}", status.message());
}

#[tokio::test]
async fn identity_and_validation_are_enforced_at_the_edge() -> anyhow::Result<()> {
    let run = Run { mode: Mode::Scaled, time_scale: 1.0, ..Run::default_fast("edge")? };
    let nats = Nats::start(&[&run]).await?;
    let bundle = certificates(&run.scenario)?;
    let gateway = Gateway::start(&nats, &bundle).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("phase_changed", Duration::from_secs(10)).await?;
    let ex = run.exercise.as_str();

    // No client certificate: the handshake fails and nothing is served.
    let anonymous = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&bundle.ca)).domain_name("localhost");
    let refused = async {
        let channel = Endpoint::from_shared(gateway.endpoint())?.tls_config(anonymous)?.connect().await?;
        NationalNodeServiceClient::new(channel)
            .get_exercise_status(wire::GetExerciseStatusRequest { exercise_id: ex.into() })
            .await?;
        anyhow::Ok(())
    };
    assert!(refused.await.is_err(), "a client without a certificate must not be served");

    let mut by = client(&gateway, &bundle, "BY").await?;
    let keys = &nats.identities;
    let report = |node: &str| {
        let report = wire::AssemblyReport { remarks: "ready".into() };
        wire::SubmitAssemblyReportRequest {
            header: header(keys, ex, node, Payload::AssemblyReport(report.clone())),
            report: Some(report),
        }
    };
    assert_status(by.submit_assembly_report(report("KZ")).await, Code::PermissionDenied, "may not act for KZ");
    assert_status(
        by.submit_position(wire::SubmitPositionRequest { header: None, position: None }).await,
        Code::InvalidArgument,
        "header",
    );
    assert_status(by.submit_position(position(keys, ex, "BY", "", 1)).await, Code::InvalidArgument, "position.slot_id");
    assert_status(
        by.submit_position(position(keys, "no-such-exercise", "BY", "s1-01", 1)).await,
        Code::NotFound,
        "no-such-exercise",
    );
    assert_status(
        by.submit_position(position(keys, ex, "BY", "s1-01", 1)).await,
        Code::FailedPrecondition,
        "not accepted in assembly",
    );
    let huge = wire::SubmitPositionRequest {
        position: Some(wire::Position {
            reasons: vec!["x".repeat(300 * 1024)],
            ..position(keys, ex, "BY", "s1-01", 1).position.expect("set")
        }),
        ..position(keys, ex, "BY", "s1-01", 1)
    };
    let too_big = by.submit_position(huge).await.expect_err("oversized");
    assert!(matches!(too_big.code(), Code::OutOfRange | Code::ResourceExhausted), "{too_big:?}");
    let log_after_refusals = probe.log_len().await?;

    // The gateway keeps serving: a good report goes through, and is on the log.
    let receipt = by.submit_assembly_report(report("BY")).await?.into_inner().receipt.expect("receipt");
    assert!(!receipt.duplicate);
    assert_eq!(probe.log_len().await?, log_after_refusals + 1, "only the valid submission reached the log");

    // Into stage 1; a draft in two versions.
    for (role, node) in [(Role::JointStaff, "joint-staff")] {
        let e = probe.envelope(role, node, Payload::AssemblyReport(wire::AssemblyReport::default()))?;
        assert!(matches!(probe.submit(&e).await?, Ok(Verdict::Accepted { .. })));
    }
    for _ in 0..2 {
        let advance = probe.envelope(
            Role::Coordinator,
            "director",
            Payload::AdvanceExercise(wire::AdvanceExercise::default()),
        )?;
        assert!(matches!(probe.submit(&advance).await?, Ok(Verdict::Accepted { .. })));
    }
    let draft = |version| wire::DraftDecision {
        slot_id: "s1-01".into(),
        version,
        drafting_body: wire::DraftingBody::JointStaff as i32,
        category: wire::DraftCategory::TroopComponents as i32,
        title: "On the formation of the CRRF grouping".into(),
        text: "The Council decides".into(),
    };
    let first = probe.envelope(Role::JointStaff, "joint-staff", Payload::DraftDecision(draft(1)))?;
    assert!(matches!(probe.submit(&first).await?, Ok(Verdict::Accepted { .. })));
    let second = probe.envelope(
        Role::JointStaff,
        "joint-staff",
        Payload::DraftRevised(wire::DraftRevised {
            draft: Some(draft(2)),
            change_summary: "amended".into(),
            ..Default::default()
        }),
    )?;
    assert!(matches!(probe.submit(&second).await?, Ok(Verdict::Accepted { .. })));

    assert_status(by.submit_position(position(keys, ex, "BY", "s9-99", 1)).await, Code::NotFound, "s9-99");
    let stale = by.submit_position(position(keys, ex, "BY", "s1-01", 1)).await.expect_err("stale");
    assert_status(Err::<(), _>(stale.clone()), Code::FailedPrecondition, "not current");
    // Beside the English, the reason as a message: the node says it in its people's language.
    let reason = stale.metadata().get_bin(proto::status::REASON_KEY).context("the reason as a message")?;
    let reason = <wire::Reason as prost::Message>::decode(reason.to_bytes()?.as_ref())?;
    let said = bus::reason::from_wire(&reason).context("a reason this node knows")?;
    let ru = words::Lang::parse("ru").context("Russian")?;
    assert_eq!(said.say(ru), "редакция 1 проекта s1-01 уже не текущая; текущая — 2");
    by.submit_position(position(keys, ex, "BY", "s1-01", 2)).await?;

    let draft =
        by.get_draft(wire::GetDraftRequest { exercise_id: ex.into(), slot_id: "s1-01".into() }).await?.into_inner();
    assert_eq!(draft.versions.len(), 2);
    assert!(draft.versions[1].positions.contains_key("BY") && draft.versions[0].positions.is_empty());
    assert_status(
        by.get_draft(wire::GetDraftRequest { exercise_id: ex.into(), slot_id: "s9-99".into() }).await,
        Code::NotFound,
        "s9-99",
    );
    assert_status(
        by.get_package(wire::GetPackageRequest { exercise_id: ex.into() }).await,
        Code::FailedPrecondition,
        "not been communicated",
    );
    let status = by.get_exercise_status(wire::GetExerciseStatusRequest { exercise_id: ex.into() }).await?.into_inner();
    let phase = status.phase.expect("phase");
    assert_eq!((phase.phase(), phase.stage_number), (wire::Phase::Stage, 1));
    // Only BY reported at assembly, and it answered s1-01: what is awaited is a draft of every
    // other slot of stage 1, each from the body that owns it.
    let drafter = |slot: &scenario::Slot| {
        run.scenario.participants.iter().find(|p| p.role == slot.owner.role()).map(|p| p.node.to_string())
    };
    let expected: std::collections::BTreeSet<_> = run.scenario.stages[0]
        .slots
        .iter()
        .filter(|s| s.id != "s1-01")
        .map(|s| (drafter(s), wire::AwaitedTaskKind::Draft, s.id.clone(), 0))
        .collect();
    let awaited: Vec<_> = status
        .awaited_tasks
        .iter()
        .map(|t| (Some(t.node_id.clone()), t.kind(), t.slot_id.clone(), t.draft_version))
        .collect();
    assert_eq!(awaited.iter().cloned().collect::<std::collections::BTreeSet<_>>(), expected);
    assert_eq!(awaited.len(), expected.len(), "each once: {awaited:?}");
    #[allow(deprecated)]
    let text = status.awaited;
    assert_eq!(text.len(), awaited.len(), "the deprecated text form lists the same: {text:?}");
    assert_eq!(status.last_sequence, probe.log_len().await?);

    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}

#[tokio::test]
async fn health_and_reflection_answer_a_standard_grpc_client() -> anyhow::Result<()> {
    use tonic_health::pb::{HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient};
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let nats = Nats::start(&[]).await?;
    let bundle = certificates(&tests::default_scenario()?)?;
    let gateway = Gateway::start(&nats, &bundle).await?;
    let probe_channel = Endpoint::from_shared(format!("http://{}", gateway.probe))?.connect().await?;
    let tls_channel = client(&gateway, &bundle, "BY").await?;
    drop(tls_channel);
    let pem = &bundle.nodes[&bus::NodeId::new("BY")?];
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&bundle.ca))
        .identity(Identity::from_pem(&pem.cert, &pem.key))
        .domain_name("localhost");
    let secured = Endpoint::from_shared(gateway.endpoint())?.tls_config(tls)?.connect().await?;

    for channel in [probe_channel, secured] {
        let mut health = HealthClient::new(channel.clone());
        for service in ["", "muster.v1.NationalNodeService"] {
            let answer = health.check(HealthCheckRequest { service: service.into() }).await?.into_inner();
            assert_eq!(answer.status(), ServingStatus::Serving, "health of {service:?}");
        }
        let mut reflection = ServerReflectionClient::new(channel.clone());
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut answers = reflection.server_reflection_info(futures::stream::iter([request])).await?.into_inner();
        let Some(MessageResponse::ListServicesResponse(list)) =
            answers.next().await.expect("an answer")?.message_response
        else {
            panic!("reflection did not list services");
        };
        let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
        assert!(names.contains(&"muster.v1.NationalNodeService".to_string()), "{names:?}");
        assert!(names.contains(&"grpc.health.v1.Health".to_string()), "{names:?}");

        // Older tools (grpcurl before 1.8.8, evans, Postman, grpcio-reflection) speak v1alpha only.
        use tonic_reflection::pb::v1alpha as alpha;
        let mut older = alpha::server_reflection_client::ServerReflectionClient::new(channel.clone());
        let request = alpha::ServerReflectionRequest {
            host: String::new(),
            message_request: Some(alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                "muster.v1.NationalNodeService".into(),
            )),
        };
        let mut answers = older.server_reflection_info(futures::stream::iter([request])).await?.into_inner();
        let answer = answers.next().await.expect("an answer")?.message_response;
        let Some(alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(files)) = answer else {
            panic!("v1alpha reflection did not describe the service: {answer:?}");
        };
        assert!(!files.file_descriptor_proto.is_empty(), "the service's file descriptors");
    }
    Ok(())
}

#[tokio::test]
async fn a_certificate_outside_the_exercise_gets_nothing_of_it() -> anyhow::Result<()> {
    let run = Run { mode: Mode::Scaled, time_scale: 1.0, ..Run::default_fast("outsider")? };
    let nats = Nats::start(&[&run]).await?;
    // A valid certificate of the same CA, for a state that is not in the exercise.
    let mut senders: Vec<bus::Sender> =
        run.scenario.participants.iter().map(|p| bus::Sender::new(p.role, p.node.clone())).collect();
    senders.push(bus::Sender::new(Role::ControlPoint, bus::NodeId::new("XX")?));
    let bundle = identity::certs::generate(&senders)?;
    let gateway = Gateway::start(&nats, &bundle).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(10)).await?;

    let ex = run.exercise.as_str();
    let mut xx = client(&gateway, &bundle, "XX").await?;
    let stream = xx.stream_events(wire::StreamEventsRequest { exercise_id: ex.into(), from_sequence: 1 }).await;
    assert_status(stream, Code::PermissionDenied, "is not a participant");
    let status = xx.get_exercise_status(wire::GetExerciseStatusRequest { exercise_id: ex.into() }).await;
    assert_status(status, Code::PermissionDenied, "is not a participant");
    let mut by = client(&gateway, &bundle, "BY").await?;
    let allowed = by.get_exercise_status(wire::GetExerciseStatusRequest { exercise_id: ex.into() }).await?;
    assert!(allowed.into_inner().phase.is_some(), "a national node is served");
    // Certificates of the same CA that are not national nodes': a state on the bus, an observer.
    for node in ["RU", "pa-secretariat"] {
        let mut other = client(&gateway, &bundle, node).await?;
        let status = other.get_exercise_status(wire::GetExerciseStatusRequest { exercise_id: ex.into() }).await;
        assert_status(status, Code::PermissionDenied, "over gRPC");
        let header = header(&nats.identities, ex, node, Payload::AssemblyReport(wire::AssemblyReport::default()));
        let began = std::time::Instant::now();
        let report = wire::SubmitAssemblyReportRequest { header, report: Some(wire::AssemblyReport::default()) };
        let refused = other.submit_assembly_report(report).await;
        assert!(
            refused.as_ref().is_err_and(|s| s.code() == Code::PermissionDenied),
            "{node}: refused at the edge: {refused:?}"
        );
        assert!(began.elapsed() < Duration::from_secs(1), "{node}: at once, not after a timeout");
    }
    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}

#[tokio::test]
async fn a_node_listed_after_the_notification_is_served_and_its_stream_holds_the_whole_list() -> anyhow::Result<()> {
    let states = 2500;
    // Too many participants for the notification: the rest are listed after it.
    let run = Run { scenario: link(states).build()?, ..link_run("crowded")? };
    let nats = Nats::start(&[&run]).await?;
    // Certificates for the gateway and BY alone: the only node that speaks here.
    let bundle = identity::certs::generate(&[bus::Sender::new(Role::ControlPoint, bus::NodeId::new("BY")?)])?;
    let gateway = Gateway::start(&nats, &bundle).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("phase_changed", Duration::from_secs(20)).await?;
    let ex = run.exercise.as_str();

    let mut by = client(&gateway, &bundle, "BY").await?;
    let mut stream =
        by.stream_events(wire::StreamEventsRequest { exercise_id: ex.into(), from_sequence: 1 }).await?.into_inner();
    let mut record = record::Record::reading(Some(nats.identities.public_key("coordinator")?));
    let mut kinds = Vec::new();
    while record.phase.phase != record::Phase::Assembly {
        let event =
            within(Duration::from_secs(10), "the next event", stream.next()).await?.context("stream ended")??;
        let envelope = bus::Envelope::try_from(event.envelope.context("an envelope")?)?;
        kinds.push(envelope.kind());
        record.accept(event.sequence, envelope)?;
    }
    let lists = kinds.iter().filter(|k| **k == "participants_listed").count();
    assert!(lists >= 1, "{kinds:?}");
    assert_eq!(kinds.len(), lists + 2, "notification, lists, assembly open: {kinds:?}");
    let plan = record.plan.context("a plan")?;
    assert!(plan.is_whole());
    assert_eq!(plan.participants.len(), run.scenario.participants.len());
    assert!(plan.participant(&bus::NodeId::new("BY")?).is_some());

    let report = wire::AssemblyReport { remarks: "ready".into() };
    let request = wire::SubmitAssemblyReportRequest {
        header: header(&nats.identities, ex, "BY", Payload::AssemblyReport(report.clone())),
        report: Some(report),
    };
    by.submit_assembly_report(request).await?;
    let recorded = probe.log().await?;
    assert!(recorded.iter().any(|e| e.sender.node.as_str() == "BY" && e.kind() == "assembly_report"), "BY's report");
    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}
