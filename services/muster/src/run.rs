//! `muster run`: starts NATS (unless given one), every service of a scenario as its own process,
//! shows progress from the event log and ends with the report's path, all in the language asked for
//! (the report too: the observer writes it in that language).

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, ExerciseId, MessageId, Role, StreamSettings};
use futures::StreamExt;
use scenario::{PlayedBy, Scenario, Transport};
use tokio::process::{Child, Command};
use words::{Arg, Lang};

use crate::progress::Progress;
use launch::local::LocalNats;

/// What to run.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The scenario file.
    #[arg(long, default_value = "scenarios/cst-2025.toml")]
    pub scenario: PathBuf,
    /// The exercise id; a fresh one from the scenario's file name when not given.
    #[arg(long)]
    pub exercise: Option<ExerciseId>,
    /// Move on as soon as everything expected has arrived (and run the clock fast).
    #[arg(long)]
    pub fast: bool,
    /// Use this NATS server instead of starting one.
    #[arg(long, env = "MUSTER_NATS_URL")]
    pub nats: Option<String>,
    /// Configuration of the local NATS server started when --nats is not given.
    #[arg(long, default_value = "deploy/nats/local.conf")]
    pub nats_config: PathBuf,
    /// Connect to NATS over TLS, every service verifying the server's certificate against the
    /// identities' authority (`ca.pem`); the local server then serves TLS only. Without it,
    /// connections to the local server stay plain, on loopback.
    #[arg(long)]
    pub tls: bool,
    /// Identities to act with (`muster identities` writes them); fresh ones in the exercise's
    /// folder when not given. With --nats, the server must admit these keys (and, over TLS, hold
    /// a certificate of their authority).
    #[arg(long)]
    pub identities: Option<PathBuf>,
    /// Where reports and logs go (a folder per exercise).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Hand this seat (a node id of the scenario) to a person: no automated process plays it.
    /// Repeat for several seats.
    #[arg(long = "person", value_name = "NODE")]
    pub persons: Vec<bus::NodeId>,
    /// Serve the console: the director starts the exercise from the browser, people take the
    /// --person seats (a remote one at its own national node's console); prints each seat's
    /// sign-in link.
    #[arg(long)]
    pub console: bool,
    /// Exercise seconds per wall second, instead of the scenario's own (or fast mode's).
    #[arg(long)]
    pub time_scale: Option<f64>,
    /// The language of the progress, the summary and the report.
    #[command(flatten)]
    pub lang: launch::LangArgs,
}

/// A service process with its log file.
#[derive(Debug)]
struct Service {
    name: String,
    child: Child,
    log: PathBuf,
}

/// Runs the exercise to its end; errors name what failed and where its log is.
pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut scenario = scenario::load(&args.scenario)?;
    let lang = args.lang.lang_or(&scenario.language);
    for node in &args.persons {
        scenario
            .seat_person(node)
            .map_err(|e| anyhow::anyhow!("--person {node}: {e} ({})", args.scenario.display()))?;
    }
    let exercise = match args.exercise.clone() {
        Some(id) => id,
        None => fresh_id(&args.scenario)?,
    };
    let time_scale = match (args.time_scale, args.fast) {
        (Some(scale), _) => scale,
        (None, true) => scenario.time_scale.max(record::FAST_TIME_SCALE),
        (None, false) => scenario.time_scale,
    };
    let out_dir = args.out.join(exercise.as_str());
    let logs = out_dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;

    let file = args.scenario.display().to_string();
    let said = [("title", Arg::from(scenario.title.in_lang(lang).to_string())), ("file", Arg::from(file))];
    println!("{}", words::say_with(lang, "run-scenario", &said));
    let said = [
        ("exercise", Arg::from(exercise.as_str())),
        ("mode", Arg::from(if args.fast { "fast" } else { "scaled" })),
        ("scale", Arg::from(words::number(lang, time_scale))),
    ];
    println!("{}", words::say_with(lang, "run-exercise", &said));
    let identities = args.identities.clone().unwrap_or_else(|| out_dir.join("identities"));
    let issued = identity::issue(&identities, &[identity::Exercise { id: &exercise, scenario: &scenario }])?;
    let said = [
        ("dir", Arg::from(identities.display().to_string())),
        ("auth", Arg::from(issued.authorization.display().to_string())),
    ];
    println!("{}", words::say_with(lang, "run-identities", &said));
    let local = match &args.nats {
        Some(_) => None,
        None => {
            let config = server_config(&args.nats_config, &issued.authorization, &identities, args.tls)?;
            Some(LocalNats::start(Some(&config), &logs.join("nats-server.log")).await?)
        }
    };
    let url = match (&args.nats, &local) {
        (Some(url), _) => url.clone(),
        (None, Some(local)) => {
            let said = [
                ("url", Arg::from(local.url.as_str())),
                ("pid", Arg::from(local.pid().unwrap_or_default().to_string())),
                ("store", Arg::from(local.store.path().display().to_string())),
            ];
            println!("{}", words::say_with(lang, "run-nats", &said));
            local.url.clone()
        }
        (None, None) => unreachable!("a local server is started when no URL is given"),
    };
    // A server given by URL speaks TLS when its URL says so; the local one when asked.
    let tls = args.tls || url.starts_with("tls://");
    let authority = tls.then(|| identity::certs::Layout(identities.clone()).ca());
    match (&authority, &local) {
        (Some(ca), _) => {
            let said = [("ca", Arg::from(ca.display().to_string()))];
            println!("{}", words::say_with(lang, "run-nats-tls", &said));
        }
        (None, Some(_)) => println!("{}", words::say(lang, "run-nats-plain")),
        (None, None) => {}
    }
    let folders = Folders {
        identities: identities.clone(),
        out: out_dir.clone(),
        logs: logs.clone(),
        invites: issued.invites.clone(),
        authority,
    };
    let result = run_on(&url, &args, &scenario, &exercise, time_scale, &folders).await;
    if let Some(local) = local {
        local.stop().await;
    }
    let report = result?;
    let said = [("report", Arg::from(report.display().to_string())), ("logs", Arg::from(logs.display().to_string()))];
    println!("{}", words::say_with(lang, "run-report", &said));
    let receipts = folders.out.join("receipts").display().to_string();
    println!("{}", words::say_with(lang, "run-receipts", &[("dir", Arg::from(receipts))]));
    let seconds = words::decimal(lang, started.elapsed().as_secs_f64(), 1);
    println!("{}", words::say_with(lang, "run-done", &[("seconds", Arg::from(seconds))]));
    Ok(())
}

