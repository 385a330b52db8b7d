//! Compiles the muster.v1 protos into OUT_DIR with a vendored protoc, so no system protoc is needed.

use std::path::PathBuf;

/// The messages the coordinator's record holds: its snapshots serialize them with serde.
const IN_THE_RECORD: &[&str] = &[
    "DraftDecision",
    "Position",
    "Disposition",
    "ConsiderationOutcome",
    "PackageItem",
    "PackageCommunicated",
    "ExerciseConcluded",
];

const PROTOS: &[&str] = &[
    "muster/v1/common.proto",
    "muster/v1/flow.proto",
    "muster/v1/envelope.proto",
    "muster/v1/presence.proto",
    "muster/v1/national_node.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    let mut build = tonic_prost_build::configure();
    for message in IN_THE_RECORD {
        build =
            build.type_attribute(format!(".muster.v1.{message}"), "#[derive(serde::Serialize, serde::Deserialize)]");
    }
    build
        // The gateway generates its own server side (services/gateway/build.rs).
        .build_server(false)
        // The descriptor set feeds gRPC server reflection in the gateway.
        .file_descriptor_set_path(out_dir.join("muster_v1_descriptor.bin"))
        .compile_with_config(config, PROTOS, &["."])?;
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    Ok(())
}
