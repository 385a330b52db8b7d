//! The pages, rendered on the server from the record (maud escapes every value). Every page says
//! what is awaited of its seat and by when; its regions marked `data-live` (status, the seat's
//! work, the timeline) are refreshed by the small script when the live link brings an event,
//! unless the person is typing in one. Every form is
//! a plain POST that works without JavaScript; a position or status is never shown by colour
//! alone (each has a word and a mark).

use bus::text::{MAX_DRAFT_TEXT, MAX_TEXT};
use std::time::SystemTime;

use bus::{ExerciseId, NodeId, Role};
use maud::{DOCTYPE, Markup, html};
use proto::v1::{self as wire, PositionKind};
use record::{Awaited, Phase, Record, Task};

use crate::auth::{Kept, Said};
use crate::diff::{self, Change};
use crate::feed;
use crate::live::Log;

/// What a seat does at the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Exercise control.
    Director,
    /// The Joint Staff or the Secretariat.
    Drafting,
    /// A national delegation (or a guest that gives positions).
    State,
    /// An observer (or a guest that gives none): reads the board.
    Board,
}

/// Everything a seat's page shows.
#[derive(Debug)]
pub struct View<'a> {
    /// The exercise.
    pub exercise: &'a ExerciseId,
    /// Its log and record.
    pub log: &'a Log,
    /// The signed-in seat.
    pub seat: &'a NodeId,
    /// What it does.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// What became of the last form, if anything.
    pub said: Option<Said>,
    /// The last refused form as typed, shown again in its form.
    pub kept: Option<Kept>,
    /// The communications-check token the seat was sent, if any.
    pub token: Option<String>,
    /// The scenario's title and description before the notification (after it, the plan's).
    pub preview: Option<(&'a str, &'a str)>,
    /// Now, for the time left.
    pub now: SystemTime,
    /// What the current window awaits of whom (asked of the record once per page).
    pub awaited: Vec<Awaited>,
    /// Before the start, for the director: each seat of the scenario, where it is played, and
    /// whether it is ready.
    pub seats: Vec<(&'a scenario::Participant, &'static str, crate::ready::Seat)>,
    /// The names of the seats not ready.
    pub empty: Vec<String>,
    /// Names this rendering's forms: a form sent twice is one submission, a form sent again
    /// from a fresh page (after a refusal, corrected) is a new one.
    pub nonce: String,
}

const CSS: &str = "/assets/console.css";
const JS: &str = "/assets/console.js";

/// The frame of every page: the live link's banner, the header, the flash, the feed.
pub fn layout(title: &str, events: Option<(&ExerciseId, u64)>, nav: Markup, body: Markup) -> Markup {
    layout_with(title, events, nav, html! {}, body)
}

/// [`layout`], with more in the page's head.
fn layout_with(title: &str, events: Option<(&ExerciseId, u64)>, nav: Markup, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Muster" }
                link rel="stylesheet" href=(CSS);
                script src=(JS) defer {}
                (head)
            }
            body data-events=[events.map(|(ex, _)| format!("/ex/{ex}/events"))] data-last=[events.map(|(_, last)| last)] {
                a.skip href="#main" { "Skip to the content" }
                div #link-lost role="alert" hidden {
                    strong { "Live updates lost." } " This page is not being refreshed; reconnecting…"
                }
                header {
                    h1 { (title) }
                    nav aria-label="Console" { (nav) }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    }
}

fn path(exercise: &ExerciseId, seat: &NodeId, action: &str) -> String {
    format!("/ex/{exercise}/seat/{seat}/{action}")
}

/// A page of a seat of the hosted exercise.
pub fn seat(v: &View<'_>) -> Markup {
    let record = &v.log.record;
    let title = record.plan.as_ref().map(|p| p.title.as_str()).or(v.preview.map(|p| p.0)).unwrap_or("exercise");
    let nav = html! {
        a href=(format!("/ex/{}", v.exercise)) { "My seat" }
        " · " a href=(format!("/ex/{}/report", v.exercise)) { "Report" }
        @if v.kind == Kind::Director { " · " a href="/exercises" { "Every exercise" } }
        " · "
        form.inline method="post" action="/signout" { button type="submit" { "Sign out" } }
    };
    let body = html! {
        p.seat { "Signed in as " strong { (v.name) } " (" (v.seat) ") · " (title) }
        (status(v))
        @if let Some(said) = &v.said {
            p #flash role="status" class=(if said.refused { "flash refused" } else { "flash" }) { (said.text) }
        } @else {
            p #flash role="status" {}
        }
        div #stage-situation data-live { (situation(record)) }
        // One live region for the seat's work: refreshed as a whole (new tasks appear), except
        // while the person is typing in it.
        div #work data-live {
            @match v.kind {
                Kind::Director => (director(v)),
                Kind::Drafting => (drafting(v)),
                Kind::State => (state(v)),
                Kind::Board => { (assembly_form(v)) (board(v.exercise, record)) },
            }
        }
        (timeline(v.exercise, record))
        (events(v.log))
    };
    layout(&format!("{} · {}", v.name, title), Some((v.exercise, v.log.last())), nav, body)
}

