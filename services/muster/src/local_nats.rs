//! A local `nats-server` process for `muster run`: a free loopback port, a temporary store,
//! the shipped configuration, stopped when dropped.

use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use tokio::process::{Child, Command};

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
    /// Starts `nats-server` (from `MUSTER_NATS_SERVER` or PATH) with `config` and waits until it answers.
    pub async fn start(config: &Path, log: &Path) -> anyhow::Result<LocalNats> {
        anyhow::ensure!(
            config.exists(),
            "NATS configuration {} not found (run from the repository root)",
            config.display()
        );
        let binary = std::env::var("MUSTER_NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let store = tempfile::TempDir::with_prefix("muster-nats-")?;
        let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let child = Command::new(&binary)
            .arg("--config")
            .arg(config)
            .args(["-p", &port.to_string(), "-sd"])
            .arg(store.path())
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting `{binary}` (is it on PATH? `make nats-server` installs it)"))?;
        let url = format!("nats://127.0.0.1:{port}");
        let mut nats = LocalNats { url, store, child };
        nats.wait_ready().await?;
        Ok(nats)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("nats-server exited at start-up with {status}");
            }
            if async_nats::connect(&self.url).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("nats-server did not answer at {} within 5 s", self.url)
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
