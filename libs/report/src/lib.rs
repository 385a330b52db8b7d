//! The after-action report, read by the observer (which writes it when an exercise concludes) and
//! by the console (which shows it as a page at any time).
//!
//! - [`model`]: the report as data, read off the record (pure); it serialises to JSON;
//! - [`document`]: the report as a document, its sections written once;
//! - [`markdown`] and [`html`]: how that document is written for people (the HTML page
//!   self-contained, with an SVG timeline, the draft × state matrix in colour and each draft's
//!   comment-resolution matrix);
//! - [`package`]: the traceable package, each decision with its trail, its digest checked.

pub mod document;
pub mod html;
pub mod markdown;
pub mod model;
pub mod package;

pub use model::{Report, build};