/// Phase, clock, deadline and what is awaited of this seat.
fn status(v: &View<'_>) -> Markup {
    let record = &v.log.record;
    let phase = match (record.phase.phase, record.plan.as_ref()) {
        (Phase::Stage(n), Some(plan)) => {
            format!(
                "Stage {n} of {}: {}",
                plan.stages.len(),
                plan.stage(n).map(|s| s.title.as_str()).unwrap_or_default()
            )
        }
        (Phase::NotStarted, _) => "Not started: waiting for the director".into(),
        (phase, _) => capitalised(&phase.to_string()),
    };
    let now = record.exercise_now(v.now);
    let mine: Vec<&Task> = v.awaited.iter().filter(|a| &a.node == v.seat).map(|a| &a.task).collect();
    html! {
        section #status data-live aria-label="Where the exercise stands" {
            p {
                span #phase { (phase) }
                @if record.phase.paused { " " (paused_badge()) }
            }
            @if record.plan.is_some() {
                p #clock data-running[!record.phase.paused && !record.is_concluded()] { "Exercise time: " (record.when(now)) }
                @if let Some(deadline) = record.deadline() {
                    p #deadline { "This window closes " (record.when(deadline)) " — "
                        strong { (record.time_left(deadline.saturating_sub(now))) } }
                }
            }
            @if v.kind != Kind::Director && v.kind != Kind::Board || !mine.is_empty() {
                h2 { "Awaited of you" }
                @if mine.is_empty() {
                    p #awaited-mine { "Nothing is awaited of you now." }
                } @else {
                    ul #awaited-mine {
                        @for task in &mine { li { (capitalised(&task.to_string())) @if let Some(d) = record.deadline() { ", by " (record.when(d)) } } }
                    }
                }
            }
        }
    }
}

/// The mark of a paused exercise: drawn, since no font at hand is sure to hold the pause sign.
fn paused_badge() -> Markup {
    html! {
        span.badge.paused {
            svg.mark width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false" {
                rect x="2" y="1" width="3" height="10" fill="currentColor" {}
                rect x="7" y="1" width="3" height="10" fill="currentColor" {}
            }
            " PAUSED"
        }
    }
}

