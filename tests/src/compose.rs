//! The shipped deployment (`deploy/compose.yaml`, the images `make images` builds) brought up
//! under a project of its own, for tests that do to its containers what networks and machines do.
//! Removed with its volumes when dropped.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, ExerciseId};

/// The images the deployment runs, by `make images`.
const IMAGES: &[&str] = &["muster/coordinator:0.1.0", "muster/gateway:0.1.0", "muster/national-node:0.1.0"];

/// One deployment of `deploy/compose.yaml` playing one exercise.
#[derive(Debug)]
pub struct Deployment {
    /// The compose project: every container, network and volume is named after it.
    pub project: String,
    /// The exercise it plays.
    pub exercise: ExerciseId,
    /// The NATS nodes' client URLs on the host, comma-separated.
    pub nats: String,
    dir: tempfile::TempDir,
}

impl Deployment {
    /// Brings the deployment up playing `scenario` (TOML text); fails when the images are not
    /// built (`make chaos` builds them; a plain `cargo nextest run` leaves these tests out).
    pub async fn up(test: &str, scenario: &str) -> anyhow::Result<Deployment> {
        let missing: Vec<_> = IMAGES.iter().filter(|image| !docker_quiet(&["image", "inspect", image])).collect();
        anyhow::ensure!(
            missing.is_empty(),
            "images {missing:?} are not built: `make chaos` builds them and runs this test"
        );
        let exercise = crate::exercise(test);
        let suffix = &bus::MessageId::generate().to_string()[24..];
        let project = format!("{}{suffix}", test.replace(|c: char| !c.is_ascii_alphanumeric(), ""));
        let dir = tempfile::TempDir::with_prefix("muster-deploy")?;
        for sub in ["reports", "scenarios"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        let scenario_file = dir.path().join("scenarios/exercise.toml");
        std::fs::write(&scenario_file, scenario)?;
        let issued = Command::new(crate::binary("muster")?)
            .args(["identities", "--exercise", exercise.as_str(), "--scenario"])
            .arg(&scenario_file)
            .arg("--out")
            .arg(dir.path().join("identities"))
            .arg("--authority")
            .arg(dir.path().join("authority"))
            .output()?;
        anyhow::ensure!(issued.status.success(), "muster identities: {}", String::from_utf8_lossy(&issued.stderr));
        let mut deployment = Deployment { project, exercise, nats: String::new(), dir };
        let started = Instant::now();
        deployment.compose(&["up", "--detach", "--quiet-pull"])?;
        let mut urls = Vec::new();
        for node in ["nats-1", "nats-2", "nats-3"] {
            urls.push(format!("tls://{}", deployment.port(node, 4222)?));
        }
        deployment.nats = urls.join(",");
        eprintln!("compose: project {} up in {} ms", deployment.project, started.elapsed().as_millis());
        Ok(deployment)
    }

    fn command(&self) -> anyhow::Result<Command> {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/compose.yaml");
        let mut command = Command::new("docker-compose");
        command
            .args(["--project-name", &self.project, "--file"])
            .arg(file)
            .env("MUSTER_EXERCISE", self.exercise.as_str())
            .env("MUSTER_IDENTITIES", self.dir.path().join("identities"))
            .env("MUSTER_OUT", self.dir.path().join("reports"))
            .env("MUSTER_SCENARIOS", self.dir.path().join("scenarios"))
            .env("MUSTER_SCENARIO_FILE", "exercise.toml")
            .env("MUSTER_CONSOLE_PORT", "")
            .env("MUSTER_UID", uid()?);
        Ok(command)
    }

    /// Runs `docker-compose <args>` on this project.
    pub fn compose(&self, args: &[&str]) -> anyhow::Result<()> {
        self.compose_output(args).map(drop)
    }

    fn compose_output(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.command()?.args(args).output().context("running docker-compose")?;
        anyhow::ensure!(
            out.status.success(),
            "docker-compose {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The container of `service` (compose 1.29 names it `<project>_<service>_1`).
    pub fn container(&self, service: &str) -> String {
        format!("{}_{service}_1", self.project)
    }

    /// The network `name` of the deployment (`hq`, `nodes`).
    pub fn network(&self, name: &str) -> String {
        format!("{}_{name}", self.project)
    }

    /// A connection to the deployment's NATS from the host, as `who` (an identity it issued).
    pub async fn bus(&self, who: &str) -> anyhow::Result<Bus> {
        let credentials = self.keyring()?.credentials(who)?;
        let settings = ConnectSettings::new(&self.nats, format!("muster-chaos-{who}"))
            .with_credentials(Some(credentials))
            .with_authority(Some(self.authority()));
        Ok(Bus::connect(&settings).await?)
    }

    /// The exercise's authority (`ca.pem`), which issued the servers' certificates.
    pub fn authority(&self) -> std::path::PathBuf {
        identity::certs::Layout(self.identities()).ca()
    }

    /// The scenario file the deployment plays.
    pub fn scenario_file(&self) -> std::path::PathBuf {
        self.dir.path().join("scenarios/exercise.toml")
    }

    /// The folder of the authority's key, which the deployment does not mount.
    pub fn authority_folder(&self) -> std::path::PathBuf {
        self.dir.path().join("authority")
    }

    /// The folder `muster identities` issued the deployment's identities into.
    pub fn identities(&self) -> std::path::PathBuf {
        self.dir.path().join("identities")
    }

    fn keyring(&self) -> anyhow::Result<identity::Keyring> {
        Ok(identity::Keyring::open(&self.dir.path().join("identities"))?)
    }

    /// The exercise's log so far.
    pub async fn log(&self, bus: &Bus) -> anyhow::Result<Vec<bus::Envelope>> {
        Ok(bus.read_log(&self.exercise).await?.into_iter().filter_map(|d| d.envelope.ok()).collect())
    }

    /// Waits until the log holds an event of `kind`; the log then.
    pub async fn wait_for(&self, bus: &Bus, kind: &str, limit: Duration) -> anyhow::Result<Vec<bus::Envelope>> {
        crate::eventually(limit, &format!("{kind} in the deployment's log"), async || {
            Ok(Some(self.log(bus).await?).filter(|log| log.iter().any(|e| e.kind() == kind)))
        })
        .await
    }

    /// What the log (every event from the first, in order) says happened, read as the observer
    /// reads it: only events the coordinator's checkpoints cover.
    pub fn record(&self, log: &[bus::Envelope]) -> anyhow::Result<crate::Record> {
        let trust = Some(self.keyring()?.coordinator()?);
        let mut record = record::Record::reading(trust);
        for (sequence, event) in (1..).zip(log) {
            record.accept(sequence, event.clone()).map_err(|e| anyhow::anyhow!("event {}: {e}", event.message_id))?;
        }
        Ok(crate::Record::of(&report::build(self.exercise.as_str(), &record)))
    }

    /// Everything `services` logged so far.
    pub fn logs_of(&self, services: &[&str]) -> anyhow::Result<String> {
        let mut args = vec!["logs", "--no-color"];
        args.extend(services);
        self.compose_output(&args)
    }

    /// Where the host reaches `port` of `service` (`127.0.0.1:<port>`).
    pub fn port(&self, service: &str, port: u16) -> anyhow::Result<String> {
        Ok(self.compose_output(&["port", service, &port.to_string()])?.trim().to_owned())
    }

    /// The last lines each of `services` logged, for a failure's message.
    pub fn logs(&self, services: &[&str]) -> String {
        let mut args = vec!["logs", "--no-color", "--tail", "30"];
        args.extend(services);
        self.compose_output(&args).unwrap_or_else(|e| e.to_string())
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if let Ok(mut command) = self.command() {
            let _ = command.args(["down", "--volumes", "--remove-orphans", "--timeout", "2"]).output();
        }
    }
}

/// `docker <args>`, failing with what it said.
pub fn docker(args: &[&str]) -> anyhow::Result<()> {
    docker_output(args).map(drop)
}

/// `docker <args>`: what it printed, or a failure with what it said.
pub fn docker_output(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("docker").args(args).output().context("running docker")?;
    anyhow::ensure!(out.status.success(), "docker {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn docker_quiet(args: &[&str]) -> bool {
    Command::new("docker").args(args).output().is_ok_and(|out| out.status.success())
}

/// The user the services run as: the one whose identity files they read.
fn uid() -> anyhow::Result<String> {
    let out = Command::new("id").arg("-u").output().context("id -u")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
