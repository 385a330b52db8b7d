//! The shared test harness: a real NATS with JetStream per test, started through testcontainers
//! from the locally built `muster/nats` image (`make nats-image`), on a random host port, removed
//! when the handle drops.

use std::time::Duration;

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, ExerciseId, StreamSettings};
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage};

/// The image `make nats-image` builds; `MUSTER_NATS_IMAGE` (set by the Makefile) overrides it.
const DEFAULT_IMAGE: &str = "muster/nats:2.15.1";

/// A NATS server in a container, alive as long as this value.
#[derive(Debug)]
pub struct Nats {
    /// The client URL on the host, e.g. `nats://127.0.0.1:32771`.
    pub url: String,
    _container: ContainerAsync<GenericImage>,
}

impl Nats {
    /// Starts NATS with JetStream (the shipped `deploy/nats/nats.conf`) and waits until it is ready.
    pub async fn start() -> anyhow::Result<Nats> {
        let image = std::env::var("MUSTER_NATS_IMAGE").unwrap_or_else(|_| DEFAULT_IMAGE.to_owned());
        let (name, tag) = image.rsplit_once(':').context("MUSTER_NATS_IMAGE must be name:tag")?;
        let container = GenericImage::new(name, tag)
            .with_exposed_port(4222.tcp())
            .with_wait_for(WaitFor::message_on_stderr("Server is ready"))
            .start()
            .await
            .with_context(|| format!("starting a NATS container from {image} (built by `make nats-image`)"))?;
        let port = container.get_host_port_ipv4(4222).await?;
        let url = format!("nats://127.0.0.1:{port}");
        eprintln!("testcontainers: NATS {image} ready at {url}");
        Ok(Nats { url, _container: container })
    }

    /// A bus connection named for the test.
    pub async fn bus(&self, name: &str) -> anyhow::Result<Bus> {
        Ok(Bus::connect(&ConnectSettings::new(&self.url, name)).await?)
    }
}

/// An exercise id unique to one test, so parallel tests on one server never meet.
pub fn exercise(test: &str) -> ExerciseId {
    let suffix = bus::MessageId::generate();
    let id = format!("{test}-{}", &suffix.as_str()[suffix.as_str().len() - 8..]);
    ExerciseId::new(id).unwrap_or_else(|e| panic!("test exercise id for {test}: {e}"))
}

/// A connected bus with the exercise's streams provisioned.
pub async fn provisioned(nats: &Nats, exercise: &ExerciseId) -> anyhow::Result<Bus> {
    let bus = nats.bus("muster-test").await?;
    bus.provision(exercise, &StreamSettings::default()).await?;
    Ok(bus)
}

/// Waits for `future` at most `limit`, failing the test with `what` instead of hanging.
pub async fn within<T>(limit: Duration, what: &str, future: impl std::future::Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(limit, future).await.with_context(|| format!("timed out after {limit:?} waiting for {what}"))
}
