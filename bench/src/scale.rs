//! Many exercises at once: [`EXERCISES`] exercises of [`STATES`] states on one NATS server, served
//! by two coordinator processes that are each given all of them (each exercise is led by whichever
//! took its lease), every exercise played by its own driver at the same time. Total drafts/s,
//! each exercise's round trip, each replica's memory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;

use crate::drive::{self, Coordinators, Pace};
use crate::generate::{self, Planned};
use crate::identities::Issued;
use crate::stats::{Spread, watch_peak_rss};

/// Exercises at once.
pub const EXERCISES: usize = 100;
/// Member states in each.
pub const STATES: usize = 6;
/// Stages of one slot in each: as many round trips per exercise.
pub const STAGES: usize = 30;

/// What many exercises at once showed.
#[derive(Debug, Clone, Serialize)]
pub struct Scale {
    /// Exercises run at once.
    pub exercises: usize,
    /// Member states in each.
    pub states: usize,
    /// Draft versions answered by every state, over all exercises.
    pub drafts: usize,
    /// From the first stage opened in any exercise to the last stage concluded in any.
    pub seconds: f64,
    /// `drafts` over `seconds`.
    pub drafts_per_s: f64,
    /// Each exercise's draft round trip: the median, lowest and highest over the exercises.
    pub round_trip_p50_ms: Spread,
    /// The same of each exercise's p99.
    pub round_trip_p99_ms: Spread,
    /// Peak resident memory of each coordinator replica, MiB.
    pub coordinator_peak_rss_mib: Vec<f64>,
}

/// The exercises of the scale run, planned before the server starts (it admits their identities).
pub fn plan() -> anyhow::Result<Vec<Planned>> {
    (0..EXERCISES).map(|_| Planned::new("scale", STATES, STAGES, 1)).collect()
}

/// Runs every `planned` exercise at once against `url`.
pub async fn measure(url: &str, binaries: &Path, issued: &Issued, planned: &[Planned]) -> anyhow::Result<Scale> {
    let scenario = tempfile::NamedTempFile::new()?;
    std::fs::write(scenario.path(), generate::scenario(STATES, STAGES, 1, &[]).toml())?;
    let ids: Vec<_> = planned.iter().map(|p| p.id.clone()).collect();
    // They wait for each exercise's provisioning, which its driver does.
    let mut replicas = [
        drive::coordinator(url, binaries, issued, &ids, scenario.path())?,
        drive::coordinator(url, binaries, issued, &ids, scenario.path())?,
    ];
    let peaks: Vec<_> = replicas.iter().map(|r| watch_peak_rss(r.id())).collect();
    let mut drivers = tokio::task::JoinSet::new();
    for planned in planned {
        let (url, binaries, issued, planned) =
            (url.to_owned(), PathBuf::from(binaries), issued.clone(), planned.clone());
        drivers.spawn(async move {
            drive::exercise(&url, &binaries, &issued, &planned, Pace::Once, Coordinators::Shared).await
        });
    }
    let mut loads = Vec::with_capacity(planned.len());
    while let Some(joined) = drivers.join_next().await {
        loads.push(joined.context("an exercise's driver")??);
    }
    // Each replica ends by itself once every exercise it serves has concluded.
    for replica in &mut replicas {
        tokio::time::timeout(std::time::Duration::from_secs(30), replica.wait())
            .await
            .context("a coordinator replica still running after every exercise concluded")??;
    }
    let mut coordinator_peak_rss_mib = Vec::new();
    for peak in peaks {
        coordinator_peak_rss_mib.push(peak.await.unwrap_or_default() as f64 / 1024.0);
    }
    let spans: Vec<(Instant, Instant)> = loads.iter().filter_map(|l| l.stages_span).collect();
    anyhow::ensure!(spans.len() == loads.len(), "an exercise without stages");
    let began = spans.iter().map(|s| s.0).min().context("no exercise ran")?;
    let ended = spans.iter().map(|s| s.1).max().context("no exercise ran")?;
    let seconds = (ended - began).as_secs_f64().max(f64::MIN_POSITIVE);
    let drafts = loads.iter().map(|l| l.drafts).sum();
    let round_trips: Vec<_> = loads.iter().filter_map(|l| l.round_trip.clone()).collect();
    anyhow::ensure!(round_trips.len() == loads.len(), "an exercise without round trips");
    Ok(Scale {
        exercises: loads.len(),
        states: STATES,
        drafts,
        seconds,
        drafts_per_s: drafts as f64 / seconds,
        round_trip_p50_ms: Spread::of(round_trips.iter().map(|l| l.p50_ms)),
        round_trip_p99_ms: Spread::of(round_trips.iter().map(|l| l.p99_ms)),
        coordinator_peak_rss_mib,
    })
}
