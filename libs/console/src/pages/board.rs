//! The board every seat reads: each slot × state, and each draft on a page of its own with every
//! version's text, the positions and reasons given on it, and how its comments were dealt with.

use super::*;

pub(super) fn position_class(kind: PositionKind) -> &'static str {
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
pub fn board(l: Lang, exercise: &ExerciseId, record: &Record) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    let states: Vec<&record::Participant> = plan.participants.iter().filter(|p| p.gives_positions()).collect();
    let slots: Vec<&scenario::Slot> =
        plan.stages.iter().filter(|s| record.stages_opened.contains_key(&s.number)).flat_map(|s| &s.slots).collect();
    html! {
        section #board aria-labelledby="board-h" {
            h2 #board-h { (words::say(l, "board")) }
            @if slots.is_empty() { p { (words::say(l, "board-no-stage")) } } @else {
                table #matrix {
                    caption { (words::say(l, "board-caption")) }
                    thead { tr {
                        th scope="col" { (words::say(l, "draft")) }
                        @for s in &states { th scope="col" { abbr title=(s.name.in_lang(l).to_string()) { (s.node) } } }
                        th scope="col" { (words::say(l, "outcome")) }
                    } }
                    tbody {
                        @for slot in &slots {
                            @let draft = record.drafts.get(&slot.id);
                            @let latest = draft.and_then(|d| d.latest());
                            tr id=(format!("row-{}", slot.id)) {
                                th scope="row" {
                                    @match latest {
                                        Some(latest) => { a href=(format!("/ex/{exercise}/draft/{}", slot.id)) { (slot.id) " " (version_words(l, latest.draft.version)) } ": " (said(l, &latest.draft.title, &latest.language)) }
                                        None => { (slot.id) ": " (written(l, &slot.title)) " " span.muted { "(" (words::say(l, "no-draft-yet")) ")" } }
                                    }
                                }
                                @for s in &states {
                                    @match latest.map(|l| l.positions.get(&s.node)) {
                                        Some(Some(p)) => td class=(position_class(p.answer.kind())) {
                                            (feed::position(l, p.answer.kind())) @if !p.answer.reasons.is_empty() { " " abbr title=(words::say(l, "with-reasons")) { "¶" } }
                                        },
                                        _ if record.absent.contains(&s.node) => td.pos.absent { (words::say(l, "absent")) },
                                        Some(None) if record.outcomes.contains_key(&slot.id) => td.pos.absent { "○ " (words::say(l, "silent")) },
                                        Some(None) => td.pos.awaited { "… " (words::say(l, "awaited-one")) },
                                        None => td.pos.absent { "—" },
                                    }
                                }
                                td id=(format!("outcome-{}", slot.id)) {
                                    @match record.outcomes.get(&slot.id) {
                                        Some(o) => (feed::outcome(l, o.outcome())),
                                        None => { "… " (words::say(l, "open")) },
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
pub fn draft_page(l: Lang, exercise: &ExerciseId, log: &Log, slot: &scenario::Slot, draft: &record::Draft) -> Markup {
    let record = &log.record;
    let body = html! {
        p { a href=(format!("/ex/{exercise}")) { "← " (words::say(l, "back-to-your-seat")) } }
        @if let Some(o) = record.outcomes.get(&slot.id) {
            p #outcome { (words::say(l, "outcome")) ": " strong { (feed::outcome(l, o.outcome())) } " — " (outcome_reason(l, record, o)) }
        }
        @for version in draft.versions.iter().rev() {
            article.version id=(format!("v{}", version.draft.version)) {
                h2 { (words::say_with(l, "version", &[("version", Arg::from(version.draft.version))])) ": " (said(l, &version.draft.title, &version.language)) }
                @if !version.change_summary.is_empty() { p { (words::say(l, "what-changed")) ": " (said(l, &version.change_summary, &version.language)) } }
                (quoted(l, &version.draft.text, &version.language))
                (positions_table(l, record, &format!("{}-v{}", slot.id, version.draft.version), version, draft.current() == version.draft.version && !record.outcomes.contains_key(&slot.id)))
            }
        }
        (resolution_table(l, &slot.id, &draft.resolutions()))
    };
    let title = format!("{}: {} ({})", slot.id, slot.title.in_lang(l), category_words(l, slot.category));
    layout(
        l,
        &title,
        Some((exercise, log.last())),
        html! { a href=(format!("/ex/{exercise}")) { (words::say(l, "nav-my-seat")) } },
        body,
    )
}

/// The positions on one version; `open`: answers are still awaited on it (the current version of
/// a draft not yet considered), else a missing one is silence.
pub(super) fn positions_table(l: Lang, record: &Record, id: &str, version: &record::Version, open: bool) -> Markup {
    let Some(plan) = &record.plan else { return html! {} };
    html! {
        table id=(format!("positions-{id}")) {
            caption { (words::say_with(l, "positions-on-version", &[("version", Arg::from(version.draft.version))])) }
            thead { tr { th scope="col" { (words::say(l, "state")) } th scope="col" { (words::say(l, "position")) } th scope="col" { (words::say(l, "reasons-or-remarks")) } } }
            tbody {
                @for p in plan.participants.iter().filter(|p| p.gives_positions()) {
                    tr {
                        th scope="row" { (written(l, &p.name)) " (" (p.node) ")" }
                        @match version.positions.get(&p.node) {
                            Some(a) => {
                                td class=(position_class(a.answer.kind())) { (feed::position(l, a.answer.kind())) }
                                td { @if !a.answer.reasons.is_empty() { (said(l, &a.answer.reasons.join("; "), &a.language)) } }
                            }
                            None if record.absent.contains(&p.node) => { td.pos.absent { (words::say(l, "absent")) } td {} }
                            None if !open => { td.pos.absent { "○ " (words::say(l, "silent")) } td {} }
                            None => { td.pos.awaited { "… " (words::say(l, "awaited-one")) } td {} }
                        }
                    }
                }
            }
        }
    }
}

/// The comment-resolution matrix of a draft (`rows`: its resolutions, or some of them): each
/// comment, each revision's disposition of it, and its state's answer.
pub(super) fn resolution_table(l: Lang, slot: &str, rows: &[record::Resolution]) -> Markup {
    if rows.is_empty() {
        return html! {};
    }
    let answer = |kind: Option<PositionKind>| {
        kind.map_or_else(|| format!("— {}", words::say(l, "no-answer-yet")), |k| feed::position(l, k))
    };
    html! {
        table.resolution id=(format!("comments-{slot}")) {
            caption { (words::say_with(l, "comment-resolution-of", &[("slot", Arg::from(slot))])) }
            thead { tr {
                th scope="col" { (words::say(l, "comment")) } th scope="col" { (words::say(l, "by-on")) } th scope="col" { (words::say(l, "text")) }
                th scope="col" { (words::say(l, "disposition")) } th scope="col" { (words::say(l, "the-states-answer")) } th scope="col" { (words::say(l, "status")) }
            } }
            tbody {
                @for r in rows {
                    tr {
                        th scope="row" { code { (r.comment.id) } }
                        td { (r.comment.state) ", v" (r.comment.version) " (" (if r.comment.objection { words::say(l, "objection") } else { words::say(l, "remark") }) ")" }
                        td { (said(l, &r.comment.text, &r.comment.language)) }
                        td { @if r.steps.is_empty() { "— " (words::say(l, "not-yet-revised")) } @for step in &r.steps {
                            div { (version_words(l, step.version)) ": " @match &step.disposition {
                                Some(d) => { strong { (disposition(l, d.kind())) } @if !d.reason.is_empty() { " — " (d.reason) } }
                                None => (words::say(l, "none")),
                            } }
                        } }
                        td { @for step in &r.steps { div { (version_words(l, step.version)) ": " (answer(step.answer)) } } }
                        td { (if r.open { format!("● {}", words::say(l, "comment-open")) } else { format!("○ {}", words::say(l, "comment-closed")) }) }
                    }
                }
            }
        }
    }
}

/// A disposition of a comment in words.
pub(super) fn disposition(l: Lang, kind: wire::DispositionKind) -> String {
    match kind {
        wire::DispositionKind::Accepted => words::say(l, "disposition-accepted"),
        wire::DispositionKind::AcceptedInPart => words::say(l, "disposition-accepted-in-part"),
        wire::DispositionKind::NotAccepted => words::say(l, "disposition-not-accepted"),
        wire::DispositionKind::Noted => words::say(l, "disposition-noted"),
        wire::DispositionKind::Unspecified => words::say(l, "none"),
    }
}

/// Why a slot came out as it did, in the page's language: said again from what the coordinator
/// recorded (who concurred, objected, stayed silent), not its own English words.
pub(super) fn outcome_reason(l: Lang, record: &Record, o: &wire::ConsiderationOutcome) -> String {
    match &record.plan {
        Some(plan) => report::model::reason(l, plan.decision_rule, o),
        None => o.reason.clone(),
    }
}
