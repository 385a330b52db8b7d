//! Signatures on the record. A seat signs what it submits (its *signed content*: exercise, message
//! id, sender, payload). The coordinator chains every event it writes to the one before (the
//! SHA-256 of that event, `previous`) and signs the chain once per batch: the batch's last event
//! carries a checkpoint (exercise, position, head hash) signed as a C2SP signed note. A reader that
//! knows the coordinator's public key follows the chain event by event and holds each event until
//! a checkpoint it verified covers it ([`Chain::follow`]): an event written by anyone else, changed,
//! or put out of order is never acted on.

use prost::Message as _;
use sha2::{Digest, Sha256};

use crate::envelope::{Envelope, Seal, Signed};

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
    /// The seal chains to no event the reader holds or verified.
    #[error("the event does not follow the last accepted event (out of chain)")]
    OutOfChain,
    /// A checkpoint names another position than the event's.
    #[error("the checkpoint names position {named}, the event is at {at}")]
    WrongPosition {
        /// The position the checkpoint names.
        named: u64,
        /// The event's position in the log.
        at: u64,
    },
    /// Too many events chained with no checkpoint covering them.
    #[error("more than {0} events wait for a checkpoint")]
    TooManyHeld(usize),
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

/// Whether `signature` is `public`'s over `data`, by ZIP-215's rule: the one rule every check of
/// Muster follows, one at a time or in a batch ([`signed_by_each`]), so that the two never disagree.
pub(crate) fn verify(public: &str, data: &[u8], signature: &[u8]) -> bool {
    let Ok(signature) = ed25519_zebra::Signature::from_slice(signature) else { return false };
    parsed(public).is_some_and(|key| key.verify(&signature, data).is_ok())
}

/// Whether each of `items` (a submission and the public key it must be signed by) carries that
/// key's signature of its signed content: as [`signed_by`] would say of each, checked in one batch
/// (a multi-scalar multiplication; several signatures of one key share their terms). When the
/// batch fails, each key's submissions are checked as a batch of their own, and those of a key
/// whose batch fails one by one: one sender's bad signatures cost the others one more batch each.
pub fn signed_by_each(items: &[(&Envelope, &str)]) -> Vec<bool> {
    use ed25519_zebra::batch;
    let mut out = vec![false; items.len()];
    // Each checkable item with its key, in order; what cannot be parsed is simply not signed.
    let mut prepared = Vec::with_capacity(items.len());
    for (i, (e, public)) in items.iter().enumerate() {
        let (Some(key), Ok(signature)) = (parsed(public), ed25519_zebra::Signature::from_slice(&e.signature)) else {
            continue;
        };
        let key = ed25519_zebra::VerificationKeyBytes::from(key);
        prepared.push((i, key, batch::Item::from((key, signature, &signed_content(e)))));
    }
    let holds = |items: &mut dyn Iterator<Item = &batch::Item>| {
        let mut verifier = batch::Verifier::new();
        for item in items {
            verifier.queue(item.clone());
        }
        verifier.verify(rand_core::OsRng).is_ok()
    };
    if prepared.is_empty() || holds(&mut prepared.iter().map(|(_, _, item)| item)) {
        for (i, _, _) in &prepared {
            out[*i] = true;
        }
        return out;
    }
    let mut keys: Vec<_> = prepared.iter().map(|(_, key, _)| *key).collect();
    keys.sort_unstable_by_key(|key| key.as_ref().to_owned());
    keys.dedup();
    for key in keys {
        let own = || prepared.iter().filter(move |(_, k, _)| *k == key);
        let all_hold = holds(&mut own().map(|(_, _, item)| item));
        for (i, _, item) in own() {
            out[*i] = all_hold || item.clone().verify_single().is_ok();
        }
    }
    out
}

/// Keys parsed at most this many at once; any more are parsed at each check.
const PARSED_AT_MOST: usize = 1 << 16;

/// `public` (an nkey's public text) parsed once: decoding it and decompressing its curve point cost
/// a good part of a check, and a process checks the same few keys (its seats', the coordinator's)
/// over and over.
fn parsed(public: &str) -> Option<ed25519_zebra::VerificationKey> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, PoisonError, RwLock};
    static PARSED: LazyLock<RwLock<HashMap<String, ed25519_zebra::VerificationKey>>> = LazyLock::new(Default::default);
    if let Some(key) = PARSED.read().unwrap_or_else(PoisonError::into_inner).get(public) {
        return Some(*key);
    }
    let (_, bytes) = nkeys::from_public_key(public).ok()?;
    let key = ed25519_zebra::VerificationKey::try_from(bytes).ok()?;
    let mut parsed = PARSED.write().unwrap_or_else(PoisonError::into_inner);
    if parsed.len() < PARSED_AT_MOST {
        parsed.insert(public.to_owned(), key);
    }
    Some(key)
}

