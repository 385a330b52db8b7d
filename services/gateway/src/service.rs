//! The `NationalNodeService`: event streams from a sequence, submissions answered once the bus has
//! them (or with the coordinator's refusal), and queries from the event log.

use std::time::Duration;

use bus::{Bus, Envelope, ExerciseId, SubmitError, Submitter, Verdict};
use futures::StreamExt;
use proto::v1 as wire;
use tonic::{Request, Response, Status};

use crate::frame::Frame;
use crate::hub::Hub;
use crate::rpc::national_node_service_server::NationalNodeService;
use crate::{identity, request, status, view};

/// The service over one bus connection; it keeps no exercise state of its own.
#[derive(Debug, Clone)]
pub struct NationalNode {
    bus: Bus,
    hub: std::sync::Arc<Hub>,
    reply_timeout: Duration,
    trust: Option<String>,
}

/// The trace context a node's request came with.
fn traced<T>(request: &Request<T>) -> bus::trace::Carrier {
    bus::trace::HEADERS
        .iter()
        .filter_map(|name| Some((name.to_string(), request.metadata().get(*name)?.to_str().ok()?.to_owned())))
        .collect()
}

impl NationalNode {
    /// A service that waits up to `reply_timeout` for the coordinator's answer to a submission.
    pub fn new(bus: Bus, reply_timeout: Duration, trust: Option<String>) -> Self {
        NationalNode { hub: std::sync::Arc::new(Hub::new(bus.clone(), trust.clone())), bus, reply_timeout, trust }
    }

    /// Submits to the bus and waits for the coordinator's answer; if none comes in time the
    /// submission is still safe on the bus and the node gets its receipt.
    /// Submits in a span of the node's trace, so that the coordinator and the readers join it.
    async fn submit(&self, envelope: Envelope, trace: bus::trace::Carrier) -> Result<wire::SubmissionReceipt, Status> {
        use tracing::Instrument as _;
        let span = tracing::info_span!("gateway submit", exercise = %envelope.exercise, message_id = %envelope.message_id,
            node = %envelope.sender.node, kind = envelope.kind());
        bus::trace::follow(&span, &trace);
        self.submit_traced(envelope).instrument(span).await
    }

    async fn submit_traced(&self, envelope: Envelope) -> Result<wire::SubmissionReceipt, Status> {
        view::require_exercise(&self.bus, &envelope.exercise).await?;
        // Refused here, at once, rather than left to time out on a subject the gateway may not
        // publish to: only the exercise's national nodes submit through it, observers nothing.
        if envelope.sender.role == bus::Role::Observer {
            return Err(Status::permission_denied("observers submit nothing"));
        }
        self.hub.authorize(&envelope.exercise, &envelope.sender).await?;
        let submitter =
            Submitter::for_seat(&self.bus, &envelope.exercise, &envelope.sender).await.map_err(|e| status::bus(&e))?;
        let pending = submitter.send(&envelope).await.map_err(|e| status::bus(&e))?;
        tracing::info!(exercise = %envelope.exercise, message_id = %envelope.message_id, node = %envelope.sender.node,
            kind = envelope.kind(), "submission from a national node on the bus");
        // Safe on the bus; the coordinator's answer, if it comes in time.
        let on_the_bus = wire::SubmissionReceipt { message_id: envelope.message_id.to_string(), ..Default::default() };
        match pending.verdict(self.reply_timeout).await {
            Ok(Verdict::Accepted { duplicate, comms_token, receipt }) => Ok(wire::SubmissionReceipt {
                duplicate,
                comms_check_token: comms_token.unwrap_or_default(),
                accepted: true,
                receipt: receipt.as_ref().map(wire::Receipt::from),
                ..on_the_bus
            }),
            Ok(Verdict::Received) => Ok(on_the_bus),
            Err(SubmitError::Refused { code, reason, message }) => {
                Err(status::rejection(code.unwrap_or(wire::RejectionCode::Unspecified), &reason, message.as_ref()))
            }
            Err(SubmitError::Transient(reason)) => Err(Status::unavailable(reason)),
        }
    }

    async fn readable_view(&self, caller: &bus::Sender, exercise: &ExerciseId) -> Result<view::View, Status> {
        view::require_exercise(&self.bus, exercise).await?;
        // Membership first: a caller outside the exercise gets nothing of its log read for it.
        self.hub.authorize(exercise, caller).await?;
        view::load(&self.bus, exercise, self.trust.as_deref()).await
    }
}

type EventStream = futures::stream::BoxStream<'static, Result<Frame, Status>>;

#[tonic::async_trait]
impl NationalNodeService for NationalNode {
    type StreamEventsStream = EventStream;

    async fn stream_events(
        &self,
        request: Request<wire::StreamEventsRequest>,
    ) -> Result<Response<EventStream>, Status> {
        let caller = identity::caller(&request)?;
        let r = request.into_inner();
        let exercise = request::exercise(r.exercise_id, "exercise_id")?;
        view::require_exercise(&self.bus, &exercise).await?;
        self.hub.authorize(&exercise, &caller).await?;
        let from = r.from_sequence.max(1);
        let events = self.hub.stream(&exercise, from)?;
        tracing::info!(%exercise, node = %caller.node, from, "event stream opened");
        Ok(Response::new(events.map(Ok).boxed()))
    }

