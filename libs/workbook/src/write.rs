//! A scenario written out: as sheets of text ([`grids`]), then as a workbook with headings that
//! stay in view, wrapped texts and a drop-down list wherever a column takes one of a few values.

use rust_xlsxwriter::{DataValidation, Format, FormatAlign, Workbook, Worksheet};
use scenario::duration;
use scenario::{DecisionRule, Inject, Release, Scenario, Transport};
use words::Text;

use crate::error::WorkbookError;
use crate::grid::Grid;
use crate::sheets::{self, Column, Kind};

/// How many rows below the headings a drop-down list covers: room for what planners add.
const ROWS_OFFERED: u32 = 1000;

/// The scenario as a workbook (`.xlsx`), its bytes.
pub fn export(scenario: &Scenario) -> Result<Vec<u8>, WorkbookError> {
    workbook(&grids(scenario))
}

/// Sheets of text (as [`grids`] writes them, edited perhaps) as a workbook, its bytes.
pub fn workbook(grids: &[Grid]) -> Result<Vec<u8>, WorkbookError> {
    let wrong = |e: rust_xlsxwriter::XlsxError| WorkbookError::Write(e.to_string());
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for grid in grids {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&grid.name).map_err(wrong)?;
        for (r, row) in grid.rows.iter().enumerate() {
            let r = u32::try_from(r).map_err(|e| WorkbookError::Write(e.to_string()))?;
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|e| WorkbookError::Write(e.to_string()))?;
                let numeric = r > 0 && is_number(grid, r, c) && cell.parse::<f64>().is_ok_and(f64::is_finite);
                match (r, cell.parse::<f64>()) {
                    (0, _) => sheet.write_string_with_format(r, c, cell, &bold),
                    (_, Ok(number)) if numeric => sheet.write_number(r, c, number),
                    _ => sheet.write_string_with_format(r, c, cell, &wrapped),
                }
                .map_err(wrong)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(wrong)?;
        lay_out(sheet, grid, sheets::columns_of(&grid.name)).map_err(wrong)?;
    }
    workbook.save_to_buffer().map_err(wrong)
}

/// The MSEL sheet alone, as CSV.
pub fn export_msel(scenario: &Scenario) -> Result<String, WorkbookError> {
    msel(scenario).to_csv().map_err(WorkbookError::Write)
}

/// The numbers people type as numbers: stage numbers, the time scale; a text that reads as a
/// number (`007`) stays text.
fn is_number(grid: &Grid, r: u32, c: u16) -> bool {
    if grid.name == sheets::EXERCISE {
        let field = grid.rows.get(r as usize).and_then(|row| row.first()).map_or("", String::as_str);
        return c == 1 && field == "time_scale";
    }
    grid.headings().get(usize::from(c)).is_some_and(|h| h == "stage")
}

/// Column widths, and the drop-down lists.
fn lay_out(sheet: &mut Worksheet, grid: &Grid, columns: &[Column]) -> Result<(), rust_xlsxwriter::XlsxError> {
    if grid.name == sheets::EXERCISE {
        sheet.set_column_width(0, 24)?;
        sheet.set_column_width(1, 80)?;
        if let Some(row) = grid.rows.iter().position(|r| r.first().map(String::as_str) == Some("decision_rule")) {
            let row = u32::try_from(row).unwrap_or(u32::MAX);
            let rules = DataValidation::new().allow_list_strings(&sheets::Choices::Rule.tokens())?;
            sheet.add_data_validation(row, 1, row, 1, &rules)?;
        }
        return Ok(());
    }
    for (c, heading) in grid.headings().iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        let Some((column, _)) = sheets::named(columns, heading) else { continue };
        let width = match column.kind {
            Kind::Text => 40.0,
            Kind::List => 24.0,
            _ => 16.0,
        };
        sheet.set_column_width(c, width)?;
        let choices = match column.kind {
            Kind::Flag => vec!["true", "false"],
            Kind::Choice(choices) => choices.tokens(),
            _ => continue,
        };
        let list = DataValidation::new().allow_list_strings(&choices)?;
        sheet.add_data_validation(1, c, ROWS_OFFERED, c, &list)?;
    }
    Ok(())
}

/// The scenario as sheets of text, one a sheet of its workbook.
pub fn grids(scenario: &Scenario) -> Vec<Grid> {
    vec![exercise(scenario), participants(scenario), stages(scenario), slots(scenario), msel(scenario)]
}

/// A text's cells, one per language.
fn text(text: &Text, languages: &[String]) -> Vec<String> {
    languages.iter().map(|l| text.get(l).unwrap_or_default().to_owned()).collect()
}

