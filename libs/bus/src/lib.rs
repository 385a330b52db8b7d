//! The bus layer every Muster service stands on.
//!
//! - [`id`]: validated identifiers (exercise, message, node) and roles;
//! - [`subject`]: the one place where NATS subjects and stream names are spelled;
//! - [`text`]: limits on what people write, refusal of characters that act on a display, and safe showing;
//! - [`envelope`]: the domain envelope and its encode/decode with validation;
//! - [`provision`]: idempotent JetStream stream set-up per exercise;
//! - [`seal`]: seats' signatures on submissions, the coordinator's chained seals on events;
//! - [`receipt`]: the coordinator's signed receipts for recorded submissions, as seats keep them;
//! - [`client`]: connecting, typed publishing (awaiting JetStream acks) and consuming;
//! - [`submit`]: submitting and awaiting the coordinator's verdict, one way for every submitter;
//! - [`presence`]: seats saying they are at their posts (not recorded; read before the start);
//! - [`names`]: the names of Muster's own identities, which no participant may take;
//! - [`trace`]: trace context carried across processes in message headers.

pub mod client;
pub mod envelope;
pub mod error;
pub mod id;
pub mod names;
pub mod presence;
pub mod provision;
pub mod reason;
pub mod receipt;
pub mod seal;
pub mod subject;
pub mod submit;
pub mod text;
pub mod trace;

pub use client::{Bus, ConnectSettings, Credentials, Delivery};
pub use envelope::{Envelope, Limits, Payload};
pub use error::{BusError, EnvelopeError};
pub use id::{ExerciseId, MessageId, NodeId, Role, Sender};
pub use provision::{Provisioned, StreamSettings};
pub use submit::{SubmitError, Submitter, Verdict};
