//! The command-line arguments the exercise services share, flattened into each binary's own:
//! where the bus is, and which exercise of which scenario.

use std::path::PathBuf;

use bus::ExerciseId;

use crate::{Scenario, ScenarioError};

/// Where the bus is, and who connects to it.
#[derive(Debug, Clone, clap::Args)]
pub struct BusArgs {
    /// NATS server URL (several, comma-separated, for a cluster).
    #[arg(long, env = "MUSTER_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
    /// This identity's nkey seed file (`<name>.nk`, written by `muster identities`).
    #[arg(long, env = "MUSTER_NKEY")]
    pub nkey: Option<PathBuf>,
}

impl BusArgs {
    /// The identity to connect as, read from `--nkey`.
    pub fn credentials(&self) -> Result<Option<bus::Credentials>, bus::BusError> {
        self.nkey.as_deref().map(bus::Credentials::load).transpose()
    }

    /// Connection settings named `name`, as this identity.
    pub fn settings(&self, name: impl Into<String>) -> Result<bus::ConnectSettings, bus::BusError> {
        Ok(bus::ConnectSettings::new(&self.nats, name).with_credentials(self.credentials()?))
    }
}

/// Which exercise, of which scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct ExerciseArgs {
    /// The exercise id.
    #[arg(long, env = "MUSTER_EXERCISE")]
    pub exercise: ExerciseId,
    /// The scenario file.
    #[arg(long, env = "MUSTER_SCENARIO")]
    pub scenario: PathBuf,
}

impl ExerciseArgs {
    /// Loads and validates the scenario.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        crate::load(&self.scenario)
    }
}

/// Seats handed to people on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct PersonArgs {
    /// Hand this seat (a node of the scenario) to a person: nothing automated plays it. Repeat
    /// for several.
    #[arg(long = "person", value_name = "NODE")]
    pub persons: Vec<bus::NodeId>,
}

impl PersonArgs {
    /// Seats the persons in `scenario`; the error names the flag and why.
    pub fn apply(&self, scenario: &mut Scenario) -> Result<(), String> {
        for node in &self.persons {
            scenario.seat_person(node).map_err(|e| format!("--person {node}: {e}"))?;
        }
        Ok(())
    }
}
