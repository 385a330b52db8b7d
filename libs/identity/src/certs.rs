//! The exercise's certificate authority and what it issues: the NATS servers' certificate (client
//! connections and the routes between servers), the gateway's and the console's, and one client
//! certificate per participant (common name = node id, organisational unit = role). Written
//! outside the repository; private keys are never committed. The authority's own key is kept
//! apart (`authority/ca.key`), for renewal: leaves expire after [`LEAF_DAYS`], the authority after
//! [`AUTHORITY_DAYS`], and [`renew`] issues every leaf again under the same authority, so that
//! nothing which trusts it changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bus::{NodeId, Sender};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

/// Days a leaf certificate (a server's, the gateway's, a node's) is valid from its issue.
pub const LEAF_DAYS: i64 = 397;
/// Days the authority is valid from its making.
pub const AUTHORITY_DAYS: i64 = 3650;

/// The NATS servers' common name. `deploy/nats/cluster.conf` admits a route only from a
/// certificate of the authority that maps to this name (`verify_and_map`), so that no other
/// certificate it issued (a national node's, the gateway's) joins the cluster.
pub const NATS_SERVER: &str = "muster-nats";

/// The names the NATS servers answer to: loopback (`muster run --tls`, a deployment's ports on the
/// host), the compose services, and the StatefulSet's pods in the namespace `muster`. A wildcard
/// needs two labels after it (rustls ignores `*.nats`), so the short pod names are listed.
const NATS_NAMES: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "nats",
    "nats-1",
    "nats-2",
    "nats-3",
    "nats-0.nats",
    "nats-1.nats",
    "nats-2.nats",
    "*.nats.muster.svc",
    "*.nats.muster.svc.cluster.local",
];

/// The names the console answers to: loopback (a deployment publishes it there) and its service.
const CONSOLE_NAMES: &[&str] = &["localhost", "127.0.0.1", "console", "console.muster.svc"];

/// Names the servers answer to beside the shipped deployments' (an operator's hosts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// More names of the NATS servers.
    pub nats: Vec<String>,
    /// More names of the console (the host of the links people are given).
    pub console: Vec<String>,
}

impl Names {
    /// These names and `other`'s, each once.
    pub fn and(mut self, other: &Names) -> Names {
        for (mine, theirs) in [(&mut self.nats, &other.nats), (&mut self.console, &other.console)] {
            for name in theirs {
                if !mine.contains(name) {
                    mine.push(name.clone());
                }
            }
        }
        self
    }

    /// The names the certificates in `layout` carry beyond the shipped ones.
    pub fn issued(layout: &Layout) -> Names {
        let extra = |path: PathBuf, shipped: &[&str]| -> Vec<String> {
            let pem = std::fs::read_to_string(path).unwrap_or_default();
            alternative_names(&pem).into_iter().filter(|n| !shipped.contains(&n.as_str())).collect()
        };
        Names { nats: extra(layout.nats().0, NATS_NAMES), console: extra(layout.console().0, CONSOLE_NAMES) }
    }

    /// Whether the certificates in `layout` already carry every one of these names.
    pub fn carried_by(&self, layout: &Layout) -> bool {
        let issued = Names::issued(layout);
        self.nats.iter().all(|n| issued.nats.contains(n) || NATS_NAMES.contains(&n.as_str()))
            && self.console.iter().all(|n| issued.console.contains(n) || CONSOLE_NAMES.contains(&n.as_str()))
    }
}

/// A certificate and its private key, PEM.
#[derive(Debug, Clone)]
pub struct Pem {
    /// The certificate.
    pub cert: String,
    /// Its private key.
    pub key: String,
}

/// Everything a deployment needs.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The authority's certificate, which every side trusts.
    pub ca: String,
    /// The authority's private key, when the authority was made now: only renewal needs it, and it
    /// is written apart from the rest (see [`write`]).
    pub authority_key: Option<String>,
    /// The gateway's server certificate.
    pub gateway: Pem,
    /// The NATS servers' certificate, for clients and for routes (server and client use).
    pub nats: Pem,
    /// The console's server certificate.
    pub console: Pem,
    /// One client certificate per participant.
    pub nodes: BTreeMap<NodeId, Pem>,
}

