//! A scenario as a workbook people prepare an exercise in: a sheet for the exercise, its
//! participants, its stages, their slots, and the master scenario events list (MSEL, one row an
//! inject), with a drop-down list wherever a cell takes one of a few values. [`export`] writes a
//! scenario out; [`import`] reads a workbook back as scenario text, through the same validation
//! as a file, every problem named by its sheet, row and column. The MSEL sheet also travels
//! alone as CSV ([`export_msel`], [`import_msel`]).
//!
//! Import → export → import gives the same scenario: every field has a column, every text a
//! column per language (`title.en`, `title.ru`).

mod error;
mod grid;
mod read;
pub mod sheets;
#[cfg(test)]
mod tests;
mod write;

pub use error::{CellProblem, WorkbookError};
pub use grid::Grid;
pub use read::{Imported, import, import_msel};
pub use write::{export, export_msel, grids, workbook};
