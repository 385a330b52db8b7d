//! The headquarters' console: a place in the browser for the director, for the drafting bodies
//! and states that people play on the bus, and for the observers. Each person's seat runs here
//! with its own identity (its own NATS connection and key), so the bus's permissions and the
//! coordinator's signature checks apply to it as to any seat.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, ExerciseId, NodeId, Role, Sender};
use clap::Parser;
use console::{Console, Hosted, Live, Others};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use scenario::{PlayedBy, Transport};
use seat::link::Event;
use seat::{BusLink, Mind};

#[derive(Debug, Parser)]
#[command(
    name = "console",
    about = "The Muster console of the headquarters: the director's, the drafting bodies' and the observers' seats in the browser"
)]
struct Args {
    #[command(flatten)]
    bus: launch::BusArgs,
    #[command(flatten)]
    exercise: launch::ExerciseArgs,
    /// Folder with the seats' keys (`<node>.nk`), `coordinator.pub` and the invites (`muster
    /// identities` writes it); the folder of --nkey when not given.
    #[arg(long, env = "MUSTER_IDENTITIES")]
    identities: Option<PathBuf>,
    /// Where the seats people take keep the coordinator's receipts (`<DIR>/<node>.receipts`).
    #[arg(long, value_name = "DIR", env = "MUSTER_RECEIPTS")]
    receipts: Option<PathBuf>,
    /// Where to listen; loopback unless told otherwise.
    #[arg(long, env = "MUSTER_CONSOLE_LISTEN", default_value = "127.0.0.1:7480")]
    listen: SocketAddr,
    #[command(flatten)]
    console: console::cli::ConsoleArgs,
    #[command(flatten)]
    persons: launch::PersonArgs,
    #[command(flatten)]
    ops: ops::OpsArgs,
}

/// The exercises on the server, read with the console's own identity.
struct BusOthers(Bus);

impl Others for BusOthers {
    fn exercises(&self) -> BoxFuture<'static, Vec<ExerciseId>> {
        let bus = self.0.clone();
        Box::pin(async move {
            bus.exercises().await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot list the exercises");
                Vec::new()
            })
        })
    }

    fn events(&self, exercise: &ExerciseId, from: u64) -> BoxStream<'static, Event> {
        seat::link::bus_events(&self.0, exercise, from)
    }
}

/// Follows the seats' presence for the director's readiness view.
async fn hear_presence(
    bus: &Bus,
    exercise: &ExerciseId,
    presences: Arc<console::ready::Presences>,
) -> anyhow::Result<()> {
    use futures::StreamExt as _;
    let mut heard = bus::presence::hear(bus, exercise).await.context("hearing the seats' presence")?;
    tokio::spawn(async move {
        while let Some((seat, presence)) = heard.next().await {
            presences.heard(&seat, presence);
        }
    });
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    ops::probe_if_asked();
    launch::telemetry::init("info");
    let args = Args::parse();
    let ready = args.ops.start().await?;
    let mut scenario = args.exercise.scenario()?;
    args.persons.apply(&mut scenario).map_err(anyhow::Error::msg)?;
    let exercise = args.exercise.exercise.clone();
    let identities = match (&args.identities, &args.bus.nkey) {
        (Some(dir), _) => dir.clone(),
        (None, Some(nkey)) => nkey.parent().map(PathBuf::from).unwrap_or_default(),
        (None, None) => anyhow::bail!("give --identities (the folder `muster identities` wrote) or --nkey"),
    };
    let keyring = identity::Keyring::open(&identities)?;
    let trust = keyring.coordinator().ok();
    if trust.is_none() {
        tracing::warn!(%exercise, identities = %identities.display(),
            "no coordinator.pub beside console.nk: events are shown without checking the coordinator's seals");
    }
    let bus = Bus::connect(&args.bus.settings("muster-console")?).await.context("connecting as the console")?;
    let live = Live::follow(exercise.clone(), seat::link::bus_events(&bus, &exercise, 1), trust.clone());

    // The director, the planner, and every seat a person plays on the bus here; observers read only.
    let mut seats = BTreeMap::new();
    seats.insert(NodeId::new(bus::names::PLANNER)?, Hosted::planner(words::every("run-planner")));
    let director = NodeId::new(bus::names::DIRECTOR)?;
    let mut people = vec![(Sender::new(Role::Coordinator, director.clone()), words::every("run-director"))];
    for p in &scenario.participants {
        if p.role == Role::Observer {
            seats.insert(p.node.clone(), Hosted::new(p.role, p.name.clone(), None));
        } else if p.played_by == PlayedBy::Person && p.transport == Transport::Nats {
            people.push((Sender::new(p.role, p.node.clone()), p.name.clone()));
        }
    }
    for (me, name) in people {
        let credentials =
            keyring.credentials(me.node.as_str()).with_context(|| format!("the key of seat {}", me.node))?;
        let key = Some(Arc::new(credentials.key_pair()?));
        let settings = ConnectSettings::new(&args.bus.nats, format!("muster-console-{}", me.node))
            .with_credentials(Some(credentials))
            .with_authority(args.bus.nats_ca.clone());
        let seat_bus = Bus::connect(&settings).await.with_context(|| format!("connecting as seat {}", me.node))?;
        let link = BusLink::new(seat_bus, exercise.clone(), &me).await?;
        let (desk, inbox) = seat::desk();
        let receipts = args.receipts.as_deref().map(|dir| seat::cli::receipts_file(dir, &me.node));
        let settings = seat::Settings {
            exercise: exercise.clone(),
            me: me.clone(),
            processed: None,
            key,
            trust: trust.clone(),
            receipts,
        };
        let (ex, node) = (exercise.clone(), me.node.clone());
        tokio::spawn(async move {
            if let Err(e) = seat::run(Arc::new(link), settings, Mind::Person(inbox), std::future::pending()).await {
                tracing::warn!(exercise = %ex, %node, error = %e, "seat stopped");
            }
        });
        seats.insert(me.node.clone(), Hosted::new(me.role, name, Some(desk)));
    }
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let mut console = Console::new(exercise.clone(), live, seats, identities.clone(), args.console.sessions(addr)?);
    console.preview = Some((scenario.title.clone(), scenario.description.clone()));
    console.roster = scenario.participants.clone();
    console.scenario = Some(scenario.clone());
    hear_presence(&bus, &exercise, console.presences.clone()).await?;
    console.others = Some((Arc::new(BusOthers(bus)), trust));
    let tls = args.console.tls()?;
    println!("console: {}://{addr} (exercise {exercise})", if tls.is_some() { "https" } else { "http" });
    ready.set(true);
    console::cli::serve(console, listener, tls, launch::telemetry::shutdown_signal()).await?;
    Ok(())
}
