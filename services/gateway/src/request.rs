//! Requests from national nodes, validated at the edge into domain envelopes: nothing reaches the
//! bus unvalidated. Errors name the field (`INVALID_ARGUMENT`) or the identity (`PERMISSION_DENIED`).

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, MessageId, NodeId, Sender};
use proto::v1::{self as wire, PositionKind};
use tonic::Status;

use crate::status::invalid;

/// The exercise a request names.
pub fn exercise(id: String, field: &str) -> Result<ExerciseId, Status> {
    ExerciseId::new(id).map_err(|e| invalid(field, e))
}

/// A submission's header, checked against the caller: the envelope to fill with its payload.
struct Header(Envelope);

impl Header {
    fn check(header: Option<wire::SubmissionHeader>, caller: &Sender) -> Result<Header, Status> {
        let header = header.ok_or_else(|| invalid("header", "is missing"))?;
        let exercise = exercise(header.exercise_id, "header.exercise_id")?;
        let message_id = MessageId::new(header.message_id).map_err(|e| invalid("header.message_id", e))?;
        let node = NodeId::new(header.node_id).map_err(|e| invalid("header.node_id", e))?;
        if node != caller.node {
            return Err(Status::permission_denied(format!(
                "the certificate of {} may not act for {node}",
                caller.node
            )));
        }
        // The payload is set once validated; until then the envelope carries a placeholder.
        let mut envelope =
            Envelope::new(exercise, caller.clone(), Payload::AssemblyReport(wire::AssemblyReport::default()));
        envelope.message_id = message_id;
        // The node's own signature: the gateway can forward it, not make it. The language is
        // signed with the payload.
        envelope.signature = header.signature;
        if !header.language.is_empty() && !words::is_tag(&header.language) {
            return Err(invalid("header.language", "is not a language tag (such as ru, en)"));
        }
        envelope.language = header.language;
        if !header.causation_id.is_empty() {
            let cause = MessageId::new(header.causation_id).map_err(|e| invalid("header.causation_id", e))?;
            envelope.correlation_id = Some(cause.clone());
            envelope.causation_id = Some(cause);
        }
        Ok(Header(envelope))
    }

    /// The envelope with `payload`, whose texts are within their limits and act on no display.
    fn with(self, payload: Payload) -> Result<Envelope, Status> {
        bus::text::check_payload(&payload).map_err(|e| Status::invalid_argument(e.to_string()))?;
        Ok(Envelope { payload, ..self.0 })
    }
}

fn required<T>(value: Option<T>, field: &str) -> Result<T, Status> {
    value.ok_or_else(|| invalid(field, "is missing"))
}

fn not_empty(value: &str, field: &str) -> Result<(), Status> {
    if value.trim().is_empty() {
        return Err(invalid(field, "is empty"));
    }
    Ok(())
}

/// An assembly report.
pub fn assembly_report(r: wire::SubmitAssemblyReportRequest, caller: &Sender) -> Result<Envelope, Status> {
    let header = Header::check(r.header, caller)?;
    let report = required(r.report, "report")?;
    header.with(Payload::AssemblyReport(report))
}

/// An activation with its communications check.
pub fn activation(r: wire::SubmitActivationRequest, caller: &Sender) -> Result<Envelope, Status> {
    let header = Header::check(r.header, caller)?;
    let activation = required(r.activation, "activation")?;
    not_empty(&activation.comms_check_token, "activation.comms_check_token")?;
    header.with(Payload::ControlPointActivation(activation))
}

/// A situation assessment.
pub fn assessment(r: wire::SubmitAssessmentRequest, caller: &Sender) -> Result<Envelope, Status> {
    let header = Header::check(r.header, caller)?;
    let assessment = required(r.assessment, "assessment")?;
    if assessment.stage_number == 0 {
        return Err(invalid("assessment.stage_number", "stages are numbered from 1"));
    }
    not_empty(&assessment.summary, "assessment.summary")?;
    header.with(Payload::SituationAssessment(assessment))
}

/// A position on one draft version.
pub fn position(r: wire::SubmitPositionRequest, caller: &Sender) -> Result<Envelope, Status> {
    let header = Header::check(r.header, caller)?;
    let position = required(r.position, "position")?;
    not_empty(&position.slot_id, "position.slot_id")?;
    if position.draft_version == 0 {
        return Err(invalid("position.draft_version", "versions are numbered from 1"));
    }
    match PositionKind::try_from(position.kind) {
        Ok(PositionKind::Unspecified) | Err(_) => {
            return Err(invalid("position.kind", "must be concur, concur with remarks, non-concur or abstain"));
        }
        Ok(PositionKind::NonConcur) if position.reasons.iter().all(|r| r.trim().is_empty()) => {
            return Err(invalid("position.reasons", "a non-concurrence needs its reasons"));
        }
        Ok(_) => {}
    }
    header.with(Payload::Position(position))
}

