//! An exercise's identities as a process holds them: the folder `muster identities` issued, each
//! key read when it is asked for (a seat needs the coordinator's of a folder that may hold ten
//! thousand). Every service, the CLI, the tests and the benchmarks find keys here and nowhere else.

use std::path::{Path, PathBuf};

use bus::names::{COORDINATOR, DIRECTOR};

use crate::IdentityError;
use crate::keys::{self, Key};

/// The identities issued into one folder.
#[derive(Debug, Clone)]
pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    /// The identities issued into `dir`, a folder that must exist.
    pub fn open(dir: &Path) -> Result<Keyring, IdentityError> {
        std::fs::read_dir(dir).map_err(|source| IdentityError::Io { path: dir.to_owned(), source })?;
        Ok(Keyring { dir: dir.to_owned() })
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

    /// `name`'s public key (`U…`, from `<name>.pub`).
    pub fn public(&self, name: &str) -> Result<String, IdentityError> {
        let missing = || IdentityError::Missing { name: name.to_owned(), dir: self.dir.clone() };
        let path = self.dir.join(format!("{name}.pub"));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
            Err(source) => return Err(IdentityError::Io { path, source }),
        };
        Some(text.trim().to_owned()).filter(|k| !k.is_empty()).ok_or_else(missing)
    }

    /// The coordinator's public key: what every reader checks the record's seals against.
    pub fn coordinator(&self) -> Result<String, IdentityError> {
        self.public(COORDINATOR)
    }

    /// The keys a coordinator checks the submissions of `scenario` against: each seat's and the
    /// director's.
    pub fn submitters(&self, scenario: &scenario::Scenario) -> Result<record::Keys, IdentityError> {
        let seats = scenario
            .participants
            .iter()
            .map(|p| Ok((p.node.clone(), self.public(p.node.as_str())?)))
            .collect::<Result<_, IdentityError>>()?;
        Ok(record::Keys { seats, director: Some(self.public(DIRECTOR)?) })
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
