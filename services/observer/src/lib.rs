//! The observer: subscribes read-only to an exercise's events, folds them into the record and
//! writes the after-action report (`report`: the report as data, Markdown and HTML).
//!
//! - [`service`]: follows the events and writes `report.json`, `report.md` and `report.html`.

pub mod service;

pub use report::Report;
pub use service::{Settings, run};
