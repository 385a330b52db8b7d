//! Follows an exercise's events read-only, folds them into the record, and writes the report
//! (`report.json`, `report.md`, `report.html`) once the record is complete.

use std::future::Future;
use std::path::{Path, PathBuf};

use bus::{Bus, ConnectSettings, ExerciseId};
use futures::StreamExt;
use record::Record;

use report::Report;

/// What to observe and where to write.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the bus is, and the observer's identity on it.
    pub bus: ConnectSettings,
    /// The exercise.
    pub exercise: ExerciseId,
    /// Folder the report goes into.
    pub out_dir: PathBuf,
    /// The coordinator's public key: only events it sealed, in chain, go into the report.
    pub trust: Option<String>,
    /// Said ready once the observer is connected and following.
    pub ready: ops::Ready,
    /// The language the report is written in; `None`: the scenario's (else English).
    pub lang: Option<words::Lang>,
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
    let bus = Bus::connect(&settings.bus).await?;
    tokio::pin!(shutdown);
    let mut events = bus.follow_events(&settings.exercise, 1);
    settings.ready.set(true);
    let mut record = Record::reading(settings.trust.clone());
    while !record.is_concluded() {
        tokio::select! {
            () = &mut shutdown => break,
            delivery = events.next() => {
                let delivery = delivery.ok_or(ObserverError::StreamEnded)?;
                match delivery.envelope {
                    Ok(event) => {
                        let message_id = event.message_id.clone();
                        if let Err(e) = record.accept(delivery.sequence, event) {
                            tracing::warn!(exercise = %settings.exercise, sequence = delivery.sequence,
                                %message_id, error = %e, "event dropped: not the coordinator's");
                        }
                    }
                    Err(e) => tracing::warn!(exercise = %settings.exercise, sequence = delivery.sequence, error = %e, "unreadable event skipped"),
                }
            }
        }
    }
    write(&settings, &record)
}

/// Writes the report of `record` into `settings.out_dir`, in `settings.lang`.
pub fn write(settings: &Settings, record: &Record) -> Result<Report, ObserverError> {
    let lang = words::Lang::chosen(settings.lang, record.plan.as_ref().map_or("", |p| p.language.as_str()));
    let report = report::build_in(lang, settings.exercise.as_str(), record);
    let failed =
        |path: &Path, e: &dyn std::fmt::Display| ObserverError::Write { path: path.to_owned(), reason: e.to_string() };
    std::fs::create_dir_all(&settings.out_dir).map_err(|e| failed(&settings.out_dir, &e))?;
    let json_path = settings.out_dir.join("report.json");
    let json = serde_json::to_string_pretty(&report).map_err(|e| failed(&json_path, &e))?;
    std::fs::write(&json_path, json).map_err(|e| failed(&json_path, &e))?;
    let md_path = settings.out_dir.join("report.md");
    std::fs::write(&md_path, report::markdown::render(&report)).map_err(|e| failed(&md_path, &e))?;
    let html_path = settings.out_dir.join("report.html");
    std::fs::write(&html_path, report::html::render(&report)).map_err(|e| failed(&html_path, &e))?;
    tracing::info!(exercise = %settings.exercise, path = %md_path.display(), events = record.events, "after-action report written");
    Ok(report)
}
