//! Scenarios as data: the TOML format a director writes, the validated model the services use,
//! and validation that names the file, line and field of every problem.
//!
//! - [`model`]: the validated scenario;
//! - [`file`]: the file format as serde reads it (every field optional, checked later);
//! - [`validate`]: file → model, collecting every problem;
//! - [`locate`]: a field path → its line in the file;
//! - [`duration`]: exercise-time durations such as `1d6h`;
//! - [`calendar`]: exercise time on the calendar (`18 Mar 2025 14:20 MSK`, `day 2, 05:20`);
//! - [`sketch`]: scenarios sketched in code, for the tests and the benchmarks;

pub mod calendar;
pub mod duration;
pub mod error;
pub mod file;
pub mod locate;
pub mod model;
pub mod sketch;
pub mod validate;

pub use calendar::Calendar;
pub use error::{Problem, ScenarioError};
pub use model::{
    Category, DecisionRule, DraftingBody, Inject, Participant, PlayedBy, Policy, Release, Scenario, Slot, Stage,
    Transport,
};
pub use sketch::Sketch;

use std::path::Path;

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError::Read { file: path.display().to_string(), reason: e.to_string() })?;
    parse(&text, &path.display().to_string())
}

/// Validates scenario text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let mut scenario =
        validate::scenario(text).map_err(|problems| ScenarioError::Invalid { file: file.to_owned(), problems })?;
    scenario.digest = digest(text);
    Ok(scenario)
}

/// The SHA-256 of scenario text, in hex: which version of a plan was played.
pub fn digest(text: &str) -> String {
    use sha2::Digest as _;
    bus::receipt::hex(&sha2::Sha256::digest(text.as_bytes()))
}