    async fn submit_assembly_report(
        &self,
        request: Request<wire::SubmitAssemblyReportRequest>,
    ) -> Result<Response<wire::SubmitAssemblyReportResponse>, Status> {
        let caller = identity::caller(&request)?;
        let trace = traced(&request);
        let receipt = self.submit(request::assembly_report(request.into_inner(), &caller)?, trace).await?;
        Ok(Response::new(wire::SubmitAssemblyReportResponse { receipt: Some(receipt) }))
    }

    async fn submit_activation(
        &self,
        request: Request<wire::SubmitActivationRequest>,
    ) -> Result<Response<wire::SubmitActivationResponse>, Status> {
        let caller = identity::caller(&request)?;
        let trace = traced(&request);
        let receipt = self.submit(request::activation(request.into_inner(), &caller)?, trace).await?;
        Ok(Response::new(wire::SubmitActivationResponse { receipt: Some(receipt) }))
    }

    async fn submit_assessment(
        &self,
        request: Request<wire::SubmitAssessmentRequest>,
    ) -> Result<Response<wire::SubmitAssessmentResponse>, Status> {
        let caller = identity::caller(&request)?;
        let trace = traced(&request);
        let receipt = self.submit(request::assessment(request.into_inner(), &caller)?, trace).await?;
        Ok(Response::new(wire::SubmitAssessmentResponse { receipt: Some(receipt) }))
    }

    async fn submit_position(
        &self,
        request: Request<wire::SubmitPositionRequest>,
    ) -> Result<Response<wire::SubmitPositionResponse>, Status> {
        let caller = identity::caller(&request)?;
        let trace = traced(&request);
        let receipt = self.submit(request::position(request.into_inner(), &caller)?, trace).await?;
        Ok(Response::new(wire::SubmitPositionResponse { receipt: Some(receipt) }))
    }

    async fn submit_receipt(
        &self,
        request: Request<wire::SubmitReceiptRequest>,
    ) -> Result<Response<wire::SubmitReceiptResponse>, Status> {
        let caller = identity::caller(&request)?;
        let trace = traced(&request);
        let receipt = self.submit(request::receipt(request.into_inner(), &caller)?, trace).await?;
        Ok(Response::new(wire::SubmitReceiptResponse { receipt: Some(receipt) }))
    }

    async fn submit_acknowledgement(
        &self,
        request: Request<wire::SubmitAcknowledgementRequest>,
    ) -> Result<Response<wire::SubmitAcknowledgementResponse>, Status> {
        let caller = identity::caller(&request)?;
        let trace = traced(&request);
        let receipt = self.submit(request::acknowledgement(request.into_inner(), &caller)?, trace).await?;
        Ok(Response::new(wire::SubmitAcknowledgementResponse { receipt: Some(receipt) }))
    }

    async fn get_exercise_status(
        &self,
        request: Request<wire::GetExerciseStatusRequest>,
    ) -> Result<Response<wire::GetExerciseStatusResponse>, Status> {
        let caller = identity::caller(&request)?;
        let exercise = request::exercise(request.into_inner().exercise_id, "exercise_id")?;
        let view = self.readable_view(&caller, &exercise).await?;
        Ok(Response::new(view::status(&view)))
    }

    async fn get_draft(
        &self,
        request: Request<wire::GetDraftRequest>,
    ) -> Result<Response<wire::GetDraftResponse>, Status> {
        let caller = identity::caller(&request)?;
        let r = request.into_inner();
        let exercise = request::exercise(r.exercise_id, "exercise_id")?;
        if r.slot_id.trim().is_empty() {
            return Err(status::invalid("slot_id", "is empty"));
        }
        let view = self.readable_view(&caller, &exercise).await?;
        Ok(Response::new(view::draft(&view, &r.slot_id)?))
    }

    async fn report_presence(
        &self,
        request: Request<wire::ReportPresenceRequest>,
    ) -> Result<Response<wire::ReportPresenceResponse>, Status> {
        let caller = identity::caller(&request)?;
        let r = request.into_inner();
        let exercise = request::exercise(r.exercise_id, "exercise_id")?;
        let presence = r.presence.ok_or_else(|| status::invalid("presence", "is missing"))?;
        // Before the start there is no list of members to check the caller against: the server's
        // permissions are the check (the gateway may say presence only for the exercise's remote
        // seats), and the caller's certificate says which seat it is.
        view::require_exercise(&self.bus, &exercise).await?;
        bus::presence::announce(&self.bus, &exercise, &caller, &presence).await.map_err(|e| status::bus(&e))?;
        Ok(Response::new(wire::ReportPresenceResponse {}))
    }

    async fn get_package(
        &self,
        request: Request<wire::GetPackageRequest>,
    ) -> Result<Response<wire::GetPackageResponse>, Status> {
        let caller = identity::caller(&request)?;
        let exercise = request::exercise(request.into_inner().exercise_id, "exercise_id")?;
        let view = self.readable_view(&caller, &exercise).await?;
        Ok(Response::new(view::package(&view)?))
    }
}
