//! The Muster console: a place in the browser for every seat a person takes. A router that a
//! seat's host mounts: the headquarters' console process hosts the director, the drafting bodies
//! played by people and the observers; a national node mounts the same router for its own seat,
//! so a delegation's browser talks only to its own site.
//!
//! - [`live`]: the exercise's log followed once, folded into the record, announced to every page;
//! - [`auth`]: sessions from invite links, and the refusal of cross-site posts;
//! - [`pages`]: the pages, rendered on the server from the record;
//! - [`web`]: the routes: pages, forms (each an action put into the seat's desk, so the seat
//!   signs and submits it as itself), the live link (Server-Sent Events that resume from the last
//!   sequence), the report;
//! - [`diff`]: what changed between two versions of a draft, word by word;
//! - [`feed`]: one line of words per event; [`refusal`]: refusals as sentences;
//! - [`ready`]: who is at their post before the start, from the seats' presence;
//! - [`plan`]: the plan the planner prepares (a workbook, a scenario file or an MSEL uploaded,
//!   read, its problems listed) and hands to the director, who starts with it;
//! - [`serve`]: HTTP on a listener, TLS when given a certificate; [`cli`]: the hosts' arguments.

pub mod auth;
pub mod cli;
pub mod diff;
pub mod feed;
pub mod live;
pub mod pages;
pub mod plan;
pub mod ready;
pub mod refusal;
pub mod serve;
pub mod web;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bus::{ExerciseId, NodeId, Role};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use seat::Desk;
use seat::link::Event;

pub use live::Live;
pub use serve::{Tls, serve};
pub use web::router;

/// A seat this console hosts.
#[derive(Debug)]
pub struct Hosted {
    /// Its role (`Coordinator` for the director).
    pub role: Role,
    /// Its name.
    pub name: words::Text,
    /// Where its person's actions go: the seat's driver signs and submits them. `None` for an
    /// observer, who submits nothing.
    pub desk: Option<Desk>,
    /// The planner's seat: prepares the plan and hands it to the director; submits nothing.
    pub plans: bool,
}

impl Hosted {
    /// A seat with its desk.
    pub fn new(role: Role, name: words::Text, desk: Option<Desk>) -> Hosted {
        Hosted { role, name, desk, plans: false }
    }

    /// The planner's seat.
    pub fn planner(name: words::Text) -> Hosted {
        Hosted { role: Role::Observer, name, desk: None, plans: true }
    }
}

/// Other exercises on the same server, for the director's list (the headquarters' console only).
pub trait Others: Send + Sync + 'static {
    /// The exercises on the server.
    fn exercises(&self) -> BoxFuture<'static, Vec<ExerciseId>>;
    /// One exercise's log from `from` on.
    fn events(&self, exercise: &ExerciseId, from: u64) -> BoxStream<'static, Event>;
}

/// One console: the exercise it hosts, its seats, sessions and invites.
pub struct Console {
    /// The hosted exercise.
    pub exercise: ExerciseId,
    /// Its log, followed.
    pub live: Arc<Live>,
    /// The scenario's title and description, shown before the notification.
    pub preview: Option<(words::Text, words::Text)>,
    /// The scenario's participants, whose readiness the director sees before the start.
    pub roster: Vec<scenario::Participant>,
    /// The seats' presence as heard (the host feeds it).
    pub presences: Arc<ready::Presences>,
    /// The seats hosted here, by node (`director` for exercise control).
    pub seats: BTreeMap<NodeId, Hosted>,
    /// Where the invites' hashes are (`muster identities` writes them).
    pub identities: PathBuf,
    /// The open sessions.
    pub sessions: auth::Sessions,
    /// Other exercises on the server, with the coordinator's key to trust in them.
    pub others: Option<(Arc<dyn Others>, Option<String>)>,
    /// The scenario the exercise was given: a plan handed over must keep its seats, and an MSEL
    /// uploaded alone goes into it.
    pub scenario: Option<scenario::Scenario>,
    /// The plan the planner prepared, and whether it was handed to the director.
    pub plan: Mutex<Option<plan::Prepared>>,
    boards: Mutex<BTreeMap<ExerciseId, Arc<Live>>>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").field("exercise", &self.exercise).field("seats", &self.seats.keys()).finish()
    }
}

/// Most other exercises followed at once for the director's boards.
const MAX_BOARDS: usize = 16;

impl Console {
    /// A console for `exercise`, hosting `seats`.
    pub fn new(
        exercise: ExerciseId,
        live: Arc<Live>,
        seats: BTreeMap<NodeId, Hosted>,
        identities: PathBuf,
        sessions: auth::Sessions,
    ) -> Console {
        Console {
            exercise,
            live,
            preview: None,
            roster: Vec::new(),
            presences: Arc::default(),
            seats,
            identities,
            sessions,
            others: None,
            scenario: None,
            plan: Mutex::default(),
            boards: Mutex::default(),
        }
    }

    /// Tells each seat hosted here whether, and since when, its person is signed in (the seat
    /// says so with its presence). Called at every sign-in and sign-out, and every few seconds
    /// while the console serves, so that a session that expires empties its seat.
    pub fn seat_people(&self) {
        for (node, hosted) in &self.seats {
            if let Some(desk) = &hosted.desk {
                desk.seat(self.sessions.seated(&self.exercise, node));
            }
        }
    }

    /// The live log of another exercise on the server, followed from now on.
    pub fn board(&self, exercise: &ExerciseId) -> Option<Arc<Live>> {
        if exercise == &self.exercise {
            return Some(self.live.clone());
        }
        let (others, trust) = self.others.as_ref()?;
        let mut boards = self.boards.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(live) = boards.get(exercise) {
            return Some(live.clone());
        }
        if boards.len() >= MAX_BOARDS
            && let Some(oldest) = boards.keys().next().cloned()
        {
            boards.remove(&oldest);
        }
        let live = Live::follow(exercise.clone(), others.events(exercise, 1), trust.clone());
        boards.insert(exercise.clone(), live.clone());
        Some(live)
    }
}
