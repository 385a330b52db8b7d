//! The report as a document, written once: its sections in order, each made of headings,
//! paragraphs, tables, lists and quoted texts. [`crate::html`] and [`crate::markdown`] each say how
//! a piece is written (and how participants' text is escaped), so the two can never drift apart in
//! what they say; only the page adds a drawing of the timeline.
//!
//! The model keeps machine tokens (`no_draft`, `control_point`) for programs; everything written
//! here is in words, in the report's language, through the `*_words` functions of [`crate::terms`]
//! and the message catalogues (`words`).

use std::time::Duration;

use scenario::calendar::{self, Calendar};
use words::{Arg, Lang};

use crate::model::{Answer, InjectRecord, Report, SlotRecord, StageRecord, VersionRecord, When, is_state};
pub use crate::terms::*;

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
    /// Text as its author wrote it in another language than the report's (`language`): marked
    /// `(RU)`, so that a reader knows it is not a translation.
    Written { text: String, language: String },
    /// A line break.
    Break,
}

/// One cell of a table: its text, and for the page a class (its colour) and a title (a tooltip).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    /// Its text.
    pub parts: Vec<Part>,
    /// A class for colour (`adopted`, `non-concur`, …; see [`fn@class`]); empty for none.
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
    /// A text as its author wrote it (a draft, a situation), line breaks kept, set apart from the
    /// report's own words; `language` is the one it is written in when not the report's (marked),
    /// else empty. Never empty.
    fn quote(&mut self, text: &str, language: &str);
    /// A table with its header row.
    fn table(&mut self, header: &[String], rows: &[Vec<Cell>]);
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

/// What a participant wrote in `language`: as it is in the report's language, marked in another.
fn written(lang: Lang, said: impl Into<String>, language: &str) -> Part {
    match words::other_language(lang, language) {
        "" => Part::Text(said.into()),
        other => Part::Written { text: said.into(), language: other.to_owned() },
    }
}

fn when(w: &When) -> Vec<Part> {
    if w.at == w.day {
        vec![text(&w.at)]
    } else {
        vec![text(format!("{} ", w.at)), Part::Muted(format!("({})", w.day))]
    }
}

/// How long an answer took (`after 30 min`).
fn after_words(lang: Lang, a: &Answer) -> String {
    words::say_with(lang, "aar-after", &[("span", Arg::from(a.after.as_str()))])
}

fn after(lang: Lang, a: Option<&Answer>) -> Cell {
    Cell::from(a.map_or("—".into(), |a| after_words(lang, a)))
}

/// The states as the per-state tables show them: in scenario order, each marked when recorded absent.
struct States<'a> {
    lang: Lang,
    nodes: Vec<&'a str>,
    absent: &'a [String],
}

impl States<'_> {
    fn is_absent(&self, state: &str) -> bool {
        self.absent.iter().any(|a| a == state)
    }

    /// What a state that gave no position is said to have done.
    fn missing(&self, state: &str) -> String {
        if self.is_absent(state) { words::say(self.lang, "absent") } else { words::say(self.lang, "aar-no-position") }
    }
}

