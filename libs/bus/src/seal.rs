//! Signatures on the record. A seat signs what it submits (its *signed content*: exercise, message
//! id, sender, payload); the coordinator seals every event it writes: the SHA-256 of the event
//! before it, and its signature over that and the event. A reader that knows the coordinator's
//! public key checks each event against the last one it accepted, so an event written by anyone
//! else, changed, or put out of order is found.

use prost::Message as _;
use sha2::{Digest, Sha256};

use crate::envelope::{Envelope, Seal};

/// SHA-256 of an event as stored.
pub type Hash = [u8; 32];

/// What the first event of a log chains to.
pub const GENESIS: Hash = [0; 32];

/// What is wrong with a signature or a seal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The event carries no seal.
    #[error("the event is not sealed")]
    Unsealed,
    /// The seal chains to another event than the last one accepted.
    #[error("the event does not follow the last accepted event (out of chain)")]
    OutOfChain,
    /// The signature is not the expected key's.
    #[error("the signature is not {0}'s")]
    BadSignature(String),
    /// A key could not be used.
    #[error("key: {0}")]
    Key(String),
}

/// The bytes a sender signs: exercise, message id, sender, language and payload, encoded as an
/// envelope with no other field, so that the gateway can rebuild them exactly from a node's request.
/// (A message of no language encodes as before languages were signed.)
pub fn signed_content(e: &Envelope) -> Vec<u8> {
    let full = proto::v1::Envelope::from(e);
    proto::v1::Envelope {
        exercise_id: full.exercise_id,
        message_id: full.message_id,
        sender: full.sender,
        language: full.language,
        payload: full.payload,
        ..Default::default()
    }
    .encode_to_vec()
}

/// Signs `e` as its sender, with `key` (the sender's nkey).
pub fn sign(e: &mut Envelope, key: &nkeys::KeyPair) -> Result<(), SealError> {
    e.signature = key.sign(&signed_content(e)).map_err(|err| SealError::Key(err.to_string()))?;
    Ok(())
}

/// Whether `e` carries `public`'s signature of its signed content.
pub fn signed_by(e: &Envelope, public: &str) -> bool {
    verify(public, &signed_content(e), &e.signature)
}

pub(crate) fn verify(public: &str, data: &[u8], signature: &[u8]) -> bool {
    use ed25519_dalek::Verifier as _;
    let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else { return false };
    parsed(public).is_some_and(|key| key.verify(data, &signature).is_ok())
}

/// Keys parsed at most this many at once; any more are parsed at each check.
const PARSED_AT_MOST: usize = 1 << 16;

/// `public` (an nkey's public text) parsed once: decoding it and decompressing its curve point cost
/// a good part of a check, and a process checks the same few keys (its seats', the coordinator's)
/// over and over.
fn parsed(public: &str) -> Option<ed25519_dalek::VerifyingKey> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, PoisonError, RwLock};
    static PARSED: LazyLock<RwLock<HashMap<String, ed25519_dalek::VerifyingKey>>> = LazyLock::new(Default::default);
    if let Some(key) = PARSED.read().unwrap_or_else(PoisonError::into_inner).get(public) {
        return Some(*key);
    }
    let (_, bytes) = nkeys::from_public_key(public).ok()?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()?;
    let mut parsed = PARSED.write().unwrap_or_else(PoisonError::into_inner);
    if parsed.len() < PARSED_AT_MOST {
        parsed.insert(public.to_owned(), key);
    }
    Some(key)
}

/// What the coordinator signs: `previous`, then the event (`wire`, as stored) without its seal.
fn unsealed(wire: &mut proto::v1::Envelope, previous: &Hash) -> Vec<u8> {
    let seal = wire.seal.take();
    let mut bytes = Vec::with_capacity(previous.len() + wire.encoded_len());
    bytes.extend_from_slice(previous);
    wire.encode_raw(&mut bytes);
    wire.seal = seal;
    bytes
}

/// SHA-256 of an event as stored, seal included: what the next event chains to.
pub fn hash(e: &Envelope) -> Hash {
    stored_hash(&proto::v1::Envelope::from(e))
}

