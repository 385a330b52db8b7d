//! Generated requests for the gateway's edge validation: whatever a node sends, validation never
//! panics, and a request it lets through is the caller's own, with a valid envelope.

use bus::{NodeId, Role, Sender};
use gateway::request;
use proptest::prelude::*;
use proto::v1 as wire;

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("MUSTER_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn header() -> impl Strategy<Value = Option<wire::SubmissionHeader>> {
    prop::option::of(
        (
            prop_oneof![Just("ex1".to_string()), "[a-z0-9. -]{0,10}"],
            "[A-Za-z0-9_ .-]{0,24}",
            prop_oneof![Just("BY".to_string()), Just("KZ".to_string()), "[A-Z.> *]{0,4}"],
            "[A-Za-z0-9_ -]{0,12}",
            prop_oneof![Just(String::new()), Just("ru".to_string()), "[A-Za-z_ .-]{0,8}"],
        )
            .prop_map(|(exercise_id, message_id, node_id, causation_id, language)| wire::SubmissionHeader {
                exercise_id,
                message_id,
                node_id,
                causation_id,
                signature: causation_id_bytes(),
                language,
            }),
    )
}

/// A signature's worth of bytes that signs nothing: the edge passes it on, the coordinator judges it.
fn causation_id_bytes() -> Vec<u8> {
    vec![7; 64]
}

fn position() -> impl Strategy<Value = Option<wire::Position>> {
    prop::option::of(
        ("[a-z0-9 -]{0,8}", any::<u32>(), -2..7i32, prop::collection::vec("[a-z \\n]{0,6}", 0..3)).prop_map(
            |(slot_id, draft_version, kind, reasons)| wire::Position { slot_id, draft_version, kind, reasons },
        ),
    )
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn a_position_passes_the_edge_only_as_the_callers_own(header in header(), position in position()) {
        let caller = Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid"));
        if let Ok(envelope) = request::position(wire::SubmitPositionRequest { header, position }, &caller) {
            prop_assert_eq!(&envelope.sender, &caller);
            let bus::Payload::Position(p) = &envelope.payload else { panic!("a position becomes a position") };
            prop_assert!(p.draft_version >= 1 && !p.slot_id.trim().is_empty());
            envelope.encode(bus::Limits::default()).expect("a validated envelope encodes");
        }
    }

    #[test]
    fn receipts_and_assessments_never_panic(header in header(), text in "[a-z0-9 ]{0,12}", stage in any::<u32>()) {
        let caller = Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid"));
        let receipt = wire::ReceiptConfirmed { package_id: text.clone(), digest: text.clone() };
        let _ = request::receipt(wire::SubmitReceiptRequest { header: header.clone(), confirmation: Some(receipt) }, &caller);
        let assessment = wire::SituationAssessment { stage_number: stage, summary: text };
        let _ = request::assessment(wire::SubmitAssessmentRequest { header, assessment: Some(assessment) }, &caller);
    }
}
