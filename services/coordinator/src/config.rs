//! What the coordinator runs with besides its state: the scenario to start, the clock, the keys
//! submissions are checked against, and the secret each state's communications check derives from.

use std::sync::Arc;

use bus::{ExerciseId, NodeId, Sender};
use record::Mode;
use scenario::Scenario;
use sha2::{Digest, Sha256};

/// What the machine needs to know besides its state: what to start. Once started, the plan in
/// the log is what counts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its scenario (shared: at 10,000 states a scenario is megabytes, and so are its keys).
    pub scenario: Arc<Scenario>,
    /// How windows close.
    pub mode: Mode,
    /// Exercise seconds per wall second.
    pub time_scale: f64,
    /// The keys submissions are checked against (written into the plan).
    pub keys: Arc<record::Keys>,
    /// Where the states' communications-check tokens come from.
    pub comms: Comms,
    /// The exercise starts when the director says so (people take their seats first), not when
    /// the coordinator does.
    pub awaits_director: bool,
}

impl Config {
    /// The configuration of `exercise` of `scenario`: no keys (submissions unsigned), the
    /// communications secret of a coordinator without one, started by the coordinator itself.
    pub fn new(exercise: ExerciseId, scenario: Arc<Scenario>, mode: Mode, time_scale: f64) -> Config {
        Config {
            exercise,
            scenario,
            mode,
            time_scale,
            keys: Arc::default(),
            comms: Comms::default(),
            awaits_director: false,
        }
    }

    /// The coordinator as a sender.
    pub fn sender() -> Sender {
        record::coordinator()
    }
}

/// The communications check: each state echoes a token only it was sent (with the acceptance of
/// its assembly report, on its own reply subject), derived from a secret of the exercise's
/// coordinators, so nobody can guess another's and every replica derives the same.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comms {
    secret: Vec<u8>,
}

impl Comms {
    /// Tokens derived from `secret`; an empty secret gives every state the one public token
    /// `comms-<exercise>` (development without identities).
    pub fn new(secret: Vec<u8>) -> Self {
        Comms { secret }
    }

    /// Whether each state has its own token.
    pub fn per_state(&self) -> bool {
        !self.secret.is_empty()
    }

    /// The token `node` must echo.
    pub fn token(&self, exercise: &ExerciseId, node: &NodeId) -> String {
        if !self.per_state() {
            return self.shared(exercise);
        }
        let digest = Sha256::new()
            .chain_update(&self.secret)
            .chain_update(exercise.as_str())
            .chain_update([0])
            .chain_update(node.as_str())
            .finalize();
        digest.iter().take(10).map(|b| format!("{b:02x}")).collect()
    }

    /// What the deployment order announces: the public token, or nothing when each state has its own.
    pub fn shared(&self, exercise: &ExerciseId) -> String {
        if self.per_state() { String::new() } else { format!("comms-{exercise}") }
    }
}
