//! A workbook read back: its sheets as text, then as scenario text (TOML), validated as any
//! scenario file is; each problem validation names by its field is put back at its cell.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use scenario::{Scenario, ScenarioError};
use toml::{Table, Value};

use crate::error::{CellProblem, WorkbookError, column_letters};
use crate::grid::Grid;
use crate::sheets::{self, Column, Kind};

/// A workbook read as a scenario: the scenario text it amounts to, and the scenario.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The scenario as a file (TOML), which the exercise runs from.
    pub toml: String,
    /// The scenario, validated.
    pub scenario: Scenario,
}

/// Reads a workbook (`.xlsx`) called `file` as a scenario; every problem of it is listed at once,
/// each at its sheet, row and column.
pub fn import(bytes: &[u8], file: &str) -> Result<Imported, WorkbookError> {
    let unreadable = |reason: String| WorkbookError::Read { file: file.to_owned(), reason };
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a workbook (.xlsx): {e}")))?;
    let (mut grids, mut beyond) = (Vec::new(), Vec::new());
    for name in workbook.sheet_names() {
        let mut cells = workbook.worksheet_cells_reader(&name).map_err(|e| unreadable(format!("sheet {name}: {e}")))?;
        let mut grid = Grid { name: name.clone(), rows: Vec::new() };
        // Cell by cell, within bounds: a sheet's stated size is no reason to allocate it.
        while let Some(cell) = cells.next_cell().map_err(|e| unreadable(format!("sheet {name}: {e}")))? {
            let (row, column) = cell.get_position();
            let (row, column) = (row as usize, column as usize);
            let value = text(&Data::from(cell.get_value().clone()));
            if row >= MAX_ROWS || column >= MAX_COLUMNS {
                if !value.is_empty() && !beyond.iter().any(|p: &CellProblem| p.sheet == name) {
                    let at = u32::try_from(row.min(MAX_ROWS) + 1).unwrap_or(u32::MAX);
                    let limits = format!("a sheet holds at most {MAX_ROWS} rows and {MAX_COLUMNS} columns");
                    beyond.push(cell_at(&name, at, column.min(MAX_COLUMNS), limits));
                }
                continue;
            }
            if grid.rows.len() <= row {
                grid.rows.resize(row + 1, Vec::new());
            }
            let cells_of_row = &mut grid.rows[row];
            if cells_of_row.len() <= column {
                cells_of_row.resize(column + 1, String::new());
            }
            cells_of_row[column] = value;
        }
        grids.push(grid);
    }
    from_grids_with(&grids, file, beyond)
}

/// The most rows a sheet is read to: far more than any exercise has participants, slots or injects.
const MAX_ROWS: usize = 100_000;
/// The most columns: every column of every sheet, a text's in many languages.
const MAX_COLUMNS: usize = 512;

/// Reads an MSEL sheet as CSV (`file`) into `base`: the scenario with its injects replaced by the
/// file's, every problem named by its row and column.
pub fn import_msel(csv: &str, file: &str, base: &Scenario) -> Result<Imported, WorkbookError> {
    let msel = Grid::from_csv(sheets::MSEL, csv).map_err(|reason| WorkbookError::Read { file: file.into(), reason })?;
    let mut grids = crate::write::grids(base);
    grids.retain(|g| g.name != sheets::MSEL);
    grids.push(msel);
    from_grids(&grids, file)
}

/// A cell as the text a person typed: whole numbers without a decimal point.
fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// Where each field came from, by the path validation names it by (`stages[0].injects[2].at`).
#[derive(Debug, Default)]
struct Cells {
    at: BTreeMap<String, CellProblem>,
    problems: Vec<CellProblem>,
}

impl Cells {
    /// Places `path` at a cell; a text's first language column keeps it.
    fn place(&mut self, path: String, grid: &Grid, row: u32, column: usize) {
        self.at.entry(path).or_insert_with(|| cell(grid, row, column, String::new()));
    }

    fn problem(&mut self, grid: &Grid, row: u32, column: usize, message: String) {
        self.problems.push(cell(grid, row, column, message));
    }

