//! Traces across processes: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, a national node's submission
//! is one trace — the node's span, the gateway's (its child, through gRPC metadata), the
//! coordinator's (through NATS headers) and the readers' of the events it led to — exported over
//! OTLP/gRPC to a collector, here a real OTLP receiver in the test.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use tests::{Nats, Run, free_addr, provision, service, start_seats};

/// A span as the collector received it.
#[derive(Debug, Clone)]
struct Seen {
    service: String,
    name: String,
    trace: Vec<u8>,
    id: Vec<u8>,
    parent: Vec<u8>,
}

/// An OTLP trace receiver keeping every span it is sent.
#[derive(Debug, Clone, Default)]
struct Collector(Arc<Mutex<Vec<Seen>>>);

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for resource in request.into_inner().resource_spans {
            let service = resource
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                .find(|a| a.key == "service.name")
                .and_then(|a| match a.value.as_ref()?.value.as_ref()? {
                    Value::StringValue(name) => Some(name.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for span in resource.scope_spans.into_iter().flat_map(|s| s.spans) {
                seen.push(Seen {
                    service: service.clone(),
                    name: span.name,
                    trace: span.trace_id,
                    id: span.span_id,
                    parent: span.parent_span_id,
                });
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

impl Collector {
    /// A trace in which the node's submission, the gateway's, the coordinator's and a reader's
    /// spans are linked parent to child: the spans of it, node first.
    fn linked_submission(&self) -> Option<[Seen; 4]> {
        let seen = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let find = |service: &str, name: &str, parent: &Seen| {
            seen.iter()
                .find(|s| s.service == service && s.name == name && s.trace == parent.trace && s.parent == parent.id)
        };
        seen.iter().filter(|s| s.service == "national-node" && s.name == "submit").find_map(|node| {
            let gateway = find("gateway", "gateway submit", node)?;
            let coordinator = find("coordinator", "submission", gateway)?;
            let reader = find("observer", "event read", coordinator)?;
            Some([node.clone(), gateway.clone(), coordinator.clone(), reader.clone()])
        })
    }

    fn services(&self) -> BTreeSet<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|s| s.service.clone()).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_national_nodes_submission_is_one_trace_from_the_node_to_the_readers() -> anyhow::Result<()> {
    let collector = Collector::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let server = tonic::transport::Server::builder()
        .add_service(TraceServiceServer::new(collector.clone()))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));
    tokio::spawn(server);

    let run = Run::default_fast("traces")?;
    let nats = Nats::start(&[&run]).await?;
    provision(&nats, &run).await?;
    nats.identities.bundle(&run.scenario)?;
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/cst-2025.toml");
    let ids = nats.identities.dir().display().to_string();
    let nkey = |name: &str| nats.identities.seed_file(name).display().to_string();
    let exercise = ["--exercise", run.exercise.as_str()].map(String::from).to_vec();
    let scenario_arg = vec!["--scenario".to_string(), scenario.display().to_string()];
    let on_bus = |name: &str| vec!["--nats".to_string(), nats.url.clone(), "--nkey".into(), nkey(name)];
    // Spans leave each process every 100 ms instead of every 5 s.
    let otel = |_: &str| [("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.clone()), ("OTEL_BSP_SCHEDULE_DELAY", "100".into())];
    let grpc = free_addr()?;
    let gateway_args = [on_bus("gateway"), vec!["--certs".into(), ids.clone(), "--listen".into(), grpc.to_string()]];
    let _gateway = service("gateway", &gateway_args.concat(), &otel("gateway"))?;
    let out = format!("{ids}/out");
    let observer_args = [on_bus("observer"), exercise.clone(), vec!["--out".into(), out]];
    let _observer = service("observer", &observer_args.concat(), &otel("observer"))?;
    let lease = vec!["--lease-ttl-ms".to_string(), tests::LEASE_TTL.as_millis().to_string(), "--fast".into()];
    let coordinator_args = [on_bus("coordinator"), exercise.clone(), scenario_arg.clone(), lease];
    let _coordinator = service("coordinator", &coordinator_args.concat(), &otel("coordinator"))?;
    let running = start_seats(&nats, &run, |p| p.node.as_str() != "KG")?;
    let node = format!("https://127.0.0.1:{}", grpc.port());
    let kg_args =
        [vec!["--gateway".into(), node, "--certs".into(), ids, "--node".into(), "KG".into()], exercise, scenario_arg];
    let _kg = service("national-node", &kg_args.concat(), &otel("national-node"))?;

    let linked = tests::eventually(Duration::from_secs(60), "a submission traced from KG to a reader", async || {
        Ok(collector.linked_submission())
    })
    .await;
    let Ok([node, gateway, coordinator, reader]) = linked else {
        anyhow::bail!("no linked trace; spans came from {:?}", collector.services());
    };
    println!(
        "trace {}: {} ({}) -> {} ({}) -> {} ({}) -> {} ({})",
        hex(&node.trace),
        node.name,
        node.service,
        gateway.name,
        gateway.service,
        coordinator.name,
        coordinator.service,
        reader.name,
        reader.service
    );
    running.stop().await;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
