//! A local `nats-server` process, for `muster run` and the benchmarks: a free loopback port, a
//! temporary store, a configuration file (or the server's defaults), stopped when dropped.

use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// Why the local server could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LocalNatsError {
    /// What went wrong.
    #[error("local NATS: {0}")]
    Start(String),
}

/// A running nats-server child.
#[derive(Debug)]
pub struct LocalNats {
    /// Client URL.
    pub url: String,
    /// Where JetStream keeps its files.
    pub store: tempfile::TempDir,
    child: Child,
}

impl LocalNats {
    /// Starts `nats-server` (from `MUSTER_NATS_SERVER` or PATH) with JetStream and `config`, or the
    /// server's own defaults when `None`, and waits until it answers.
    pub async fn start(config: Option<&Path>, log: &Path) -> Result<LocalNats, LocalNatsError> {
        let failed = |what: String| move |e: std::io::Error| LocalNatsError::Start(format!("{what}: {e}"));
        if let Some(config) = config.filter(|c| !c.exists()) {
            return Err(LocalNatsError::Start(format!(
                "configuration {} not found (run from the repository root)",
                config.display()
            )));
        }
        let binary = std::env::var("MUSTER_NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let port =
            TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(failed("free port".into()))?.port();
        let store = tempfile::TempDir::with_prefix("muster-nats-").map_err(failed("temporary store".into()))?;
        let log_file = std::fs::File::create(log).map_err(failed(format!("creating {}", log.display())))?;
        let mut command = Command::new(&binary);
        match config {
            Some(config) => command.arg("--config").arg(config),
            None => command.args(["-js", "-a", "127.0.0.1"]),
        };
        let child = command
            .args(["-p", &port.to_string(), "-sd"])
            .arg(store.path())
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .map_err(failed(format!("starting `{binary}` (is it on PATH? `make nats-server` installs it)")))?;
        let url = format!("nats://127.0.0.1:{port}");
        let mut nats = LocalNats { url, store, child };
        nats.wait_ready().await?;
        Ok(nats)
    }

    async fn wait_ready(&mut self) -> Result<(), LocalNatsError> {
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(LocalNatsError::Start(format!("nats-server exited at start-up with {status}")));
            }
            // The server greets every connection with INFO, before any credentials are asked for.
            if greets(&self.url).await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(LocalNatsError::Start(format!("nats-server did not answer at {} within 5 s", self.url)))
    }

    /// The server's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

async fn greets(url: &str) -> bool {
    use tokio::io::AsyncReadExt as _;
    let address = url.trim_start_matches("nats://");
    let Ok(mut stream) = tokio::net::TcpStream::connect(address).await else { return false };
    let mut greeting = [0u8; 4];
    matches!(tokio::time::timeout(Duration::from_secs(1), stream.read_exact(&mut greeting)).await, Ok(Ok(_)))
        && &greeting == b"INFO"
}