/// Why certificates could not be made, read or written.
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
    /// The authority given for a renewal is not one: its certificate unreadable, or the key not
    /// its own.
    #[error("cannot renew under ca.pem and the authority's key: {0}")]
    Authority(String),
    /// The operating system gave no randomness.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// A file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Makes an authority, and under it every leaf for `participants`.
pub fn generate(participants: &[Sender]) -> Result<Bundle, CertError> {
    generate_for(participants, &Names::default())
}

/// [`generate`], the servers' certificates also carrying `names`.
pub fn generate_for(participants: &[Sender], names: &Names) -> Result<Bundle, CertError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    // Named apart from every other authority, so a certificate is plainly not its issuer's.
    let tag = crate::secret::random_hex(4).map_err(|e| CertError::Random(e.to_string()))?;
    ca_params.distinguished_name.push(DnType::CommonName, format!("Muster exercise authority {tag}"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages =
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    (ca_params.not_before, ca_params.not_after) = validity(AUTHORITY_DAYS);
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let authority_key = Some(ca_key.serialize_pem());
    let issuer = Issuer::new(ca_params, ca_key);
    Ok(Bundle { authority_key, ..leaves(ca_cert.pem(), &issuer, participants, names)? })
}

/// Every leaf issued again under the authority of `ca` (its certificate) and `authority_key`:
/// new keys, a new validity; the servers' certificates carry `names` besides their own.
pub fn renew(ca: &str, authority_key: &str, participants: &[Sender], names: &Names) -> Result<Bundle, CertError> {
    let key = KeyPair::from_pem(authority_key)?;
    let (_, pem) = x509_parser::pem::parse_x509_pem(ca.as_bytes()).map_err(|e| CertError::Authority(e.to_string()))?;
    let (_, cert) =
        x509_parser::parse_x509_certificate(&pem.contents).map_err(|e| CertError::Authority(e.to_string()))?;
    if cert.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
        return Err(CertError::Authority("the key is not the authority's".into()));
    }
    let issuer = Issuer::from_ca_cert_pem(ca, key)?;
    leaves(ca.to_owned(), &issuer, participants, names)
}

fn leaves(
    ca: String,
    issuer: &Issuer<'_, KeyPair>,
    participants: &[Sender],
    names: &Names,
) -> Result<Bundle, CertError> {
    let server = |name: &str, shipped: &[&str], more: &[String], uses| -> Result<Pem, CertError> {
        let mut all: Vec<String> = shipped.iter().map(|n| n.to_string()).collect();
        all.extend(more.iter().filter(|n| !shipped.contains(&n.as_str())).cloned());
        let mut params = CertificateParams::new(all)?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = uses;
        sign(params, issuer)
    };
    use ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
    let gateway = server("muster-gateway", &["localhost", "127.0.0.1", "gateway"], &[], vec![ServerAuth])?;
    // A server opening a route to another is that one's client.
    let nats = server(NATS_SERVER, NATS_NAMES, &names.nats, vec![ServerAuth, ClientAuth])?;
    let console = server("muster-console", CONSOLE_NAMES, &names.console, vec![ServerAuth])?;
    let mut nodes = BTreeMap::new();
    for sender in participants {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, sender.node.as_str());
        params.distinguished_name.push(DnType::OrganizationalUnitName, sender.role.token());
        params.extended_key_usages = vec![ClientAuth];
        nodes.insert(sender.node.clone(), sign(params, issuer)?);
    }
    Ok(Bundle { ca, authority_key: None, gateway, nats, console, nodes })
}

fn sign(mut params: CertificateParams, issuer: &Issuer<'_, KeyPair>) -> Result<Pem, CertError> {
    (params.not_before, params.not_after) = validity(LEAF_DAYS);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, issuer)?;
    Ok(Pem { cert: cert.pem(), key: key.serialize_pem() })
}

