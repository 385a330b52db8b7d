//! The after-action report for people, in Markdown. Participants' text is escaped so that a `|`
//! or a line break in a reason cannot break a table.

use std::fmt::Write as _;

use scenario::calendar;

use crate::model::{Answer, Report, When, is_state};

/// Text made safe for a Markdown table cell (and a terminal): pipes escaped, line breaks as
/// `<br>`, the characters that would start HTML or emphasis escaped, control characters shown.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // A control or reordering character is shown, not obeyed: `cat report.md` must not clear a
    // terminal or colour a line (see `bus::text`).
    for c in bus::text::shown(text).chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '`' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn position_mark(kind: &str) -> &'static str {
    match kind {
        "concur" => "concur",
        "concur_with_remarks" => "concur (remarks)",
        "non_concur" => "**non-concur**",
        "abstain" => "abstain",
        _ => "?",
    }
}

fn after(a: Option<&Answer>) -> String {
    a.map_or("—".into(), |a| format!("after {}", a.after))
}

fn when(w: &When) -> String {
    if w.at == w.day { w.at.clone() } else { format!("{} ({})", w.at, w.day) }
}

/// Renders the report. Writing to a `String` cannot fail, hence the ignored results.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# After-action report: {}\n", cell(&r.title));
    let starts = if r.starts.is_empty() { String::new() } else { format!(" · started {}", cell(&r.starts)) };
    let _ = writeln!(
        w,
        "Exercise `{}`{starts} · decision rule: {} · {} events · {} of exercise time in {:.1} s wall time (time scale {}×)\n",
        r.exercise,
        r.decision_rule,
        r.events,
        r.exercise_span,
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
            cell(&s.title),
            s.slots.len(),
            count("adopted"),
            count("returned"),
            count("no_draft"),
            revised
        );
    }

    let _ = writeln!(w, "\n## Timeline\n\n| exercise time | day | wall (s) | what |\n|---|---|---|---|");
    for e in &r.timeline {
        let _ = writeln!(
            w,
            "| {} | {} | {:.2} | {} |",
            e.when.at,
            e.when.day,
            e.when.wall_ms as f64 / 1000.0,
            cell(&e.what)
        );
    }

    let _ = writeln!(
        w,
        "\n## Participants\n\n| node | name | role | played by | assembly report | activation |\n|---|---|---|---|---|---|"
    );
    for p in &r.participants {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {}{} | {} | {} |",
            p.node,
            cell(&p.name),
            p.role,
            p.played_by,
            if p.remote { ", over gRPC" } else { "" },
            after(p.assembly.as_ref()),
            after(p.activation.as_ref())
        );
    }
    let absent = if r.absent.is_empty() { "none".to_string() } else { r.absent.join(", ") };
    let _ = writeln!(w, "\n**Absent** (silent when assembly closed): {absent}");

    let states: Vec<&str> = r.participants.iter().filter(|p| is_state(&p.role)).map(|p| p.node.as_str()).collect();
    for s in &r.stages {
        let _ = writeln!(w, "\n## Stage {}: {}\n\nRegion: {}  ", s.number, cell(&s.title), cell(&s.region));
        match &s.opened {
            Some(opened) => {
                let _ = writeln!(w, "Opened {} · deadline {}\n", when(opened), when(&s.closes));
            }
            None => {
                let _ = writeln!(w, "Never opened · deadline {}\n", when(&s.closes));
            }
        }
        let assessed: Vec<String> = s.assessments.iter().map(|a| format!("{} (after {})", a.node, a.after)).collect();
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
            let _ = write!(w, "| {} | {} | {} | {} |", slot.id, cell(&slot.title), slot.body, slot.versions.len());
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
                    let reasons: Vec<String> = p.reasons.iter().map(|r| cell(r)).collect();
                    let _ =
                        writeln!(w, "\n- {} v{}: {state} did not concur: {}", slot.id, v.version, reasons.join("; "));
                }
                if !v.change_summary.is_empty() {
                    let _ = writeln!(w, "- {} v{}: revised; {}", slot.id, v.version, cell(&v.change_summary));
                }
            }
        }
        for slot in s.slots.iter().filter(|slot| !slot.comments.is_empty()) {
            let _ = writeln!(w, "\n#### Comment resolution: {}\n", slot.id);
            comment_table(w, slot);
        }
    }

    let _ = writeln!(
        w,
        "\n## Answer times of the states\n\nExercise time from what asked for the answer (the notification, the deployment order, \
         the stage's opening, the draft version's circulation, the package) to the answer, pauses not counted; wall time beside it.\n"
    );
    let _ = writeln!(w, "| state | answers | median | slowest | median wall (ms) |\n|---|---|---|---|---|");
    for a in &r.answer_times {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            a.node,
            a.answers,
            calendar::span(std::time::Duration::from_secs(a.median_s)),
            calendar::span(std::time::Duration::from_secs(a.max_s)),
            a.median_wall_ms
        );
    }

    let _ = writeln!(w, "\n## Package as sent\n");
    match &r.package {
        Some(p) => {
            let _ = writeln!(
                w,
                "Package `{}`, SHA-256 `{}`, {} drafts, sent {}.\n\n| stage | slot | version | title | outcome |\n|---|---|---|---|---|",
                p.package_id,
                p.digest,
                p.items.len(),
                when(&p.sent)
            );
            for i in &p.items {
                let _ =
                    writeln!(w, "| {} | {} | {} | {} | {} |", i.stage, i.slot, i.version, cell(&i.title), i.outcome);
            }
            let receipts: Vec<String> = r.receipts.iter().map(|a| format!("{} (after {})", a.node, a.after)).collect();
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

/// A draft's comment-resolution matrix as a table (the report's and the package's).
pub fn comment_table(w: &mut String, slot: &crate::model::SlotRecord) {
    let _ = writeln!(w, "| comment | by | on | kind | text | disposition | state's answer | status |");
    let _ = writeln!(w, "|---|---|---|---|---|---|---|---|");
    for c in &slot.comments {
        let dispositions: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| match d.disposition.as_str() {
                "" => format!("v{}: none", d.version),
                kind => format!("v{}: {} — {}", d.version, kind.replace('_', " "), cell(&d.reason)),
            })
            .collect();
        let answers: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| format!("v{}: {}", d.version, if d.answer.is_empty() { "—" } else { position_mark(&d.answer) }))
            .collect();
        let dash = |v: Vec<String>| if v.is_empty() { "—".to_string() } else { v.join("<br>") };
        let _ = writeln!(
            w,
            "| {} | {} | v{} | {} | {} | {} | {} | {} |",
            c.id,
            c.state,
            c.version,
            c.kind,
            cell(&c.text),
            dash(dispositions),
            dash(answers),
            if c.open { "open" } else { "closed" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_or_a_line_break_in_text_stays_inside_its_cell() {
        let text = "costs | shares\nsecond line with <b>tags</b> and *stars*";
        let escaped = cell(text);
        assert!(!escaped.contains('\n'));
        assert_eq!(escaped.matches('|').count(), escaped.matches("\\|").count(), "{escaped}");
        assert!(escaped.contains("&lt;b&gt;"));
        assert!(escaped.contains("\\*stars\\*"));
    }

    #[test]
    fn a_control_or_reordering_character_is_shown_not_obeyed() {
        let escaped = cell("ok\u{1b}[2J\u{7}\u{202E}gpj.exe");
        assert!(!escaped.chars().any(bus::text::is_hostile), "{escaped}");
        assert!(escaped.contains("u{1b}") && escaped.contains("u{202e}"), "{escaped}");
    }
}
