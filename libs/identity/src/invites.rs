//! Invite links: how a person takes a seat in the console. One single-use secret per seat that a
//! person plays (and per director and observer); only its SHA-256 is kept, in
//! `invites/<exercise>/<seat>.sha256`, and redeeming it removes the file, so a used or superseded
//! link admits nobody, even after the console restarts. Issuing again makes new links and voids
//! the old ones.

use std::path::{Path, PathBuf};

use bus::{ExerciseId, NodeId};

use crate::secret::sha256_hex as hash;

/// A freshly issued invite: the secret exists only here and in the link made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// The exercise.
    pub exercise: ExerciseId,
    /// The seat: a node of the scenario, or `director`.
    pub seat: NodeId,
    /// The secret, 256 random bits in hex.
    pub secret: String,
}

impl Invite {
    /// The link on a console at `base` (e.g. `http://127.0.0.1:7480`).
    pub fn link(&self, base: &str) -> String {
        format!("{}/invite/{}/{}/{}", base.trim_end_matches('/'), self.exercise, self.seat, self.secret)
    }
}

/// Why an invite does not admit.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InviteError {
    /// No invite is waiting for this seat: never issued, used already, or superseded.
    #[error("this invite link has been used already, or was never issued for this seat")]
    Used,
    /// An invite waits for this seat, but not this one.
    #[error("this invite link is not valid for this seat")]
    Wrong,
    /// The store could not be read or written.
    #[error("invite store {path}: {reason}")]
    Store {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Where the hash of `seat`'s invite to `exercise` is kept.
pub fn file(dir: &Path, exercise: &ExerciseId, seat: &NodeId) -> PathBuf {
    dir.join("invites").join(exercise.as_str()).join(format!("{seat}.sha256"))
}

/// Issues a new invite for each of `seats`, replacing any before.
pub fn issue(dir: &Path, exercise: &ExerciseId, seats: &[NodeId]) -> Result<Vec<Invite>, InviteError> {
    let folder = dir.join("invites").join(exercise.as_str());
    let store = |path: &Path, e: std::io::Error| InviteError::Store { path: path.to_owned(), reason: e.to_string() };
    crate::secret::private_dir(&folder).map_err(|e| store(&folder, e))?;
    let mut invites = Vec::with_capacity(seats.len());
    for seat in seats {
        let secret = crate::secret::random_hex(32)
            .map_err(|e| InviteError::Store { path: folder.clone(), reason: e.to_string() })?;
        let path = file(dir, exercise, seat);
        crate::secret::write(&path, &format!("{}\n", hash(&secret))).map_err(|e| store(&path, e))?;
        invites.push(Invite { exercise: exercise.clone(), seat: seat.clone(), secret });
    }
    Ok(invites)
}

/// Admits the holder of `secret` to `seat` once: the invite is gone afterwards.
pub fn redeem(dir: &Path, exercise: &ExerciseId, seat: &NodeId, secret: &str) -> Result<(), InviteError> {
    let path = file(dir, exercise, seat);
    let kept = match std::fs::read_to_string(&path) {
        Ok(kept) => kept,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(InviteError::Used),
        Err(e) => return Err(InviteError::Store { path, reason: e.to_string() }),
    };
    if kept.trim() != hash(secret) {
        return Err(InviteError::Wrong);
    }
    // Of two redeeming at once, only the one that removes the file is admitted.
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(InviteError::Used),
        Err(e) => Err(InviteError::Store { path, reason: e.to_string() }),
    }
}

/// The seats of `scenario` a person takes: those played by a person, the observers, and the director.
pub fn seats(scenario: &scenario::Scenario) -> Vec<NodeId> {
    let mut seats: Vec<NodeId> = scenario
        .participants
        .iter()
        .filter(|p| p.played_by == scenario::PlayedBy::Person || p.role == bus::Role::Observer)
        .map(|p| p.node.clone())
        .collect();
    seats.extend(NodeId::new(bus::names::DIRECTOR).ok());
    seats.extend(NodeId::new(bus::names::PLANNER).ok());
    seats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_admits_once_and_only_with_its_secret() {
        let root = tempfile::TempDir::new().expect("temporary folder");
        let ex = ExerciseId::new("ex1").expect("valid");
        let by = NodeId::new("BY").expect("valid");
        let invite = issue(root.path(), &ex, std::slice::from_ref(&by)).expect("issued").remove(0);
        let kept = std::fs::read_to_string(file(root.path(), &ex, &by)).expect("kept");
        assert!(!kept.contains(&invite.secret), "only the hash is kept");
        assert_eq!(redeem(root.path(), &ex, &by, "guess"), Err(InviteError::Wrong));
        assert_eq!(
            redeem(root.path(), &ex, &NodeId::new("KZ").expect("valid"), &invite.secret),
            Err(InviteError::Used)
        );
        assert_eq!(redeem(root.path(), &ex, &by, &invite.secret), Ok(()));
        assert_eq!(redeem(root.path(), &ex, &by, &invite.secret), Err(InviteError::Used), "single use");
        assert!(invite.link("http://h:1/").ends_with(&format!("/invite/ex1/BY/{}", invite.secret)));
    }

    #[test]
    fn issuing_again_voids_the_old_link() {
        let root = tempfile::TempDir::new().expect("temporary folder");
        let ex = ExerciseId::new("ex1").expect("valid");
        let by = NodeId::new("BY").expect("valid");
        let old = issue(root.path(), &ex, std::slice::from_ref(&by)).expect("issued").remove(0);
        let new = issue(root.path(), &ex, std::slice::from_ref(&by)).expect("issued").remove(0);
        assert_ne!(old.secret, new.secret);
        assert_eq!(redeem(root.path(), &ex, &by, &old.secret), Err(InviteError::Wrong));
        assert_eq!(redeem(root.path(), &ex, &by, &new.secret), Ok(()));
    }
}