fn stored_hash(wire: &proto::v1::Envelope) -> Hash {
    Sha256::digest(wire.encode_to_vec()).into()
}

/// Seals `e` after the event whose hash is `previous`, with the coordinator's `key`; returns the
/// sealed event's hash.
pub fn seal(e: &mut Envelope, previous: &Hash, key: &nkeys::KeyPair) -> Result<Hash, SealError> {
    // One wire form for both the signed bytes and the hash: it copies the whole event.
    let mut wire = proto::v1::Envelope::from(&*e);
    let signature = key.sign(&unsealed(&mut wire, previous)).map_err(|err| SealError::Key(err.to_string()))?;
    wire.seal = Some(proto::v1::Seal { previous: previous.to_vec(), signature: signature.clone() });
    e.seal = Some(Seal { previous: previous.to_vec(), signature });
    Ok(stored_hash(&wire))
}

/// A reader's place in a log: whose seals it accepts, and what the next event must chain to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Chain {
    /// The coordinator's public key.
    pub coordinator: String,
    /// The hash of the last event accepted ([`GENESIS`] before the first).
    pub last: Hash,
}

impl Chain {
    /// A chain from the start of a log sealed by `coordinator`.
    pub fn new(coordinator: impl Into<String>) -> Chain {
        Chain { coordinator: coordinator.into(), last: GENESIS }
    }

    /// Accepts `e` if the coordinator sealed it right after the last event accepted; a refused
    /// event leaves the chain where it was.
    pub fn accept(&mut self, e: &Envelope) -> Result<(), SealError> {
        self.last = check(e, &self.last, &self.coordinator)?;
        Ok(())
    }

    /// Accepts a run of events at once if each names the hash of the one before (the first, the
    /// last accepted) and the last carries the coordinator's seal: one signature checked for the
    /// whole run, since that seal covers the hash of the event before it, which covers that
    /// event's own `previous`, and so on back. Returns whether it did; if not, nothing is
    /// accepted and the caller checks the events one by one to find which to pass over.
    pub fn accept_run(&mut self, events: &[&Envelope]) -> bool {
        let Some((last, before)) = events.split_last() else { return true };
        let mut previous = self.last;
        for e in before {
            match &e.seal {
                Some(seal) if seal.previous.as_slice() == previous.as_slice() => previous = hash(e),
                _ => return false,
            }
        }
        match check(last, &previous, &self.coordinator) {
            Ok(after) => {
                self.last = after;
                true
            }
            Err(_) => false,
        }
    }
}

