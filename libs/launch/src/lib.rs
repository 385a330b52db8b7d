//! What every Muster process starts with.
//!
//! - [`cli`]: the command-line arguments the services share (the bus and who connects to it,
//!   which exercise of which scenario, the seats people take, the language people read), and the
//!   identity they name;
//! - [`telemetry`]: logging and traces, set up once per binary, and the shutdown signal;
//! - [`local`]: a local `nats-server` process for development runs, the tests and the benchmarks.

pub mod cli;
pub mod local;
pub mod telemetry;

pub use cli::{BusArgs, ExerciseArgs, LangArgs, PersonArgs};
