//! Snapshots of the coordinator's state, so that a new leader need not replay the whole log.
//!
//! Every so many events the leader writes its record (its clock included) and the position it stands
//! at (a sequence of the event log and that event's hash) to the exercise's object store, signed
//! with the key that seals the events. It is stored as it is encoded, a piece at a time, its
//! signature last: a long record's snapshot is never whole in the leader's memory. A new leader
//! takes the snapshot only if the signature is the coordinator's, it was written by this release,
//! and the log holds at that sequence the very event the snapshot names; then it replays the log
//! from the next event on. Anything else, and it replays the whole log: a snapshot is a shortcut,
//! never the truth. Fencing is untouched: writes are still fenced on the log's last sequence,
//! whatever state the leader started from.

use std::pin::Pin;
use std::task::{Context, Poll};

use async_nats::jetstream::object_store::ObjectMetadata;
use bus::seal::Hash;
use bus::{Bus, BusError, Envelope, ExerciseId};
use record::Record;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt as _, ReadBuf};
use tokio::sync::mpsc;

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
const RELEASE: &str = concat!(env!("CARGO_PKG_VERSION"), "+snapshot.8");

/// Bytes per message of the object store, and per piece the encoder hands over: half a MiB, under
/// the servers' 1 MB payload limit (a quarter as many messages for a new leader to read as the
/// store's default 128 KiB).
const PIECE: usize = 512 * 1024;

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
/// long message, and it is taken as the body is written).
fn signed(body_digest: &[u8]) -> Vec<u8> {
    [header().as_slice(), body_digest].concat()
}

/// Takes a snapshot of `record` as of the log's event `sequence`, whose hash is
/// `hash`: a copy, and a cheap one, since the bulk of a long record (the drafts' versions, the
/// ids seen) is shared with it rather than copied; the loop goes on while it is encoded.
pub fn take(exercise: &ExerciseId, sequence: u64, hash: &Hash, record: &mut Record) -> Snapshot {
    record.seen.settle();
    Snapshot { exercise: exercise.clone(), sequence, hash: *hash, record: record.clone() }
}

/// Writes `snapshot` as stored to `out`: the header, the body, and the coordinator's signature of
/// the header and the body's SHA-256 (64 bytes), last, so that the body goes out as it is encoded.
fn write_stored(snapshot: &Snapshot, key: &nkeys::KeyPair, mut out: impl std::io::Write) -> Result<(), SnapshotError> {
    let failed = |e: std::io::Error| SnapshotError::Encoding(e.to_string());
    out.write_all(&header()).map_err(failed)?;
    // The encoder writes a field at a time: hashed and handed on in blocks.
    let body = std::io::BufWriter::with_capacity(64 * 1024, Hashing { out, body: Sha256::new() });
    let body = postcard::to_io(snapshot, body).map_err(|e| SnapshotError::Encoding(e.to_string()))?;
    let Hashing { mut out, body } = body.into_inner().map_err(|e| failed(e.into_error()))?;
    let signature = key.sign(&signed(&body.finalize())).map_err(|e| SnapshotError::Key(e.to_string()))?;
    out.write_all(&signature).map_err(failed)?;
    out.flush().map_err(failed)
}

