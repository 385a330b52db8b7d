//! The coordinator: exercise control, the only writer of exercise state.
//!
//! - [`machine`]: the pure state machine (`step`) over the exercise's record;
//! - [`config`]: what the machine runs with besides its state (keys, the communications secret);
//! - [`checks`]: what a submission must satisfy to be accepted;
//! - [`events`]: the events the coordinator writes, stamped with exercise time;
//! - [`windows`]: how windows close, consideration under the decision rule, the package;
//! - [`clock`]: exercise time from wall time, scale and pauses;
//! - [`lease`]: leadership among coordinator replicas;
//! - [`snapshot`]: the leader's state every so many events, from which a new leader starts;
//! - [`service`]: the I/O around it: submissions in, events and replies out.

pub mod checks;
pub mod clock;
pub mod config;
pub mod events;
pub mod injects;
pub mod lease;
pub mod machine;
pub mod service;
pub mod snapshot;
pub mod windows;

pub use record::{FAST_TIME_SCALE, Mode};
pub use service::{Settings, run, run_all};
