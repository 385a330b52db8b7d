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
mod injects;
mod notices;
mod planner;

pub use board::{board, draft_page};
use board::{disposition, outcome_reason, position_class, positions_table, resolution_table};
use delegation::state;
use director::director;
use drafting::drafting;
pub use notices::{exercises, invite, notice, other, report, sign_in};
use report::terms::{category_words, version_words};

use crate::auth::{Kept, Said};
use crate::diff::{self, Change};
use crate::feed;
use crate::live::Log;
use words::{Arg, Lang, Text};

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
    /// Exercise planning: prepares the plan and hands it to the director.
    Planner,
}

/// Everything a seat's page shows.
#[derive(Debug)]
pub struct View<'a> {
    /// The language the page is in.
    pub lang: Lang,
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
    pub preview: Option<(&'a Text, &'a Text)>,
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
    /// The plan the planner prepared, for the planner's and the director's pages.
    pub plan: Option<crate::plan::Prepared>,
}

const CSS: &str = "/assets/console.css";
const JS: &str = "/assets/console.js";

/// The frame of every page in `lang`: the live link's banner, the header with the language switch.
pub fn layout(lang: Lang, title: &str, events: Option<(&ExerciseId, u64)>, nav: Markup, body: Markup) -> Markup {
    layout_with(lang, title, events, nav, html! {}, body)
}

/// [`layout`], with more in the page's head.
fn layout_with(
    lang: Lang,
    title: &str,
    events: Option<(&ExerciseId, u64)>,
    nav: Markup,
    head: Markup,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Muster" }
                link rel="stylesheet" href=(CSS);
                script src=(JS) defer {}
                (head)
            }
            body data-events=[events.map(|(ex, _)| format!("/ex/{ex}/events"))] data-last=[events.map(|(_, last)| last)] data-characters=(words::say(lang, "characters")) {
                a.skip href="#main" { (words::say(lang, "skip-to-content")) }
                div #link-lost role="alert" hidden {
                    strong { (words::say(lang, "link-lost")) } " " (words::say(lang, "link-lost-why"))
                }
                header {
                    h1 { (title) }
                    nav aria-label=(words::say(lang, "nav-label")) { (nav) " · " (switch(lang)) }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    }
}

fn path(exercise: &ExerciseId, seat: &NodeId, action: &str) -> String {
    format!("/ex/{exercise}/seat/{seat}/{action}")
}

/// The other languages, each a link that switches this browser to it (remembered in a cookie).
fn switch(lang: Lang) -> Markup {
    html! {
        span.lang {
            @for other in Lang::all().into_iter().filter(|l| *l != lang) {
                a href=(format!("?lang={other}")) hreflang=(other.tag()) lang=(other.tag()) { (words::say(other, "language-name")) }
                " "
            }
        }
    }
}

/// A page of a seat of the hosted exercise.
pub fn seat(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
    let fallback = words::say(l, "exercise");
    let title = record
        .plan
        .as_ref()
        .map(|p| &p.title)
        .or(v.preview.map(|p| p.0))
        .map_or(fallback, |t| t.in_lang(l).to_string());
    let nav = html! {
        a href=(format!("/ex/{}", v.exercise)) { (words::say(l, "nav-my-seat")) }
        " · " a href=(format!("/ex/{}/report", v.exercise)) { (words::say(l, "nav-report")) }
        @if v.kind == Kind::Director { " · " a href="/exercises" { (words::say(l, "nav-every-exercise")) } }
        " · "
        form.inline method="post" action="/signout" { button type="submit" { (words::say(l, "sign-out")) } }
    };
    let body = html! {
        p.seat { (words::say(l, "signed-in-as")) " " strong { (v.name) } " (" (v.seat) ") · " (title) }
        (status(v))
        @if let Some(said) = &v.said {
            p #flash role="status" class=(if said.refused { "flash refused" } else { "flash" }) { (said.text) }
        } @else {
            p #flash role="status" {}
        }
        div #stage-situation data-live { (situation(l, record)) }
        // One live region for the seat's work: refreshed as a whole (new tasks appear), except
        // while the person is typing in it.
        div #work data-live {
            @match v.kind {
                Kind::Director => (director(v)),
                Kind::Drafting => { (injects::inbox(v)) (drafting(v)) },
                Kind::State => { (injects::inbox(v)) (state(v)) },
                Kind::Board => { (assembly_form(v)) (injects::inbox(v)) (board(l, v.exercise, record)) },
                Kind::Planner => (planner::planner(v)),
            }
        }
        (timeline(l, v.exercise, record))
        (events(l, v.log))
    };
    layout(l, &format!("{} · {}", v.name, title), Some((v.exercise, v.log.last())), nav, body)
}

