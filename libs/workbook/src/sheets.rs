//! The workbook's layout, in one place: its sheets, their columns (a text has one per language,
//! `title.en`, `title.ru`), and the values a column takes when it takes one of a few.

use bus::Role;
use scenario::{Category, DraftingBody};

/// The exercise as a whole: one row per field, its value beside it.
pub const EXERCISE: &str = "Exercise";
/// Everyone who takes part: one row each.
pub const PARTICIPANTS: &str = "Participants";
/// The stages: one row each, in order.
pub const STAGES: &str = "Stages";
/// The slots of every stage: one row each.
pub const SLOTS: &str = "Slots";
/// The master scenario events list: one row an inject.
pub const MSEL: &str = "MSEL";

/// The sheets in the order a workbook holds them, and its problems are listed in.
pub const ORDER: [&str; 5] = [EXERCISE, PARTICIPANTS, STAGES, SLOTS, MSEL];

/// The headings of the exercise sheet.
pub const FIELD: &str = "field";
/// The column of the exercise sheet's values.
pub const VALUE: &str = "value";

/// The exercise sheet's texts.
pub const EXERCISE_TEXTS: [&str; 2] = ["title", "description"];
/// The exercise sheet's other fields, in order after its texts.
pub const EXERCISE_FIELDS: [&str; 7] = [
    "language",
    "starts",
    "time_scale",
    "decision_rule",
    "deadlines.assembly",
    "deadlines.deployment",
    "deadlines.distribution",
];

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text or a number.
    Plain,
    /// A text, one column per language.
    Text,
    /// Several values, separated by commas (`RU, BY`).
    List,
    /// `true` or `false`.
    Flag,
    /// One of a few tokens.
    Choice(Choices),
}

/// The columns that take one of a few tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    /// A participant's role.
    Role,
    /// How a participant reaches the exercise.
    Transport,
    /// Who plays a seat.
    PlayedBy,
    /// A drafting body.
    Owner,
    /// A slot's category.
    Category,
    /// The decision rule.
    Rule,
}

impl Choices {
    /// The tokens, in the order a drop-down offers them.
    pub fn tokens(self) -> Vec<&'static str> {
        match self {
            Choices::Role => [Role::ControlPoint, Role::JointStaff, Role::Secretariat, Role::Guest, Role::Observer]
                .iter()
                .map(|r| r.token())
                .collect(),
            Choices::Transport => vec!["nats", "grpc"],
            Choices::PlayedBy => vec!["policy", "person"],
            Choices::Owner => DraftingBody::ALL.iter().map(|b| b.token()).collect(),
            Choices::Category => Category::ALL.iter().map(|c| c.token()).collect(),
            Choices::Rule => vec!["consensus", "silence"],
        }
    }
}

/// One column of a sheet: the field it holds and what kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The field, as the scenario file names it (`answer_delay`); a text's heading adds its language.
    pub field: &'static str,
    /// What it holds.
    pub kind: Kind,
}

const fn column(field: &'static str, kind: Kind) -> Column {
    Column { field, kind }
}

/// The participants sheet's columns.
pub const PARTICIPANT_COLUMNS: &[Column] = &[
    column("node", Kind::Plain),
    column("role", Kind::Choice(Choices::Role)),
    column("name", Kind::Text),
    column("mandatory", Kind::Flag),
    column("absent", Kind::Flag),
    column("transport", Kind::Choice(Choices::Transport)),
    column("played_by", Kind::Choice(Choices::PlayedBy)),
    column("answer_delay", Kind::Plain),
    column("gives_positions", Kind::Flag),
    column("non_concur_first_version", Kind::List),
    column("abstain", Kind::List),
    column("object", Kind::List),
    column("skip", Kind::List),
];

/// The stages sheet's columns (`tasks`: one task a line).
pub const STAGE_COLUMNS: &[Column] = &[
    column("stage", Kind::Plain),
    column("title", Kind::Text),
    column("region", Kind::Text),
    column("situation", Kind::Text),
    column("tasks", Kind::Text),
    column("closes", Kind::Plain),
];

/// The slots sheet's columns.
pub const SLOT_COLUMNS: &[Column] = &[
    column("stage", Kind::Plain),
    column("id", Kind::Plain),
    column("owner", Kind::Choice(Choices::Owner)),
    column("category", Kind::Choice(Choices::Category)),
    column("title", Kind::Text),
];

/// The MSEL sheet's columns.
pub const MSEL_COLUMNS: &[Column] = &[
    column("stage", Kind::Plain),
    column("id", Kind::Plain),
    column("at", Kind::Plain),
    column("from", Kind::Text),
    column("to", Kind::List),
    column("text", Kind::Text),
    column("expects", Kind::Text),
    column("slot", Kind::Plain),
    column("objective", Kind::Text),
];

/// A text field's heading in `language` (`title.ru`).
pub fn heading(field: &str, language: &str) -> String {
    format!("{field}.{language}")
}

/// The headings of `columns`, a text's once per language.
pub fn headings(columns: &[Column], languages: &[String]) -> Vec<String> {
    columns
        .iter()
        .flat_map(|c| match c.kind {
            Kind::Text => languages.iter().map(|l| heading(c.field, l)).collect(),
            _ => vec![c.field.to_owned()],
        })
        .collect()
}

/// The column a heading names, and for a text, its language; `None` for a heading the sheet has
/// no column for.
pub fn named<'h>(columns: &[Column], heading: &'h str) -> Option<(Column, Option<&'h str>)> {
    let heading = heading.trim();
    if let Some(c) = columns.iter().find(|c| c.field == heading && c.kind != Kind::Text) {
        return Some((*c, None));
    }
    let (field, language) = heading.rsplit_once('.')?;
    let c = columns.iter().find(|c| c.field == field && c.kind == Kind::Text)?;
    words::is_tag(language).then_some((*c, Some(language)))
}

/// The columns of the sheet called `name` (none for the exercise sheet, a field a row).
pub fn columns_of(name: &str) -> &'static [Column] {
    match name {
        PARTICIPANTS => PARTICIPANT_COLUMNS,
        STAGES => STAGE_COLUMNS,
        SLOTS => SLOT_COLUMNS,
        MSEL => MSEL_COLUMNS,
        _ => &[],
    }
}
