//! The after-action report for people, in Markdown. Participants' text is escaped so that a `|`
//! or a line break in a reason cannot break a table.

use std::fmt::Write as _;

use crate::document::{self, Cell, Part, Writer};
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

fn position_mark(kind: &str) -> &'static str {
    match kind {
        "concur" => "concur",
        "concur_with_remarks" => "concur (remarks)",
        "non_concur" => "**non-concur**",
        "abstain" => "abstain",
        _ => "?",
    }
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
