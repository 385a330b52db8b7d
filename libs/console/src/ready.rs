//! Who is at their post before the start: each seat of the scenario, as its own presence says
//! (see [`bus::presence`]): its program running, and for a seat a person plays, whether and since
//! when that person is signed in at its console.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

use bus::{NodeId, Role, Sender};
use proto::v1 as wire;
use scenario::{Participant, PlayedBy};

/// The presences heard, by seat.
#[derive(Debug, Default)]
pub struct Presences(Mutex<BTreeMap<NodeId, (Role, Instant, wire::Presence)>>);

impl Presences {
    /// `seat` said it is present.
    pub fn heard(&self, seat: &Sender, presence: wire::Presence) {
        let mut heard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        heard.insert(seat.node.clone(), (seat.role, Instant::now(), presence));
    }

    /// Where `participant`'s seat stands now.
    pub fn of(&self, participant: &Participant) -> Seat {
        if participant.absent {
            return Seat::DeclaredAbsent;
        }
        let heard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let recent = heard
            .get(&participant.node)
            .filter(|(role, at, _)| *role == participant.role && at.elapsed() < bus::presence::FORGOTTEN_AFTER);
        let Some((_, _, presence)) = recent else { return Seat::Unheard };
        let since = presence.person_since.and_then(|t| SystemTime::try_from(t).ok());
        match (participant.played_by, since) {
            (PlayedBy::Person, Some(since)) => Seat::SignedIn(since),
            (PlayedBy::Person, None) => Seat::Empty,
            (PlayedBy::Policy, _) => Seat::Policy,
        }
    }
}

/// A seat before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seat {
    /// Its person is signed in, since then.
    SignedIn(SystemTime),
    /// Its policy plays it, and runs.
    Policy,
    /// Its program runs, but no person is signed in at its console.
    Empty,
    /// Nothing heard of it lately: its program (or its national node) is not running or not
    /// connected.
    Unheard,
    /// The scenario declares it absent: nothing is expected of it.
    DeclaredAbsent,
}

impl Seat {
    /// Whether the seat is taken (or nothing is expected of it).
    pub fn ready(self) -> bool {
        matches!(self, Seat::SignedIn(_) | Seat::Policy | Seat::DeclaredAbsent)
    }
}

/// Each seat of `roster` with where it stands (observers read, and nothing waits for them: they
/// are not listed).
pub fn seats<'a>(roster: &'a [Participant], presences: &Presences) -> Vec<(&'a Participant, Seat)> {
    roster.iter().filter(|p| p.role != Role::Observer).map(|p| (p, presences.of(p))).collect()
}

/// The names of the seats of `roster` not ready, in `l`.
pub fn empty(l: words::Lang, seats: &[(&Participant, Seat)]) -> Vec<String> {
    seats.iter().filter(|(_, seat)| !seat.ready()).map(|(p, _)| p.name.in_lang(l).to_string()).collect()
}
