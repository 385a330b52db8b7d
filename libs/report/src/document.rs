//! The report as a document, written once: its sections in order, each made of headings,
//! paragraphs, tables and lists. [`crate::html`] and [`crate::markdown`] each say how a piece is
//! written (and how participants' text is escaped), so the two can never drift apart in what they
//! say; only the page adds a drawing of the timeline.

use std::time::Duration;

use scenario::calendar;

use crate::model::{Answer, Report, SlotRecord, When, is_state};

/// A piece of running text.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Text as it is (escaped by the writer).
    Text(String),
    /// An identifier or digest, set as code.
    Code(String),
    /// Stressed.
    Strong(String),
    /// Said in passing (a day and hour beside a date).
    Muted(String),
    /// A state's position on one version, with the reasons it gave.
    Position { version: u32, kind: String, reasons: Vec<String> },
    /// A line break.
    Break,
}

/// One cell of a table: its text, and for the page a class (its colour) and a title (a tooltip).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// Its text.
    pub parts: Vec<Part>,
    /// A class for colour (`adopted`, `non_concur`, …); empty for none.
    pub class: String,
    /// Said on hover; empty for nothing.
    pub title: String,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { parts: vec![Part::Text(text)], ..Cell::default() }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::from(text.to_owned())
    }
}

/// How a document is written.
pub trait Writer {
    /// A heading of `level` (1 the title), with an anchor to link to.
    fn heading(&mut self, level: u8, text: &str, anchor: Option<&str>);
    /// A paragraph.
    fn paragraph(&mut self, parts: &[Part]);
    /// A table with its header row.
    fn table(&mut self, header: &[&str], rows: &[Vec<Cell>]);
    /// A list of items.
    fn list(&mut self, items: &[Vec<Part>]);
    /// The phases drawn along exercise time, where the medium can draw.
    fn timeline(&mut self, report: &Report);
    /// A draft's comment-resolution matrix.
    fn comments(&mut self, slot: &SlotRecord);
}

fn text(s: impl Into<String>) -> Part {
    Part::Text(s.into())
}

fn when(w: &When) -> Vec<Part> {
    if w.at == w.day {
        vec![text(&w.at)]
    } else {
        vec![text(format!("{} ", w.at)), Part::Muted(format!("({})", w.day))]
    }
}

fn after(a: Option<&Answer>) -> Cell {
    Cell::from(a.map_or("—".into(), |a| format!("after {}", a.after)))
}

fn none_or(list: Vec<String>) -> String {
    if list.is_empty() { "none".into() } else { list.join(", ") }
}

/// Writes `r` through `w`, section by section.
pub fn write(r: &Report, w: &mut impl Writer) {
    w.heading(1, &format!("After-action report: {}", r.title), None);
    let starts = if r.starts.is_empty() { String::new() } else { format!(" · started {}", r.starts) };
    w.paragraph(&[
        text("Exercise "),
        Part::Code(r.exercise.clone()),
        text(format!(
            "{starts} · decision rule: {} · {} events · {} of exercise time in {:.1} s wall time (time scale {}×)",
            r.decision_rule,
            r.events,
            r.exercise_span,
            r.wall_ms as f64 / 1000.0,
            r.time_scale
        )),
    ]);
    let t = &r.totals;
    w.paragraph(&[
        Part::Strong(if t.concluded { "Concluded" } else { "Not concluded" }.into()),
        text(format!(
            " · {} slots considered: {} adopted, {} returned, {} without a draft · {} revisions · {} positions",
            t.considered, t.adopted, t.returned, t.no_draft, t.revisions, t.positions
        )),
    ]);
    summary(r, w);
    timeline(r, w);
    participants(r, w);
    let states: Vec<&str> = r.participants.iter().filter(|p| is_state(&p.role)).map(|p| p.node.as_str()).collect();
    for s in &r.stages {
        stage(s, &states, w);
    }
    answer_times(r, w);
    package(r, w);
}

fn summary(r: &Report, w: &mut impl Writer) {
    w.heading(2, "Summary", None);
    let rows: Vec<Vec<Cell>> = r
        .stages
        .iter()
        .map(|s| {
            let count = |o: &str| s.slots.iter().filter(|x| x.outcome == o).count().to_string();
            let revised = s.slots.iter().filter(|x| x.versions.len() > 1).count();
            vec![
                s.number.to_string().into(),
                s.title.as_str().into(),
                s.slots.len().to_string().into(),
                count("adopted").into(),
                count("returned").into(),
                count("no_draft").into(),
                revised.to_string().into(),
            ]
        })
        .collect();
    w.table(&["stage", "title", "slots", "adopted", "returned", "no draft", "revised drafts"], &rows);
}

fn timeline(r: &Report, w: &mut impl Writer) {
    w.heading(2, "Timeline", None);
    w.timeline(r);
    let rows: Vec<Vec<Cell>> = r
        .timeline
        .iter()
        .map(|e| {
            vec![
                e.when.at.as_str().into(),
                e.when.day.as_str().into(),
                format!("{:.2}", e.when.wall_ms as f64 / 1000.0).into(),
                e.what.as_str().into(),
            ]
        })
        .collect();
    w.table(&["exercise time", "day", "wall (s)", "what"], &rows);
}

fn participants(r: &Report, w: &mut impl Writer) {
    w.heading(2, "Participants", None);
    let rows: Vec<Vec<Cell>> = r
        .participants
        .iter()
        .map(|p| {
            vec![
                p.node.as_str().into(),
                p.name.as_str().into(),
                p.role.as_str().into(),
                format!("{}{}", p.played_by, if p.remote { ", over gRPC" } else { "" }).into(),
                after(p.assembly.as_ref()),
                after(p.activation.as_ref()),
            ]
        })
        .collect();
    w.table(&["node", "name", "role", "played by", "assembly report", "activation"], &rows);
    w.paragraph(&[
        Part::Strong("Absent".into()),
        text(format!(" (silent when assembly closed): {}", none_or(r.absent.clone()))),
    ]);
}

