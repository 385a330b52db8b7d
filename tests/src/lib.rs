//! The shared test harness: a real NATS with JetStream per test, started through testcontainers
//! from the locally built `muster/nats` image (`make nats-image`), on a random host port, removed
//! when the handle drops. Authentication is on as in every deployment: the server admits the
//! identities issued for the test's exercises, each service connects as its own, and the test's
//! own probe connects as `harness`, an identity only test servers know.
//!
//! - [`nats`]: the server (or a cluster of three) in containers, the identities it admits;
//! - [`exercise`](mod@exercise): whole exercises as tasks ([`Run`], [`Running`], [`run_exercise`]);
//! - [`probe`]: the test's own connection, playing any participant and reading the log;
//! - [`grpc`]: national nodes' links, the gateway, certificates, a proxy that cuts a link;
//! - [`process`]: Muster's binaries as processes;
//! - [`log`]: what tests check of a log;
//! - [`expect`]: what an exercise must come to, worked out from its scenario;
//! - [`wait`]: how a test waits ([`within`], [`eventually`]);
//! - [`compose`], [`browser`]: the shipped deployment, and a real browser.

pub mod browser;
pub mod compose;
pub mod exercise;
pub mod expect;
pub mod grpc;
pub mod log;
pub mod nats;
pub mod probe;
pub mod process;
pub mod wait;

pub use exercise::*;
pub use grpc::*;
pub use log::*;
pub use nats::*;
pub use probe::*;
pub use process::*;
pub use wait::*;