/// A writer that takes the SHA-256 of what passes through it.
struct Hashing<W> {
    out: W,
    body: Sha256,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.body.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The snapshot as stored: header, body, signature.
pub fn encode(snapshot: &Snapshot, key: &nkeys::KeyPair) -> Result<Vec<u8>, SnapshotError> {
    let mut bytes = Vec::new();
    write_stored(snapshot, key, &mut bytes)?;
    Ok(bytes)
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
    let at = rest.len().checked_sub(64).ok_or_else(|| SnapshotError::Malformed("too short".into()))?;
    let (body, signature) = rest.split_at(at);
    let key = nkeys::KeyPair::from_public_key(coordinator).map_err(|e| SnapshotError::Key(e.to_string()))?;
    key.verify(&signed(&Sha256::digest(body)), signature).map_err(|_| SnapshotError::BadSignature)?;
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
/// it as the exercise's latest, a piece at a time as it is encoded; returns its size. Should the
/// encoding fail, the store's reading fails with it, and the latest stays what it was.
pub async fn save(bus: &Bus, snapshot: Snapshot, key: std::sync::Arc<nkeys::KeyPair>) -> Result<usize, SnapshotError> {
    let exercise = snapshot.exercise.clone();
    let (mut pieces, encoder) = encoding(snapshot, key);
    let stored = put(bus, &exercise, &mut pieces).await;
    let encoded = encoder.await.map_err(|e| SnapshotError::Encoding(e.to_string()))?;
    // The store's failure first: it stops the encoder too.
    stored?;
    encoded
}

/// Encodes `snapshot` as stored on a blocking thread, a piece at a time as the returned reader
/// reads it; the encoder's result (the size, or why it failed, which the reader fails with too).
fn encoding(
    snapshot: Snapshot,
    key: std::sync::Arc<nkeys::KeyPair>,
) -> (Received, tokio::task::JoinHandle<Result<usize, SnapshotError>>) {
    // Two pieces waiting at most: the encoder waits for the store, not the other way round.
    let (to, from) = mpsc::channel(2);
    let encoder = tokio::task::spawn_blocking(move || {
        let mut pieces = Pieces { to: to.clone(), piece: Vec::with_capacity(PIECE), written: 0 };
        let encoded = write_stored(&snapshot, &key, &mut pieces).map(|()| pieces.written);
        if let Err(e) = &encoded {
            let _ = to.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
        encoded
    });
    (Received { from, piece: Vec::new(), at: 0 }, encoder)
}

/// The encoder's side: pieces of [`PIECE`] bytes, each sent to the store's side once full.
struct Pieces {
    to: mpsc::Sender<std::io::Result<Vec<u8>>>,
    piece: Vec<u8>,
    written: usize,
}

impl std::io::Write for Pieces {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let taken = bytes.len().min(PIECE - self.piece.len());
        self.piece.extend_from_slice(&bytes[..taken]);
        self.written += taken;
        if self.piece.len() == PIECE {
            self.flush()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.piece.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.piece, Vec::with_capacity(PIECE));
        self.to.blocking_send(Ok(piece)).map_err(|_| std::io::Error::other("the snapshot store stopped reading"))
    }
}

/// The store's side: the encoder's pieces read as one stream, ending when the encoder is done.
struct Received {
    from: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    piece: Vec<u8>,
    at: usize,
}

impl AsyncRead for Received {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        loop {
            let this = &mut *self;
            if this.at < this.piece.len() {
                let taken = buf.remaining().min(this.piece.len() - this.at);
                buf.put_slice(&this.piece[this.at..this.at + taken]);
                this.at += taken;
                return Poll::Ready(Ok(()));
            }
            match std::task::ready!(this.from.poll_recv(cx)) {
                Some(Ok(piece)) => (this.piece, this.at) = (piece, 0),
                Some(Err(e)) => return Poll::Ready(Err(e)),
                None => return Poll::Ready(Ok(())),
            }
        }
    }
}

/// Stores `bytes`, a snapshot as stored, as the exercise's latest.
pub async fn put(
    bus: &Bus,
    exercise: &ExerciseId,
    bytes: &mut (impl tokio::io::AsyncRead + Unpin),
) -> Result<(), SnapshotError> {
    let meta = ObjectMetadata { name: NAME.into(), chunk_size: Some(PIECE), ..Default::default() };
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

    /// A draft's version `n`, changed as `summary` says, answered by nobody yet.
    fn version(n: usize, summary: String) -> record::Version {
        record::Version {
            draft: wire::DraftDecision { slot_id: format!("v{n}"), ..Default::default() },
            change_summary: summary,
            language: "en".into(),
            circulated: record::Moment::default(),
            positions: Default::default(),
            dispositions: vec![],
            tally: record::Tally::default(),
        }
    }

    fn snapshot_after(events: &[Envelope]) -> Snapshot {
        let mut record = Record::default();
        for e in events {
            record.apply(e);
        }
        let last = events.last().expect("an event");
        Snapshot {
            exercise: ExerciseId::new("ex").expect("valid"),
            sequence: u64::try_from(events.len()).expect("small"),
            hash: bus::seal::hash(last),
            record,
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
        for slot in 0..11 {
            let versions =
                (0..1 + slot * slot).map(|n| std::sync::Arc::new(version(n, format!("change {n}")))).collect();
            snapshot.record.drafts.insert(format!("s{slot:02}"), record::Draft { stage: 1, versions });
        }
        let bytes = encode(&snapshot, &coordinator).expect("encoded");
        let exercise = ExerciseId::new("ex").expect("valid");
        assert_eq!(decode(&bytes, &exercise, &coordinator.public_key()).expect("decoded"), snapshot);
        // Signed as it is, so only its decoding can find it short.
        let cut = &bytes[header().len()..bytes.len() - 64 - 3];
        let signature = coordinator.sign(&signed(&Sha256::digest(cut))).expect("signed");
        let resealed = [header().as_slice(), cut, &signature].concat();
        assert!(matches!(decode(&resealed, &exercise, &coordinator.public_key()), Err(SnapshotError::Malformed(_))));
    }

    #[tokio::test]
    async fn a_snapshot_stored_a_piece_at_a_time_is_the_one_encoded_whole() -> anyhow::Result<()> {
        let coordinator = std::sync::Arc::new(nkeys::KeyPair::new_user());
        let mut snapshot = snapshot_after(&[event("a")]);
        // Versions longer than a piece, and many short ones: writes that span pieces, and fill them.
        for n in 0..2000 {
            let summary = if n % 1000 == 0 { "x".repeat(PIECE + 7) } else { format!("change {n}") };
            let versions = vec![version(n, summary).into()];
            snapshot.record.drafts.insert(format!("s{n:04}"), record::Draft { stage: 1, versions });
        }
        let whole = encode(&snapshot, &coordinator)?;
        assert!(whole.len() > 2 * PIECE, "{} bytes are too few to span pieces", whole.len());
        let (mut pieces, encoder) = encoding(snapshot.clone(), coordinator.clone());
        let mut stored = Vec::new();
        pieces.read_to_end(&mut stored).await?;
        assert_eq!(encoder.await??, whole.len());
        assert!(stored == whole, "the pieces are not the snapshot encoded whole");
        let exercise = ExerciseId::new("ex")?;
        assert_eq!(decode(&stored, &exercise, &coordinator.public_key())?, snapshot);
        Ok(())
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
        let snapshot = take(&exercise, 2, &[7; 32], &mut record);
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
