//! Receipts: the coordinator's signed word that it recorded one sender's submission as one event of
//! the log, at a position and with a hash. A seat keeps each it gets (a line of JSON in its receipts
//! file); `muster verify --receipts` checks an exported record against them, so a state can show
//! that a record which lacks its submission is not the record the coordinator wrote.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use prost::Message as _;

use crate::envelope::Envelope;
use crate::error::EnvelopeError;
use crate::id::{ExerciseId, MessageId, Sender};
use crate::seal::{Hash, SealError};

/// What a receipt's signed bytes start with.
const RECEIPT_LABEL: &[u8] = b"muster.v1.Receipt\0";

/// A receipt, checked for form (not yet for its signature: see [`Receipt::signed_by`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The exercise.
    pub exercise: ExerciseId,
    /// Who submitted.
    pub sender: Sender,
    /// The submission's message id.
    pub message_id: MessageId,
    /// The position of the event that recorded it (stream sequence, from 1).
    pub sequence: u64,
    /// SHA-256 of that event as stored.
    pub event: Hash,
    /// The coordinator's signature over the rest.
    pub signature: Vec<u8>,
}

impl Receipt {
    /// The coordinator's receipt for `submission`, recorded as `event` at `sequence`.
    pub fn sign(submission: &Envelope, sequence: u64, event: Hash, key: &nkeys::KeyPair) -> Result<Receipt, SealError> {
        let mut receipt = Receipt {
            exercise: submission.exercise.clone(),
            sender: submission.sender.clone(),
            message_id: submission.message_id.clone(),
            sequence,
            event,
            signature: Vec::new(),
        };
        receipt.signature = key.sign(&receipt.signed_bytes()).map_err(|e| SealError::Key(e.to_string()))?;
        Ok(receipt)
    }

    /// Whether `public` (the coordinator's key) signed it.
    pub fn signed_by(&self, public: &str) -> bool {
        crate::seal::verify(public, &self.signed_bytes(), &self.signature)
    }

    /// Whether it is the receipt for `submission` (same exercise, sender and id).
    pub fn is_for(&self, submission: &Envelope) -> bool {
        self.exercise == submission.exercise
            && self.sender == submission.sender
            && self.message_id == submission.message_id
    }

    /// What the coordinator signs: a label, then the receipt without its signature. The label
    /// keeps a receipt's signature from ever being taken for an event's seal or a snapshot's,
    /// which the same key makes.
    fn signed_bytes(&self) -> Vec<u8> {
        let mut bytes = RECEIPT_LABEL.to_vec();
        proto::v1::Receipt { signature: Vec::new(), ..proto::v1::Receipt::from(self) }.encode_raw(&mut bytes);
        bytes
    }
}

impl From<&Receipt> for proto::v1::Receipt {
    fn from(r: &Receipt) -> Self {
        proto::v1::Receipt {
            exercise_id: r.exercise.to_string(),
            sender: Some((&r.sender).into()),
            message_id: r.message_id.to_string(),
            sequence: r.sequence,
            event_hash: r.event.to_vec(),
            signature: r.signature.clone(),
        }
    }
}

impl TryFrom<proto::v1::Receipt> for Receipt {
    type Error = EnvelopeError;
    fn try_from(wire: proto::v1::Receipt) -> Result<Self, Self::Error> {
        let event = Hash::try_from(wire.event_hash.as_slice())
            .map_err(|_| EnvelopeError::Invalid { field: "receipt.event_hash", reason: "not 32 bytes".into() })?;
        Ok(Receipt {
            exercise: ExerciseId::new(wire.exercise_id).map_err(|e| crate::id::rename(e, "receipt.exercise_id"))?,
            sender: Sender::try_from(wire.sender.ok_or(EnvelopeError::Missing("receipt.sender"))?)?,
            message_id: MessageId::new(wire.message_id).map_err(|e| crate::id::rename(e, "receipt.message_id"))?,
            sequence: wire.sequence,
            event,
            signature: wire.signature,
        })
    }
}

/// What is wrong with a receipts file.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptsError {
    /// It could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not a receipt.
    #[error("{path}:{line}: not a receipt: {reason}")]
    Line {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// Why.
        reason: String,
    },
}