/// Phase, clock, deadline and what is awaited of this seat.
fn status(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
    let phase = match (record.phase.phase, record.plan.as_ref()) {
        (Phase::Stage(n), Some(plan)) => words::say_with(
            l,
            "status-stage",
            &[
                ("stage", Arg::from(n)),
                ("stages", Arg::from(plan.stages.len())),
                ("title", Arg::from(plan.stage(n).map(|s| s.title.in_lang(l).to_string()).unwrap_or_default())),
            ],
        ),
        (Phase::NotStarted, _) => words::say(l, "status-not-started"),
        (phase, _) => capitalised(&phase.say(l)),
    };
    let now = record.exercise_now(v.now);
    let mine: Vec<&Task> = v.awaited.iter().filter(|a| &a.node == v.seat).map(|a| &a.task).collect();
    // Injects to acknowledge are asked of the seat too, though no window waits for them.
    let injects: Vec<&str> =
        record.injects_for(v.seat).filter(|r| !r.acknowledged.contains_key(v.seat)).map(|r| r.id()).collect();
    html! {
        section #status data-live aria-label=(words::say(l, "status-label")) {
            p {
                span #phase { (phase) }
                @if record.phase.paused { " " (paused_badge(l)) }
            }
            @if record.plan.is_some() {
                p #clock data-running[!record.phase.paused && !record.is_concluded()] { (words::say(l, "exercise-time")) " " (record.when_in(l, now)) }
                @if let Some(deadline) = record.deadline() {
                    p #deadline { (words::say(l, "window-closes")) " " (record.when_in(l, deadline)) " — "
                        strong { (record.time_left_in(l, deadline.saturating_sub(now))) } }
                }
            }
            @if !matches!(v.kind, Kind::Director | Kind::Board | Kind::Planner) || !mine.is_empty() || !injects.is_empty() {
                h2 { (words::say(l, "awaited-of-you")) }
                @if mine.is_empty() && injects.is_empty() {
                    p #awaited-mine { (words::say(l, "awaited-of-you-nothing")) }
                } @else {
                    ul #awaited-mine {
                        @for id in &injects { li { a href=(format!("#inject-{id}")) { (words::say_with(l, "inject-to-acknowledge", &[("inject", Arg::from(*id))])) } } }
                        @for task in &mine { li { (capitalised(&task.say(l))) @if let Some(d) = record.deadline() { ", " (words::say(l, "by")) " " (record.when_in(l, d)) } } }
                    }
                }
            }
        }
    }
}

/// The mark of a paused exercise: drawn, since no font at hand is sure to hold the pause sign.
fn paused_badge(l: Lang) -> Markup {
    html! {
        span.badge.paused {
            svg.mark width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false" {
                rect x="2" y="1" width="3" height="10" fill="currentColor" {}
                rect x="7" y="1" width="3" height="10" fill="currentColor" {}
            }
            " " (words::say(l, "paused-badge"))
        }
    }
}

/// The situation and tasks of the stage open now, which every seat works on.
fn situation(l: Lang, record: &Record) -> Markup {
    let (Phase::Stage(n), Some(plan)) = (record.phase.phase, record.plan.as_ref()) else { return html! {} };
    let Some(stage) = plan.stage(n) else { return html! {} };
    html! {
        section #situation aria-labelledby="situation-h" {
            h2 #situation-h { (words::say_with(l, "situation-heading", &[("stage", Arg::from(n))])) ": " (written(l, &stage.title)) }
            @if !stage.region.is_empty() { p.region { (words::say(l, "region")) " " (written(l, &stage.region)) } }
            p.text { (written(l, &stage.situation)) }
            @if !stage.tasks.is_empty() {
                h3 { (words::say(l, "tasks-of-the-stage")) }
                ol #tasks { @for task in &stage.tasks { li { (written(l, task)) } } }
            }
        }
    }
}

/// A text people wrote (a scenario's, a participant's), in the reader's language when it was given
/// in it; else as written, in its language and marked (`(EN)`), so that a missing translation shows.
pub fn written(l: Lang, text: &Text) -> Markup {
    let shown = text.in_lang(l);
    html! {
        @if shown.asked { (shown.text) } @else {
            span lang=(shown.language) { (shown.text) }
            " " abbr.other-language title=(words::say_with(l, "not-in-your-language", &[("language", Arg::from(shown.language))])) { (shown.mark()) }
        }
    }
}

