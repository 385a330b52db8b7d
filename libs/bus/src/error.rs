//! Errors of the bus layer: envelope validation failures and bus (NATS) failures.

use proto::v1::RejectionCode;

/// Why bytes or a wire envelope could not become a domain [`crate::Envelope`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The encoded message is larger than the limit.
    #[error("message of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the message.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The bytes are not a protobuf envelope.
    #[error("not a muster.v1 envelope: {0}")]
    Malformed(String),
    /// A required field is missing or empty.
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// A field holds a value that is not allowed.
    #[error("invalid field `{field}`: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The envelope names another exercise than the one expected.
    #[error("envelope is for exercise `{found}`, expected `{expected}`")]
    WrongExercise {
        /// The exercise expected (from the subject).
        expected: String,
        /// The exercise in the envelope.
        found: String,
    },
    /// No payload, or one that this version of the contract does not know.
    #[error("envelope carries no payload known to muster.v1")]
    UnknownPayload,
}

impl EnvelopeError {
    /// The machine-readable code for a rejection reply.
    pub fn rejection_code(&self) -> RejectionCode {
        match self {
            EnvelopeError::TooLarge { .. } => RejectionCode::TooLarge,
            EnvelopeError::Malformed(_) | EnvelopeError::Missing(_) | EnvelopeError::Invalid { .. } => {
                RejectionCode::Malformed
            }
            EnvelopeError::WrongExercise { .. } => RejectionCode::WrongExercise,
            EnvelopeError::UnknownPayload => RejectionCode::UnknownPayload,
        }
    }
}

/// A failure talking to NATS.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// Could not connect to the server.
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        /// Where we tried.
        url: String,
        /// Why it failed.
        #[source]
        source: async_nats::ConnectError,
    },
    /// A JetStream publish failed or was not acknowledged.
    #[error("publish to `{subject}` failed: {source}")]
    Publish {
        /// The subject published to.
        subject: String,
        /// Why it failed.
        #[source]
        source: async_nats::jetstream::context::PublishError,
    },
    /// The server refused a submission: its seat has as many of that kind waiting as it may.
    #[error(
        "refused by the bus: {seat} has {limit} submissions of this kind waiting for the coordinator already, as many as a seat may ({reason})"
    )]
    Quota {
        /// The seat.
        seat: String,
        /// How many may wait.
        limit: i64,
        /// The server's words.
        reason: String,
    },
    /// A fenced publish found another writer's event at the end of the log.
    #[error("fenced: the event log moved past sequence {expected}; another writer is active")]
    Fenced {
        /// The last sequence this writer expected.
        expected: u64,
    },
    /// A core NATS publish failed.
    #[error("publish to `{subject}` failed: {source}")]
    CorePublish {
        /// The subject published to.
        subject: String,
        /// Why it failed.
        #[source]
        source: async_nats::PublishError,
    },
    /// The server did not confirm what was sent (a flush failed).
    #[error("the server did not confirm what was sent: {0}")]
    Flush(String),
    /// A subscription could not be made.
    #[error("subscribe to `{subject}` failed: {source}")]
    Subscribe {
        /// The subject.
        subject: String,
        /// Why it failed.
        #[source]
        source: async_nats::SubscribeError,
    },
    /// A JetStream stream or consumer operation failed.
    #[error("JetStream {what} failed: {reason}")]
    JetStream {
        /// What was being done.
        what: String,
        /// The server's or client's reason.
        reason: String,
    },
    /// An envelope to be sent did not validate.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// An identity's seed file could not be read.
    #[error("credentials {path}: {reason}")]
    Credentials {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// There is no exercise of that id on the server.
    #[error("no exercise `{0}` on this server")]
    NoSuchExercise(String),
}

impl BusError {
    /// A JetStream call that failed: `what` was being done, `reason` why it failed.
    pub fn jetstream(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        BusError::JetStream { what: what.into(), reason: reason.to_string() }
    }
}
