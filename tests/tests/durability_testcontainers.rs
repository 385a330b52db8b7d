//! Nothing lost: the coordinator killed at random points, a leader replaced by its standby, a NATS
//! node lost from a three-node cluster, participants restarted — each exercise ends with the
//! record of an uninterrupted run. The tests print the failover and recovery times they measure.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bus::{Bus, NodeId};
use tests::{
    Nats, NatsCluster, Probe, Record, Run, Running, assert_no_duplicates, binary, eventually, run_exercise,
    start_exercise, start_participants, within,
};

const LIMIT: Duration = Duration::from_secs(90);
/// Coordinators killed (SIGKILL) in the kill test.
const KILLS: usize = 15;
/// Events between the coordinators' snapshots in the kill test.
const SNAPSHOT_EVERY: u64 = 10;

/// The default scenario in fast mode with every state present, so that no window waits for its
/// deadline: each closes when everything expected is in, and the record depends on nothing but
/// what the participants said. Windows are long (a stage lasts at least `min_window`) next to
/// the disturbances the tests cause.
fn durable_run(test: &str, time_scale: f64) -> anyhow::Result<Run> {
    Ok(Run {
        time_scale,
        scenario: scenario::parse(&tests::all_present_scenario()?, "cst-2025-all-present.toml")?,
        ..Run::default_fast(test)?
    })
}

/// Stage windows of 12 s wall.
const QUICK: f64 = 7200.0;
/// Stage windows of 60 s wall: room for a NATS node's loss and the cluster's elections.
const SLOW: f64 = 1440.0;

fn summary(label: &str, times: &mut [Duration]) {
    times.sort();
    let ms = |d: &Duration| d.as_millis();
    if let (Some(first), Some(last)) = (times.first(), times.last()) {
        println!(
            "{label}: {} samples, min {} ms, median {} ms, max {} ms",
            times.len(),
            ms(first),
            ms(&times[times.len() / 2]),
            ms(last)
        );
    }
}

/// A coordinator as its own process, its log in a file.
struct Process {
    child: tokio::process::Child,
    log: tempfile::NamedTempFile,
    instance: String,
}

impl Process {
    fn start(nats: &Nats, run: &Run, scenario: &std::path::Path, instance: &str) -> anyhow::Result<Process> {
        Process::serving(nats, &[run], scenario, instance)
    }

    /// A coordinator serving every exercise of `runs` (one scenario file for all).
    fn serving(nats: &Nats, runs: &[&Run], scenario: &std::path::Path, instance: &str) -> anyhow::Result<Process> {
        let log = tempfile::NamedTempFile::new()?;
        let exercises: Vec<&str> = runs.iter().map(|r| r.exercise.as_str()).collect();
        let time_scale = runs.first().context("an exercise to serve")?.time_scale;
        let child = tokio::process::Command::new(binary("coordinator")?)
            .args(["--nats", &nats.url, "--exercise", &exercises.join(","), "--fast", "--instance", instance])
            .arg("--nkey")
            .arg(nats.identities.seed_file("coordinator"))
            .args(["--time-scale", &time_scale.to_string(), "--lease-ttl-ms", "500"])
            // Snapshots every few events, so that most successors start from one.
            .args(["--snapshot-every", &SNAPSHOT_EVERY.to_string(), "--scenario"])
            .arg(scenario)
            .stdout(Stdio::null())
            .stderr(log.reopen()?)
            .kill_on_drop(true)
            .spawn()?;
        Ok(Process { child, log, instance: instance.into() })
    }

    fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let pid = self.child.id().ok_or_else(|| anyhow::anyhow!("process has exited"))?;
        let status = std::process::Command::new("kill").args([signal, &pid.to_string()]).status()?;
        anyhow::ensure!(status.success(), "kill {signal} {pid} failed");
        Ok(())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

/// Whether a coordinator's log says it started from a snapshot (1) or not (0); an error if it
/// passed one over or could not write one, which nothing in these tests should cause.
fn started_from_snapshot(log: &str) -> anyhow::Result<usize> {
    for trouble in ["snapshot passed over", "snapshot not written"] {
        anyhow::ensure!(!log.contains(trouble), "a coordinator logged '{trouble}':\n{log}");
    }
    Ok(usize::from(log.contains("starting from the snapshot")))
}

/// The exercise's last snapshot, read as a new leader would, is the record a reader folds from the
/// log's events up to the one it claims to follow.
async fn assert_snapshot_is_the_logs(nats: &Nats, run: &Run, log: &[bus::Envelope]) -> anyhow::Result<()> {
    let bus = nats.bus_as("coordinator").await?;
    let key = nats.identities.public_key("coordinator")?;
    let snapshot = coordinator::snapshot::load(&bus, &run.exercise, &key).await?.context("a snapshot")?;
    let upto = usize::try_from(snapshot.sequence)?;
    anyhow::ensure!(
        upto >= usize::try_from(SNAPSHOT_EVERY)? && upto <= log.len(),
        "snapshot at {upto} of {}",
        log.len()
    );
    let mut folded = record::Record::default();
    log[..upto].iter().for_each(|e| folded.apply(e));
    assert_eq!(snapshot.record, folded, "the snapshot at event {upto} is not the log's record");
    Ok(())
}

/// One exercise to disturb: its participants running, its coordinators still to start; and the
/// record of the same exercise run undisturbed, which it must end with.
struct Disturbed {
    nats: Nats,
    run: Run,
    baseline: Record,
    /// The scenario file its coordinators read.
    scenario: tempfile::NamedTempFile,
    running: Running,
}

impl Disturbed {
    async fn start(test: &str) -> anyhow::Result<Disturbed> {
        let (baseline_run, run) = (durable_run(&format!("{test}-baseline"), QUICK)?, durable_run(test, QUICK)?);
        let nats = Nats::start(&[&baseline_run, &run]).await?;
        let baseline = Record::of(&run_exercise(&nats, &baseline_run, LIMIT).await?);
        tests::provision(&nats, &run).await?;
        let scenario = tempfile::NamedTempFile::new()?;
        std::fs::write(scenario.path(), tests::all_present_scenario()?)?;
        let running = start_participants(&nats, &run)?;
        Ok(Disturbed { nats, run, baseline, scenario, running })
    }
}

/// Waits until `instance` holds the exercise's lease.
async fn leads(probe: &Probe, run: &Run, instance: &str) -> anyhow::Result<()> {
    eventually(Duration::from_secs(15), "a coordinator to lead", async || {
        Ok((Running::lease_holder(&probe.bus, &run.exercise).await?.as_deref() == Some(instance)).then_some(()))
    })
    .await
}

#[tokio::test]
async fn killing_the_coordinator_at_random_points_leaves_the_record_of_an_uninterrupted_run() -> anyhow::Result<()> {
    // Every exercise the test may run is known to the server before it starts.
    let baseline_run = durable_run("baseline", QUICK)?;
    let rounds: Vec<Run> = (1..=5).map(|r| durable_run(&format!("kills-{r}"), QUICK)).collect::<anyhow::Result<_>>()?;
    let nats = Nats::start(&std::iter::once(&baseline_run).chain(&rounds).collect::<Vec<_>>()).await?;
    let baseline = Record::of(&run_exercise(&nats, &baseline_run, LIMIT).await?);
    let scenario = tempfile::NamedTempFile::new()?;
    std::fs::write(scenario.path(), tests::all_present_scenario()?)?;
    // MUSTER_KILL_SEED replays a schedule a failed run printed.
    let seed = std::env::var("MUSTER_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    println!("kill schedule seed: {seed} (MUSTER_KILL_SEED)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut kills, mut takeovers, mut round) = (0, Vec::new(), 0);
    let mut from_snapshots = 0;
    while kills < KILLS {
        round += 1;
        let run = rounds.get(round - 1).context("the kills within the planned rounds")?;
        tests::provision(&nats, run).await?;
        let mut running = start_participants(&nats, run)?;
        let mut coordinator = Process::start(&nats, run, scenario.path(), &format!("coordinator-{round}-0"))?;
        let probe = Probe::connect(&nats, &run.exercise).await?;
        // Killed at random moments until KILLS, each successor leading first; then left alone,
        // so that a schedule of kills can never keep the exercise from its end.
        let report = loop {
            let pause = if kills < KILLS { Duration::from_millis(rng.u64(20..400)) } else { LIMIT };
            tokio::select! {
                report = &mut running.report => break report??,
                () = tokio::time::sleep(pause) => {
                    if kills >= KILLS {
                        let events: Vec<String> = probe.log().await?.iter().rev().take(5).map(|e| e.kind().to_owned()).collect();
                        anyhow::bail!(
                            "round {round} (seed {seed}): no report {} s after the last kill; last events {events:?}\n{}",
                            LIMIT.as_secs(),
                            coordinator.log()
                        );
                    }
                    coordinator.child.start_kill()?;
                    coordinator.child.wait().await?;
                    let killed = Instant::now();
                    kills += 1;
                    from_snapshots += started_from_snapshot(&coordinator.log())?;
                    coordinator = Process::start(&nats, run, scenario.path(), &format!("coordinator-{round}-{kills}"))?;
                    tokio::select! {
                        report = &mut running.report => break report??,
                        led = leads(&probe, run, &coordinator.instance) => led?,
                    }
                    takeovers.push(killed.elapsed());
                }
            }
        };
        running.stop().await;
        let _ = within(Duration::from_secs(10), "the coordinator to exit", coordinator.child.wait()).await;
        from_snapshots += started_from_snapshot(&coordinator.log())?;
        assert!(report.totals.concluded, "round {round}");
        assert_eq!(Record::of(&report), baseline, "round {round} (seed {seed}) differs from the uninterrupted run");
        let log = probe.log().await?;
        assert_no_duplicates(&log);
        assert_snapshot_is_the_logs(&nats, run, &log).await?;
    }
    println!(
        "coordinator killed {kills} times (SIGKILL) over {round} exercises; {from_snapshots} started from a snapshot"
    );
    assert!(from_snapshots > 0, "no successor started from a snapshot");
    summary("a new coordinator leads after a kill (lease 500 ms)", &mut takeovers);
    Ok(())
}

#[tokio::test]
async fn a_standby_takes_over_from_a_frozen_leader_which_then_cannot_write() -> anyhow::Result<()> {
    let Disturbed { nats, run, baseline, scenario, mut running } = Disturbed::start("standby").await?;
    let mut a = Process::start(&nats, &run, scenario.path(), "coordinator-a")?;
    let mut b = Process::start(&nats, &run, scenario.path(), "coordinator-b")?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(20)).await?;
    let leader = Running::lease_holder(&probe.bus, &run.exercise).await?.expect("a leader holds the lease");
    let (old, new) = if leader == a.instance { (&mut a, &mut b) } else { (&mut b, &mut a) };

