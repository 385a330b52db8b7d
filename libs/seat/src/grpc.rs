//! The link of a seat outside the headquarters: the gateway's `NationalNodeService` over gRPC with
//! mutual TLS. The event stream reconnects with backoff and resumes from the next sequence it
//! needs; submissions map the gateway's status codes to [`SubmitError`]'s two kinds.

use std::time::Duration;

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use proto::status::{QUOTA_KEY, REASON_KEY, REJECTION_KEY};
use proto::v1::{self as wire, RejectionCode, national_node_service_client::NationalNodeServiceClient};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Status};

use crate::link::{Event, Link, SubmitError, Verdict};

/// The node's TLS material, PEM.
#[derive(Debug, Clone)]
pub struct ClientTls {
    /// The CA that signed the gateway's certificate.
    pub ca: String,
    /// The node's certificate (common name = its node id).
    pub cert: String,
    /// Its private key.
    pub key: String,
    /// The name the gateway's certificate is for.
    pub domain: String,
}

const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How often an idle link is pinged, and how long a ping may go unanswered.
const KEEP_ALIVE: Duration = Duration::from_secs(2);

/// A link through the gateway.
#[derive(Debug, Clone)]
pub struct GrpcLink {
    channel: Channel,
    exercise: ExerciseId,
}

impl GrpcLink {
    /// A link to the gateway at `endpoint` (e.g. `https://127.0.0.1:7443`); connects on first use
    /// and again after any failure.
    pub fn new(endpoint: &str, tls: &ClientTls, exercise: ExerciseId) -> Result<GrpcLink, tonic::transport::Error> {
        let endpoint = Endpoint::from_shared(endpoint.to_owned())?
            .tls_config(
                ClientTlsConfig::new()
                    .ca_certificate(Certificate::from_pem(&tls.ca))
                    .identity(Identity::from_pem(&tls.cert, &tls.key))
                    .domain_name(tls.domain.clone()),
            )?
            .connect_timeout(Duration::from_secs(2))
            // A link cut by the network sends no reset: HTTP/2 pings notice a dead connection
            // within seconds, so the node reconnects as soon as the network is back.
            .http2_keep_alive_interval(KEEP_ALIVE)
            .keep_alive_timeout(KEEP_ALIVE)
            .keep_alive_while_idle(true);
        Ok(GrpcLink { channel: endpoint.connect_lazy(), exercise })
    }
}

impl Link for GrpcLink {
    fn events(&self, from: u64) -> BoxStream<'static, Event> {
        let (tx, rx) = mpsc::channel(256);
        let (channel, exercise) = (self.channel.clone(), self.exercise.clone());
        tokio::spawn(async move {
            let mut next = from.max(1);
            let mut backoff = Duration::from_millis(50);
            loop {
                match stream(&channel, &exercise, &mut next, &tx).await {
                    Ok(()) => return, // the seat went away
                    Err(status) => tracing::warn!(%exercise, next, code = ?status.code(), error = %status.message(),
                        "link to the gateway lost; reconnecting"),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                if tx.is_closed() {
                    return;
                }
            }
        });
        ReceiverStream::new(rx).boxed()
    }

    fn submit(&self, envelope: Envelope) -> BoxFuture<'static, Result<Verdict, SubmitError>> {
        let client = NationalNodeServiceClient::new(self.channel.clone());
        Box::pin(submit(client, envelope))
    }

    fn present(&self, presence: wire::Presence) -> BoxFuture<'static, ()> {
        let mut client = NationalNodeServiceClient::new(self.channel.clone());
        let exercise = self.exercise.clone();
        Box::pin(async move {
            let request = wire::ReportPresenceRequest { exercise_id: exercise.to_string(), presence: Some(presence) };
            if let Err(status) = client.report_presence(request).await {
                tracing::debug!(%exercise, code = ?status.code(), error = %status.message(), "presence not said");
            }
        })
    }
}

/// One session of the event stream: from `next` until the link fails (`Err`) or the seat drops
/// the receiver (`Ok`).
async fn stream(
    channel: &Channel,
    exercise: &ExerciseId,
    next: &mut u64,
    tx: &mpsc::Sender<Event>,
) -> Result<(), Status> {
    let mut client = NationalNodeServiceClient::new(channel.clone());
    let request = wire::StreamEventsRequest { exercise_id: exercise.to_string(), from_sequence: *next };
    let mut events = client.stream_events(request).await?.into_inner();
    tracing::info!(%exercise, from = *next, "event stream open");
    while let Some(item) = events.message().await? {
        if item.sequence < *next {
            continue;
        }
        *next = item.sequence + 1;
        match item.envelope.map(Envelope::try_from) {
            Some(Ok(envelope)) => {
                if tx.send(Event { sequence: item.sequence, envelope }).await.is_err() {
                    return Ok(());
                }
            }
            Some(Err(e)) => tracing::warn!(%exercise, sequence = item.sequence, error = %e, "unreadable event skipped"),
            None => tracing::warn!(%exercise, sequence = item.sequence, "event without envelope skipped"),
        }
    }
    Err(Status::unavailable("the gateway ended the stream"))
}