/// What a participant wrote in `language`: as it is when that is the reader's, else in its
/// language and marked (`(RU)`), so that nobody takes it for a translation.
pub fn said(l: Lang, text: &str, language: &str) -> Markup {
    let other = words::other_language(l, language);
    html! {
        @if other.is_empty() { (text) } @else {
            span lang=(other) { (text) } " " (written_mark(l, other))
        }
    }
}

/// A draft's text as its author wrote it, set apart, in its language.
pub fn quoted(l: Lang, text: &str, language: &str) -> Markup {
    let other = words::other_language(l, language);
    html! {
        @if other.is_empty() { blockquote.text { (text) } } @else {
            p { (written_mark(l, other)) }
            blockquote.text lang=(other) { (text) }
        }
    }
}

fn written_mark(l: Lang, language: &str) -> Markup {
    let title = words::say_with(l, "aar-written-in-other", &[("language", Arg::from(language))]);
    html! { abbr.other-language title=(title) { (words::mark(language)) } }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn confirm(l: Lang, what: &str) -> Markup {
    html! {
        label { input type="checkbox" name="confirm" value="yes" required; " " (words::say(l, "i-confirm")) " " (what) }
    }
}

/// What the person typed in `field` of the form for `action` (a slot's form names its `slot`),
/// when that form was refused; else `default`.
fn typed<'v>(v: &'v View<'_>, action: &str, about: &[(&str, &str)], field: &str, default: &'v str) -> &'v str {
    v.kept.as_ref().and_then(|k| k.typed(action, about, field)).unwrap_or(default)
}

fn timeline(l: Lang, exercise: &ExerciseId, record: &Record) -> Markup {
    let report = report::build_in(l, exercise.as_str(), record);
    html! {
        section #timeline data-live aria-labelledby="timeline-h" {
            h2 #timeline-h { (words::say(l, "timeline")) }
            @if report.timeline.is_empty() { p { (words::say(l, "nothing-yet")) } } @else {
                ol { @for e in &report.timeline { li { time { (e.when.at) } " " (e.what) } } }
            }
        }
    }
}

fn events(l: Lang, log: &Log) -> Markup {
    const SHOWN: usize = 40;
    html! {
        section #feed-section aria-labelledby="feed-h" {
            h2 #feed-h { (words::say(l, "event-feed")) }
            ol #feed role="log" aria-live="polite" reversed {
                @for (_, e) in log.events.iter().rev().take(SHOWN) { li { (feed::line(l, &log.record, e)) } }
            }
        }
    }
}

fn awaits(v: &View<'_>, task: &Task) -> bool {
    v.awaited.iter().any(|a| &a.node == v.seat && &a.task == task)
}

/// The language the person writes the form's texts in: the page's, unless they say another (a
/// delegate reading Russian may well write English); the record keeps it with the texts.
fn written_in(v: &View<'_>, chosen: &str) -> Markup {
    let chosen = if chosen.is_empty() { v.lang.tag() } else { chosen };
    html! {
        label.written-in { (words::say(v.lang, "written-in")) " "
            select name="language" {
                @for lang in Lang::all() {
                    option value=(lang.tag()) lang=(lang.tag()) selected[lang.tag() == chosen] { (words::say(lang, "language-name")) }
                }
            }
        }
    }
}

fn assembly_form(v: &View<'_>) -> Markup {
    if !awaits(v, &Task::AssemblyReport) {
        return html! {};
    }
    html! {
        section #assembly aria-labelledby="assembly-h" {
            h2 #assembly-h { (words::say(v.lang, "assembly")) }
            form #assembly-form method="post" action=(path(v.exercise, v.seat, "assembly")) { input type="hidden" name="nonce" value=(v.nonce);
                label { (words::say(v.lang, "remarks")) " " input type="text" maxlength=(MAX_TEXT) name="remarks" value=(typed(v, "assembly", &[], "remarks", &words::say_with(v.lang, "assembled", &[("name", Arg::from(v.name.as_str()))]))); }
                button #assembly-report type="submit" { (words::say(v.lang, "report-at-assembly")) }
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
pub fn where_played(l: Lang, p: &scenario::Participant) -> String {
    match p.transport {
        scenario::Transport::Grpc => words::say(l, "at-its-national-node"),
        scenario::Transport::Nats => words::say(l, "at-headquarters"),
    }
}
