//! Snapshots of the coordinator's state, so that a new leader need not replay the whole log.
//!
//! Every so many events the leader writes its record, its clock's log and the position they stand
//! at (a sequence of the event log and that event's hash) to the exercise's object store, signed
//! with the key that seals the events. A new leader takes the snapshot only if the signature is the
//! coordinator's, it was written by this release, and the log holds at that sequence the very
//! event the snapshot names; then it replays the log from the next event on. Anything else, and it
//! replays the whole log: a snapshot is a shortcut, never the truth. Fencing is untouched: writes
//! are still fenced on the log's last sequence, whatever state the leader started from.

use async_nats::jetstream::object_store::ObjectMetadata;
use bus::seal::Hash;
use bus::{Bus, BusError, Envelope, ExerciseId};
use record::Record;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt as _;

use crate::clock::ClockLog;

/// Events between two snapshots, by default: the most a new leader replays after one.
pub const EVERY: u64 = 10_000;

/// The store's entry: only the latest snapshot is kept.
const NAME: &str = "state";

/// What every snapshot starts with, before the release that wrote it. The record's serialized
/// shape is this code's, so a snapshot of another release is passed over, not misread.
const MAGIC: &[u8] = b"muster snapshot\n";
/// The release, and the body's format within it: raise the format with any change to the body's
/// layout or to the serialized shape of what it holds (the record above all), so that builds of
/// one version number, as in development, pass each other's snapshots over too.
const RELEASE: &str = concat!(env!("CARGO_PKG_VERSION"), "+snapshot.3");

/// The coordinator's state as of one event of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The exercise.
    pub exercise: ExerciseId,
    /// The log's sequence of the last event folded in.
    pub sequence: u64,
    /// That event's hash (as sealed): what the next event chains to.
    pub hash: Hash,
    /// The record folded from the log's first `sequence` events.
    pub record: Record,
    /// What those events say of the clock.
    pub clock: ClockLog,
}

/// Why a snapshot was not taken.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// It is not a snapshot at all.
    #[error("not a snapshot: {0}")]
    Malformed(String),
    /// Another release wrote it.
    #[error("written by release {0}, not {RELEASE}")]
    OtherRelease(String),
    /// The signature is not the coordinator's.
    #[error("its signature is not the coordinator's")]
    BadSignature,
    /// It is another exercise's.
    #[error("it is of exercise {0}")]
    OtherExercise(ExerciseId),
    /// The log holds another event at the sequence it claims.
    #[error("the log's event {0} is not the one it claims to follow")]
    NotTheLogs(u64),
    /// It could not be encoded.
    #[error("encoding: {0}")]
    Encoding(String),
    /// The key could not sign.
    #[error("signing: {0}")]
    Key(String),
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] BusError),
}

fn header() -> Vec<u8> {
    [MAGIC, RELEASE.as_bytes(), b"\n"].concat()
}

/// What is signed: the header and the SHA-256 of the body (hashing is much faster than signing a
/// long message).
fn signed(body: &[u8]) -> Vec<u8> {
    [header().as_slice(), Sha256::digest(body).as_slice()].concat()
}

/// Takes a snapshot of `record` and `clock` as of the log's event `sequence`, whose hash is
/// `hash`: a copy, and a cheap one, since the bulk of a long record (the drafts' versions, the
/// ids seen) is shared with it rather than copied; the loop goes on while it is encoded.
pub fn take(exercise: &ExerciseId, sequence: u64, hash: &Hash, record: &mut Record, clock: &ClockLog) -> Snapshot {
    record.seen.settle();
    Snapshot { exercise: exercise.clone(), sequence, hash: *hash, record: record.clone(), clock: clock.clone() }
}

/// The snapshot's body, in a buffer of `room` bytes to start with (a buffer grown as it goes
/// copies itself over and over).
fn body(snapshot: &Snapshot, room: usize) -> Result<Vec<u8>, SnapshotError> {
    postcard::to_extend(snapshot, Vec::with_capacity(room)).map_err(|e| SnapshotError::Encoding(e.to_string()))
}