fn stage(s: &crate::model::StageRecord, states: &[&str], w: &mut impl Writer) {
    w.heading(2, &format!("Stage {}: {}", s.number, s.title), None);
    let mut opened = vec![text(format!("Region: {}", s.region)), Part::Break];
    match &s.opened {
        Some(at) => {
            opened.push(text("Opened "));
            opened.extend(when(at));
        }
        None => opened.push(text("Never opened")),
    }
    opened.push(text(" · deadline "));
    opened.extend(when(&s.closes));
    w.paragraph(&opened);
    let assessed = s.assessments.iter().map(|a| format!("{} (after {})", a.node, a.after)).collect();
    w.paragraph(&[text(format!("Situation assessments: {}", none_or(assessed)))]);
    let mut header = vec!["slot", "title", "body", "versions"];
    header.extend(states);
    header.push("outcome");
    let rows: Vec<Vec<Cell>> = s.slots.iter().map(|slot| matrix_row(slot, states)).collect();
    w.table(&header, &rows);
    let mut items = Vec::new();
    for slot in &s.slots {
        for v in &slot.versions {
            for (state, p) in v.positions.iter().filter(|(_, p)| p.kind == "non_concur") {
                items.push(vec![text(format!(
                    "{} v{}: {state} did not concur: {}",
                    slot.id,
                    v.version,
                    p.reasons.join("; ")
                ))]);
            }
            if !v.change_summary.is_empty() {
                items.push(vec![text(format!("{} v{}: revised; {}", slot.id, v.version, v.change_summary))]);
            }
        }
    }
    w.list(&items);
    for slot in s.slots.iter().filter(|slot| !slot.comments.is_empty()) {
        w.heading(4, &format!("Comment resolution: {}", slot.id), Some(&format!("comments-{}", slot.id)));
        w.comments(slot);
    }
}

/// A slot's row of the draft × state matrix: each state's position on every version, coloured by
/// its last (silent when it gave none).
fn matrix_row(slot: &SlotRecord, states: &[&str]) -> Vec<Cell> {
    let mut row: Vec<Cell> = vec![
        slot.id.as_str().into(),
        slot.title.as_str().into(),
        slot.body.as_str().into(),
        slot.versions.len().to_string().into(),
    ];
    for st in states {
        let last = slot.versions.iter().rev().find_map(|v| v.positions.get(*st).map(|p| p.kind.clone()));
        let class = match (slot.versions.is_empty(), last) {
            (true, _) => String::new(),
            (false, None) => "silent".into(),
            (false, Some(kind)) => kind,
        };
        let mut parts = Vec::new();
        for v in &slot.versions {
            if !parts.is_empty() {
                parts.push(Part::Break);
            }
            parts.push(match v.positions.get(*st) {
                Some(p) => Part::Position { version: v.version, kind: p.kind.clone(), reasons: p.reasons.clone() },
                None => text(format!("v{}: no position", v.version)),
            });
        }
        if parts.is_empty() {
            parts.push(text("—"));
        }
        row.push(Cell { parts, class, title: String::new() });
    }
    let outcome = if slot.outcome.is_empty() { "not considered" } else { slot.outcome.as_str() };
    row.push(Cell { parts: vec![text(outcome)], class: slot.outcome.clone(), title: slot.reason.clone() });
    row
}

fn answer_times(r: &Report, w: &mut impl Writer) {
    w.heading(2, "Answer times of the states", None);
    w.paragraph(&[Part::Muted(
        "Exercise time from what asked for the answer (the notification, the deployment order, the stage's opening, \
         the draft version's circulation, the package) to the answer, pauses not counted; wall time beside it."
            .into(),
    )]);
    let span = |s: u64| calendar::span(Duration::from_secs(s));
    let rows: Vec<Vec<Cell>> = r
        .answer_times
        .iter()
        .map(|a| {
            vec![
                a.node.as_str().into(),
                a.answers.to_string().into(),
                span(a.median_s).into(),
                span(a.max_s).into(),
                a.median_wall_ms.to_string().into(),
            ]
        })
        .collect();
    w.table(&["state", "answers", "median", "slowest", "median wall (ms)"], &rows);
}

fn package(r: &Report, w: &mut impl Writer) {
    w.heading(2, "Package as sent", None);
    let Some(p) = &r.package else {
        w.paragraph(&[text("No package was communicated.")]);
        return;
    };
    let mut said =
        vec![text("Package "), Part::Code(p.package_id.clone()), text(", SHA-256 "), Part::Code(p.digest.clone())];
    said.push(text(format!(", {} drafts, sent ", p.items.len())));
    said.extend(when(&p.sent));
    said.push(text("."));
    w.paragraph(&said);
    let rows: Vec<Vec<Cell>> = p
        .items
        .iter()
        .map(|i| {
            vec![
                i.stage.to_string().into(),
                i.slot.as_str().into(),
                i.version.to_string().into(),
                i.title.as_str().into(),
                Cell { parts: vec![text(&i.outcome)], class: i.outcome.clone(), title: String::new() },
            ]
        })
        .collect();
    w.table(&["stage", "slot", "version", "title", "outcome"], &rows);
    let receipts = r.receipts.iter().map(|a| format!("{} (after {})", a.node, a.after)).collect();
    w.paragraph(&[text(format!("Receipts confirmed: {}", none_or(receipts)))]);
}
