//! An exercise's identities as a process holds them: the folder `muster identities` issued, its
//! public keys read once, a seed read when its key is asked for. Every service, the CLI, the tests
//! and the benchmarks find keys here and nowhere else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bus::names::{COORDINATOR, DIRECTOR};

use crate::IdentityError;
use crate::keys::{self, Key};

/// The identities issued into one folder.
#[derive(Debug, Clone)]
pub struct Keyring {
    dir: PathBuf,
    publics: BTreeMap<String, String>,
}

impl Keyring {
    /// The identities issued into `dir`, every public key (`<name>.pub`) read now.
    pub fn open(dir: &Path) -> Result<Keyring, IdentityError> {
        let io = |source| IdentityError::Io { path: dir.to_owned(), source };
        let mut publics = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".pub")) else {
                continue;
            };
            let text =
                std::fs::read_to_string(&path).map_err(|source| IdentityError::Io { path: path.clone(), source })?;
            let public = text.trim();
            if !public.is_empty() {
                publics.insert(name.to_owned(), public.to_owned());
            }
        }
        Ok(Keyring { dir: dir.to_owned(), publics })
    }

    /// The keyring a seed file (`<name>.nk`) was issued in, and the name it is for.
    pub fn beside(seed: &Path) -> Result<(Keyring, String), IdentityError> {
        let name = seed.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let dir = seed.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Ok((Keyring::open(dir)?, name))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where `name`'s seed is kept.
    pub fn seed_file(&self, name: &str) -> PathBuf {
        keys::seed_file(&self.dir, name)
    }

    /// `name`'s key, to sign and connect with.
    pub fn key(&self, name: &str) -> Result<Key, IdentityError> {
        keys::load(&self.seed_file(name))
    }

    /// `name`'s credentials on the bus.
    pub fn credentials(&self, name: &str) -> Result<bus::Credentials, IdentityError> {
        self.key(name)?.credentials()
    }

    /// `name`'s public key (`U…`).
    pub fn public(&self, name: &str) -> Result<&str, IdentityError> {
        self.publics
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| IdentityError::Missing { name: name.to_owned(), dir: self.dir.clone() })
    }

    /// The coordinator's public key: what every reader checks the record's seals against.
    pub fn coordinator(&self) -> Result<&str, IdentityError> {
        self.public(COORDINATOR)
    }

    /// The keys a coordinator checks the submissions of `scenario` against: each seat's and the
    /// director's.
    pub fn submitters(&self, scenario: &scenario::Scenario) -> Result<record::Keys, IdentityError> {
        let seats = scenario
            .participants
            .iter()
            .map(|p| Ok((p.node.clone(), self.public(p.node.as_str())?.to_owned())))
            .collect::<Result<_, IdentityError>>()?;
        Ok(record::Keys { seats, director: Some(self.public(DIRECTOR)?.to_owned()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyring_answers_for_what_was_issued_and_names_what_was_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let coordinator = keys::load_or_create(dir.path(), COORDINATOR).expect("created");
        std::fs::write(dir.path().join("coordinator.pub"), format!("{}\n", coordinator.public())).expect("written");
        let (ring, name) = Keyring::beside(&dir.path().join("coordinator.nk")).expect("opened");
        assert_eq!(name, COORDINATOR);
        assert_eq!(ring.coordinator().expect("issued"), coordinator.public());
        assert_eq!(ring.key(COORDINATOR).expect("issued").public(), coordinator.public());
        let missing = ring.public("BY").expect_err("never issued").to_string();
        assert!(missing.contains("BY") && missing.contains(&dir.path().display().to_string()), "{missing}");
        assert!(ring.key("BY").is_err());
    }
}
