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

/// The positions on one version; `open`: answers are still awaited on it (the current version of
/// a draft not yet considered), else a missing one is silence.
pub(super) fn positions_table(record: &Record, id: &str, version: &record::Version, open: bool) -> Markup {
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

/// The comment-resolution matrix of a draft (`rows`: its resolutions, or some of them): each
/// comment, each revision's disposition of it, and its state's answer.
pub(super) fn resolution_table(slot: &str, rows: &[record::Resolution]) -> Markup {
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