/// What goes before a body as stored: the header and the coordinator's signature (64 bytes).
fn sealed(body: &[u8], key: &nkeys::KeyPair) -> Result<Vec<u8>, SnapshotError> {
    let signature = key.sign(&signed(body)).map_err(|e| SnapshotError::Key(e.to_string()))?;
    Ok([header(), signature].concat())
}

/// The snapshot as stored, in two pieces: what goes before the body (header, signature), and the
/// body, its buffer `room` bytes to start with.
fn stored(snapshot: &Snapshot, key: &nkeys::KeyPair, room: usize) -> Result<(Vec<u8>, Vec<u8>), SnapshotError> {
    let body = body(snapshot, room)?;
    Ok((sealed(&body, key)?, body))
}

/// The snapshot as stored: header, signature, body.
pub fn encode(snapshot: &Snapshot, key: &nkeys::KeyPair) -> Result<Vec<u8>, SnapshotError> {
    let (front, body) = stored(snapshot, key, 0)?;
    Ok([front, body].concat())
}

/// Reads a stored snapshot of `exercise`, checking that `coordinator` signed it.
pub fn decode(bytes: &[u8], exercise: &ExerciseId, coordinator: &str) -> Result<Snapshot, SnapshotError> {
    let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| SnapshotError::Malformed("no header".into()))?;
    let (release, rest) = rest
        .iter()
        .position(|&b| b == b'\n')
        .map(|end| (&rest[..end], &rest[end + 1..]))
        .ok_or_else(|| SnapshotError::Malformed("no release".into()))?;
    if release != RELEASE.as_bytes() {
        return Err(SnapshotError::OtherRelease(String::from_utf8_lossy(release).into_owned()));
    }
    let (signature, body) = rest.split_at_checked(64).ok_or_else(|| SnapshotError::Malformed("too short".into()))?;
    let key = nkeys::KeyPair::from_public_key(coordinator).map_err(|e| SnapshotError::Key(e.to_string()))?;
    key.verify(&signed(body), signature).map_err(|_| SnapshotError::BadSignature)?;
    // On one thread: with the one malloc arena the coordinator runs on (`ops::heap`), threads
    // decoding side by side queue for its lock, and took half as long again as one.
    let snapshot: Snapshot = postcard::from_bytes(body).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
    if &snapshot.exercise != exercise {
        return Err(SnapshotError::OtherExercise(snapshot.exercise));
    }
    Ok(snapshot)
}

/// Whether `event`, the log's event at the snapshot's sequence, is the one the snapshot follows.
pub fn follows(snapshot: &Snapshot, event: &Envelope) -> Result<(), SnapshotError> {
    if bus::seal::hash(event) == snapshot.hash { Ok(()) } else { Err(SnapshotError::NotTheLogs(snapshot.sequence)) }
}

/// Encodes and signs `snapshot` (off the async threads: a long record takes a while) and stores
/// it as the exercise's latest, its body expected to take about `room` bytes; returns its size.
pub async fn save(
    bus: &Bus,
    snapshot: Snapshot,
    key: std::sync::Arc<nkeys::KeyPair>,
    room: usize,
) -> Result<usize, SnapshotError> {
    let exercise = snapshot.exercise.clone();
    let (front, body) = tokio::task::spawn_blocking(move || stored(&snapshot, &key, room))
        .await
        .map_err(|e| SnapshotError::Encoding(e.to_string()))??;
    put(bus, &exercise, &mut front.as_slice().chain(body.as_slice())).await?;
    Ok(front.len() + body.len())
}

/// Stores `bytes`, a snapshot as stored, as the exercise's latest.
pub async fn put(
    bus: &Bus,
    exercise: &ExerciseId,
    bytes: &mut (impl tokio::io::AsyncRead + Unpin),
) -> Result<(), SnapshotError> {
    // Chunks of half a MiB, under the servers' 1 MB payload limit: a quarter as many messages for
    // a new leader to read as the store's default 128 KiB.
    let meta = ObjectMetadata { name: NAME.into(), chunk_size: Some(512 * 1024), ..Default::default() };
    store(bus, exercise).await?.put(meta, bytes).await.map_err(|e| BusError::jetstream("writing the snapshot", e))?;
    Ok(())
}

