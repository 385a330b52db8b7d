//! The automated participant, for runs with no people at the keyboard: drafting bodies, control
//! points and guests follow the exercise's events and answer as their scenario policy says.
//!
//! - [`policy`]: what a participant answers to each event (pure);
//! - [`runner`]: the I/O: follow events, submit with retries, log refusals;
//! - [`cli`]: the command line of the participant binaries.

pub mod cli;
pub mod policy;
pub mod runner;

pub use runner::{AgentError, Settings, run};
