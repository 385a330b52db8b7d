//! The after-action report in HTML: [`body`], a fragment the console sets inside its own layout,
//! styled by [`STYLE`] (screen and print); [`render`], the two as one self-contained page (what
//! the observer writes). An SVG chart draws the phases along exercise time; the draft × state
//! matrix is in colour and in words. Every piece of participants' text is escaped.

use std::fmt::Write as _;
use std::time::Duration;

use scenario::calendar::{self, Calendar};
use words::{Arg, Lang};

use crate::document::{
    self, Cell, Part, Writer, comment_columns, comment_words, disposition_words, open_words, position_words,
    version_words,
};
use crate::model::{PhaseSpan, Report, SlotRecord};

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

/// The report's style sheet, for screen and print. Every rule is scoped to the report's
/// `article.aar` so the console's own page is left as it is; the print rules hide the page's
/// chrome around the report (navigation, header, footer, forms) and print black on white.
pub const STYLE: &str = "\
.aar{font-family:system-ui,sans-serif;color:#1b1f24;line-height:1.45;max-width:78rem}
.aar h1{font-size:1.6rem}
.aar h2{margin-top:2rem;border-bottom:1px solid #d0d7de}
.aar h5{font-size:1rem;margin:1.2rem 0 .3rem}
.aar p,.aar li{overflow-wrap:anywhere}
.aar .wide{overflow-x:auto}
.aar table{border-collapse:collapse;margin:.5rem 0}
.aar td,.aar th{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top;text-align:left;overflow-wrap:anywhere}
.aar th{background:#f6f8fa}
.aar blockquote.text{white-space:pre-wrap;overflow-wrap:anywhere;max-width:60rem;margin:.5rem 0;padding:.4rem .8rem;\
border-left:4px solid #d0d7de;background:#f6f8fa}
.aar .concur{background:#dafbe1}.aar .concur-with-remarks{background:#eefbd8}.aar .non-concur{background:#ffd8d3}
.aar .abstain{background:#eaeef2}.aar .silent{background:#fff8c5}.aar .absent{background:#eaeef2;color:#57606a}
.aar .adopted{background:#dafbe1}.aar .returned{background:#ffd8d3}.aar .no-draft{background:#eaeef2}
.aar .muted{color:#57606a}
.aar figure{margin:1rem 0}
.aar figcaption{color:#57606a;font-size:.9rem}
.aar svg.timeline{max-width:100%;height:auto}
.aar svg.timeline text{font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace;fill:#1b1f24}
@page{margin:16mm 14mm}
@media print{
nav,header,footer,aside,form,button,.no-print{display:none!important}
html,body{background:#fff!important;color:#000!important;margin:0}
.aar{max-width:none;font-size:10pt;color:#000}
.aar *{color:#000!important;background:transparent!important;box-shadow:none!important}
.aar a{text-decoration:none}
.aar a[href]::after{content:none!important}
.aar .wide{overflow:visible}
.aar table{width:100%}
.aar thead{display:table-header-group}
.aar tr,.aar figure,.aar h5+p{break-inside:avoid}
.aar h1,.aar h2,.aar h3,.aar h4,.aar h5{break-after:avoid}
.aar td,.aar th,.aar blockquote.text{border-color:#000!important}
}
";

/// The report as a fragment of a page: one `<article class="aar">`, no `<html>`, `<head>` or
/// style; the page around it links or inlines [`STYLE`].
pub fn body(r: &Report) -> String {
    let mut page = Page { html: String::from("<article class=\"aar\">"), lang: r.lang };
    document::write(r, &mut page);
    page.html.push_str("</article>");
    page.html
}

/// The report as one self-contained page in its language: [`body`] styled by [`STYLE`].
pub fn render(r: &Report) -> String {
    let title = words::say_with(r.lang, "aar-title", &[("title", Arg::from(r.title.as_str()))]);
    format!(
        "<!doctype html><html lang={}><head><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>body{{margin:2rem}}\n{STYLE}</style></head><body>{}</body></html>\n",
        r.lang.tag(),
        esc(&title),
        body(r)
    )
}

/// The report as HTML, in its language. Writing to a `String` cannot fail, hence the ignored results.
struct Page {
    html: String,
    lang: Lang,
}

fn inline(lang: Lang, parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| match part {
            Part::Text(t) => esc(t),
            Part::Code(t) => format!("<code>{}</code>", esc(t)),
            Part::Strong(t) => format!("<strong>{}</strong>", esc(t)),
            Part::Muted(t) => format!("<span class=muted>{}</span>", esc(t)),
            Part::Written { text, language } => {
                format!("<span lang=\"{}\">{}</span> {}", esc(language), esc(text), mark(lang, language))
            }
            Part::Position { version, kind, reasons } => {
                let title =
                    if reasons.is_empty() { String::new() } else { format!(" title=\"{}\"", esc(&reasons.join("; "))) };
                format!("<span{title}>{}: {}</span>", version_words(lang, *version), esc(&position_words(lang, kind)))
            }
            Part::Break => "<br>".into(),
        })
        .collect()
}

/// The mark of a text written in `language`, another than the report's: its tag, `(RU)`, said in
/// full on hover.
fn mark(lang: Lang, language: &str) -> String {
    let title = words::say_with(lang, "aar-written-in-other", &[("language", Arg::from(language))]);
    format!("<abbr class=\"other-language\" title=\"{}\">{}</abbr>", esc(&title), esc(&words::mark(language)))
}

impl Writer for Page {
    fn heading(&mut self, level: u8, text: &str, anchor: Option<&str>) {
        let id = anchor.map(|a| format!(" id=\"{}\"", esc(a))).unwrap_or_default();
        let _ = write!(self.html, "<h{level}{id}>{}</h{level}>", esc(text));
    }

    fn paragraph(&mut self, parts: &[Part]) {
        let _ = write!(self.html, "<p>{}</p>", inline(self.lang, parts));
    }

    fn quote(&mut self, text: &str, language: &str) {
        if language.is_empty() {
            let _ = write!(self.html, "<blockquote class=\"text\">{}</blockquote>", esc(text));
        } else {
            let (mark, language) = (mark(self.lang, language), esc(language));
            let _ = write!(
                self.html,
                "<p>{mark}</p><blockquote class=\"text\" lang=\"{language}\">{}</blockquote>",
                esc(text)
            );
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<Cell>]) {
        let _ = write!(self.html, "<div class=\"wide\"><table><thead><tr>");
        for h in header {
            let _ = write!(self.html, "<th>{}</th>", esc(h));
        }
        let _ = write!(self.html, "</tr></thead><tbody>");
        for row in rows {
            let _ = write!(self.html, "<tr>");
            for cell in row {
                let class =
                    if cell.class.is_empty() { String::new() } else { format!(" class=\"{}\"", esc(&cell.class)) };
                let title =
                    if cell.title.is_empty() { String::new() } else { format!(" title=\"{}\"", esc(&cell.title)) };
                let _ = write!(self.html, "<td{class}{title}>{}</td>", inline(self.lang, &cell.parts));
            }
            let _ = write!(self.html, "</tr>");
        }
        let _ = write!(self.html, "</tbody></table></div>");
    }

    fn list(&mut self, items: &[Vec<Part>]) {
        if items.is_empty() {
            return;
        }
        let _ = write!(self.html, "<ul>");
        for item in items {
            let _ = write!(self.html, "<li>{}</li>", inline(self.lang, item));
        }
        let _ = write!(self.html, "</ul>");
    }

    fn timeline(&mut self, report: &Report) {
        self.html.push_str(&figure(report));
    }

    fn comments(&mut self, slot: &SlotRecord) {
        comment_table(&mut self.html, self.lang, slot, false);
    }
}

/// The chart's width in its own pixels; the SVG scales to the page.
const WIDTH: f64 = 1000.0;
/// The chart's text size, pixels.
const FONT: f64 = 11.0;
/// The width of one character of the chart's text. The chart sets its text in a monospace face,
/// whose characters are all 0.6 em wide; 0.62 em leaves room for a face a little wider. Knowing
/// every label's width is what lets the layout promise that no two labels overlap.
const ADVANCE: f64 = 0.62 * FONT;
/// The height a label takes, and the distance between lanes of labels.
const LANE: f64 = 16.0;
/// The least room between two labels side by side.
const GAP: f64 = 8.0;
/// The height of one phase's row.
const ROW: f64 = 20.0;
const COLOURS: [&str; 6] = ["#8250df", "#0969da", "#1a7f37", "#bf8700", "#9a6700", "#57606a"];

/// A piece of the chart's text and the box it takes: `x` its left edge, `y` its top, `LANE` high.
#[derive(Debug, Clone, PartialEq)]
struct Label {
    text: String,
    x: f64,
    y: f64,
    w: f64,
}

impl Label {
    #[cfg(test)]
    fn overlaps(&self, other: &Label) -> bool {
        self.x < other.x + other.w && other.x < self.x + self.w && self.y < other.y + LANE && other.y < self.y + LANE
    }
}

fn width(text: &str) -> f64 {
    text.chars().count() as f64 * ADVANCE
}

/// Labels, each centred on its x if the chart's edges allow, stacked into lanes from `top` down:
/// each goes into the first lane where it starts clear of every label already there (by `GAP`),
/// so however close their places, no two overlap.
fn stack(wanted: Vec<(f64, String)>, top: f64) -> Vec<Label> {
    // Per lane, the right edge of its rightmost label.
    let mut ends: Vec<f64> = Vec::new();
    wanted
        .into_iter()
        .map(|(centre, text)| {
            let w = width(&text);
            let x = (centre - w / 2.0).clamp(0.0, (WIDTH - w).max(0.0));
            let lane = ends.iter().position(|end| x >= end + GAP).unwrap_or(ends.len());
            match ends.get_mut(lane) {
                Some(end) => *end = x + w,
                None => ends.push(x + w),
            }
            Label { text, x, y: top + lane as f64 * LANE, w }
        })
        .collect()
}

/// Where the axis is marked, in exercise seconds: every step from the start, the step the
/// shortest of the usual ones (a minute to two days, then weeks, doubling) that leaves each mark's
/// label room in `span` pixels.
fn ticks(lang: Lang, total: u64, span: f64) -> Vec<u64> {
    const STEPS: [u64; 12] = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800];
    let room = width(&tick_label(lang, total)) + 2.0 * GAP;
    let fits = |step: u64| step >= total || span * step as f64 / total as f64 >= room;
    let step = STEPS.into_iter().find(|s| fits(*s)).unwrap_or_else(|| {
        let mut step: u64 = 604_800;
        while !fits(step) {
            step = step.saturating_mul(2);
        }
        step
    });
    (0..=total / step).map(|k| k * step).collect()
}

/// An axis mark: the exercise's day and hour (`day 2, 06:00`).
fn tick_label(lang: Lang, s: u64) -> String {
    calendar::day_clock_in(lang, Duration::from_secs(s))
}

/// The timeline chart: a row per phase with its bars along exercise time, holds marked, and the
/// axis below in the exercise's days and hours.
struct Chart {
    /// Every piece of text.
    labels: Vec<Label>,
    /// Everything else, as SVG.
    shapes: String,
    height: f64,
}

fn chart(r: &Report) -> Chart {
    let lang = r.lang;
    let calendar = Calendar::parse(&r.starts).ok();
    let at = |s: u64| calendar::when_in(lang, calendar.as_ref(), Duration::from_secs(s));
    let total = r.phases.iter().map(|p| p.to_s).max().unwrap_or(0);
    let mut rows: Vec<&str> = Vec::new();
    for p in &r.phases {
        if !rows.contains(&p.phase.as_str()) {
            rows.push(&p.phase);
        }
    }
    let end_label = width(&tick_label(lang, total)) / 2.0 + GAP;
    let left = rows.iter().map(|n| width(n)).fold(0.0, f64::max) + 2.0 * GAP;
    let right = WIDTH - end_label;
    let x = |s: u64| left + (right - left) * s as f64 / total.max(1) as f64;
    let mut labels = Vec::new();
    let mut shapes = String::new();
    for (i, name) in rows.iter().enumerate() {
        let top = i as f64 * ROW;
        labels.push(Label { text: (*name).to_owned(), x: GAP / 2.0, y: top + (ROW - LANE) / 2.0, w: width(name) });
        // Holds after bars, so that no bar hides one.
        let (holds, bars): (Vec<&PhaseSpan>, Vec<&PhaseSpan>) =
            r.phases.iter().filter(|p| p.phase == *name).partition(|p| p.paused);
        for p in bars.into_iter().chain(holds) {
            shapes.push_str(&span(lang, p, top, x(p.from_s), x(p.to_s), COLOURS[i % COLOURS.len()], &at));
        }
    }
    let axis = rows.len() as f64 * ROW + 4.0;
    let marks = ticks(lang, total, right - left);
    let _ = write!(shapes, "<line x1=\"{left:.1}\" y1=\"{axis}\" x2=\"{right:.1}\" y2=\"{axis}\" stroke=\"#57606a\"/>");
    for &t in &marks {
        let _ = write!(
            shapes,
            "<line x1=\"{0:.1}\" y1=\"0\" x2=\"{0:.1}\" y2=\"{axis}\" stroke=\"#d0d7de\" stroke-width=\"0.5\"/>\
             <line x1=\"{0:.1}\" y1=\"{axis}\" x2=\"{0:.1}\" y2=\"{1}\" stroke=\"#57606a\"/>",
            x(t),
            axis + 5.0
        );
    }
    labels.extend(stack(marks.iter().map(|&t| (x(t), tick_label(lang, t))).collect(), axis + 8.0));
    let height = labels.iter().map(|l| l.y + LANE).fold(axis + 8.0, f64::max) + 4.0;
    Chart { labels, shapes, height }
}

/// One span of a phase: a bar, or for a hold (which stops exercise time) a dashed line.
fn span(lang: Lang, p: &PhaseSpan, top: f64, from: f64, to: f64, colour: &str, at: &impl Fn(u64) -> String) -> String {
    let phase = Arg::from(p.phase.as_str());
    if p.paused {
        let wall = p.to_wall_ms.saturating_sub(p.from_wall_ms) as f64 / 1000.0;
        let args =
            [("phase", phase), ("at", Arg::from(at(p.from_s))), ("wall", Arg::from(words::decimal(lang, wall, 1)))];
        return format!(
            "<line x1=\"{from:.1}\" y1=\"{top}\" x2=\"{from:.1}\" y2=\"{}\" stroke=\"#cf222e\" stroke-width=\"2\" \
             stroke-dasharray=\"3,2\"><title>{}</title></line>",
            top + ROW,
            esc(&words::say_with(lang, "aar-chart-hold", &args))
        );
    }
    let args = [("phase", phase), ("from", Arg::from(at(p.from_s))), ("to", Arg::from(at(p.to_s)))];
    format!(
        "<rect x=\"{from:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\" opacity=\"0.85\">\
         <title>{}</title></rect>",
        top + 4.0,
        (to - from).max(2.0),
        ROW - 8.0,
        esc(&words::say_with(lang, "aar-chart-span", &args))
    )
}

/// The chart with its caption.
fn figure(r: &Report) -> String {
    let lang = r.lang;
    if r.phases.is_empty() {
        return format!("<p class=muted>{}</p>", esc(&words::say(lang, "aar-chart-none")));
    }
    let c = chart(r);
    let mut svg = format!(
        "<figure><svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{0}\" \
         viewBox=\"0 0 {WIDTH} {0}\" font-size=\"{FONT}\" font-family=\"ui-monospace, Menlo, Consolas, monospace\" \
         role=\"img\" aria-label=\"{2}\">{1}",
        c.height,
        c.shapes,
        esc(&words::say(lang, "aar-chart-label"))
    );
    for l in &c.labels {
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>", l.x, l.y + LANE - 4.0, esc(&l.text));
    }
    let start = match Calendar::parse(&r.starts) {
        Ok(c) => {
            let args = [("day", Arg::from(tick_label(lang, 0))), ("date", Arg::from(c.at_in(lang, Duration::ZERO)))];
            format!(" ({})", words::say_with(lang, "aar-chart-start", &args))
        }
        Err(_) => String::new(),
    };
    let caption = words::say_with(lang, "aar-chart-caption", &[("start", Arg::from(start))]);
    let _ = write!(svg, "</svg><figcaption>{}</figcaption></figure>", esc(&caption));
    svg
}

/// A draft's comment-resolution matrix as a table (the report's and the package's); each row is
/// the comment's anchor, and with `version_links` each version links to its place on the page.
pub fn comment_table(w: &mut String, lang: Lang, slot: &SlotRecord, version_links: bool) {
    let version = |n: u32| match version_links {
        true => format!("<a href=\"#{}-v{n}\">{}</a>", esc(&slot.id), esc(&version_words(lang, n))),
        false => esc(&version_words(lang, n)),
    };
    let header = comment_columns(lang);
    let _ = write!(w, "<div class=\"wide\"><table class=comments><thead><tr>");
    for h in header {
        let _ = write!(w, "<th>{}</th>", esc(&h));
    }
    let _ = write!(w, "</tr></thead><tbody>");
    for c in &slot.comments {
        let dispositions: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| match d.disposition.as_str() {
                "" => format!("{}: {}", version(d.version), esc(&words::say(lang, "none"))),
                kind => format!(
                    "{}: {} — {}",
                    version(d.version),
                    esc(&disposition_words(lang, kind)),
                    esc(&words::marked(lang, &d.reason, &d.language))
                ),
            })
            .collect();
        let answers: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| {
                let answer = if d.answer.is_empty() { "—".into() } else { position_words(lang, &d.answer) };
                format!("{}: {}", esc(&version_words(lang, d.version)), esc(&answer))
            })
            .collect();
        let dash = |v: Vec<String>| if v.is_empty() { "—".to_string() } else { v.join("<br>") };
        let _ = write!(
            w,
            "<tr id=\"{0}\"><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td></tr>",
            esc(&c.id),
            esc(&c.state),
            version(c.version),
            esc(&comment_words(lang, &c.kind)),
            match words::other_language(lang, &c.language) {
                "" => esc(&c.text),
                other => format!("<span lang=\"{}\">{}</span> {}", esc(other), esc(&c.text), mark(lang, other)),
            },
            dash(dispositions),
            dash(answers),
            esc(&open_words(lang, c.open))
        );
    }
    let _ = write!(w, "</tbody></table></div>");
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{fixture, model};

    /// Internal names a reader must never meet.
    pub(crate) const INTERNAL: [&str; 9] = [
        "REJECTION_CODE",
        "troop_components",
        "financial_support",
        "military_technical_assistance",
        "control_point",
        "joint_staff",
        "no_draft",
        "over gRPC",
        "gRPC",
    ];

    fn report() -> Report {
        model::build("ex", &fixture::record())
    }

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

    #[test]
    fn the_page_is_the_fragment_and_the_style_sheet_and_the_fragment_is_no_page() {
        let r = report();
        let (page, fragment) = (render(&r), body(&r));
        assert!(page.starts_with("<!doctype html>") && page.contains(STYLE) && page.contains(&fragment));
        assert!(fragment.starts_with("<article class=\"aar\">") && fragment.ends_with("</article>"));
        for tag in ["<html", "<head", "<body", "<style", "<!doctype"] {
            assert!(!fragment.contains(tag), "the fragment carries {tag}");
        }
    }

    #[test]
    fn no_internal_name_reaches_the_page() {
        let page = render(&report());
        for name in INTERNAL {
            assert!(!page.contains(name), "the page says `{name}`");
        }
        for words in ["national control point", "remote, through its national node", "at headquarters", "no draft"] {
            assert!(page.contains(words), "the page does not say `{words}`");
        }
        assert!(page.contains("troop components") && page.contains("military-technical assistance"));
    }

    #[test]
    fn each_version_is_on_the_page_as_written_in_a_block_that_wraps_long_words() {
        let page = render(&report());
        let quoted = format!("<blockquote class=\"text\">{}</blockquote>", esc(fixture::LONG_TEXT));
        assert!(page.contains(&quoted), "x1 v1's text, line break kept");
        assert!(page.contains("<strong>What changed:</strong> costs shared among the states"));
        let rule = STYLE.lines().find(|l| l.starts_with(".aar blockquote.text{")).expect("a rule for texts");
        assert!(rule.contains("overflow-wrap:anywhere") && rule.contains("white-space:pre-wrap"), "{rule}");
        assert!(page.find(&quoted) < page.find("id=\"x1-v2\""), "versions in order");
    }

    #[test]
    fn an_absent_state_is_absent_in_the_matrix() {
        let page = render(&report());
        assert!(page.contains("<td class=\"absent\">absent</td>"), "AM on x1");
        assert!(page.contains("<td class=\"silent\">v1: no position<br>v2: no position</td>"), "TJ on x1");
    }

    #[test]
    fn printed_the_report_has_no_chrome_is_black_on_white_and_keeps_rows_whole() {
        let print = STYLE.split_once("@media print{").map(|(_, rules)| rules).expect("print rules");
        assert!(print.contains("nav,header,footer,aside,form,button,.no-print{display:none!important}"));
        assert!(print.contains("color:#000!important;background:transparent!important"));
        assert!(print.contains(".aar tr,.aar figure,.aar h5+p{break-inside:avoid}"));
        assert!(print.contains("a[href]::after{content:none!important}"));
        assert!(STYLE.contains("@page{margin:"));
        assert!(print.contains(".aar thead{display:table-header-group}"), "a table's header on every page");
        // The tables the rules keep whole have their header apart.
        assert!(render(&report()).contains("<table><thead><tr><th>stage</th>"));
    }

    fn overlapping(labels: &[Label]) -> Option<(&Label, &Label)> {
        labels.iter().enumerate().find_map(|(i, a)| labels[i + 1..].iter().find(|b| a.overlaps(b)).map(|b| (a, b)))
    }

    #[test]
    fn labels_close_together_never_overlap_and_stay_on_the_chart() {
        // 200 labels of every length within 40 pixels, some at the very edges.
        let wanted: Vec<(f64, String)> = (0..200)
            .map(|i| {
                let centre = match i % 3 {
                    0 => 500.0 + f64::from(i % 40),
                    1 => f64::from(i % 5),
                    _ => WIDTH - f64::from(i % 7),
                };
                (centre, "x".repeat(1 + (i as usize * 7) % 23))
            })
            .collect();
        let labels = stack(wanted, 0.0);
        assert_eq!(labels.len(), 200);
        assert_eq!(overlapping(&labels), None);
        assert!(labels.iter().all(|l| l.x >= 0.0 && l.x + l.w <= WIDTH), "{labels:?}");
    }

    #[test]
    fn the_chart_of_many_short_phases_and_holds_has_no_label_over_another() {
        let mut r = report();
        r.phases = (0..40)
            .flat_map(|i| {
                let from = 3600 + i * 30;
                let phase = |paused| PhaseSpan {
                    phase: format!("stage {i}"),
                    paused,
                    from_s: from,
                    to_s: from + 30,
                    from_wall_ms: 0,
                    to_wall_ms: 1500,
                };
                [phase(false), phase(true)]
            })
            .chain([PhaseSpan {
                phase: "distribution".into(),
                paused: false,
                from_s: 5000,
                to_s: 3 * 86_400,
                from_wall_ms: 0,
                to_wall_ms: 0,
            }])
            .collect();
        let c = chart(&r);
        assert_eq!(overlapping(&c.labels), None);
        let page = render(&r);
        for l in &c.labels {
            assert!(page.contains(&format!(">{}</text>", esc(&l.text))), "{} drawn", l.text);
        }
    }

    #[test]
    fn the_axis_reads_in_the_exercises_days_and_hours_never_in_seconds() {
        let mut r = report();
        r.phases = vec![PhaseSpan {
            phase: "stage 1".into(),
            paused: false,
            from_s: 0,
            to_s: 2 * 86_400 + 22_532,
            from_wall_ms: 0,
            to_wall_ms: 0,
        }];
        let c = chart(&r);
        let marks: Vec<&str> = c.labels.iter().skip(1).map(|l| l.text.as_str()).collect();
        assert_eq!(marks.first(), Some(&"day 1, 00:00"), "{marks:?}");
        assert!(marks.contains(&"day 2, 00:00") && marks.contains(&"day 3, 00:00"), "{marks:?}");
        assert!(
            marks.iter().all(|m| m.strip_prefix("day ").is_some_and(|t| t.len() >= 8 && t.ends_with(":00"))),
            "{marks:?}"
        );
        let page = render(&r);
        assert!(!page.contains("22532") && !page.contains(" s exercise time"), "raw seconds on the page");
        assert!(page.contains("day 1, 00:00 is 17 Mar 2025 09:00 MSK"), "the caption ties the axis to the calendar");
    }

    #[test]
    fn a_short_exercise_is_marked_in_hours_and_an_empty_one_is_not_drawn() {
        let page = render(&report());
        // The fixture runs 21 hours: marks every few hours of day 1.
        assert!(page.contains(">day 1, 00:00</text>") && page.contains(">day 1, 12:00</text>"), "{page}");
        let mut empty = report();
        empty.phases.clear();
        assert!(!render(&empty).contains("<svg"));
    }

    #[test]
    fn a_russian_page_is_a_russian_page_its_chart_and_tables_included() {
        let ru = Lang::parse("ru").expect("Russian catalogues");
        let page = render(&model::build_in(ru, "ex", &fixture::record()));
        assert!(page.starts_with("<!doctype html><html lang=ru>"), "{page}");
        assert!(page.contains("<title>Отчёт о проведении учения: fixture (EN)</title>"));
        for said in [
            ">этап 1</text>",
            ">день 1, 12:00</text>",
            "(день 1, 00:00 — это 17 марта 2025 г., 09:00 (МСК))",
            "aria-label=\"фазы учения во времени учения\"",
            "<td class=\"absent\">отсутствует</td>",
            "<td class=\"silent\">ред. 1: нет позиции<br>ред. 2: нет позиции</td>",
            "<th>ответ государства</th>",
            "<td>ред. 2: учтено — shared (EN)</td>",
            "<td><span lang=\"en\">too costly</span> <abbr class=\"other-language\" title=\"Написано на другом языке (en): как написал автор, без перевода\">(EN)</abbr></td>",
            "<p><abbr class=\"other-language\" title=\"Написано на другом языке (en): как написал автор, без перевода\">(EN)</abbr></p><blockquote class=\"text\" lang=\"en\">The Council decides",
        ] {
            assert!(page.contains(said), "missing {said:?}");
        }
        assert!(render(&report()).starts_with("<!doctype html><html lang=en>"), "English says so too");
    }
}
