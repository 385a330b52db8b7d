//! The scenario file as serde reads it. Every field is optional here so that validation can
//! report all missing and wrong fields at once, each with its line.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A text for people: a plain string, in the scenario's language, or one per language
/// (`title = { ru = "…", en = "…" }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextFile {
    /// In the scenario's language.
    Plain(String),
    /// By language tag.
    ByLanguage(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for TextFile {
    fn deserialize<D: serde::Deserializer<'de>>(from: D) -> Result<TextFile, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = TextFile;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, or a table of strings by language (`{ ru = \"…\", en = \"…\" }`)")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<TextFile, E> {
                Ok(TextFile::Plain(text.to_owned()))
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<TextFile, M::Error> {
                let mut texts = BTreeMap::new();
                while let Some((language, text)) = map.next_entry::<String, String>()? {
                    texts.insert(language, text);
                }
                Ok(TextFile::ByLanguage(texts))
            }
        }
        from.deserialize_any(Visitor)
    }
}

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScenarioFile {
    /// The language of its plain texts (`ru`); English when not given.
    pub language: Option<String>,
    /// Title, for people.
    pub title: Option<TextFile>,
    /// What the exercise is about.
    pub description: Option<TextFile>,
    /// Exercise time of the start as the director writes it (e.g. `2025-03-17 09:00 MSK`); for reports.
    pub starts: Option<String>,
    /// Exercise seconds per wall second.
    pub time_scale: Option<f64>,
    /// `consensus` or `silence`.
    pub decision_rule: Option<String>,
    /// Deadlines of the phases around the stages.
    pub deadlines: Option<DeadlinesFile>,
    /// Everyone who takes part.
    pub participants: Vec<ParticipantFile>,
    /// The stages, in order.
    pub stages: Vec<StageFile>,
}

/// Phase deadlines, as exercise time after the start.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeadlinesFile {
    /// Assembly closes.
    pub assembly: Option<String>,
    /// Deployment and communications checks close.
    pub deployment: Option<String>,
    /// Receipts of the package are due.
    pub distribution: Option<String>,
}

/// One participant.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ParticipantFile {
    /// Role token, e.g. `control_point`.
    pub role: Option<String>,
    /// Node id, e.g. `BY`.
    pub node: Option<String>,
    /// Name for people.
    pub name: Option<TextFile>,
    /// Whether assembly waits for it (default true).
    pub mandatory: Option<bool>,
    /// Declared absent: it will not answer.
    pub absent: Option<bool>,
    /// `nats` (default) or `grpc`.
    pub transport: Option<String>,
    /// `policy` (default: the automated participant) or `person` (through the console).
    pub played_by: Option<String>,
    /// How the automated participant behaves.
    pub policy: Option<PolicyFile>,
}

/// An automated participant's behaviour.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PolicyFile {
    /// Slots whose first draft version this state does not concur with.
    pub non_concur_first_version: Vec<String>,
    /// Slots this state stands aside on.
    pub abstain: Vec<String>,
    /// Slots this state objects to in every version.
    pub object: Vec<String>,
    /// Slots a drafting body leaves empty, or a state gives no position on.
    pub skip: Vec<String>,
    /// Exercise time the participant takes to answer.
    pub answer_delay: Option<String>,
    /// A guest gives positions on drafts only when this is true.
    pub gives_positions: Option<bool>,
}

/// One stage.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StageFile {
    /// Title.
    pub title: Option<TextFile>,
    /// Region of collective security.
    pub region: Option<TextFile>,
    /// The situation.
    pub situation: Option<TextFile>,
    /// Tasks to work out.
    pub tasks: Vec<TextFile>,
    /// When the stage closes for consideration, exercise time after the start.
    pub closes: Option<String>,
    /// Slots for draft decisions.
    pub slots: Vec<SlotFile>,
    /// Injects that develop the situation during the stage (the master scenario events list).
    pub injects: Vec<InjectFile>,
}

/// One inject.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InjectFile {
    /// Unique id, e.g. `i1-01`.
    pub id: Option<String>,
    /// When it is released: exercise time after its stage opens (`2h30m`), or `by hand`.
    pub at: Option<String>,
    /// Who it speaks as (a press agency, a body, a state); exercise control when not given.
    pub from: Option<TextFile>,
    /// The node ids of the seats it goes to; every participant when not given.
    pub to: Option<Vec<String>>,
    /// What it says.
    pub text: Option<TextFile>,
    /// What it expects of its recipients, if anything.
    pub expects: Option<TextFile>,
    /// The slot of its stage it bears on, if any.
    pub slot: Option<String>,
    /// The exercise objective it serves, if any.
    pub objective: Option<TextFile>,
}

/// One slot.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SlotFile {
    /// Unique id, e.g. `s1-01`.
    pub id: Option<String>,
    /// Title of the decision.
    pub title: Option<TextFile>,
    /// Owning drafting body's role token.
    pub owner: Option<String>,
    /// Category token.
    pub category: Option<String>,
}
