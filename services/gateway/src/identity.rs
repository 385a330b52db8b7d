//! The caller's identity: the role (organisational unit) and node id (common name) of the client
//! certificate that the TLS handshake verified against the CA.

use bus::{NodeId, Role, Sender};
use tonic::{Request, Status};
use x509_parser::prelude::{FromDer, X509Certificate};

/// The verified sender of a request.
pub fn caller<T>(request: &Request<T>) -> Result<Sender, Status> {
    let certs = request.peer_certs().ok_or_else(|| Status::unauthenticated("a client certificate is required"))?;
    let first = certs.first().ok_or_else(|| Status::unauthenticated("a client certificate is required"))?;
    from_der(first.as_ref())
}

/// Reads role and node from a DER certificate.
pub fn from_der(der: &[u8]) -> Result<Sender, Status> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| Status::unauthenticated(format!("unreadable client certificate: {e}")))?;
    let subject = cert.subject();
    let text = |attr: Option<&x509_parser::x509::AttributeTypeAndValue<'_>>| {
        attr.and_then(|a| a.as_str().ok()).map(str::to_owned)
    };
    let node = text(subject.iter_common_name().next())
        .ok_or_else(|| Status::unauthenticated("client certificate has no common name"))?;
    let role = text(subject.iter_organizational_unit().next()).unwrap_or_else(|| Role::ControlPoint.token().into());
    let role = Role::from_token(&role).filter(|r| !matches!(r, Role::Coordinator)).ok_or_else(|| {
        Status::permission_denied(format!("certificate role `{role}` may not use the national-node service"))
    })?;
    let node = NodeId::new(node).map_err(|e| Status::unauthenticated(format!("certificate common name: {e}")))?;
    Ok(Sender::new(role, node))
}
