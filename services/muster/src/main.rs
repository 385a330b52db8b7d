//! The `muster` command line: run exercises, steer them, validate scenarios.

mod control;
mod plans;
mod progress;
mod run;
mod summary;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

/// Exit code for input data that is not valid (sysexits' EX_DATAERR).
const EXIT_INVALID_DATA: u8 = 65;

/// Exit code of `muster verify` for a record that holds but does not end with the conclusion.
const EXIT_INCOMPLETE: u8 = 3;

#[derive(Debug, Parser)]
#[command(name = "muster", version, about = "Run staged command-staff exercises over NATS")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario end to end: NATS (unless --nats), every service, progress, report.
    Run(run::RunArgs),
    /// Start an exercise whose coordinator waits for the director (`coordinator --await-start`).
    Start {
        #[command(flatten)]
        target: control::Target,
        /// Why now, for the record (default: "started by the director", in the language).
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Hold a running exercise: no window closes while it is paused.
    Pause {
        #[command(flatten)]
        target: control::Target,
        /// Why, for the record (default: a sentence saying who, in the language).
        #[arg(long)]
        reason: Option<String>,
        /// The window you mean (`assembly`, `deployment`, `stage 2`, `distribution`): refused if
        /// another is open when the command arrives. Default: the window open now, read from the log.
        #[arg(long)]
        window: Option<record::Phase>,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Let a paused exercise go on.
    Resume {
        #[command(flatten)]
        target: control::Target,
        /// Why, for the record (default: a sentence saying who, in the language).
        #[arg(long)]
        reason: Option<String>,
        /// The window you mean (`assembly`, `deployment`, `stage 2`, `distribution`): refused if
        /// another is open when the command arrives. Default: the window open now, read from the log.
        #[arg(long)]
        window: Option<record::Phase>,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Close the current window of an exercise now.
    Advance {
        #[command(flatten)]
        target: control::Target,
        /// Why, for the record (default: a sentence saying who, in the language).
        #[arg(long)]
        reason: Option<String>,
        /// The window you mean (`assembly`, `deployment`, `stage 2`, `distribution`): refused if
        /// another is open when the command arrives. Default: the window open now, read from the log.
        #[arg(long)]
        window: Option<record::Phase>,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Release an inject now: a planned one of the open stage by its id, or one written here with
    /// --text (to --to seats, default everyone).
    Inject {
        #[command(flatten)]
        target: control::Target,
        #[command(flatten)]
        inject: control::InjectArgs,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Where an exercise stands and what it still awaits of whom, from its event log alone.
    Status {
        #[command(flatten)]
        target: control::Target,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Issue identities for exercises of a scenario: an nkey (`<name>.nk`) per seat and service,
    /// the exercise's certificate authority (`ca.pem`; its key in `authority/`) and its
    /// certificates for the NATS servers, the gateway, the console and every national node, the
    /// NATS server's authorization (`nats-auth.conf`), and a single-use invite link per seat a
    /// person takes (the director, the observers, every --person seat), printed once. Keys and
    /// certificates already in the folder are kept (--renew issues the certificates again);
    /// invites are new each time (the old links stop working).
    #[command(visible_alias = "certs")]
    Identities {
        /// The scenario whose participants get identities.
        #[arg(long, default_value = "scenarios/cst-2025.toml")]
        scenario: PathBuf,
        /// The exercise the authorization is for; repeat for several on one server.
        #[arg(long, required = true)]
        exercise: Vec<bus::ExerciseId>,
        /// Folder to write into (keep it out of the repository: it holds private keys).
        #[arg(long, default_value = "out/identities")]
        out: PathBuf,
        /// Hand this seat to a person (it gets an invite link); repeat for several.
        #[arg(long = "person", value_name = "NODE")]
        persons: Vec<bus::NodeId>,
        /// The headquarters' console the links point to; its host is named in the console's
        /// certificate.
        #[arg(long, default_value = "http://127.0.0.1:7480")]
        console: String,
        /// Issue every certificate again under the folder's authority, with new keys and a new
        /// validity (before they expire); nkeys, and so every signature in a record, stay, and so
        /// do the invite links handed out.
        #[arg(long)]
        renew: bool,
        /// A name the NATS servers answer to besides the shipped deployments' (`nats-1`..`nats-3`,
        /// `*.nats`, `localhost`): an operator's host. Repeat for several; the certificates are
        /// then issued again.
        #[arg(long = "nats-name", value_name = "HOST")]
        nats_names: Vec<String>,
        /// The folder of the authority's private key: where a new authority's goes, and where
        /// --renew finds it (`<out>/authority` by default). Keep it out of what a deployment mounts.
        #[arg(long, value_name = "DIR")]
        authority: Option<PathBuf>,
    },
    /// Create an exercise's streams, the coordinator's consumer and its lease bucket, as the admin.
    Provision {
        #[command(flatten)]
        target: control::Target,
        /// Stream replicas: 1 on a single server, 3 on a cluster.
        #[arg(long, default_value_t = 1)]
        replicas: usize,
        /// Milliseconds the coordinator's lease lives unrenewed (every replica must use the same).
        #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u64).range(100..))]
        lease_ttl_ms: u64,
    },
    /// Write the traceable package of an exercise (package.json, package.md, package.html): each
    /// decision with its versions, comments and dispositions, and every state's positions; its
    /// digest is checked against the one recorded when the package was communicated.
    Package {
        #[command(flatten)]
        target: control::Target,
        /// The folder to write into; `out/<exercise>/package` when not given.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Write an exercise's log to a file, for `muster verify` or for the archive.
    Export {
        #[command(flatten)]
        target: control::Target,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an exercise's record: the chain, the coordinator's seals, each seat's signatures. Names
    /// the first event that fails and exits 1; says whether the record is complete (exits 3 when it
    /// does not end with the exercise's conclusion) and prints its final hash; with --receipts,
    /// names every receipted submission the record lacks and exits 1.
    Verify {
        /// A file written by `muster export`; without it the log is read from the stream.
        #[arg(long)]
        file: Option<PathBuf>,
        /// The exercise (to read from the stream).
        #[arg(long)]
        exercise: Option<bus::ExerciseId>,
        /// The server to read the stream from, and the nkey to read it with (the director's, say).
        #[command(flatten)]
        bus: launch::BusArgs,
        /// The coordinator's public key file (`coordinator.pub`); by default the one beside --nkey.
        #[arg(long)]
        trust: Option<PathBuf>,
        /// Receipts seats kept (a `<node>.receipts` file, or a folder of them): each must name an
        /// event of the record.
        #[arg(long)]
        receipts: Option<PathBuf>,
        /// Write the record's last checkpoint here, as a C2SP signed note (c2sp.org/tlog-checkpoint).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Work with scenario files.
    Scenario {
        #[command(subcommand)]
        command: ScenarioCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ScenarioCommand {
    /// Check a scenario file; print a summary when valid, every problem with its line when not.
    Validate {
        /// The scenario file (TOML), or a workbook of it (.xlsx).
        file: PathBuf,
        #[command(flatten)]
        lang: launch::LangArgs,
    },
    /// Write a scenario out as a workbook (FILE.xlsx: the exercise, participants, stages, slots
    /// and the MSEL, with drop-down lists), or its MSEL alone (FILE.csv).
    Export {
        /// The workbook (.xlsx) or MSEL (.csv) to write.
        out: PathBuf,
        /// The scenario to write out.
        #[arg(long, default_value = "scenarios/cst-2025.toml")]
        scenario: PathBuf,
    },
    /// Read a workbook (FILE.xlsx), or an MSEL (FILE.csv) into --scenario's stages, as a scenario
    /// file; every problem is named by its sheet, row and column.
    Import {
        /// The workbook (.xlsx) or MSEL (.csv) to read.
        file: PathBuf,
        /// For an MSEL (.csv): the scenario whose injects it replaces.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// The scenario file (TOML) to write.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    // The command prints its own progress; logs are for problems.
    launch::telemetry::init("warn");
    let command = Cli::parse().command;
    match &command {
        Command::Scenario { command: ScenarioCommand::Validate { file, lang } } => return validate(lang.lang(), file),
        Command::Scenario { command: ScenarioCommand::Export { out, scenario } } => {
            return plans::report(plans::export(scenario, out));
        }
        Command::Scenario { command: ScenarioCommand::Import { file, scenario, out } } => {
            return plans::report(plans::import(file, scenario.as_deref(), out));
        }
        _ => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("muster: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let done = match command {
            Command::Run(args) => run::run(args).await,
            Command::Start { target, reason, lang } => {
                control::send(&target, seat::Control::Start, None, reason, lang.lang()).await
            }
            Command::Pause { target, reason, window, lang } => {
                control::send(&target, seat::Control::Pause, Some(window), reason, lang.lang()).await
            }
            Command::Resume { target, reason, window, lang } => {
                control::send(&target, seat::Control::Resume, Some(window), reason, lang.lang()).await
            }
            Command::Advance { target, reason, window, lang } => {
                control::send(&target, seat::Control::Advance, Some(window), reason, lang.lang()).await
            }
            Command::Inject { target, inject, lang } => control::inject(&target, inject, lang.lang()).await,
            Command::Status { target, lang } => control::status(&target, &lang).await,
            Command::Identities { scenario, exercise, out, persons, console, renew, nats_names, authority } => {
                let console_names = host(&console).filter(|h| !["localhost", "127.0.0.1", "::1"].contains(&h.as_str()));
                let names = identity::certs::Names { nats: nats_names, console: console_names.into_iter().collect() };
                let certificates = identity::Certificates { renew, names, authority };
                identities(&scenario, &exercise, &out, &persons, &console, &certificates)
            }
            Command::Provision { target, replicas, lease_ttl_ms } => {
                control::provision(&target, replicas, std::time::Duration::from_millis(lease_ttl_ms)).await
            }
            Command::Export { target, out } => export(&target, &out).await,
            Command::Package { target, out, lang } => package(&target, out, &lang).await,
            Command::Verify { file, exercise, bus, trust, receipts, checkpoint } => {
                let kept = verify::Kept { receipts: receipts.as_deref(), checkpoint: checkpoint.as_deref() };
                return verify_record(file.as_deref(), exercise, bus, trust.as_deref(), kept).await;
            }
            Command::Scenario { .. } => Ok(()),
        };
        done.map(|()| ExitCode::SUCCESS)
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            match e.downcast_ref::<scenario::ScenarioError>() {
                Some(scenario::ScenarioError::Invalid { .. }) => eprintln!("{e}"),
                _ => eprintln!("muster: {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// The host of a URL (`https://muster.example.org:7480/` → `muster.example.org`).
fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    (!host.is_empty()).then(|| host.to_owned())
}

fn identities(
    file: &std::path::Path,
    exercises: &[bus::ExerciseId],
    out: &std::path::Path,
    persons: &[bus::NodeId],
    console: &str,
    certificates: &identity::Certificates,
) -> anyhow::Result<()> {
    let mut scenario = scenario::load(file)?;
    for node in persons {
        scenario.seat_person(node).map_err(|e| anyhow::anyhow!("--person {node}: {e} ({})", file.display()))?;
    }
    let listed: Vec<identity::Exercise<'_>> =
        exercises.iter().map(|id| identity::Exercise { id, scenario: &scenario }).collect();
    let issued = identity::issue_with(out, &listed, Default::default(), certificates)?;
    let lang = words::Lang::from_env();
    let said = [
        ("keys", words::Arg::from(issued.keys.len())),
        ("auth", words::Arg::from(issued.authorization.display().to_string())),
        ("dir", words::Arg::from(out.display().to_string())),
    ];
    println!("{}", words::say_with(lang, "identities-written", &said));
    let layout = identity::certs::Layout(out.to_owned());
    let expires = |path: PathBuf| {
        std::fs::read_to_string(&path).ok().and_then(|pem| identity::certs::expires(&pem)).unwrap_or_else(|| "?".into())
    };
    let said =
        [("until", words::Arg::from(expires(layout.nats().0))), ("authority", words::Arg::from(expires(layout.ca())))];
    println!("{}", words::say_with(lang, "identities-valid", &said));
    if certificates.renew {
        println!("{}", words::say(lang, "identities-links-kept"));
        return Ok(());
    }
    println!("{}", words::say(lang, "identities-links"));
    let remote_console = words::say(lang, "identities-remote-console");
    for invite in &issued.invites {
        let remote = scenario.participant(&invite.seat).is_some_and(|p| p.transport == scenario::Transport::Grpc);
        let link = invite.link(if remote { &remote_console } else { console });
        println!("  {:<16} {link}", invite.seat.as_str());
    }
    Ok(())
}

async fn package(target: &control::Target, out: Option<PathBuf>, lang: &launch::LangArgs) -> anyhow::Result<()> {
    let record = target.record("muster-package").await?;
    let lang = lang.lang_or(record.plan.as_ref().map_or("", |p| p.language.as_str()));
    let package = report::package::build_in(lang, target.exercise.as_str(), &record)
        .map_err(|e| anyhow::anyhow!("exercise {}: {e}", target.exercise))?;
    let out = out.unwrap_or_else(|| PathBuf::from("out").join(target.exercise.as_str()).join("package"));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let write = |name: &str, text: String| {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    write("package.json", serde_json::to_string_pretty(&package)?)?;
    write("package.md", report::package::markdown(&package))?;
    write("package.html", report::package::html(&package))?;
    let said = [
        ("exercise", words::Arg::from(target.exercise.as_str())),
        ("id", words::Arg::from(package.package_id.as_str())),
        ("count", words::Arg::from(package.items.len())),
        ("digest", words::Arg::from(package.digest.as_str())),
        ("dir", words::Arg::from(out.display().to_string())),
    ];
    println!("{}", words::say_with(lang, "cli-package-written", &said));
    Ok(())
}

async fn export(target: &control::Target, out: &std::path::Path) -> anyhow::Result<()> {
    let log = target.log("muster-export").await?;
    let events: Vec<bus::Envelope> = log.into_iter().map(|d| d.envelope).collect::<Result<_, _>>()?;
    verify::write(out, &events)?;
    println!("{}: {} events written to {}", target.exercise, events.len(), out.display());
    Ok(())
}

async fn verify_record(
    file: Option<&std::path::Path>,
    exercise: Option<bus::ExerciseId>,
    bus: launch::BusArgs,
    trust: Option<&std::path::Path>,
    kept: verify::Kept<'_>,
) -> anyhow::Result<ExitCode> {
    let coordinator = match trust {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        None => bus.trust()?.context("give --trust coordinator.pub (or --nkey from the identities folder)")?,
    };
    let (events, source) = match (file, exercise) {
        (Some(file), _) => (verify::read(file)?, file.display().to_string()),
        (None, Some(exercise)) => {
            let target = control::Target { exercise, bus };
            let log = target.log("muster-verify").await?;
            let events = log.into_iter().map(|d| d.envelope).collect::<Result<Vec<_>, _>>()?;
            (events, format!("exercise {}", target.exercise))
        }
        (None, None) => anyhow::bail!("give --file or --exercise"),
    };
    let coordinator = coordinator.trim();
    let verified = verify::check(&events, coordinator).map_err(|finding| anyhow::anyhow!("{source}: {finding}"))?;
    println!(
        "{source}: {} events verified: chain intact, every event covered by a checkpoint of the coordinator, every submission signed by its seat",
        verified.events - verified.passed_over.len()
    );
    if !verified.passed_over.is_empty() {
        let places: Vec<String> = verified.passed_over.iter().map(ToString::to_string).collect();
        println!(
            "{source}: events {} passed over: no checkpoint covers them, so no reader acted on them (a batch its leader did not finish, or someone else's writing)",
            places.join(", ")
        );
    }
    if let Some((checkpoint, signature)) = &verified.checkpoint {
        println!("{source}: final hash {} (event {})", bus::receipt::hex(&verified.last), checkpoint.size);
        let note = checkpoint.note(coordinator, signature).context("the coordinator's key is not a public key")?;
        match kept.checkpoint {
            Some(path) => {
                std::fs::write(path, &note).with_context(|| format!("writing {}", path.display()))?;
                println!("{source}: its last checkpoint written to {}", path.display());
            }
            None => print!("{source}: its last checkpoint:\n{note}"),
        }
    }
    let mut code = ExitCode::SUCCESS;
    if verified.complete {
        println!("{source}: complete: it ends with the exercise's conclusion");
    } else {
        println!(
            "{source}: INCOMPLETE: it ends at event {} ({}) without the exercise's conclusion: an export cut short, or an exercise still running",
            verified.events, verified.phase
        );
        code = ExitCode::from(EXIT_INCOMPLETE);
    }
    if let Some(path) = kept.receipts {
        let receipts = verify::read_receipts(path)?;
        let unheard = verify::check_receipts(&events, &receipts, coordinator);
        if !unheard.is_empty() {
            for u in &unheard {
                println!("{source}: NOT IN THE RECORD: {u}");
            }
            anyhow::bail!(
                "{source}: {} of {} receipts in {} are not borne out by the record",
                unheard.len(),
                receipts.len(),
                path.display()
            );
        }
        println!("{source}: {} receipts in {}: every one names an event of the record", receipts.len(), path.display());
    }
    Ok(code)
}

fn validate(lang: words::Lang, file: &std::path::Path) -> ExitCode {
    if plans::is_workbook(file) {
        return match plans::read(file, None) {
            Ok(imported) => {
                print!("{}", summary::render(lang, &imported.scenario, file));
                ExitCode::SUCCESS
            }
            Err(e) => plans::report(Err(e)),
        };
    }
    match scenario::load(file) {
        Ok(scenario) => {
            print!("{}", summary::render(lang, &scenario, file));
            ExitCode::SUCCESS
        }
        Err(scenario::ScenarioError::Invalid { file, problems }) => {
            for problem in &problems {
                eprintln!("{file}:{problem}");
            }
            eprintln!("{file}: {} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" });
            ExitCode::from(EXIT_INVALID_DATA)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(EXIT_INVALID_DATA)
        }
    }
}
