//! The planner's page: upload a plan (a workbook, a scenario file, an MSEL), see every problem
//! where it is (sheet, row and column; or line), preview what a valid plan has the exercise do,
//! download it again as a workbook, and hand it to the director.

use scenario::{Release, Scenario};

use super::*;
use crate::plan::{Prepared, Problems};

pub(super) fn planner(v: &View<'_>) -> Markup {
    let l = v.lang;
    let base = format!("/ex/{}/plan", v.exercise);
    html! {
        section #plan aria-labelledby="plan-h" {
            h2 #plan-h { (words::say(l, "plan-heading")) }
            @if let Some(played) = v.log.record.plan.as_ref() {
                p #plan-played { (words::say_with(l, "plan-played", &[("digest", Arg::from(played.scenario_digest.as_str()))])) }
            }
            p { a #plan-current href=(format!("{base}/current")) download="exercise.xlsx" { (words::say(l, "plan-download-current")) } }
            form #plan-form method="post" enctype="multipart/form-data" action=(base) {
                label { (words::say(l, "plan-file")) " " input #plan-file type="file" name="plan" accept=".xlsx,.toml,.csv" required; }
                button #upload type="submit" { (words::say(l, "plan-upload")) }
            }
            @if let Some(prepared) = &v.plan { (prepared_plan(v, prepared, &base)) }
        }
    }
}

fn prepared_plan(v: &View<'_>, prepared: &Prepared, base: &str) -> Markup {
    let l = v.lang;
    let file = Arg::from(prepared.file.as_str());
    match &prepared.read {
        Err(problems) => html! {
            section #plan-problems aria-labelledby="plan-problems-h" {
                h3 #plan-problems-h { (words::say_with(l, "plan-problems", &[("file", file), ("count", Arg::from(count(problems)))])) }
                (problem_table(l, problems))
            }
        },
        Ok(plan) => html! {
            section #plan-ready aria-labelledby="plan-ready-h" {
                h3 #plan-ready-h { (words::say_with(l, "plan-valid", &[("file", file)])) }
                p { (words::say(l, "plan-digest")) " " code #plan-digest { (plan.scenario.digest) } }
                p {
                    a #plan-workbook href=(format!("{base}/workbook")) download="plan.xlsx" { (words::say(l, "plan-download-workbook")) }
                    " · " a href=(format!("{base}/scenario")) download="plan.toml" { (words::say(l, "plan-download-scenario")) }
                }
                @match prepared.handed {
                    Some(_) => p #plan-handed { "✓ " (words::say(l, "plan-handed")) },
                    None if v.log.record.plan.is_none() => form #hand-form method="post" action=(format!("{base}/hand")) {
                        button #hand type="submit" { (words::say(l, "plan-hand")) }
                    },
                    None => {},
                }
                (preview(l, &plan.scenario))
            }
        },
    }
}

fn count(problems: &Problems) -> usize {
    match problems {
        Problems::Cells(c) => c.len(),
        Problems::Lines(p) => p.len(),
        Problems::OtherSeats | Problems::Unreadable(_) => 1,
    }
}

/// The most problems a page lists: the first are what to mend first.
const SHOWN: usize = 200;

fn problem_table(l: Lang, problems: &Problems) -> Markup {
    let more = count(problems).saturating_sub(SHOWN);
    html! {
        @if more > 0 { p { (words::say_with(l, "plan-more-problems", &[("count", Arg::from(more))])) } }
        @match problems {
            Problems::Cells(cells) => table #problems {
                thead { tr { th scope="col" { (words::say(l, "plan-sheet")) } th scope="col" { (words::say(l, "plan-row")) } th scope="col" { (words::say(l, "plan-column")) } th scope="col" { (words::say(l, "plan-field")) } th scope="col" { (words::say(l, "plan-problem")) } } }
                tbody { @for p in cells.iter().take(SHOWN) { tr { td { (p.sheet) } td { (p.row) } td { (p.column) } td { code { (p.field) } } td { (p.message) } } } }
            },
            Problems::Lines(lines) => table #problems {
                thead { tr { th scope="col" { (words::say(l, "plan-line")) } th scope="col" { (words::say(l, "plan-field")) } th scope="col" { (words::say(l, "plan-problem")) } } }
                tbody { @for p in lines.iter().take(SHOWN) { tr { td { (p.line) } td { code { (p.field) } } td { (p.message) } } } }
            },
            Problems::OtherSeats => p #problems { (words::say(l, "plan-other-seats")) },
            Problems::Unreadable(why) => p #problems { (why.say(l)) },
        }
    }
}

