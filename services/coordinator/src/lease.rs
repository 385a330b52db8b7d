//! Leadership of an exercise: a lease in the exercise's own JetStream key-value bucket, whose
//! entries expire after the lease's time to live (set when the exercise was provisioned). The holder renews it well within that time; a standby takes it once
//! it has expired. The lease decides who may try to write; fencing on the event log's last
//! sequence makes sure a deposed holder's writes fail even if it has not noticed yet.

use std::time::{Duration, Instant};

use async_nats::jetstream::kv::{self, CreateErrorKind, UpdateErrorKind};
use bus::{Bus, BusError, ExerciseId};

/// A held lease.
#[derive(Debug)]
pub struct Lease {
    store: kv::Store,
    key: String,
    holder: String,
    revision: u64,
    ttl: Duration,
    renewed: Instant,
}

/// Why the lease cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    /// The exercise has no lease bucket yet: it is not provisioned.
    #[error("exercise {0} is not provisioned yet (no lease bucket)")]
    NotProvisioned(ExerciseId),
    /// The bucket keeps leases for another time than this replica would renew them in.
    #[error(
        "the lease of exercise {exercise} lives {bucket:?} (set when it was provisioned); this coordinator was given {wanted:?}: run every replica with the same --lease-ttl-ms"
    )]
    Mismatch {
        /// The exercise.
        exercise: ExerciseId,
        /// The bucket's time to live.
        bucket: Duration,
        /// This replica's.
        wanted: Duration,
    },
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// The exercise's lease bucket, which provisioning made; its time to live must be `ttl`.
pub async fn bucket(bus: &Bus, exercise: &ExerciseId, ttl: Duration) -> Result<kv::Store, LeaseError> {
    let store = bus
        .jetstream()
        .get_key_value(bus::subject::lease_bucket(exercise))
        .await
        .map_err(|_| LeaseError::NotProvisioned(exercise.clone()))?;
    let status = store
        .status()
        .await
        .map_err(|e| BusError::JetStream { what: "lease bucket status".into(), reason: e.to_string() })?;
    let kept = status.info.config.max_age;
    if kept != ttl {
        return Err(LeaseError::Mismatch { exercise: exercise.clone(), bucket: kept, wanted: ttl });
    }
    Ok(store)
}

impl Lease {
    /// Takes the lease if nobody holds it; `None` while another holder's lease is alive.
    pub async fn try_acquire(
        store: &kv::Store,
        exercise: &ExerciseId,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, BusError> {
        let key = exercise.to_string();
        match store.create(&key, holder.as_bytes().to_vec().into()).await {
            Ok(revision) => Ok(Some(Lease {
                store: store.clone(),
                key,
                holder: holder.into(),
                revision,
                ttl,
                renewed: Instant::now(),
            })),
            Err(e) if e.kind() == CreateErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(BusError::JetStream { what: "lease acquisition".into(), reason: e.to_string() }),
        }
    }

    /// Renews the lease. `Ok(false)` when it was lost (it expired and another took it).
    pub async fn renew(&mut self) -> Result<bool, BusError> {
        match self.store.update(&self.key, self.holder.as_bytes().to_vec().into(), self.revision).await {
            Ok(revision) => {
                self.revision = revision;
                self.renewed = Instant::now();
                Ok(true)
            }
            Err(e) if e.kind() == UpdateErrorKind::WrongLastRevision => Ok(false),
            Err(e) => Err(BusError::JetStream { what: "lease renewal".into(), reason: e.to_string() }),
        }
    }

    /// Whether a third of the time to live has passed since the last renewal: renew now.
    pub fn renewal_due(&self) -> bool {
        self.renewed.elapsed() >= self.ttl / 3
    }

    /// Whether the lease is certainly still ours: renewed within its time to live.
    pub fn is_fresh(&self) -> bool {
        self.renewed.elapsed() < self.ttl
    }

    /// Gives the lease up so a standby need not wait for it to expire.
    pub async fn release(self) {
        let _ = self.store.delete_expect_revision(&self.key, Some(self.revision)).await;
    }
}
