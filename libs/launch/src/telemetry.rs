//! Process set-up shared by every binary. Logging, once per binary: `RUST_LOG` sets the level,
//! `MUSTER_LOG_FORMAT=json` switches to one JSON object per line. Traces: with the standard
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, spans go to that
//! OTLP/gRPC endpoint, batched (`OTEL_BSP_SCHEDULE_DELAY`, 5 s by default), under the binary's
//! name unless `OTEL_SERVICE_NAME` says otherwise; `bus::trace` carries their context across
//! processes.

use std::sync::OnceLock;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer};

/// The trace exporter, kept to flush it when the process stops.
static TRACES: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the global subscriber, writing to standard error, at `default_level` unless `RUST_LOG`
/// says otherwise, and exporting spans when an OTLP endpoint is set. Calling it twice is harmless.
/// Call it inside the Tokio runtime: the exporter's gRPC client lives there.
pub fn init(default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    // Colour only for a person at a terminal: log files and CI output stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(ansi);
    let logs = match std::env::var("MUSTER_LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().boxed(),
        _ => logs.boxed(),
    };
    let _already_set = tracing_subscriber::registry().with(logs.with_filter(filter)).with(traces()).try_init();
}

/// The layer exporting spans over OTLP, when an endpoint is set.
fn traces<S>() -> Option<impl Layer<S>>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    let endpoint = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !endpoint || TRACES.get().is_some() {
        return None;
    }
    let exporter = match opentelemetry_otlp::SpanExporter::builder().with_tonic().build() {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("traces are not exported: the OTLP exporter cannot be built: {e}");
            return None;
        }
    };
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name(binary_name());
    }
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource.build()).build();
    let tracer = provider.tracer("muster");
    let _ = TRACES.set(provider);
    Some(tracing_opentelemetry::layer().with_tracer(tracer).with_filter(LevelFilter::INFO))
}

fn binary_name() -> String {
    std::env::args()
        .next()
        .and_then(|arg0| std::path::Path::new(&arg0).file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "muster".into())
}

/// Sends the spans not yet exported; the process is stopping.
pub async fn flush_traces() {
    if let Some(provider) = TRACES.get() {
        let provider = provider.clone();
        // Flushing blocks until the exporter, which runs on this runtime, is done.
        let _ = tokio::task::spawn_blocking(move || provider.force_flush()).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM, so a binary stops cleanly when its parent stops it.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    flush_traces().await;
}
