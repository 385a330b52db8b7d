//! The raw gRPC baseline's server (`src/raw_grpc.rs`): `muster.v1.NationalNodeService` with its
//! `StreamEvents` method alone, generated here so that it streams bytes encoded once and shared by
//! every stream, as the gateway does, with nothing of Muster behind it.

use tonic_prost_build::manual::{Builder, Method, Service};

fn main() {
    let stream = Method::builder()
        .name("stream_events")
        .route_name("StreamEvents")
        .input_type("proto::v1::StreamEventsRequest")
        .output_type("bytes::Bytes")
        .codec_path("crate::raw_grpc::Encoded")
        .server_streaming()
        .build();
    let service = Service::builder().name("NationalNodeService").package("muster.v1").method(stream).build();
    Builder::new().build_client(false).compile(&[service]);
    println!("cargo:rerun-if-changed=build.rs");
}