/// Writes `r` through `w`, section by section, in the report's language.
pub fn write(r: &Report, w: &mut impl Writer) {
    let lang = r.lang;
    w.heading(1, &words::say_with(lang, "aar-title", &[("title", Arg::from(r.title.as_str()))]), None);
    let mut facts = Vec::new();
    if !r.starts.is_empty() {
        // The scenario's own text and the date as the language writes it: each language says one.
        let date = Calendar::parse(&r.starts).map_or_else(|_| r.starts.clone(), |c| c.at_in(lang, Duration::ZERO));
        let args = [("starts", Arg::from(r.starts.as_str())), ("date", Arg::from(date))];
        facts.push(words::say_with(lang, "aar-started", &args));
    }
    facts.push(words::say_with(lang, "aar-rule", &[("rule", Arg::from(r.decision_rule.as_str()))]));
    facts.push(words::say_with(lang, "count-events", &[("count", Arg::from(r.events))]));
    let time = [
        ("span", Arg::from(r.exercise_span.as_str())),
        ("wall", Arg::from(words::decimal(lang, r.wall_ms as f64 / 1000.0, 1))),
        ("scale", Arg::from(words::number(lang, r.time_scale))),
    ];
    facts.push(words::say_with(lang, "aar-time", &time));
    let mut about = vec![
        text(format!("{} ", words::say(lang, "aar-exercise"))),
        Part::Code(r.exercise.clone()),
        text(format!(" · {}", facts.join(" · "))),
    ];
    // Which version of the plan was played.
    if !r.scenario_digest.is_empty() {
        about.extend([
            text(format!(" · {} ", words::say(lang, "aar-scenario-digest"))),
            Part::Code(r.scenario_digest.clone()),
        ]);
    }
    w.paragraph(&about);
    let t = &r.totals;
    let considered = [
        ("count", Arg::from(t.considered)),
        ("adopted", Arg::from(t.adopted)),
        ("returned", Arg::from(t.returned)),
        ("nodraft", Arg::from(t.no_draft)),
    ];
    let concluded = if t.concluded { words::say(lang, "aar-concluded") } else { words::say(lang, "aar-not-concluded") };
    w.paragraph(&[
        Part::Strong(concluded),
        text(format!(
            " · {} · {} · {}",
            words::say_with(lang, "aar-considered", &considered),
            words::say_with(lang, "count-revisions", &[("count", Arg::from(t.revisions))]),
            words::say_with(lang, "count-positions", &[("count", Arg::from(t.positions))]),
        )),
    ]);
    summary(r, w);
    timeline(r, w);
    participants(r, w);
    let states = States {
        lang,
        nodes: r.participants.iter().filter(|p| is_state(&p.role)).map(|p| p.node.as_str()).collect(),
        absent: &r.absent,
    };
    for s in &r.stages {
        stage(s, &states, w);
    }
    answer_times(r, w);
    package(r, w);
}

fn summary(r: &Report, w: &mut impl Writer) {
    let lang = r.lang;
    w.heading(2, &words::say(lang, "aar-summary"), Some("report-summary"));
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
    let header = [
        words::say(lang, "aar-column-stage"),
        words::say(lang, "aar-column-title"),
        words::say(lang, "aar-column-slots"),
        words::say(lang, "aar-column-adopted"),
        words::say(lang, "aar-column-returned"),
        words::say(lang, "aar-column-no-draft"),
        words::say(lang, "aar-column-revised"),
    ];
    w.table(&header, &rows);
}

fn timeline(r: &Report, w: &mut impl Writer) {
    let lang = r.lang;
    w.heading(2, &words::say(lang, "aar-timeline"), Some("report-timeline"));
    w.timeline(r);
    let rows: Vec<Vec<Cell>> = r
        .timeline
        .iter()
        .map(|e| {
            vec![
                e.when.at.as_str().into(),
                e.when.day.as_str().into(),
                words::decimal(lang, e.when.wall_ms as f64 / 1000.0, 2).into(),
                e.what.as_str().into(),
            ]
        })
        .collect();
    let header = [
        words::say(lang, "aar-column-exercise-time"),
        words::say(lang, "aar-column-day"),
        words::say(lang, "aar-column-wall-s"),
        words::say(lang, "aar-column-what"),
    ];
    w.table(&header, &rows);
}

