//! The pages that are not a seat's: sign-in, invites and refusals, the director's list of
//! exercises and their boards, and the report.

use super::*;

/// A page that only says something (sign-in, refusals).
pub fn notice(l: Lang, title: &str, message: Markup) -> Markup {
    layout(l, title, None, html! { a href="/" { "Muster" } }, html! { section #notice { (message) } })
}

/// The page behind an invite link: taking the seat is a POST, so that a link previewer cannot use it up.
pub fn invite(l: Lang, exercise: &ExerciseId, seat: &NodeId, name: &str, secret: &str) -> Markup {
    let who =
        [("name", Arg::from(name)), ("seat", Arg::from(seat.as_str())), ("exercise", Arg::from(exercise.as_str()))];
    notice(
        l,
        &words::say(l, "take-your-seat"),
        html! {
            p { (words::say_with(l, "invite-explained", &who)) }
            form #take-seat-form method="post" action="/signin" {
                input type="hidden" name="exercise" value=(exercise);
                input type="hidden" name="seat" value=(seat);
                input type="hidden" name="secret" value=(secret);
                button #take-seat type="submit" { (words::say_with(l, "take-the-seat-of", &who)) }
            }
        },
    )
}

/// The sign-in page for a browser without a session.
pub fn sign_in(l: Lang) -> Markup {
    notice(
        l,
        &words::say(l, "sign-in"),
        html! {
            p #sign-in { (words::say(l, "not-signed-in")) }
            p { (words::say(l, "lost-invite")) " " code { "muster identities" } "." }
        },
    )
}

/// The director's list of every exercise on the server.
pub fn exercises(l: Lang, hosted: &ExerciseId, all: &[ExerciseId]) -> Markup {
    layout(
        l,
        &words::say(l, "nav-every-exercise"),
        None,
        html! { a href=(format!("/ex/{hosted}")) { (words::say(l, "nav-my-seat")) } },
        html! {
            section #exercises {
                h2 { (words::say(l, "exercises-on-server")) }
                ul { @for ex in all { li { a href=(format!("/ex/{ex}")) { (ex) } @if ex == hosted { " (" (words::say(l, "yours")) ")" } } } }
            }
        },
    )
}

/// Another exercise's live board, read-only.
pub fn other(l: Lang, exercise: &ExerciseId, log: &Log, hosted: &ExerciseId) -> Markup {
    let record = &log.record;
    let not_started = words::say(l, "exercise-not-started");
    let title = record.plan.as_ref().map_or(not_started, |p| p.title.in_lang(l).to_string());
    let phase = capitalised(&record.phase.phase.say(l));
    layout(
        l,
        &format!("{exercise} · {title}"),
        Some((exercise, log.last())),
        html! {
            a href=(format!("/ex/{hosted}")) { (words::say(l, "nav-my-seat")) } " · "
            a href="/exercises" { (words::say(l, "nav-every-exercise")) } " · "
            a href=(format!("/ex/{exercise}/report")) { (words::say(l, "nav-report")) }
        },
        html! {
            section #status data-live { p { span #phase { (phase) } @if record.phase.paused { " " (paused_badge(l)) } } }
            div #work data-live { (board(l, exercise, record)) }
            (timeline(l, exercise, record))
            (events(l, log))
        },
    )
}

/// The after-action report as a page of its own, with its downloads; printing it gives the
/// report alone.
pub fn report(l: Lang, exercise: &ExerciseId, report: &report::Report, concluded: bool) -> Markup {
    let head = html! { link rel="stylesheet" href="/assets/report.css"; };
    layout_with(
        l,
        &words::say_with(l, "report-title", &[("exercise", Arg::from(exercise.as_str()))]),
        None,
        html! { a href=(format!("/ex/{exercise}")) { (words::say(l, "back-to-your-seat")) } },
        head,
        html! {
            section #report-downloads.no-print {
                @if !concluded { p.notice { (words::say(l, "report-so-far")) } }
                p { (words::say(l, "download")) " "
                    a href=(format!("/ex/{exercise}/report.json")) download { "JSON" } " · "
                    a href=(format!("/ex/{exercise}/report.md")) download { "Markdown" } " · "
                    a href=(format!("/ex/{exercise}/report.html")) download { "HTML" }
                    " — " (words::say(l, "or-print")) }
            }
            (maud::PreEscaped(report::html::body(report)))
        },
    )
}