fn flag(value: bool) -> String {
    value.to_string()
}

fn list(values: &[String]) -> String {
    values.join(", ")
}

fn exercise(s: &Scenario) -> Grid {
    let mut grid = Grid::new(sheets::EXERCISE, vec![sheets::FIELD.into(), sheets::VALUE.into()]);
    grid.rows.push(vec!["language".into(), s.language.clone()]);
    for (field, value) in [("title", &s.title), ("description", &s.description)] {
        for language in &s.languages {
            grid.rows.push(vec![sheets::heading(field, language), value.get(language).unwrap_or_default().into()]);
        }
    }
    let rule = match s.decision_rule {
        DecisionRule::Consensus => "consensus",
        DecisionRule::Silence => "silence",
    };
    for (field, value) in [
        ("starts", s.starts.clone()),
        ("time_scale", s.time_scale.to_string()),
        ("decision_rule", rule.into()),
        ("deadlines.assembly", duration::format(s.assembly_deadline)),
        ("deadlines.deployment", duration::format(s.deployment_deadline)),
        ("deadlines.distribution", duration::format(s.distribution_deadline)),
    ] {
        grid.rows.push(vec![field.into(), value]);
    }
    grid
}

fn participants(s: &Scenario) -> Grid {
    let columns = sheets::PARTICIPANT_COLUMNS;
    let mut grid = Grid::new(sheets::PARTICIPANTS, sheets::headings(columns, &s.languages));
    for p in &s.participants {
        let mut row = vec![p.node.to_string(), p.role.token().into()];
        row.extend(text(&p.name, &s.languages));
        let delay =
            if p.policy.answer_delay.is_zero() { String::new() } else { duration::format(p.policy.answer_delay) };
        let transport = match p.transport {
            Transport::Nats => "nats",
            Transport::Grpc => "grpc",
        };
        row.extend([
            flag(p.mandatory),
            flag(p.absent),
            transport.into(),
            p.played_by.token().into(),
            delay,
            flag(p.policy.gives_positions),
            list(&p.policy.non_concur_first_version),
            list(&p.policy.abstain),
            list(&p.policy.object),
            list(&p.policy.skip),
        ]);
        grid.rows.push(row);
    }
    grid
}

fn stages(s: &Scenario) -> Grid {
    let columns = sheets::STAGE_COLUMNS;
    let mut grid = Grid::new(sheets::STAGES, sheets::headings(columns, &s.languages));
    for stage in &s.stages {
        let mut row = vec![stage.number.to_string()];
        for t in [&stage.title, &stage.region, &stage.situation] {
            row.extend(text(t, &s.languages));
        }
        // One task a line, in each language.
        row.extend(s.languages.iter().map(|l| {
            let lines: Vec<&str> = stage.tasks.iter().map(|t| t.get(l).unwrap_or_default()).collect();
            lines.join("\n")
        }));
        row.push(duration::format(stage.closes_at));
        grid.rows.push(row);
    }
    grid
}

fn slots(s: &Scenario) -> Grid {
    let columns = sheets::SLOT_COLUMNS;
    let mut grid = Grid::new(sheets::SLOTS, sheets::headings(columns, &s.languages));
    for (stage, slot) in s.slots() {
        let mut row = vec![stage.to_string(), slot.id.clone(), slot.owner.token().into(), slot.category.token().into()];
        row.extend(text(&slot.title, &s.languages));
        grid.rows.push(row);
    }
    grid
}

fn msel(s: &Scenario) -> Grid {
    let columns = sheets::MSEL_COLUMNS;
    let mut grid = Grid::new(sheets::MSEL, sheets::headings(columns, &s.languages));
    for stage in &s.stages {
        for inject in &stage.injects {
            grid.rows.push(inject_row(stage.number, inject, &s.languages));
        }
    }
    grid
}

fn inject_row(stage: u32, i: &Inject, languages: &[String]) -> Vec<String> {
    let at = match i.release {
        Release::After(after) => duration::format(after),
        Release::ByHand => scenario::model::BY_HAND.into(),
    };
    let mut row = vec![stage.to_string(), i.id.clone(), at];
    row.extend(i.from.as_ref().map_or_else(|| vec![String::new(); languages.len()], |f| text(f, languages)));
    row.push(i.to.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
    row.extend(text(&i.text, languages));
    row.extend(text(&i.expects, languages));
    row.push(i.slot.clone().unwrap_or_default());
    row.extend(text(&i.objective, languages));
    row
}
