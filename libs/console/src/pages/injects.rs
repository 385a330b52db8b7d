//! Injects at the console: a seat's own, live, each acknowledged with one button; for exercise
//! control, the open stage's injects still to come (released now by hand), those released with
//! who has acknowledged them, and a form to write one during the exercise.

use super::*;

/// The injects released to this seat, newest first.
pub(super) fn inbox(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
    let mine: Vec<&record::Released> = record.injects_for(v.seat).collect();
    if mine.is_empty() {
        return html! {};
    }
    html! {
        section #injects aria-labelledby="injects-h" {
            h2 #injects-h { (words::say(l, "injects-to-you")) }
            @for r in mine.iter().rev() {
                @let Some(inject) = r.inject() else { continue };
                article.inject id=(format!("inject-{}", r.id())) {
                    h3 { (words::say_with(l, "inject-heading", &[("inject", Arg::from(r.id()))])) }
                    p.meta {
                        @if let Some(from) = &inject.from { (words::say(l, "inject-from")) " " (written(l, from)) " · " }
                        (words::say(l, "inject-released")) " " (record.when_in(l, r.at.exercise))
                    }
                    p.text { (written(l, &inject.text)) }
                    @if !inject.expects.is_empty() { p.expects { strong { (words::say(l, "inject-expects")) } " " (written(l, &inject.expects)) } }
                    @if let Some(slot) = &inject.slot { p { (words::say(l, "inject-slot")) " " a href=(format!("/ex/{}/draft/{slot}", v.exercise)) { (slot) } } }
                    @match r.acknowledged.get(v.seat) {
                        Some(at) => p.acknowledged { "✓ " (words::say(l, "inject-acknowledged")) " " (record.when_in(l, at.exercise)) },
                        None => form method="post" action=(path(v.exercise, v.seat, "acknowledge")) { input type="hidden" name="nonce" value=(v.nonce);
                            input type="hidden" name="inject" value=(r.id());
                            button id=(format!("acknowledge-{}", r.id())) type="submit" { (words::say(l, "inject-acknowledge")) }
                        },
                    }
                }
            }
        }
    }
}

/// Exercise control's injects: to come in the open stage, released, and one to write now.
pub(super) fn control(v: &View<'_>) -> Markup {
    let (l, record) = (v.lang, &v.log.record);
    if record.plan.is_none() {
        return html! {};
    }
    let open = matches!(record.phase.phase, Phase::Stage(_));
    let everyone = words::say(l, "inject-everyone");
    let to = |to: &[String]| if to.is_empty() { everyone.clone() } else { to.join(", ") };
    let kept = |field: &str| typed(v, "inject", &[], field, "");
    html! {
        section #injects-control aria-labelledby="injects-control-h" {
            h2 #injects-control-h { (words::say(l, "injects")) }
            @let pending = record.injects_pending();
            @if !pending.is_empty() {
                table #injects-pending {
                    caption { (words::say(l, "injects-to-come")) }
                    thead { tr { th scope="col" { (words::say(l, "inject")) } th scope="col" { (words::say(l, "inject-when")) } th scope="col" { (words::say(l, "inject-to")) } th scope="col" { (words::say(l, "inject-text")) } th scope="col" {} } }
                    tbody {
                        @for (inject, due) in &pending {
                            @let ids: Vec<String> = inject.to.iter().map(ToString::to_string).collect();
                            tr id=(format!("pending-{}", inject.id)) {
                                th scope="row" { (inject.id) }
                                td { @match due { Some(at) => (record.when_in(l, *at)), None => (words::say(l, "inject-held")) } }
                                td { (to(&ids)) }
                                td { (written(l, &inject.text)) }
                                td { form method="post" action=(path(v.exercise, v.seat, "release")) { input type="hidden" name="nonce" value=(v.nonce);
                                    input type="hidden" name="inject" value=(inject.id);
                                    button id=(format!("release-{}", inject.id)) type="submit" { (words::say(l, "inject-release-now")) }
                                } }
                            }
                        }
                    }
                }
            }
            @if !record.injects.is_empty() {
                table #injects-released {
                    caption { (words::say(l, "injects-released")) }
                    thead { tr { th scope="col" { (words::say(l, "inject")) } th scope="col" { (words::say(l, "inject-released")) } th scope="col" { (words::say(l, "inject-to")) } th scope="col" { (words::say(l, "inject-acknowledged-by")) } } }
                    tbody {
                        @for r in &record.injects {
                            @let waiting: Vec<&str> = r.unacknowledged().collect();
                            tr id=(format!("released-{}", r.id())) {
                                th scope="row" { (r.id()) }
                                td { (record.when_in(l, r.at.exercise)) }
                                td { (to(&r.event.recipients)) }
                                td class=(if waiting.is_empty() { "" } else { "late" }) {
                                    (r.acknowledged.len()) " / " (r.event.recipients.len())
                                    @if !waiting.is_empty() { " — " (words::say(l, "inject-waiting")) " " (waiting.join(", ")) }
                                }
                            }
                        }
                    }
                }
            }
            @if open {
                form #inject-form method="post" action=(path(v.exercise, v.seat, "inject")) { input type="hidden" name="nonce" value=(v.nonce);
                    h3 { (words::say(l, "inject-write")) }
                    label { (words::say(l, "inject-id")) " " input type="text" name="id" pattern="[A-Za-z0-9_\\-]+" maxlength="64" required value=(kept("id")); }
                    label { (words::say(l, "inject-to-seats")) " " input type="text" name="to" maxlength=(MAX_TEXT) placeholder=(everyone) value=(kept("to")); }
                    label { (words::say(l, "inject-text")) " " textarea name="text" maxlength=(MAX_DRAFT_TEXT) rows="4" required { (kept("text")) } }
                    label { (words::say(l, "inject-expects")) " " input type="text" name="expects" maxlength=(MAX_TEXT) value=(kept("expects")); }
                    (written_in(v, kept("language")))
                    button #write-inject type="submit" { (words::say(l, "inject-write-button")) }
                }
            }
            @if pending.is_empty() && record.injects.is_empty() && !open { p { (words::say(l, "injects-none")) } }
        }
    }
}