/// SHA-256 of an event as stored, its checkpoint left out: what the next event chains to, and the
/// head a checkpoint on it names. (The checkpoint signs this hash, so it cannot be part of it.)
pub fn hash(e: &Envelope) -> Hash {
    let mut wire = proto::v1::Envelope::from(e);
    if let Some(seal) = &mut wire.seal {
        seal.checkpoint = None;
    }
    Sha256::digest(wire.encode_to_vec()).into()
}

/// Chains `e` to the event whose hash is `previous` (no checkpoint yet); returns its hash, for the
/// next.
pub fn link(e: &mut Envelope, previous: &Hash) -> Hash {
    e.seal = Some(Seal { previous: previous.to_vec(), checkpoint: None });
    hash(e)
}

/// Puts on `e` (chained, at position `size` of its log) the coordinator's checkpoint with `e` at its
/// head, signed with `key`.
pub fn checkpoint(e: &mut Envelope, size: u64, key: &nkeys::KeyPair) -> Result<Checkpoint, SealError> {
    let head = hash(e);
    let checkpoint = Checkpoint { exercise: e.exercise.clone(), size, head };
    let signature = key.sign(checkpoint.text().as_bytes()).map_err(|err| SealError::Key(err.to_string()))?;
    let seal = e.seal.as_mut().ok_or(SealError::Unsealed)?;
    seal.checkpoint = Some(Signed { size, signature });
    Ok(checkpoint)
}

/// Chains `e` after `previous` and puts a checkpoint on it at once: an event that is a batch of its
/// own. Returns its hash.
pub fn seal(e: &mut Envelope, previous: &Hash, size: u64, key: &nkeys::KeyPair) -> Result<Hash, SealError> {
    link(e, previous);
    Ok(checkpoint(e, size, key)?.head)
}

/// A checkpoint: the coordinator's statement that the log of `exercise` at position `size` ends in
/// the event whose hash is `head`. It is what the coordinator signs, as the text of a C2SP signed
/// note (`c2sp.org/tlog-checkpoint`, `c2sp.org/signed-note`); the head is a hash chain's, not a
/// Merkle tree's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The exercise whose log it is.
    pub exercise: crate::ExerciseId,
    /// The position of the event at the head.
    pub size: u64,
    /// That event's hash.
    pub head: Hash,
}

impl Checkpoint {
    /// The checkpoint of the event `e` carries, if it carries one: its size and the event's hash.
    pub fn of(e: &Envelope) -> Option<(Checkpoint, &[u8])> {
        let signed = e.seal.as_ref()?.checkpoint.as_ref()?;
        let checkpoint = Checkpoint { exercise: e.exercise.clone(), size: signed.size, head: hash(e) };
        Some((checkpoint, signed.signature.as_slice()))
    }

    /// The log's name: the note's first line and the signing key's name.
    pub fn origin(&self) -> String {
        format!("muster/{}", self.exercise)
    }

    /// The note's text: origin, size, base64 of the head, each on its line.
    pub fn text(&self) -> String {
        use base64::Engine as _;
        let head = base64::engine::general_purpose::STANDARD.encode(self.head);
        format!("{}\n{}\n{head}\n", self.origin(), self.size)
    }

    /// Whether `signature` is `public`'s over this checkpoint.
    pub fn signed_by(&self, public: &str, signature: &[u8]) -> bool {
        verify(public, self.text().as_bytes(), signature)
    }

    /// The checkpoint as a C2SP signed note, signed by `public` with `signature`: its text, a blank
    /// line, and the signature line `— <origin> <base64 of key id and signature>`. The key id is the
    /// first four bytes of SHA-256(origin, newline, 0x01, the Ed25519 public key). `None` if `public`
    /// is not a public key.
    pub fn note(&self, public: &str, signature: &[u8]) -> Option<String> {
        use base64::Engine as _;
        let (_, key) = nkeys::from_public_key(public).ok()?;
        let origin = self.origin();
        let id = Sha256::new().chain_update(origin.as_bytes()).chain_update([b'\n', 0x01]).chain_update(key).finalize();
        let line = base64::engine::general_purpose::STANDARD.encode([&id[..4], signature].concat());
        Some(format!("{}\n\u{2014} {origin} {line}\n", self.text()))
    }
}