fn participants(r: &Report, w: &mut impl Writer) {
    let lang = r.lang;
    w.heading(2, &words::say(lang, "aar-participants"), Some("report-participants"));
    let rows: Vec<Vec<Cell>> = r
        .participants
        .iter()
        .map(|p| {
            let played_by = match p.played_by.as_str() {
                "person" => words::say(lang, "aar-person"),
                _ => words::say(lang, "aar-automated"),
            };
            vec![
                p.node.as_str().into(),
                p.name.as_str().into(),
                role_words(lang, &p.role).into(),
                played_by.into(),
                transport_words(lang, p.remote).into(),
                after(lang, p.assembly.as_ref()),
                after(lang, p.activation.as_ref()),
            ]
        })
        .collect();
    let header = [
        words::say(lang, "aar-column-node"),
        words::say(lang, "aar-column-name"),
        words::say(lang, "aar-column-role"),
        words::say(lang, "aar-column-played-by"),
        words::say(lang, "aar-column-took-part"),
        words::say(lang, "aar-column-assembly"),
        words::say(lang, "aar-column-activation"),
    ];
    w.table(&header, &rows);
    let why = words::say_with(lang, "aar-absent-why", &[("list", Arg::from(listed(lang, &r.absent)))]);
    w.paragraph(&[Part::Strong(words::say(lang, "aar-absent")), text(format!(" {why}"))]);
}

fn stage(s: &StageRecord, states: &States<'_>, w: &mut impl Writer) {
    let lang = states.lang;
    let heading = [("stage", Arg::from(s.number)), ("title", Arg::from(s.title.as_str()))];
    w.heading(2, &words::say_with(lang, "aar-stage-heading", &heading), Some(&format!("report-stage-{}", s.number)));
    let region = words::say_with(lang, "aar-stage-region", &[("region", Arg::from(s.region.as_str()))]);
    let mut opened = vec![text(region), Part::Break];
    match &s.opened {
        Some(at) => {
            opened.push(text(format!("{} ", words::say(lang, "aar-stage-opened"))));
            opened.extend(when(at));
        }
        None => opened.push(text(words::say(lang, "aar-stage-never-opened"))),
    }
    opened.push(text(format!(" · {} ", words::say(lang, "aar-stage-deadline"))));
    opened.extend(when(&s.closes));
    w.paragraph(&opened);
    w.heading(3, &words::say(lang, "aar-stage-situation"), None);
    quote_or(&s.situation, &s.situation_language, &words::say(lang, "aar-stage-no-situation"), w);
    w.heading(3, &words::say(lang, "aar-stage-tasks"), None);
    if s.tasks.is_empty() {
        w.paragraph(&[Part::Muted(words::say(lang, "aar-stage-no-tasks"))]);
    } else {
        w.list(&s.tasks.iter().map(|t| vec![text(t)]).collect::<Vec<_>>());
    }
    let assessed: Vec<String> =
        s.assessments.iter().map(|a| format!("{} ({})", a.node, after_words(lang, a))).collect();
    let assessed = words::say_with(lang, "aar-stage-assessments", &[("list", Arg::from(listed(lang, &assessed)))]);
    w.paragraph(&[text(assessed)]);
    if !s.injects.is_empty() {
        w.heading(3, &words::say(lang, "aar-stage-injects"), None);
        for i in &s.injects {
            inject(lang, i, w);
        }
    }
    w.heading(3, &words::say(lang, "aar-stage-positions"), None);
    let mut header = vec![
        words::say(lang, "aar-column-slot"),
        words::say(lang, "aar-column-title"),
        words::say(lang, "aar-column-body"),
        words::say(lang, "aar-column-versions"),
    ];
    header.extend(states.nodes.iter().map(|n| n.to_string()));
    header.push(words::say(lang, "aar-column-outcome"));
    let rows: Vec<Vec<Cell>> = s.slots.iter().map(|slot| matrix_row(slot, states)).collect();
    w.table(&header, &rows);
    let mut objections = Vec::new();
    for slot in &s.slots {
        for v in &slot.versions {
            for (state, p) in v.positions.iter().filter(|(_, p)| p.kind == "non_concur") {
                let args = [
                    ("slot", Arg::from(slot.id.as_str())),
                    ("version", Arg::from(v.version)),
                    ("state", Arg::from(state.as_str())),
                    ("reasons", Arg::from(p.reasons.join("; "))),
                ];
                objections.push(vec![text(words::say_with(lang, "aar-stage-objection", &args))]);
            }
        }
    }
    w.list(&objections);
    w.heading(3, &words::say(lang, "aar-stage-drafts"), None);
    for slot in &s.slots {
        draft(slot, states, w);
    }
}

