//! The operations port: every service, run as its own process, serves /healthz, /readyz and
//! Prometheus /metrics while an exercise runs: the coordinator counts submissions by outcome,
//! times event writes and says whether it leads; seats count what they submitted; the gateway
//! counts its streams and times its fan-out; every reader of the log says how far behind it is.

use std::net::SocketAddr;
use std::time::Duration;

use bus::{Payload, Role};
use proto::v1 as wire;
use tests::browser::{self, Response};
use tests::{Nats, Probe, Run, binary, eventually, free_addr, provision, start_seats};

async fn get(addr: SocketAddr, path: &str) -> anyhow::Result<Response> {
    browser::request(addr, "GET", path, &[], None).await
}

/// Polls `path` until its body satisfies `test`; the last body.
async fn until(addr: SocketAddr, path: &str, test: impl Fn(&Response) -> bool) -> anyhow::Result<Response> {
    eventually(Duration::from_secs(60), &format!("{path} to answer as expected"), async || {
        Ok(Some(get(addr, path).await?).filter(&test))
    })
    .await
}

/// The value of the first sample of `metric` whose line contains every one of `labels`.
fn sample(metrics: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| l.starts_with(metric) && labels.iter().all(|label| l.contains(label)))
        .find_map(|l| l.rsplit(' ').next()?.parse().ok())
}