async fn run_on(
    url: &str,
    args: &RunArgs,
    scenario: &Scenario,
    exercise: &ExerciseId,
    time_scale: f64,
    folders: &Folders,
) -> anyhow::Result<PathBuf> {
    let (identities, out_dir, logs) = (folders.identities.as_path(), folders.out.as_path(), folders.logs.as_path());
    let lang = args.lang.lang_or(&scenario.language);
    let keyring = identity::Keyring::open(identities)?;
    let nkey = |name: &str| keyring.seed_file(name);
    let admin = keyring.credentials(bus::names::ADMIN)?;
    let trust = Some(keyring.coordinator()?);
    let authority = &folders.authority;
    let settings =
        ConnectSettings::new(url, "muster-run").with_credentials(Some(admin)).with_authority(authority.clone());
    let bus = Bus::connect(&settings).await?;
    bus.provision(exercise, &StreamSettings::default()).await?;
    let mut events = bus.follow_events(exercise, 1);

    let nats = |name: &str| {
        let mut args = vec!["--nats".to_string(), url.into(), "--nkey".into(), nkey(name).display().to_string()];
        if let Some(authority) = &authority {
            args.extend(["--nats-ca".into(), authority.display().to_string()]);
        }
        args
    };
    let exercise_args = ["--exercise".to_string(), exercise.to_string()];
    let scenario_args = ["--scenario".to_string(), args.scenario.display().to_string()];
    // Every seat keeps the coordinator's receipts here, for `muster verify --receipts`.
    let receipts = ["--receipts".to_string(), out_dir.join("receipts").display().to_string()];
    let seat = |node: &bus::NodeId| {
        [&exercise_args[..], &scenario_args[..], &["--node".into(), node.to_string()], &receipts[..]].concat()
    };
    let mut coordinator = [&nats("coordinator")[..], &exercise_args[..], &scenario_args[..]].concat();
    coordinator.extend(["--time-scale".into(), time_scale.to_string()]);
    if args.fast {
        coordinator.push("--fast".into());
    }
    if args.console {
        coordinator.push("--await-start".into());
    }
    for node in &args.persons {
        coordinator.extend(["--person".into(), node.to_string()]);
    }
    let mut plan: Vec<(String, &str, Vec<String>)> = vec![("coordinator".into(), "coordinator", coordinator)];
    let gateway = match scenario.participants.iter().any(|p| p.transport == Transport::Grpc) {
        true => Some(gateway_plan(lang, nats("gateway"), identities, &mut plan)?),
        false => None,
    };
    // Where each seat a person takes signs in: the headquarters' console, or its node's own.
    let mut consoles: Vec<(bus::NodeId, String)> = Vec::new();
    let hq_console = match args.console {
        true => {
            let url = format!("http://127.0.0.1:{}", free_port()?);
            let mut console_args = [&nats("console")[..], &exercise_args[..], &scenario_args[..]].concat();
            console_args.extend(["--identities".into(), identities.display().to_string()]);
            console_args.extend(receipts.iter().cloned());
            console_args.extend(["--listen".into(), url.trim_start_matches("http://").to_string()]);
            for node in &args.persons {
                console_args.extend(["--person".into(), node.to_string()]);
            }
            plan.push(("console".into(), "console", console_args));
            Some(url)
        }
        false => None,
    };
    for p in &scenario.participants {
        let remote = p.transport == Transport::Grpc;
        let person = p.played_by == PlayedBy::Person;
        if person && (!args.console || !remote) {
            if !args.console {
                let said =
                    [("node", Arg::from(p.node.as_str())), ("name", Arg::from(p.name.in_lang(lang).to_string()))];
                println!("{}", words::say_with(lang, "run-person-seat", &said));
            }
            continue;
        }
        if let (Some(gateway), true) = (&gateway, remote) {
            // A national node reaches the bus only through the gateway.
            let mut node_args = seat(&p.node);
            node_args.extend([
                "--gateway".into(),
                gateway.endpoint.clone(),
                "--certs".into(),
                gateway.certs.display().to_string(),
            ]);
            if person {
                let port = free_port()?;
                node_args.extend(["--console".into(), format!("127.0.0.1:{port}")]);
                consoles.push((p.node.clone(), format!("http://127.0.0.1:{port}")));
            }
            plan.push((format!("national-node {}", p.node), "national-node", node_args));
            continue;
        }
        let binary = match p.role {
            Role::JointStaff => "joint-staff",
            Role::Secretariat => "secretariat",
            Role::ControlPoint | Role::Guest => "control-point",
            Role::Observer | Role::Coordinator => continue,
        };
        plan.push((format!("{binary} {}", p.node), binary, [&nats(p.node.as_str())[..], &seat(&p.node)[..]].concat()));
    }
    let observer = [
        &nats("observer")[..],
        &exercise_args[..],
        &["--out".into(), out_dir.display().to_string(), "--lang".into(), lang.tag().into()],
    ]
    .concat();
    plan.push(("observer".into(), "observer", observer));

    let mut services = Vec::new();
    for (name, binary, service_args) in plan {
        let service = spawn(&name, binary, &service_args, logs)?;
        let said = [("name", Arg::from(name.as_str())), ("pid", Arg::from(service.child.id().unwrap_or_default()))];
        println!("{}", words::say_with(lang, "run-started", &said));
        services.push(service);
    }

    if let Some(hq) = &hq_console {
        println!("{}", words::say_with(lang, "run-console", &[("url", Arg::from(hq.as_str()))]));
        println!("{}", words::say(lang, "run-links"));
        for invite in &folders.invites {
            let base =
                consoles.iter().find(|(node, _)| node == &invite.seat).map_or(hq.as_str(), |(_, url)| url.as_str());
            let name = match scenario.participant(&invite.seat) {
                Some(p) => p.name.in_lang(lang).to_string(),
                None if invite.seat.as_str() == bus::names::PLANNER => words::say(lang, "run-planner"),
                None => words::say(lang, "run-director"),
            };
            println!("  {:<16} {}  ({name})", invite.seat.as_str(), invite.link(base));
        }
        println!("{}", words::say(lang, "run-start-hint"));
    }
    let outcome = follow(&mut events, &mut services, trust, lang).await;
    let finished = match outcome {
        Ok(progress) => wait_for(&mut services, "observer", Duration::from_secs(15)).await.map(|()| progress),
        Err(e) => Err(e),
    };
    if let (Ok(_), Some(hq)) = (&finished, &hq_console) {
        // People read the report in their consoles: those stay up until the operator stops them.
        let url = format!("{hq}/ex/{exercise}/report");
        println!("{}", words::say_with(lang, "run-console-report", &[("url", Arg::from(url))]));
        launch::telemetry::shutdown_signal().await;
    }
    for s in &mut services {
        let _ = s.child.start_kill();
        let _ = s.child.wait().await;
    }
    let progress = finished?;
    println!();
    for line in &progress.stage_lines {
        println!("{line}");
    }
    Ok(out_dir.join("report.md"))
}