/// One inject: when it was due and released, from whom to whom, what it said and expected, who
/// acknowledged it how soon.
fn inject(lang: Lang, i: &InjectRecord, w: &mut impl Writer) {
    let mut head = vec![Part::Code(i.id.clone())];
    if !i.from.is_empty() {
        head.push(text(format!(
            " · {}",
            words::say_with(lang, "aar-inject-from", &[("from", Arg::from(i.from.as_str()))])
        )));
    }
    if let Some(due) = &i.due {
        head.push(text(format!(" · {} ", words::say(lang, "aar-inject-due"))));
        head.extend(when(due));
    }
    match &i.released {
        Some(at) => {
            let how = match i.release.as_str() {
                "by_hand" => words::say(lang, "aar-inject-by-hand"),
                "written" => words::say(lang, "aar-inject-written"),
                _ => words::say(lang, "aar-inject-at-its-time"),
            };
            head.push(text(format!(" · {how} ")));
            head.extend(when(at));
        }
        None => head.push(text(format!(" · {}", words::say(lang, "aar-inject-never")))),
    }
    w.paragraph(&head);
    w.quote(&i.text, &i.text_language);
    if !i.expects.is_empty() {
        let expects = words::say_with(lang, "aar-inject-expects", &[("expects", Arg::from(i.expects.as_str()))]);
        w.paragraph(&[text(expects)]);
    }
    if !i.objective.is_empty() {
        let objective =
            words::say_with(lang, "aar-inject-objective", &[("objective", Arg::from(i.objective.as_str()))]);
        w.paragraph(&[text(objective)]);
    }
    let (acknowledged, silent): (Vec<_>, Vec<_>) = i.recipients.iter().partition(|r| r.acknowledged.is_some());
    let acknowledged: Vec<String> = acknowledged
        .iter()
        .filter_map(|r| Some(format!("{} ({})", r.node, after_words(lang, r.acknowledged.as_ref()?))))
        .collect();
    let silent: Vec<String> = silent.iter().map(|r| r.node.clone()).collect();
    let mut parts = vec![text(words::say_with(
        lang,
        "aar-inject-acknowledged",
        &[("list", Arg::from(listed(lang, &acknowledged)))],
    ))];
    if i.released.is_some() && !silent.is_empty() {
        let not = words::say_with(lang, "aar-inject-not-acknowledged", &[("list", Arg::from(listed(lang, &silent)))]);
        parts.push(text(format!(" · {not}")));
    }
    w.paragraph(&parts);
}

fn quote_or(said: &str, language: &str, nothing: &str, w: &mut impl Writer) {
    if said.trim().is_empty() {
        w.paragraph(&[Part::Muted(nothing.into())]);
    } else {
        w.quote(said, language);
    }
}

/// A slot's draft, version by version: its text, what each revision changed, and who said what.
fn draft(slot: &SlotRecord, states: &States<'_>, w: &mut impl Writer) {
    let lang = states.lang;
    w.heading(4, &format!("{}: {}", slot.id, slot.title), Some(&format!("draft-{}", slot.id)));
    let made = [("category", Arg::from(slot.category.as_str())), ("body", Arg::from(slot.body.as_str()))];
    let mut said = vec![text(format!("{} · ", words::say_with(lang, "aar-draft-made", &made)))];
    said.push(Part::Strong(outcome_words(lang, &slot.outcome)));
    if !slot.reason.is_empty() {
        said.push(text(format!(": {}", slot.reason)));
    }
    w.paragraph(&said);
    if slot.versions.is_empty() {
        w.paragraph(&[Part::Muted(words::say(lang, "aar-draft-none"))]);
    }
    for v in &slot.versions {
        version(slot, v, states, w);
    }
    if !slot.comments.is_empty() {
        let heading = words::say_with(lang, "aar-draft-comments", &[("slot", Arg::from(slot.id.as_str()))]);
        w.heading(4, &heading, Some(&format!("comments-{}", slot.id)));
        w.comments(slot);
    }
}