/// What the plan has the exercise do: its stages, its injects in time, what each seat is asked.
fn preview(l: Lang, s: &Scenario) -> Markup {
    let at = |d: std::time::Duration| scenario::calendar::span_in(l, d);
    html! {
        section #plan-preview aria-labelledby="plan-preview-h" {
            h3 #plan-preview-h { (words::say(l, "plan-preview")) ": " (written(l, &s.title)) }
            table #plan-stages {
                caption { (words::say(l, "plan-stages")) }
                thead { tr { th scope="col" { (words::say(l, "plan-stage")) } th scope="col" { (words::say(l, "plan-closes")) } th scope="col" { (words::say(l, "plan-slots")) } } }
                tbody { @for stage in &s.stages { tr {
                    th scope="row" { (stage.number) ". " (written(l, &stage.title)) }
                    td { (at(stage.closes_at)) }
                    td { (stage.slots.iter().map(|slot| slot.id.as_str()).collect::<Vec<_>>().join(", ")) }
                } } }
            }
            table #plan-injects {
                caption { (words::say(l, "plan-injects")) }
                thead { tr { th scope="col" { (words::say(l, "plan-stage")) } th scope="col" { (words::say(l, "inject-when")) } th scope="col" { (words::say(l, "inject")) } th scope="col" { (words::say(l, "inject-to")) } th scope="col" { (words::say(l, "inject-text")) } th scope="col" { (words::say(l, "inject-expects")) } } }
                tbody { @for stage in &s.stages { @for i in &stage.injects { tr {
                    td { (stage.number) }
                    td { @match i.release { Release::After(after) => (words::say_with(l, "plan-after-opening", &[("span", Arg::from(at(after)))])), Release::ByHand => (words::say(l, "plan-by-hand")) } }
                    th scope="row" { (i.id) }
                    td { @if i.to.is_empty() { (words::say(l, "inject-everyone")) } @else { (i.to.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) } }
                    td { (written(l, &i.text)) }
                    td { @if !i.expects.is_empty() { (written(l, &i.expects)) } }
                } } } }
            }
            table #plan-seats {
                caption { (words::say(l, "plan-who-does-what")) }
                thead { tr { th scope="col" { (words::say(l, "seat")) } th scope="col" { (words::say(l, "plan-asked")) } } }
                tbody { @for p in &s.participants { tr {
                    th scope="row" { (written(l, &p.name)) " (" (p.node) ")" }
                    td { (asked(l, s, p)) }
                } } }
            }
        }
    }
}

/// What the plan asks of one seat: drafts, positions, injects to acknowledge.
fn asked(l: Lang, s: &Scenario, p: &scenario::Participant) -> String {
    let mut said = Vec::new();
    let body = scenario::DraftingBody::ALL.iter().copied().find(|b| b.role() == p.role);
    let drafts: Vec<&str> =
        s.slots().filter(|(_, slot)| Some(slot.owner) == body).map(|(_, slot)| slot.id.as_str()).collect();
    if !drafts.is_empty() {
        said.push(words::say_with(l, "plan-asked-drafts", &[("slots", Arg::from(drafts.join(", ")))]));
    }
    if p.gives_positions() {
        said.push(words::say(l, "plan-asked-positions"));
    }
    let injects: Vec<&str> = s
        .stages
        .iter()
        .flat_map(|stage| &stage.injects)
        .filter(|i| p.role != bus::Role::Observer && (i.to.is_empty() || i.to.contains(&p.node)))
        .map(|i| i.id.as_str())
        .collect();
    if !injects.is_empty() {
        said.push(words::say_with(l, "plan-asked-injects", &[("injects", Arg::from(injects.join(", ")))]));
    }
    if said.is_empty() { words::say(l, "plan-asked-nothing") } else { said.join("; ") }
}
