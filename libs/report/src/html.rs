//! The after-action report as one self-contained HTML page: styles inline, an SVG timeline of the
//! phases and stages in exercise time, and the draft × state matrix in colour and text. Every
//! piece of participants' text is escaped.

use std::fmt::Write as _;

use crate::model::{Report, When, is_state};

/// Text made safe for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // A control or reordering character is shown, not obeyed (see `bus::text`).
    for c in bus::text::shown(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:78rem}\
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top;text-align:left}\
th{background:#f6f8fa}.concur{background:#dafbe1}.concur_with_remarks{background:#eefbd8}\
.non_concur{background:#ffd8d3}.abstain{background:#eaeef2}.silent{background:#fff8c5}\
.adopted{background:#dafbe1}.returned{background:#ffd8d3}.no_draft{background:#eaeef2}\
.muted{color:#57606a}.summary{font-size:1.05rem}svg text{font-size:11px;font-family:system-ui,sans-serif}";

fn when(w: &When) -> String {
    if w.at == w.day { esc(&w.at) } else { format!("{} <span class=muted>({})</span>", esc(&w.at), esc(&w.day)) }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "concur" => "concur",
        "concur_with_remarks" => "concur with remarks",
        "non_concur" => "non-concur",
        "abstain" => "abstain",
        _ => "?",
    }
}

/// Renders the report as a page. Writing to a `String` cannot fail, hence the ignored results.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = write!(
        w,
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>After-action report: {}</title><style>{STYLE}</style></head><body>",
        esc(&r.title)
    );
    let _ = write!(w, "<h1>After-action report: {}</h1>", esc(&r.title));
    let t = &r.totals;
    let _ = write!(
        w,
        "<p class=summary>Exercise <code>{}</code>{} · decision rule: {} · {} events · {} of exercise time in {:.1} s wall time (time scale {}×)</p>\
         <p class=summary><strong>{}</strong> · {} slots considered: {} adopted, {} returned, {} without a draft · {} revisions · {} positions</p>",
        esc(&r.exercise),
        if r.starts.is_empty() { String::new() } else { format!(" · started {}", esc(&r.starts)) },
        esc(&r.decision_rule),
        r.events,
        esc(&r.exercise_span),
        r.wall_ms as f64 / 1000.0,
        r.time_scale,
        if t.concluded { "Concluded" } else { "Not concluded" },
        t.considered,
        t.adopted,
        t.returned,
        t.no_draft,
        t.revisions,
        t.positions
    );
    let _ = write!(w, "<h2>Timeline</h2>{}", svg_timeline(r));
    let _ = write!(w, "<table><tr><th>exercise time</th><th>day</th><th>wall (s)</th><th>what</th></tr>");
    for e in &r.timeline {
        let _ = write!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td></tr>",
            esc(&e.when.at),
            esc(&e.when.day),
            e.when.wall_ms as f64 / 1000.0,
            esc(&e.what)
        );
    }
    let _ = write!(w, "</table>");

    let _ = write!(
        w,
        "<h2>Participants</h2><table><tr><th>node</th><th>name</th><th>role</th><th>played by</th><th>assembly report</th><th>activation</th></tr>"
    );
    for p in &r.participants {
        let answer =
            |a: &Option<crate::model::Answer>| a.as_ref().map_or("—".into(), |a| format!("after {}", esc(&a.after)));
        let _ = write!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.node),
            esc(&p.name),
            esc(&p.role),
            esc(&p.played_by),
            if p.remote { ", over gRPC" } else { "" },
            answer(&p.assembly),
            answer(&p.activation)
        );
    }
    let absent = if r.absent.is_empty() { "none".to_string() } else { r.absent.join(", ") };
    let _ = write!(w, "</table><p><strong>Absent</strong> (silent when assembly closed): {}</p>", esc(&absent));

    let states: Vec<&str> = r.participants.iter().filter(|p| is_state(&p.role)).map(|p| p.node.as_str()).collect();
    for s in &r.stages {
        let _ = write!(w, "<h2>Stage {}: {}</h2><p>Region: {}<br>", s.number, esc(&s.title), esc(&s.region));
        match &s.opened {
            Some(opened) => {
                let _ = write!(w, "Opened {} · deadline {}</p>", when(opened), when(&s.closes));
            }
            None => {
                let _ = write!(w, "Never opened · deadline {}</p>", when(&s.closes));
            }
        }
        let _ = write!(w, "<table><tr><th>slot</th><th>title</th><th>body</th>");
        for st in &states {
            let _ = write!(w, "<th>{}</th>", esc(st));
        }
        let _ = write!(w, "<th>outcome</th></tr>");
        for slot in &s.slots {
            let _ =
                write!(w, "<tr><td>{}</td><td>{}</td><td>{}</td>", esc(&slot.id), esc(&slot.title), esc(&slot.body));
            for st in &states {
                let last = slot.versions.iter().rev().find_map(|v| v.positions.get(*st).map(|p| p.kind.as_str()));
                let class = match (slot.versions.is_empty(), last) {
                    (true, _) => "",
                    (false, None) => "silent",
                    (false, Some(kind)) => kind,
                };
                let marks: Vec<String> = slot
                    .versions
                    .iter()
                    .map(|v| match v.positions.get(*st) {
                        Some(p) => {
                            let reasons = if p.reasons.is_empty() {
                                String::new()
                            } else {
                                format!(" title=\"{}\"", esc(&p.reasons.join("; ")))
                            };
                            format!("<span{reasons}>v{}: {}</span>", v.version, kind_label(&p.kind))
                        }
                        None => format!("v{}: no position", v.version),
                    })
                    .collect();
                let _ = write!(
                    w,
                    "<td class=\"{class}\">{}</td>",
                    if marks.is_empty() { "—".into() } else { marks.join("<br>") }
                );
            }
            let outcome = if slot.outcome.is_empty() { "not considered" } else { slot.outcome.as_str() };
            let _ = write!(
                w,
                "<td class=\"{}\" title=\"{}\">{}</td></tr>",
                esc(&slot.outcome),
                esc(&slot.reason),
                esc(outcome)
            );
        }
        let _ = write!(w, "</table><ul>");
        for slot in &s.slots {
            for v in &slot.versions {
                for (state, p) in v.positions.iter().filter(|(_, p)| p.kind == "non_concur") {
                    let _ = write!(
                        w,
                        "<li>{} v{}: {} did not concur: {}</li>",
                        esc(&slot.id),
                        v.version,
                        esc(state),
                        esc(&p.reasons.join("; "))
                    );
                }
                if !v.change_summary.is_empty() {
                    let _ = write!(w, "<li>{} v{}: revised; {}</li>", esc(&slot.id), v.version, esc(&v.change_summary));
                }
            }
        }
        let _ = write!(w, "</ul>");
        for slot in s.slots.iter().filter(|slot| !slot.comments.is_empty()) {
            let _ = write!(w, "<h4 id=\"comments-{0}\">Comment resolution: {0}</h4>", esc(&slot.id));
            comment_table(w, slot, false);
        }
    }

    let _ = write!(
        w,
        "<h2>Answer times of the states</h2><p class=muted>Exercise time from what asked for the answer to the answer, pauses not counted.</p>\
         <table><tr><th>state</th><th>answers</th><th>median</th><th>slowest</th><th>median wall (ms)</th></tr>"
    );
    for a in &r.answer_times {
        let span = |s: u64| esc(&scenario::calendar::span(std::time::Duration::from_secs(s)));
        let _ = write!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.node),
            a.answers,
            span(a.median_s),
            span(a.max_s),
            a.median_wall_ms
        );
    }
    let _ = write!(w, "</table><h2>Package as sent</h2>");
    match &r.package {
        Some(p) => {
            let _ = write!(
                w,
                "<p>Package <code>{}</code>, SHA-256 <code>{}</code>, {} drafts, sent {}.</p><table><tr><th>stage</th><th>slot</th><th>version</th><th>title</th><th>outcome</th></tr>",
                esc(&p.package_id),
                esc(&p.digest),
                p.items.len(),
                when(&p.sent)
            );
            for i in &p.items {
                let _ = write!(
                    w,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
                    i.stage,
                    esc(&i.slot),
                    i.version,
                    esc(&i.title),
                    esc(&i.outcome),
                    esc(&i.outcome)
                );
            }
            let receipts: Vec<String> =
                r.receipts.iter().map(|a| format!("{} (after {})", esc(&a.node), esc(&a.after))).collect();
            let _ = write!(
                w,
                "</table><p>Receipts confirmed: {}</p>",
                if receipts.is_empty() { "none".into() } else { receipts.join(", ") }
            );
        }
        None => {
            let _ = write!(w, "<p>No package was communicated.</p>");
        }
    }
    let _ = writeln!(w, "</body></html>");
    out
}

