//! The gRPC side: national nodes' links, the gateway as a task, certificates, and a proxy that
//! cuts a node's link on demand.

use std::time::Duration;

use anyhow::Context as _;

use crate::exercise::{Run, stopped};
use crate::nats::Server;

/// How national nodes reach the gateway in a test.
#[derive(Debug, Clone)]
pub struct GrpcLink {
    /// The gateway (or a proxy in front of it), `https://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The certificates of the run.
    pub bundle: identity::certs::Bundle,
    /// Receives the sequence of every event a national node processed.
    pub processed: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
}

impl GrpcLink {
    /// Settings for the national node `me` of `run`.
    pub fn node_settings(
        &self,
        run: &Run,
        me: &bus::Sender,
        mind: seat::Mind,
        processed: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
    ) -> anyhow::Result<national_node::Settings> {
        let pem = self.bundle.nodes.get(&me.node).with_context(|| format!("no certificate for {}", me.node))?;
        Ok(national_node::Settings {
            endpoint: self.endpoint.clone(),
            tls: national_node::ClientTls {
                ca: self.bundle.ca.clone(),
                cert: pem.cert.clone(),
                key: pem.key.clone(),
                domain: "localhost".into(),
            },
            exercise: run.exercise.clone(),
            me: me.clone(),
            mind,
            processed,
            key: None,
            trust: None,
            receipts: None,
        })
    }
}

/// Certificates for every participant of a scenario.
pub fn certificates(scenario: &scenario::Scenario) -> anyhow::Result<identity::certs::Bundle> {
    let senders: Vec<bus::Sender> =
        scenario.participants.iter().map(|p| bus::Sender::new(p.role, p.node.clone())).collect();
    Ok(identity::certs::generate(&senders)?)
}

/// A gateway serving on loopback ports, stopped when dropped.
#[derive(Debug)]
pub struct Gateway {
    /// The mutual-TLS national-node port.
    pub addr: std::net::SocketAddr,
    /// The plain health and reflection port.
    pub probe: std::net::SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Gateway {
    /// Starts a gateway on `nats` with the bundle's gateway certificate.
    pub async fn start(nats: &impl Server, bundle: &identity::certs::Bundle) -> anyhow::Result<Gateway> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let (addr, probe_addr) = (listener.local_addr()?, probe.local_addr()?);
        let settings = gateway::Settings {
            bus: nats.identities().settings(nats.url(), "gateway", "muster-gateway")?,
            trust: Some(nats.identities().public_key("coordinator")?),
            tls: gateway::Tls {
                cert: bundle.gateway.cert.clone(),
                key: bundle.gateway.key.clone(),
                client_ca: bundle.ca.clone(),
            },
            reply_timeout: Duration::from_secs(2),
        };
        let (stop, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if let Err(e) = gateway::serve(settings, listener, Some(probe), stopped(rx)).await {
                eprintln!("gateway stopped: {e}");
            }
        });
        Ok(Gateway { addr, probe: probe_addr, stop })
    }

    /// The endpoint national nodes use.
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A TCP proxy between national nodes and a gateway: a test can cut the link, restore it, or move
/// it to another gateway.
#[derive(Debug)]
pub struct Proxy {
    /// Where nodes connect.
    pub addr: std::net::SocketAddr,
    upstream: std::sync::Arc<std::sync::Mutex<std::net::SocketAddr>>,
    open: std::sync::Arc<std::sync::atomic::AtomicBool>,
    generation: tokio::sync::watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// A proxy to `upstream`.
    pub async fn start(upstream: std::net::SocketAddr) -> anyhow::Result<Proxy> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let upstream = std::sync::Arc::new(std::sync::Mutex::new(upstream));
        let open = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (generation, _) = tokio::sync::watch::channel(0u64);
        let task = tokio::spawn({
            let (upstream, open, generation) = (upstream.clone(), open.clone(), generation.clone());
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !open.load(std::sync::atomic::Ordering::SeqCst) {
                        continue;
                    }
                    let target = *upstream.lock().unwrap_or_else(|e| e.into_inner());
                    let mut cut = generation.subscribe();
                    tokio::spawn(async move {
                        let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else { return };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                            _ = cut.changed() => {}
                        }
                    });
                }
            }
        });
        Ok(Proxy { addr, upstream, open, generation, task })
    }

    /// The endpoint national nodes use.
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.open.store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.open.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Drops every open connection; new ones go to `upstream`.
    pub fn switch(&self, upstream: std::net::SocketAddr) {
        *self.upstream.lock().unwrap_or_else(|e| e.into_inner()) = upstream;
        self.generation.send_modify(|g| *g += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
