//! Generated input for the envelope decoder, on stable Rust: arbitrary bytes, arbitrary wire
//! envelopes, and valid envelopes with bytes flipped. The decoder never panics; what it accepts
//! is a valid envelope of the expected exercise that encodes back to what it decoded.
//! `MUSTER_FUZZ_CASES` sets the number of cases (`make fuzz` runs many; `make test` a short pass).

use bus::{Envelope, ExerciseId, Limits};
use proptest::prelude::*;
use prost::Message as _;
use proto::v1 as wire;

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("MUSTER_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn exercise() -> ExerciseId {
    ExerciseId::new("ex1").expect("valid id")
}

/// Decodes, and checks what an accepted envelope must satisfy.
fn decode_checked(bytes: &[u8]) {
    if let Ok(envelope) = Envelope::decode(bytes, &exercise(), Limits::default()) {
        assert_eq!(envelope.exercise, exercise());
        let again =
            Envelope::decode(&envelope.encode(Limits::default()).expect("re-encodes"), &exercise(), Limits::default())
                .expect("what was accepted decodes again");
        assert_eq!(again, envelope);
    }
}

fn wire_envelope() -> impl Strategy<Value = wire::Envelope> {
    (
        prop_oneof![Just("ex1".to_string()), "[a-z0-9._ -]{0,12}"],
        "[A-Za-z0-9_-]{0,20}",
        0..8i32,
        "[A-Za-z0-9. -]{0,10}",
        any::<i64>(),
        any::<i32>(),
        "[a-z0-9|\\n ]{0,40}",
        0..32u32,
    )
        .prop_map(|(exercise_id, message_id, role, node_id, seconds, nanos, text, version)| wire::Envelope {
            exercise_id,
            message_id,
            sender: Some(wire::Sender { role, node_id }),
            sent_at: Some(prost_types::Timestamp { seconds, nanos }),
            exercise_time: Some(prost_types::Duration { seconds: seconds % 1_000_000, nanos }),
            payload: Some(wire::envelope::Payload::Position(wire::Position {
                slot_id: text.clone(),
                draft_version: version,
                kind: role,
                reasons: vec![text],
            })),
            ..Default::default()
        })
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        decode_checked(&bytes);
    }

    #[test]
    fn arbitrary_wire_envelopes_are_accepted_only_when_valid(wire in wire_envelope()) {
        decode_checked(&wire.encode_to_vec());
    }

    #[test]
    fn flipped_bytes_of_a_valid_envelope_never_panic(wire in wire_envelope(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = wire.encode_to_vec();
        for (at, value) in flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= value;
            }
        }
        decode_checked(&bytes);
    }
}
