//! `make bench`: Muster measured against the bus it stands on. For each durability mode of the
//! server (the default, which fsyncs every two minutes, and `sync_interval: always`) it starts a
//! local nats-server, measures the raw ceiling with async-nats, then Muster, and prints a table and
//! writes `out/bench.json`.

mod baseline;
mod ceiling;
mod drive;
mod fanout;
mod generate;
mod identities;
mod raw_grpc;
mod scale;
mod stats;
mod streams;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use drive::Coordinators::Own;
use generate::Planned;
use launch::local::LocalNats;
use serde::Serialize;
use stats::{Latency, REPEATS, STEADY, Spread};

/// Figures of one durability mode.
#[derive(Debug, Serialize)]
struct Mode {
    mode: &'static str,
    baseline: baseline::Baseline,
    /// One slot per stage, 6 states: submission to outcome, in each of the runs.
    round_trip_6_states: RoundTrip,
    /// One stage of many slots under steady load, at 6, 100 and 1000 states.
    throughput: Vec<Throughput>,
    /// `muster run --fast` of the default scenario, every service a process: start to report.
    default_exercise_fast_s: f64,
    /// One event to 1000 national nodes streaming from the gateway.
    grpc_fanout: fanout::Fanout,
    /// Many exercises at once, two coordinator replicas serving them all.
    scale: scale::Scale,
    /// A new coordinator taking over logs of growing length (default mode only: the logs are
    /// written at the pace of the mode).
    takeover: Vec<drive::Takeover>,
}

/// The draft round trip in each run (one exercise at a time, its own coordinator).
#[derive(Debug, Serialize)]
struct RoundTrip {
    runs: Vec<Latency>,
    p50_ms: Spread,
    p99_ms: Spread,
    /// Draft versions answered by every state, per second, one round trip after the other.
    drafts_per_s: Spread,
    coordinator_peak_rss_mib: Spread,
}

/// One size under steady load: its runs and the spread of each figure over them.
#[derive(Debug, Serialize)]
struct Throughput {
    states: usize,
    slots: usize,
    runs: Vec<drive::Load>,
    /// Draft versions answered by every state, per second.
    drafts_per_s: Spread,
    bus_msgs_per_s: Spread,
    /// Bus messages per second as a fraction of what the server stores raw on the same terms
    /// ([`baseline::Baseline::stored_msgs_per_s`]).
    fraction_of_raw_jetstream: Spread,
    /// Microseconds of stage time per position (states × draft versions): flat means linear growth.
    us_per_position: Spread,
    coordinator_peak_rss_mib: Spread,
}

impl Throughput {
    fn of(states: usize, slots: usize, runs: Vec<drive::Load>, raw_jetstream: f64) -> Throughput {
        let spread = |f: &dyn Fn(&drive::Load) -> f64| Spread::of(runs.iter().map(f));
        Throughput {
            states,
            slots,
            drafts_per_s: spread(&|l| l.drafts_per_s),
            bus_msgs_per_s: spread(&|l| l.bus_msgs_per_s),
            fraction_of_raw_jetstream: spread(&|l| l.bus_msgs_per_s / raw_jetstream),
            us_per_position: spread(&|l| l.stages_s * 1e6 / (l.drafts * l.states) as f64),
            coordinator_peak_rss_mib: spread(&|l| l.coordinator_peak_rss_mib),
            runs,
        }
    }
}

#[derive(Debug, Serialize)]
struct Target {
    target: String,
    measured: String,
    met: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    cores: usize,
    /// Minutes from the bench's start to its table.
    took_min: f64,
    /// What the signatures every message needs allow on this machine, before Muster's own work.
    ceiling: ceiling::Ceiling,
    modes: Vec<Mode>,
    targets: Vec<Target>,
    not_measured: Vec<String>,
}