/// The phases as bars along exercise time; a pause (which stops exercise time) as a marked line.
fn svg_timeline(r: &Report) -> String {
    const WIDTH: f64 = 1000.0;
    const LEFT: f64 = 10.0;
    let total = r.phases.iter().map(|p| p.to_s).max().unwrap_or(0).max(1) as f64;
    let x = |s: u64| LEFT + (s as f64 / total) * (WIDTH - 2.0 * LEFT);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"110\" role=\"img\" aria-label=\"timeline of the phases in exercise time\">"
    );
    let colours = ["#8250df", "#0969da", "#1a7f37", "#bf8700", "#cf222e", "#57606a"];
    for (i, p) in r.phases.iter().enumerate() {
        if p.paused {
            let at = x(p.from_s);
            let _ = write!(
                svg,
                "<line x1=\"{at:.1}\" y1=\"8\" x2=\"{at:.1}\" y2=\"62\" stroke=\"#cf222e\" stroke-dasharray=\"3,2\"/>\
                 <text x=\"{at:.1}\" y=\"76\" fill=\"#cf222e\">paused {:.1} s wall</text>",
                (p.to_wall_ms.saturating_sub(p.from_wall_ms)) as f64 / 1000.0
            );
            continue;
        }
        let (from, to) = (x(p.from_s), x(p.to_s));
        let colour = colours[i % colours.len()];
        let _ = write!(
            svg,
            "<rect x=\"{from:.1}\" y=\"20\" width=\"{:.1}\" height=\"30\" fill=\"{colour}\" opacity=\"0.8\"><title>{}: {} s to {} s exercise time</title></rect>\
             <text x=\"{from:.1}\" y=\"14\">{}</text>",
            (to - from).max(1.0),
            esc(&p.phase),
            p.from_s,
            p.to_s,
            esc(&p.phase)
        );
    }
    let end = r.phases.last().map_or(0, |p| p.to_s);
    let _ = write!(
        svg,
        "<text x=\"{LEFT}\" y=\"100\" class=muted>start</text><text x=\"{:.1}\" y=\"100\" text-anchor=\"end\">{} s exercise time</text></svg>",
        WIDTH - LEFT,
        end
    );
    svg
}

