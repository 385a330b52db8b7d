//! Nkeys: one per seat and per service, as standard NATS nkey seed files (`<name>.nk`, the `SU…`
//! seed on one line) that any NATS client can use (async-nats `with_nkey`, the nats CLI `--nkey`,
//! nats.py `nkeys_seed`). The same key signs what its holder writes.

use std::path::{Path, PathBuf};

use crate::IdentityError;

/// One identity: its name (a node id, or a service's name) and its key pair.
pub struct Key {
    name: String,
    pair: nkeys::KeyPair,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the seed.
        f.debug_struct("Key").field("name", &self.name).field("public", &self.public()).finish()
    }
}

impl Key {
    /// A fresh key for `name`.
    pub fn generate(name: &str) -> Key {
        Key { name: name.to_owned(), pair: nkeys::KeyPair::new_user() }
    }

    /// The key in seed `seed`, named `name`.
    pub fn from_seed(name: &str, seed: &str) -> Result<Key, IdentityError> {
        let pair = nkeys::KeyPair::from_seed(seed.trim())
            .map_err(|e| IdentityError::Key { name: name.to_owned(), reason: e.to_string() })?;
        Ok(Key { name: name.to_owned(), pair })
    }

    /// Whose key it is.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public key (`U…`), as the server's authorization and the verifiers know it.
    pub fn public(&self) -> String {
        self.pair.public_key()
    }

    /// The seed (`SU…`): the secret.
    pub fn seed(&self) -> Result<String, IdentityError> {
        self.pair.seed().map_err(|e| IdentityError::Key { name: self.name.clone(), reason: e.to_string() })
    }

    /// The credentials to connect to the bus with.
    pub fn credentials(&self) -> Result<bus::Credentials, IdentityError> {
        Ok(bus::Credentials::new(&self.name, self.seed()?))
    }

    /// The key pair itself: what signs (`bus::seal`).
    pub fn into_pair(self) -> nkeys::KeyPair {
        self.pair
    }
}

/// Where `name`'s seed is kept in `dir`.
pub fn seed_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.nk"))
}

/// The key in a seed file, named for the file.
pub fn load(path: &Path) -> Result<Key, IdentityError> {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let seed = std::fs::read_to_string(path).map_err(|e| IdentityError::Io { path: path.to_owned(), source: e })?;
    Key::from_seed(&name, &seed)
}

/// `name`'s key from `dir`, made and written there (0600) when it has none yet: issuing again
/// keeps every identity already handed out.
pub fn load_or_create(dir: &Path, name: &str) -> Result<Key, IdentityError> {
    let path = seed_file(dir, name);
    if path.exists() {
        return load(&path);
    }
    let key = Key::generate(name);
    crate::secret::write(&path, &format!("{}\n", key.seed()?))
        .map_err(|e| IdentityError::Io { path: path.clone(), source: e })?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_file_round_trips() {
        let dir = tempfile::TempDir::new().expect("temporary folder");
        let key = load_or_create(dir.path(), "BY").expect("created");
        let again = load_or_create(dir.path(), "BY").expect("loaded");
        assert_eq!(key.public(), again.public(), "issuing again keeps the key");
        assert!(key.public().starts_with('U'));
        let text = std::fs::read_to_string(seed_file(dir.path(), "BY")).expect("seed file");
        assert!(text.starts_with("SU"), "a standard nkey user seed");
        let from_file = nkeys::KeyPair::from_seed(text.trim()).expect("a valid seed");
        assert_eq!(from_file.public_key(), key.public(), "the file holds this key");
        assert!(!format!("{key:?}").contains(text.trim()), "debug output never shows the seed");
    }
}
