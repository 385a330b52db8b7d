//! A sheet as text in rows and columns: what a workbook's sheet or a CSV file is read into, and
//! what a sheet is written from.

/// One sheet: its name and its cells as text, the heading row first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    /// The sheet's name.
    pub name: String,
    /// Rows of cells, the headings first; a row may be shorter than the headings.
    pub rows: Vec<Vec<String>>,
}

impl Grid {
    /// A sheet called `name` with `headings`.
    pub fn new(name: &str, headings: Vec<String>) -> Grid {
        Grid { name: name.to_owned(), rows: vec![headings] }
    }

    /// The headings.
    pub fn headings(&self) -> &[String] {
        self.rows.first().map_or(&[], Vec::as_slice)
    }

    /// The rows below the headings, each with its row number as a spreadsheet shows it (from 2),
    /// rows with nothing in them left out.
    pub fn body(&self) -> impl Iterator<Item = (u32, &[String])> {
        self.rows
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, row)| row.iter().any(|c| !c.trim().is_empty()))
            .map(|(i, row)| (u32::try_from(i + 1).unwrap_or(u32::MAX), row.as_slice()))
    }

    /// The cell of `row` under `heading`, trimmed; empty when the row has none.
    pub fn cell<'a>(&self, row: &'a [String], heading: &str) -> &'a str {
        self.column(heading).and_then(|c| row.get(c)).map_or("", |c| c.trim())
    }

    /// The index of the column headed `heading`.
    pub fn column(&self, heading: &str) -> Option<usize> {
        self.headings().iter().position(|h| h.trim() == heading)
    }

    /// Reads a CSV file's text as a sheet called `name`.
    pub fn from_csv(name: &str, text: &str) -> Result<Grid, String> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("line {}: {e}", n + 1))?;
            rows.push(record.iter().map(String::from).collect());
        }
        Ok(Grid { name: name.to_owned(), rows })
    }

    /// The sheet as CSV.
    pub fn to_csv(&self) -> Result<String, String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let width = self.headings().len();
        for row in &self.rows {
            let mut row = row.clone();
            row.resize(width.max(row.len()), String::new());
            writer.write_record(&row).map_err(|e| e.to_string())?;
        }
        let bytes = writer.into_inner().map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
}
