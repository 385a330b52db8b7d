//! Exercise control's page: who is at their post before the start, the commands (each naming the
//! window it means), what is awaited of whom, and each state's answers.

use super::*;

/// Each seat of the scenario before the start: who is signed in, since when, and who is not.
pub(super) fn readiness(v: &View<'_>) -> Markup {
    use crate::ready::Seat;
    let l = v.lang;
    let at = |t: SystemTime| {
        let seconds = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        format!("{:02}:{:02} UTC", seconds / 3600 % 24, seconds / 60 % 60)
    };
    let ready = v.seats.iter().filter(|(_, s)| s.ready()).count();
    html! {
        section #readiness data-live data-watch aria-labelledby="readiness-h" {
            h2 #readiness-h { (words::say(l, "readiness")) }
            @if v.seats.is_empty() { p { (words::say(l, "readiness-unknown")) } } @else {
                p { (words::say_with(l, "readiness-count", &[("ready", Arg::from(ready)), ("seats", Arg::from(v.seats.len()))])) }
                table {
                    thead { tr { th scope="col" { (words::say(l, "seat")) } th scope="col" { (words::say(l, "played-by")) } th scope="col" { (words::say(l, "ready")) } } }
                    tbody {
                        @for (p, seat) in &v.seats {
                            tr id=(format!("ready-{}", p.node)) class=(if seat.ready() { "" } else { "late" }) {
                                th scope="row" { (written(l, &p.name)) " (" (p.node) ")" }
                                td {
                                    (if p.played_by == scenario::PlayedBy::Person { words::say(l, "played-by-person") } else { words::say(l, "played-by-policy") })
                                    ", " (where_played(l, p))
                                }
                                td { @match seat {
                                    Seat::SignedIn(since) => { "✓ " (words::say_with(l, "seat-signed-in", &[("since", Arg::from(at(*since)))])) }
                                    Seat::Policy => { "✓ " (words::say(l, "seat-running")) }
                                    Seat::Empty => { "✗ " (words::say(l, "seat-empty")) }
                                    Seat::Unheard => { "✗ " (words::say(l, "seat-unheard")) }
                                    Seat::DeclaredAbsent => { "− " (words::say(l, "declared-absent")) }
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn director(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
    let phase = record.phase;
    let act = |a: &str| path(v.exercise, v.seat, a);
    // The window as the form names it to the console (`stage 1`), and as the person reads it.
    let (window, shown) = (phase.phase.to_string(), phase.phase.say(l));
    let with_window = |id: &str| words::say_with(l, id, &[("window", Arg::from(shown.as_str()))]);
    // A command refused is shown again as typed only for the window it was meant for.
    let reason = |action: &str, label: &str| {
        let about: &[(&str, &str)] = if action == "start" { &[] } else { &[("window", &window)] };
        let typed = typed(v, action, about, "reason", "");
        html! { label { (label) " " input type="text" maxlength=(MAX_TEXT) name="reason" value=(typed) required; } }
    };
    html! {
        section #controls aria-labelledby="controls-h" {
            h2 #controls-h { (words::say(l, "exercise-control")) }
            @match phase.phase {
                Phase::NotStarted => {
                    @if let Some((title, description)) = v.preview {
                        p { (words::say(l, "scenario")) " " strong { (written(l, title)) } }
                        p.description { (written(l, description)) }
                    }
                    (readiness(v))
                    @let handed = v.plan.as_ref().and_then(|p| p.handed().map(|plan| (p, plan)));
                    @if let Some((prepared, plan)) = handed {
                        section #handed-plan aria-labelledby="handed-plan-h" {
                            h3 #handed-plan-h { (words::say(l, "plan-handed-over")) }
                            p { strong { (written(l, &plan.scenario.title)) } " (" (prepared.file) ") · " (words::say(l, "plan-digest")) " " code { (plan.scenario.digest) } }
                            p { a href=(format!("/ex/{}/plan/workbook", v.exercise)) download="plan.xlsx" { (words::say(l, "plan-download-workbook")) } }
                        }
                    }
                    form #start-form method="post" action=(act("start")) { input type="hidden" name="nonce" value=(v.nonce);
                        @if let Some((_, plan)) = handed {
                            label { input type="checkbox" name="plan" value=(plan.scenario.digest) checked; " " (words::say(l, "plan-start-with")) }
                        }
                        (reason("start", &words::say(l, "why-start")))
                        (confirm(l, &words::say(l, "confirm-start")))
                        @if !v.empty.is_empty() {
                            label.warning { input type="checkbox" name="empty_ok" value="yes" required;
                                " " (words::say_with(l, "start-although", &[("count", Arg::from(v.empty.len())), ("seats", Arg::from(v.empty.join(", ")))])) }
                        }
                        button #start type="submit" { (words::say(l, "start-the-exercise")) }
                    }
                }
                Phase::Concluded => { p { (words::say(l, "concluded")) " " a href=(format!("/ex/{}/report", v.exercise)) { (words::say(l, "read-the-report")) } } }
                _ => {
                    @if phase.paused {
                        form #resume-form method="post" action=(act("resume")) { input type="hidden" name="nonce" value=(v.nonce);
                            input type="hidden" name="window" value=(window);
                            (reason("resume", &words::say(l, "why-resume")))
                            (confirm(l, &with_window("confirm-resume")))
                            button #resume type="submit" { (words::say(l, "resume")) }
                        }
                    } @else {
                        form #pause-form method="post" action=(act("pause")) { input type="hidden" name="nonce" value=(v.nonce);
                            input type="hidden" name="window" value=(window);
                            (reason("pause", &words::say(l, "why-pause")))
                            (confirm(l, &with_window("confirm-pause")))
                            button #pause type="submit" { (words::say(l, "pause")) }
                        }
                    }
                    form #advance-form.danger method="post" action=(act("advance")) { input type="hidden" name="nonce" value=(v.nonce);
                        h3 { (with_window("close-now")) }
                        p { (with_window("close-now-explained")) }
                        input type="hidden" name="window" value=(window);
                        (reason("advance", &with_window("why-close")))
                        (confirm(l, &with_window("confirm-close")))
                        button #advance.danger type="submit" { (with_window("close-now")) }
                    }
                }
            }
        }
        @if record.plan.is_some() {
            (super::injects::control(v))
            (awaited(l, record, &v.awaited))
            (dashboard(l, record, &v.awaited, v.now))
            (board(l, v.exercise, record))
        }
    }
}

pub(super) fn awaited(l: Lang, record: &Record, awaited: &[Awaited]) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    html! {
        section #awaited aria-labelledby="awaited-h" {
            h2 #awaited-h { (words::say(l, "awaited-in-window")) }
            @if awaited.is_empty() { p { (words::say(l, "awaited-nothing")) } } @else {
                table {
                    thead { tr { th scope="col" { (words::say(l, "seat")) } th scope="col" { (words::say(l, "awaited")) } } }
                    tbody {
                        @for p in &plan.participants {
                            @let tasks: Vec<String> = awaited.iter().filter(|a| a.node == p.node).map(|a| a.task.say(l)).collect();
                            @if !tasks.is_empty() { tr { th scope="row" { (written(l, &p.name)) " (" (p.node) ")" } td { (tasks.join("; ")) } } }
                        }
                    }
                }
            }
        }
    }
}

/// Per state: how many of the answers asked of it so far it gave, what is awaited of it now, and
/// whether that is late.
pub(super) fn dashboard(l: Lang, record: &Record, awaited: &[Awaited], now: SystemTime) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    let late = record.deadline().is_some_and(|d| record.exercise_now(now) >= d);
    html! {
        section #dashboard aria-labelledby="dashboard-h" {
            h2 #dashboard-h { (words::say(l, "states")) }
            table {
                thead { tr {
                    th scope="col" { (words::say(l, "state")) } th scope="col" { (words::say(l, "present")) }
                    th scope="col" { (words::say(l, "answered-due")) } th scope="col" { (words::say(l, "awaited-now")) }
                } }
                tbody {
                    @for p in plan.states() {
                        @let (answered, due) = answers_of(record, p);
                        @let owed = awaited.iter().filter(|a| a.node == p.node).count();
                        tr id=(format!("state-{}", p.node)) {
                            th scope="row" { (written(l, &p.name)) " (" (p.node) ")" }
                            td { @if record.absent.contains(&p.node) { "✗ " (words::say(l, "absent")) } @else if p.declared_absent { "✗ " (words::say(l, "declared-absent")) } @else if record.reported.contains_key(&p.node) { "✓ " (words::say(l, "present-yes")) } @else { "… " (words::say(l, "not-reported")) } }
                            td.answers { (answered) " / " (due) }
                            td class=(if owed > 0 && late { "late" } else { "" }) {
                                @if owed == 0 { "✓ " (words::say(l, "owes-nothing")) } @else if late { "⚠ " (words::say_with(l, "owes-late", &[("count", Arg::from(owed))])) } @else { "… " (words::say_with(l, "owes", &[("count", Arg::from(owed))])) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What a state answered of what it was asked so far: the assembly report; once it is present,
/// the activation, a position on each version it answered or the latest version of each draft
/// (one it did not answer before a revision replaced it could no longer be answered), and the
/// receipt of the package once it is out. A situation assessment is the state's to give and is
/// not counted. The declared absent are asked nothing.
pub(super) fn answers_of(record: &Record, participant: &record::Participant) -> (usize, usize) {
    let node = &participant.node;
    if participant.declared_absent {
        return (0, 0);
    }
    let answered_versions = record.drafts.values().flat_map(|d| &d.versions).filter(|v| v.positions.contains_key(node));
    let answered = answered_versions.count()
        + usize::from(record.reported.contains_key(node))
        + usize::from(record.activated.contains_key(node))
        + usize::from(record.receipts.contains_key(node));
    if record.absent.contains(node) {
        return (answered, 1);
    }
    let latest_unanswered =
        record.drafts.values().filter_map(|d| d.latest()).filter(|v| !v.positions.contains_key(node)).count();
    let due = answered
        + usize::from(!record.reported.contains_key(node))
        + usize::from(record.phase.phase >= Phase::Deployment && !record.activated.contains_key(node))
        + latest_unanswered
        + usize::from(record.package.is_some() && !record.receipts.contains_key(node));
    (answered, due)
}
