//! The after-action report, read by the observer (which writes it when an exercise concludes) and
//! by the console (which shows it as a page at any time).
//!
//! - [`model`]: the report as data, read off the record (pure); it serialises to JSON;
//! - [`markdown`] and [`html`]: the report rendered for people (the HTML page self-contained, with
//!   an SVG timeline and the draft × state matrix, and the comment-resolution matrix of each draft);
//! - [`package`]: the traceable package, each decision with its trail, its digest checked.

pub mod html;
pub mod markdown;
pub mod model;
pub mod package;

pub use model::{Report, build};
