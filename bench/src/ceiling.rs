//! What the machine allows before any of Muster's own work: the signatures every message needs,
//! timed alone. A seat signs each submission, the coordinator checks that signature and seals the
//! event it writes with one of its own; so a submission and its event, two bus messages, cost two
//! signatures made and one checked, however fast the rest becomes. The table prints what that
//! allows beside the targets it bounds; on two cores, bus messages at half the raw publish rate
//! is beyond it.

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
    /// ed25519 signatures checked per second on one core.
    pub verifies_per_s: Spread,
    /// Bus messages per second every core together could carry if signatures were all the work
    /// (nothing else of the seats, the coordinator or the server): two messages per two signatures
    /// made and one checked.
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
        let (mut signs, mut verifies) = (Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            signs.push(rate(|| key.sign(&message).map(drop).context("signing"))?);
            verifies.push(rate(|| key.verify(&message, &signature).context("checking"))?);
        }
        let (signs_per_s, verifies_per_s) = (Spread::of(signs), Spread::of(verifies));
        let per_pair_s = 2.0 / signs_per_s.median + 1.0 / verifies_per_s.median;
        Ok(Ceiling { signs_per_s, verifies_per_s, signed_bus_msgs_per_s: 2.0 * cores as f64 / per_pair_s })
    })
    .await?
}

/// Calls `f` for [`FOR`]: how many times per second.
fn rate(mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let (started, mut done) = (Instant::now(), 0u64);
    while started.elapsed() < FOR {
        for _ in 0..64 {
            f()?;
        }
        done += 64;
    }
    Ok(done as f64 / started.elapsed().as_secs_f64())
}
