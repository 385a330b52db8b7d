//! The after-action report for people, in Markdown. Participants' text is escaped so that a `|`
//! or a line break in a reason cannot break a table; texts (drafts, situations) are block quotes.

use std::fmt::Write as _;

use crate::document::{self, Cell, Part, Writer, position_words};
use crate::model::Report;

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

/// A position in words, a non-concurrence stressed.
fn position_mark(kind: &str) -> String {
    match kind {
        "non_concur" => format!("**{}**", position_words(kind)),
        kind => position_words(kind).into(),
    }
}

/// A text as its author wrote it, as a block quote: each line escaped as [`cell`] does and quoted,
/// a line that would start a heading, a list or a rule escaped so it reads as written, the line
/// breaks kept (`<br>`) and blank lines kept as paragraph breaks.
pub fn quote(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + 4 * lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            out.push_str(">\n");
            continue;
        }
        let next_blank = lines.get(i + 1).is_none_or(|l| l.trim().is_empty());
        let _ = writeln!(out, "> {}{}", block_start(&cell(line)), if next_blank { "" } else { "<br>" });
    }
    out
}

/// `line` with what would make it start a block (`#`, `-`, `+`, `=`, `1.`, `1)`, indentation)
/// escaped; the rest is escaped already.
fn block_start(line: &str) -> String {
    let body = line.trim_start();
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let escaped = match body.as_bytes().get(digits) {
        Some(b'.' | b')') if digits > 0 => format!("{}\\{}", &body[..digits], &body[digits..]),
        Some(b'#' | b'-' | b'+' | b'=') if digits == 0 => format!("\\{body}"),
        _ => body.to_owned(),
    };
    // Indentation would make the line code: kept as spaces that do not count.
    let indent = line.len() - body.len();
    format!("{}{escaped}", "&nbsp;".repeat(indent))
}

/// Renders the report. Writing to a `String` cannot fail, hence the ignored results.
pub fn render(r: &Report) -> String {
    let mut text = Text(String::new());
    document::write(r, &mut text);
    text.0
}

/// The report as Markdown.
struct Text(String);

fn inline(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| match part {
            Part::Text(t) | Part::Muted(t) => cell(t),
            // Ids and digests are tokens: nothing in them ends the span.
            Part::Code(t) => format!("`{}`", t.replace('`', "'")),
            Part::Strong(t) => format!("**{}**", cell(t)),
            Part::Position { version, kind, .. } => format!("v{version}: {}", position_mark(kind)),
            Part::Break => "<br>".into(),
        })
        .collect()
}

impl Writer for Text {
    fn heading(&mut self, level: u8, text: &str, _anchor: Option<&str>) {
        let marks = "#".repeat(usize::from(level));
        let gap = if self.0.is_empty() { "" } else { "\n" };
        let _ = writeln!(self.0, "{gap}{marks} {}", cell(text));
    }

    fn paragraph(&mut self, parts: &[Part]) {
        let _ = writeln!(self.0, "\n{}", inline(parts));
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<Cell>]) {
        let _ = writeln!(self.0, "\n| {} |", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
        let _ = writeln!(self.0, "|{}", "---|".repeat(header.len()));
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| inline(&c.parts)).collect();
            let _ = writeln!(self.0, "| {} |", cells.join(" | "));
        }
    }

    fn quote(&mut self, text: &str) {
        let _ = write!(self.0, "\n{}", quote(text));
    }

    fn list(&mut self, items: &[Vec<Part>]) {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(self.0);
        for item in items {
            let _ = writeln!(self.0, "- {}", inline(item));
        }
    }

    fn timeline(&mut self, _report: &Report) {}

    fn comments(&mut self, slot: &crate::model::SlotRecord) {
        let _ = writeln!(self.0);
        comment_table(&mut self.0, slot);
    }
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
            .map(|d| {
                format!("v{}: {}", d.version, if d.answer.is_empty() { "—".into() } else { position_mark(&d.answer) })
            })
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
    fn a_text_stays_inside_its_quote_reads_as_written_and_keeps_its_lines() {
        let quoted = quote("# Not a heading\n- not an item\n12. not a list | nor a cell\n\n    indented *text*\r\nend");
        assert_eq!(
            quoted,
            "> \\# Not a heading<br>\n> \\- not an item<br>\n> 12\\. not a list \\| nor a cell\n>\n\
             > &nbsp;&nbsp;&nbsp;&nbsp;indented \\*text\\*<br>\n> end\n"
        );
        assert!(quoted.lines().all(|l| l.starts_with('>')), "{quoted}");
    }

    #[test]
    fn the_report_quotes_each_version_and_says_everything_in_words() {
        let report = crate::model::build("ex", &crate::fixture::record());
        let text = render(&report);
        assert!(text.contains(&format!("\n{}", quote(crate::fixture::LONG_TEXT))), "{text}");
        assert!(text.contains("> 1\\. The Council decides to deploy \\| the grouping \\*now\\*.<br>\n> 2\\. Annex:"));
        assert!(text.contains("**What changed:** costs shared among the states"), "{text}");
        let situation = text.find(&quote(crate::fixture::SITUATION)).expect("the situation quoted");
        assert!(situation < text.find("### Drafts").expect("drafts"), "the situation comes before the drafts");
        assert!(text.contains("- Decide on the grouping\n- Arrange its financing"), "{text}");
        for name in crate::html::tests::INTERNAL {
            assert!(!text.contains(name), "the Markdown says `{name}`");
        }
        assert!(text.contains("| absent |") && text.contains("v1: no position<br>v2: no position"), "{text}");
        assert!(text.contains("| KZ | KZ | national control point | automated | remote, through its national node |"));
    }

    #[test]
    fn a_control_or_reordering_character_is_shown_not_obeyed() {
        let escaped = cell("ok\u{1b}[2J\u{7}\u{202E}gpj.exe");
        assert!(!escaped.chars().any(bus::text::is_hostile), "{escaped}");
        assert!(escaped.contains("u{1b}") && escaped.contains("u{202e}"), "{escaped}");
    }
}
