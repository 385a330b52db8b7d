//! The scenario file as serde reads it. Every field is optional here so that validation can
//! report all missing and wrong fields at once, each with its line.

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScenarioFile {
    /// Title, for people.
    pub title: Option<String>,
    /// What the exercise is about.
    pub description: Option<String>,
    /// Exercise time of the start as the director writes it (e.g. `2025-03-17 09:00 MSK`); for reports.
    pub starts: Option<String>,
    /// Exercise seconds per wall second.
    pub time_scale: Option<f64>,
    /// `consensus` or `silence`.
    pub decision_rule: Option<String>,
    /// Deadlines of the phases around the stages.
    pub deadlines: Option<DeadlinesFile>,
    /// Everyone who takes part.
    pub participants: Vec<ParticipantFile>,
    /// The stages, in order.
    pub stages: Vec<StageFile>,
}

/// Phase deadlines, as exercise time after the start.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeadlinesFile {
    /// Assembly closes.
    pub assembly: Option<String>,
    /// Deployment and communications checks close.
    pub deployment: Option<String>,
    /// Receipts of the package are due.
    pub distribution: Option<String>,
}

/// One participant.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ParticipantFile {
    /// Role token, e.g. `control_point`.
    pub role: Option<String>,
    /// Node id, e.g. `BY`.
    pub node: Option<String>,
    /// Name for people.
    pub name: Option<String>,
    /// Whether assembly waits for it (default true).
    pub mandatory: Option<bool>,
    /// Declared absent: it will not answer.
    pub absent: Option<bool>,
    /// `nats` (default) or `grpc`.
    pub transport: Option<String>,
    /// `policy` (default: the automated participant) or `person` (through the console).
    pub played_by: Option<String>,
    /// How the automated participant behaves.
    pub policy: Option<PolicyFile>,
}

/// An automated participant's behaviour.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PolicyFile {
    /// Slots whose first draft version this state does not concur with.
    pub non_concur_first_version: Vec<String>,
    /// Slots this state stands aside on.
    pub abstain: Vec<String>,
    /// Slots this state objects to in every version.
    pub object: Vec<String>,
    /// Slots a drafting body leaves empty, or a state gives no position on.
    pub skip: Vec<String>,
    /// Exercise time the participant takes to answer.
    pub answer_delay: Option<String>,
    /// A guest gives positions on drafts only when this is true.
    pub gives_positions: Option<bool>,
}

/// One stage.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageFile {
    /// Title.
    pub title: Option<String>,
    /// Region of collective security.
    pub region: Option<String>,
    /// The situation.
    pub situation: Option<String>,
    /// Tasks to work out.
    pub tasks: Vec<String>,
    /// When the stage closes for consideration, exercise time after the start.
    pub closes: Option<String>,
    /// Slots for draft decisions.
    pub slots: Vec<SlotFile>,
}

/// One slot.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SlotFile {
    /// Unique id, e.g. `s1-01`.
    pub id: Option<String>,
    /// Title of the decision.
    pub title: Option<String>,
    /// Owning drafting body's role token.
    pub owner: Option<String>,
    /// Category token.
    pub category: Option<String>,
}
