//! The national node: a control point outside the headquarters that takes part over gRPC. It streams
//! the exercise's events from the gateway, answers as its scenario policy says (the same
//! `agent::policy` as the control points on the bus), reconnects with backoff and resumes its stream
//! from the last sequence it processed, so it misses nothing and sees nothing twice.

pub mod client;

pub use client::{ClientTls, NodeError, Settings, run};
