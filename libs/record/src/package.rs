//! The package's digest: SHA-256 over its items, each encoded length-delimited, in hex. The
//! coordinator records it when the package is communicated; receipts echo it; anyone holding the
//! items checks it.

use proto::v1 as wire;
use sha2::{Digest, Sha256};

/// The digest of `items`.
pub fn digest(items: &[wire::PackageItem]) -> String {
    use prost::Message as _;
    let mut hasher = Sha256::new();
    for item in items {
        hasher.update(item.encode_length_delimited_to_vec());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
