//! A delegation's page: its activation, its assessment of the stage's situation, a position on
//! each draft version awaited of it (with what changed, word by word), what became of its comments,
//! and the package.

use super::*;

pub(super) fn state(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
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
                h2 #activation-h { (capitalised(&Task::Activation.say(l))) }
                form #activation-form method="post" action=(act("activation")) { input type="hidden" name="nonce" value=(v.nonce);
                    @match &v.token {
                        Some(token) => { p { (words::say(l, "token-received")) " " code { (token) } } input type="hidden" name="token" value=(token); }
                        None => p { (words::say(l, "token-awaited")) },
                    }
                    label { (words::say(l, "remarks")) " " input type="text" maxlength=(MAX_TEXT) name="remarks" value=(typed(v, "activation", &[], "remarks", &words::say(l, "activation-remarks"))); }
                    button #activate type="submit" { (words::say(l, "activate")) }
                }
            }
        }
        @if let (Some(n), false) = (stage, assessed) {
            section #assessment aria-labelledby="assessment-h" {
                h2 #assessment-h { (words::say_with(l, "assessment-heading", &[("stage", Arg::from(n))])) }
                form #assessment-form method="post" action=(act("assessment")) { input type="hidden" name="nonce" value=(v.nonce);
                    input type="hidden" name="stage" value=(n);
                    label { (words::say(l, "assessment-label")) " " textarea name="summary" maxlength=(MAX_TEXT) rows="4" required { (typed(v, "assessment", &[("stage", &n.to_string())], "summary", "")) } }
                    (written_in(v, typed(v, "assessment", &[("stage", &n.to_string())], "language", "")))
                    button type="submit" { (words::say(l, "submit-assessment")) }
                }
            }
        }
        section #positions aria-labelledby="positions-h" {
            h2 #positions-h { (words::say(l, "drafts-awaiting-position")) }
            @if positions.is_empty() { p { (words::say(l, "none-now")) } }
            @for (slot, version) in &positions {
                @if let Some(draft) = record.drafts.get(*slot) { (position_card(v, slot, *version, draft)) }
            }
        }
        (my_positions(l, record, v.seat))
        (my_comments(l, record, v.seat))
        (package(v))
        (board(l, v.exercise, record))
    }
}

pub(super) fn position_card(v: &View<'_>, slot: &str, version: u32, draft: &record::Draft) -> Markup {
    let Some(current) = version.checked_sub(1).and_then(|i| draft.versions.get(i as usize)) else { return html! {} };
    let previous = version.checked_sub(2).and_then(|i| draft.versions.get(i as usize));
    let l = v.lang;
    let kinds = [
        ("concur", words::say(l, "kind-concur")),
        ("concur_with_remarks", words::say(l, "kind-concur-with-remarks")),
        ("non_concur", words::say(l, "kind-non-concur")),
        ("abstain", words::say(l, "kind-abstain")),
    ];
    let on = [("slot", Arg::from(slot)), ("version", Arg::from(version))];
    let shown = version.to_string();
    let kept = |field: &str| typed(v, "position", &[("slot", slot), ("version", &shown)], field, "");
    html! {
        article.draft id=(format!("draft-{slot}")) {
            h3 { (slot) " " (version_words(l, version)) ": " (said(l, &current.draft.title, &current.language)) }
            @if let Some(previous) = previous {
                p { (words::say_with(l, "what-changed-since", &[("version", Arg::from(previous.draft.version))])) ": " (said(l, &current.change_summary, &current.language)) }
                p.diff id=(format!("diff-{slot}")) { (diff_markup(l, &previous.draft.text, &current.draft.text)) }
            } @else {
                (quoted(l, &current.draft.text, &current.language))
            }
            form id=(format!("position-{slot}")) method="post" action=(path(v.exercise, v.seat, "position")) { input type="hidden" name="nonce" value=(v.nonce);
                input type="hidden" name="slot" value=(slot);
                input type="hidden" name="version" value=(version);
                fieldset {
                    legend { (words::say_with(l, "your-position-on", &on)) }
                    @for (value, label) in kinds {
                        label { input type="radio" name="kind" value=(value) checked[kept("kind") == value] required; " " (label) }
                    }
                }
                label { (words::say(l, "reasons-one-per-line")) " " textarea name="reasons" maxlength=(MAX_TEXT) rows="3" { (kept("reasons")) } }
                (written_in(v, kept("language")))
                button type="submit" { (words::say_with(l, "give-position", &on)) }
            }
        }
    }
}

