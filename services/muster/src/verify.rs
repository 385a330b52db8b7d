//! The record checked offline: `muster export` writes an exercise's log to a file, and `muster
//! verify` checks a log (from the stream or such a file): the chain from the first event, the
//! coordinator's checkpoints covering it, and each seat's signature on what it submitted. It names
//! the first event that fails, says whether the record is complete (ends with the exercise's
//! conclusion) and gives its final hash and last checkpoint (as a C2SP signed note), which two
//! parties holding copies can compare. Given the receipts seats kept, it names every accepted
//! submission the record lacks.

use std::path::Path;

use anyhow::Context as _;
use bus::receipt::Receipt;
use bus::{Envelope, Role};
use prost::Message as _;
use record::Record;

/// The first event of a log that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Its place in the log (1-based).
    pub index: usize,
    /// Its message id.
    pub message_id: String,
    /// What it is, and from whom.
    pub what: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event {} ({}, message id {}): {}", self.index, self.what, self.message_id, self.reason)
    }
}

/// What a record that holds is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// How many events.
    pub events: usize,
    /// Whether it ends with the exercise's conclusion.
    pub complete: bool,
    /// The phase its last event leaves the exercise in.
    pub phase: String,
    /// The hash of its last event covered by a checkpoint (what the next would chain to).
    pub last: bus::seal::Hash,
    /// The last checkpoint, with the coordinator's signature of it.
    pub checkpoint: Option<(bus::seal::Checkpoint, Vec<u8>)>,
    /// The places (1-based) of events no checkpoint covers: not part of the record (a batch its
    /// leader did not finish, or someone else's writing).
    pub passed_over: Vec<usize>,
}

/// Checks `events` against the coordinator's public key: chained, covered by the coordinator's
/// checkpoints, and every recorded submission signed by its sender's key as the notification lists
/// it. A seat's signature is checked as soon as its event is read (once the plan is known): a bad
/// one is the finding once a checkpoint covers that event, or when the chain breaks right after
/// it (the event was changed); one in a run no checkpoint covers is passed over with the run.
pub fn check(events: &[Envelope], coordinator: &str) -> Result<Verified, Finding> {
    let mut record = Record::trusting(coordinator);
    let mut checkpoint = None;
    let (mut checked, mut applied) = (vec![false; events.len()], vec![false; events.len()]);
    let finding = |index: usize, e: &Envelope, reason: String| Finding {
        index,
        message_id: e.message_id.to_string(),
        what: format!("{} from {}", e.kind(), e.sender),
        reason,
    };
    let mut suspect: Option<Finding> = None;
    for (i, e) in events.iter().enumerate() {
        let index = i + 1;
        if record.plan.is_some() {
            match signed(&record, e) {
                Ok(()) => checked[i] = true,
                Err(reason) => suspect = Some(finding(index, e, reason)),
            }
        }
        let covered = record.admit(index as u64, e.clone()).map_err(|err| match suspect.take() {
            Some(changed) if changed.index + 1 == index => changed,
            _ => finding(index, e, err.to_string()),
        })?;
        if let Some(last) = covered.last() {
            checkpoint = bus::seal::Checkpoint::of(&last.1).map(|(c, signature)| (c, signature.to_vec()));
        }
        for (sequence, covered) in covered {
            let at = usize::try_from(sequence).unwrap_or(usize::MAX);
            if !checked.get(at.wrapping_sub(1)).copied().unwrap_or(false) {
                signed(&record, &covered).map_err(|reason| finding(at, &covered, reason))?;
            }
            record.apply(&covered);
            if let Some(slot) = applied.get_mut(at.wrapping_sub(1)) {
                *slot = true;
            }
        }
    }
    Ok(Verified {
        events: events.len(),
        complete: record.is_concluded(),
        phase: record.phase.phase.to_string(),
        last: record.trust.map_or(bus::seal::GENESIS, |chain| chain.last),
        checkpoint,
        passed_over: (1..).zip(applied).filter(|(_, applied)| !applied).map(|(index, _)| index).collect(),
    })
}

