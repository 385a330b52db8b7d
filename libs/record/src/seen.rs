//! The submissions and events a record has applied, each known by its sender and its message id,
//! with its position in the log: the set a repeated submission or a repeated event is recognised
//! by, and where the original is. One sender's id never shadows another's: a seat that sends a
//! message under another seat's id sends a message of its own. A long log holds a million entries;
//! as 16-byte digests with an 8-byte position they cost less than the ids themselves. Most of them
//! sit settled in one sorted block, which a snapshot stores as it is and a new leader reads back
//! with one copy, where a hash map of a million would be rebuilt one insertion at a time.

use std::collections::HashMap;
use std::sync::Arc;

use bus::{MessageId, Sender};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// The first 16 bytes of the SHA-256 of a sender and an id: two that differ share them by chance
/// about once in 2^64 pairs, and no one can make them collide on purpose.
type Digest = [u8; 16];

/// A digest followed by the position (little-endian): sorted as bytes, entries sort by digest.
type Entry = [u8; 24];

fn digest(sender: &Sender, id: &MessageId) -> Digest {
    let mut h = Sha256::new();
    // Roles, nodes and ids are subject-safe tokens: no NUL, so the separators keep them apart.
    h.update(sender.role.token().as_bytes());
    h.update([0]);
    h.update(sender.node.as_str().as_bytes());
    h.update([0]);
    h.update(id.as_str().as_bytes());
    let full = h.finalize();
    let mut d = Digest::default();
    d.copy_from_slice(&full[..16]);
    d
}

fn entry(d: &Digest, position: u64) -> Entry {
    let mut e = [0; 24];
    e[..16].copy_from_slice(d);
    e[16..].copy_from_slice(&position.to_le_bytes());
    e
}

fn position_of(e: &Entry) -> u64 {
    let mut p = [0; 8];
    p.copy_from_slice(&e[16..]);
    u64::from_le_bytes(p)
}

/// A set of (sender, message id) with the log position each was first applied at: those settled,
/// sorted, and those added since.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Shared with the snapshots taken of the record.
    settled: Arc<Vec<Entry>>,
    fresh: HashMap<Digest, u64>,
}

impl Seen {
    /// Adds `sender`'s `id`, applied at `position`; false if it was there already (its position
    /// stays the first one's).
    pub fn insert(&mut self, sender: &Sender, id: &MessageId, position: u64) -> bool {
        let d = digest(sender, id);
        if self.find(&d).is_some() {
            return false;
        }
        self.fresh.insert(d, position);
        true
    }

    /// Whether `sender`'s `id` is in the set.
    pub fn contains(&self, sender: &Sender, id: &MessageId) -> bool {
        self.find(&digest(sender, id)).is_some()
    }

    /// Where in the log `sender`'s `id` was applied, if it was.
    pub fn position(&self, sender: &Sender, id: &MessageId) -> Option<u64> {
        self.find(&digest(sender, id))
    }

    fn find(&self, d: &Digest) -> Option<u64> {
        if let Some(p) = self.fresh.get(d) {
            return Some(*p);
        }
        let i = self.settled.binary_search_by(|e| e[..16].cmp(d.as_slice())).ok()?;
        self.settled.get(i).map(position_of)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.settled.len() + self.fresh.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Merges the entries added since into the sorted block, so that the set encodes as that block.
    /// Linear in the set's size: done when a snapshot is taken, not on every insertion.
    pub fn settle(&mut self) {
        if self.fresh.is_empty() {
            return;
        }
        let mut fresh: Vec<Entry> = self.fresh.drain().map(|(d, p)| entry(&d, p)).collect();
        fresh.sort_unstable();
        let mut settled = Vec::with_capacity(self.settled.len() + fresh.len());
        let (mut a, mut b) = (self.settled.iter().copied().peekable(), fresh.into_iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            let next = if x < y { a.next() } else { b.next() };
            settled.extend(next);
        }
        settled.extend(a.chain(b));
        self.settled = Arc::new(settled);
    }
}

/// The same entries, however they are split between settled and fresh.
impl PartialEq for Seen {
    fn eq(&self, other: &Seen) -> bool {
        let settled = self.settled.iter().map(|e| (e[..16].try_into().unwrap_or_default(), position_of(e)));
        let fresh = self.fresh.iter().map(|(d, p)| (*d, *p));
        self.len() == other.len() && settled.chain(fresh).all(|(d, p): (Digest, u64)| other.find(&d) == Some(p))
    }
}

impl Eq for Seen {}

impl Serialize for Seen {
    fn serialize<S: Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        if self.fresh.is_empty() {
            return to.serialize_bytes(self.settled.as_flattened());
        }
        let mut all = self.clone();
        all.settle();
        to.serialize_bytes(all.settled.as_flattened())
    }
}

