//! Chaos and hostile peers on the shipped deployment: `deploy/compose.yaml` on the images `make
//! images` builds (a NATS cluster of three speaking TLS only, two coordinators, two gateways, every
//! seat, national nodes on their own network). Each test does to the containers what machines,
//! networks and intruders do — a leader's container killed, a NATS node stopped, a national node
//! cut off, a NATS node partitioned from the others, rogue servers routing to the cluster and
//! clients without TLS or trusting another authority — and checks that the exercise ends with the
//! record of an uninterrupted run: nothing lost, nothing doubled. Each prints what it measured.
//!
//! `make chaos` builds the images and runs these (`make test` calls it); without the images they
//! fail, saying so.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use bus::Bus;
use tests::compose::{Deployment, docker};
use tests::{Nats, Record, Run, Running, assert_no_duplicates, eventually, longest_silence, run_exercise};

/// How long an exercise of the deployment may take, disturbances included.
const LIMIT: Duration = Duration::from_secs(240);
/// How long a disturbance lasts.
const OUTAGE: Duration = Duration::from_secs(10);

/// The default scenario with every state present and mandatory, so the record depends on what the
/// participants said and not on when: windows close when everything expected is in.
fn scenario() -> anyhow::Result<String> {
    tests::all_present_scenario()
}

/// The record of the same scenario run without disturbance (in this process, on one NATS).
async fn undisturbed(test: &str) -> anyhow::Result<Record> {
    let run = Run {
        scenario: scenario::parse(&scenario()?, "cst-2025-all-present.toml")?,
        time_scale: 7200.0,
        ..Run::default_fast(test)?
    };
    let nats = Nats::start(&[&run]).await?;
    Ok(Record::of(&run_exercise(&nats, &run, Duration::from_secs(90)).await?))
}

/// Brings the deployment up and waits for the first stage to open: the moment to disturb it.
async fn deployed(test: &str) -> anyhow::Result<(Deployment, Bus)> {
    let deployment = Deployment::up(test, &scenario()?).await?;
    let admin = deployment.bus("admin").await?;
    if let Err(e) = deployment.wait_for(&admin, "stage_opened", Duration::from_secs(120)).await {
        anyhow::bail!("{e}\n{}", deployment.logs(&["coordinator-1", "coordinator-2", "provision"]));
    }
    Ok((deployment, admin))
}

/// Waits for the conclusion; checks the record against the undisturbed run's and that nothing
/// came twice; the log.
async fn concluded(deployment: &Deployment, admin: &Bus, test: &str) -> anyhow::Result<Vec<bus::Envelope>> {
    let log = match deployment.wait_for(admin, "exercise_concluded", LIMIT).await {
        Ok(log) => log,
        Err(e) => anyhow::bail!("{e}\n{}", deployment.logs(&["coordinator-1", "coordinator-2"])),
    };
    assert_no_duplicates(&log);
    assert_eq!(deployment.record(&log)?, undisturbed(test).await?, "the record differs from an undisturbed run's");
    Ok(log)
}