/// A draft's comment-resolution matrix as a table (the report's and the package's); each row is
/// the comment's anchor, and with `version_links` each version links to its place on the page.
pub fn comment_table(w: &mut String, slot: &crate::model::SlotRecord, version_links: bool) {
    let version = |n: u32| match version_links {
        true => format!("<a href=\"#{}-v{n}\">v{n}</a>", esc(&slot.id)),
        false => format!("v{n}"),
    };
    let _ = write!(
        w,
        "<table class=comments><tr><th>comment</th><th>by</th><th>on</th><th>kind</th><th>text</th>\
         <th>disposition</th><th>state's answer</th><th>status</th></tr>"
    );
    for c in &slot.comments {
        let dispositions: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| match d.disposition.as_str() {
                "" => format!("{}: none", version(d.version)),
                kind => format!("{}: {} — {}", version(d.version), esc(&kind.replace('_', " ")), esc(&d.reason)),
            })
            .collect();
        let answers: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| {
                let answer = if d.answer.is_empty() { "—".into() } else { esc(&d.answer.replace('_', " ")) };
                format!("v{}: {answer}", d.version)
            })
            .collect();
        let dash = |v: Vec<String>| if v.is_empty() { "—".to_string() } else { v.join("<br>") };
        let _ = write!(
            w,
            "<tr id=\"{0}\"><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td></tr>",
            esc(&c.id),
            esc(&c.state),
            version(c.version),
            esc(&c.kind),
            esc(&c.text),
            dash(dispositions),
            dash(answers),
            if c.open { "open" } else { "closed" }
        );
    }
    let _ = write!(w, "</table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_or_reordering_character_is_shown_not_obeyed() {
        let escaped = esc("ok\u{1b}[2J\u{202E}gpj.exe");
        assert!(!escaped.chars().any(bus::text::is_hostile), "{escaped}");
        assert!(escaped.contains("\\u{202e}"), "{escaped}");
    }

    #[test]
    fn participants_text_cannot_open_a_tag() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
