//! The coordinator: exercise control, the only writer of exercise state.
//!
//! - [`machine`]: the pure state machine (`step`, `evolve`);
//! - [`clock`]: exercise time from wall time, scale and pauses;
//! - [`lease`]: leadership among coordinator replicas;
//! - [`service`]: the I/O around it: submissions in, events and replies out.

pub mod clock;
pub mod lease;
pub mod machine;
pub mod service;

pub use machine::Mode;
pub use service::{Settings, run};

/// Exercise seconds per wall second in fast mode (ten exercise hours a second): windows that wait
/// for a silent participant end within a second, while stages close as soon as all is in.
pub const FAST_TIME_SCALE: f64 = 36_000.0;