/// Follows the log with `e`, the event at `sequence`: through `chain` when the reader trusts a
/// coordinator ([`Chain::follow`]); without one (a run without identities), every event is released
/// as it comes.
pub fn follow(chain: Option<&mut Chain>, sequence: u64, e: Envelope) -> Result<Vec<(u64, Envelope)>, SealError> {
    match chain {
        Some(chain) => chain.follow(sequence, e),
        None => Ok(vec![(sequence, e)]),
    }
}

/// Events a reader holds at most while it waits for a checkpoint: the coordinator's batches are
/// far smaller; more means someone else is writing what no checkpoint will cover.
pub const HELD_AT_MOST: usize = 4096;

/// An event held until a checkpoint covers it.
#[derive(Debug, Clone, PartialEq)]
struct Held {
    sequence: u64,
    hash: Hash,
    envelope: Envelope,
}

/// A reader's place in a log: whose checkpoints it accepts, the head of the last one it verified,
/// and the run of events chained after it that no checkpoint covers yet.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Chain {
    /// The coordinator's public key.
    pub coordinator: String,
    /// The head of the last checkpoint verified ([`GENESIS`] before the first).
    pub last: Hash,
    /// Chained one to the next from `last`, not yet covered.
    #[serde(skip)]
    held: Vec<Held>,
}

impl Chain {
    /// A chain from the start of a log sealed by `coordinator`.
    pub fn new(coordinator: impl Into<String>) -> Chain {
        Chain { coordinator: coordinator.into(), last: GENESIS, held: Vec::new() }
    }

    /// Follows the log with `e`, the event at `sequence`. It must chain to the last event held, or
    /// to the last checkpoint's head, which begins a new run: what was held is passed over (a batch
    /// its leader did not finish, or anyone else's writing, which no checkpoint will cover; the
    /// coordinator's fenced writes keep each of its batches whole and in one piece). Returns the
    /// events a checkpoint on `e` now covers, in log order (`e` last), which the reader may act on;
    /// none while `e` waits for one. A refused event changes nothing, but for a run grown past
    /// [`HELD_AT_MOST`], which is passed over.
    pub fn follow(&mut self, sequence: u64, e: Envelope) -> Result<Vec<(u64, Envelope)>, SealError> {
        let seal = e.seal.as_ref().ok_or(SealError::Unsealed)?;
        let previous = Hash::try_from(seal.previous.as_slice()).map_err(|_| SealError::OutOfChain)?;
        let tip = self.held.last().map_or(self.last, |h| h.hash);
        if previous != tip && previous != self.last {
            return Err(SealError::OutOfChain);
        }
        let checkpoint = Checkpoint::of(&e);
        if let Some((checkpoint, signature)) = &checkpoint {
            if checkpoint.size != sequence {
                return Err(SealError::WrongPosition { named: checkpoint.size, at: sequence });
            }
            if !checkpoint.signed_by(&self.coordinator, signature) {
                return Err(SealError::BadSignature("the coordinator".into()));
            }
        }
        if previous != tip {
            self.held.clear();
        }
        let Some((checkpoint, _)) = checkpoint else {
            if self.held.len() >= HELD_AT_MOST {
                self.held.clear();
                return Err(SealError::TooManyHeld(HELD_AT_MOST));
            }
            self.held.push(Held { sequence, hash: hash(&e), envelope: e });
            return Ok(Vec::new());
        };
        self.last = checkpoint.head;
        let mut covered: Vec<(u64, Envelope)> = self.held.drain(..).map(|h| (h.sequence, h.envelope)).collect();
        covered.push((sequence, e));
        Ok(covered)
    }