    /// The cell of `path`, or of the nearest field it is part of.
    fn of(&self, path: &str) -> Option<&CellProblem> {
        let mut path = path;
        loop {
            if let Some(cell) = self.at.get(path) {
                return Some(cell);
            }
            path = &path[..path.rfind(['.', '['])?];
        }
    }
}

fn cell(grid: &Grid, row: u32, column: usize, message: String) -> CellProblem {
    let field = if row == 1 { String::new() } else { grid.headings().get(column).cloned().unwrap_or_default() };
    CellProblem { field, ..cell_at(&grid.name, row, column, message) }
}

fn cell_at(sheet: &str, row: u32, column: usize, message: String) -> CellProblem {
    CellProblem { sheet: sheet.to_owned(), row, column: column_letters(column), field: String::new(), message }
}

/// The scenario the sheets hold, validated; every problem at its cell.
fn from_grids(grids: &[Grid], file: &str) -> Result<Imported, WorkbookError> {
    from_grids_with(grids, file, Vec::new())
}

/// [`from_grids`], with the problems found reading the sheets.
fn from_grids_with(grids: &[Grid], file: &str, found: Vec<CellProblem>) -> Result<Imported, WorkbookError> {
    let mut cells = Cells { problems: found, ..Cells::default() };
    let mut file_table = Table::new();
    let find = |name: &str| grids.iter().find(|g| g.name.trim() == name);
    let empty = |name: &str| Grid::new(name, vec![]);
    let sheet = |cells: &mut Cells, name: &str| match find(name) {
        Some(g) => g.clone(),
        None => {
            let g = empty(name);
            cells.problem(&g, 1, 0, format!("the workbook has no sheet {name}"));
            g
        }
    };
    let exercise = sheet(&mut cells, sheets::EXERCISE);
    exercise_sheet(&exercise, &mut cells, &mut file_table);
    let participants = sheet(&mut cells, sheets::PARTICIPANTS);
    let seats = rows(&participants, sheets::PARTICIPANT_COLUMNS, "participants", &mut cells);
    // Validation names a policy's fields in their table.
    for i in 0..seats.len() {
        for field in POLICY {
            if let Some(at) = cells.at.get(&format!("participants[{i}].{field}")).cloned() {
                cells.at.insert(format!("participants[{i}].policy.{field}"), at);
            }
        }
    }
    let seats: Vec<Value> = seats.into_iter().map(|(_, t)| Value::Table(participant(t))).collect();
    file_table.insert("participants".into(), Value::Array(seats));
    let stages = sheet(&mut cells, sheets::STAGES);
    let mut stage_tables = Vec::new();
    let mut numbers = BTreeMap::new();
    for (row, mut table) in rows(&stages, sheets::STAGE_COLUMNS, "stages", &mut cells) {
        let index = stage_tables.len();
        let number = stage_number(&mut table);
        if number != (index + 1).to_string() {
            let column = stages.column("stage").unwrap_or(0);
            cells.problem(
                &stages,
                row,
                column,
                format!("stages are numbered 1, 2, 3… in order: this one is stage {}", index + 1),
            );
        }
        numbers.insert(number, index);
        tasks(&mut table);
        stage_tables.push(table);
    }
    for (name, columns, key) in
        [(sheets::SLOTS, sheets::SLOT_COLUMNS, "slots"), (sheets::MSEL, sheets::MSEL_COLUMNS, "injects")]
    {
        // A scenario without injects needs no MSEL sheet.
        let g = match find(name) {
            None if name == sheets::MSEL => continue,
            _ => sheet(&mut cells, name),
        };
        let mut counts = vec![0usize; stage_tables.len()];
        for (row, mut table) in rows(&g, columns, "", &mut cells) {
            let number = stage_number(&mut table);
            let column = g.column("stage").unwrap_or(0);
            let Some(&index) = numbers.get(&number) else {
                cells.problem(&g, row, column, format!("there is no stage “{number}” on sheet {}", sheets::STAGES));
                continue;
            };
            let path = format!("stages[{index}].{key}[{}]", counts[index]);
            counts[index] += 1;
            for (c, heading) in g.headings().iter().enumerate() {
                if let Some((col, _)) = sheets::named(columns, heading) {
                    cells.place(format!("{path}.{}", col.field), &g, row, c);
                }
            }
            cells.place(path, &g, row, g.column("id").unwrap_or(0));
            let list = stage_tables[index].entry(key).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                list.push(Value::Table(table));
            }
        }
    }
    file_table.insert("stages".into(), Value::Array(stage_tables.into_iter().map(Value::Table).collect()));
    cells.place("participants".into(), &participants, 1, 0);
    cells.place("stages".into(), &stages, 1, 0);
    let toml = toml::to_string(&file_table).map_err(|e| WorkbookError::Write(e.to_string()))?;
    let parsed = scenario::parse(&toml, file);
    let mut problems = std::mem::take(&mut cells.problems);
    match parsed {
        Ok(scenario) if problems.is_empty() => return Ok(Imported { toml, scenario }),
        Ok(_) | Err(ScenarioError::Read { .. }) => {}
        Err(ScenarioError::Invalid { problems: found, .. }) => {
            for p in found {
                let mut at = cells.of(&p.field).cloned().unwrap_or_else(|| cell(&exercise, 1, 0, String::new()));
                // A cell that could not be read says so once: not again as missing.
                if problems.iter().any(|q| (&q.sheet, q.row, &q.column) == (&at.sheet, at.row, &at.column)) {
                    continue;
                }
                at.message = p.message;
                problems.push(at);
            }
        }
    }
    let order = |p: &CellProblem| {
        let sheet = sheets::ORDER.iter().position(|s| *s == p.sheet).unwrap_or(usize::MAX);
        (sheet, p.row, p.column.len(), p.column.clone())
    };
    problems.sort_by_key(order);
    Err(WorkbookError::Invalid { file: file.to_owned(), problems })
}

