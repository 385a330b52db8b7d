//! The pages that are not a seat's: sign-in, invites and refusals, the director's list of
//! exercises and their boards, and the report.

use super::*;

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
            section #status data-live { p { span #phase { (phase) } @if record.phase.paused { " " (paused_badge()) } } }
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
            section #report-downloads.no-print {
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
