//! Who is who in an exercise, issued from its scenario by one command (`muster identities`, which
//! `muster run` calls): per seat and per service an nkey (`<name>.nk`, secret; `<name>.pub`, its
//! public key, for those who verify its signatures), the exercise's certificate authority and the
//! TLS certificates it issues (NATS servers, gateway, console, national nodes), an invite link
//! for each seat a person takes, and the NATS server's authorization that follows.
//!
//! - [`keyring`]: the identities a process holds: keys, public keys, the coordinator's;
//! - [`keys`]: nkeys as standard seed files; signing and verifying;
//! - [`certs`]: the authority and its certificates (NATS servers, gateway, console, one per
//!   participant), their validity and renewal;
//! - [`authorization`]: what each identity may publish and subscribe to, as server configuration;
//! - [`invites`]: single-use invite links for the seats people take in the console;
//! - [`secret`]: private files, born 0600 in 0700 folders.

pub mod authorization;
pub mod certs;
pub mod invites;
pub mod keyring;
pub mod keys;
pub mod secret;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use authorization::Exercise;
pub use keyring::Keyring;
pub use keys::Key;

/// Why identities could not be issued or read.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No identity of that name was issued into the folder.
    #[error("no identity `{name}` in {dir} (`muster identities` issues them)")]
    Missing {
        /// The name.
        name: String,
        /// The folder.
        dir: PathBuf,
    },
    /// A key is not a valid nkey.
    #[error("key of {name}: {reason}")]
    Key {
        /// Whose.
        name: String,
        /// Why.
        reason: String,
    },
    /// Certificates must be issued again and the authority's key is not where it was looked for.
    #[error("the authority's key {path}: {source} (give --authority, the folder `muster identities` wrote it into)")]
    NoAuthority {
        /// Where it was looked for.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// Certificates could not be made.
    #[error(transparent)]
    Certs(#[from] certs::CertError),
    /// Invites could not be issued.
    #[error(transparent)]
    Invites(#[from] invites::InviteError),
}

/// What was issued, and where.
#[derive(Debug)]
pub struct Issued {
    /// The folder.
    pub dir: PathBuf,
    /// Every identity's key, by name.
    pub keys: BTreeMap<String, Key>,
    /// The server's authorization (`nats-auth.conf` in the folder).
    pub authorization: PathBuf,
    /// The invites issued now, one per seat a person takes (their secrets are nowhere else).
    pub invites: Vec<invites::Invite>,
}

impl Issued {
    /// The seed file of `name`.
    pub fn seed_file(&self, name: &str) -> PathBuf {
        keys::seed_file(&self.dir, name)
    }
}

/// Issues identities for `exercises` into `dir`: an nkey for every seat and service (an existing
/// one is kept), certificates (made once; see [`Certificates`] for issuing them again), and
/// `nats-auth.conf` for the server, which covers every exercise ever issued into `dir` (each
/// exercise's grants are kept in `exercises/`), so that issuing for one exercise never drops
/// another's permissions on a shared server.
pub fn issue(dir: &Path, exercises: &[Exercise<'_>]) -> Result<Issued, IdentityError> {
    issue_with(dir, exercises, BTreeMap::new(), &Certificates::default())
}

/// How certificates are issued, beyond making them once.
#[derive(Debug, Clone, Default)]
pub struct Certificates {
    /// Issue every certificate again under the folder's authority (new keys, a new validity):
    /// what to do before they expire. Every nkey, and so every signature in a record, stays, and
    /// so do the invites handed out (none are issued).
    pub renew: bool,
    /// Names the servers answer to besides the shipped deployments' (an operator's hosts); the
    /// certificates are issued again when they do not carry them yet.
    pub names: certs::Names,
    /// The folder of the authority's private key (`<dir>/authority` by default): where a new one
    /// is written, and where renewal finds it. Keep it away from what a deployment mounts.
    pub authority: Option<PathBuf>,
}

/// The grants of every exercise issued into `dir`, `exercises` (written now) among them, with
/// their ids. An exercise issued again replaces its own grants.
fn remembered(
    dir: &Path,
    exercises: &[Exercise<'_>],
) -> Result<(BTreeMap<String, authorization::Grant>, Vec<String>), IdentityError> {
    let folder = dir.join("exercises");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| IdentityError::Io { path, source }
    };
    std::fs::create_dir_all(&folder).map_err(io(&folder))?;
    for exercise in exercises {
        let path = folder.join(format!("{}.grants.json", exercise.id));
        let text = serde_json::to_string_pretty(&authorization::grants(std::slice::from_ref(exercise)))
            .map_err(|e| io(&path)(std::io::Error::other(e)))?;
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(io(&folder))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".grants.json"))
        .collect();
    files.sort();
    // The services' own, whatever exercises there are.
    let (mut grants, mut ids) = (authorization::grants(&[]), Vec::new());
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let theirs: BTreeMap<String, authorization::Grant> = serde_json::from_str(&text)
            .map_err(|e| io(&path)(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        for (name, grant) in theirs {
            grants.entry(name).or_default().merge(grant);
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        ids.extend(name.strip_suffix(".grants.json").map(str::to_owned));
    }
    Ok((grants, ids))
}

/// [`issue`], with more identities and their grants beside the exercises' own (a load generator
/// that plays every seat, for the benchmarks; a test's harness), and certificates as asked.
pub fn issue_with(
    dir: &Path,
    exercises: &[Exercise<'_>],
    extra: BTreeMap<String, authorization::Grant>,
    certificates: &Certificates,
) -> Result<Issued, IdentityError> {
    secret::private_dir(dir).map_err(|e| IdentityError::Io { path: dir.to_owned(), source: e })?;
    let (mut grants, ids) = remembered(dir, exercises)?;
    grants.extend(extra);
    let mut keys = BTreeMap::new();
    for name in grants.keys() {
        let key = keys::load_or_create(dir, name)?;
        let public = dir.join(format!("{name}.pub"));
        std::fs::write(&public, format!("{}\n", key.public()))
            .map_err(|e| IdentityError::Io { path: public.clone(), source: e })?;
        keys.insert(name.clone(), key);
    }
    issue_certificates(dir, exercises, certificates)?;
    let publics = keys.iter().map(|(n, k)| (n.clone(), k.public())).collect();
    let text = authorization::config(&grants, &publics, &format!("exercise {}", ids.join(", ")));
    let authorization = dir.join("nats-auth.conf");
    std::fs::write(&authorization, text).map_err(|e| IdentityError::Io { path: authorization.clone(), source: e })?;
    let mut issued = Vec::new();
    // A renewal changes certificates only: the sign-in links already handed out keep working.
    for exercise in exercises.iter().filter(|_| !certificates.renew) {
        issued.extend(invites::issue(dir, exercise.id, &invites::seats(exercise.scenario))?);
    }
    Ok(Issued { dir: dir.to_owned(), keys, authorization, invites: issued })
}

/// The folder's certificates: an authority and its leaves made once; every leaf issued again
/// under the authority when asked to renew, when a name asked for or a participant's certificate
/// is missing, or when the folder predates a certificate. A renewal keeps every participant whose
/// certificate is in the folder (other exercises' too) and every name the certificates carried.
fn issue_certificates(dir: &Path, exercises: &[Exercise<'_>], asked: &Certificates) -> Result<(), IdentityError> {
    let layout = certs::Layout(dir.to_owned());
    let authority = asked.authority.clone().unwrap_or_else(|| layout.default_authority());
    let mut senders: Vec<bus::Sender> = exercises
        .iter()
        .flat_map(|e| &e.scenario.participants)
        .map(|p| bus::Sender::new(p.role, p.node.clone()))
        .collect();
    if !layout.ca().exists() {
        certs::write(&certs::generate_for(&distinct(senders), &asked.names)?, dir, &authority)?;
        return Ok(());
    }
    let missing = [layout.nats().0, layout.console().0].into_iter().any(|path| !path.exists())
        || senders.iter().any(|s| !layout.node(&s.node).0.exists());
    if !(asked.renew || missing || !asked.names.carried_by(&layout)) {
        return Ok(());
    }
    senders.extend(certs::clients(&layout));
    let names = certs::Names::issued(&layout).and(&asked.names);
    let read = |path: PathBuf| std::fs::read_to_string(&path).map_err(|source| IdentityError::Io { path, source });
    let ca = read(layout.ca())?;
    let key_file = certs::authority_key(&authority);
    let key =
        std::fs::read_to_string(&key_file).map_err(|source| IdentityError::NoAuthority { path: key_file, source })?;
    certs::write(&certs::renew(&ca, &key, &distinct(senders), &names)?, dir, &authority)?;
    Ok(())
}

/// Each node once.
fn distinct(mut senders: Vec<bus::Sender>) -> Vec<bus::Sender> {
    senders.sort_by(|a, b| a.node.cmp(&b.node));
    senders.dedup_by(|a, b| a.node == b.node);
    senders
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuing_for_a_second_exercise_keeps_the_first_ones_permissions() {
        let scenario = scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/cst-2025.toml"))
            .expect("the default scenario");
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (bus::ExerciseId::new("ex-a").expect("valid"), bus::ExerciseId::new("ex-b").expect("valid"));
        issue(dir.path(), &[Exercise { id: &a, scenario: &scenario }]).expect("issued");
        let first = std::fs::read_to_string(dir.path().join("nats-auth.conf")).expect("written");
        assert!(first.contains("muster.ex-a.in.control_point.RU.position") && !first.contains("ex-b"));
        let issued = issue(dir.path(), &[Exercise { id: &b, scenario: &scenario }]).expect("issued");
        let both = std::fs::read_to_string(&issued.authorization).expect("written");
        for ex in ["ex-a", "ex-b"] {
            assert!(both.contains(&format!("muster.{ex}.in.control_point.RU.position")), "{ex} kept");
            assert!(both.contains(&format!("$JS.API.DIRECT.GET.MUSTER_EVT_{ex}")), "{ex} readable");
        }
        assert!(both.starts_with("# Generated by `muster identities` for exercise ex-a, ex-b"), "{both}");
        assert_eq!(both.matches("nkey:").count(), first.matches("nkey:").count(), "one user per identity still");
    }

    #[test]
    fn renewal_keeps_every_participant_and_name_and_needs_the_authoritys_key() {
        let scenario = scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/cst-2025.toml"))
            .expect("the default scenario");
        let (dir, kept) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
        let id = bus::ExerciseId::new("ex-a").expect("valid");
        let names = certs::Names { nats: vec!["nats.example.org".into()], console: Vec::new() };
        let asked = Certificates { names: names.clone(), authority: Some(kept.path().to_owned()), renew: false };
        issue_with(dir.path(), &[Exercise { id: &id, scenario: &scenario }], BTreeMap::new(), &asked).expect("issued");
        let layout = certs::Layout(dir.path().to_owned());
        assert!(
            certs::authority_key(kept.path()).exists() && !layout.default_authority().exists(),
            "the key kept apart"
        );
        let read = |path: PathBuf| std::fs::read_to_string(path).expect("written");
        let (by, nats) = (read(layout.node(&bus::NodeId::new("BY").expect("valid")).0), read(layout.nats().0));

        // Renewed naming no exercise and no name: every client in the folder and every name stay.
        let renew = Certificates { renew: true, ..asked };
        let issued = issue_with(dir.path(), &[], BTreeMap::new(), &renew).expect("renewed");
        assert!(issued.invites.is_empty(), "no new invites: the links handed out still work");
        assert_ne!(read(layout.node(&bus::NodeId::new("BY").expect("valid")).0), by, "Belarus's certificate renewed");
        assert_ne!(read(layout.nats().0), nats, "the servers' renewed");
        assert_eq!(certs::Names::issued(&layout), names, "the operator's name still carried");

        let without = Certificates { renew: true, ..Default::default() };
        let refused = issue_with(dir.path(), &[], BTreeMap::new(), &without).expect_err("no authority's key there");
        assert!(matches!(refused, IdentityError::NoAuthority { .. }), "{refused}");
    }
}