/// The exercise sheet: a field and its value a row.
fn exercise_sheet(g: &Grid, cells: &mut Cells, out: &mut Table) {
    for (c, heading) in g.headings().iter().enumerate() {
        if ![sheets::FIELD, sheets::VALUE].contains(&heading.trim()) && !heading.trim().is_empty() {
            cells.problem(g, 1, c, format!("no such column; the columns are {} and {}", sheets::FIELD, sheets::VALUE));
        }
    }
    let value_column = g.column(sheets::VALUE).unwrap_or(1);
    let mut deadlines = Table::new();
    let mut texts: BTreeMap<&str, Table> = BTreeMap::new();
    for (row, cells_of_row) in g.body() {
        let field = g.cell(cells_of_row, sheets::FIELD);
        let value = cells_of_row.get(value_column).map_or("", |v| v.trim_end());
        // A problem of a row's value names the row's field.
        let place = |cells: &mut Cells, path: &str| {
            let at = CellProblem { field: field.to_owned(), ..cell(g, row, value_column, String::new()) };
            cells.at.entry(path.to_owned()).or_insert(at);
        };
        if let Some(text) =
            sheets::EXERCISE_TEXTS.iter().find(|t| field.strip_prefix(**t).is_some_and(|l| l.starts_with('.')))
        {
            let language = &field[text.len() + 1..];
            if !words::is_tag(language) {
                cells.problem(g, row, 0, format!("`{language}` is not a language tag (such as ru, en, kk)"));
            } else if !value.trim().is_empty() {
                texts.entry(text).or_default().insert(language.into(), Value::String(value.into()));
            }
            place(cells, text);
            continue;
        }
        if !sheets::EXERCISE_FIELDS.contains(&field) {
            let known =
                [&sheets::EXERCISE_FIELDS[..], &["title.<language>", "description.<language>"]].concat().join(", ");
            cells.problem(g, row, 0, format!("no such field; the fields are {known}"));
            continue;
        }
        place(cells, field);
        if value.trim().is_empty() {
            continue;
        }
        match field {
            "time_scale" => match value.trim().parse::<f64>() {
                Ok(scale) => {
                    out.insert(field.into(), Value::Float(scale));
                }
                Err(_) => cells.problem(g, row, value_column, format!("`{value}` is not a number")),
            },
            deadline if deadline.starts_with("deadlines.") => {
                deadlines.insert(deadline["deadlines.".len()..].into(), Value::String(value.trim().into()));
            }
            _ => {
                out.insert(field.into(), Value::String(value.trim().into()));
            }
        }
    }
    for (text, by_language) in texts {
        out.insert(text.into(), Value::Table(by_language));
    }
    if !deadlines.is_empty() {
        out.insert("deadlines".into(), Value::Table(deadlines));
    }
}

