//! The seat: one participant of an exercise, whoever plays it.
//!
//! - [`actions`]: what a seat can do, each act built in one place, and its message id;
//! - [`driver`]: the one driver: follows the record over a link, takes actions from its mind,
//!   submits them, retries only what is worth retrying;
//! - [`link`]: how a seat reaches the exercise ([`link::BusLink`] inside the headquarters), and the
//!   two kinds of submission error;
//! - [`grpc`]: [`grpc::GrpcLink`], through the gateway from outside;
//! - [`mind`]: who decides: the scenario's policy, or a person through a [`mind::Desk`];
//! - [`policy`]: what the automated participant answers to each event (pure);
//! - [`cli`]: the command line the seat binaries share.

pub mod actions;
pub mod cli;
pub mod driver;
pub mod grpc;
pub mod link;
pub mod mind;
pub mod policy;

pub use actions::{Act, Action, Control};
pub use driver::{SeatError, Settings, run};
pub use link::{BusLink, Link, SubmitError, Verdict};
pub use mind::{Desk, Mind, desk};