/// A receipt of the package.
pub fn receipt(r: wire::SubmitReceiptRequest, caller: &Sender) -> Result<Envelope, Status> {
    let header = Header::check(r.header, caller)?;
    let confirmation = required(r.confirmation, "confirmation")?;
    not_empty(&confirmation.package_id, "confirmation.package_id")?;
    not_empty(&confirmation.digest, "confirmation.digest")?;
    header.with(Payload::ReceiptConfirmed(confirmation))
}

/// An acknowledgement of an inject.
pub fn acknowledgement(r: wire::SubmitAcknowledgementRequest, caller: &Sender) -> Result<Envelope, Status> {
    let header = Header::check(r.header, caller)?;
    let acknowledgement = required(r.acknowledgement, "acknowledgement")?;
    not_empty(&acknowledgement.inject_id, "acknowledgement.inject_id")?;
    header.with(Payload::AcknowledgeInject(acknowledgement))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bus::Role;
    use tonic::Code;

    fn by() -> Sender {
        Sender::new(Role::ControlPoint, NodeId::new("BY").expect("valid id"))
    }

    fn header(node: &str) -> Option<wire::SubmissionHeader> {
        Some(wire::SubmissionHeader {
            exercise_id: "ex".into(),
            message_id: "m1".into(),
            node_id: node.into(),
            ..Default::default()
        })
    }

    fn position_request(p: wire::Position, node: &str) -> wire::SubmitPositionRequest {
        wire::SubmitPositionRequest { header: header(node), position: Some(p) }
    }

    fn concur() -> wire::Position {
        wire::Position { slot_id: "s1-01".into(), draft_version: 1, kind: PositionKind::Concur as i32, reasons: vec![] }
    }

    #[test]
    fn a_valid_position_becomes_the_callers_envelope() {
        let e = position(position_request(concur(), "BY"), &by()).expect("valid");
        assert_eq!((e.sender, e.message_id.as_str(), e.exercise.as_str()), (by(), "m1", "ex"));
    }

    #[test]
    fn the_language_a_node_names_is_kept_for_its_signature_and_a_wrong_one_refused() {
        let mut request = position_request(concur(), "BY");
        if let Some(h) = request.header.as_mut() {
            h.language = "ru".into();
        }
        assert_eq!(position(request.clone(), &by()).expect("valid").language, "ru");
        if let Some(h) = request.header.as_mut() {
            h.language = "ru.UTF-8".into();
        }
        let err = position(request, &by()).expect_err("refused");
        assert_eq!(err.code(), Code::InvalidArgument);
        assert!(err.message().starts_with("header.language"), "{}", err.message());
    }

    #[test]
    fn acting_for_another_state_is_denied() {
        let err = position(position_request(concur(), "KZ"), &by()).expect_err("denied");
        assert_eq!(err.code(), Code::PermissionDenied);
        assert!(err.message().contains("may not act for KZ"), "{}", err.message());
    }

    #[test]
    fn text_that_acts_on_a_display_or_runs_too_long_is_refused_at_the_edge() {
        let hostile = wire::Position { reasons: vec!["\u{1b}[2Jcleared".into()], ..concur() };
        let status = position(position_request(hostile, "BY"), &by()).expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains("reasons carries the control character \\u{1b}"), "{}", status.message());
        let long = wire::Position { reasons: vec!["x".repeat(bus::text::MAX_TEXT + 1)], ..concur() };
        let status = position(position_request(long, "BY"), &by()).expect_err("refused");
        assert!(status.message().contains("at most 4000"), "{}", status.message());
    }

    #[test]
    fn malformed_requests_name_the_field() {
        let cases = [
            (wire::SubmitPositionRequest { header: None, position: Some(concur()) }, "header"),
            (position_request(wire::Position { slot_id: String::new(), ..concur() }, "BY"), "position.slot_id"),
            (position_request(wire::Position { draft_version: 0, ..concur() }, "BY"), "position.draft_version"),
            (position_request(wire::Position { kind: 0, ..concur() }, "BY"), "position.kind"),
            (
                position_request(wire::Position { kind: PositionKind::NonConcur as i32, ..concur() }, "BY"),
                "position.reasons",
            ),
            (wire::SubmitPositionRequest { header: header("B Y"), position: Some(concur()) }, "header.node_id"),
            (wire::SubmitPositionRequest { header: header("BY"), position: None }, "position"),
        ];
        for (request, field) in cases {
            let err = position(request, &by()).expect_err("invalid");
            assert_eq!(err.code(), Code::InvalidArgument, "{field}");
            assert!(err.message().starts_with(field), "{field}: {}", err.message());
        }
    }
}
