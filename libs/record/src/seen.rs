//! The ids of the events a record has applied, kept as digests: the set a repeated submission or a
//! repeated event is recognised by. A long log holds a million ids; as 16-byte digests they cost a
//! third of the memory of the ids themselves, and a snapshot stores them as one block of bytes
//! that a new leader reads back in milliseconds rather than building a million strings.

use std::collections::HashSet;

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

/// A set of message ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen(HashSet<Digest>);

impl Seen {
    /// Adds `id`; false if it was there already.
    pub fn insert(&mut self, id: &MessageId) -> bool {
        self.0.insert(digest(id))
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: &MessageId) -> bool {
        self.0.contains(&digest(id))
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Seen {
    fn serialize<S: Serializer>(&self, to: S) -> Result<S::Ok, S::Error> {
        to.serialize_bytes(&self.0.iter().flatten().copied().collect::<Vec<u8>>())
    }
}

impl<'de> Deserialize<'de> for Seen {
    fn deserialize<D: Deserializer<'de>>(from: D) -> Result<Seen, D::Error> {
        let bytes = byte_block(from)?;
        if bytes.len() % 16 != 0 {
            return Err(serde::de::Error::invalid_length(bytes.len(), &"a multiple of 16 bytes"));
        }
        let mut set = HashSet::with_capacity(bytes.len() / 16);
        set.extend(bytes.chunks_exact(16).map(|c| {
            let mut d = Digest::default();
            d.copy_from_slice(c);
            d
        }));
        Ok(Seen(set))
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