/// Where a run keeps its identities, its report and its logs, the invites it issued, and the
/// authority its services verify NATS against (none: plain connections).
struct Folders {
    identities: PathBuf,
    out: PathBuf,
    logs: PathBuf,
    invites: Vec<identity::invites::Invite>,
    authority: Option<PathBuf>,
}

/// Where national nodes find the gateway.
struct GatewayPlan {
    endpoint: String,
    certs: PathBuf,
}

/// The gateway on free loopback ports, with the certificates among the identities.
fn gateway_plan(
    lang: Lang,
    nats: Vec<String>,
    identities: &Path,
    plan: &mut Vec<(String, &str, Vec<String>)>,
) -> anyhow::Result<GatewayPlan> {
    let certs = identities.to_owned();
    let (port, probe) = (free_port()?, free_port()?);
    let said = [
        ("url", Arg::from(format!("https://127.0.0.1:{port}"))),
        ("probe", Arg::from(format!("127.0.0.1:{probe}"))),
        ("certs", Arg::from(certs.display().to_string())),
    ];
    println!("{}", words::say_with(lang, "run-gateway", &said));
    let mut args = nats;
    args.extend([
        "--listen".into(),
        format!("127.0.0.1:{port}"),
        "--probe".into(),
        format!("127.0.0.1:{probe}"),
        "--certs".into(),
        certs.display().to_string(),
    ]);
    plan.push(("gateway".into(), "gateway", args));
    Ok(GatewayPlan { endpoint: format!("https://127.0.0.1:{port}"), certs })
}