    old.signal("-STOP")?;
    let frozen = Instant::now();
    leads(&probe, &run, &new.instance).await?;
    let failover = frozen.elapsed();
    println!("failover: the standby leads {} ms after the leader froze (lease 500 ms)", failover.as_millis());
    assert!(failover < Duration::from_secs(5));

    // The old leader wakes while the new one leads: it must not write, and steps down.
    old.signal("-CONT")?;
    eventually(Duration::from_secs(10), "the old leader to step down", async || {
        Ok(old.log().contains("stepped down").then_some(()))
    })
    .await?;
    let concluded = within(LIMIT, "the exercise to conclude", &mut running.report).await;
    let Ok(Ok(Ok(report))) = concluded else {
        panic!("{concluded:?}\n--- {} ---\n{}\n--- {} ---\n{}", old.instance, old.log(), new.instance, new.log());
    };
    running.stop().await;
    assert_eq!(Record::of(&report), baseline);
    assert_no_duplicates(&probe.log().await?);
    let woke = old.log();
    assert!(woke.contains("stepped down"), "{woke}");
    for p in [&mut a, &mut b] {
        let _ = within(Duration::from_secs(10), "a coordinator to exit", p.child.wait()).await;
    }
    Ok(())
}

#[tokio::test]
async fn two_replicas_serve_three_exercises_and_the_survivor_takes_every_one_the_dead_one_led() -> anyhow::Result<()> {
    let baseline_run = durable_run("shared-baseline", QUICK)?;
    let runs: Vec<Run> = (1..=3).map(|n| durable_run(&format!("shared-{n}"), QUICK)).collect::<anyhow::Result<_>>()?;
    let nats = Nats::start(&std::iter::once(&baseline_run).chain(&runs).collect::<Vec<_>>()).await?;
    let baseline = Record::of(&run_exercise(&nats, &baseline_run, LIMIT).await?);
    let scenario = tempfile::NamedTempFile::new()?;
    std::fs::write(scenario.path(), tests::all_present_scenario()?)?;
    let mut running = Vec::new();
    for run in &runs {
        running.push(start_participants(&nats, run)?);
    }
    // The last is provisioned only once the others run: they do not wait for it.
    let last = runs.len() - 1;
    for run in &runs[..last] {
        tests::provision(&nats, run).await?;
    }
    let served: Vec<&Run> = runs.iter().collect();
    let mut a = Process::serving(&nats, &served, scenario.path(), "coordinator-a")?;
    let mut b = Process::serving(&nats, &served, scenario.path(), "coordinator-b")?;
    let mut probes = Vec::new();
    for (n, run) in runs.iter().enumerate() {
        if n == last {
            tests::provision(&nats, run).await?;
        }
        let probe = Probe::connect(&nats, &run.exercise).await?;
        probe.wait_for("stage_opened", Duration::from_secs(20)).await?;
        probes.push(probe);
    }
    // Every exercise is led by one of the two; the leader of the first is killed mid-stage.
    let mut holders = Vec::new();
    for (probe, run) in probes.iter().zip(&runs) {
        let holder = Running::lease_holder(&probe.bus, &run.exercise).await?.context("a leader holds the lease")?;
        anyhow::ensure!([&a.instance, &b.instance].contains(&&holder), "{} led by {holder}", run.exercise);
        holders.push(holder);
    }
    println!("leaders: {holders:?}");
    let (dead, survivor) = if holders[0] == a.instance { (&mut a, &mut b) } else { (&mut b, &mut a) };
    dead.child.start_kill()?;
    dead.child.wait().await?;
    for (probe, run) in probes.iter().zip(&runs) {
        leads(probe, run, &survivor.instance).await?;
    }
    for ((mut running, run), probe) in running.into_iter().zip(&runs).zip(&probes) {
        let concluded = within(LIMIT, "the exercise to conclude", &mut running.report).await;
        let Ok(Ok(Ok(report))) = concluded else {
            panic!("{}: {concluded:?}\n--- {} ---\n{}", run.exercise, survivor.instance, survivor.log());
        };
        running.stop().await;
        assert_eq!(Record::of(&report), baseline, "{} differs from the uninterrupted run", run.exercise);
        assert_no_duplicates(&probe.log().await?);
    }
    let _ = within(Duration::from_secs(10), "the survivor to exit", survivor.child.wait()).await;
    Ok(())
}