/// Every row of a sheet as the fields it gives (texts a table by language), with its row number;
/// each field's cell placed under `prefix[i]` (no placing when `prefix` is empty).
fn rows(g: &Grid, columns: &[Column], prefix: &str, cells: &mut Cells) -> Vec<(u32, Table)> {
    let mut named = Vec::new();
    for (c, heading) in g.headings().iter().enumerate() {
        match sheets::named(columns, heading) {
            Some(found) => named.push((c, found)),
            None if heading.trim().is_empty() => {}
            None => {
                let known: Vec<String> = columns
                    .iter()
                    .map(|c| if c.kind == Kind::Text { format!("{}.<language>", c.field) } else { c.field.to_owned() })
                    .collect();
                cells.problem(g, 1, c, format!("no such column; the columns are {}", known.join(", ")));
            }
        }
    }
    let mut out = Vec::new();
    for (i, (row, values)) in g.body().enumerate() {
        let mut table = Table::new();
        for &(c, (column, language)) in &named {
            let value = values.get(c).map_or("", |v| v.trim_end());
            if !prefix.is_empty() {
                cells.place(format!("{prefix}[{i}].{}", column.field), g, row, c);
            }
            if value.trim().is_empty() {
                continue;
            }
            let parsed = match column.kind {
                Kind::Text => {
                    let by = table.entry(column.field).or_insert_with(|| Value::Table(Table::new()));
                    if let (Value::Table(by), Some(language)) = (by, language) {
                        by.insert(language.into(), Value::String(value.trim_start().into()));
                    }
                    continue;
                }
                Kind::List => Value::Array(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| Value::String(v.into()))
                        .collect(),
                ),
                Kind::Flag => match value.trim().to_lowercase().as_str() {
                    "true" | "yes" => Value::Boolean(true),
                    "false" | "no" => Value::Boolean(false),
                    _ => {
                        cells.problem(g, row, c, format!("`{value}` is neither true nor false"));
                        continue;
                    }
                },
                Kind::Plain | Kind::Choice(_) => Value::String(value.trim().into()),
            };
            table.insert(column.field.into(), parsed);
        }
        if !prefix.is_empty() {
            cells.place(format!("{prefix}[{i}]"), g, row, named.first().map_or(0, |(c, _)| *c));
        }
        out.push((row, table));
    }
    out
}

/// The stage a row of a sheet says it is of (`"2"`), taken out of its fields.
fn stage_number(row: &mut Table) -> String {
    row.remove("stage").and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The participants sheet's columns that the file writes in a participant's `policy`.
const POLICY: [&str; 6] = ["answer_delay", "gives_positions", "non_concur_first_version", "abstain", "object", "skip"];

/// A participant row as the file writes it: its policy's fields in their table.
fn participant(mut row: Table) -> Table {
    let mut policy = Table::new();
    for field in POLICY {
        if let Some(value) = row.remove(field) {
            policy.insert(field.into(), value);
        }
    }
    if !policy.is_empty() {
        row.insert("policy".into(), Value::Table(policy));
    }
    row
}

/// A stage's tasks, one a line in each language, as the file writes them: a text each.
fn tasks(stage: &mut Table) {
    let Some(Value::Table(by_language)) = stage.remove("tasks") else { return };
    let lines: Vec<(String, Vec<String>)> = by_language
        .into_iter()
        .filter_map(|(language, text)| Some((language, text.as_str()?.lines().map(str::to_owned).collect())))
        .collect();
    let count = lines.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    let tasks = (0..count)
        .map(|i| {
            let mut task = Table::new();
            for (language, lines) in &lines {
                if let Some(line) = lines.get(i).filter(|l| !l.trim().is_empty()) {
                    task.insert(language.clone(), Value::String(line.clone()));
                }
            }
            Value::Table(task)
        })
        .collect();
    stage.insert("tasks".into(), Value::Array(tasks));
}
