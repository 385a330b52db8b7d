//! The observer: subscribes read-only to an exercise's events, keeps the full record and writes the
//! after-action report.
//!
//! - [`report`]: the report as data, built from the events (pure);
//! - [`markdown`]: the report rendered for people;
//! - [`service`]: follows the events and writes `report.json` and `report.md`.

pub mod markdown;
pub mod report;
pub mod service;

pub use report::Report;
pub use service::{Settings, run};