    /// How many events are held, waiting for a checkpoint.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Passes over every event held (a log's end that no checkpoint covers: a new leader writes
    /// after the last checkpoint); returns how many.
    pub fn pass_over_held(&mut self) -> usize {
        std::mem::take(&mut self.held).len()
    }
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
    fn a_batch_says_of_each_submission_what_checking_it_alone_says() {
        let (by, kz, ru) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
        let signed = |node: &str, key: &nkeys::KeyPair, remarks: &str| {
            let mut e = report(node);
            e.payload = Payload::AssemblyReport(wire::AssemblyReport { remarks: remarks.into() });
            sign(&mut e, key).expect("signed");
            e
        };
        let mut changed = signed("KZ", &kz, "as signed");
        changed.payload = Payload::AssemblyReport(wire::AssemblyReport { remarks: "changed".into() });
        let mut garbage = signed("BY", &by, "garbage");
        garbage.signature = vec![7; 64];
        let mut short = signed("BY", &by, "short");
        short.signature.truncate(10);
        let events = [
            (signed("BY", &by, "1"), by.public_key()),
            (signed("KZ", &kz, "1"), kz.public_key()),
            (signed("BY", &by, "2"), by.public_key()),
            (changed, kz.public_key()),
            (signed("RU", &kz, "in RU's name"), ru.public_key()),
            (garbage, by.public_key()),
            (short, by.public_key()),
            (signed("BY", &by, "3"), "not a key".to_owned()),
            (signed("RU", &ru, "1"), ru.public_key()),
        ];
        let items: Vec<(&Envelope, &str)> = events.iter().map(|(e, k)| (e, k.as_str())).collect();
        let alone: Vec<bool> = items.iter().map(|(e, key)| signed_by(e, key)).collect();
        assert_eq!(alone, [true, true, true, false, false, false, false, false, true]);
        assert_eq!(signed_by_each(&items), alone, "a batch with bad ones among them");
        let good: Vec<(&Envelope, &str)> =
            items.iter().copied().zip(&alone).filter(|(_, ok)| **ok).map(|(i, _)| i).collect();
        assert_eq!(signed_by_each(&good), vec![true; good.len()], "a batch that holds");
        assert_eq!(signed_by_each(&[]), Vec::<bool>::new());
    }

