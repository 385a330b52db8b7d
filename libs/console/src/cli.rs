//! The command-line arguments of a console's host (the headquarters' console, a national node).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::{Console, Tls, auth};

/// Where and how a console listens.
#[derive(Debug, Clone, clap::Args)]
pub struct ConsoleArgs {
    /// TLS certificate chain (PEM) to serve HTTPS with; plain HTTP when not given.
    #[arg(long, env = "MUSTER_CONSOLE_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "MUSTER_CONSOLE_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Hours a sign-in lasts.
    #[arg(long, env = "MUSTER_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u64,
}

/// Why a console cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error(transparent)]
    Serve(#[from] crate::serve::ServeError),
}

impl ConsoleArgs {
    /// The certificate and key, when given.
    pub fn tls(&self) -> Result<Option<Tls>, ConsoleError> {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path).map_err(|source| ConsoleError::Read { path: path.clone(), source })
        };
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some(Tls { cert: read(cert)?, key: read(key)? })),
            _ => Ok(None),
        }
    }

    /// Sessions for a console listening on `addr`: the cookie is named for the port, so that two
    /// consoles on one host (the headquarters' and a node's, on a laptop) keep theirs apart.
    pub fn sessions(&self, addr: SocketAddr) -> Result<auth::Sessions, ConsoleError> {
        let lifetime = Duration::from_secs(self.session_hours.saturating_mul(3600));
        Ok(auth::Sessions::new(format!("muster-{}", addr.port()), lifetime, self.tls_cert.is_some()))
    }
}

/// Serves `console` on `listener` until `shutdown` resolves.
pub async fn serve(
    console: Console,
    listener: tokio::net::TcpListener,
    tls: Option<Tls>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ConsoleError> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(exercise = %console.exercise, url = %format!("{scheme}://{addr}"), "console listening");
    }
    let console = Arc::new(console);
    let seating = tokio::spawn({
        let console = console.clone();
        async move {
            let mut every = tokio::time::interval(bus::presence::EVERY);
            loop {
                every.tick().await;
                console.seat_people();
            }
        }
    });
    let router = crate::router(console);
    let served = crate::serve(listener, router, tls, shutdown).await;
    seating.abort();
    served?;
    Ok(())
}
