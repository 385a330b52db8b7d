//! The after-action report for people, in Markdown.

use std::fmt::Write as _;

use crate::report::{Answer, Report};

fn position_mark(kind: &str) -> &'static str {
    match kind {
        "concur" => "concur",
        "concur_with_remarks" => "concur (remarks)",
        "non_concur" => "**non-concur**",
        "abstain" => "abstain",
        _ => "?",
    }
}

fn answered(a: Option<&Answer>) -> String {
    a.map_or("—".into(), |a| format!("after {} ms", a.after_ms))
}

/// Renders the report. Writing to a `String` cannot fail, hence the ignored results.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# After-action report: {}\n", r.title);
    let _ = writeln!(
        w,
        "Exercise `{}` · decision rule: {} · {} events · {:.1} s wall time · time scale {}×\n",
        r.exercise,
        r.decision_rule,
        r.events,
        r.wall_ms as f64 / 1000.0,
        r.time_scale
    );
    let t = &r.totals;
    let _ = writeln!(
        w,
        "**{}** · {} slots considered: {} adopted, {} returned, {} without a draft · {} revisions · {} positions\n",
        if t.concluded { "Concluded" } else { "Not concluded" },
        t.considered,
        t.adopted,
        t.returned,
        t.no_draft,
        t.revisions,
        t.positions
    );

    let _ = writeln!(
        w,
        "## Summary\n\n| stage | title | slots | adopted | returned | no draft | revised drafts |\n|---|---|---|---|---|---|---|"
    );
    for s in &r.stages {
        let count = |o: &str| s.slots.iter().filter(|x| x.outcome == o).count();
        let revised = s.slots.iter().filter(|x| x.versions.len() > 1).count();
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            s.number,
            s.title,
            s.slots.len(),
            count("adopted"),
            count("returned"),
            count("no_draft"),
            revised
        );
    }

    let _ = writeln!(w, "\n## Timeline\n\n| t (ms) | what |\n|---|---|");
    for e in &r.timeline {
        let _ = writeln!(w, "| {} | {} |", e.at_ms, e.what);
    }

    let _ = writeln!(
        w,
        "\n## Participants\n\n| node | name | role | assembly report | activation |\n|---|---|---|---|---|"
    );
    for p in &r.participants {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            p.node,
            p.name,
            p.role,
            answered(p.assembly.as_ref()),
            answered(p.activation.as_ref())
        );
    }
    let absent = if r.absent.is_empty() { "none".to_string() } else { r.absent.join(", ") };
    let _ = writeln!(w, "\n**Absent** (silent when assembly closed): {absent}");

    let states: Vec<&str> =
        r.participants.iter().filter(|p| p.role == "control_point").map(|p| p.node.as_str()).collect();
    for s in &r.stages {
        let _ = writeln!(w, "\n## Stage {}: {}\n\nRegion: {}\n", s.number, s.title, s.region);
        let assessed: Vec<String> = s.assessments.iter().map(|a| format!("{} ({} ms)", a.node, a.after_ms)).collect();
        let _ = writeln!(
            w,
            "Situation assessments: {}\n",
            if assessed.is_empty() { "none".into() } else { assessed.join(", ") }
        );
        let _ = write!(w, "| slot | title | body | versions |");
        for st in &states {
            let _ = write!(w, " {st} |");
        }
        let _ = writeln!(w, " outcome |");
        let _ = writeln!(w, "|{}", "---|".repeat(5 + states.len()));
        for slot in &s.slots {
            let _ = write!(w, "| {} | {} | {} | {} |", slot.id, slot.title, slot.body, slot.versions.len());
            for st in &states {
                let marks: Vec<String> = slot
                    .versions
                    .iter()
                    .filter_map(|v| v.positions.get(*st).map(|p| format!("v{}: {}", v.version, position_mark(&p.kind))))
                    .collect();
                let _ = write!(w, " {} |", if marks.is_empty() { "—".into() } else { marks.join("<br>") });
            }
            let _ = writeln!(w, " {} |", if slot.outcome.is_empty() { "not considered" } else { &slot.outcome });
        }
        for slot in &s.slots {
            for v in &slot.versions {
                for (state, p) in v.positions.iter().filter(|(_, p)| p.kind == "non_concur") {
                    let _ =
                        writeln!(w, "\n- {} v{}: {state} did not concur: {}", slot.id, v.version, p.reasons.join("; "));
                }
                if !v.change_summary.is_empty() {
                    let _ = writeln!(w, "- {} v{}: revised; {}", slot.id, v.version, v.change_summary);
                }
            }
        }
    }

    let _ = writeln!(
        w,
        "\n## Answer times\n\nAfter the event that asked for the answer; exercise time is wall time × {}.\n",
        r.time_scale
    );
    let _ =
        writeln!(w, "| node | answers | median (ms) | slowest (ms) | median, exercise time |\n|---|---|---|---|---|");
    let exercise_minutes = |ms: u64| ms as f64 * r.time_scale / 60_000.0;
    for a in &r.answer_times {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {:.0} min |",
            a.node,
            a.answers,
            a.median_ms,
            a.max_ms,
            exercise_minutes(a.median_ms)
        );
    }

    let _ = writeln!(w, "\n## Package as sent\n");
    match &r.package {
        Some(p) => {
            let _ = writeln!(
                w,
                "Package `{}`, SHA-256 `{}`, {} drafts.\n\n| stage | slot | version | title | outcome |\n|---|---|---|---|---|",
                p.package_id,
                p.digest,
                p.items.len()
            );
            for i in &p.items {
                let _ = writeln!(w, "| {} | {} | {} | {} | {} |", i.stage, i.slot, i.version, i.title, i.outcome);
            }
            let receipts: Vec<String> = r.receipts.iter().map(|a| format!("{} ({} ms)", a.node, a.after_ms)).collect();
            let _ = writeln!(
                w,
                "\nReceipts confirmed: {}",
                if receipts.is_empty() { "none".into() } else { receipts.join(", ") }
            );
        }
        None => {
            let _ = writeln!(w, "No package was communicated.");
        }
    }
    out
}