/// Whether a submission in the log carries its sender's signature, by the key `record`'s plan
/// lists (the coordinator's own events have none to check).
fn signed(record: &Record, e: &Envelope) -> Result<(), String> {
    if e.sender == record::coordinator() {
        return Ok(());
    }
    let plan = record.plan.as_ref().ok_or("a submission before the notification")?;
    let key = match e.sender.role {
        Role::Coordinator => plan.director_key.as_ref(),
        _ => plan.participant(&e.sender.node).and_then(|p| p.public_key.as_ref()),
    };
    match key {
        Some(key) if bus::seal::signed_by(e, key) => Ok(()),
        Some(_) => Err(format!("the signature is not {}'s", e.sender.node)),
        None => Err(format!("the exercise lists no key for {}", e.sender.node)),
    }
}

/// What a verifier was given to check the record against, or to keep of it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kept<'a> {
    /// Receipts seats kept.
    pub receipts: Option<&'a Path>,
    /// Where to write the record's last checkpoint.
    pub checkpoint: Option<&'a Path>,
}

/// A receipt the record does not bear out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unheard {
    /// The receipt.
    pub receipt: Receipt,
    /// Why it is not borne out.
    pub reason: String,
}

impl std::fmt::Display for Unheard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.receipt;
        write!(f, "{}'s {} (receipt for event {}): {}", r.sender, r.message_id, r.sequence, self.reason)
    }
}

/// The receipts among `receipts` that `events` (a verified record) does not bear out: not the
/// coordinator's, or naming an event the record does not hold as receipted.
pub fn check_receipts(events: &[Envelope], receipts: &[Receipt], coordinator: &str) -> Vec<Unheard> {
    let exercise = events.first().map(|e| &e.exercise);
    let mut hashes = Vec::new();
    let unheard = |receipt: &Receipt, reason: String| Unheard { receipt: receipt.clone(), reason };
    let mut out = Vec::new();
    for receipt in receipts {
        if !receipt.signed_by(coordinator) {
            out.push(unheard(receipt, "the receipt is not signed by the coordinator".into()));
            continue;
        }
        if exercise.is_some_and(|ex| *ex != receipt.exercise) {
            // Another exercise's, kept in the same folder: not this record's to bear out.
            continue;
        }
        let at = usize::try_from(receipt.sequence).unwrap_or(usize::MAX).saturating_sub(1);
        if hashes.is_empty() && !events.is_empty() {
            hashes = events.iter().map(bus::seal::hash).collect();
        }
        match (events.get(at), hashes.get(at)) {
            (Some(_), Some(hash)) if *hash == receipt.event => {}
            (Some(e), Some(_)) => out.push(unheard(
                receipt,
                format!(
                    "the record's event {} is another ({} from {}): the submission is missing",
                    receipt.sequence,
                    e.kind(),
                    e.sender
                ),
            )),
            _ => out.push(unheard(
                receipt,
                format!("the record ends at event {}: the submission is missing", events.len()),
            )),
        }
    }
    out
}

/// Every receipt kept in `path`: a receipts file, or a folder of them (`*.receipts`).
pub fn read_receipts(path: &Path) -> anyhow::Result<Vec<Receipt>> {
    if path.is_file() {
        return Ok(bus::receipt::read(path)?);
    }
    let mut files: Vec<_> = std::fs::read_dir(path)
        .with_context(|| format!("reading {}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "receipts"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        out.extend(bus::receipt::read(&file)?);
    }
    Ok(out)
}

/// Writes `events` to `path`, each length-delimited protobuf.
pub fn write(path: &Path, events: &[Envelope]) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    for e in events {
        proto::v1::Envelope::from(e).encode_length_delimited(&mut bytes)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Reads a file written by [`write`]; a damaged one names the event where it breaks.
pub fn read(path: &Path) -> anyhow::Result<Vec<Envelope>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rest = bytes.as_slice();
    let mut events = Vec::new();
    while !rest.is_empty() {
        let index = events.len() + 1;
        let wire = proto::v1::Envelope::decode_length_delimited(&mut rest)
            .with_context(|| format!("{}: event {index} cannot be read", path.display()))?;
        events
            .push(Envelope::try_from(wire).with_context(|| format!("{}: event {index} is not valid", path.display()))?);
    }
    Ok(events)
}
