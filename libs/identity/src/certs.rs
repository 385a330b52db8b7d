//! Development certificates for local runs and tests: a CA, a gateway certificate for
//! `localhost`/`127.0.0.1`, and one client certificate per participant (common name = node id,
//! organisational unit = role). Written outside the repository; private keys are never committed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bus::{NodeId, Sender};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

/// A certificate and its private key, PEM.
#[derive(Debug, Clone)]
pub struct Pem {
    /// The certificate.
    pub cert: String,
    /// Its private key.
    pub key: String,
}

/// Everything a local deployment needs.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The CA certificate every side trusts.
    pub ca: String,
    /// The gateway's server certificate.
    pub gateway: Pem,
    /// One client certificate per participant.
    pub nodes: BTreeMap<NodeId, Pem>,
}

/// Why certificates could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// rcgen refused.
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Makes a CA, the gateway's certificate and one client certificate per participant.
pub fn generate(participants: &[Sender]) -> Result<Bundle, CertError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(DnType::CommonName, "Muster development CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let gateway_key = KeyPair::generate()?;
    let mut gateway = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    gateway.distinguished_name.push(DnType::CommonName, "muster-gateway");
    gateway.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let gateway_cert = gateway.signed_by(&gateway_key, &issuer)?;

    let mut nodes = BTreeMap::new();
    for sender in participants {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, sender.node.as_str());
        params.distinguished_name.push(DnType::OrganizationalUnitName, sender.role.token());
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.signed_by(&key, &issuer)?;
        nodes.insert(sender.node.clone(), Pem { cert: cert.pem(), key: key.serialize_pem() });
    }
    Ok(Bundle { ca: ca_cert.pem(), gateway: Pem { cert: gateway_cert.pem(), key: gateway_key.serialize_pem() }, nodes })
}

/// Where a bundle's files are in a folder.
#[derive(Debug, Clone)]
pub struct Layout(pub PathBuf);

impl Layout {
    /// The CA certificate.
    pub fn ca(&self) -> PathBuf {
        self.0.join("ca.pem")
    }

    /// The gateway's certificate and key.
    pub fn gateway(&self) -> (PathBuf, PathBuf) {
        (self.0.join("gateway.pem"), self.0.join("gateway.key"))
    }

    /// A node's certificate and key.
    pub fn node(&self, node: &NodeId) -> (PathBuf, PathBuf) {
        (self.0.join(format!("{node}.pem")), self.0.join(format!("{node}.key")))
    }
}

/// Writes the bundle into `dir` (made private to its owner if new); private keys are created
/// readable by their owner only.
pub fn write(bundle: &Bundle, dir: &Path) -> Result<Layout, CertError> {
    let layout = Layout(dir.to_owned());
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| CertError::Write { path, source }
    };
    crate::secret::private_dir(dir).map_err(failed(dir))?;
    let put = |path: PathBuf, text: &str, secret: bool| -> Result<(), CertError> {
        if secret {
            crate::secret::write(&path, text).map_err(failed(&path))
        } else {
            std::fs::write(&path, text).map_err(failed(&path))
        }
    };
    put(layout.ca(), &bundle.ca, false)?;
    let (cert, key) = layout.gateway();
    put(cert, &bundle.gateway.cert, false)?;
    put(key, &bundle.gateway.key, true)?;
    for (node, pem) in &bundle.nodes {
        let (cert, key) = layout.node(node);
        put(cert, &pem.cert, false)?;
        put(key, &pem.key, true)?;
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bus::Role;

    #[test]
    fn client_certificates_carry_role_and_node() {
        let by = Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid id"));
        let bundle = generate(std::slice::from_ref(&by)).expect("generated");
        let pem = &bundle.nodes[&by.node];
        let der = x509_parser::pem::parse_x509_pem(pem.cert.as_bytes()).expect("pem").1.contents;
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("certificate");
        let subject = cert.subject().to_string();
        assert!(subject.contains("CN=BY") && subject.contains("OU=control_point"), "{subject}");
    }
}