/// The exercise's latest snapshot, checked (signed by `coordinator`, and the log holds the event it
/// follows); `None` if there is none yet.
pub async fn load(bus: &Bus, exercise: &ExerciseId, coordinator: &str) -> Result<Option<Snapshot>, SnapshotError> {
    use async_nats::jetstream::object_store::GetErrorKind;
    let store = store(bus, exercise).await?;
    let mut object = match store.get(NAME).await {
        Ok(object) => object,
        Err(e) if e.kind() == GetErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(BusError::jetstream("reading the snapshot", e).into()),
    };
    let began = std::time::Instant::now();
    let mut bytes = Vec::with_capacity(object.info().size);
    object.read_to_end(&mut bytes).await.map_err(|e| BusError::jetstream("reading the snapshot", e))?;
    let read = began.elapsed();
    // Off the async threads: a long record takes a few tenths of a second, which the connection's
    // own tasks should not wait.
    let (size, of, by) = (bytes.len(), exercise.clone(), coordinator.to_owned());
    let snapshot = tokio::task::spawn_blocking(move || decode(&bytes, &of, &by))
        .await
        .map_err(|e| SnapshotError::Malformed(e.to_string()))??;
    follows(&snapshot, &bus.event_at(exercise, snapshot.sequence).await?)?;
    tracing::debug!(%exercise, bytes = size, read_ms = read.as_millis(), decoded_ms = (began.elapsed() - read).as_millis(), "snapshot read");
    Ok(Some(snapshot))
}

