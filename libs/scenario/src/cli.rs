//! The command-line arguments the exercise services share, flattened into each binary's own:
//! where the bus is, and which exercise of which scenario.

use std::path::PathBuf;

use bus::ExerciseId;

use crate::{Scenario, ScenarioError};

/// Where the bus is.
#[derive(Debug, Clone, clap::Args)]
pub struct BusArgs {
    /// NATS server URL (several, comma-separated, for a cluster).
    #[arg(long, env = "MUSTER_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
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