/// The word-level diff: deletions struck through and insertions underlined, each also announced
/// in words to screen readers.
pub(super) fn diff_markup(l: Lang, old: &str, new: &str) -> Markup {
    let (deleted, inserted) = (words::say(l, "diff-deleted"), words::say(l, "diff-inserted"));
    html! {
        @for change in diff::words(old, new) {
            @match change {
                Change::Same(t) => { (t) " " }
                Change::Deleted(t) => { del { span.sr { "[" (deleted) ": " } (t) span.sr { "]" } } " " }
                Change::Inserted(t) => { ins { span.sr { "[" (inserted) ": " } (t) span.sr { "]" } } " " }
            }
        }
    }
}

pub(super) fn my_positions(l: Lang, record: &Record, seat: &NodeId) -> Markup {
    let given: Vec<(&String, u32, &wire::Position)> = record
        .drafts
        .iter()
        .flat_map(|(slot, d)| {
            d.versions.iter().filter_map(move |ver| Some((slot, ver.draft.version, &ver.positions.get(seat)?.answer)))
        })
        .collect();
    html! {
        section #given aria-labelledby="given-h" {
            h2 #given-h { (words::say(l, "positions-you-gave")) }
            @if given.is_empty() { p { (words::say(l, "none-yet")) } } @else {
                ul { @for (slot, version, p) in given { li { (slot) " " (version_words(l, version)) ": " span class=(position_class(p.kind())) { (feed::position(l, p.kind())) } @if !p.reasons.is_empty() { " — " (p.reasons.join("; ")) } } } }
            }
        }
    }
}

/// How this state's comments were dealt with, draft by draft.
pub(super) fn my_comments(l: Lang, record: &Record, seat: &NodeId) -> Markup {
    let drafts: Vec<(&String, Vec<record::Resolution>)> = record
        .drafts
        .iter()
        .map(|(slot, d)| (slot, d.resolutions().into_iter().filter(|r| &r.comment.state == seat).collect::<Vec<_>>()))
        .filter(|(_, rows)| !rows.is_empty())
        .collect();
    html! {
        section #your-comments aria-labelledby="your-comments-h" {
            h2 #your-comments-h { (words::say(l, "your-comments")) }
            @if drafts.is_empty() { p { (words::say(l, "your-comments-none")) } }
            @for (slot, rows) in &drafts { (resolution_table(l, slot, rows)) }
        }
    }
}

pub(super) fn package(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
    let Some(package) = &record.package else { return html! {} };
    let p = &package.answer;
    html! {
        section #package aria-labelledby="package-h" {
            h2 #package-h { (words::say(l, "the-package")) }
            p { (words::say(l, "package")) " " code { (p.package_id) } ", " (words::say(l, "sha-digest")) " " code #digest { (p.digest) } }
            ul { @for item in &p.items { li { (capitalised(&Phase::Stage(item.stage_number).say(l))) ": " (item.draft.as_ref().map(|d| format!("{} v{} — {}", d.slot_id, d.version, d.title)).unwrap_or_default()) } } }
            @if awaits(v, &Task::Receipt) {
                form #receipt-form method="post" action=(path(v.exercise, v.seat, "receipt")) { input type="hidden" name="nonce" value=(v.nonce);
                    input type="hidden" name="package" value=(p.package_id);
                    input type="hidden" name="digest" value=(p.digest);
                    button type="submit" { (words::say_with(l, "confirm-receipt", &[("package", Arg::from(p.package_id.as_str()))])) }
                }
            } @else if record.receipts.contains_key(v.seat) {
                p { "✓ " (words::say(l, "receipt-confirmed")) }
            }
        }
    }
}
