//! Serving: mutual TLS on the national-node port (no valid client certificate, no handshake),
//! gRPC health and server reflection beside the service, and an optional plain probe port with
//! health and reflection only, for orchestrators' probes.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use bus::{Bus, ConnectSettings};

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

use crate::rpc::national_node_service_server::NationalNodeServiceServer;
use crate::service::NationalNode;

/// Largest request the gateway decodes; larger ones are refused before reaching the bus.
pub const MAX_REQUEST_BYTES: usize = 256 * 1024;

/// The gateway's TLS material, PEM.
#[derive(Debug, Clone)]
pub struct Tls {
    /// The gateway's certificate.
    pub cert: String,
    /// Its private key.
    pub key: String,
    /// The CA that signs the nodes' certificates.
    pub client_ca: String,
}

impl Tls {
    /// Reads the three PEM files.
    pub fn read(cert: &Path, key: &Path, client_ca: &Path) -> std::io::Result<Tls> {
        Ok(Tls {
            cert: std::fs::read_to_string(cert)?,
            key: std::fs::read_to_string(key)?,
            client_ca: std::fs::read_to_string(client_ca)?,
        })
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the bus is, and the gateway's identity on it.
    pub bus: ConnectSettings,
    /// TLS material.
    pub tls: Tls,
    /// The coordinator's public key: only events it sealed, in chain, are served.
    pub trust: Option<String>,
    /// How long a submission waits for the coordinator's answer before it is answered with its receipt.
    pub reply_timeout: Duration,
}

/// Why the gateway stopped.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The bus could not be reached.
    #[error(transparent)]
    Bus(#[from] bus::BusError),
    /// The server failed.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// Reflection could not be set up.
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
}

/// Serves until `shutdown` resolves: the national-node service with mutual TLS on `listener`,
/// and health and reflection in plain text on `probe` when given.
pub async fn serve(
    settings: Settings,
    listener: TcpListener,
    probe: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), GatewayError> {
    let bus = Bus::connect(&settings.bus).await?;
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter.set_serving::<NationalNodeServiceServer<NationalNode>>().await;
    let service =
        NationalNodeServiceServer::new(NationalNode::new(bus, settings.reply_timeout, settings.trust.clone()))
            .max_decoding_message_size(MAX_REQUEST_BYTES);
    let tls = ServerTlsConfig::new()
        .identity(Identity::from_pem(&settings.tls.cert, &settings.tls.key))
        .client_ca_root(Certificate::from_pem(&settings.tls.client_ca));

    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let signal = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    if let Some(probe) = probe {
        tracing::info!(addr = ?probe.local_addr().ok(), "health and reflection probe port");
        let probe_server = Server::builder()
            .add_service(health.clone())
            .add_service(reflection()?)
            .add_service(reflection_v1alpha()?)
            .serve_with_incoming_shutdown(TcpListenerStream::new(probe), signal(stopped.clone()));
        tokio::spawn(async move {
            if let Err(e) = probe_server.await {
                tracing::error!(error = %e, "probe port failed");
            }
        });
    }
    tracing::info!(addr = ?listener.local_addr().ok(), "national-node service (mutual TLS)");
    Server::builder()
        .tls_config(tls)?
        .timeout(Duration::from_secs(30))
        // A node cut off by the network sends no reset: pings close its dead streams in seconds.
        .http2_keepalive_interval(Some(Duration::from_secs(2)))
        .http2_keepalive_timeout(Some(Duration::from_secs(2)))
        .add_service(health)
        .add_service(reflection()?)
        .add_service(reflection_v1alpha()?)
        .add_service(service)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), signal(stopped))
        .await?;
    Ok(())
}

fn builder() -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(proto::v1::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
}

fn reflection() -> Result<
    tonic_reflection::server::v1::ServerReflectionServer<impl tonic_reflection::server::v1::ServerReflection>,
    GatewayError,
> {
    Ok(builder().build_v1()?)
}

/// Reflection as older tools speak it (grpcurl before 1.8.8, evans, Postman, Python's
/// `grpcio-reflection`): they ask `grpc.reflection.v1alpha` only.
fn reflection_v1alpha() -> Result<
    tonic_reflection::server::v1alpha::ServerReflectionServer<impl tonic_reflection::server::v1alpha::ServerReflection>,
    GatewayError,
> {
    Ok(builder().build_v1alpha()?)
}
