//! Exercise control's page: who is at their post before the start, the commands (each naming the
//! window it means), what is awaited of whom, and each state's answers.

use super::*;

/// Each seat of the scenario before the start: who is signed in, since when, and who is not.
pub(super) fn readiness(v: &View<'_>) -> Markup {
    use crate::ready::Seat;
    let at = |t: SystemTime| {
        let seconds = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        format!("{:02}:{:02} UTC", seconds / 3600 % 24, seconds / 60 % 60)
    };
    html! {
        section #readiness data-live data-watch aria-labelledby="readiness-h" {
            h2 #readiness-h { "Who is at their post" }
            @if v.seats.is_empty() { p { "This console does not know the scenario's seats." } } @else {
                p { (v.seats.iter().filter(|(_, s)| s.ready()).count()) " of " (v.seats.len()) " seats ready." }
                table {
                    thead { tr { th scope="col" { "Seat" } th scope="col" { "Played by" } th scope="col" { "Ready" } } }
                    tbody {
                        @for (p, seat) in &v.seats {
                            tr id=(format!("ready-{}", p.node)) class=(if seat.ready() { "" } else { "late" }) {
                                th scope="row" { (p.name) " (" (p.node) ")" }
                                td { (if p.played_by == scenario::PlayedBy::Person { "a person" } else { "its policy" }) ", " (where_played(p)) }
                                td { @match seat {
                                    Seat::SignedIn(since) => { "✓ signed in since " (at(*since)) }
                                    Seat::Policy => "✓ running",
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

pub(super) fn director(v: &View<'_>) -> Markup {
    let record = &v.log.record;
    let phase = record.phase;
    let act = |a: &str| path(v.exercise, v.seat, a);
    let window = phase.phase.to_string();
    // A command refused is shown again as typed only for the window it was meant for.
    let reason = |action: &str, label: &str| {
        let about: &[(&str, &str)] = if action == "start" { &[] } else { &[("window", &window)] };
        let typed = typed(v, action, about, "reason", "");
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

pub(super) fn awaited(record: &Record, awaited: &[Awaited]) -> Markup {
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
pub(super) fn dashboard(record: &Record, awaited: &[Awaited], now: SystemTime) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    let late = record.deadline().is_some_and(|d| record.exercise_now(now) >= d);
    html! {
        section #dashboard aria-labelledby="dashboard-h" {
            h2 #dashboard-h { "States" }
            table {
                thead { tr { th scope="col" { "State" } th scope="col" { "Present" } th scope="col" { "Answered / due" } th scope="col" { "Awaited now" } } }
                tbody {
                    @for p in plan.states() {
                        @let (answered, due) = answers_of(record, p);
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
