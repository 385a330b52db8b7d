//! The gRPC side of a national node.

use std::future::Future;
use std::time::Duration;

use agent::policy::{self, Memory};
use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, NodeId, Sender};
use proto::v1::{self as wire, national_node_service_client::NationalNodeServiceClient};
use scenario::Scenario;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Status};

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

/// Who to play, where.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The gateway, e.g. `https://127.0.0.1:7443`.
    pub endpoint: String,
    /// TLS material.
    pub tls: ClientTls,
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its scenario.
    pub scenario: Scenario,
    /// The node to play.
    pub node: NodeId,
    /// Exercise seconds per wall second.
    pub time_scale: f64,
    /// Receives the sequence of every event processed, in order (for tests and monitoring).
    pub processed: Option<UnboundedSender<u64>>,
}

/// Why the node stopped early.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The node is not in the scenario.
    #[error("node `{0}` is not a participant of the scenario")]
    NotAParticipant(NodeId),
    /// The endpoint is not a valid URI.
    #[error("gateway endpoint: {0}")]
    Endpoint(#[from] tonic::transport::Error),
}

const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Takes part until the exercise concludes or `shutdown` resolves.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), NodeError> {
    let me = settings
        .scenario
        .participant(&settings.node)
        .cloned()
        .ok_or_else(|| NodeError::NotAParticipant(settings.node.clone()))?;
    let sender = Sender::new(me.role, me.node.clone());
    let endpoint = Endpoint::from_shared(settings.endpoint.clone())?
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&settings.tls.ca))
                .identity(Identity::from_pem(&settings.tls.cert, &settings.tls.key))
                .domain_name(settings.tls.domain.clone()),
        )?
        .connect_timeout(Duration::from_secs(2));
    let delay = me.policy.answer_delay.div_f64(settings.time_scale.max(f64::MIN_POSITIVE));
    let mut memory = Memory::default();
    let mut next = 1u64;
    let mut backoff = Duration::from_millis(50);
    let mut submissions = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let session = follow(&endpoint, &settings, &me, &sender, &mut memory, &mut next, delay, &mut submissions);
        tokio::select! {
            () = &mut shutdown => break,
            ended = session => match ended {
                Ok(Concluded) => break,
                Err(status) => {
                    tracing::warn!(exercise = %settings.exercise, node = %me.node, next, code = ?status.code(), error = %status.message(),
                        "link to the gateway lost; reconnecting");
                }
            },
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(backoff) => backoff = (backoff * 2).min(MAX_BACKOFF),
        }
    }
    submissions.shutdown().await;
    Ok(())
}

struct Concluded;

/// One connection: stream from `next`, react to each event; returns when the exercise concluded
/// or the link failed.
#[allow(clippy::too_many_arguments)]
async fn follow(
    endpoint: &Endpoint,
    settings: &Settings,
    me: &scenario::Participant,
    sender: &Sender,
    memory: &mut Memory,
    next: &mut u64,
    delay: Duration,
    submissions: &mut JoinSet<()>,
) -> Result<Concluded, Status> {
    let channel = endpoint.connect().await.map_err(|e| Status::unavailable(e.to_string()))?;
    let mut client = NationalNodeServiceClient::new(channel.clone());
    let request = wire::StreamEventsRequest { exercise_id: settings.exercise.to_string(), from_sequence: *next };
    let mut stream = client.stream_events(request).await?.into_inner();
    tracing::info!(exercise = %settings.exercise, node = %me.node, from = *next, "event stream open");
    while let Some(item) = stream.message().await? {
        if item.sequence < *next {
            continue;
        }
        *next = item.sequence + 1;
        if let Some(processed) = &settings.processed {
            let _ = processed.send(item.sequence);
        }
        let Some(event) = item.envelope.and_then(|e| Envelope::try_from(e).ok()) else { continue };
        if matches!(event.payload, Payload::ExerciseConcluded(_)) {
            tracing::info!(exercise = %settings.exercise, node = %me.node, "exercise concluded");
            return Ok(Concluded);
        }
        for action in policy::react(&settings.scenario, me, memory, &event) {
            let header = wire::SubmissionHeader {
                exercise_id: settings.exercise.to_string(),
                message_id: action.message_id.to_string(),
                node_id: sender.node.to_string(),
            };
            submissions.spawn(submit(channel.clone(), header, action.payload, delay));
        }
        while submissions.try_join_next().is_some() {}
    }
    Err(Status::unavailable("the gateway ended the stream"))
}

/// Submits after `delay`, retrying with the same message id while the link or the bus is down;
/// a refusal is logged and not retried.
async fn submit(channel: Channel, header: wire::SubmissionHeader, payload: Payload, delay: Duration) {
    tokio::time::sleep(delay).await;
    let mut client = NationalNodeServiceClient::new(channel);
    let mut backoff = Duration::from_millis(50);
    loop {
        let result = match payload.clone() {
            Payload::AssemblyReport(report) => client
                .submit_assembly_report(wire::SubmitAssemblyReportRequest {
                    header: Some(header.clone()),
                    report: Some(report),
                })
                .await
                .map(drop),
            Payload::ControlPointActivation(activation) => client
                .submit_activation(wire::SubmitActivationRequest {
                    header: Some(header.clone()),
                    activation: Some(activation),
                })
                .await
                .map(drop),
            Payload::SituationAssessment(assessment) => client
                .submit_assessment(wire::SubmitAssessmentRequest {
                    header: Some(header.clone()),
                    assessment: Some(assessment),
                })
                .await
                .map(drop),
            Payload::Position(position) => client
                .submit_position(wire::SubmitPositionRequest { header: Some(header.clone()), position: Some(position) })
                .await
                .map(drop),
            Payload::ReceiptConfirmed(confirmation) => client
                .submit_receipt(wire::SubmitReceiptRequest {
                    header: Some(header.clone()),
                    confirmation: Some(confirmation),
                })
                .await
                .map(drop),
            other => {
                tracing::warn!(kind = bus::envelope::payload_kind(&other), "a national node does not submit this");
                return;
            }
        };
        match result {
            Ok(()) => return,
            Err(status)
                if matches!(
                    status.code(),
                    Code::Unavailable | Code::DeadlineExceeded | Code::Unknown | Code::Cancelled
                ) =>
            {
                tracing::debug!(message_id = %header.message_id, error = %status.message(), "submission not through; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Err(status) => {
                tracing::warn!(exercise = %header.exercise_id, message_id = %header.message_id, code = ?status.code(),
                    reason = %status.message(), "submission refused");
                return;
            }
        }
    }
}