/// Service `name` as its own process with `args`, its operations port on `ops`.
fn service(name: &str, args: &[String], ops: SocketAddr) -> anyhow::Result<tokio::process::Child> {
    tests::service(name, &[args, &["--ops".to_string(), ops.to_string()]].concat(), &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_service_serves_health_readiness_and_metrics_while_an_exercise_runs() -> anyhow::Result<()> {
    // At the scenario's own scale the exercise lasts minutes: long enough to look at it running.
    let run = Run { mode: coordinator::Mode::Scaled, time_scale: 1440.0, ..Run::default_fast("ops")? };
    let nats = Nats::start(&[&run]).await?;
    provision(&nats, &run).await?;
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/cst-2025.toml");
    let ids = nats.identities.dir().display().to_string();
    let nkey = |name: &str| nats.identities.seed_file(name).display().to_string();
    let on_bus = |name: &str| -> Vec<String> {
        let exercise = ["--exercise", run.exercise.as_str(), "--scenario", &scenario.display().to_string()];
        [vec!["--nats".into(), nats.url.clone(), "--nkey".into(), nkey(name)], exercise.map(String::from).to_vec()]
            .concat()
    };
    let addr = free_addr()?;
    let lease = ["--lease-ttl-ms".to_string(), tests::LEASE_TTL.as_millis().to_string()];
    let _coordinator = service("coordinator", &[on_bus("coordinator"), lease.to_vec()].concat(), addr)?;
    // RU as a control point on the bus, KG as a national node through a gateway; every other
    // participant in this process.
    let (ru, observer, console, gateway, kg) = (free_addr()?, free_addr()?, free_addr()?, free_addr()?, free_addr()?);
    let running = start_seats(&nats, &run, |p| !["RU", "KG"].contains(&p.node.as_str()))?;
    let _ru = service("control-point", &[on_bus("RU"), vec!["--node".into(), "RU".into()]].concat(), ru)?;
    let out = format!("{ids}/out");
    let observer_args =
        ["--nats", &nats.url, "--nkey", &nkey("observer"), "--exercise", run.exercise.as_str(), "--out", &out];
    let _observer = service("observer", &observer_args.map(String::from), observer)?;
    let console_args = vec!["--identities".into(), ids.clone(), "--listen".into(), "127.0.0.1:0".into()];
    let _console = service("console", &[on_bus("console"), console_args].concat(), console)?;
    nats.identities.bundle(&run.scenario)?;
    let (grpc, grpc_probe) = (free_addr()?, free_addr()?);
    let gateway_args = [
        vec!["--nats".into(), nats.url.clone(), "--nkey".into(), nkey("gateway"), "--certs".into(), ids.clone()],
        vec!["--listen".into(), grpc.to_string(), "--probe".into(), grpc_probe.to_string()],
    ];
    let _gateway = service("gateway", &gateway_args.concat(), gateway)?;
    let exercise =
        ["--exercise", run.exercise.as_str(), "--scenario", &scenario.display().to_string()].map(String::from);
    let kg_args = [
        vec!["--gateway".into(), format!("https://127.0.0.1:{}", grpc.port()), "--certs".into(), ids.clone()],
        vec!["--node".into(), "KG".into()],
        exercise.to_vec(),
    ];
    let _kg = service("national-node", &kg_args.concat(), kg)?;

    assert_eq!(until(addr, "/healthz", |r| r.status == 200).await?.body, "ok");
    until(addr, "/readyz", |r| r.status == 200).await?;
    // The image's health check: the same binary asks its own port.
    let probe = |addr: String| {
        std::process::Command::new(binary("coordinator")?)
            .arg("probe")
            .env("MUSTER_OPS_LISTEN", addr)
            .status()
            .map_err(anyhow::Error::from)
    };
    assert!(probe(addr.to_string())?.success(), "probe of a ready coordinator");
    assert!(!probe("127.0.0.1:1".into())?.success(), "probe of nothing");
    let leading = |r: &Response| sample(&r.body, "muster_coordinator_leader", &[]) == Some(1.0);
    until(addr, "/metrics", leading).await?;

    // A refused submission is counted under its code.
    let probe = Probe::connect(&nats, &run.exercise).await?;
    let unknown = Payload::Position(wire::Position {
        slot_id: "s9-99".into(),
        draft_version: 1,
        kind: wire::PositionKind::Concur as i32,
        reasons: vec![],
    });
    let refused = probe.submit(&probe.envelope(Role::ControlPoint, "KZ", unknown)?).await?;
    // A position on a slot no stage has: the wrong phase before stage 1 opens, an unknown slot after.
    let code = refused.err().and_then(|e| e.code());
    assert!(matches!(code, Some(wire::RejectionCode::WrongPhase | wire::RejectionCode::UnknownSlot)), "{code:?}");
    let counted = |r: &Response| {
        let accepted = sample(&r.body, "muster_submissions_total", &["outcome=\"ACCEPTED\""]).unwrap_or_default();
        let refused = sample(&r.body, "muster_submissions_total", &["REJECTION_CODE_"]).unwrap_or_default();
        accepted >= 5.0 && refused >= 1.0
    };
    let metrics = until(addr, "/metrics", counted).await?.body;
    assert!(sample(&metrics, "muster_event_write_seconds_count", &[]).is_some_and(|n| n >= 1.0), "{metrics}");
    assert_eq!(sample(&metrics, "muster_coordinator_terms_total", &[]), Some(1.0));

    assert!(metrics.contains("# TYPE muster_event_write_seconds histogram"), "event write latency: {metrics}");

    // Each seat: ready once it folds the log; what it submitted, by outcome; how far behind it reads.
    for (seat, reader) in [(ru, "muster-control_point-RU")] {
        until(seat, "/readyz", |r| r.status == 200).await?;
        let submitted = |r: &Response| {
            sample(&r.body, "muster_seat_submissions_total", &["outcome=\"accepted\""]).is_some_and(|n| n >= 1.0)
        };
        let metrics = until(seat, "/metrics", submitted).await?.body;
        assert!(sample(&metrics, "muster_seat_event_sequence", &[]).is_some_and(|n| n >= 1.0), "{metrics}");
        let lag = sample(&metrics, "muster_follower_lag_events", &[&format!("reader=\"{reader}\"")]);
        assert!(lag.is_some(), "{reader} says how far behind it reads: {metrics}");
    }
    // The national node over gRPC: its seat's own metrics.
    until(kg, "/readyz", |r| r.status == 200).await?;
    let accepted = |r: &Response| {
        sample(&r.body, "muster_seat_submissions_total", &["outcome=\"accepted\""]).is_some_and(|n| n >= 1.0)
    };
    until(kg, "/metrics", accepted).await?;
    // The gateway: the node's stream open, events fanned out to it.
    until(gateway, "/readyz", |r| r.status == 200).await?;
    let fanned = |r: &Response| {
        sample(&r.body, "muster_grpc_streams_open", &[]).is_some_and(|n| n >= 1.0)
            && sample(&r.body, "muster_fanout_seconds_count", &[]).is_some_and(|n| n >= 1.0)
    };
    let metrics = until(gateway, "/metrics", fanned).await?.body;
    assert!(metrics.contains("# TYPE muster_fanout_seconds histogram"), "{metrics}");
    // The readers of the log: the observer and the console say how far behind they are.
    for (reader, name) in [(observer, "muster-observer"), (console, "muster-console")] {
        until(reader, "/readyz", |r| r.status == 200).await?;
        let follows =
            |r: &Response| sample(&r.body, "muster_follower_lag_events", &[&format!("reader=\"{name}")]).is_some();
        until(reader, "/metrics", follows).await?;
    }

    running.stop().await;
    Ok(())
}
