//! The ids of the events a record has applied, kept as digests: the set a repeated submission or a
//! repeated event is recognised by. A long log holds a million ids; as 16-byte digests they cost a
//! third of the memory of the ids themselves. Most of them sit settled in one sorted block, which a
//! snapshot stores as it is and a new leader reads back with one copy, where a hash set of a
//! million would be rebuilt one insertion at a time (a fifth of a takeover's decoding) and encoded
//! by walking the table.

use std::collections::HashSet;
use std::sync::Arc;

use bus::MessageId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// The first 16 bytes of an id's SHA-256: two ids that differ share them by chance about once in
/// 2^64 pairs, and no one can make them collide on purpose.
type Digest = [u8; 16];

fn digest(id: &MessageId) -> Digest {
    let full = Sha256::digest(id.as_str().as_bytes());
    let mut d = Digest::default();
    d.copy_from_slice(&full[..16]);
    d
}

/// A set of message ids: those settled, sorted, and those added since.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Shared with the snapshots taken of the record.
    settled: Arc<Vec<Digest>>,
    fresh: HashSet<Digest>,
}

impl Seen {
    /// Adds `id`; false if it was there already.
    pub fn insert(&mut self, id: &MessageId) -> bool {
        let d = digest(id);
        !self.holds(&d) && self.fresh.insert(d)
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &MessageId) -> bool {
        self.holds(&digest(id))
    }

    fn holds(&self, d: &Digest) -> bool {
        self.fresh.contains(d) || self.settled.binary_search(d).is_ok()
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.settled.len() + self.fresh.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Merges the ids added since into the sorted block, so that the set encodes as that block.
    /// Linear in the set's size: done when a snapshot is taken, not on every insertion.
    pub fn settle(&mut self) {
        if self.fresh.is_empty() {
            return;
        }
        let mut fresh: Vec<Digest> = self.fresh.drain().collect();
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

/// The same ids, however they are split between settled and fresh.
impl PartialEq for Seen {
    fn eq(&self, other: &Seen) -> bool {
        self.len() == other.len() && self.settled.iter().chain(&self.fresh).all(|d| other.holds(d))
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
        let (digests, rest) = bytes.as_chunks::<16>();
        if !rest.is_empty() {
            return Err(serde::de::Error::invalid_length(bytes.len(), &"a multiple of 16 bytes"));
        }
        let mut settled = digests.to_vec();
        // Written sorted, so this is one pass; a block that is not is still read right.
        settled.sort_unstable();
        settled.dedup();
        Ok(Seen { settled: Arc::new(settled), fresh: HashSet::new() })
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

    #[test]
    fn an_id_is_seen_once_and_the_set_reads_back_as_written() {
        let mut seen = Seen::default();
        let (a, b) = (MessageId::new("BY-position-1").expect("valid"), MessageId::new("BY-position-2").expect("valid"));
        assert!(seen.insert(&a));
        assert!(!seen.insert(&a));
        assert!(seen.contains(&a) && !seen.contains(&b));
        seen.insert(&b);
        let bytes = postcard::to_stdvec(&seen).expect("encodes");
        let back: Seen = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(back, seen);
        assert_eq!(back.len(), 2);
        let mut settled = back.clone();
        let c = MessageId::new("BY-position-3").expect("valid");
        assert!(settled.insert(&c) && !settled.insert(&a) && settled.contains(&c));
        assert_ne!(settled, back);
        settled.settle();
        assert!(!settled.insert(&c) && !settled.insert(&b) && settled.contains(&a));
        assert_eq!(
            postcard::from_bytes::<Seen>(&postcard::to_stdvec(&settled).expect("encodes")).expect("decodes"),
            settled
        );
        assert_eq!(settled.len(), 3);
        assert!(postcard::from_bytes::<Seen>(&bytes[..bytes.len() - 1]).is_err());
        let ragged = postcard::to_stdvec(&serde_bytes_of(&[0; 17])).expect("encodes");
        assert!(postcard::from_bytes::<Seen>(&ragged).is_err());
    }

    /// 17 bytes as a byte block, as no `Seen` writes them.
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
