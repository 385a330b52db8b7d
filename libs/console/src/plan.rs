//! The plan the planner prepares at the console: a workbook (`.xlsx`), a scenario file (`.toml`)
//! or an MSEL alone (`.csv`, into the exercise's scenario) uploaded and read as a scenario, every
//! problem listed where it is; valid and played by the exercise's own seats, it can be handed
//! to the director, whose start then carries it.

use std::time::SystemTime;

use words::Message;
use workbook::{CellProblem, Imported, WorkbookError};

/// What an upload came to.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The file's name as uploaded.
    pub file: String,
    /// The scenario it amounts to, or what is wrong with it.
    pub read: Result<Imported, Problems>,
    /// When it was handed to the director, if it was.
    pub handed: Option<SystemTime>,
}

/// What is wrong with an upload.
#[derive(Debug, Clone, PartialEq)]
pub enum Problems {
    /// A workbook's or an MSEL's, each at its sheet, row and column.
    Cells(Vec<CellProblem>),
    /// A scenario file's, each at its line.
    Lines(Vec<scenario::Problem>),
    /// A valid plan that another set of seats would play: identities are issued for seats.
    OtherSeats,
    /// Not a file a plan is read from, and why (a message of the catalogues).
    Unreadable(Message),
}

impl Prepared {
    /// The plan, when it can be handed over.
    pub fn ready(&self) -> Option<&Imported> {
        self.read.as_ref().ok()
    }

    /// The plan once handed to the director.
    pub fn handed(&self) -> Option<&Imported> {
        self.handed.and(self.ready())
    }
}

/// Reads an upload called `file` as a plan for an exercise given `own`.
pub fn read(file: &str, bytes: &[u8], own: Option<&scenario::Scenario>) -> Prepared {
    let read = imported(file, bytes, own).and_then(|plan| match own {
        Some(own) if own.participants != plan.scenario.participants => Err(Problems::OtherSeats),
        // The director's start carries it: it must fit a message, with room for the rest.
        _ if plan.toml.len() > bus::envelope::Limits::default().max_message_bytes * 3 / 4 => {
            Err(Problems::Unreadable(Message::new("plan-too-large").with("size", plan.toml.len() / 1024)))
        }
        _ => Ok(plan),
    });
    Prepared { file: file.to_owned(), read, handed: None }
}

fn imported(file: &str, bytes: &[u8], own: Option<&scenario::Scenario>) -> Result<Imported, Problems> {
    let extension = file.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default();
    let text = || String::from_utf8(bytes.to_vec()).map_err(|_| Problems::Unreadable(Message::new("plan-not-text")));
    let cells = |e: WorkbookError| match e {
        WorkbookError::Invalid { problems, .. } => Problems::Cells(problems),
        _ => Problems::Unreadable(Message::new("plan-not-a-workbook")),
    };
    match extension.as_str() {
        "xlsx" => workbook::import(bytes, file).map_err(cells),
        "csv" => match own {
            Some(own) => workbook::import_msel(&text()?, file, own).map_err(cells),
            None => Err(Problems::Unreadable(Message::new("plan-msel-without-scenario"))),
        },
        "toml" => {
            let toml = text()?;
            match scenario::parse(&toml, file) {
                Ok(scenario) => Ok(Imported { toml, scenario }),
                Err(scenario::ScenarioError::Invalid { problems, .. }) => Err(Problems::Lines(problems)),
                Err(_) => Err(Problems::Unreadable(Message::new("plan-not-text"))),
            }
        }
        _ => Err(Problems::Unreadable(Message::new("plan-what-files"))),
    }
}