/// The NATS node (its service name) leading the exercise's log.
async fn log_leader(deployment: &Deployment, admin: &Bus) -> anyhow::Result<String> {
    tests::stream_leader(admin, &bus::subject::events_stream(&deployment.exercise)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leading_coordinators_container_killed() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-leader").await?;
    let leader = Running::lease_holder(&admin, &deployment.exercise).await?.context("no coordinator leads")?;
    docker(&["kill", &deployment.container(&leader)])?;
    let (killed, killed_at) = (Instant::now(), SystemTime::now());
    eventually(Duration::from_secs(30), "the standby to take the lease", async || {
        Ok(Running::lease_holder(&admin, &deployment.exercise).await?.filter(|holder| *holder != leader).map(drop))
    })
    .await?;
    println!("chaos: {leader}'s container killed; the standby leads {} ms later", killed.elapsed().as_millis());
    let log = concluded(&deployment, &admin, "chaos-leader-baseline").await?;
    println!(
        "chaos: recovery after the leader's loss: {} ms without a new event",
        longest_silence(&log, killed_at).as_millis()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nats_node_leading_the_log_stopped() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-nats-stop").await?;
    let node = log_leader(&deployment, &admin).await?;
    let stopped_at = SystemTime::now();
    deployment.compose(&["stop", &node])?;
    let log = concluded(&deployment, &admin, "chaos-nats-stop-baseline").await?;
    println!(
        "chaos: stall after {node} (leading the log) stopped: {} ms without a new event",
        longest_silence(&log, stopped_at).as_millis()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_national_node_cut_off_its_network_for_10_s() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-node-cut").await?;
    let (network, container) = (deployment.network("nodes"), deployment.container("national-node-kg"));
    docker(&["network", "disconnect", &network, &container])?;
    tokio::time::sleep(OUTAGE).await;
    docker(&["network", "connect", &network, &container])?;
    let back = SystemTime::now();
    let log = concluded(&deployment, &admin, "chaos-node-cut-baseline").await?;
    let first = log
        .iter()
        .filter(|e| e.message_id.as_str().starts_with("KG-"))
        .filter_map(|e| e.recorded_at)
        .find(|t| *t >= back)
        .context("nothing of KG's recorded after its network came back")?;
    println!(
        "chaos: KG cut off for {} s; its next submission recorded {} ms after its network came back",
        OUTAGE.as_secs(),
        first.duration_since(back).unwrap_or_default().as_millis()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nats_node_leading_the_log_partitioned_from_the_other_two() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("chaos-partition").await?;
    let node = log_leader(&deployment, &admin).await?;
    let (network, container) = (deployment.network("hq"), deployment.container(&node));
    let cut_at = SystemTime::now();
    docker(&["network", "disconnect", &network, &container])?;
    tokio::time::sleep(OUTAGE).await;
    docker(&["network", "connect", "--alias", &node, &network, &container])?;
    let log = concluded(&deployment, &admin, "chaos-partition-baseline").await?;
    println!(
        "chaos: {node} (leading the log) partitioned for {} s: {} ms without a new event",
        OUTAGE.as_secs(),
        longest_silence(&log, cut_at).as_millis()
    );
    Ok(())
}

/// A NATS server that is not the deployment's: started on the headquarters' network with a route
/// to every node of the cluster, its own account named as the deployment's (a name is no secret),
/// and a client of its own counting every message the server gets.
struct Rogue {
    container: String,
    /// Its address on the network, as the cluster's logs name it.
    ip: String,
    /// Its monitoring port on the host.
    monitor: String,
    received: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    _dir: tempfile::TempDir,
}

/// The certificate a rogue presents on its routes, and the authority it trusts.
struct RouteTls<'a> {
    cert: &'a str,
    key: &'a str,
    ca: &'a str,
}

impl Rogue {
    async fn start(deployment: &Deployment, name: &str, tls: Option<RouteTls<'_>>) -> anyhow::Result<Rogue> {
        let dir = tempfile::TempDir::with_prefix("muster-rogue")?;
        let tls = match tls {
            Some(RouteTls { cert, key, ca }) => {
                std::fs::write(dir.path().join("route.pem"), cert)?;
                std::fs::write(dir.path().join("route.key"), key)?;
                std::fs::write(dir.path().join("ca.pem"), ca)?;
                "tls { cert_file: /rogue/route.pem, key_file: /rogue/route.key, ca_file: /rogue/ca.pem, timeout: 5 }"
            }
            None => "",
        };
        let config = format!(
            "server_name: rogue-{name}\nlisten: 0.0.0.0:4222\nhttp: 0.0.0.0:8222\n\
             accounts {{ MUSTER {{ users: [ {{ user: spy, password: spy }} ] }} }}\nno_auth_user: spy\n\
             cluster {{\n  name: muster\n  listen: 0.0.0.0:6222\n  {tls}\n  \
             routes: [ nats-route://nats-1:6222, nats-route://nats-2:6222, nats-route://nats-3:6222 ]\n}}\n"
        );
        std::fs::write(dir.path().join("rogue.conf"), config)?;
        let container = format!("{}_rogue-{name}", deployment.project);
        let mount = format!("{}:/rogue:ro", dir.path().display());
        let network = deployment.network("hq");
        tests::compose::docker(&[
            "run",
            "--detach",
            "--name",
            &container,
            "--network",
            &network,
            "--publish",
            "127.0.0.1::4222",
            "--publish",
            "127.0.0.1::8222",
            "--volume",
            &mount,
            "muster/nats:2.15.1",
            "--config",
            "/rogue/rogue.conf",
        ])?;
        let inspect = ["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", &container];
        let ip = tests::compose::docker_output(&inspect)?;
        let client = tests::compose::docker_output(&["port", &container, "4222"])?;
        let monitor = tests::compose::docker_output(&["port", &container, "8222"])?;
        let spy = eventually(Duration::from_secs(20), "the rogue server to take clients", async || {
            Ok(async_nats::connect(format!("nats://{client}")).await.ok())
        })
        .await?;
        let mut everything = spy.subscribe(">").await?;
        spy.flush().await?;
        let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = received.clone();
        tokio::spawn(async move {
            let _spy = spy;
            while futures::StreamExt::next(&mut everything).await.is_some() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        Ok(Rogue { container, ip, monitor, received, _dir: dir })
    }

    fn received(&self) -> usize {
        self.received.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The routes the rogue holds, as its monitoring says.
    async fn routes(&self) -> anyhow::Result<u64> {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut stream = tokio::net::TcpStream::connect(&self.monitor).await?;
        stream.write_all(b"GET /routez HTTP/1.0\r\nHost: rogue\r\n\r\n").await?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await?;
        let body = response.split_once("\r\n\r\n").map(|(_, body)| body).context("an HTTP response")?;
        let routez: serde_json::Value = serde_json::from_str(body)?;
        routez["num_routes"].as_u64().context("num_routes in /routez")
    }

    /// Waits until the cluster's servers have logged `refusal` for a route from this rogue.
    async fn refused(&self, deployment: &Deployment, refusal: &str) -> anyhow::Result<()> {
        let from = format!("{}:", self.ip);
        let about = || -> anyhow::Result<Vec<String>> {
            let logs = deployment.logs_of(&["nats-1", "nats-2", "nats-3"])?;
            Ok(logs.lines().filter(|line| line.contains(&from)).map(str::to_owned).collect())
        };
        let waited =
            eventually(Duration::from_secs(30), &format!("the cluster to refuse {}", self.container), async || {
                Ok(about()?.iter().any(|line| line.contains(refusal)).then_some(()))
            })
            .await;
        waited.map_err(|e| anyhow::anyhow!("{e}; the cluster logged about it: {:#?}", about().unwrap_or_default()))
    }
}

impl Drop for Rogue {
    fn drop(&mut self) {
        let _ = tests::compose::docker(&["rm", "--force", "--volumes", &self.container]);
    }
}

/// A certificate naming the cluster's servers, issued in the name of the authority of `ca` (PEM) by
/// a key that is not the authority's.
fn forged_server_certificate(ca: &str) -> anyhow::Result<identity::certs::Pem> {
    let issuer = rcgen::Issuer::from_ca_cert_pem(ca, rcgen::KeyPair::generate()?)?;
    let mut params = rcgen::CertificateParams::new(vec!["nats-1".to_string()])?;
    params.distinguished_name.push(rcgen::DnType::CommonName, identity::certs::NATS_SERVER);
    params.extended_key_usages =
        vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth, rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let key = rcgen::KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(identity::certs::Pem { cert: cert.pem(), key: key.serialize_pem() })
}

/// What a client that does not speak TLS gets from a deployment's server: its greeting says TLS is
/// required, and a plain CONNECT and PING are answered by the connection closing, no PONG.
async fn plain_client_is_refused(address: &str) -> anyhow::Result<()> {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
    let stream = tokio::net::TcpStream::connect(address).await?;
    let mut stream = tokio::io::BufReader::new(stream);
    let mut info = String::new();
    stream.read_line(&mut info).await?;
    anyhow::ensure!(info.starts_with("INFO ") && info.contains(r#""tls_required":true"#), "the greeting: {info}");
    stream.get_mut().write_all(b"CONNECT {\"verbose\":false,\"name\":\"plain\"}\r\nPING\r\n").await?;
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await??;
    let rest = String::from_utf8_lossy(&rest);
    anyhow::ensure!(!rest.contains("PONG"), "a plain client was answered: {rest}");
    Ok(())
}

/// The certificate a NATS server at `address` presents (DER), verified against `ca` for
/// `localhost`: the greeting is plain, then TLS.
async fn presented_certificate(address: &str, ca: &str) -> anyhow::Result<Vec<u8>> {
    use tokio::io::AsyncBufReadExt as _;
    let stream = tokio::net::TcpStream::connect(address).await?;
    let mut reader = tokio::io::BufReader::new(stream);
    let mut info = String::new();
    reader.read_line(&mut info).await?;
    let tls = tls_connector(ca)?.connect(localhost()?, reader.into_inner()).await?;
    let (_, session) = tls.get_ref();
    let chain = session.peer_certificates().context("the server presented no certificate")?;
    Ok(chain.first().context("an empty chain")?.to_vec())
}

/// The first certificate of a PEM text, DER.
fn pem_der(pem: &str) -> anyhow::Result<Vec<u8>> {
    use tokio_rustls::rustls::pki_types::CertificateDer;
    use tokio_rustls::rustls::pki_types::pem::PemObject as _;
    Ok(CertificateDer::from_pem_slice(pem.as_bytes())?.to_vec())
}

/// A TLS client that trusts `ca` (PEM) alone.
fn tls_connector(ca: &str) -> anyhow::Result<tokio_rustls::TlsConnector> {
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.add(tokio_rustls::rustls::pki_types::CertificateDer::from(pem_der(ca)?))?;
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)))
}

fn localhost() -> anyhow::Result<tokio_rustls::rustls::pki_types::ServerName<'static>> {
    Ok(tokio_rustls::rustls::pki_types::ServerName::try_from("localhost")?)
}

/// The console's answer over HTTPS, its certificate verified against `ca` (PEM) for `localhost`.
async fn console_over_tls(address: &str, ca: &str) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let stream = tokio::net::TcpStream::connect(address).await?;
    let mut stream = tls_connector(ca)?.connect(localhost()?, stream).await?;
    stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await?;
    let mut bytes = Vec::new();
    // The server may close without a TLS close_notify once the response is sent.
    let _ = stream.read_to_end(&mut bytes).await;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_clusters_own_servers_route_and_only_tls_clients_of_its_authority_connect() -> anyhow::Result<()> {
    let (deployment, admin) = deployed("transport").await?;
    let identities = deployment.identities();
    let read = |name: &str| std::fs::read_to_string(identities.join(name)).with_context(|| name.to_owned());
    let ca = read("ca.pem")?;
    // The servers' own name under an authority of the attacker's making.
    let foreign = identity::certs::generate(&[])?;
    let (by_cert, by_key) = (read("BY.pem")?, read("BY.key")?);
    let forged = forged_server_certificate(&ca)?;
    let rogues = [
        (
            Rogue::start(&deployment, "plain", None).await?,
            "TLS route handshake error: tls: first record does not look like a TLS handshake",
        ),
        (
            Rogue::start(
                &deployment,
                "foreign",
                Some(RouteTls { cert: &foreign.nats.cert, key: &foreign.nats.key, ca: &ca }),
            )
            .await?,
            // The server asks for a certificate of its authority; the rogue has none to give.
            "TLS route handshake error: tls: client didn't provide a certificate",
        ),
        // The servers' name, issued in the authority's name (copied from ca.pem) by a key not its own.
        (
            Rogue::start(&deployment, "forged", Some(RouteTls { cert: &forged.cert, key: &forged.key, ca: &ca }))
                .await?,
            "TLS route handshake error: tls: failed to verify certificate: x509: certificate signed by unknown authority",
        ),
        // A national node's certificate is the exercise authority's, but not a server's.
        (
            Rogue::start(&deployment, "insider", Some(RouteTls { cert: &by_cert, key: &by_key, ca: &ca })).await?,
            "authentication error",
        ),
    ];
    for (rogue, refusal) in &rogues {
        rogue.refused(&deployment, refusal).await?;
    }

    let nats_1 = deployment.port("nats-1", 4222)?;
    plain_client_is_refused(&nats_1).await?;
    let elsewhere = tempfile::NamedTempFile::new()?;
    std::fs::write(elsewhere.path(), &foreign.ca)?;
    let director = identity::Keyring::open(&identities)?.credentials("director")?;
    let trusting_another = bus::ConnectSettings::new(format!("tls://{nats_1}"), "muster-chaos-elsewhere")
        .with_credentials(Some(director))
        .with_authority(Some(elsewhere.path().to_owned()));
    let refused = match Bus::connect(&trusting_another).await {
        Ok(_) => anyhow::bail!("a client trusting another authority connected"),
        Err(e) => format!("{:?}", anyhow::Error::from(e)),
    };
    assert!(
        refused.contains("invalid peer certificate: UnknownIssuer"),
        "the client refused the server's certificate: {refused}"
    );

    let console = deployment.port("console", 7480)?;
    let page = console_over_tls(&console, &ca).await?;
    assert!(page.starts_with("HTTP/1.1 "), "the console over HTTPS: {page}");

    let log = concluded(&deployment, &admin, "transport-baseline").await?;
    for (rogue, _) in &rogues {
        assert_eq!(rogue.routes().await?, 0, "{} holds no route", rogue.container);
        assert_eq!(rogue.received(), 0, "{} received nothing of the exercise", rogue.container);
    }

    // The same probe, given the servers' own certificate (which only a server holds), joins and
    // receives the cluster's traffic: what the refused ones would have had.
    let (nats_cert, nats_key) = (read("nats.pem")?, read("nats.key")?);
    let server =
        Rogue::start(&deployment, "server", Some(RouteTls { cert: &nats_cert, key: &nats_key, ca: &ca })).await?;
    eventually(Duration::from_secs(30), "a server of the cluster's own to receive its traffic", async || {
        deployment.log(&admin).await?;
        Ok((server.routes().await? > 0 && server.received() > 0).then_some(()))
    })
    .await?;
    let joined = server.received();
    drop(server);

    // Renewal: new certificates under the same authority, reloaded by the servers without a restart;
    // the record reads the same through them.
    let renewed = std::process::Command::new(tests::binary("muster")?)
        .args(["identities", "--renew", "--exercise", deployment.exercise.as_str(), "--scenario"])
        .arg(deployment.scenario_file())
        .arg("--out")
        .arg(&identities)
        .arg("--authority")
        .arg(deployment.authority_folder())
        .output()?;
    anyhow::ensure!(
        renewed.status.success(),
        "muster identities --renew: {}",
        String::from_utf8_lossy(&renewed.stderr)
    );
    let new_cert = read("nats.pem")?;
    assert_ne!(new_cert, nats_cert, "a new certificate for the servers");
    assert_eq!(read("ca.pem")?, ca, "the same authority");
    deployment.compose(&["kill", "-s", "HUP", "nats-1", "nats-2", "nats-3"])?;
    for node in ["nats-1", "nats-2", "nats-3"] {
        let address = deployment.port(node, 4222)?;
        eventually(Duration::from_secs(20), &format!("{node} to present the renewed certificate"), async || {
            Ok((presented_certificate(&address, &ca).await? == pem_der(&new_cert)?).then_some(()))
        })
        .await?;
    }
    let reader = deployment.bus("director").await?;
    assert_eq!(
        deployment.record(&deployment.log(&reader).await?)?,
        deployment.record(&log)?,
        "the record after renewal"
    );
    println!(
        "transport: four rogue servers refused (plain, another authority, a forged certificate in the authority's name, a national node's certificate); a plain client and one trusting another authority refused; a server with the cluster's certificate joined and received {} messages",
        joined
    );
    Ok(())
}
