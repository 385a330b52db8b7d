//! The one place where Muster's errors become gRPC status codes.

use bus::{BusError, EnvelopeError};
use proto::v1::RejectionCode;
use tonic::Status;

/// A field of a request that is missing or wrong.
pub fn invalid(field: &str, reason: impl std::fmt::Display) -> Status {
    Status::invalid_argument(format!("{field}: {reason}"))
}

pub use proto::status::{QUOTA_KEY, REASON_KEY, REJECTION_KEY};

/// The coordinator's refusal, as the status a node understands: its words in English, and its
/// reason as a message when it gave one.
pub fn rejection(code: RejectionCode, reason: &str, message: Option<&words::Message>) -> Status {
    use prost::Message as _;
    let mut status = status_of(code, proto::status::refusal(code, reason));
    status.metadata_mut().insert(REJECTION_KEY, tonic::metadata::MetadataValue::from_static(code.as_str_name()));
    if let Some(message) = message {
        let encoded = bus::reason::to_wire(message).encode_to_vec();
        status.metadata_mut().insert_bin(REASON_KEY, tonic::metadata::MetadataValue::from_bytes(&encoded));
    }
    status
}

fn status_of(code: RejectionCode, message: String) -> Status {
    match code {
        RejectionCode::Malformed | RejectionCode::UnknownPayload | RejectionCode::Unspecified => {
            Status::invalid_argument(message)
        }
        RejectionCode::TooLarge => Status::resource_exhausted(message),
        RejectionCode::WrongExercise | RejectionCode::UnknownSlot | RejectionCode::UnknownInject => {
            Status::not_found(message)
        }
        RejectionCode::WrongPhase
        | RejectionCode::StaleVersion
        | RejectionCode::InvalidContent
        | RejectionCode::UnresolvedComment
        | RejectionCode::StaleWindow => Status::failed_precondition(message),
        RejectionCode::NotAParticipant | RejectionCode::NotPermitted => Status::permission_denied(message),
        RejectionCode::BadSignature => Status::unauthenticated(message),
    }
}

/// An envelope that did not validate at the edge.
pub fn envelope(e: &EnvelopeError) -> Status {
    match e {
        EnvelopeError::TooLarge { .. } => Status::resource_exhausted(e.to_string()),
        EnvelopeError::Missing(field) => invalid(field, "is missing"),
        EnvelopeError::Invalid { field, reason } => invalid(field, reason),
        _ => Status::invalid_argument(e.to_string()),
    }
}

/// A bus failure: the node should retry. A seat over its quota of waiting submissions is told so
/// (`RESOURCE_EXHAUSTED`): its backlog drains as the coordinator takes it.
pub fn bus(e: &BusError) -> Status {
    if let BusError::Quota { .. } = e {
        tracing::warn!(error = %e, "a national node's submission refused by the bus: over its quota");
        let mut status = Status::resource_exhausted(e.to_string());
        status.metadata_mut().insert(QUOTA_KEY, tonic::metadata::MetadataValue::from_static("waiting"));
        return status;
    }
    tracing::warn!(error = %e, "bus unavailable for a national node request");
    Status::unavailable(format!("the bus is not reachable now: {e}"))
}
