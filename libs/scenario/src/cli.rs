//! The command-line arguments every exercise service takes (coordinator, participants, observer):
//! where the bus is, which exercise, its scenario, and the time scale. Flattened into each binary's
//! own arguments.

use std::path::PathBuf;

use bus::ExerciseId;

use crate::{Scenario, ScenarioError};

/// Where the bus is and which exercise of which scenario to serve.
#[derive(Debug, Clone, clap::Args)]
pub struct ExerciseArgs {
    /// NATS server URL (several, comma-separated, for a cluster).
    #[arg(long, env = "MUSTER_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
    /// The exercise id.
    #[arg(long, env = "MUSTER_EXERCISE")]
    pub exercise: ExerciseId,
    /// The scenario file.
    #[arg(long, env = "MUSTER_SCENARIO")]
    pub scenario: PathBuf,
    /// Exercise seconds per wall second; the scenario's own scale when not given.
    #[arg(long, env = "MUSTER_TIME_SCALE")]
    pub time_scale: Option<f64>,
}

impl ExerciseArgs {
    /// Loads the scenario; returns it with the time scale in force.
    pub fn load(&self) -> Result<(Scenario, f64), ScenarioError> {
        let scenario = crate::load(&self.scenario)?;
        let time_scale = self.time_scale.unwrap_or(scenario.time_scale);
        Ok((scenario, time_scale))
    }
}