impl<'de> Deserialize<'de> for Seen {
    fn deserialize<D: Deserializer<'de>>(from: D) -> Result<Seen, D::Error> {
        let bytes = byte_block(from)?;
        let (entries, rest) = bytes.as_chunks::<24>();
        if !rest.is_empty() {
            return Err(serde::de::Error::invalid_length(bytes.len(), &"a multiple of 24 bytes"));
        }
        let mut settled = entries.to_vec();
        // Written sorted, so this is one pass; a block that is not is still read right.
        settled.sort_unstable();
        settled.dedup_by(|a, b| a[..16] == b[..16]);
        Ok(Seen { settled: Arc::new(settled), fresh: HashMap::new() })
    }
}

/// A byte block, borrowed where the format allows (postcard does) or copied.
fn byte_block<'de, D: Deserializer<'de>>(from: D) -> Result<std::borrow::Cow<'de, [u8]>, D::Error> {
    struct Bytes;
    impl<'de> serde::de::Visitor<'de> for Bytes {
        type Value = std::borrow::Cow<'de, [u8]>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("bytes")
        }
        fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_bytes<E>(self, v: &[u8]) -> Result<Self::Value, E> {
            Ok(v.to_vec().into())
        }
        fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Self::Value, E> {
            Ok(v.into())
        }
    }
    from.deserialize_bytes(Bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(node: &str) -> Sender {
        Sender::new(bus::Role::ControlPoint, bus::NodeId::new(node).expect("valid"))
    }

    #[test]
    fn an_id_is_seen_once_per_sender_and_the_set_reads_back_as_written() {
        let mut seen = Seen::default();
        let (by, kz) = (sender("BY"), sender("KZ"));
        let (a, b) = (MessageId::new("BY-position-1").expect("valid"), MessageId::new("BY-position-2").expect("valid"));
        assert!(seen.insert(&by, &a, 7));
        assert!(!seen.insert(&by, &a, 9));
        assert_eq!(seen.position(&by, &a), Some(7), "the first one's position stays");
        assert!(seen.contains(&by, &a) && !seen.contains(&by, &b));
        assert!(!seen.contains(&kz, &a), "another sender's use of an id is not this one's");
        assert!(seen.insert(&kz, &a, 8), "the same id from another sender is another message");
        seen.insert(&by, &b, 10);
        let bytes = postcard::to_stdvec(&seen).expect("encodes");
        let back: Seen = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(back, seen);
        assert_eq!(back.len(), 3);
        assert_eq!(
            (back.position(&by, &a), back.position(&kz, &a), back.position(&by, &b)),
            (Some(7), Some(8), Some(10))
        );
        let mut settled = back.clone();
        let c = MessageId::new("BY-position-3").expect("valid");
        assert!(settled.insert(&by, &c, 11) && !settled.insert(&by, &a, 12) && settled.contains(&by, &c));
        assert_ne!(settled, back);
        settled.settle();
        assert!(!settled.insert(&by, &c, 13) && !settled.insert(&by, &b, 13) && settled.contains(&by, &a));
        assert_eq!(settled.position(&by, &c), Some(11));
        assert_eq!(
            postcard::from_bytes::<Seen>(&postcard::to_stdvec(&settled).expect("encodes")).expect("decodes"),
            settled
        );
        assert_eq!(settled.len(), 4);
        assert!(postcard::from_bytes::<Seen>(&bytes[..bytes.len() - 1]).is_err());
        let ragged = postcard::to_stdvec(&serde_bytes_of(&[0; 25])).expect("encodes");
        assert!(postcard::from_bytes::<Seen>(&ragged).is_err());
    }

    /// 25 bytes as a byte block, as no `Seen` writes them.
    fn serde_bytes_of(bytes: &[u8]) -> impl Serialize + '_ {
        struct Block<'a>(&'a [u8]);
        impl Serialize for Block<'_> {
            fn serialize<S: Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
                to.serialize_bytes(self.0)
            }
        }
        Block(bytes)
    }
}
