//! The record of an exercise: the meaning of its event log, folded once.
//!
//! - [`plan`]: what the notification says about the scenario in force (participants, stages,
//!   slots, deadlines, rule, clock), so no reader needs the scenario file;
//! - [`phase`]: where an exercise stands;
//! - [`fold`]: [`Record`], the log folded one event at a time, with exercise time on everything;
//! - [`awaited`]: what the current window awaits of whom, and how long answers took;
//! - [`comments`]: comment resolution: comments, dispositions, what stays open;
//! - [`package`]: the package's digest, as the coordinator records it and anyone checks it;
//! - [`seen`]: the ids of the events applied, by which repeats are known.
//!
//! The coordinator's state is a [`Record`]; the gateway's queries, `muster status`, the observer's
//! report and the participants read the same fold, so they cannot disagree.

pub mod awaited;
pub mod comments;
pub mod fold;
mod hint;
pub mod injects;
pub mod moment;
pub mod package;
pub mod phase;
pub mod plan;
pub mod released;
pub mod seen;

pub use awaited::{AnswerKind, AnswerTime, Awaited, Task};
pub use comments::{Comment, Resolution, Step};
pub use fold::{Answered, Draft, Entry, Happening, Held, Moment, Record, Tally, Version, coordinator};
pub use phase::{Phase, PhaseState};
pub use plan::{FAST_TIME_SCALE, Keys, Mode, Participant, Plan, PlanError};
pub use released::Released;
pub use seen::Seen;
