//! The operations port: a coordinator process serves /healthz, /readyz and Prometheus /metrics
//! while it runs an exercise, counting submissions by outcome, timing event writes and saying
//! whether it leads.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use bus::{Payload, Role};
use proto::v1 as wire;
use tests::browser::{self, Response};
use tests::{Nats, Probe, Run, binary, provision, start_participants, within};

async fn get(addr: SocketAddr, path: &str) -> anyhow::Result<Response> {
    browser::request(addr, "GET", path, &[], None).await
}

/// Polls `path` until its body satisfies `test`; the last body.
async fn until(addr: SocketAddr, path: &str, test: impl Fn(&Response) -> bool) -> anyhow::Result<Response> {
    within(Duration::from_secs(60), &format!("{path} to answer as expected"), async {
        loop {
            if let Ok(response) = get(addr, path).await
                && test(&response)
            {
                return response;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_coordinator_serves_health_readiness_and_metrics_while_it_runs() -> anyhow::Result<()> {
    // At the scenario's own scale the exercise lasts minutes: long enough to look at it running.
    let run = Run { mode: coordinator::Mode::Scaled, time_scale: 1440.0, ..Run::default_fast("ops")? };
    let nats = Nats::start(&[&run]).await?;
    provision(&nats, &run).await?;
    let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/cst-2025.toml");
    let mut coordinator = tokio::process::Command::new(binary("coordinator")?)
        .args(["--nats", &nats.url, "--exercise", run.exercise.as_str(), "--ops", &addr.to_string()])
        .args(["--lease-ttl-ms", &tests::LEASE_TTL.as_millis().to_string()])
        .arg("--nkey")
        .arg(nats.identities.seed_file("coordinator"))
        .arg("--scenario")
        .arg(&scenario)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let running = start_participants(&nats, &run)?;

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
    probe.submit(&probe.envelope(Role::ControlPoint, "KZ", unknown)?).await?;
    let counted = |r: &Response| {
        let accepted = sample(&r.body, "muster_submissions_total", &["outcome=\"ACCEPTED\""]).unwrap_or_default();
        let refused = sample(&r.body, "muster_submissions_total", &["REJECTION_CODE_"]).unwrap_or_default();
        accepted >= 5.0 && refused >= 1.0
    };
    let metrics = until(addr, "/metrics", counted).await?.body;
    assert!(metrics.contains("# TYPE muster_event_write_seconds summary"), "event write latency: {metrics}");
    assert!(sample(&metrics, "muster_event_write_seconds_count", &[]).is_some_and(|n| n >= 1.0), "{metrics}");
    assert_eq!(sample(&metrics, "muster_coordinator_terms_total", &[]), Some(1.0));

    running.stop().await;
    coordinator.start_kill()?;
    Ok(())
}
