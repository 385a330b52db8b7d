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
        Phase::from_parts(changed.phase(), changed.stage_number)
    }

    /// The window an exercise-control command names when it is decided on this phase.
    pub fn window(self) -> wire::Window {
        let (phase, stage_number) = self.to_wire();
        wire::Window { phase: phase as i32, stage_number }
    }

    /// The phase a command's window names.
    pub fn of_window(window: &wire::Window) -> Phase {
        Phase::from_parts(window.phase(), window.stage_number)
    }

    fn from_parts(phase: wire::Phase, stage_number: u32) -> Phase {
        match phase {
            wire::Phase::Unspecified => Phase::NotStarted,
            wire::Phase::Assembly => Phase::Assembly,
            wire::Phase::Deployment => Phase::Deployment,
            wire::Phase::Stage => Phase::Stage(stage_number),
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

impl Phase {
    /// Its kind as a token (`stage`, without its number), for messages that say it in a language.
    pub fn token(self) -> &'static str {
        match self {
            Phase::NotStarted => "not_started",
            Phase::Assembly => "assembly",
            Phase::Deployment => "deployment",
            Phase::Stage(_) => "stage",
            Phase::Distribution => "distribution",
            Phase::Concluded => "concluded",
        }
    }

    /// The phase as `lang` names it (`stage 2`, `этап 2`).
    pub fn say(self, lang: words::Lang) -> String {
        match self {
            Phase::NotStarted => words::say(lang, "phase-not-started"),
            Phase::Assembly => words::say(lang, "phase-assembly"),
            Phase::Deployment => words::say(lang, "phase-deployment"),
            Phase::Stage(n) => words::say_with(lang, "phase-stage", &[("stage", words::Arg::from(n))]),
            Phase::Distribution => words::say(lang, "phase-distribution"),
            Phase::Concluded => words::say(lang, "phase-concluded"),
        }
    }
}

/// A window as people name it: `assembly`, `deployment`, `stage 2` (or `stage-2`), `distribution`.
impl std::str::FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Phase, String> {
        let s = s.trim().to_ascii_lowercase();
        let stage = s.strip_prefix("stage").map(|n| n.trim_start_matches([' ', '-']).parse::<u32>());
        match (s.as_str(), stage) {
            ("assembly", _) => Ok(Phase::Assembly),
            ("deployment", _) => Ok(Phase::Deployment),
            ("distribution", _) => Ok(Phase::Distribution),
            (_, Some(Ok(n))) if n > 0 => Ok(Phase::Stage(n)),
            _ => Err(format!("`{s}` is not a window: assembly, deployment, stage N or distribution")),
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
