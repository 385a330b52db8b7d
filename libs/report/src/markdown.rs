//! The after-action report for people, in Markdown. Participants' text is escaped so that a `|`
//! or a line break in a reason cannot break a table; texts (drafts, situations) are block quotes.

use std::fmt::Write as _;

use words::Lang;

use crate::document::{
    self, Cell, Part, Writer, comment_columns, comment_words, disposition_words, open_words, position_words,
    version_words,
};
use crate::model::{Report, SlotRecord};

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
fn position_mark(lang: Lang, kind: &str) -> String {
    match kind {
        "non_concur" => format!("**{}**", cell(&position_words(lang, kind))),
        kind => cell(&position_words(lang, kind)),
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

/// Renders the report in its language. Writing to a `String` cannot fail, hence the ignored results.
pub fn render(r: &Report) -> String {
    let mut text = Text { md: String::new(), lang: r.lang };
    document::write(r, &mut text);
    text.md
}

/// The report as Markdown, in its language.
struct Text {
    md: String,
    lang: Lang,
}

fn inline(lang: Lang, parts: &[Part]) -> String {
    parts
        .iter()
        .map(|part| match part {
            Part::Text(t) | Part::Muted(t) => cell(t),
            Part::Written { text, language } => format!("{} {}", cell(text), cell(&words::mark(language))),
            // Ids and digests are tokens: nothing in them ends the span.
            Part::Code(t) => format!("`{}`", t.replace('`', "'")),
            Part::Strong(t) => format!("**{}**", cell(t)),
            Part::Position { version, kind, .. } => {
                format!("{}: {}", cell(&version_words(lang, *version)), position_mark(lang, kind))
            }
            Part::Break => "<br>".into(),
        })
        .collect()
}

impl Writer for Text {
    fn heading(&mut self, level: u8, text: &str, _anchor: Option<&str>) {
        let marks = "#".repeat(usize::from(level));
        let gap = if self.md.is_empty() { "" } else { "\n" };
        let _ = writeln!(self.md, "{gap}{marks} {}", cell(text));
    }

    fn paragraph(&mut self, parts: &[Part]) {
        let _ = writeln!(self.md, "\n{}", inline(self.lang, parts));
    }

    fn table(&mut self, header: &[String], rows: &[Vec<Cell>]) {
        let _ = writeln!(self.md, "\n| {} |", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
        let _ = writeln!(self.md, "|{}", "---|".repeat(header.len()));
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| inline(self.lang, &c.parts)).collect();
            let _ = writeln!(self.md, "| {} |", cells.join(" | "));
        }
    }

    fn quote(&mut self, text: &str, language: &str) {
        if !language.is_empty() {
            let _ = writeln!(self.md, "\n*{}*", cell(&words::mark(language)));
        }
        let _ = write!(self.md, "\n{}", quote(text));
    }

    fn list(&mut self, items: &[Vec<Part>]) {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(self.md);
        for item in items {
            let _ = writeln!(self.md, "- {}", inline(self.lang, item));
        }
    }

    fn timeline(&mut self, _report: &Report) {}

    fn comments(&mut self, slot: &SlotRecord) {
        let _ = writeln!(self.md);
        comment_table(&mut self.md, self.lang, slot);
    }
}

/// A draft's comment-resolution matrix as a table (the report's and the package's).
pub fn comment_table(w: &mut String, lang: Lang, slot: &SlotRecord) {
    let header = comment_columns(lang);
    let _ = writeln!(w, "| {} |", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(w, "|{}", "---|".repeat(header.len()));
    let version = |n: u32| cell(&version_words(lang, n));
    for c in &slot.comments {
        let dispositions: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| match d.disposition.as_str() {
                "" => format!("{}: {}", version(d.version), cell(&words::say(lang, "none"))),
                kind => {
                    let reason = words::marked(lang, &d.reason, &d.language);
                    format!("{}: {} — {}", version(d.version), cell(&disposition_words(lang, kind)), cell(&reason))
                }
            })
            .collect();
        let answers: Vec<String> = c
            .dispositions
            .iter()
            .map(|d| {
                let answer = if d.answer.is_empty() { "—".into() } else { position_mark(lang, &d.answer) };
                format!("{}: {answer}", version(d.version))
            })
            .collect();
        let dash = |v: Vec<String>| if v.is_empty() { "—".to_string() } else { v.join("<br>") };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            c.id,
            c.state,
            version(c.version),
            cell(&comment_words(lang, &c.kind)),
            match words::other_language(lang, &c.language) {
                "" => cell(&c.text),
                other => format!("{} {}", cell(&c.text), cell(&words::mark(other))),
            },
            dash(dispositions),
            dash(answers),
            cell(&open_words(lang, c.open))
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

    #[test]
    fn in_russian_the_report_says_its_own_words_dates_and_counts_in_russian_and_what_people_wrote_as_written() {
        let ru = Lang::parse("ru").expect("Russian catalogues");
        let text = render(&crate::model::build_in(ru, "ex", &crate::fixture::record()));
        for said in [
            "# Отчёт о проведении учения: fixture (EN)",
            "начало 17 марта 2025 г., 09:00 (МСК)",
            "порядок принятия решений: консенсус присутствующих государств",
            // Plurals: many, one, many, few.
            "35 событий",
            "**Завершено** · рассмотрено 4 вопроса: принято 2, возвращено 1, без проекта 1 · 1 доработка · 7 позиций",
            "| 18 марта 2025 г., 05:00 (МСК) | день 1, 20:00 | 1200,00 | государствам направлен пакет из 3 проектов |",
            "| 17 марта 2025 г., 19:00 (МСК) | день 1, 10:00 | 600,00 | этап 1 рассмотрен: принят 1 из 3 |",
            "## Этап 1: stage 1 (EN)",
            "| x1 | decision x1 (EN) | Объединённый штаб | 2 | ред. 1: **не согласен**<br>ред. 2: согласен |",
            "| отсутствует | принят |",
            "дистанционно, через национальный узел | через 30 мин |",
            "**возвращён на доработку**: консенсус не достигнут, не согласны: KZ",
            "Позиции по редакции 1: не согласен: BY · согласен с замечаниями: KZ · нет позиции: TJ · отсутствует: AM",
            "3 проекта, направлен 18 марта 2025 г., 05:00 (МСК) (день 1, 20:00).",
            // What people wrote stays as they wrote it, marked with the language they wrote it in,
            // and so do the scenario's texts not given in Russian.
            "- BY (не согласен): too costly (EN)",
            "**Что изменено:** costs shared among the states (EN)",
            "\n*(EN)*\n\n> The Council decides to deploy the grouping; costs shared.",
            "| x1-v1-BY-1 | BY | ред. 1 | возражение | too costly (EN) |",
            "учение приостановлено руководством учения: a break",
        ] {
            assert!(text.contains(said), "missing {said:?} in:\n{text}");
        }
        assert!(text.contains(&quote(crate::fixture::LONG_TEXT)), "{text}");
        for english in [
            "Stage", "adopted", "returned", "concur", "Drafts", "Timeline", "Package", "after ", "day ", "Mar", "MSK",
            "none",
        ] {
            assert!(!text.contains(english), "the Russian report says `{english}`:\n{text}");
        }
        for name in crate::html::tests::INTERNAL {
            assert!(!text.contains(name), "the Russian report says `{name}`");
        }
    }
}