/// The situation and tasks of the stage open now, which every seat works on.
fn situation(record: &Record) -> Markup {
    let (Phase::Stage(n), Some(plan)) = (record.phase.phase, record.plan.as_ref()) else { return html! {} };
    let Some(stage) = plan.stage(n) else { return html! {} };
    html! {
        section #situation aria-labelledby="situation-h" {
            h2 #situation-h { "The situation, stage " (n) ": " (stage.title) }
            @if !stage.region.is_empty() { p.region { "Region: " (stage.region) } }
            p.text { (stage.situation) }
            @if !stage.tasks.is_empty() {
                h3 { "Tasks of the stage" }
                ol #tasks { @for task in &stage.tasks { li { (task) } } }
            }
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn confirm(what: &str) -> Markup {
    html! {
        label { input type="checkbox" name="confirm" value="yes" required; " I confirm: " (what) }
    }
}

/// Each seat of the scenario before the start: who is signed in, since when, and who is not.
fn readiness(v: &View<'_>) -> Markup {
    use crate::ready::Seat;
    let at = |t: SystemTime| {
        let seconds = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        format!("{:02}:{:02} UTC", seconds / 3600 % 24, seconds / 60 % 60)
    };
    html! {
        section #readiness data-live data-watch aria-labelledby="readiness-h" {
            h2 #readiness-h { "Who is at their post" }
            @if v.seats.is_empty() { p { "This console does not know the scenario's seats." } } @else {
                p { (v.seats.iter().filter(|(_, _, s)| s.ready()).count()) " of " (v.seats.len()) " seats ready." }
                table {
                    thead { tr { th scope="col" { "Seat" } th scope="col" { "Played by" } th scope="col" { "Ready" } } }
                    tbody {
                        @for (p, where_, seat) in &v.seats {
                            tr id=(format!("ready-{}", p.node)) class=(if seat.ready() { "" } else { "late" }) {
                                th scope="row" { (p.name) " (" (p.node) ")" }
                                td { (if p.played_by == scenario::PlayedBy::Person { "a person" } else { "its policy" }) ", " (where_) }
                                td { @match seat {
                                    Seat::SignedIn(since) => { "✓ signed in since " (at(*since)) }
                                    Seat::Policy(_) => "✓ running",
                                    Seat::Empty => "✗ no one signed in",
                                    Seat::Unheard => "✗ not connected",
                                    Seat::DeclaredAbsent => "− declared absent",
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the person typed in `field` of the form for `action` (a slot's form names its `slot`),
/// when that form was refused; else `default`.
fn typed<'v>(v: &'v View<'_>, action: &str, slot: Option<&str>, field: &str, default: &'v str) -> &'v str {
    v.kept.as_ref().and_then(|k| k.typed(action, slot, field)).unwrap_or(default)
}

fn director(v: &View<'_>) -> Markup {
    let record = &v.log.record;
    let phase = record.phase;
    let act = |a: &str| path(v.exercise, v.seat, a);
    let window = phase.phase.to_string();
    // A command refused is shown again as typed only for the window it was meant for.
    let reason = |action: &str, label: &str| {
        let meant = v.kept.as_ref().and_then(|k| k.fields.get("window"));
        let typed = if action == "start" || meant == Some(&window) { typed(v, action, None, "reason", "") } else { "" };
        html! { label { (label) " " input type="text" maxlength=(MAX_TEXT) name="reason" value=(typed) required; } }
    };
    html! {
        section #controls aria-labelledby="controls-h" {
            h2 #controls-h { "Exercise control" }
            @match phase.phase {
                Phase::NotStarted => {
                    @if let Some((title, description)) = v.preview {
                        p { "Scenario: " strong { (title) } }
                        p.description { (description) }
                    }
                    (readiness(v))
                    form #start-form method="post" action=(act("start")) { input type="hidden" name="nonce" value=(v.nonce);
                        (reason("start", "Why start now"))
                        (confirm("start the exercise now; its clock starts"))
                        @if !v.empty.is_empty() {
                            label.warning { input type="checkbox" name="empty_ok" value="yes" required;
                                " Start although " (v.empty.len()) (if v.empty.len() == 1 { " seat is" } else { " seats are" }) " not taken: "
                                (v.empty.join(", ")) }
                        }
                        button #start type="submit" { "Start the exercise" }
                    }
                }
                Phase::Concluded => { p { "The exercise has concluded. " a href=(format!("/ex/{}/report", v.exercise)) { "Read the report." } } }
                _ => {
                    @if phase.paused {
                        form #resume-form method="post" action=(act("resume")) { input type="hidden" name="nonce" value=(v.nonce);
                            input type="hidden" name="window" value=(window);
                            (reason("resume", "Why resume"))
                            (confirm(&format!("resume the exercise in {window}; its clock runs again")))
                            button #resume type="submit" { "Resume" }
                        }
                    } @else {
                        form #pause-form method="post" action=(act("pause")) { input type="hidden" name="nonce" value=(v.nonce);
                            input type="hidden" name="window" value=(window);
                            (reason("pause", "Why pause"))
                            (confirm(&format!("pause the exercise in {window}; no window closes while it is paused")))
                            button #pause type="submit" { "Pause" }
                        }
                    }
                    form #advance-form.danger method="post" action=(act("advance")) { input type="hidden" name="nonce" value=(v.nonce);
                        h3 { "Close " (window) " now" }
                        p { "Closes " strong { (window) } " at once, as if its deadline had passed: what has not come in by then is recorded as missing. This cannot be undone. If another window has opened by the time this arrives, nothing is closed." }
                        input type="hidden" name="window" value=(window);
                        (reason("advance", &format!("Why close {window} now")))
                        (confirm(&format!("close {window} now, as if its deadline had passed; this cannot be undone")))
                        button #advance.danger type="submit" { "Close " (window) " now" }
                    }
                }
            }
        }
        @if record.plan.is_some() {
            (awaited(record, &v.awaited))
            (dashboard(record, &v.awaited, v.now))
            (board(v.exercise, record))
        }
    }
}

fn awaited(record: &Record, awaited: &[Awaited]) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    html! {
        section #awaited aria-labelledby="awaited-h" {
            h2 #awaited-h { "Awaited in this window" }
            @if awaited.is_empty() { p { "Nothing: the window may close." } } @else {
                table {
                    thead { tr { th scope="col" { "Seat" } th scope="col" { "Awaited" } } }
                    tbody {
                        @for p in &plan.participants {
                            @let tasks: Vec<String> = awaited.iter().filter(|a| a.node == p.node).map(|a| a.task.to_string()).collect();
                            @if !tasks.is_empty() { tr { th scope="row" { (p.name) " (" (p.node) ")" } td { (tasks.join("; ")) } } }
                        }
                    }
                }
            }
        }
    }
}

/// Per state: how many of the answers asked of it so far it gave, what is awaited of it now, and
/// whether that is late.
fn dashboard(record: &Record, awaited: &[Awaited], now: SystemTime) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    let late = record.deadline().is_some_and(|d| record.exercise_now(now) >= d);
    html! {
        section #dashboard aria-labelledby="dashboard-h" {
            h2 #dashboard-h { "States" }
            table {
                thead { tr { th scope="col" { "State" } th scope="col" { "Present" } th scope="col" { "Answered / due" } th scope="col" { "Awaited now" } } }
                tbody {
                    @for p in plan.states() {
                        @let (answered, due) = answers_of(record, &p.node);
                        @let owed = awaited.iter().filter(|a| a.node == p.node).count();
                        tr id=(format!("state-{}", p.node)) {
                            th scope="row" { (p.name) " (" (p.node) ")" }
                            td { @if record.absent.contains(&p.node) { "✗ absent" } @else if p.declared_absent { "✗ declared absent" } @else if record.reported.contains_key(&p.node) { "✓ present" } @else { "… not reported" } }
                            td.answers { (answered) " / " (due) }
                            td class=(if owed > 0 && late { "late" } else { "" }) {
                                @if owed == 0 { "✓ nothing" } @else if late { "⚠ late: " (owed) } @else { "… " (owed) " awaited" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What a state answered, and what was asked of it so far: the assembly report; once it is
/// present, the activation, an assessment per stage opened, a position per draft version, and
/// the receipt of the package once it is out.
fn answers_of(record: &Record, node: &NodeId) -> (usize, usize) {
    let versions = || record.drafts.values().flat_map(|d| &d.versions);
    let answered = versions().filter(|v| v.positions.contains_key(node)).count()
        + usize::from(record.reported.contains_key(node))
        + usize::from(record.activated.contains_key(node))
        + record.assessments.keys().filter(|(_, n)| n == node).count()
        + usize::from(record.receipts.contains_key(node));
    let asked = |phase: Phase| record.phase.phase >= phase;
    let due = if record.absent.contains(node) {
        1
    } else {
        1 + usize::from(asked(Phase::Deployment))
            + record.stages_opened.len()
            + versions().count()
            + usize::from(record.package.is_some())
    };
    (answered, due.max(answered))
}

fn position_class(kind: PositionKind) -> &'static str {
    match kind {
        PositionKind::Concur => "pos concur",
        PositionKind::ConcurWithRemarks => "pos remarks",
        PositionKind::NonConcur => "pos non",
        PositionKind::Abstain | PositionKind::Unspecified => "pos abstain",
    }
}

/// The slot × state matrix: every slot of the stages opened so far, drafted or not, each state's
/// answer to its draft's latest version, and the outcome; each draft's texts and reasons a click
/// away on its own page.
pub fn board(exercise: &ExerciseId, record: &Record) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    let states: Vec<&record::Participant> = plan.participants.iter().filter(|p| p.gives_positions()).collect();
    let slots: Vec<&scenario::Slot> =
        plan.stages.iter().filter(|s| record.stages_opened.contains_key(&s.number)).flat_map(|s| &s.slots).collect();
    html! {
        section #board aria-labelledby="board-h" {
            h2 #board-h { "Drafts and positions" }
            @if slots.is_empty() { p { "No stage has opened yet." } } @else {
                table #matrix {
                    caption { "Each state's position on the latest version of each draft (✓ concur, ✗ non-concur, − abstain, … awaited, ○ silent); a position with reasons is marked ¶" }
                    thead { tr {
                        th scope="col" { "Draft" }
                        @for s in &states { th scope="col" { abbr title=(s.name) { (s.node) } } }
                        th scope="col" { "Outcome" }
                    } }
                    tbody {
                        @for slot in &slots {
                            @let draft = record.drafts.get(&slot.id);
                            @let latest = draft.and_then(|d| d.latest());
                            tr id=(format!("row-{}", slot.id)) {
                                th scope="row" {
                                    @match latest {
                                        Some(latest) => { a href=(format!("/ex/{exercise}/draft/{}", slot.id)) { (slot.id) " v" (latest.draft.version) } ": " (latest.draft.title) }
                                        None => { (slot.id) ": " (slot.title) " " span.muted { "(no draft yet)" } }
                                    }
                                }
                                @for s in &states {
                                    @match latest.map(|l| l.positions.get(&s.node)) {
                                        Some(Some(p)) => td class=(position_class(p.answer.kind())) {
                                            (feed::position(p.answer.kind())) @if !p.answer.reasons.is_empty() { " " abbr title="with reasons or remarks" { "¶" } }
                                        },
                                        _ if record.absent.contains(&s.node) => td.pos.absent { "absent" },
                                        Some(None) if record.outcomes.contains_key(&slot.id) => td.pos.absent { "○ silent" },
                                        Some(None) => td.pos.awaited { "… awaited" },
                                        None => td.pos.absent { "—" },
                                    }
                                }
                                td id=(format!("outcome-{}", slot.id)) {
                                    @match record.outcomes.get(&slot.id) {
                                        Some(o) => (feed::outcome(o.outcome())),
                                        None => "… open",
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One draft, for any seat of the exercise: every version's text, what changed, each state's
/// position with its reasons, and how the comments were dealt with.
pub fn draft_page(exercise: &ExerciseId, log: &Log, slot: &scenario::Slot, draft: &record::Draft) -> Markup {
    let record = &log.record;
    let body = html! {
        p { a href=(format!("/ex/{exercise}")) { "← Back to your seat" } }
        @if let Some(o) = record.outcomes.get(&slot.id) {
            p #outcome { "Outcome: " strong { (feed::outcome(o.outcome())) } " — " (o.reason) }
        }
        @for version in draft.versions.iter().rev() {
            article.version id=(format!("v{}", version.draft.version)) {
                h2 { "Version " (version.draft.version) ": " (version.draft.title) }
                @if !version.change_summary.is_empty() { p { "What changed: " (version.change_summary) } }
                blockquote.text { (version.draft.text) }
                (positions_table(record, &format!("{}-v{}", slot.id, version.draft.version), version, draft.current() == version.draft.version && !record.outcomes.contains_key(&slot.id)))
            }
        }
        (resolution_table(&slot.id, &draft.resolutions()))
    };
    let title = format!("{}: {} ({})", slot.id, slot.title, slot.category);
    layout(&title, Some((exercise, log.last())), html! { a href=(format!("/ex/{exercise}")) { "My seat" } }, body)
}

fn timeline(exercise: &ExerciseId, record: &Record) -> Markup {
    let report = report::build(exercise.as_str(), record);
    html! {
        section #timeline data-live aria-labelledby="timeline-h" {
            h2 #timeline-h { "Timeline" }
            @if report.timeline.is_empty() { p { "Nothing yet." } } @else {
                ol { @for e in &report.timeline { li { time { (e.when.at) } " " (e.what) } } }
            }
        }
    }
}

fn events(log: &Log) -> Markup {
    const SHOWN: usize = 40;
    html! {
        section #feed-section aria-labelledby="feed-h" {
            h2 #feed-h { "Event feed" }
            ol #feed role="log" aria-live="polite" reversed {
                @for (_, e) in log.events.iter().rev().take(SHOWN) { li { (feed::line(&log.record, e)) } }
            }
        }
    }
}

fn awaits(v: &View<'_>, task: &Task) -> bool {
    v.awaited.iter().any(|a| &a.node == v.seat && &a.task == task)
}

fn assembly_form(v: &View<'_>) -> Markup {
    if !awaits(v, &Task::AssemblyReport) {
        return html! {};
    }
    html! {
        section #assembly aria-labelledby="assembly-h" {
            h2 #assembly-h { "Assembly" }
            form #assembly-form method="post" action=(path(v.exercise, v.seat, "assembly")) { input type="hidden" name="nonce" value=(v.nonce);
                label { "Remarks " input type="text" maxlength=(MAX_TEXT) name="remarks" value=(typed(v, "assembly", None, "remarks", &format!("{} assembled", v.name))); }
                button #assembly-report type="submit" { "Report at assembly" }
            }
        }
    }
}

fn drafting(v: &View<'_>) -> Markup {
    let record = &v.log.record;
    let Some(plan) = &record.plan else { return html! {} };
    let Some(me) = plan.participant(v.seat) else { return html! {} };
    let body = scenario::DraftingBody::ALL.iter().copied().find(|b| b.role() == me.role);
    let current = match record.phase.phase {
        Phase::Stage(n) => Some(n),
        _ => None,
    };
    html! {
        (assembly_form(v))
        @for stage in &plan.stages {
            @let mine: Vec<&scenario::Slot> = stage.slots.iter().filter(|s| Some(s.owner) == body).collect();
            @if !mine.is_empty() && record.stages_opened.contains_key(&stage.number) {
                section id=(format!("stage-{}", stage.number)) aria-labelledby=(format!("stage-{}-h", stage.number)) {
                    h2 id=(format!("stage-{}-h", stage.number)) { "Stage " (stage.number) ": " (stage.title) }
                    p { "Closes " (record.when(stage.closes_at))
                        @if current == Some(stage.number) { " — " (record.time_left(stage.closes_at.saturating_sub(record.exercise_now(v.now)))) } }
                    @for slot in mine { (slot_card(v, slot, current == Some(stage.number))) }
                }
            }
        }
    }
}

fn slot_card(v: &View<'_>, slot: &scenario::Slot, open: bool) -> Markup {
    let record = &v.log.record;
    let draft = record.drafts.get(&slot.id);
    let latest = draft.and_then(|d| d.latest());
    let act = |a: &str| path(v.exercise, v.seat, a);
    html! {
        article.slot id=(format!("slot-{}", slot.id)) {
            h3 { (slot.id) ": " (slot.title) " (" (slot.category) ")" }
            @if let Some(o) = record.outcomes.get(&slot.id) {
                p id=(format!("outcome-{}", slot.id)) { "Outcome: " strong { (feed::outcome(o.outcome())) } " — " (o.reason) }
            }
            @match latest {
                None if open && awaits(v, &Task::Draft(slot.id.clone())) => {
                    form id=(format!("draft-{}", slot.id)) method="post" action=(act("draft")) { input type="hidden" name="nonce" value=(v.nonce);
                        input type="hidden" name="slot" value=(slot.id);
                        label { "Title " input type="text" maxlength=(MAX_TEXT) name="title" value=(typed(v, "draft", Some(&slot.id), "title", &slot.title)) required; }
                        label { "Text " textarea name="text" maxlength=(MAX_DRAFT_TEXT) rows="6" required { (typed(v, "draft", Some(&slot.id), "text", "")) } }
                        button type="submit" { "Submit draft " (slot.id) }
                    }
                }
                None => p { "No draft." },
                Some(latest) => {
                    p { "Version " (latest.draft.version) ": " strong { (latest.draft.title) } }
                    blockquote.text { (latest.draft.text) }
                    (positions_table(record, &slot.id, latest, !record.outcomes.contains_key(&slot.id)))
                    @for earlier in draft.map(|d| &d.versions[..d.versions.len().saturating_sub(1)]).unwrap_or_default().iter().rev() {
                        details {
                            summary { "Version " (earlier.draft.version) " and the positions on it" }
                            blockquote.text { (earlier.draft.text) }
                            (positions_table(record, &format!("{}-v{}", slot.id, earlier.draft.version), earlier, false))
                        }
                    }
                    @if let Some(draft) = draft { (resolution_table(&slot.id, &draft.resolutions())) }
                    @if let (Some(draft), true) = (draft, awaits(v, &Task::Revision(slot.id.clone(), latest.draft.version))) {
                        (revise_form(v, slot, draft, latest))
                    }
                }
            }
        }
    }
}

/// The positions on one version; `open`: answers are still awaited on it (the current version of
/// a draft not yet considered), else a missing one is silence.
fn positions_table(record: &Record, id: &str, version: &record::Version, open: bool) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    html! {
        table id=(format!("positions-{id}")) {
            caption { "Positions on version " (version.draft.version) }
            thead { tr { th scope="col" { "State" } th scope="col" { "Position" } th scope="col" { "Reasons or remarks" } } }
            tbody {
                @for p in plan.participants.iter().filter(|p| p.gives_positions()) {
                    tr {
                        th scope="row" { (p.name) " (" (p.node) ")" }
                        @match version.positions.get(&p.node) {
                            Some(a) => {
                                td class=(position_class(a.answer.kind())) { (feed::position(a.answer.kind())) }
                                td { (a.answer.reasons.join("; ")) }
                            }
                            None if record.absent.contains(&p.node) => { td.pos.absent { "absent" } td {} }
                            None if !open => { td.pos.absent { "○ silent" } td {} }
                            None => { td.pos.awaited { "… awaited" } td {} }
                        }
                    }
                }
            }
        }
    }
}

/// A revision gives each comment open on the version it revises a disposition (every objection
/// must have one; the coordinator refuses the revision otherwise).
fn revise_form<'a>(
    v: &'a View<'_>,
    slot: &scenario::Slot,
    draft: &record::Draft,
    latest: &'a record::Version,
) -> Markup {
    use record::comments::{DISPOSITIONS, disposition_label, disposition_token};
    let open = draft.open_comments(latest.draft.version);
    let kept = |field: &str, default: &'a str| typed(v, "revise", Some(&slot.id), field, default);
    html! {
        form id=(format!("revise-{}", slot.id)) method="post" action=(path(v.exercise, v.seat, "revise")) { input type="hidden" name="nonce" value=(v.nonce);
            h4 { "Revise to version " (latest.draft.version + 1) }
            input type="hidden" name="slot" value=(slot.id);
            input type="hidden" name="version" value=(latest.draft.version);
            label { "Title " input type="text" maxlength=(MAX_TEXT) name="title" value=(kept("title", &latest.draft.title)) required; }
            label { "Text " textarea name="text" maxlength=(MAX_DRAFT_TEXT) rows="6" required { (kept("text", &latest.draft.text)) } }
            label { "What changed " input type="text" maxlength=(MAX_TEXT) name="summary" value=(kept("summary", "")) required; }
            @for c in &open {
                fieldset.comment {
                    legend { "Comment " code { (c.id) } " — " (c.state) (if c.objection { " did not concur" } else { " remarked" }) " on v" (c.version) ": “" (c.text) "”" }
                    label { "Disposition "
                        @let chosen = kept(&format!("disposition-{}", c.id), "");
                        select name=(format!("disposition-{}", c.id)) required[c.objection] {
                            option value="" { (if c.objection { "— choose —" } else { "— none —" }) }
                            @for kind in DISPOSITIONS {
                                option value=(disposition_token(kind)) selected[chosen == disposition_token(kind)] {
                                    (disposition_label(kind)) @if kind == wire::DispositionKind::NotAccepted { " (say why)" }
                                }
                            }
                        }
                    }
                    label { "Reason " input type="text" maxlength=(MAX_TEXT) name=(format!("reason-{}", c.id)) value=(kept(&format!("reason-{}", c.id), "")); }
                }
            }
            button type="submit" { "Submit the revision of " (slot.id) }
        }
    }
}

/// The comment-resolution matrix of a draft (`rows`: its resolutions, or some of them): each
/// comment, each revision's disposition of it, and its state's answer.
fn resolution_table(slot: &str, rows: &[record::Resolution]) -> Markup {
    if rows.is_empty() {
        return html! {};
    }
    let answer = |kind: Option<PositionKind>| kind.map_or("— no answer yet", feed::position);
    html! {
        table.resolution id=(format!("comments-{slot}")) {
            caption { "Comment resolution of " (slot) }
            thead { tr { th scope="col" { "Comment" } th scope="col" { "By, on" } th scope="col" { "Text" } th scope="col" { "Disposition" } th scope="col" { "The state's answer" } th scope="col" { "Status" } } }
            tbody {
                @for r in rows {
                    tr {
                        th scope="row" { code { (r.comment.id) } }
                        td { (r.comment.state) ", v" (r.comment.version) (if r.comment.objection { " (objection)" } else { " (remark)" }) }
                        td { (r.comment.text) }
                        td { @if r.steps.is_empty() { "— not yet revised" } @for step in &r.steps {
                            div { "v" (step.version) ": " @match &step.disposition {
                                Some(d) => { strong { (record::comments::disposition_label(d.kind())) } @if !d.reason.is_empty() { " — " (d.reason) } }
                                None => "none",
                            } }
                        } }
                        td { @for step in &r.steps { div { "v" (step.version) ": " (answer(step.answer)) } } }
                        td { (if r.open { "● open" } else { "○ closed" }) }
                    }
                }
            }
        }
    }
}

fn state(v: &View<'_>) -> Markup {
    let record = &v.log.record;
    let act = |a: &str| path(v.exercise, v.seat, a);
    let positions: Vec<(&String, u32)> = v
        .awaited
        .iter()
        .filter(|a| &a.node == v.seat)
        .filter_map(|a| match &a.task {
            Task::Position(slot, version) => Some((slot, *version)),
            _ => None,
        })
        .collect();
    let stage = match record.phase.phase {
        Phase::Stage(n) => Some(n),
        _ => None,
    };
    let assessed = stage.is_some_and(|n| record.assessments.contains_key(&(n, v.seat.clone())));
    html! {
        (assembly_form(v))
        @if awaits(v, &Task::Activation) {
            section #activation aria-labelledby="activation-h" {
                h2 #activation-h { "Activation and communications check" }
                form #activation-form method="post" action=(act("activation")) { input type="hidden" name="nonce" value=(v.nonce);
                    @match &v.token {
                        Some(token) => { p { "Communications-check token received with the acceptance of your assembly report: " code { (token) } } input type="hidden" name="token" value=(token); }
                        None => p { "Your communications-check token comes with the acceptance of your assembly report; the seat asks for it again if it was lost." },
                    }
                    label { "Remarks " input type="text" maxlength=(MAX_TEXT) name="remarks" value=(typed(v, "activation", None, "remarks", "control point active; communications checked")); }
                    button #activate type="submit" { "Activate the control point" }
                }
            }
        }
        @if let (Some(n), false) = (stage, assessed) {
            section #assessment aria-labelledby="assessment-h" {
                h2 #assessment-h { "Situation assessment, stage " (n) }
                form #assessment-form method="post" action=(act("assessment")) { input type="hidden" name="nonce" value=(v.nonce);
                    input type="hidden" name="stage" value=(n);
                    label { "Your assessment of the situation above " textarea name="summary" maxlength=(MAX_TEXT) rows="4" required { (typed(v, "assessment", None, "summary", "")) } }
                    button type="submit" { "Submit the assessment" }
                }
            }
        }
        section #positions aria-labelledby="positions-h" {
            h2 #positions-h { "Drafts awaiting your position" }
            @if positions.is_empty() { p { "None now." } }
            @for (slot, version) in &positions {
                @if let Some(draft) = record.drafts.get(*slot) { (position_card(v, slot, *version, draft)) }
            }
        }
        (my_positions(record, v.seat))
        (my_comments(record, v.seat))
        (package(v))
        (board(v.exercise, record))
    }
}

fn position_card(v: &View<'_>, slot: &str, version: u32, draft: &record::Draft) -> Markup {
    let Some(current) = version.checked_sub(1).and_then(|i| draft.versions.get(i as usize)) else { return html! {} };
    let previous = version.checked_sub(2).and_then(|i| draft.versions.get(i as usize));
    let kinds = [
        ("concur", "Concur"),
        ("concur_with_remarks", "Concur with remarks"),
        ("non_concur", "Non-concur (give reasons)"),
        ("abstain", "Abstain"),
    ];
    let kept = |field: &str| typed(v, "position", Some(slot), field, "");
    html! {
        article.draft id=(format!("draft-{slot}")) {
            h3 { (slot) " v" (version) ": " (current.draft.title) }
            @if let Some(previous) = previous {
                p { "What changed since v" (previous.draft.version) ": " (current.change_summary) }
                p.diff id=(format!("diff-{slot}")) { (diff_markup(&previous.draft.text, &current.draft.text)) }
            } @else {
                blockquote.text { (current.draft.text) }
            }
            form id=(format!("position-{slot}")) method="post" action=(path(v.exercise, v.seat, "position")) { input type="hidden" name="nonce" value=(v.nonce);
                input type="hidden" name="slot" value=(slot);
                input type="hidden" name="version" value=(version);
                fieldset {
                    legend { "Your position on " (slot) " v" (version) }
                    @for (value, label) in kinds {
                        label { input type="radio" name="kind" value=(value) checked[kept("kind") == value] required; " " (label) }
                    }
                }
                label { "Reasons or remarks (one per line) " textarea name="reasons" maxlength=(MAX_TEXT) rows="3" { (kept("reasons")) } }
                button type="submit" { "Give the position on " (slot) " v" (version) }
            }
        }
    }
}

/// The word-level diff: deletions struck through and insertions underlined, each also announced
/// in words to screen readers.
fn diff_markup(old: &str, new: &str) -> Markup {
    html! {
        @for change in diff::words(old, new) {
            @match change {
                Change::Same(t) => { (t) " " }
                Change::Deleted(t) => { del { span.sr { "[deleted: " } (t) span.sr { "]" } } " " }
                Change::Inserted(t) => { ins { span.sr { "[inserted: " } (t) span.sr { "]" } } " " }
            }
        }
    }
}

fn my_positions(record: &Record, seat: &NodeId) -> Markup {
    let given: Vec<(&String, u32, &wire::Position)> = record
        .drafts
        .iter()
        .flat_map(|(slot, d)| {
            d.versions.iter().filter_map(move |ver| Some((slot, ver.draft.version, &ver.positions.get(seat)?.answer)))
        })
        .collect();
    html! {
        section #given aria-labelledby="given-h" {
            h2 #given-h { "Positions you gave" }
            @if given.is_empty() { p { "None yet." } } @else {
                ul { @for (slot, version, p) in given { li { (slot) " v" (version) ": " span class=(position_class(p.kind())) { (feed::position(p.kind())) } @if !p.reasons.is_empty() { " — " (p.reasons.join("; ")) } } } }
            }
        }
    }
}

/// How this state's comments were dealt with, draft by draft.
fn my_comments(record: &Record, seat: &NodeId) -> Markup {
    let drafts: Vec<(&String, Vec<record::Resolution>)> = record
        .drafts
        .iter()
        .map(|(slot, d)| (slot, d.resolutions().into_iter().filter(|r| &r.comment.state == seat).collect::<Vec<_>>()))
        .filter(|(_, rows)| !rows.is_empty())
        .collect();
    html! {
        section #your-comments aria-labelledby="your-comments-h" {
            h2 #your-comments-h { "How your comments were dealt with" }
            @if drafts.is_empty() { p { "You have made no comment." } }
            @for (slot, rows) in &drafts { (resolution_table(slot, rows)) }
        }
    }
}

fn package(v: &View<'_>) -> Markup {
    let record = &v.log.record;
    let Some(package) = &record.package else { return html! {} };
    let p = &package.answer;
    html! {
        section #package aria-labelledby="package-h" {
            h2 #package-h { "The package" }
            p { "Package " code { (p.package_id) } ", SHA-256 digest " code #digest { (p.digest) } }
            ul { @for item in &p.items { li { "Stage " (item.stage_number) ": " (item.draft.as_ref().map(|d| format!("{} v{} — {}", d.slot_id, d.version, d.title)).unwrap_or_default()) } } }
            @if awaits(v, &Task::Receipt) {
                form #receipt-form method="post" action=(path(v.exercise, v.seat, "receipt")) { input type="hidden" name="nonce" value=(v.nonce);
                    input type="hidden" name="package" value=(p.package_id);
                    input type="hidden" name="digest" value=(p.digest);
                    button type="submit" { "Confirm receipt of package " (p.package_id) }
                }
            } @else if record.receipts.contains_key(v.seat) {
                p { "✓ Receipt confirmed." }
            }
        }
    }
}

/// A page that only says something (sign-in, refusals).
pub fn notice(title: &str, message: Markup) -> Markup {
    layout(title, None, html! { a href="/" { "Muster" } }, html! { section #notice { (message) } })
}

/// The page behind an invite link: taking the seat is a POST, so that a link previewer cannot use it up.
pub fn invite(exercise: &ExerciseId, seat: &NodeId, name: &str, secret: &str) -> Markup {
    notice(
        "Take your seat",
        html! {
            p { "This link seats you as " strong { (name) } " (" (seat) ") in exercise " code { (exercise) } ". It works once." }
            form #take-seat-form method="post" action="/signin" {
                input type="hidden" name="exercise" value=(exercise);
                input type="hidden" name="seat" value=(seat);
                input type="hidden" name="secret" value=(secret);
                button #take-seat type="submit" { "Take the seat of " (name) }
            }
        },
    )
}

/// The sign-in page for a browser without a session.
pub fn sign_in() -> Markup {
    notice(
        "Sign in",
        html! {
            p #sign-in { "You are not signed in. Open the invite link you were given for your seat; it signs you in on this browser." }
            p { "Lost it? The exercise's operator issues a new one with " code { "muster identities" } "." }
        },
    )
}

/// The director's list of every exercise on the server.
pub fn exercises(hosted: &ExerciseId, all: &[ExerciseId]) -> Markup {
    layout(
        "Every exercise",
        None,
        html! { a href=(format!("/ex/{hosted}")) { "My seat" } },
        html! {
            section #exercises {
                h2 { "Exercises on this server" }
                ul { @for ex in all { li { a href=(format!("/ex/{ex}")) { (ex) } @if ex == hosted { " (yours)" } } } }
            }
        },
    )
}

/// Another exercise's live board, read-only.
pub fn other(exercise: &ExerciseId, log: &Log, hosted: &ExerciseId) -> Markup {
    let record = &log.record;
    let title = record.plan.as_ref().map_or("exercise not started", |p| p.title.as_str());
    let phase = capitalised(&record.phase.phase.to_string());
    layout(
        &format!("{exercise} · {title}"),
        Some((exercise, log.last())),
        html! { a href=(format!("/ex/{hosted}")) { "My seat" } " · " a href="/exercises" { "Every exercise" } " · " a href=(format!("/ex/{exercise}/report")) { "Report" } },
        html! {
            section #status data-live { p { span #phase { (phase) } @if record.phase.paused { " " span.badge.paused { "⏸ PAUSED" } } } }
            div #work data-live { (board(exercise, record)) }
            (timeline(exercise, record))
            (events(log))
        },
    )
}

/// The after-action report as a page of its own, with its downloads; printing it gives the
/// report alone.
pub fn report(exercise: &ExerciseId, report: &report::Report, concluded: bool) -> Markup {
    let head = html! { link rel="stylesheet" href="/assets/report.css"; };
    layout_with(
        &format!("After-action report · {exercise}"),
        None,
        html! { a href=(format!("/ex/{exercise}")) { "Back to your seat" } },
        head,
        html! {
            section #report-downloads.noprint {
                @if !concluded { p.notice { "The exercise has not concluded: this is the record so far." } }
                p { "Download: "
                    a href=(format!("/ex/{exercise}/report.json")) download { "JSON" } " · "
                    a href=(format!("/ex/{exercise}/report.md")) download { "Markdown" } " · "
                    a href=(format!("/ex/{exercise}/report.html")) download { "HTML" }
                    " — or print this page for a paper copy." }
            }
            (maud::PreEscaped(report::html::body(report)))
        },
    )
}

/// The role of a seat in the plan, as the console treats it.
pub fn kind_of(role: Role, gives_positions: bool) -> Kind {
    match role {
        Role::Coordinator => Kind::Director,
        Role::JointStaff | Role::Secretariat => Kind::Drafting,
        Role::ControlPoint => Kind::State,
        Role::Guest if gives_positions => Kind::State,
        Role::Guest | Role::Observer => Kind::Board,
    }
}

/// Where a participant's seat is played, in words.
pub fn where_played(p: &scenario::Participant) -> &'static str {
    match p.transport {
        scenario::Transport::Grpc => "at its national node",
        scenario::Transport::Nats => "at headquarters",
    }
}
