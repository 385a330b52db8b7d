//! The console serves HTTPS when given a certificate: a real TLS handshake on a real socket,
//! checked against the certificate's CA, and plain HTTP on that port gets no page.

use std::sync::Arc;

use axum::routing::get;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

#[tokio::test]
async fn the_console_serves_https_when_given_a_certificate() -> anyhow::Result<()> {
    let bundle = identity::certs::generate(&[])?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = axum::Router::new().route("/healthz", get(|| async { "ok" }));
    let tls = console::Tls { cert: bundle.gateway.cert.clone(), key: bundle.gateway.key.clone() };
    tokio::spawn(console::serve(listener, router, Some(tls), std::future::pending()));

    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(bundle.ca.as_bytes())?)?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let mut stream = TlsConnector::from(Arc::new(config)).connect(ServerName::try_from("localhost")?, stream).await?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await?;
    let mut bytes = Vec::new();
    // The server may close without a TLS close_notify once the response is sent.
    let _ = stream.read_to_end(&mut bytes).await;
    let response = String::from_utf8_lossy(&bytes);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok"), "{response}");

    let mut plain = tokio::net::TcpStream::connect(addr).await?;
    plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await?;
    let mut bytes = Vec::new();
    let _ = plain.read_to_end(&mut bytes).await;
    assert!(!String::from_utf8_lossy(&bytes).contains("HTTP/1.1 200"), "no page over plain HTTP");
    Ok(())
}
