//! What the machine allows before any of Muster's own work: the signatures every message needs,
//! timed alone. A seat signs each submission, the coordinator checks that signature (in batches)
//! and signs the seat's receipt; the events themselves are signed once per batch (a checkpoint),
//! which is next to nothing per event. So a submission and its event, two bus messages, cost two
//! signatures made and one checked in a batch, however fast the rest becomes. The table prints
//! what that allows beside the targets it bounds.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;

use crate::stats::{REPEATS, Spread};

/// How long each rate is measured.
const FOR: Duration = Duration::from_secs(1);
/// Bytes signed: about a position's signed content.
const MESSAGE: usize = 256;

/// Signature rates, and what they allow on every core of the machine.
#[derive(Debug, Clone, Serialize)]
pub struct Ceiling {
    /// ed25519 signatures made per second on one core.
    pub signs_per_s: Spread,
    /// ed25519 signatures checked per second on one core, one by one.
    pub verifies_per_s: Spread,
    /// Seats' signatures checked per second on one core in the coordinator's batches
    /// (`bus::seal::signed_by_each`: [`BATCH`] submissions of [`SEATS`] seats at once).
    pub batch_verifies_per_s: Spread,
    /// Bus messages per second every core together could carry if signatures were all the work
    /// (nothing else of the seats, the coordinator or the server): two messages per two signatures
    /// made and one checked in a batch.
    pub signed_bus_msgs_per_s: f64,
}

impl Ceiling {
    /// Draft versions per second at `states` states that the signatures alone allow: each version
    /// is the drafting body's submission and every state's position, each with its event.
    pub fn drafts_per_s(&self, states: usize) -> f64 {
        self.signed_bus_msgs_per_s / (2 * (states + 1)) as f64
    }
}

/// Times signing and checking on one core, [`REPEATS`] times each; what they allow on `cores`.
pub async fn measure(cores: usize) -> anyhow::Result<Ceiling> {
    tokio::task::spawn_blocking(move || {
        let key = nkeys::KeyPair::new_user();
        let message = vec![7u8; MESSAGE];
        let signature = key.sign(&message).context("signing")?;
        let submissions = submissions()?;
        let items: Vec<(&bus::Envelope, &str)> = submissions.iter().map(|(e, k)| (e, k.as_str())).collect();
        let (mut signs, mut verifies, mut batches) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            signs.push(rate(1, || key.sign(&message).map(drop).context("signing"))?);
            verifies.push(rate(1, || key.verify(&message, &signature).context("checking"))?);
            batches.push(rate(BATCH, || {
                anyhow::ensure!(bus::seal::signed_by_each(&items).iter().all(|ok| *ok), "a batch failed");
                Ok(())
            })?);
        }
        let (signs_per_s, verifies_per_s, batch_verifies_per_s) =
            (Spread::of(signs), Spread::of(verifies), Spread::of(batches));
        let per_pair_s = 2.0 / signs_per_s.median + 1.0 / batch_verifies_per_s.median;
        Ok(Ceiling {
            signs_per_s,
            verifies_per_s,
            batch_verifies_per_s,
            signed_bus_msgs_per_s: 2.0 * cores as f64 / per_pair_s,
        })
    })
    .await?
}

/// Submissions in a batch the ceiling times.
const BATCH: usize = 64;
/// Seats they come from.
const SEATS: usize = 8;

/// [`BATCH`] position-sized submissions of [`SEATS`] seats, each signed, with its seat's key.
fn submissions() -> anyhow::Result<Vec<(bus::Envelope, String)>> {
    let exercise = bus::ExerciseId::new("ceiling")?;
    let seats: Vec<nkeys::KeyPair> = (0..SEATS).map(|_| nkeys::KeyPair::new_user()).collect();
    let mut out = Vec::with_capacity(BATCH);
    for n in 0..BATCH {
        let key = &seats[n % SEATS];
        let sender = bus::Sender::new(bus::Role::ControlPoint, bus::NodeId::new(format!("S{}", n % SEATS))?);
        let position = proto::v1::Position {
            slot_id: format!("s1-{n:02}"),
            draft_version: 1,
            kind: proto::v1::PositionKind::Concur as i32,
            reasons: vec!["x".repeat(MESSAGE / 2)],
        };
        let mut e = bus::Envelope::new(exercise.clone(), sender, bus::Payload::Position(position));
        bus::seal::sign(&mut e, key)?;
        out.push((e, key.public_key()));
    }
    Ok(out)
}

/// Calls `f` (which does `per_call` of the work timed) for [`FOR`]: how many per second.
fn rate(per_call: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let (started, mut done) = (Instant::now(), 0u64);
    while started.elapsed() < FOR {
        for _ in 0..64usize.div_ceil(per_call) {
            f()?;
            done += per_call as u64;
        }
    }
    Ok(done as f64 / started.elapsed().as_secs_f64())
}