/// From an hour ago (clocks differ a little) to `days` from now.
fn validity(days: i64) -> (time::OffsetDateTime, time::OffsetDateTime) {
    let now = time::OffsetDateTime::now_utc();
    (now - time::Duration::hours(1), now + time::Duration::days(days))
}

fn parse<T>(pem: &str, read: impl FnOnce(&x509_parser::certificate::X509Certificate<'_>) -> T) -> Option<T> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
    let (_, cert) = x509_parser::parse_x509_certificate(&pem.contents).ok()?;
    Some(read(&cert))
}

/// The last day `cert` (PEM) is valid, as `YYYY-MM-DD`; none when it cannot be read.
pub fn expires(cert: &str) -> Option<String> {
    parse(cert, |cert| cert.validity().not_after.to_datetime().date().to_string())
}

/// The host names and addresses `cert` (PEM) names; none when it cannot be read.
fn alternative_names(cert: &str) -> Vec<String> {
    use x509_parser::extensions::GeneralName;
    parse(cert, |cert| {
        let Ok(Some(names)) = cert.subject_alternative_name() else { return Vec::new() };
        (names.value.general_names.iter())
            .filter_map(|name| match name {
                GeneralName::DNSName(host) => Some(host.to_string()),
                GeneralName::IPAddress(bytes) => match bytes.len() {
                    4 => <[u8; 4]>::try_from(*bytes).ok().map(|b| std::net::IpAddr::from(b).to_string()),
                    16 => <[u8; 16]>::try_from(*bytes).ok().map(|b| std::net::IpAddr::from(b).to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The participants whose client certificates are in `layout`'s folder, read from the
/// certificates themselves (common name, organisational unit): what a renewal issues again.
pub fn clients(layout: &Layout) -> Vec<Sender> {
    let Ok(entries) = std::fs::read_dir(&layout.0) else { return Vec::new() };
    let mut found = Vec::new();
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let Some(stem) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".pem")) else {
            continue;
        };
        let Ok(node) = NodeId::new(stem) else { continue };
        let role = std::fs::read_to_string(&path).ok().and_then(|pem| {
            parse(&pem, |cert| {
                let unit = cert.subject().iter_organizational_unit().next()?.as_str().ok()?.to_owned();
                let named = cert.subject().iter_common_name().next()?.as_str().ok()? == stem;
                named.then(|| bus::Role::from_token(&unit)).flatten()
            })
            .flatten()
        });
        found.extend(role.map(|role| Sender::new(role, node)));
    }
    found
}

/// Where a bundle's files are in a folder.
#[derive(Debug, Clone)]
pub struct Layout(pub PathBuf);

impl Layout {
    /// The authority's certificate.
    pub fn ca(&self) -> PathBuf {
        self.0.join("ca.pem")
    }

    /// Where the authority's private key goes unless told otherwise: a folder of its own inside,
    /// which `kubectl create secret --from-file` leaves out. Only renewal needs it.
    pub fn default_authority(&self) -> PathBuf {
        self.0.join("authority")
    }

    /// The gateway's certificate and key.
    pub fn gateway(&self) -> (PathBuf, PathBuf) {
        self.pair("gateway")
    }

    /// The NATS servers' certificate and key.
    pub fn nats(&self) -> (PathBuf, PathBuf) {
        self.pair("nats")
    }

    /// The console's certificate and key.
    pub fn console(&self) -> (PathBuf, PathBuf) {
        self.pair("console")
    }

    /// A node's certificate and key.
    pub fn node(&self, node: &NodeId) -> (PathBuf, PathBuf) {
        self.pair(node.as_str())
    }

    fn pair(&self, name: &str) -> (PathBuf, PathBuf) {
        (self.0.join(format!("{name}.pem")), self.0.join(format!("{name}.key")))
    }

    /// The bundle written here, with the certificates of `nodes`, read back.
    pub fn read<'a>(&self, nodes: impl IntoIterator<Item = &'a NodeId>) -> Result<Bundle, CertError> {
        let read =
            |path: PathBuf| std::fs::read_to_string(&path).map_err(|e| CertError::Read { reason: e.to_string(), path });
        let pem = |(cert, key): (PathBuf, PathBuf)| Ok::<_, CertError>(Pem { cert: read(cert)?, key: read(key)? });
        let nodes = nodes
            .into_iter()
            .map(|node| Ok((node.clone(), pem(self.node(node))?)))
            .collect::<Result<_, CertError>>()?;
        Ok(Bundle {
            ca: read(self.ca())?,
            authority_key: None,
            gateway: pem(self.gateway())?,
            nats: pem(self.nats())?,
            console: pem(self.console())?,
            nodes,
        })
    }
}

/// The authority's private key in its folder.
pub fn authority_key(folder: &Path) -> PathBuf {
    folder.join("ca.key")
}

/// Writes the bundle into `dir` (made private to its owner if new), and a new authority's key into
/// the folder `authority`; private keys are created readable by their owner only. Each file is
/// replaced whole, so a server reloading meanwhile reads the old or the new, never half.
pub fn write(bundle: &Bundle, dir: &Path, authority: &Path) -> Result<Layout, CertError> {
    let layout = Layout(dir.to_owned());
    let failed = |path: &Path| {
        let path = path.to_owned();
        move |source| CertError::Write { path, source }
    };
    crate::secret::private_dir(dir).map_err(failed(dir))?;
    let put = |path: PathBuf, text: &str, secret: bool| -> Result<(), CertError> {
        match secret {
            true => crate::secret::write(&path, text),
            false => crate::secret::write_public(&path, text),
        }
        .map_err(failed(&path))
    };
    if let Some(key) = &bundle.authority_key {
        crate::secret::private_dir(authority).map_err(failed(authority))?;
        put(authority_key(authority), key, true)?;
    }
    put(layout.ca(), &bundle.ca, false)?;
    let pairs =
        [(layout.gateway(), &bundle.gateway), (layout.nats(), &bundle.nats), (layout.console(), &bundle.console)];
    let nodes = bundle.nodes.iter().map(|(node, pem)| (layout.node(node), pem));
    for ((cert, key), pem) in pairs.into_iter().chain(nodes) {
        put(cert, &pem.cert, false)?;
        put(key, &pem.key, true)?;
    }
    Ok(layout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bus::Role;

    fn parsed(pem: &str) -> Vec<u8> {
        x509_parser::pem::parse_x509_pem(pem.as_bytes()).expect("pem").1.contents
    }

    #[test]
    fn the_nats_servers_certificate_serves_clients_and_routes_under_every_deployments_names() {
        let bundle = generate(&[]).expect("generated");
        let der = parsed(&bundle.nats.cert);
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("certificate");
        assert_eq!(cert.subject().to_string(), format!("CN={NATS_SERVER}"));
        let uses = cert.extended_key_usage().expect("parsed").expect("present").value;
        assert!(uses.server_auth && uses.client_auth, "a route is both: {uses:?}");
        let names = format!("{:?}", cert.subject_alternative_name().expect("parsed").expect("present").value);
        for name in ["nats-1", "*.nats", "*.nats.muster.svc.cluster.local", "localhost"] {
            assert!(names.contains(name), "{name} in {names}");
        }
        let console = parsed(&bundle.console.cert);
        let (_, console) = x509_parser::parse_x509_certificate(&console).expect("certificate");
        let uses = console.extended_key_usage().expect("parsed").expect("present").value;
        assert!(uses.server_auth && !uses.client_auth, "{uses:?}");
    }

    /// Whether a client trusting only `ca` accepts `cert` for `host`, as every Muster client checks.
    fn accepted(ca: &str, cert: &str, host: &str) -> Result<(), String> {
        use tokio_rustls::rustls::client::WebPkiServerVerifier;
        use tokio_rustls::rustls::client::danger::ServerCertVerifier as _;
        use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(parsed(ca))).map_err(|e| e.to_string())?;
        let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let verifier = WebPkiServerVerifier::builder_with_provider(std::sync::Arc::new(roots), provider)
            .build()
            .map_err(|e| e.to_string())?;
        let name = ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
        let leaf = CertificateDer::from(parsed(cert));
        verifier.verify_server_cert(&leaf, &[], &name, &[], UnixTime::now()).map(drop).map_err(|e| e.to_string())
    }

    #[test]
    fn every_host_the_shipped_deployments_dial_is_named_in_the_nats_servers_certificate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut hosts = std::collections::BTreeSet::new();
        for file in ["deploy/compose.yaml", "deploy/k8s/kustomization.yaml", "deploy/k8s/nats.yaml"] {
            let text = std::fs::read_to_string(root.join(file)).expect("a shipped file");
            for scheme in ["tls://", "nats-route://"] {
                for after in text.split(scheme).skip(1) {
                    hosts.extend(after.split(':').next().map(str::to_owned));
                }
            }
        }
        assert!(hosts.contains("nats-1") && hosts.contains("nats-0.nats"), "compose and k8s both read: {hosts:?}");
        let operator = Names { nats: vec!["nats.example.org".into()], console: vec!["muster.example.org".into()] };
        let bundle = generate_for(&[], &operator).expect("generated");
        for host in hosts.iter().map(String::as_str).chain(["localhost", "127.0.0.1", "nats.example.org"]) {
            accepted(&bundle.ca, &bundle.nats.cert, host).unwrap_or_else(|e| panic!("{host}: {e}"));
        }
        for host in ["127.0.0.1", "console", "muster.example.org"] {
            accepted(&bundle.ca, &bundle.console.cert, host).unwrap_or_else(|e| panic!("console as {host}: {e}"));
        }
        let refused = accepted(&bundle.ca, &bundle.nats.cert, "nats.elsewhere.org").expect_err("not its name");
        assert!(refused.contains("not valid for name"), "{refused}");
        let other = generate(&[]).expect("another authority");
        let refused = accepted(&other.ca, &bundle.nats.cert, "nats-1").expect_err("not its authority");
        assert!(refused.contains("UnknownIssuer"), "{refused}");
    }

    #[test]
    fn renewal_issues_new_leaves_under_the_same_authority() {
        let by = Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid id"));
        let first = generate(std::slice::from_ref(&by)).expect("generated");
        let operator = Names { nats: vec!["nats.example.org".into()], console: vec!["muster.example.org".into()] };
        let renewed =
            renew(&first.ca, first.authority_key.as_deref().expect("made now"), std::slice::from_ref(&by), &operator)
                .expect("renewed");
        assert_eq!(renewed.ca, first.ca, "the authority everyone trusts stays");
        let ca_der = parsed(&first.ca);
        let (_, ca) = x509_parser::parse_x509_certificate(&ca_der).expect("authority");
        for (old, new) in [
            (&first.nats, &renewed.nats),
            (&first.gateway, &renewed.gateway),
            (&first.nodes[&by.node], &renewed.nodes[&by.node]),
        ] {
            assert_ne!(old.key, new.key, "a new key");
            let der = parsed(&new.cert);
            let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("certificate");
            cert.verify_signature(Some(ca.public_key())).expect("signed by the same authority");
            let days = (cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp()) / 86_400;
            assert_eq!(days, LEAF_DAYS, "valid from an hour ago for {LEAF_DAYS} days and an hour");
        }
        let years = (ca.validity().not_after.timestamp() - ca.validity().not_before.timestamp()) / 86_400 / 365;
        assert_eq!(years, AUTHORITY_DAYS / 365);
        let der = parsed(&renewed.nats.cert);
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("certificate");
        let names = format!("{:?}", cert.subject_alternative_name().expect("parsed").expect("present").value);
        assert!(
            names.contains("nats.example.org") && names.contains("nats-1"),
            "an operator's name beside ours: {names}"
        );
        let stranger = generate(&[]).expect("another authority");
        let mismatched = renew(&stranger.ca, first.authority_key.as_deref().expect("made now"), &[], &Names::default())
            .expect_err("a key not the authority's");
        assert!(mismatched.to_string().contains("is not the authority's"), "{mismatched}");
    }

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