fn version(slot: &SlotRecord, v: &VersionRecord, states: &States<'_>, w: &mut impl Writer) {
    let lang = states.lang;
    let anchor = format!("{}-v{}", slot.id, v.version);
    let heading = [
        ("slot", Arg::from(slot.id.as_str())),
        ("version", Arg::from(v.version)),
        ("title", Arg::from(words::marked(lang, &v.title, &v.language))),
    ];
    w.heading(5, &words::say_with(lang, "aar-version-heading", &heading), Some(&anchor));
    let circulated = match v.version {
        1 => words::say(lang, "aar-circulated"),
        _ => words::say(lang, "aar-revision-circulated"),
    };
    let mut circulated = vec![text(format!("{circulated} "))];
    circulated.extend(when(&v.circulated));
    w.paragraph(&circulated);
    if !v.change_summary.is_empty() {
        let changed = words::say(lang, "aar-changed");
        w.paragraph(&[Part::Strong(changed), text(" "), written(lang, v.change_summary.as_str(), &v.language)]);
    }
    quote_or(&v.text, words::other_language(lang, &v.language), &words::say(lang, "aar-no-text"), w);
    // Who said what, grouped by answer; states first, then any other participant that answered.
    let others = v.positions.keys().map(String::as_str).filter(|n| !states.nodes.contains(n));
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for node in states.nodes.iter().copied().chain(others) {
        let said = v.positions.get(node).map_or_else(|| states.missing(node), |p| position_words(lang, &p.kind));
        match groups.iter_mut().find(|(g, _)| *g == said) {
            Some((_, nodes)) => nodes.push(node),
            None => groups.push((said, vec![node])),
        }
    }
    let grouped: Vec<String> = groups.iter().map(|(said, nodes)| format!("{said}: {}", nodes.join(", "))).collect();
    // Each group lists its states with commas, so the groups are set apart otherwise.
    let grouped = if grouped.is_empty() { words::say(lang, "none") } else { grouped.join(" · ") };
    let positions = [("version", Arg::from(v.version)), ("groups", Arg::from(grouped))];
    w.paragraph(&[text(words::say_with(lang, "aar-positions-on", &positions))]);
    let reasons: Vec<Vec<Part>> = v
        .positions
        .iter()
        .filter(|(_, p)| !p.reasons.is_empty())
        .map(|(node, p)| {
            vec![
                text(format!("{node} ({}): ", position_words(lang, &p.kind))),
                written(lang, p.reasons.join("; "), &p.language),
            ]
        })
        .collect();
    w.list(&reasons);
}

/// A slot's row of the draft × state matrix: each state's position on every version, coloured by
/// its last (silent when it gave none, absent when it was recorded absent).
fn matrix_row(slot: &SlotRecord, states: &States<'_>) -> Vec<Cell> {
    let lang = states.lang;
    let mut row: Vec<Cell> = vec![
        slot.id.as_str().into(),
        slot.title.as_str().into(),
        slot.body.as_str().into(),
        slot.versions.len().to_string().into(),
    ];
    for st in &states.nodes {
        let last = slot.versions.iter().rev().find_map(|v| v.positions.get(*st).map(|p| class(&p.kind)));
        let class = match (slot.versions.is_empty(), last) {
            (true, _) => String::new(),
            (false, None) if states.is_absent(st) => "absent".into(),
            (false, None) => "silent".into(),
            (false, Some(kind)) => kind,
        };
        let mut parts = Vec::new();
        if class == "absent" {
            parts.push(text(states.missing(st)));
        }
        for v in slot.versions.iter().filter(|_| class != "absent") {
            if !parts.is_empty() {
                parts.push(Part::Break);
            }
            parts.push(match v.positions.get(*st) {
                Some(p) => Part::Position { version: v.version, kind: p.kind.clone(), reasons: p.reasons.clone() },
                None => text(format!("{}: {}", version_words(lang, v.version), states.missing(st))),
            });
        }
        if parts.is_empty() {
            parts.push(text("—"));
        }
        row.push(Cell { parts, class, title: String::new() });
    }
    let outcome = outcome_words(lang, &slot.outcome);
    row.push(Cell { parts: vec![text(outcome)], class: class(&slot.outcome), title: slot.reason.clone() });
    row
}