/// (states, slots in one stage) for the throughput runs.
const SIZES: [(usize, usize); 4] = [(6, 400), (100, 60), (1000, 10), (10_000, 2)];
/// JetStream writes one after the other in a draft's round trip at 6 states: the draft, its event,
/// every state's position and its event, the stage's conclusion. The server stores one message at
/// a time (with `sync_interval: always`, one fsync each), so its raw async publish rate says how
/// long they take it, before any hop or any of Muster's work.
const ROUND_TRIP_WRITES: usize = 2 * (6 + 1) + 1;
/// Events in the logs a new coordinator takes over.
const LOGS: [u64; 3] = [10_000, 100_000, 1_000_000];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The raw gRPC baseline's server: this binary again, in a process of its own.
    let args: Vec<String> = std::env::args().collect();
    if let [_, command, listen, identities] = args.as_slice()
        && command == "raw-grpc-server"
    {
        return raw_grpc::serve(listen, Path::new(identities)).await;
    }
    let began = Instant::now();
    let binaries = std::env::current_exe()?.parent().context("bench has no folder")?.to_owned();
    let out = PathBuf::from("out");
    std::fs::create_dir_all(&out)?;
    eprintln!("bench: signatures alone");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let ceiling = ceiling::measure(cores).await?;
    let mut modes = Vec::new();
    for (mode, config) in [("default", None), ("sync_always", Some(Path::new("deploy/nats/local.conf")))] {
        // Every exercise is planned first: the server admits the identities issued for them.
        let round_trips = (0..REPEATS).map(|_| Planned::new("bench", 6, 100, 1)).collect::<anyhow::Result<Vec<_>>>()?;
        let sizes = SIZES
            .iter()
            .map(|(states, slots)| (0..REPEATS).map(|_| Planned::new("bench", *states, 1, *slots)).collect())
            .collect::<anyhow::Result<Vec<Vec<_>>>>()?;
        let fanout_nodes = Planned::new("fanout", 1000, 1, 1)?;
        let scaled = scale::plan()?;
        let logs = if config.is_none() { LOGS.to_vec() } else { vec![] };
        let takeovers = logs.iter().map(|_| Planned::new("takeover", 6, 2, 400)).collect::<anyhow::Result<Vec<_>>>()?;
        let default = bus::ExerciseId::new(format!("bench-default-{mode}"))?;
        let mut exercises = vec![(default.clone(), scenario::load(Path::new("scenarios/cst-2025.toml"))?)];
        for planned in round_trips
            .iter()
            .chain(sizes.iter().flatten())
            .chain(&takeovers)
            .chain(std::iter::once(&fanout_nodes))
            .chain(&scaled)
        {
            exercises.push((planned.id.clone(), planned.scenario()?));
        }
        let keys = tempfile::TempDir::with_prefix("muster-bench-identities-")?;
        let issued = identities::issue(keys.path(), &exercises, config)?;
        eprintln!("bench: {mode}: starting nats-server");
        let nats = LocalNats::start(Some(&issued.config), &out.join(format!("bench-nats-{mode}.log"))).await?;
        eprintln!("bench: {mode}: raw bus");
        let baseline = baseline::measure(&nats.url, issued.credentials("bench")?).await?;
        eprintln!("bench: {mode}: draft round trip at 6 states");
        let (mut runs, mut loads) = (Vec::new(), Vec::new());
        for planned in &round_trips {
            let load = drive::exercise(&nats.url, &binaries, &issued, planned, drive::Pace::Once, Own).await?;
            runs.push(load.round_trip.clone().context("a round trip of one slot per stage")?);
            loads.push(load);
        }
        let round_trip_6_states = RoundTrip {
            p50_ms: Spread::of(runs.iter().map(|l| l.p50_ms)),
            p99_ms: Spread::of(runs.iter().map(|l| l.p99_ms)),
            drafts_per_s: Spread::of(loads.iter().map(|l| l.drafts_per_s)),
            coordinator_peak_rss_mib: Spread::of(loads.iter().map(|l| l.coordinator_peak_rss_mib)),
            runs,
        };
        let mut throughput = Vec::new();
        for (planned, (states, slots)) in sizes.iter().zip(SIZES) {
            eprintln!("bench: {mode}: throughput at {states} states, {} s of steady load x{REPEATS}", STEADY.as_secs());
            let mut runs = Vec::new();
            for planned in planned {
                runs.push(
                    drive::exercise(&nats.url, &binaries, &issued, planned, drive::Pace::Steady(STEADY), Own).await?,
                );
            }
            throughput.push(Throughput::of(states, slots, runs, baseline.stored_msgs_per_s()));
        }
        eprintln!("bench: {mode}: default exercise, fast mode");
        let default_exercise_fast_s = default_exercise(&binaries, &nats.url, &default, &issued).await?;
        eprintln!("bench: {mode}: gRPC fan-out to 1000 national nodes");
        let grpc_fanout = fanout::measure(&nats.url, &binaries, &issued, &fanout_nodes).await?;
        eprintln!(
            "bench: {mode}: {} exercises of {} states at once, two coordinator replicas",
            scale::EXERCISES,
            scale::STATES
        );
        let scale = scale::measure(&nats.url, &binaries, &issued, &scaled).await?;
        let mut takeover = Vec::new();
        for (planned, events) in takeovers.iter().zip(logs) {
            eprintln!("bench: {mode}: a new coordinator taking over a log of {events} events");
            let load =
                drive::exercise(&nats.url, &binaries, &issued, planned, drive::Pace::Takeover(events), Own).await?;
            takeover.push(load.takeover.context("a takeover timed")?);
        }
        nats.stop().await;
        modes.push(Mode {
            mode,
            baseline,
            round_trip_6_states,
            throughput,
            default_exercise_fast_s,
            grpc_fanout,
            scale,
            takeover,
        });
    }
    let took_min = began.elapsed().as_secs_f64() / 60.0;
    let mut targets = targets(&modes, &ceiling);
    targets.push(Target {
        target: "the bench, once built, runs in <= 15 min".into(),
        measured: format!("{took_min:.1} min"),
        met: took_min <= 15.0,
    });
    let not_measured = Vec::new();
    let report = Report { cores, took_min, ceiling, targets, not_measured, modes };
    print_table(&report);
    let path = out.join("bench.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("\nwritten: {}", path.display());
    Ok(())
}