    /// A log of `nodes`' reports as the coordinator writes it: chained, with a checkpoint on the
    /// events at the positions in `batch_ends`.
    fn log(nodes: &[&str], batch_ends: &[u64], key: &nkeys::KeyPair) -> Vec<Envelope> {
        let mut last = GENESIS;
        let mut out = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let mut e = report(node);
            last = link(&mut e, &last);
            let position = i as u64 + 1;
            if batch_ends.contains(&position) {
                checkpoint(&mut e, position, key).expect("signed");
            }
            out.push(e);
        }
        out
    }

    fn nodes(events: &[(u64, Envelope)]) -> Vec<String> {
        events.iter().map(|(_, e)| e.sender.node.to_string()).collect()
    }

    #[test]
    fn events_are_released_only_once_a_checkpoint_covers_them() {
        let coordinator = nkeys::KeyPair::new_user();
        let events = log(&["A", "B", "C", "D"], &[3, 4], &coordinator);
        let mut chain = Chain::new(coordinator.public_key());
        assert_eq!(chain.follow(1, events[0].clone()), Ok(vec![]), "A waits");
        assert_eq!(chain.follow(2, events[1].clone()), Ok(vec![]), "B waits");
        assert_eq!(chain.held(), 2);
        let covered = chain.follow(3, events[2].clone()).expect("C's checkpoint holds");
        assert_eq!(nodes(&covered), ["A", "B", "C"]);
        assert_eq!(covered.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(chain.last, hash(&events[2]));
        assert_eq!(nodes(&chain.follow(4, events[3].clone()).expect("D is a batch of its own")), ["D"]);
        assert_eq!(chain.held(), 0);
    }

    #[test]
    fn a_forged_changed_or_reordered_event_is_never_released() {
        let (coordinator, intruder) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
        let public = coordinator.public_key();
        let events = log(&["A", "B", "C"], &[3], &coordinator);
        let follow_all = |events: &[Envelope]| {
            let mut chain = Chain::new(public.clone());
            let mut released = Vec::new();
            let mut refused = Vec::new();
            for (i, e) in events.iter().enumerate() {
                match chain.follow(i as u64 + 1, e.clone()) {
                    Ok(covered) => released.extend(nodes(&covered)),
                    Err(error) => refused.push((e.sender.node.to_string(), error)),
                }
            }
            (released, refused)
        };
        assert_eq!(follow_all(&events), (vec!["A".into(), "B".into(), "C".into()], vec![]));

        let mut forged = events.clone();
        checkpoint(&mut forged[2], 3, &intruder).expect("signed by someone");
        assert_eq!(
            follow_all(&forged),
            (vec![], vec![("C".into(), SealError::BadSignature("the coordinator".into()))]),
            "a checkpoint of another key releases nothing"
        );
        let mut changed = events.clone();
        changed[1].payload = Payload::AssemblyReport(wire::AssemblyReport { remarks: "changed".into() });
        assert_eq!(follow_all(&changed), (vec![], vec![("C".into(), SealError::OutOfChain)]), "a changed event");
        let reordered = vec![events[1].clone(), events[0].clone(), events[2].clone()];
        let (released, refused) = follow_all(&reordered);
        assert!(released.is_empty(), "reordered: {released:?}");
        assert_eq!(refused[0], ("B".into(), SealError::OutOfChain));
        let mut unsealed = events.clone();
        unsealed[0].seal = None;
        assert_eq!(follow_all(&unsealed).1[0], ("A".into(), SealError::Unsealed));
        let mut elsewhere = events.clone();
        checkpoint(&mut elsewhere[2], 7, &coordinator).expect("signed");
        assert_eq!(follow_all(&elsewhere).1, [("C".into(), SealError::WrongPosition { named: 7, at: 3 })]);
    }

    #[test]
    fn a_run_no_checkpoint_covers_is_passed_over_and_cannot_silence_a_reader() {
        let (coordinator, intruder) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
        let public = coordinator.public_key();
        // Someone else chains a run to the last checkpoint's head before the coordinator's batch.
        let mut chain = Chain::new(public.clone());
        let mut last = GENESIS;
        for n in 0..3 {
            let mut x = report("X");
            last = link(&mut x, &last);
            assert_eq!(chain.follow(n + 1, x), Ok(vec![]), "held: only a checkpoint says whose it is");
        }
        let mut batch = Vec::new();
        let mut last = GENESIS;
        for (n, node) in ["A", "B", "C"].into_iter().enumerate() {
            let mut e = report(node);
            last = link(&mut e, &last);
            if node == "C" {
                checkpoint(&mut e, 6, &coordinator).expect("signed");
            }
            batch.push((n as u64 + 4, e));
        }
        let mut released = Vec::new();
        for (sequence, e) in batch.clone() {
            released.extend(chain.follow(sequence, e).expect("the coordinator's batch"));
        }
        assert_eq!(nodes(&released), ["A", "B", "C"], "X's run is passed over");
        assert_eq!(chain.held(), 0);
        let mut late = report("Y");
        seal(&mut late, &hash(&batch[0].1), 7, &intruder).expect("signed by someone");
        assert_eq!(chain.follow(7, late), Err(SealError::OutOfChain), "nothing chains into a covered batch");

        // A run longer than any batch is passed over, and the coordinator's next batch is read.
        let mut chain = Chain::new(public.clone());
        let mut last = GENESIS;
        let mut refused = None;
        for n in 0..=HELD_AT_MOST as u64 {
            let mut x = report("X");
            last = link(&mut x, &last);
            if let Err(e) = chain.follow(n + 1, x) {
                refused = Some(e);
            }
        }
        assert_eq!(refused, Some(SealError::TooManyHeld(HELD_AT_MOST)));
        let mut a = report("A");
        seal(&mut a, &GENESIS, HELD_AT_MOST as u64 + 2, &coordinator).expect("signed");
        assert_eq!(nodes(&chain.follow(HELD_AT_MOST as u64 + 2, a).expect("covered")), ["A"]);

        // A leader that stopped between A and its batch's checkpoint: its successor writes after
        // the last checkpoint, and A is never acted on.
        let events = log(&["A", "B"], &[2], &coordinator);
        let mut chain = Chain::new(public);
        assert_eq!(chain.follow(1, events[0].clone()), Ok(vec![]));
        let mut successor = report("S");
        seal(&mut successor, &GENESIS, 2, &coordinator).expect("signed");
        assert_eq!(nodes(&chain.follow(2, successor).expect("covered")), ["S"]);
    }

    #[test]
    fn a_checkpoint_is_exported_as_a_c2sp_signed_note() {
        use base64::Engine as _;
        use ed25519_dalek::Verifier as _;
        let coordinator = nkeys::KeyPair::new_user();
        let events = log(&["A", "B"], &[2], &coordinator);
        let (checkpoint, signature) = Checkpoint::of(&events[1]).expect("a checkpoint");
        let note = checkpoint.note(&coordinator.public_key(), signature).expect("a note");
        let b64 = base64::engine::general_purpose::STANDARD;
        let (text, signatures) = note.split_once("\n\n").expect("a blank line before the signatures");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines, ["muster/ex", "2", &b64.encode(hash(&events[1]))]);
        let line = signatures.strip_prefix("\u{2014} muster/ex ").expect("signed by the log's name");
        let bytes = b64.decode(line.trim_end()).expect("base64");
        let (_, public) = nkeys::from_public_key(&coordinator.public_key()).expect("a public key");
        let id: [u8; 32] = Sha256::digest([b"muster/ex\n\x01".as_slice(), &public].concat()).into();
        assert_eq!(bytes[..4], id[..4], "the key id");
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public).expect("a key");
        let signed = ed25519_dalek::Signature::from_slice(&bytes[4..]).expect("a signature");
        assert!(key.verify(format!("{text}\n").as_bytes(), &signed).is_ok(), "Ed25519 over the note's text");
    }
}