fn answer_times(r: &Report, w: &mut impl Writer) {
    let lang = r.lang;
    w.heading(2, &words::say(lang, "aar-answer-times"), Some("report-answer-times"));
    w.paragraph(&[Part::Muted(words::say(lang, "aar-answer-times-why"))]);
    let span = |s: u64| calendar::span_in(lang, Duration::from_secs(s));
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
    let header = [
        words::say(lang, "aar-column-state"),
        words::say(lang, "aar-column-answers"),
        words::say(lang, "aar-column-median"),
        words::say(lang, "aar-column-slowest"),
        words::say(lang, "aar-column-median-wall"),
    ];
    w.table(&header, &rows);
}

fn package(r: &Report, w: &mut impl Writer) {
    let lang = r.lang;
    w.heading(2, &words::say(lang, "aar-package"), Some("report-package"));
    let Some(p) = &r.package else {
        w.paragraph(&[text(words::say(lang, "aar-no-package"))]);
        return;
    };
    let mut said = vec![
        text(format!("{} ", words::say(lang, "aar-package-sent"))),
        Part::Code(p.package_id.clone()),
        text(", SHA-256 "),
        Part::Code(p.digest.clone()),
    ];
    let drafts = words::say_with(lang, "count-drafts", &[("count", Arg::from(p.items.len()))]);
    said.push(text(format!(", {drafts}, {} ", words::say(lang, "aar-package-at"))));
    said.extend(when(&p.sent));
    said.push(text("."));
    w.paragraph(&said);
    let rows: Vec<Vec<Cell>> = p
        .items
        .iter()
        .map(|i| {
            let outcome = outcome_words(lang, &i.outcome);
            vec![
                i.stage.to_string().into(),
                i.slot.as_str().into(),
                i.version.to_string().into(),
                i.title.as_str().into(),
                Cell { parts: vec![text(outcome)], class: class(&i.outcome), title: String::new() },
            ]
        })
        .collect();
    let header = [
        words::say(lang, "aar-column-stage"),
        words::say(lang, "aar-column-slot"),
        words::say(lang, "aar-column-version"),
        words::say(lang, "aar-column-title"),
        words::say(lang, "aar-column-outcome"),
    ];
    w.table(&header, &rows);
    let receipts: Vec<String> = r.receipts.iter().map(|a| format!("{} ({})", a.node, after_words(lang, a))).collect();
    let receipts = words::say_with(lang, "aar-receipts", &[("list", Arg::from(listed(lang, &receipts)))]);
    w.paragraph(&[text(receipts)]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fixture, model};

    /// Writes what it is asked to, one line a piece, so tests can read the document's order.
    #[derive(Default)]
    struct Outline(Vec<String>);

    fn plain(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Part::Text(t) | Part::Code(t) | Part::Strong(t) | Part::Muted(t) => t.clone(),
                Part::Written { text, language } => format!("{text} {}", words::mark(language)),
                Part::Position { version, kind, .. } => {
                    format!("v{version}: {}", position_words(Lang::default(), kind))
                }
                Part::Break => " / ".into(),
            })
            .collect()
    }

    impl Writer for Outline {
        fn heading(&mut self, level: u8, text: &str, _: Option<&str>) {
            self.0.push(format!("h{level} {text}"));
        }
        fn paragraph(&mut self, parts: &[Part]) {
            self.0.push(format!("p {}", plain(parts)));
        }
        fn quote(&mut self, text: &str, language: &str) {
            let mark = if language.is_empty() { String::new() } else { format!("{} ", words::mark(language)) };
            self.0.push(format!("quote {mark}{text}"));
        }
        fn table(&mut self, _: &[String], rows: &[Vec<Cell>]) {
            for row in rows {
                self.0.push(format!("row {}", row.iter().map(|c| plain(&c.parts)).collect::<Vec<_>>().join(" | ")));
            }
        }
        fn list(&mut self, items: &[Vec<Part>]) {
            self.0.extend(items.iter().map(|i| format!("li {}", plain(i))));
        }
        fn timeline(&mut self, _: &Report) {}
        fn comments(&mut self, _: &SlotRecord) {}
    }

    fn outline() -> Vec<String> {
        let mut o = Outline::default();
        write(&model::build("ex", &fixture::record()), &mut o);
        o.0
    }

    fn place(outline: &[String], line: &str) -> usize {
        outline.iter().position(|l| l == line).unwrap_or_else(|| panic!("no `{line}` in {outline:#?}"))
    }

    #[test]
    fn each_stage_says_its_situation_and_tasks_under_its_heading_before_its_drafts() {
        let o = outline();
        let (stage1, stage2) = (place(&o, "h2 Stage 1: stage 1"), place(&o, "h2 Stage 2: stage 2"));
        let situation = place(&o, &format!("quote {}", fixture::SITUATION));
        let task = place(&o, "li Arrange its financing");
        let drafts = place(&o, "h3 Drafts");
        assert!(stage1 < situation && situation < task && task < drafts && drafts < stage2, "{o:#?}");
        // Stage 2's situation is the sketch's.
        assert!(o[stage2..].iter().any(|l| l == "quote s"), "{o:#?}");
    }

    #[test]
    fn each_version_of_a_draft_says_its_text_what_changed_and_who_said_what() {
        let o = outline();
        let v1 = place(&o, "h5 x1 v1: decision x1");
        let v2 = place(&o, "h5 x1 v2: decision x1");
        assert_eq!(o[v1 + 2], format!("quote {}", fixture::LONG_TEXT));
        assert_eq!(
            o[v1 + 3],
            "p Positions on v1: non-concur: BY · concur with remarks: KZ · no position: TJ · absent: AM"
        );
        assert!(o[v1..v2].contains(&"li BY (non-concur): too costly".to_string()), "{o:#?}");
        assert_eq!(o[v2 + 2], "p What changed: costs shared among the states");
        assert_eq!(o[v2 + 3], "quote The Council decides to deploy the grouping; costs shared.");
        let x3 = place(&o, "h4 x3: decision x3");
        assert_eq!(
            o[x3 + 1],
            "p military-technical assistance · drafted by the Secretariat · no draft: no draft was submitted"
        );
        assert_eq!(o[x3 + 2], "p No draft was submitted.");
    }

    #[test]
    fn a_state_recorded_absent_is_absent_and_a_present_one_that_said_nothing_has_no_position() {
        let o = outline();
        let row = o.iter().find(|l| l.starts_with("row x1 | decision x1")).expect("x1's row");
        // States in scenario order: BY, KZ, TJ, AM.
        assert!(
            row.ends_with("| v1: non-concur / v2: concur | v1: concur with remarks / v2: concur | v1: no position / v2: no position | absent | adopted"),
            "{row}"
        );
        let groups = o.iter().filter_map(|l| l.strip_prefix("p Positions on ")).flat_map(|l| l.split(" · "));
        let silent: Vec<&str> = groups.filter(|g| g.contains("no position")).collect();
        assert!(!silent.is_empty() && silent.iter().all(|g| !g.contains("AM")), "{silent:?}");
    }

    #[test]
    fn participants_are_said_in_words() {
        let o = outline();
        assert!(o.contains(&"row KZ | KZ | national control point | automated | remote, through its national node | after 30 min | —".into()), "{o:#?}");
        assert!(o.iter().any(|l| l.starts_with("row js | js | Joint Staff | automated | at headquarters")), "{o:#?}");
    }
}
