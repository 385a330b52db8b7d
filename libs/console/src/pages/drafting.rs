//! A drafting body's page: its slots per stage, each draft's versions and positions, and the forms
//! to draft and to revise (answering every objection).

use super::*;

pub(super) fn drafting(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
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
                    h2 id=(format!("stage-{}-h", stage.number)) { (capitalised(&Phase::Stage(stage.number).say(l))) ": " (written(l, &stage.title)) }
                    p { (words::say(l, "closes")) " " (record.when_in(l, stage.closes_at))
                        @if current == Some(stage.number) { " — " (record.time_left_in(l, stage.closes_at.saturating_sub(record.exercise_now(v.now)))) } }
                    @for slot in mine { (slot_card(v, slot, current == Some(stage.number))) }
                }
            }
        }
    }
}

pub(super) fn slot_card(v: &View<'_>, slot: &scenario::Slot, open: bool) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
    let draft = record.drafts.get(&slot.id);
    let latest = draft.and_then(|d| d.latest());
    let act = |a: &str| path(v.exercise, v.seat, a);
    html! {
        article.slot id=(format!("slot-{}", slot.id)) {
            h3 { (slot.id) ": " (written(l, &slot.title)) " (" (category_words(l, slot.category)) ")" }
            @if let Some(o) = record.outcomes.get(&slot.id) {
                p id=(format!("outcome-{}", slot.id)) { (words::say(l, "outcome")) ": " strong { (feed::outcome(l, o.outcome())) } " — " (outcome_reason(l, record, o)) }
            }
            @match latest {
                None if open && awaits(v, &Task::Draft(slot.id.clone())) => {
                    form id=(format!("draft-{}", slot.id)) method="post" action=(act("draft")) { input type="hidden" name="nonce" value=(v.nonce);
                        input type="hidden" name="slot" value=(slot.id);
                        label { (words::say(l, "title")) " " input type="text" maxlength=(MAX_TEXT) name="title" value=(typed(v, "draft", &[("slot", &slot.id)], "title", slot.title.in_lang(l).text)) required; }
                        label { (words::say(l, "text")) " " textarea name="text" maxlength=(MAX_DRAFT_TEXT) rows="6" required { (typed(v, "draft", &[("slot", &slot.id)], "text", "")) } }
                        (written_in(v, typed(v, "draft", &[("slot", &slot.id)], "language", "")))
                        button type="submit" { (words::say_with(l, "submit-draft", &[("slot", Arg::from(slot.id.as_str()))])) }
                    }
                }
                None => p { (words::say(l, "no-draft")) },
                Some(latest) => {
                    p { (words::say_with(l, "version", &[("version", Arg::from(latest.draft.version))])) ": " strong { (said(l, &latest.draft.title, &latest.language)) } }
                    (quoted(l, &latest.draft.text, &latest.language))
                    (positions_table(l, record, &slot.id, latest, !record.outcomes.contains_key(&slot.id)))
                    @for earlier in draft.map(|d| &d.versions[..d.versions.len().saturating_sub(1)]).unwrap_or_default().iter().rev() {
                        details {
                            summary { (words::say_with(l, "version-and-positions", &[("version", Arg::from(earlier.draft.version))])) }
                            (quoted(l, &earlier.draft.text, &earlier.language))
                            (positions_table(l, record, &format!("{}-v{}", slot.id, earlier.draft.version), earlier, false))
                        }
                    }
                    @if let Some(draft) = draft { (resolution_table(l, &slot.id, &draft.resolutions())) }
                    @if let (Some(draft), true) = (draft, awaits(v, &Task::Revision(slot.id.clone(), latest.draft.version))) {
                        (revise_form(v, slot, draft, latest))
                    }
                }
            }
        }
    }
}

/// A revision gives each comment open on the version it revises a disposition (every objection
/// must have one; the coordinator refuses the revision otherwise).
pub(super) fn revise_form<'a>(
    v: &'a View<'_>,
    slot: &scenario::Slot,
    draft: &record::Draft,
    latest: &'a record::Version,
) -> Markup {
    use record::comments::{DISPOSITIONS, disposition_token};
    let l = v.lang;
    let open = draft.open_comments(latest.draft.version);
    let revised = latest.draft.version.to_string();
    let kept = |field: &str, default: &'a str| {
        typed(v, "revise", &[("slot", &slot.id), ("version", &revised)], field, default)
    };
    html! {
        form id=(format!("revise-{}", slot.id)) method="post" action=(path(v.exercise, v.seat, "revise")) { input type="hidden" name="nonce" value=(v.nonce);
            h4 { (words::say_with(l, "revise-to-version", &[("version", Arg::from(latest.draft.version + 1))])) }
            input type="hidden" name="slot" value=(slot.id);
            input type="hidden" name="version" value=(latest.draft.version);
            label { (words::say(l, "title")) " " input type="text" maxlength=(MAX_TEXT) name="title" value=(kept("title", &latest.draft.title)) required; }
            label { (words::say(l, "text")) " " textarea name="text" maxlength=(MAX_DRAFT_TEXT) rows="6" required { (kept("text", &latest.draft.text)) } }
            label { (words::say(l, "what-changed")) " " input type="text" maxlength=(MAX_TEXT) name="summary" value=(kept("summary", "")) required; }
            @for c in &open {
                fieldset.comment {
                    legend {
                        (words::say(l, "comment")) " " code { (c.id) } " — "
                        (words::say_with(l, if c.objection { "comment-objection" } else { "comment-remark" }, &[("state", Arg::from(c.state.as_str())), ("version", Arg::from(c.version))]))
                        ": “" (said(l, &c.text, &c.language)) "”"
                    }
                    label { (words::say(l, "disposition")) " "
                        @let chosen = kept(&format!("disposition-{}", c.id), "");
                        select name=(format!("disposition-{}", c.id)) required[c.objection] {
                            option value="" { "— " (if c.objection { words::say(l, "choose") } else { words::say(l, "none") }) " —" }
                            @for kind in DISPOSITIONS {
                                option value=(disposition_token(kind)) selected[chosen == disposition_token(kind)] {
                                    (disposition(l, kind)) @if kind == wire::DispositionKind::NotAccepted { " (" (words::say(l, "say-why")) ")" }
                                }
                            }
                        }
                    }
                    label { (words::say(l, "reason")) " " input type="text" maxlength=(MAX_TEXT) name=(format!("reason-{}", c.id)) value=(kept(&format!("reason-{}", c.id), "")); }
                }
            }
            (written_in(v, kept("language", "")))
            button type="submit" { (words::say_with(l, "submit-revision", &[("slot", Arg::from(slot.id.as_str()))])) }
        }
    }
}
