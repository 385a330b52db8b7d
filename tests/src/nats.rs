//! NATS for a test: the locally built image in a container (one server, or a cluster of three),
//! the identities it admits, and exercises provisioned on it.

use std::time::Duration;

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, ExerciseId, StreamSettings};
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage};

use crate::exercise::Run;
use crate::wait::within;

/// The image `make nats-image` builds; `MUSTER_NATS_IMAGE` (set by the Makefile) overrides it.
const DEFAULT_IMAGE: &str = "muster/nats:2.15.1";

/// The identities issued for a test server's exercises, and the test's own.
#[derive(Debug)]
pub struct Identities {
    dir: tempfile::TempDir,
    keyring: identity::Keyring,
    /// The server's authorization, `auth.conf` as the shipped configurations include it.
    pub authorization: Vec<u8>,
    /// The invite links issued (their secrets exist only here).
    pub invites: Vec<identity::invites::Invite>,
    /// Whether the server speaks only TLS (its clients then verify it against the authority).
    tls: bool,
}

impl Identities {
    /// Issues identities for `runs`, plus `harness`, which may publish and subscribe to anything.
    pub fn issue(runs: &[&Run]) -> anyhow::Result<Identities> {
        Identities::issue_with(runs, None)
    }

    /// [`Identities::issue`], for servers that speak only TLS under the names `tls` (beside the
    /// shipped deployments').
    pub fn issue_with(runs: &[&Run], tls: Option<&[String]>) -> anyhow::Result<Identities> {
        let dir = tempfile::TempDir::with_prefix("muster-identities-")?;
        let mut harness = identity::authorization::Grant::default();
        harness.publish([">".to_string()]);
        harness.subscribe([">".to_string()]);
        let exercises: Vec<identity::Exercise<'_>> =
            runs.iter().map(|r| identity::Exercise { id: &r.exercise, scenario: &r.scenario }).collect();
        let names = identity::certs::Names { nats: tls.unwrap_or_default().to_vec(), console: Vec::new() };
        let certificates = identity::Certificates { names, ..Default::default() };
        let extra = [("harness".to_string(), harness)].into();
        let issued = identity::issue_with(dir.path(), &exercises, extra, &certificates)?;
        let authorization = std::fs::read(&issued.authorization)?;
        let keyring = identity::Keyring::open(dir.path())?;
        Ok(Identities { dir, keyring, authorization, invites: issued.invites, tls: tls.is_some() })
    }

    /// The folder they were issued into (what `muster identities` writes).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The invite issued for `seat` of `exercise`.
    pub fn invite(&self, exercise: &ExerciseId, seat: &str) -> anyhow::Result<&identity::invites::Invite> {
        self.invites
            .iter()
            .find(|i| &i.exercise == exercise && i.seat.as_str() == seat)
            .with_context(|| format!("no invite for {seat} in {exercise}"))
    }

    /// The certificates issued into the folder (the servers', and each participant's of `scenario`).
    pub fn bundle(&self, scenario: &scenario::Scenario) -> anyhow::Result<identity::certs::Bundle> {
        let layout = identity::certs::Layout(self.dir().to_owned());
        Ok(layout.read(scenario.participants.iter().map(|p| &p.node))?)
    }

    /// The seed file of `name` (a node id, or coordinator, gateway, observer, director, admin, harness).
    pub fn seed_file(&self, name: &str) -> std::path::PathBuf {
        self.keyring.seed_file(name)
    }

    /// The identities as a process holds them.
    pub fn keyring(&self) -> &identity::Keyring {
        &self.keyring
    }

    /// The credentials of `name`.
    pub fn credentials(&self, name: &str) -> anyhow::Result<bus::Credentials> {
        Ok(self.keyring.credentials(name)?)
    }

    /// The public key of `name` (`<name>.pub`).
    pub fn public_key(&self, name: &str) -> anyhow::Result<String> {
        Ok(self.keyring.public(name)?)
    }

    /// The key pair of `name`, to sign with.
    pub fn key(&self, name: &str) -> anyhow::Result<std::sync::Arc<nkeys::KeyPair>> {
        Ok(std::sync::Arc::new(self.keyring.key(name)?.into_pair()))
    }

    /// The keys a coordinator checks the submissions of `scenario` against.
    pub fn keys(&self, scenario: &scenario::Scenario) -> anyhow::Result<record::Keys> {
        Ok(self.keyring.submitters(scenario)?)
    }

    /// The authority a client verifies the server against: when it speaks only TLS.
    pub fn authority(&self) -> Option<std::path::PathBuf> {
        self.tls.then(|| identity::certs::Layout(self.dir().to_owned()).ca())
    }

    /// Connection settings named `connection`, as `name`.
    pub fn settings(&self, url: &str, name: &str, connection: &str) -> anyhow::Result<ConnectSettings> {
        Ok(ConnectSettings::new(url, connection)
            .with_credentials(Some(self.credentials(name)?))
            .with_authority(self.authority()))
    }
}

