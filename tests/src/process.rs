//! Muster's binaries as processes: found, started, signalled, their logs kept.

use std::time::Duration;

use anyhow::Context as _;

use crate::wait::within;

/// A service process started from its binary, killed when dropped.
#[derive(Debug)]
pub struct Process {
    /// The process.
    pub child: tokio::process::Child,
    /// What it printed on its first line starting with `console: ` (its URL), if asked for.
    pub console: Option<std::net::SocketAddr>,
}

impl Process {
    /// Starts `binary` with `args`; waits for the `console: <url>` line a console prints once it
    /// listens, and reads the address from it.
    pub async fn console(binary: &str, args: &[String]) -> anyhow::Result<Process> {
        use tokio::io::AsyncBufReadExt as _;
        let mut child = tokio::process::Command::new(self::binary(binary)?)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {binary}"))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = within(Duration::from_secs(30), &format!("{binary} to listen"), async {
            while let Some(line) = lines.next_line().await? {
                if line.starts_with("console: ") {
                    return anyhow::Ok(line);
                }
            }
            anyhow::bail!("{binary} exited before it listened")
        })
        .await??;
        let addr = line
            .split_whitespace()
            .nth(1)
            .and_then(|url| url.split("://").nth(1))
            .and_then(|a| a.parse().ok())
            .with_context(|| format!("{binary} printed `{line}`"))?;
        // Keep reading, so the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Process { child, console: Some(addr) })
    }
}

/// A free loopback address to give a service.
pub fn free_addr() -> anyhow::Result<std::net::SocketAddr> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// Service `name` as its own process with `args` and `env`, killed when dropped; what it logs goes
/// to the test's output (shown when the test fails).
pub fn service(name: &str, args: &[String], env: &[(&str, String)]) -> anyhow::Result<tokio::process::Child> {
    tokio::process::Command::new(binary(name)?)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {name}"))
}

/// A workspace binary built beside the test executables (`make test` builds them first).
pub fn binary(name: &str) -> anyhow::Result<std::path::PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().and_then(std::path::Path::parent).context("test executable has no folder")?;
    let path = dir.join(name);
    anyhow::ensure!(
        path.exists(),
        "{} is not built; run `cargo build --workspace --bins` (make test does)",
        path.display()
    );
    Ok(path)
}