#[tokio::test]
async fn what_a_dead_leader_took_and_never_acknowledged_counts_before_the_next_closes_a_window() -> anyhow::Result<()> {
    // Assembly (3 h of exercise time) lasts 1.5 s at this scale.
    let run = durable_run("unacknowledged", 7200.0)?;
    let assembly = Duration::from_secs_f64(3.0 * 3600.0 / run.time_scale);
    let nats = Nats::start(&[&run]).await?;
    tests::provision(&nats, &run).await?;
    let scenario = tempfile::NamedTempFile::new()?;
    std::fs::write(scenario.path(), tests::all_present_scenario()?)?;
    let mut first = Process::start(&nats, &run, scenario.path(), "coordinator-first")?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(20)).await?;
    let notified = Instant::now();
    // Frozen, it is still handed what comes (its pulls stand) and acknowledges none of it.
    first.signal("-STOP")?;
    let reporting: Vec<_> =
        run.scenario.participants.iter().filter(|p| p.mandatory && p.role != bus::Role::Observer).collect();
    for p in &reporting {
        let report = bus::Payload::AssemblyReport(proto::v1::AssemblyReport::default());
        probe.send(&probe.envelope(p.role, p.node.as_str(), report)?).await?;
    }
    // Dead once assembly's deadline has passed: the next leader's first tick would close it.
    tokio::time::sleep_until((notified + assembly).into()).await;
    first.child.start_kill()?;
    first.child.wait().await?;
    let mut next = Process::start(&nats, &run, scenario.path(), "coordinator-next")?;
    let closed = probe.wait_for("assembly_closed", Duration::from_secs(20)).await?;
    let bus::Payload::AssemblyClosed(closed) = closed.payload else { anyhow::bail!("not assembly_closed") };
    for p in &reporting {
        assert!(
            closed.assembled.contains(&p.node.to_string()),
            "{} reported before the deadline: {closed:?}\n{}",
            p.node,
            next.log()
        );
    }
    assert!(closed.absent.is_empty(), "{closed:?}");
    next.child.start_kill()?;
    next.child.wait().await?;
    Ok(())
}

