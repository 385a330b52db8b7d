//! The national node: a seat outside the headquarters. It is the seat driver (`seat::driver`) over
//! the gRPC link (`seat::grpc`): it streams the exercise's events from the gateway, answers as its
//! mind decides, and resumes its stream from the next sequence after a lost link, so it misses
//! nothing and sees nothing twice.

use std::future::Future;
use std::sync::Arc;

use bus::{ExerciseId, Sender};
use record::Record;
pub use seat::grpc::ClientTls;
use seat::grpc::GrpcLink;
use seat::{Mind, SeatError};
use tokio::sync::mpsc::UnboundedSender;

/// Who to play, where.
#[derive(Debug)]
pub struct Settings {
    /// The gateway, e.g. `https://127.0.0.1:7443`.
    pub endpoint: String,
    /// TLS material.
    pub tls: ClientTls,
    /// The exercise.
    pub exercise: ExerciseId,
    /// The seat's identity.
    pub me: Sender,
    /// Who decides for it.
    pub mind: Mind,
    /// Receives the sequence of every event processed, in order (for tests and monitoring).
    pub processed: Option<UnboundedSender<u64>>,
    /// The node's key: it signs every submission (the gateway forwards the signature).
    pub key: Option<std::sync::Arc<nkeys::KeyPair>>,
    /// The coordinator's public key: only events it sealed, in chain, are taken.
    pub trust: Option<String>,
    /// The file the node keeps the coordinator's receipts in, if any.
    pub receipts: Option<std::path::PathBuf>,
}

/// Why the node stopped early.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The endpoint or the TLS material is not usable.
    #[error("gateway endpoint: {0}")]
    Endpoint(#[from] tonic::transport::Error),
    /// The seat stopped.
    #[error(transparent)]
    Seat(#[from] SeatError),
}

/// Takes part until the exercise concludes or `shutdown` resolves.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<Record, NodeError> {
    let link = GrpcLink::new(&settings.endpoint, &settings.tls, settings.exercise.clone())?;
    let seat = seat::Settings {
        exercise: settings.exercise,
        me: settings.me,
        processed: settings.processed,
        key: settings.key,
        trust: settings.trust,
        receipts: settings.receipts,
    };
    Ok(seat::run(Arc::new(link), seat, settings.mind, shutdown).await?)
}
