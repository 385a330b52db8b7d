//! W3C trace context across process boundaries: a submission's spans link the national node, the
//! gateway, the coordinator and every reader of the events it led to. The context travels as the
//! standard `traceparent` / `tracestate` headers — in NATS message headers here, in gRPC metadata
//! at the gateway. Without an OTLP endpoint (see [`crate::telemetry`]) nothing is recorded and
//! nothing travels.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The headers that carry trace context.
pub const HEADERS: [&str; 2] = ["traceparent", "tracestate"];

/// A trace context as the W3C headers carry it; empty when there is none.
pub type Carrier = HashMap<String, String>;

/// The current span's trace context, to send along; empty when no trace is being recorded.
pub fn current() -> Carrier {
    let mut carrier = Carrier::new();
    let context = tracing::Span::current().context();
    if opentelemetry::trace::TraceContextExt::has_active_span(&context) {
        TraceContextPropagator::new().inject_context(&context, &mut carrier);
    }
    carrier
}

/// Makes `span` part of the trace `carrier` came with; nothing when it came with none.
pub fn follow(span: &tracing::Span, carrier: &Carrier) {
    if carrier.is_empty() {
        return;
    }
    // Only fails when no trace is being recorded in this process: then there is nothing to link.
    let _ = span.set_parent(TraceContextPropagator::new().extract(carrier));
}

/// The trace context in a NATS message's headers.
pub fn from_headers(headers: Option<&async_nats::HeaderMap>) -> Carrier {
    let Some(headers) = headers else { return Carrier::new() };
    HEADERS.iter().filter_map(|name| Some((name.to_string(), headers.get(*name)?.as_str().to_owned()))).collect()
}