/// A NATS server in a container, alive as long as this value.
#[derive(Debug)]
pub struct Nats {
    /// The client URL on the host, e.g. `nats://127.0.0.1:32771`.
    pub url: String,
    /// Who the server admits.
    pub identities: Identities,
    _container: ContainerAsync<GenericImage>,
}

impl Nats {
    /// Starts NATS with JetStream (the shipped `deploy/nats/nats.conf`) admitting the identities of
    /// `runs`, and waits until it is ready.
    pub async fn start(runs: &[&Run]) -> anyhow::Result<Nats> {
        use testcontainers::ImageExt as _;
        // Warnings from the services under test appear with a failing test's output.
        launch::telemetry::init("warn");
        let identities = Identities::issue(runs)?;
        let image = std::env::var("MUSTER_NATS_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
        let (name, tag) = image.rsplit_once(':').context("MUSTER_NATS_IMAGE must be name:tag")?;
        let container = GenericImage::new(name, tag)
            .with_exposed_port(4222.tcp())
            .with_wait_for(WaitFor::message_on_stderr("Server is ready"))
            .with_copy_to("/etc/nats/auth.conf", identities.authorization.clone())
            .start()
            .await
            .with_context(|| format!("starting a NATS container from {image} (built by `make nats-image`)"))?;
        let port = container.get_host_port_ipv4(4222).await?;
        let url = format!("nats://127.0.0.1:{port}");
        eprintln!("testcontainers: NATS {image} ready at {url}");
        Ok(Nats { url, identities, _container: container })
    }

    /// A bus connection named for the test, as the test's own `harness` identity.
    pub async fn bus(&self, name: &str) -> anyhow::Result<Bus> {
        Ok(Bus::connect(&self.identities.settings(&self.url, "harness", name)?).await?)
    }

    /// A bus connection as the identity `who`.
    pub async fn bus_as(&self, who: &str) -> anyhow::Result<Bus> {
        Ok(Bus::connect(&self.identities.settings(&self.url, who, &format!("muster-{who}"))?).await?)
    }
}

/// A NATS deployment tests run against: one server or a cluster.
pub trait Server {
    /// Client URL(s), comma-separated.
    fn url(&self) -> &str;
    /// Stream replicas that fit the deployment.
    fn replicas(&self) -> usize;
    /// Who it admits.
    fn identities(&self) -> &Identities;
}

impl Server for Nats {
    fn url(&self) -> &str {
        &self.url
    }
    fn replicas(&self) -> usize {
        1
    }
    fn identities(&self) -> &Identities {
        &self.identities
    }
}

impl Server for NatsCluster {
    fn url(&self) -> &str {
        &self.url
    }
    fn replicas(&self) -> usize {
        3
    }
    fn identities(&self) -> &Identities {
        &self.identities
    }
}

/// The lease time to live of test exercises: a killed coordinator's successor takes over within
/// half a second.
pub const LEASE_TTL: Duration = Duration::from_millis(500);

/// Provisions `run`'s exercise as the admin identity (streams, the coordinator's consumer, the lease).
pub async fn provision(nats: &impl Server, run: &Run) -> anyhow::Result<()> {
    let bus = Bus::connect(&nats.identities().settings(nats.url(), "admin", "muster-admin")?).await?;
    let settings = StreamSettings { replicas: nats.replicas(), lease_ttl: LEASE_TTL, ..Default::default() };
    bus.provision(&run.exercise, &settings).await?;
    Ok(())
}

/// A connected bus with the exercise's streams provisioned.
pub async fn provisioned(nats: &Nats, exercise: &ExerciseId) -> anyhow::Result<Bus> {
    let admin = nats.bus_as("admin").await?;
    admin.provision(exercise, &StreamSettings::default()).await?;
    nats.bus("muster-test").await
}

/// A three-node NATS cluster in containers on a private network, each node with JetStream, the
/// shipped `deploy/nats/cluster.conf` (TLS for clients and routes, with certificates naming the
/// containers), and a fixed host port so a restarted node keeps its address.
#[derive(Debug)]
pub struct NatsCluster {
    /// Client URLs of the three nodes, comma-separated (what `ConnectSettings` takes).
    pub url: String,
    /// Who the cluster admits.
    pub identities: Identities,
    nodes: Vec<ContainerAsync<GenericImage>>,
}

impl NatsCluster {
    /// Starts the three nodes and waits until JetStream answers.
    pub async fn start(runs: &[&Run]) -> anyhow::Result<NatsCluster> {
        use testcontainers::ImageExt as _;
        launch::telemetry::init("warn");
        let suffix = &bus::MessageId::generate().to_string()[20..];
        let network = format!("muster-{suffix}");
        let host = |i: usize| format!("muster-nats-{suffix}-{i}");
        let identities = Identities::issue_with(runs, Some(&[host(1), host(2), host(3)]))?;
        let layout = identity::certs::Layout(identities.dir().to_owned());
        let (cert, key) = layout.nats();
        let tls = [("ca.pem", layout.ca()), ("nats.pem", cert), ("nats.key", key)]
            .map(|(name, path)| std::fs::read(&path).map(|bytes| (name, bytes)))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        let image = std::env::var("MUSTER_NATS_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
        let (name, tag) = image.rsplit_once(':').context("MUSTER_NATS_IMAGE must be name:tag")?;
        let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nats/cluster.conf");
        let config = std::fs::read(&config).with_context(|| format!("reading {}", config.display()))?;
        let ports = fixed_ports(3)?;
        let mut nodes = Vec::new();
        for (i, port) in ports.iter().enumerate() {
            let mut node = GenericImage::new(name, tag)
                .with_exposed_port(4222.tcp())
                .with_wait_for(WaitFor::message_on_stderr("Server is ready"))
                .with_network(&network)
                .with_container_name(host(i + 1))
                .with_mapped_port(*port, 4222.tcp())
                .with_env_var("NODE_NAME", format!("n{}", i + 1))
                .with_env_var("ROUTE_1", format!("nats-route://{}:6222", host(1)))
                .with_env_var("ROUTE_2", format!("nats-route://{}:6222", host(2)))
                .with_env_var("ROUTE_3", format!("nats-route://{}:6222", host(3)))
                .with_copy_to("/etc/nats/cluster.conf", config.clone())
                .with_copy_to("/etc/nats/auth.conf", identities.authorization.clone())
                .with_cmd(["--config", "/etc/nats/cluster.conf"]);
            for (file, bytes) in &tls {
                node = node.with_copy_to(format!("/identities/{file}"), bytes.clone());
            }
            nodes.push(node);
        }
        let mut started = Vec::new();
        for node in nodes {
            started.push(node.start().await.context("starting a cluster node")?);
        }
        let url = ports.iter().map(|p| format!("tls://127.0.0.1:{p}")).collect::<Vec<_>>().join(",");
        eprintln!("testcontainers: NATS cluster of 3 ready at {url}");
        let cluster = NatsCluster { url, identities, nodes: started };
        cluster.wait_for_jetstream().await?;
        Ok(cluster)
    }

    /// Waits until the cluster's JetStream accepts a replicated stream.
    pub async fn wait_for_jetstream(&self) -> anyhow::Result<()> {
        let bus = Bus::connect(&self.identities.settings(&self.url, "admin", "muster-cluster-probe")?).await?;
        let probe = ExerciseId::new("cluster-probe")?;
        within(Duration::from_secs(60), "JetStream in the cluster", async {
            while bus.provision(&probe, &StreamSettings { replicas: 3, ..Default::default() }).await.is_err() {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await
    }

    /// Stops node `i` (0, 1 or 2).
    pub async fn stop(&self, i: usize) -> anyhow::Result<()> {
        Ok(self.nodes[i].stop().await?)
    }

    /// The node (0, 1 or 2) leading `stream`'s replicas.
    pub async fn leader_of(&self, stream: &str) -> anyhow::Result<usize> {
        let bus = Bus::connect(&self.identities.settings(&self.url, "admin", "muster-cluster-leader")?).await?;
        let leader = stream_leader(&bus, stream).await?;
        let n: usize = leader.trim_start_matches('n').parse().with_context(|| format!("node name {leader}"))?;
        Ok(n - 1)
    }

    /// Starts node `i` again.
    pub async fn restart(&self, i: usize) -> anyhow::Result<()> {
        Ok(self.nodes[i].start().await?)
    }
}

/// `n` host ports free on every interface, below the kernel's ephemeral range. Docker and the
/// kernel hand out ports from that range to everyone else (other tests' containers among them), so
/// a port taken from there could be given away between our probe and Docker's bind, or while a
/// node is stopped; one below it stays ours.
fn fixed_ports(n: usize) -> anyhow::Result<Vec<u16>> {
    let mut ports = Vec::new();
    for _ in 0..1000 {
        let port = fastrand::u16(20_000..32_000);
        if !ports.contains(&port) && std::net::TcpListener::bind(("0.0.0.0", port)).is_ok() {
            ports.push(port);
            if ports.len() == n {
                return Ok(ports);
            }
        }
    }
    anyhow::bail!("no {n} free host ports between 20000 and 32000")
}

/// The name of the NATS server leading `stream`'s replicas.
pub async fn stream_leader(bus: &Bus, stream: &str) -> anyhow::Result<String> {
    let info = bus.jetstream().get_stream(stream).await?.info().await?.clone();
    info.cluster.and_then(|c| c.leader).context("the stream has no leader")
}