/// Shows progress until the exercise concludes; fails if a service dies first or on Ctrl-C.
async fn follow(
    events: &mut futures::stream::BoxStream<'static, bus::Delivery>,
    services: &mut [Service],
    trust: Option<String>,
    lang: Lang,
) -> anyhow::Result<Progress> {
    let mut progress = Progress::new(trust, lang);
    let mut check = tokio::time::interval(Duration::from_millis(100));
    let interrupted = launch::telemetry::shutdown_signal();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            () = &mut interrupted => anyhow::bail!("interrupted; every service stopped"),
            _ = check.tick() => {
                for s in services.iter_mut() {
                    if let Some(status) = s.child.try_wait()?.filter(|status| !status.success()) {
                        anyhow::bail!("{} exited with {status} before the exercise concluded; see {}", s.name, s.log.display());
                    }
                }
            }
            delivery = events.next() => {
                let delivery = delivery.context("the event stream ended")?;
                let Ok(event) = delivery.envelope else { continue };
                progress.event(delivery.sequence, event);
                if progress.concluded() {
                    return Ok(progress);
                }
            }
        }
    }
}

async fn wait_for(services: &mut [Service], name: &str, limit: Duration) -> anyhow::Result<()> {
    let Some(s) = services.iter_mut().find(|s| s.name == name) else { return Ok(()) };
    let status: ExitStatus = tokio::time::timeout(limit, s.child.wait())
        .await
        .with_context(|| format!("{name} did not finish within {limit:?}; see {}", s.log.display()))??;
    anyhow::ensure!(status.success(), "{name} exited with {status}; see {}", s.log.display());
    Ok(())
}

fn spawn(name: &str, binary: &str, args: &[String], logs: &Path) -> anyhow::Result<Service> {
    let path = sibling(binary)?;
    let log = logs.join(format!("{}.log", name.replace(' ', "-")));
    let file = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let child = Command::new(&path)
        .args(args)
        .stdout(Stdio::null())
        .stderr(file)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", path.display()))?;
    Ok(Service { name: name.to_owned(), child, log })
}

/// The service binaries are built beside `muster`.
fn sibling(binary: &str) -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me.with_file_name(binary);
    anyhow::ensure!(
        path.exists(),
        "{} not found beside {}; build the workspace (`make run` does)",
        path.display(),
        me.display()
    );
    Ok(path)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn fresh_id(scenario: &Path) -> anyhow::Result<ExerciseId> {
    let stem: String = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect())
        .unwrap_or_default();
    let unique = MessageId::generate();
    let tail = &unique.as_str()[unique.as_str().len() - 6..];
    Ok(ExerciseId::new(format!("{}-{tail}", if stem.is_empty() { "exercise" } else { &stem }))?)
}

/// The local server's configuration: the shipped one for `muster run`, the issued authorization, and
/// with `tls` the servers' certificate of the identities' authority (clients must then speak TLS).
fn server_config(shipped: &Path, authorization: &Path, dir: &Path, tls: bool) -> anyhow::Result<PathBuf> {
    let read = |path: &Path| std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()));
    let mut text = format!("{}\n{}", read(shipped)?, read(authorization)?);
    if tls {
        let (cert, key) = identity::certs::Layout(dir.to_owned()).nats();
        // JSON strings are valid NATS configuration strings: any path is quoted safely.
        let quoted = |path: &Path| serde_json::Value::from(path.display().to_string()).to_string();
        text.push_str(&format!(
            "\ntls {{\n  cert_file: {}\n  key_file: {}\n  timeout: 5\n}}\n",
            quoted(&cert),
            quoted(&key)
        ));
    }
    let config = dir.join("nats-server.conf");
    std::fs::write(&config, text).with_context(|| format!("writing {}", config.display()))?;
    Ok(config)
}
