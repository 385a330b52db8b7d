//! The muster.v1 wire contract, generated from `proto/muster/v1/*.proto` by `build.rs`.
//!
//! These types are all `Option`s and defaults: convert them into the validated domain types of the
//! `bus` crate at the edge and work with those inside.

pub mod status;

/// The `muster.v1` package.
pub mod v1 {
    #![allow(missing_docs, missing_debug_implementations, clippy::all)]
    tonic::include_proto!("muster.v1");

    /// Encoded `FileDescriptorSet` of the contract, for gRPC server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("muster_v1_descriptor");
}
