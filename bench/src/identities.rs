//! The bench runs with authentication on, like every Muster deployment: identities for all its
//! exercises are issued before the server starts, plus one for the load generator (`bench`) that
//! plays every seat at once and runs the raw baselines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bus::{Credentials, ExerciseId};
use identity::Keyring;
use identity::authorization::Grant;

/// The server configuration to start with, and where the keys are.
#[derive(Debug, Clone)]
pub struct Issued {
    /// `nats-server.conf`: the shipped or default settings plus the authorization.
    pub config: PathBuf,
    /// The keys.
    pub keyring: Keyring,
}

impl Issued {
    /// The credentials of `name`.
    pub fn credentials(&self, name: &str) -> anyhow::Result<Credentials> {
        Ok(self.keyring.credentials(name)?)
    }

    /// The key pair of `name`, to sign as it.
    pub fn key(&self, name: &str) -> anyhow::Result<nkeys::KeyPair> {
        Ok(self.keyring.key(name)?.into_pair())
    }

    /// The seed file of `name`, for a child process's `--nkey`.
    pub fn seed_file(&self, name: &str) -> PathBuf {
        self.keyring.seed_file(name)
    }
}

/// Issues identities for `exercises` into `dir` and writes the server configuration: `shipped`
/// (or JetStream on loopback with the server's defaults) with the authorization appended.
pub fn issue(
    dir: &Path,
    exercises: &[(ExerciseId, scenario::Scenario)],
    shipped: Option<&Path>,
) -> anyhow::Result<Issued> {
    let mut generator = Grant::default();
    generator.publish(["bench.>", "$JS.API.>", "BENCH_ASYNC_0.>", "BENCH_ASYNC_1.>", "BENCH_SYNC.>"].map(String::from));
    generator.publish(["_INBOX.bench.>".to_string()]);
    generator.subscribe(["bench.>".to_string(), "_INBOX.bench.>".to_string()]);
    for (id, _) in exercises {
        generator.publish([bus::subject::submissions(id)]);
        identity::authorization::read(&mut generator, id);
        // It plays every state, so it hears every state's replies (their communications tokens).
        generator.subscribe([bus::subject::replies(id)]);
    }
    let listed: Vec<identity::Exercise<'_>> =
        exercises.iter().map(|(id, scenario)| identity::Exercise { id, scenario }).collect();
    let issued =
        identity::issue_with(dir, &listed, BTreeMap::from([("bench".to_string(), generator)]), &Default::default())?;
    let base = match shipped {
        Some(path) => std::fs::read_to_string(path)?,
        None => "listen: 127.0.0.1:4222\njetstream {}\n".to_string(),
    };
    let config = dir.join("nats-server.conf");
    std::fs::write(&config, format!("{base}\n{}", std::fs::read_to_string(&issued.authorization)?))?;
    Ok(Issued { config, keyring: Keyring::open(dir)? })
}
