//! The pages, rendered on the server from the record (maud escapes every value). Every page says
//! what is awaited of its seat and by when; its regions marked `data-live` (status, the seat's
//! work, the timeline) are refreshed by the small script when the live link brings an event,
//! unless the person is typing in one. Every form is
//! a plain POST that works without JavaScript; a position or status is never shown by colour
//! alone (each has a word and a mark).
//!
//! Here: the frame, the status, the situation, what every seat's page shares. A page per kind of
//! seat: `director`, `drafting`, `delegation`; the `board` and each draft's page, which every seat
//! reads; `notices`: sign-in, refusals, the exercises, the report.

use bus::text::{MAX_DRAFT_TEXT, MAX_TEXT};
use std::time::SystemTime;

use bus::{ExerciseId, NodeId, Role};
use maud::{DOCTYPE, Markup, html};
use proto::v1::{self as wire, PositionKind};
use record::{Awaited, Phase, Record, Task};

mod board;
mod delegation;
mod director;
mod drafting;
mod notices;

pub use board::{board, draft_page};
use board::{position_class, positions_table, resolution_table};
use delegation::state;
use director::director;
use drafting::drafting;
pub use notices::{exercises, invite, notice, other, report, sign_in};

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
    pub seats: Vec<(&'a scenario::Participant, crate::ready::Seat)>,
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

/// What the person typed in `field` of the form for `action` (a slot's form names its `slot`),
/// when that form was refused; else `default`.
fn typed<'v>(v: &'v View<'_>, action: &str, about: &[(&str, &str)], field: &str, default: &'v str) -> &'v str {
    v.kept.as_ref().and_then(|k| k.typed(action, about, field)).unwrap_or(default)
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
                label { "Remarks " input type="text" maxlength=(MAX_TEXT) name="remarks" value=(typed(v, "assembly", &[], "remarks", &format!("{} assembled", v.name))); }
                button #assembly-report type="submit" { "Report at assembly" }
            }
        }
    }
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
