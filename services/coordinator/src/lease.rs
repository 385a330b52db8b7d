//! Leadership of an exercise: a lease in a JetStream key-value bucket whose entries expire after
//! the lease's time to live. The holder renews it well within that time; a standby takes it once
//! it has expired. The lease decides who may try to write; fencing on the event log's last
//! sequence makes sure a deposed holder's writes fail even if it has not noticed yet.

use std::time::{Duration, Instant};

use async_nats::jetstream::kv::{self, CreateErrorKind, UpdateErrorKind};
use bus::{Bus, BusError, ExerciseId};

/// The bucket holding one lease per exercise.
pub const BUCKET: &str = "MUSTER_LEASES";

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

/// The lease bucket, created on first use.
pub async fn bucket(bus: &Bus, ttl: Duration, replicas: usize) -> Result<kv::Store, BusError> {
    let js = bus.jetstream();
    if let Ok(store) = js.get_key_value(BUCKET).await {
        return Ok(store);
    }
    js.create_key_value(kv::Config {
        bucket: BUCKET.into(),
        description: "muster coordinator leases, one per exercise".into(),
        history: 1,
        max_age: ttl,
        num_replicas: replicas.max(1),
        ..Default::default()
    })
    .await
    .map_err(|e| BusError::JetStream { what: "lease bucket creation".into(), reason: e.to_string() })
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
