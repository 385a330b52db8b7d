//! The record checked offline: `muster export` writes an exercise's log to a file, and `muster
//! verify` checks a log (from the stream or such a file): the chain from the first event, the
//! coordinator's seal on every event, and each seat's signature on what it submitted. It names the
//! first event that fails.

use std::path::Path;

use anyhow::Context as _;
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

/// Checks `events` against the coordinator's public key: sealed in chain, and every recorded
/// submission signed by its sender's key as the notification lists it. Returns how many held.
pub fn check(events: &[Envelope], coordinator: &str) -> Result<usize, Finding> {
    let mut record = Record::trusting(coordinator);
    for (i, e) in events.iter().enumerate() {
        let finding = |reason: String| Finding {
            index: i + 1,
            message_id: e.message_id.to_string(),
            what: format!("{} from {}", e.kind(), e.sender),
            reason,
        };
        record.accept(e).map_err(|err| finding(err.to_string()))?;
        if e.sender == record::coordinator() {
            continue;
        }
        let plan = record.plan.as_ref().ok_or_else(|| finding("a submission before the notification".into()))?;
        let key = match e.sender.role {
            Role::Coordinator => plan.director_key.as_ref(),
            _ => plan.participant(&e.sender.node).and_then(|p| p.public_key.as_ref()),
        };
        match key {
            Some(key) if bus::seal::signed_by(e, key) => {}
            Some(_) => return Err(finding(format!("the signature is not {}'s", e.sender.node))),
            None => return Err(finding(format!("the exercise lists no key for {}", e.sender.node))),
        }
    }
    Ok(events.len())
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
