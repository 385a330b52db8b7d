//! Follows an exercise's events read-only and writes the report when the exercise concludes.

use std::future::Future;
use std::path::{Path, PathBuf};

use bus::envelope::Payload;
use bus::{Bus, ConnectSettings, ExerciseId};
use futures::StreamExt;
use scenario::Scenario;

use crate::report::{self, Report};

/// What to observe and where to write.
#[derive(Debug, Clone)]
pub struct Settings {
    /// NATS URL.
    pub nats_url: String,
    /// The exercise.
    pub exercise: ExerciseId,
    /// Its scenario.
    pub scenario: Scenario,
    /// Exercise seconds per wall second, for the report.
    pub time_scale: f64,
    /// Folder the report goes into (`report.json`, `report.md`).
    pub out_dir: PathBuf,
}

/// Why the observer stopped without a report.
#[derive(Debug, thiserror::Error)]
pub enum ObserverError {
    /// The bus failed.
    #[error(transparent)]
    Bus(#[from] bus::BusError),
    /// The event stream ended before the conclusion.
    #[error("the event stream ended before the exercise concluded")]
    StreamEnded,
    /// The report could not be written.
    #[error("cannot write the report to {path}: {reason}")]
    Write {
        /// Where.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Keeps the record until the exercise concludes, then writes the report and returns it.
/// On `shutdown` it writes what it has (the report then says the exercise did not conclude).
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<Report, ObserverError> {
    let bus = Bus::connect(&ConnectSettings::new(&settings.nats_url, format!("muster-observer-{}", settings.exercise)))
        .await?;
    tokio::pin!(shutdown);
    let mut events = bus.follow_events(&settings.exercise, 1);
    let mut record = Vec::new();
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            delivery = events.next() => {
                let delivery = delivery.ok_or(ObserverError::StreamEnded)?;
                let Ok(event) = delivery.envelope else { continue };
                let concluded = matches!(event.payload, Payload::ExerciseConcluded(_));
                record.push(event);
                if concluded {
                    break;
                }
            }
        }
    }
    write(&settings, &record)
}

fn write(settings: &Settings, record: &[bus::Envelope]) -> Result<Report, ObserverError> {
    let report = report::build(&settings.scenario, settings.exercise.as_str(), settings.time_scale, record);
    let failed =
        |path: &Path, e: &dyn std::fmt::Display| ObserverError::Write { path: path.to_owned(), reason: e.to_string() };
    std::fs::create_dir_all(&settings.out_dir).map_err(|e| failed(&settings.out_dir, &e))?;
    let json_path = settings.out_dir.join("report.json");
    let json = serde_json::to_string_pretty(&report).map_err(|e| failed(&json_path, &e))?;
    std::fs::write(&json_path, json).map_err(|e| failed(&json_path, &e))?;
    let md_path = settings.out_dir.join("report.md");
    std::fs::write(&md_path, crate::markdown::render(&report)).map_err(|e| failed(&md_path, &e))?;
    tracing::info!(exercise = %settings.exercise, path = %md_path.display(), events = record.len(), "after-action report written");
    Ok(report)
}
