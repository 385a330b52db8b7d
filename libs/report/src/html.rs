//! The after-action report as one self-contained HTML page: styles inline, an SVG timeline of the
//! phases and stages in exercise time, and the draft × state matrix in colour and text. Every
//! piece of participants' text is escaped.

use std::fmt::Write as _;

use crate::document::{self, Cell, Part, Writer};
use crate::model::Report;

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
    let mut page = Page(String::new());
    let _ = write!(
        page.0,
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>After-action report: {}</title><style>{STYLE}</style></head><body>",
        esc(&r.title)
    );
    document::write(r, &mut page);
    let _ = writeln!(page.0, "</body></html>");
    page.0
}

/// The report as HTML.
struct Page(String);

fn inline(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| match part {
            Part::Text(t) => esc(t),
            Part::Code(t) => format!("<code>{}</code>", esc(t)),
            Part::Strong(t) => format!("<strong>{}</strong>", esc(t)),
            Part::Muted(t) => format!("<span class=muted>{}</span>", esc(t)),
            Part::Position { version, kind, reasons } => {
                let title =
                    if reasons.is_empty() { String::new() } else { format!(" title=\"{}\"", esc(&reasons.join("; "))) };
                format!("<span{title}>v{version}: {}</span>", kind_label(kind))
            }
            Part::Break => "<br>".into(),
        })
        .collect()
}

impl Writer for Page {
    fn heading(&mut self, level: u8, text: &str, anchor: Option<&str>) {
        let id = anchor.map(|a| format!(" id=\"{}\"", esc(a))).unwrap_or_default();
        let _ = write!(self.0, "<h{level}{id}>{}</h{level}>", esc(text));
    }

    fn paragraph(&mut self, parts: &[Part]) {
        let _ = write!(self.0, "<p>{}</p>", inline(parts));
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<Cell>]) {
        let _ = write!(self.0, "<table><tr>");
        for h in header {
            let _ = write!(self.0, "<th>{}</th>", esc(h));
        }
        let _ = write!(self.0, "</tr>");
        for row in rows {
            let _ = write!(self.0, "<tr>");
            for cell in row {
                let class =
                    if cell.class.is_empty() { String::new() } else { format!(" class=\"{}\"", esc(&cell.class)) };
                let title =
                    if cell.title.is_empty() { String::new() } else { format!(" title=\"{}\"", esc(&cell.title)) };
                let _ = write!(self.0, "<td{class}{title}>{}</td>", inline(&cell.parts));
            }
            let _ = write!(self.0, "</tr>");
        }
        let _ = write!(self.0, "</table>");
    }

    fn list(&mut self, items: &[Vec<Part>]) {
        if items.is_empty() {
            return;
        }
        let _ = write!(self.0, "<ul>");
        for item in items {
            let _ = write!(self.0, "<li>{}</li>", inline(item));
        }
        let _ = write!(self.0, "</ul>");
    }

    fn timeline(&mut self, report: &Report) {
        self.0.push_str(&svg_timeline(report));
    }

    fn comments(&mut self, slot: &crate::model::SlotRecord) {
        comment_table(&mut self.0, slot, false);
    }
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