async fn store(
    bus: &Bus,
    exercise: &ExerciseId,
) -> Result<async_nats::jetstream::object_store::ObjectStore, SnapshotError> {
    bus.jetstream()
        .get_object_store(bus::subject::snapshot_bucket(exercise))
        .await
        .map_err(|e| BusError::jetstream("the snapshot store", e).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bus::envelope::Payload;
    use proto::v1 as wire;

    fn event(remarks: &str) -> Envelope {
        let sender = bus::Sender::new(bus::Role::ControlPoint, bus::NodeId::new("BY").expect("valid"));
        Envelope::new(
            ExerciseId::new("ex").expect("valid"),
            sender,
            Payload::AssemblyReport(wire::AssemblyReport { remarks: remarks.into() }),
        )
    }

    fn snapshot_after(events: &[Envelope]) -> Snapshot {
        let mut record = Record::default();
        let mut clock = ClockLog::default();
        for e in events {
            record.apply(e);
            clock.observe(e);
        }
        let last = events.last().expect("an event");
        Snapshot {
            exercise: ExerciseId::new("ex").expect("valid"),
            sequence: u64::try_from(events.len()).expect("small"),
            hash: bus::seal::hash(last),
            record,
            clock,
        }
    }

    #[test]
    fn a_snapshot_reads_back_as_written_by_the_coordinators_key_only() {
        let (coordinator, intruder) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
        let exercise = ExerciseId::new("ex").expect("valid");
        let snapshot = snapshot_after(&[event("a"), event("b")]);
        let bytes = encode(&snapshot, &coordinator).expect("encoded");
        assert_eq!(decode(&bytes, &exercise, &coordinator.public_key()).expect("decoded"), snapshot);
        let forged = encode(&snapshot, &intruder).expect("encoded");
        assert!(matches!(decode(&forged, &exercise, &coordinator.public_key()), Err(SnapshotError::BadSignature)));
        let mut changed = bytes.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        assert!(matches!(decode(&changed, &exercise, &coordinator.public_key()), Err(SnapshotError::BadSignature)));
        let other = ExerciseId::new("other").expect("valid");
        assert!(matches!(decode(&bytes, &other, &coordinator.public_key()), Err(SnapshotError::OtherExercise(_))));
    }

    #[test]
    fn a_long_record_reads_back_whole_and_a_body_cut_short_is_refused() {
        let coordinator = nkeys::KeyPair::new_user();
        let mut snapshot = snapshot_after(&[event("a")]);
        let version = |n: usize| record::Version {
            draft: wire::DraftDecision { slot_id: format!("v{n}"), ..Default::default() },
            change_summary: format!("change {n}"),
            circulated: record::Moment::default(),
            positions: Default::default(),
            dispositions: vec![],
            tally: record::Tally::default(),
        };
        for slot in 0..11 {
            let versions = (0..1 + slot * slot).map(|n| std::sync::Arc::new(version(n))).collect();
            snapshot.record.drafts.insert(format!("s{slot:02}"), record::Draft { stage: 1, versions });
        }
        let bytes = encode(&snapshot, &coordinator).expect("encoded");
        let exercise = ExerciseId::new("ex").expect("valid");
        assert_eq!(decode(&bytes, &exercise, &coordinator.public_key()).expect("decoded"), snapshot);
        // Signed as it is, so only its decoding can find it short.
        let cut = &bytes[header().len() + 64..bytes.len() - 3];
        let resealed = [sealed(cut, &coordinator).expect("signed"), cut.to_vec()].concat();
        assert!(matches!(decode(&resealed, &exercise, &coordinator.public_key()), Err(SnapshotError::Malformed(_))));
    }

    #[test]
    fn a_snapshot_keeps_the_state_it_was_taken_at_while_the_record_goes_on() {
        let exercise = ExerciseId::new("ex").expect("valid");
        let from = |role, node: &str| bus::Sender::new(role, bus::NodeId::new(node).expect("valid"));
        let draft = wire::DraftDecision { slot_id: "s1".into(), version: 1, ..Default::default() };
        let position = |node| {
            let answer = wire::Position { slot_id: "s1".into(), draft_version: 1, ..Default::default() };
            Envelope::new(exercise.clone(), from(bus::Role::ControlPoint, node), Payload::Position(answer))
        };
        let mut record = Record::default();
        record.apply(&Envelope::new(
            exercise.clone(),
            from(bus::Role::JointStaff, "js"),
            Payload::DraftDecision(draft),
        ));
        record.apply(&position("BY"));
        let before = record.clone();
        let snapshot = take(&exercise, 2, &[7; 32], &mut record, &ClockLog::default());
        record.apply(&position("KZ"));
        record.apply(&event("a"));
        // The version the snapshot shares was copied when the record changed it, not changed under it.
        assert_eq!(snapshot.record, before);
        assert_eq!(snapshot.record.drafts["s1"].versions[0].positions.len(), 1);
        assert_eq!(record.drafts["s1"].versions[0].positions.len(), 2);
        assert!(!snapshot.record.seen.is_empty() && snapshot.record.seen.len() < record.seen.len());
    }

    #[test]
    fn a_snapshot_of_another_release_is_passed_over() {
        let coordinator = nkeys::KeyPair::new_user();
        let bytes = encode(&snapshot_after(&[event("a")]), &coordinator).expect("encoded");
        let older = [MAGIC, b"0.0.0-older\n", &bytes[header().len()..]].concat();
        let exercise = ExerciseId::new("ex").expect("valid");
        assert!(matches!(
            decode(&older, &exercise, &coordinator.public_key()),
            Err(SnapshotError::OtherRelease(r)) if r == "0.0.0-older"
        ));
        assert!(matches!(decode(b"junk", &exercise, &coordinator.public_key()), Err(SnapshotError::Malformed(_))));
    }

    #[test]
    fn a_snapshot_is_taken_only_at_the_event_it_claims_to_follow() {
        let (a, b) = (event("a"), event("b"));
        let snapshot = snapshot_after(&[a.clone(), b.clone()]);
        assert!(follows(&snapshot, &b).is_ok());
        assert!(matches!(follows(&snapshot, &a), Err(SnapshotError::NotTheLogs(2))));
    }
}