/// A receipt as a line of its holder's file: the wire form, its bytes in hex.
#[derive(serde::Serialize, serde::Deserialize)]
struct Line {
    exercise: String,
    sender: String,
    message_id: String,
    sequence: u64,
    event: String,
    signature: String,
}

/// Appends `receipt` to the file at `path` (created, with its folder, when missing), and syncs it:
/// a receipt a seat was given survives the seat.
pub fn keep(path: &Path, receipt: &Receipt) -> Result<(), ReceiptsError> {
    let io = |source| ReceiptsError::Io { path: path.to_owned(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let line = Line {
        exercise: receipt.exercise.to_string(),
        sender: receipt.sender.to_string(),
        message_id: receipt.message_id.to_string(),
        sequence: receipt.sequence,
        event: hex(&receipt.event),
        signature: hex(&receipt.signature),
    };
    let mut text = serde_json::to_string(&line).map_err(|e| io(std::io::Error::other(e)))?;
    text.push('\n');
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)
}

/// Every receipt in the file at `path`, in the order kept; a line that is not one names itself.
pub fn read(path: &Path) -> Result<Vec<Receipt>, ReceiptsError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReceiptsError::Io { path: path.to_owned(), source })?;
    let mut out = Vec::new();
    for (n, text) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |reason: String| ReceiptsError::Line { path: path.to_owned(), line: n + 1, reason };
        let line: Line = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let (role, node) = line.sender.split_once('/').ok_or_else(|| bad("sender is not role/node".into()))?;
        let role = crate::id::Role::from_token(role).ok_or_else(|| bad(format!("unknown role {role:?}")))?;
        let event = unhex(&line.event).and_then(|b| Hash::try_from(b.as_slice()).ok());
        out.push(Receipt {
            exercise: ExerciseId::new(line.exercise).map_err(|e| bad(e.to_string()))?,
            sender: Sender::new(role, crate::id::NodeId::new(node).map_err(|e| bad(e.to_string()))?),
            message_id: MessageId::new(line.message_id).map_err(|e| bad(e.to_string()))?,
            sequence: line.sequence,
            event: event.ok_or_else(|| bad("event is not 32 bytes of hex".into()))?,
            signature: unhex(&line.signature).ok_or_else(|| bad("signature is not hex".into()))?,
        });
    }
    Ok(out)
}

/// Lower-case hex, as hashes are printed.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::Payload;
    use crate::id::{NodeId, Role};

    fn submission() -> Envelope {
        let sender = Sender::new(Role::ControlPoint, NodeId::new("TJ").expect("valid"));
        let mut e = Envelope::new(
            ExerciseId::new("ex1").expect("valid"),
            sender,
            Payload::AssemblyReport(proto::v1::AssemblyReport::default()),
        );
        e.message_id = MessageId::new("TJ-assembly").expect("valid");
        e
    }

    #[test]
    fn a_receipt_proves_the_coordinator_recorded_that_senders_message_and_reads_back_as_kept() {
        let coordinator = nkeys::KeyPair::new_account();
        let other = nkeys::KeyPair::new_account();
        let receipt = Receipt::sign(&submission(), 7, [9; 32], &coordinator).expect("signs");
        assert!(receipt.signed_by(&coordinator.public_key()));
        assert!(!receipt.signed_by(&other.public_key()));
        assert!(receipt.is_for(&submission()));
        let mut kz = submission();
        kz.sender.node = NodeId::new("KZ").expect("valid");
        assert!(!receipt.is_for(&kz), "the same id from another sender is another submission");
        let moved = Receipt { sequence: 8, ..receipt.clone() };
        assert!(!moved.signed_by(&coordinator.public_key()), "the position is signed");
        let wire = proto::v1::Receipt::from(&receipt);
        assert_eq!(Receipt::try_from(wire).expect("valid"), receipt);

        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("receipts").join("TJ.receipts");
        keep(&path, &receipt).expect("kept");
        keep(&path, &moved).expect("kept");
        assert_eq!(read(&path).expect("reads"), [receipt, moved]);
        std::fs::write(&path, "{\"exercise\":\"ex1\"}\n").expect("writes");
        let error = read(&path).expect_err("not a receipt").to_string();
        assert!(error.contains("TJ.receipts:1: not a receipt"), "{error}");
    }
}