async fn default_exercise(
    binaries: &Path,
    url: &str,
    exercise: &bus::ExerciseId,
    issued: &identities::Issued,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let status = tokio::process::Command::new(binaries.join("muster"))
        .args([
            "run",
            "--fast",
            "--nats",
            url,
            "--out",
            "out/bench-runs",
            "--exercise",
            exercise.as_str(),
            "--identities",
        ])
        .arg(issued.keyring.dir())
        .stdout(std::process::Stdio::null())
        .status()
        .await?;
    anyhow::ensure!(status.success(), "muster run failed with {status}");
    Ok(started.elapsed().as_secs_f64())
}

/// The targets of the performance work (issue 30's), each judged on this run: in the default
/// durability mode unless a target names `sync_always`.
fn targets(modes: &[Mode], ceiling: &ceiling::Ceiling) -> Vec<Target> {
    let mut t = Vec::new();
    for m in modes {
        let default = m.mode == "default";
        let rt = m.round_trip_6_states.p99_ms;
        // What the server alone takes for the round trip's writes, one after the other.
        let writes_ms = ROUND_TRIP_WRITES as f64 * 1000.0 / m.baseline.jetstream_async_msgs_per_s.median;
        let (target, met) = match default {
            true => (format!("[{}] draft round trip at 6 states p99 <= 5 ms in every run", m.mode), rt.max <= 5.0),
            false => (
                format!("[{}] draft round trip at 6 states p99 <= 2x the server's own time for its writes", m.mode),
                rt.median <= 2.0 * writes_ms,
            ),
        };
        let measured =
            format!("{rt:.2} ms (its {ROUND_TRIP_WRITES} writes alone take the server {writes_ms:.2} ms here)");
        t.push(Target { target, measured, met });
        let signed = ceiling.signed_bus_msgs_per_s / m.baseline.stored_msgs_per_s();
        for th in m.throughput.iter().filter(|_| default) {
            t.push(Target {
                target: format!(
                    "[{}] bus msgs/s >= 30% of what the server stores raw (JetStream publish, as many writers) at {} states",
                    m.mode, th.states
                ),
                measured: format!(
                    "{}% (the signatures alone allow {:.0}% here)",
                    percent(th.fraction_of_raw_jetstream),
                    signed * 100.0
                ),
                met: th.fraction_of_raw_jetstream.median >= 0.3,
            });
        }
        for big in m.throughput.iter().filter(|th| th.states >= 1000) {
            t.push(Target {
                target: format!("[{}] coordinator RSS <= 64 MiB at {} states", m.mode, big.states),
                measured: format!("{:.1} MiB", big.coordinator_peak_rss_mib),
                met: big.coordinator_peak_rss_mib.max <= 64.0,
            });
        }
        let fan = &m.grpc_fanout;
        t.push(Target {
            target: format!("[{}] gRPC fan-out of one event to {} nodes p99 <= 50 ms", m.mode, fan.nodes),
            measured: format!("{:.1} ms", fan.delivery_p99_ms),
            met: fan.delivery_p99_ms.max <= 50.0,
        });
        if default {
            t.push(Target {
                target: format!(
                    "[{}] a burst of {} events to {} gRPC nodes p99 <= 1.5x a raw tonic server's (pre-encoded \
                     events of the same size, the same TLS, the same nodes, this run)",
                    m.mode,
                    fanout::BURST,
                    fan.nodes
                ),
                measured: format!(
                    "{:.1} ms against {:.1} ms ({:.2}x)",
                    fan.burst_p99_ms,
                    fan.raw.burst_p99_ms,
                    fan.burst_p99_ms.median / fan.raw.burst_p99_ms.median
                ),
                met: fan.burst_p99_ms.median <= 1.5 * fan.raw.burst_p99_ms.median,
            });
        }
        t.push(Target {
            target: format!("[{}] gateway RSS <= 64 MiB with {} streams", m.mode, fan.nodes),
            measured: format!("{:.1} MiB", fan.gateway_peak_rss_mib),
            met: fan.gateway_peak_rss_mib <= 64.0,
        });
        if let Some(biggest) = m.takeover.iter().max_by_key(|t| t.log_events) {
            t.push(Target {
                target: format!("[{}] a new leader writes <= 1 s after taking over 1M events", m.mode),
                measured: format!("{:.0} ms at {} events", biggest.first_write_ms, biggest.log_events),
                met: biggest.log_events >= 1_000_000 && biggest.first_write_ms <= 1000.0,
            });
        }
        let per: Vec<f64> = m.throughput.iter().map(|th| th.us_per_position.median).collect();
        let growth = per.iter().cloned().fold(f64::MIN, f64::max) / per.iter().cloned().fold(f64::MAX, f64::min);
        t.push(Target {
            target: format!("[{}] cost per position no worse than linear (max/min over sizes <= 2)", m.mode),
            measured: format!("{growth:.2}x"),
            met: growth <= 2.0,
        });
    }
    let six = modes.iter().filter(|m| m.mode == "default").flat_map(|m| &m.throughput).find(|th| th.states == 6);
    if let Some(six) = six {
        t.push(Target {
            target: "[default] >= 3000 drafts/s end to end at 6 states".into(),
            measured: format!(
                "{:.0} (the signatures alone allow {:.0} here)",
                six.drafts_per_s,
                ceiling.drafts_per_s(6)
            ),
            met: six.drafts_per_s.median >= 3000.0,
        });
    }
    t
}