#[tokio::test]
async fn the_exercise_survives_the_loss_of_one_of_three_nats_nodes() -> anyhow::Result<()> {
    let (baseline_run, run) = (durable_run("cluster-baseline", SLOW)?, durable_run("cluster", SLOW)?);
    let cluster = NatsCluster::start(&[&baseline_run, &run]).await?;
    let baseline = run_exercise(&cluster, &baseline_run, LIMIT).await?;
    let mut running = start_exercise(&cluster, &run)?;
    let probe = Probe::connect(&cluster, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(20)).await?;
    // The worst node to lose: the one that leads the log's replicas.
    let lost_node = cluster.leader_of(&bus::subject::events_stream(&run.exercise)).await?;
    cluster.stop(lost_node).await?;
    let (lost, lost_at) = (Instant::now(), std::time::SystemTime::now());
    let report = within(LIMIT, "the exercise to conclude on two nodes", &mut running.report).await???;
    println!("exercise concluded {} ms after one of three NATS nodes stopped", lost.elapsed().as_millis());
    running.stop().await;
    assert_eq!(Record::of(&report), Record::of(&baseline));
    let log = probe.log().await?;
    assert_no_duplicates(&log);
    let undisturbed = Probe::connect(&cluster, &baseline_run.exercise).await?.log().await?;
    println!(
        "stall after the loss of the log's leading NATS node: {} ms without a new event (longest silence of an undisturbed run: {} ms)",
        tests::longest_silence(&log, lost_at).as_millis(),
        tests::longest_silence(&undisturbed, std::time::UNIX_EPOCH).as_millis()
    );

    cluster.restart(lost_node).await?;
    let restarted = Instant::now();
    let bus = Bus::connect(&cluster.identities.settings(&cluster.url, "harness", "rejoin-check")?).await?;
    eventually(Duration::from_secs(60), "the restarted node to catch up", async || {
        let mut stream = bus.jetstream().get_stream(bus::subject::events_stream(&run.exercise)).await?;
        let info = stream.info().await?;
        let replicas = info.cluster.as_ref().map(|c| c.replicas.clone()).unwrap_or_default();
        Ok((replicas.len() == 2 && replicas.iter().all(|r| r.current && !r.offline)).then_some(()))
    })
    .await?;
    println!("restarted NATS node rejoined and caught up in {} ms", restarted.elapsed().as_millis());
    Ok(())
}

#[tokio::test]
async fn a_control_point_and_a_drafting_body_restarted_mid_stage_catch_up() -> anyhow::Result<()> {
    let (baseline_run, run) = (durable_run("restart-baseline", QUICK)?, durable_run("restart", QUICK)?);
    let nats = Nats::start(&[&baseline_run, &run]).await?;
    let baseline = Record::of(&run_exercise(&nats, &baseline_run, LIMIT).await?);
    let mut running = start_exercise(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("stage_opened", Duration::from_secs(20)).await?;
    let (ru, js) = (NodeId::new("RU")?, NodeId::new("joint-staff")?);
    running.kill_participant(&ru);
    running.kill_participant(&js);
    let down = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await; // they stay down a while: the stage waits
    running.start_participant(&nats, &run, &ru)?;
    running.start_participant(&nats, &run, &js)?;
    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    println!("exercise concluded {} ms after RU and the Joint Staff went down for 300 ms", down.elapsed().as_millis());
    running.stop().await;
    assert_eq!(Record::of(&report), baseline);
    assert_no_duplicates(&probe.log().await?);
    let ru_positions = report
        .stages
        .iter()
        .flat_map(|s| &s.slots)
        .filter(|s| s.versions.iter().any(|v| v.positions.contains_key("RU")))
        .count();
    let drafted = tests::expect::of(&run.scenario).slots().values().filter(|s| s.versions > 0).count();
    assert_eq!(ru_positions, drafted, "the restarted control point answered every draft");
    Ok(())
}

#[tokio::test]
async fn a_successor_passes_over_a_snapshot_another_key_signed_and_replays_the_whole_log() -> anyhow::Result<()> {
    let Disturbed { nats, run, baseline, scenario, mut running } = Disturbed::start("forged").await?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    let mut coordinator = Process::start(&nats, &run, scenario.path(), "coordinator-0")?;

    // A snapshot the leader wrote, signed again by another key, in its place once the leader is dead.
    let (bus, key) = (nats.bus_as("coordinator").await?, nats.identities.public_key("coordinator")?);
    let written = eventually(Duration::from_secs(20), "a snapshot", async || {
        Ok(coordinator::snapshot::load(&bus, &run.exercise, &key).await?)
    })
    .await?;
    coordinator.child.kill().await?;
    let forged = coordinator::snapshot::encode(&written, &nkeys::KeyPair::new_user())?;
    coordinator::snapshot::put(&bus, &run.exercise, &mut forged.as_slice()).await?;

    coordinator = Process::start(&nats, &run, scenario.path(), "coordinator-1")?;
    let report = within(LIMIT, "the exercise to conclude", &mut running.report).await???;
    running.stop().await;
    let _ = within(Duration::from_secs(10), "the coordinator to exit", coordinator.child.wait()).await;
    let log = coordinator.log();
    assert!(log.contains("snapshot passed over") && log.contains("its signature is not the coordinator's"), "{log}");
    assert!(!log.contains("starting from the snapshot"), "{log}");
    assert_eq!(Record::of(&report), baseline, "the record differs from the uninterrupted run");
    assert_no_duplicates(&probe.log().await?);
    Ok(())
}
