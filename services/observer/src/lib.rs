//! The observer: subscribes read-only to an exercise's events, folds them into the record and
//! writes the after-action report.
//!
//! - [`report`]: the report as data, read off the record (pure);
//! - [`markdown`] and [`html`]: the report rendered for people (the HTML page self-contained, with
//!   an SVG timeline and the draft × state matrix);
//! - [`service`]: follows the events and writes `report.json`, `report.md` and `report.html`.

pub mod html;
pub mod markdown;
pub mod report;
pub mod service;

pub use report::Report;
pub use service::{Settings, run};
