//! Workbooks written and read back: the same scenario, and every problem at its cell.

use scenario::{Scenario, Sketch};

use crate::error::{CellProblem, WorkbookError};
use crate::sheets;
use crate::write::{grids, workbook};
use crate::{export, export_msel, import, import_msel};

fn default_scenario() -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/cst-2025.toml");
    scenario::load(std::path::Path::new(path)).expect("the default scenario")
}

/// Two stages with injects in two languages: timed, by hand, from a body, to some seats, on a slot.
fn with_injects() -> Scenario {
    let text = Sketch::new("007")
        .language("ru")
        .deadlines("1h", "2h", "30h")
        .participant("joint_staff", "js", &["name = { ru = \"Объединённый штаб\", en = \"Joint Staff\" }"])
        .state("BY", &["policy = { object = [\"x1\"], answer_delay = \"20m\" }", "played_by = \"person\""])
        .state("RU", &["transport = \"grpc\""])
        .participant("guest", "atc", &["mandatory = false", "policy = { gives_positions = true }"])
        .stage("10h", &[("x1", "joint_staff")])
        .inject("i1", "2h", &["BY"])
        .inject("i2", "by hand", &[])
        .stage("20h", &[("y1", "joint_staff")])
        .toml()
        + "\n[[stages.injects]]\nid = \"i3\"\nat = \"1h30m\"\nfrom = { ru = \"ТАСС\", en = \"TASS\" }\nto = [\"RU\", \"BY\"]\n\
           text = { ru = \"Граница закрыта\\nна сутки\", en = \"The border is closed\\nfor a day\" }\n\
           expects = { ru = \"Доложить\" }\nslot = \"y1\"\nobjective = \"Связь\"\n";
    scenario::parse(&text, "007.toml").expect("valid")
}

/// What a scenario says, leaving out where in its file each untranslated text was.
fn said(s: &Scenario) -> Scenario {
    let mut s = s.clone();
    s.digest.clear();
    for p in &mut s.untranslated {
        p.line = 0;
    }
    s.untranslated.sort_by(|a, b| a.field.cmp(&b.field));
    s
}

#[test]
fn a_scenario_goes_to_a_workbook_and_back_unchanged() {
    for original in [default_scenario(), with_injects()] {
        let bytes = export(&original).expect("written");
        let imported = import(&bytes, "plan.xlsx").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(said(&imported.scenario), said(&original));
        // And again, from what the first import wrote.
        let again = import(&export(&imported.scenario).expect("written"), "plan.xlsx").expect("read");
        assert_eq!(again.toml, imported.toml, "a second round trip changes nothing");
    }
}

#[test]
fn the_msel_travels_alone_as_csv() {
    let original = with_injects();
    let csv = export_msel(&original).expect("written");
    assert!(csv.starts_with("stage,id,at,from.ru,from.en,to,text.ru,text.en,"), "{csv}");
    let mut base = original.clone();
    base.stages.iter_mut().for_each(|s| s.injects.clear());
    let imported = import_msel(&csv, "msel.csv", &base).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(said(&imported.scenario), said(&original));
    let wrong = csv.replace("i3,1h30m", "i3,90 minutes");
    let Err(WorkbookError::Invalid { problems, .. }) = import_msel(&wrong, "msel.csv", &base) else {
        panic!("a time that is not one is refused")
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].sheet.as_str(), problems[0].row, problems[0].column.as_str()), ("MSEL", 4, "C"));
}

fn edit(grids: &mut [crate::Grid], sheet: &str, row: usize, heading: &str, value: &str) {
    let grid = grids.iter_mut().find(|g| g.name == sheet).expect("the sheet");
    let column = grid.column(heading).expect("the column");
    grid.rows[row - 1][column] = value.into();
}

#[test]
fn every_problem_of_a_workbook_is_named_by_sheet_row_and_column_at_once() {
    let mut sheets = grids(&with_injects());
    edit(&mut sheets, sheets::MSEL, 3, "at", "soon");
    edit(&mut sheets, sheets::PARTICIPANTS, 5, "role", "general");
    edit(&mut sheets, sheets::PARTICIPANTS, 2, "mandatory", "perhaps");
    edit(&mut sheets, sheets::SLOTS, 2, "category", "weapons");
    edit(&mut sheets, sheets::MSEL, 4, "to", "RU, XX");
    sheets.iter_mut().find(|g| g.name == sheets::STAGES).expect("stages").rows[0].push("weather".into());
    let bytes = workbook(&sheets).expect("written");
    let Err(WorkbookError::Invalid { file, problems }) = import(&bytes, "plan.xlsx") else { panic!("refused") };
    let at = |p: &CellProblem| format!("{} {}{} {}", p.sheet, p.column, p.row, p.field);
    let places: Vec<String> = problems.iter().map(at).collect();
    assert_eq!(
        places,
        [
            "Participants E2 mandatory",
            "Participants B5 role",
            "Stages K1 ",
            "Slots D2 category",
            "MSEL C3 at",
            "MSEL F4 to",
        ],
        "{problems:#?}"
    );
    let text = WorkbookError::Invalid { file, problems }.to_string();
    for said in [
        "plan.xlsx: sheet MSEL, row 3, column C (at): `soon` is not a duration",
        "plan.xlsx: sheet Participants, row 2, column E (mandatory): `perhaps` is neither true nor false",
        "plan.xlsx: sheet Slots, row 2, column D (category): ",
        "plan.xlsx: sheet Stages, row 1, column K: no such column",
        "`XX` is not a participant",
    ] {
        assert!(text.contains(said), "{said:?} in:\n{text}");
    }
}

#[test]
fn what_is_not_a_workbook_is_refused_as_such() {
    let Err(WorkbookError::Read { file, reason }) = import(b"title = \"x\"", "plan.xlsx") else { panic!() };
    assert_eq!(file, "plan.xlsx");
    assert!(reason.contains("not a workbook"), "{reason}");
}

#[test]
fn a_workbook_whose_last_cell_is_far_away_is_refused_without_reading_its_emptiness() {
    let mut sheets = grids(&with_injects());
    // The last cell a spreadsheet has: a sheet that size, read whole, would be billions of cells.
    let msel = sheets.iter_mut().find(|g| g.name == sheets::MSEL).expect("msel");
    msel.rows.resize(1_048_576, Vec::new());
    msel.rows[1_048_575] = vec![String::new(); 16_384];
    msel.rows[1_048_575][16_383] = "far".into();
    let bytes = workbook(&sheets).expect("written");
    let Err(WorkbookError::Invalid { problems, .. }) = import(&bytes, "far.xlsx") else { panic!("refused") };
    let far: Vec<&CellProblem> = problems.iter().filter(|p| p.message.contains("at most")).collect();
    assert_eq!(far.len(), 1, "{problems:?}");
    assert_eq!((far[0].sheet.as_str(), far[0].row), ("MSEL", 100_001));
}