async fn submit(mut client: NationalNodeServiceClient<Channel>, envelope: Envelope) -> Result<Verdict, SubmitError> {
    let header = Some(wire::SubmissionHeader {
        exercise_id: envelope.exercise.to_string(),
        message_id: envelope.message_id.to_string(),
        node_id: envelope.sender.node.to_string(),
        causation_id: envelope.causation_id.as_ref().map(ToString::to_string).unwrap_or_default(),
        signature: envelope.signature.clone(),
        language: envelope.language.clone(),
    });
    let receipt = match envelope.payload.clone() {
        Payload::AssemblyReport(report) => client
            .submit_assembly_report(traced(wire::SubmitAssemblyReportRequest { header, report: Some(report) }))
            .await
            .map(|r| r.into_inner().receipt),
        Payload::ControlPointActivation(activation) => client
            .submit_activation(traced(wire::SubmitActivationRequest { header, activation: Some(activation) }))
            .await
            .map(|r| r.into_inner().receipt),
        Payload::SituationAssessment(assessment) => client
            .submit_assessment(traced(wire::SubmitAssessmentRequest { header, assessment: Some(assessment) }))
            .await
            .map(|r| r.into_inner().receipt),
        Payload::Position(position) => client
            .submit_position(traced(wire::SubmitPositionRequest { header, position: Some(position) }))
            .await
            .map(|r| r.into_inner().receipt),
        Payload::ReceiptConfirmed(confirmation) => client
            .submit_receipt(traced(wire::SubmitReceiptRequest { header, confirmation: Some(confirmation) }))
            .await
            .map(|r| r.into_inner().receipt),
        Payload::AcknowledgeInject(acknowledgement) => client
            .submit_acknowledgement(traced(wire::SubmitAcknowledgementRequest {
                header,
                acknowledgement: Some(acknowledgement),
            }))
            .await
            .map(|r| r.into_inner().receipt),
        other => {
            return Err(SubmitError::refused(
                Some(RejectionCode::NotPermitted),
                format!("a national node does not submit {}", bus::envelope::payload_kind(&other)),
            ));
        }
    };
    match receipt {
        Ok(Some(receipt)) if receipt.accepted || receipt.duplicate || !receipt.comms_check_token.is_empty() => {
            // The node's envelope as the coordinator knows it: the receipt must be for it.
            Ok(Verdict::Accepted {
                duplicate: receipt.duplicate,
                comms_token: Some(receipt.comms_check_token).filter(|t| !t.is_empty()),
                receipt: receipt.receipt.and_then(|r| bus::receipt::Receipt::try_from(r).ok()),
            }
            .for_submission(&envelope))
        }
        Ok(_) => Ok(Verdict::Received),
        Err(status) => Err(classify(&status)),
    }
}

/// A request carrying the current trace context in its metadata, for the gateway to join.
fn traced<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    let carrier = bus::trace::current();
    for name in bus::trace::HEADERS {
        if let Some(value) = carrier.get(name).and_then(|v| v.parse().ok()) {
            request.metadata_mut().insert(name, value);
        }
    }
    request
}

/// Which statuses are worth retrying: the link or the bus being down, not a refusal.
fn classify(status: &Status) -> SubmitError {
    match status.code() {
        Code::Unavailable | Code::DeadlineExceeded | Code::Unknown | Code::Cancelled | Code::Aborted => {
            SubmitError::Transient(status.message().to_owned())
        }
        // Its backlog of waiting submissions is full; it drains as the coordinator takes it.
        Code::ResourceExhausted if status.metadata().contains_key(QUOTA_KEY) => {
            SubmitError::Transient(status.message().to_owned())
        }
        _ => {
            let code = status
                .metadata()
                .get(REJECTION_KEY)
                .and_then(|v| v.to_str().ok())
                .and_then(RejectionCode::from_str_name);
            // The coordinator's own words: the code travels beside them.
            let reason = code.map_or(status.message(), |c| proto::status::reason(c, status.message()));
            // Its reason as a message, for the node's people to read in their language.
            let message = status
                .metadata()
                .get_bin(REASON_KEY)
                .and_then(|v| v.to_bytes().ok())
                .and_then(|bytes| <wire::Reason as prost::Message>::decode(bytes.as_ref()).ok())
                .and_then(|r| bus::reason::from_wire(&r));
            SubmitError::Refused { code, reason: reason.to_owned(), message }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_link_or_bus_failure_is_retried() {
        assert!(matches!(classify(&Status::unavailable("down")), SubmitError::Transient(_)));
        let mut stale = Status::failed_precondition(
            "refused by the coordinator (REJECTION_CODE_STALE_VERSION): version 1 of s1-01 is not current",
        );
        stale
            .metadata_mut()
            .insert(REJECTION_KEY, tonic::metadata::MetadataValue::from_static("REJECTION_CODE_STALE_VERSION"));
        assert_eq!(
            classify(&stale),
            SubmitError::refused(Some(RejectionCode::StaleVersion), "version 1 of s1-01 is not current"),
            "the coordinator's words, the code beside them"
        );
        // With its reason as a message, a node's people read it in their language.
        let reason =
            words::Message::new("reason-stale-version").with("version", 1).with("slot", "s1-01").with("current", 2);
        let encoded = prost::Message::encode_to_vec(&bus::reason::to_wire(&reason));
        stale.metadata_mut().insert_bin(REASON_KEY, tonic::metadata::MetadataValue::from_bytes(&encoded));
        let SubmitError::Refused { message: Some(message), .. } = classify(&stale) else { panic!("no message") };
        let ru = words::Lang::parse("ru").expect("Russian");
        assert_eq!(message.say(ru), "редакция 1 проекта s1-01 уже не текущая; текущая — 2");
        assert!(matches!(classify(&Status::resource_exhausted("too large")), SubmitError::Refused { code: None, .. }));
    }
}
