//! The operations port a long-running service serves when given `--ops ADDR`: `/healthz` (the
//! process answers), `/readyz` (it can do its work: 503 until the service says so) and `/metrics`
//! (Prometheus text). Services record metrics through the `metrics` facade wherever they are;
//! without an operations port the facade records nothing.

pub mod heap;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The container health check of an image without a shell or curl: `<service> probe` asks this
/// process's own operations port (`MUSTER_OPS_LISTEN`) for `/readyz` and exits 0 when ready, 1
/// otherwise. Call it first thing in `main`; it returns when the command line is not `probe`.
pub fn probe_if_asked() {
    if std::env::args().nth(1).as_deref() != Some("probe") {
        return;
    }
    let ready = std::env::var("MUSTER_OPS_LISTEN")
        .ok()
        .and_then(|addr| addr.parse::<SocketAddr>().ok())
        .is_some_and(|addr| readyz(addr).unwrap_or(false));
    std::process::exit(if ready { 0 } else { 1 });
}

fn readyz(mut addr: SocketAddr) -> std::io::Result<bool> {
    use std::io::{Read as _, Write as _};
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let timeout = std::time::Duration::from_secs(2);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(b"GET /readyz HTTP/1.0\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"))
}

/// Histogram buckets of every latency (all in seconds), from half a millisecond to ten seconds:
/// histograms, not summaries, so that replicas' latencies add up in Prometheus.
const SECONDS_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Where the operations port listens.
#[derive(Debug, Clone, clap::Args)]
pub struct OpsArgs {
    /// Serve /healthz, /readyz and /metrics here (e.g. 0.0.0.0:9090); nothing when not given.
    #[arg(long = "ops", env = "MUSTER_OPS_LISTEN", value_name = "ADDR")]
    pub ops: Option<SocketAddr>,
}

/// Whether the service can do its work; `/readyz` answers with it.
#[derive(Debug, Clone, Default)]
pub struct Ready(Arc<AtomicBool>);

impl Ready {
    /// Says whether the service can do its work now.
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Relaxed);
    }

    /// Whether it can.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Why the operations port could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// Another metrics recorder is installed in this process.
    #[error("metrics recorder: {0}")]
    Recorder(String),
    /// The address cannot be listened on.
    #[error("operations port {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

impl OpsArgs {
    /// Starts the operations port when asked for; the readiness it answers with (not ready yet).
    pub async fn start(&self) -> Result<Ready, OpsError> {
        let ready = Ready::default();
        let Some(addr) = self.ops else { return Ok(ready) };
        let handle = PrometheusBuilder::new()
            .set_buckets(SECONDS_BUCKETS)
            .and_then(PrometheusBuilder::install_recorder)
            .map_err(|e| OpsError::Recorder(e.to_string()))?;
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| OpsError::Listen { addr, source })?;
        let router = router(handle, ready.clone());
        tracing::info!(addr = ?listener.local_addr().ok(), "operations port: /healthz, /readyz, /metrics");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "operations port stopped");
            }
        });
        Ok(ready)
    }
}

fn router(handle: PrometheusHandle, ready: Ready) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(move || {
                let ready = ready.get();
                async move {
                    match ready {
                        true => (StatusCode::OK, "ready"),
                        false => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
                    }
                }
            }),
        )
        .route("/metrics", get(move || std::future::ready(handle.render())))
}
