//! What can be wrong with a workbook: each problem at its cell, all of them at once.

use std::fmt;

/// One thing wrong with a workbook, at its cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// The sheet (`MSEL`).
    pub sheet: String,
    /// The row, from 1 as a spreadsheet numbers them.
    pub row: u32,
    /// The column's letters (`C`).
    pub column: String,
    /// The column's heading (`at`); empty for a problem of the sheet as a whole.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CellProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sheet {}, row {}, column {}", self.sheet, self.row, self.column)?;
        if !self.field.is_empty() {
            write!(f, " ({})", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a workbook could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The file is not a workbook (or a CSV file) that can be read.
    #[error("{file}: cannot read: {reason}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The workbook was read and has problems, every one listed.
    #[error("{}", list(file, problems))]
    Invalid {
        /// The file.
        file: String,
        /// Every problem, sheet by sheet, row by row.
        problems: Vec<CellProblem>,
    },
    /// The workbook could not be written.
    #[error("cannot write the workbook: {0}")]
    Write(String),
}

fn list(file: &str, problems: &[CellProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("{file}: {p}")).collect();
    lines.join("\n")
}

/// A column's letters from its index (0: `A`, 26: `AA`).
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_letter_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
