//! Chaos on the shipped deployment: `deploy/compose.yaml` on the images `make images` builds (a
//! NATS cluster of three, two coordinators, two gateways, every seat, national nodes on their own
//! network). Each test does to the containers what machines and networks do — a leader's
//! container killed, a NATS node stopped, a national node cut off, a NATS node partitioned from
//! the others — and checks that the exercise ends with the record of an uninterrupted run: nothing
//! lost, nothing doubled. Each prints how long the exercise took to recover.
//!
//! `make chaos` builds the images and runs these (`make test` calls it); without the images they
//! say so and skip.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use bus::Bus;
use tests::compose::{Deployment, docker};
use tests::{Nats, Record, Run, Running, assert_no_duplicates, eventually, longest_silence, run_exercise};

/// How long an exercise of the deployment may take, disturbances included.
const LIMIT: Duration = Duration::from_secs(240);
/// How long a disturbance lasts.
const OUTAGE: Duration = Duration::from_secs(10);

/// The default scenario with every state present and mandatory, so the record depends on what the
/// participants said and not on when: windows close when everything expected is in.
fn scenario() -> anyhow::Result<String> {
    tests::all_present_scenario()
}

/// The record of the same scenario run without disturbance (in this process, on one NATS).
async fn undisturbed(test: &str) -> anyhow::Result<Record> {
    let run = Run {
        scenario: scenario::parse(&scenario()?, "cst-2025-all-present.toml")?,
        time_scale: 7200.0,
        ..Run::default_fast(test)?
    };
    let nats = Nats::start(&[&run]).await?;
    Ok(Record::of(&run_exercise(&nats, &run, Duration::from_secs(90)).await?))
}

/// Brings the deployment up and waits for the first stage to open: the moment to disturb it.
async fn deployed(test: &str) -> anyhow::Result<(Deployment, Bus)> {
    let deployment = Deployment::up(test, &scenario()?).await?;
    let admin = deployment.bus("admin").await?;
    if let Err(e) = deployment.wait_for(&admin, "stage_opened", Duration::from_secs(120)).await {
        anyhow::bail!("{e}\n{}", deployment.logs(&["coordinator-1", "coordinator-2", "provision"]));
    }
    Ok((deployment, admin))
}

/// Waits for the conclusion; checks the record against the undisturbed run's and that nothing
/// came twice; the log.
async fn concluded(deployment: &Deployment, admin: &Bus, test: &str) -> anyhow::Result<Vec<bus::Envelope>> {
    let log = match deployment.wait_for(admin, "exercise_concluded", LIMIT).await {
        Ok(log) => log,
        Err(e) => anyhow::bail!("{e}\n{}", deployment.logs(&["coordinator-1", "coordinator-2"])),
    };
    assert_no_duplicates(&log);
    assert_eq!(deployment.record(&log)?, undisturbed(test).await?, "the record differs from an undisturbed run's");
    Ok(log)
}

/// The NATS node (its service name) leading the exercise's log.
async fn log_leader(deployment: &Deployment, admin: &Bus) -> anyhow::Result<String> {
    tests::stream_leader(admin, &bus::subject::events_stream(&deployment.exercise)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leading_coordinators_container_killed() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-leader").await?;
    let leader = Running::lease_holder(&admin, &deployment.exercise).await?.context("no coordinator leads")?;
    docker(&["kill", &deployment.container(&leader)])?;
    let (killed, killed_at) = (Instant::now(), SystemTime::now());
    eventually(Duration::from_secs(30), "the standby to take the lease", async || {
        Ok(Running::lease_holder(&admin, &deployment.exercise).await?.filter(|holder| *holder != leader).map(drop))
    })
    .await?;
    println!("chaos: {leader}'s container killed; the standby leads {} ms later", killed.elapsed().as_millis());
    let log = concluded(&deployment, &admin, "chaos-leader-baseline").await?;
    println!(
        "chaos: recovery after the leader's loss: {} ms without a new event",
        longest_silence(&log, killed_at).as_millis()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nats_node_leading_the_log_stopped() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-nats-stop").await?;
    let node = log_leader(&deployment, &admin).await?;
    let stopped_at = SystemTime::now();
    deployment.compose(&["stop", &node])?;
    let log = concluded(&deployment, &admin, "chaos-nats-stop-baseline").await?;
    println!(
        "chaos: stall after {node} (leading the log) stopped: {} ms without a new event",
        longest_silence(&log, stopped_at).as_millis()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_national_node_cut_off_its_network_for_10_s() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-node-cut").await?;
    let (network, container) = (deployment.network("nodes"), deployment.container("national-node-kg"));
    docker(&["network", "disconnect", &network, &container])?;
    tokio::time::sleep(OUTAGE).await;
    docker(&["network", "connect", &network, &container])?;
    let back = SystemTime::now();
    let log = concluded(&deployment, &admin, "chaos-node-cut-baseline").await?;
    let first = log
        .iter()
        .filter(|e| e.message_id.as_str().starts_with("KG-"))
        .filter_map(|e| e.recorded_at)
        .find(|t| *t >= back)
        .context("nothing of KG's recorded after its network came back")?;
    println!(
        "chaos: KG cut off for {} s; its next submission recorded {} ms after its network came back",
        OUTAGE.as_secs(),
        first.duration_since(back).unwrap_or_default().as_millis()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nats_node_leading_the_log_partitioned_from_the_other_two() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-partition").await?;
    let node = log_leader(&deployment, &admin).await?;
    let (network, container) = (deployment.network("hq"), deployment.container(&node));
    let cut_at = SystemTime::now();
    docker(&["network", "disconnect", &network, &container])?;
    tokio::time::sleep(OUTAGE).await;
    docker(&["network", "connect", "--alias", &node, &network, &container])?;
    let log = concluded(&deployment, &admin, "chaos-partition-baseline").await?;
    println!(
        "chaos: {node} (leading the log) partitioned for {} s: {} ms without a new event",
        OUTAGE.as_secs(),
        longest_silence(&log, cut_at).as_millis()
    );
    Ok(())
}
