//! The command-line arguments the exercise services share, flattened into each binary's own:
//! where the bus is and who connects to it, which exercise of which scenario, and the language
//! people read.

use std::path::PathBuf;

use bus::ExerciseId;
use identity::{IdentityError, Keyring};
use scenario::{Scenario, ScenarioError};

/// Where the bus is, and who connects to it.
#[derive(Debug, Clone, clap::Args)]
pub struct BusArgs {
    /// NATS server URL (several, comma-separated, for a cluster).
    #[arg(long, env = "MUSTER_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
    /// This identity's nkey seed file (`<name>.nk`, written by `muster identities`).
    #[arg(long, env = "MUSTER_NKEY")]
    pub nkey: Option<PathBuf>,
    /// The authority the NATS server's certificate is verified against (`ca.pem` of `muster
    /// identities`, or an operator's bundle): the connection is then TLS, or refused.
    #[arg(long, env = "MUSTER_NATS_CA")]
    pub nats_ca: Option<PathBuf>,
}

impl BusArgs {
    /// The identities issued beside `--nkey`, and whose `--nkey` is; none without it.
    pub fn identity(&self) -> Result<Option<(Keyring, String)>, IdentityError> {
        self.nkey.as_deref().map(Keyring::beside).transpose()
    }

    /// The identity to connect as, read from `--nkey`.
    pub fn credentials(&self) -> Result<Option<bus::Credentials>, IdentityError> {
        self.identity()?.map(|(ring, me)| ring.credentials(&me)).transpose()
    }

    /// The coordinator's public key, issued beside `--nkey`: what the record's seals are checked
    /// against. None without `--nkey`; an error when the folder has none.
    pub fn trust(&self) -> Result<Option<String>, IdentityError> {
        self.identity()?.map(|(ring, _)| ring.coordinator()).transpose()
    }

    /// Connection settings named `name`, as this identity.
    pub fn settings(&self, name: impl Into<String>) -> Result<bus::ConnectSettings, IdentityError> {
        Ok(bus::ConnectSettings::new(&self.nats, name)
            .with_credentials(self.credentials()?)
            .with_authority(self.nats_ca.clone()))
    }
}

/// Which exercise, of which scenario.
#[derive(Debug, Clone, clap::Args)]
pub struct ExerciseArgs {
    /// The exercise id.
    #[arg(long, env = "MUSTER_EXERCISE")]
    pub exercise: ExerciseId,
    /// The scenario file.
    #[arg(long, env = "MUSTER_SCENARIO")]
    pub scenario: PathBuf,
}

impl ExerciseArgs {
    /// Loads and validates the scenario.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        scenario::load(&self.scenario)
    }
}

/// Seats handed to people on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct PersonArgs {
    /// Hand this seat (a node of the scenario) to a person: nothing automated plays it. Repeat
    /// for several.
    #[arg(long = "person", value_name = "NODE")]
    pub persons: Vec<bus::NodeId>,
}

impl PersonArgs {
    /// Seats the persons in `scenario`; the error names the flag and why.
    pub fn apply(&self, scenario: &mut Scenario) -> Result<(), String> {
        for node in &self.persons {
            scenario.seat_person(node).map_err(|e| format!("--person {node}: {e}"))?;
        }
        Ok(())
    }
}

/// The language of what a process writes for people (reports, progress, status).
#[derive(Debug, Clone, clap::Args)]
pub struct LangArgs {
    /// The language people read (`en`, `ru`); by default the one `LANG` names, else (for what
    /// is about one exercise) the scenario's, else English.
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<words::Lang>,
}

impl LangArgs {
    /// The language asked for, else the environment's (`LANG`), else English.
    pub fn lang(&self) -> words::Lang {
        self.lang.unwrap_or_else(words::Lang::from_env)
    }

    /// The language asked for (`--lang`), else the one the environment names, if any.
    pub fn asked(&self) -> Option<words::Lang> {
        self.lang.or_else(words::Lang::named_by_env)
    }

    /// The language asked for, else the environment's, else `scenario`'s (the language its texts
    /// are written in, `ru`), else English.
    pub fn lang_or(&self, scenario: &str) -> words::Lang {
        words::Lang::chosen(self.asked(), scenario)
    }
}

/// A language Muster has catalogues for; the error names the ones it has.
fn parse_lang(tag: &str) -> Result<words::Lang, String> {
    words::Lang::parse(tag).ok_or_else(|| {
        let known: Vec<&str> = words::Lang::all().into_iter().map(words::Lang::tag).collect();
        format!("no messages in `{tag}`; there are: {}", known.join(", "))
    })
}