/// Checks that `e` is sealed by `coordinator` right after the event whose hash is `previous`;
/// returns its hash, for the next.
pub fn check(e: &Envelope, previous: &Hash, coordinator: &str) -> Result<Hash, SealError> {
    let seal = e.seal.as_ref().ok_or(SealError::Unsealed)?;
    if seal.previous.as_slice() != previous.as_slice() {
        return Err(SealError::OutOfChain);
    }
    let mut wire = proto::v1::Envelope::from(e);
    if !verify(coordinator, &unsealed(&mut wire, previous), &seal.signature) {
        return Err(SealError::BadSignature("the coordinator".into()));
    }
    Ok(stored_hash(&wire))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::Payload;
    use crate::id::{ExerciseId, NodeId, Role, Sender};
    use proto::v1 as wire;

    fn report(node: &str) -> Envelope {
        let sender = Sender::new(Role::ControlPoint, NodeId::new(node).expect("valid"));
        Envelope::new(
            ExerciseId::new("ex").expect("valid"),
            sender,
            Payload::AssemblyReport(wire::AssemblyReport::default()),
        )
    }

    #[test]
    fn a_seat_signature_proves_who_submitted() {
        let (by, kz) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
        let mut e = report("BY");
        sign(&mut e, &by).expect("signed");
        assert!(signed_by(&e, &by.public_key()));
        assert!(!signed_by(&e, &kz.public_key()), "another state's key does not fit");
        let mut changed = e.clone();
        changed.payload = Payload::AssemblyReport(wire::AssemblyReport { remarks: "changed".into() });
        assert!(!signed_by(&changed, &by.public_key()), "a changed payload breaks the signature");
        let mut stamped = e.clone();
        stamped.exercise_time = Some(std::time::Duration::from_secs(60));
        assert!(signed_by(&stamped, &by.public_key()), "the coordinator's stamps leave it intact");
        assert!(signed_by(&e, &by.public_key()), "checked again, by the key parsed the first time");
        assert!(!signed_by(&changed, &by.public_key()), "the parsed key still refuses a changed payload");
        let mut relabelled = e.clone();
        relabelled.language = "ru".into();
        assert!(!signed_by(&relabelled, &by.public_key()), "a relay cannot say the text is in another language");
        let mut russian = report("BY");
        russian.language = "ru".into();
        sign(&mut russian, &by).expect("signed");
        assert!(signed_by(&russian, &by.public_key()));
        russian.language.clear();
        assert!(!signed_by(&russian, &by.public_key()), "nor take the language away");
        let seed = by.seed().expect("a seed");
        for not_a_public_key in ["", "BY", seed.as_str(), &by.public_key().to_lowercase()] {
            assert!(!signed_by(&e, not_a_public_key), "{not_a_public_key:?} is not a public key");
        }
    }

    #[test]
    fn a_chain_of_seals_finds_a_forged_changed_or_reordered_event() {
        let (coordinator, intruder) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
        let public = coordinator.public_key();
        let (mut a, mut b) = (report("A"), report("B"));
        let after_a = seal(&mut a, &GENESIS, &coordinator).expect("sealed");
        let after_b = seal(&mut b, &after_a, &coordinator).expect("sealed");
        assert_eq!(check(&a, &GENESIS, &public), Ok(after_a));
        assert_eq!(check(&b, &after_a, &public), Ok(after_b));
        assert_eq!(check(&b, &GENESIS, &public), Err(SealError::OutOfChain), "out of order");
        let mut forged = report("B");
        seal(&mut forged, &after_a, &intruder).expect("sealed by someone");
        assert!(matches!(check(&forged, &after_a, &public), Err(SealError::BadSignature(_))));
        let mut changed = b.clone();
        changed.message_id = crate::id::MessageId::new("other").expect("valid");
        assert!(matches!(check(&changed, &after_a, &public), Err(SealError::BadSignature(_))));
        assert_eq!(check(&report("C"), &after_b, &public), Err(SealError::Unsealed));
    }

    #[test]
    fn a_run_is_accepted_at_once_only_if_it_is_all_the_coordinators() {
        let (coordinator, intruder) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
        let public = coordinator.public_key();
        let mut log = Vec::new();
        let mut last = GENESIS;
        for node in ["A", "B", "C", "D"] {
            let mut e = report(node);
            last = seal(&mut e, &last, &coordinator).expect("sealed");
            log.push(e);
        }
        let run: Vec<&Envelope> = log.iter().collect();
        let mut chain = Chain::new(public.clone());
        assert!(chain.accept_run(&run));
        assert_eq!(chain.last, last, "the chain stands after the run's last event");

        let mut changed = log.clone();
        changed[1].message_id = crate::id::MessageId::new("other").expect("valid");
        let mut forged_last = log.clone();
        seal(&mut forged_last[3], &hash(&log[2]), &intruder).expect("sealed by someone");
        let mut inserted = log.clone();
        let mut extra = report("X");
        seal(&mut extra, &hash(&log[1]), &intruder).expect("sealed by someone");
        inserted.insert(2, extra);
        for (what, events) in
            [("a changed event", changed), ("a forged last", forged_last), ("an inserted one", inserted)]
        {
            let mut chain = Chain::new(public.clone());
            assert!(!chain.accept_run(&events.iter().collect::<Vec<_>>()), "{what}");
            assert_eq!(chain.last, GENESIS, "{what}: nothing accepted");
        }
    }
}