/// A fraction as percentages, median (min–max).
fn percent(s: Spread) -> Spread {
    Spread { median: s.median * 100.0, min: s.min * 100.0, max: s.max * 100.0 }
}

fn print_table(r: &Report) {
    println!("\nEach rate: the median of {REPEATS} runs of at least {} s of steady load, (min–max).", STEADY.as_secs());
    let c = &r.ceiling;
    println!(
        "signatures alone, one core: {:.0} signed/s, {:.0} checked/s one by one, {:.0} checked/s in batches; on {} \
         cores they allow {:.0} bus msgs/s (a submission and its event: the seat's signature and its receipt \
         made, one checked in a batch; the event's checkpoint is one signature per batch)",
        c.signs_per_s, c.verifies_per_s, c.batch_verifies_per_s, r.cores, c.signed_bus_msgs_per_s
    );
    for m in &r.modes {
        let b = &m.baseline;
        println!("\n== {} ==", m.mode);
        println!(
            "raw bus: core pub/sub {:.0} msgs/s; JetStream async {:.0} msgs/s (two writers at once {:.0}), awaiting each ack {:.0} msgs/s; request/reply p50 {:.3} ms p99 {:.3} ms",
            b.core_msgs_per_s,
            b.jetstream_async_msgs_per_s,
            b.jetstream_async_two_writers_msgs_per_s,
            b.jetstream_sync_msgs_per_s,
            b.request_reply.p50_ms,
            b.request_reply.p99_ms
        );
        let rt = &m.round_trip_6_states;
        println!(
            "draft round trip, 6 states: p50 {:.2} ms, p99 {:.2} ms ({} runs of {} drafts)",
            rt.p50_ms,
            rt.p99_ms,
            rt.runs.len(),
            rt.runs.first().map_or(0, |l| l.samples)
        );
        println!(
            "{:>7} {:>9} {:>22} {:>24} {:>16} {:>19} {:>19} {:>8}",
            "states", "versions", "drafts/s", "bus msgs/s", "% raw JS", "us/position", "RSS MiB", "growth"
        );
        let base = m.throughput.first().map_or(f64::NAN, |th| th.us_per_position.median);
        for th in &m.throughput {
            let versions = Spread::of(th.runs.iter().map(|l| l.drafts as f64));
            println!(
                "{:>7} {:>9.0} {:>22.0} {:>24.0} {:>16.0} {:>19.1} {:>19.1} {:>7.2}x",
                th.states,
                versions.median,
                th.drafts_per_s,
                th.bus_msgs_per_s,
                percent(th.fraction_of_raw_jetstream),
                th.us_per_position,
                th.coordinator_peak_rss_mib,
                th.us_per_position.median / base
            );
        }
        let (one, many) = (&m.round_trip_6_states, &m.scale);
        println!(
            "growth with exercises at once ({} states, one slot per stage; p99 and RSS of each exercise or replica):",
            many.states
        );
        println!("{:>10} {:>22} {:>26} {:>30}", "exercises", "drafts/s", "round trip p99 ms", "coordinator RSS MiB");
        println!("{:>10} {:>22.0} {:>26.2} {:>30.1}", 1, one.drafts_per_s, one.p99_ms, one.coordinator_peak_rss_mib);
        let rss: Vec<String> = many.coordinator_peak_rss_mib.iter().map(|r| format!("{r:.1}")).collect();
        println!(
            "{:>10} {:>22.0} {:>26.2} {:>30}",
            many.exercises,
            many.drafts_per_s,
            many.round_trip_p99_ms,
            format!("{} (two replicas)", rss.join(" + "))
        );
        for t in &m.takeover {
            println!(
                "takeover of a log of {:>9} events: first write {:>8.0} ms after the new coordinator's start; the log's last tenth written at {:.0} events/s",
                t.log_events, t.first_write_ms, t.last_tenth_events_per_s
            );
        }
        println!("default exercise (muster run --fast, every service a process): {:.2} s", m.default_exercise_fast_s);
        let f = &m.grpc_fanout;
        println!(
            "gRPC fan-out to {} nodes, from the coordinator's stamp, {} runs: one event p50 {:.1} ms, p99 {:.1} ms; \
             {} at once p50 {:.1} ms, p99 {:.1} ms; gateway peak RSS {:.1} MiB",
            f.nodes,
            f.delivery.len(),
            f.delivery_p50_ms,
            f.delivery_p99_ms,
            fanout::BURST,
            f.burst_p50_ms,
            f.burst_p99_ms,
            f.gateway_peak_rss_mib
        );
        println!(
            "raw tonic server, the same {} nodes and TLS, events of {} bytes encoded once: one event p99 {:.1} ms; \
             {} at once p50 {:.1} ms, p99 {:.1} ms; its RSS {:.1} MiB",
            f.nodes,
            f.raw.event_bytes,
            f.raw.delivery_p99_ms,
            fanout::BURST,
            f.raw.burst_p50_ms,
            f.raw.burst_p99_ms,
            f.raw.server_peak_rss_mib
        );
    }
    println!("\ntargets:");
    for t in &r.targets {
        println!("  [{}] {} — {}", if t.met { "met" } else { "NOT met" }, t.target, t.measured);
    }
    for n in &r.not_measured {
        println!("  [not measured] {n}");
    }
}
