//! The after-action report, read by the observer (which writes it when an exercise concludes) and
//! by the console (which shows it as a page at any time).
//!
//! - [`model`]: the report as data, read off the record (pure); it serialises to JSON;
//! - [`document`]: the report as a document, its sections written once;
//! - [`markdown`] and [`html`]: how that document is written for people (the HTML page
//!   self-contained or as a fragment for the console's own layout, with an SVG timeline, the
//!   draft × state matrix in colour, each draft's texts and comment-resolution matrix, and a print
//!   style sheet);
//! - [`package`]: the traceable package, each decision with its trail, its digest checked;
//! - [`terms`]: the report's tokens (outcomes, positions, roles…) in words.
//!
//! Each is in one language (`words::Lang`): [`build_in`] and [`package::build_in`] take it, the
//! renderers read it from what they render; [`build`] and [`package::build`] are English.

pub mod document;
#[cfg(test)]
mod fixture;
pub mod html;
pub mod markdown;
pub mod model;
pub mod package;
pub mod terms;

pub use model::{Report, build, build_in};
