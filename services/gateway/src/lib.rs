//! The gateway: serves the `muster.v1.NationalNodeService` to national nodes over gRPC with mutual
//! TLS, one certificate per state, and forwards to the bus. Stateless: every answer comes from the
//! bus, so several replicas can serve behind one address.
//!
//! - [`identity`]: who is calling, from the client certificate;
//! - [`request`]: requests validated into domain envelopes at the edge;
//! - [`status`]: the one place where errors become gRPC status codes;
//! - [`view`]: an exercise's state rebuilt from its event log, for the queries;
//! - [`hub`]: one follower per exercise broadcasting to every node's event stream, each event a
//!   [`frame`] encoded once;
//! - [`service`]: the service itself, on the server code [`rpc`] that `build.rs` generates;
//!   [`server`]: TLS, health, reflection and serving;

pub mod frame;
pub mod hub;
pub mod identity;
pub mod request;
pub mod server;
pub mod service;
pub mod status;
pub mod rpc {
    //! The generated server side of `muster.v1.NationalNodeService`.
    #![allow(missing_docs, missing_debug_implementations, clippy::all)]
    include!(concat!(env!("OUT_DIR"), "/muster.v1.NationalNodeService.rs"));
}
pub mod view;

pub use server::{Settings, Tls, serve};
