//! The gateway's side of `muster.v1.NationalNodeService` (proto/muster/v1/national_node.proto),
//! generated here rather than in `proto` for one reason: `StreamEvents` sends each event as bytes
//! encoded once and shared by every node's stream (`crate::frame`), not a message encoded per
//! node. On the wire nothing differs; the methods and their order are the proto's.

use tonic_prost_build::manual::{Builder, Method, Service};

/// The unary methods: each route's request and response are `<route>Request` and `<route>Response`.
const UNARY: &[(&str, &str)] = &[
    ("SubmitAssemblyReport", "submit_assembly_report"),
    ("SubmitActivation", "submit_activation"),
    ("SubmitAssessment", "submit_assessment"),
    ("SubmitPosition", "submit_position"),
    ("SubmitReceipt", "submit_receipt"),
    ("SubmitAcknowledgement", "submit_acknowledgement"),
    ("GetExerciseStatus", "get_exercise_status"),
    ("GetDraft", "get_draft"),
    ("GetPackage", "get_package"),
    ("ReportPresence", "report_presence"),
];

fn main() {
    let stream = Method::builder()
        .name("stream_events")
        .route_name("StreamEvents")
        .input_type("proto::v1::StreamEventsRequest")
        .output_type("crate::frame::Frame")
        .codec_path("crate::frame::FrameCodec")
        .server_streaming()
        .build();
    let service = UNARY.iter().fold(
        Service::builder().name("NationalNodeService").package("muster.v1").method(stream),
        |service, (route, name)| {
            service.method(
                Method::builder()
                    .name(*name)
                    .route_name(*route)
                    .input_type(format!("proto::v1::{route}Request"))
                    .output_type(format!("proto::v1::{route}Response"))
                    .codec_path("tonic_prost::ProstCodec")
                    .build(),
            )
        },
    );
    Builder::new().build_client(false).compile(&[service.build()]);
    println!("cargo:rerun-if-changed=build.rs");
}
