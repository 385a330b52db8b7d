//! Where an exercise stands in its flow.

use std::fmt;

use proto::v1 as wire;

/// The phase of an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Phase {
    /// Not started: the log is empty.
    NotStarted,
    /// Notified; assembly reports come in.
    Assembly,
    /// Control points activate and check communications.
    Deployment,
    /// Stage number n (1-based) is running.
    Stage(u32),
    /// The package is out; receipts come in.
    Distribution,
    /// Over.
    Concluded,
}

impl Phase {
    /// The wire phase and stage number.
    pub fn to_wire(self) -> (wire::Phase, u32) {
        match self {
            Phase::NotStarted => (wire::Phase::Unspecified, 0),
            Phase::Assembly => (wire::Phase::Assembly, 0),
            Phase::Deployment => (wire::Phase::Deployment, 0),
            Phase::Stage(n) => (wire::Phase::Stage, n),
            Phase::Distribution => (wire::Phase::Distribution, 0),
            Phase::Concluded => (wire::Phase::Concluded, 0),
        }
    }

    /// The phase a `PhaseChanged` announces.
    pub fn from_wire(changed: &wire::PhaseChanged) -> Phase {
        match changed.phase() {
            wire::Phase::Unspecified => Phase::NotStarted,
            wire::Phase::Assembly => Phase::Assembly,
            wire::Phase::Deployment => Phase::Deployment,
            wire::Phase::Stage => Phase::Stage(changed.stage_number),
            wire::Phase::Distribution => Phase::Distribution,
            wire::Phase::Concluded => Phase::Concluded,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phase::NotStarted => f.write_str("not started"),
            Phase::Assembly => f.write_str("assembly"),
            Phase::Deployment => f.write_str("deployment"),
            Phase::Stage(n) => write!(f, "stage {n}"),
            Phase::Distribution => f.write_str("distribution"),
            Phase::Concluded => f.write_str("concluded"),
        }
    }
}

/// Phase and pause, kept together because `PhaseChanged` carries both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PhaseState {
    /// The phase.
    pub phase: Phase,
    /// Held by exercise control.
    pub paused: bool,
}

impl Default for PhaseState {
    fn default() -> Self {
        PhaseState { phase: Phase::NotStarted, paused: false }
    }
}
