//! The traceable package: every decision the package carries, each with its trail — every
//! version, every comment with its dispositions and its state's answers, every state's position
//! on every version, and the outcome — with the digest recorded when the package was
//! communicated (checked against the items). JSON, Markdown and one HTML page whose items link to
//! their versions and comments, in the language the package was built in ([`build_in`]).

use std::fmt::Write as _;

use record::Record;
use serde::Serialize;
use words::{Arg, Lang};

use crate::html::esc;
use crate::markdown::{cell, quote};
use crate::model::{self, SlotRecord};
use crate::terms::{outcome_words, position_words, version_words};

/// The package with its trail.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Package {
    /// The exercise.
    pub exercise: String,
    /// The language of its words, as its tag (`en`, `ru`).
    #[serde(serialize_with = "model::tag")]
    pub lang: Lang,
    /// The package's id.
    pub package_id: String,
    /// SHA-256 of the items, as recorded when the package was communicated.
    pub digest: String,
    /// When it was communicated, on the exercise's calendar.
    pub communicated: String,
    /// Its decisions, in the package's order.
    pub items: Vec<Item>,
}

/// One decision of the package and its trail.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Item {
    /// The stage.
    pub stage: u32,
    /// adopted or returned.
    pub outcome: String,
    /// The version the package carries.
    pub version: u32,
    /// The slot with every version, positions and comments.
    pub trail: SlotRecord,
}

/// Why the package cannot be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PackageError {
    /// The log holds no package yet.
    #[error("the package has not been communicated yet")]
    NotYet,
    /// The items do not hash to the digest recorded with them.
    #[error("the package's items hash to {computed}, not to the digest recorded ({recorded})")]
    Digest {
        /// Recorded.
        recorded: String,
        /// Computed from the items.
        computed: String,
    },
}

/// The package of `record`, with its trail, its digest checked, in English.
pub fn build(exercise: &str, record: &Record) -> Result<Package, PackageError> {
    build_in(Lang::default(), exercise, record)
}

/// The package of `record`, with its trail, its digest checked, in `lang`.
pub fn build_in(lang: Lang, exercise: &str, record: &Record) -> Result<Package, PackageError> {
    let package = record.package.as_ref().ok_or(PackageError::NotYet)?;
    let computed = record::package::digest(&package.answer.items);
    if computed != package.answer.digest {
        return Err(PackageError::Digest { recorded: package.answer.digest.clone(), computed });
    }
    let report = model::build_in(lang, exercise, record);
    let slots: Vec<&SlotRecord> = report.stages.iter().flat_map(|s| &s.slots).collect();
    let items = package
        .answer
        .items
        .iter()
        .filter_map(|item| {
            let draft = item.draft.as_ref()?;
            let trail = slots.iter().find(|s| s.id == draft.slot_id)?;
            Some(Item {
                stage: item.stage_number,
                outcome: model::outcome_token(item.outcome()).into(),
                version: draft.version,
                trail: (*trail).clone(),
            })
        })
        .collect();
    let communicated = record.when_in(lang, package.at.exercise);
    Ok(Package {
        exercise: exercise.into(),
        lang,
        package_id: package.answer.package_id.clone(),
        digest: package.answer.digest.clone(),
        communicated,
        items,
    })
}

/// A Markdown table's header row and rule.
fn md_header(columns: &[String]) -> String {
    let names: Vec<String> = columns.iter().map(|c| cell(c)).collect();
    format!("| {} |\n|{}", names.join(" | "), "---|".repeat(columns.len()))
}

/// An HTML table's header row.
fn html_header(columns: &[String]) -> String {
    let names: String = columns.iter().map(|c| format!("<th>{}</th>", esc(c))).collect();
    format!("<tr>{names}</tr>")
}

/// The package as Markdown, in its language.
pub fn markdown(p: &Package) -> String {
    let lang = p.lang;
    let mut out = String::new();
    let w = &mut out;
    let title = [("id", Arg::from(p.package_id.as_str())), ("exercise", Arg::from(p.exercise.as_str()))];
    let _ = writeln!(w, "# {}\n", cell(&words::say_with(lang, "aar-package-title", &title)));
    let communicated =
        words::say_with(lang, "aar-package-communicated", &[("when", Arg::from(p.communicated.as_str()))]);
    let _ = writeln!(w, "{} {} `{}`\n", cell(&communicated), cell(&words::say(lang, "aar-package-digest")), p.digest);
    let columns = [
        words::say(lang, "aar-column-stage"),
        words::say(lang, "aar-column-decision"),
        words::say(lang, "aar-column-version"),
        words::say(lang, "aar-column-outcome"),
    ];
    let _ = writeln!(w, "{}", md_header(&columns));
    for item in &p.items {
        let _ = writeln!(
            w,
            "| {} | {}: {} | {} | {} |",
            item.stage,
            item.trail.id,
            cell(&item.trail.title),
            cell(&version_words(lang, item.version)),
            cell(&outcome_words(lang, &item.outcome))
        );
    }
    for item in &p.items {
        let t = &item.trail;
        let outcome = outcome_words(lang, &item.outcome);
        let said = words::say_with(
            lang,
            "aar-package-item",
            &[("stage", Arg::from(item.stage)), ("body", Arg::from(t.body.as_str()))],
        );
        let _ = writeln!(
            w,
            "\n## {}: {} ({})\n\n{}; {}: {}\n",
            t.id,
            cell(&t.title),
            cell(&outcome),
            cell(&said),
            cell(&outcome_words(lang, &t.outcome)),
            cell(&t.reason)
        );
        for v in &t.versions {
            let heading = [
                ("slot", Arg::from(t.id.as_str())),
                ("version", Arg::from(v.version)),
                ("title", Arg::from(words::marked(lang, &v.title, &v.language))),
            ];
            let _ = writeln!(w, "### {}\n", cell(&words::say_with(lang, "aar-version-heading", &heading)));
            let marked = words::marked(lang, "", &v.language);
            if !v.change_summary.is_empty() {
                let changed = cell(&words::say(lang, "aar-changed"));
                let _ = writeln!(w, "{changed} {}{marked}\n", cell(&v.change_summary));
            }
            if !marked.is_empty() {
                let _ = writeln!(w, "*{}*\n", marked.trim());
            }
            let _ = writeln!(w, "{}", quote(&v.text));
            let columns = [
                words::say(lang, "aar-column-state"),
                words::say(lang, "aar-column-position"),
                words::say(lang, "aar-column-reasons"),
            ];
            let _ = writeln!(w, "{}", md_header(&columns));
            for (state, pos) in &v.positions {
                let position = position_words(lang, &pos.kind);
                let reasons = cell(&pos.reasons.join("; "));
                let _ = writeln!(
                    w,
                    "| {state} | {} | {reasons}{} |",
                    cell(&position),
                    words::marked(lang, "", &pos.language)
                );
            }
            let _ = writeln!(w);
        }
        if !t.comments.is_empty() {
            let heading = words::say_with(lang, "aar-package-comments-on", &[("slot", Arg::from(t.id.as_str()))]);
            let _ = writeln!(w, "### {}\n", cell(&heading));
            crate::markdown::comment_table(w, lang, t);
        }
    }
    out
}

/// The package as one self-contained HTML page in its language: each item links to its versions
/// and comments.
pub fn html(p: &Package) -> String {
    let lang = p.lang;
    let mut out = String::new();
    let w = &mut out;
    let title = [("id", Arg::from(p.package_id.as_str())), ("exercise", Arg::from(p.exercise.as_str()))];
    let communicated =
        words::say_with(lang, "aar-package-communicated", &[("when", Arg::from(p.communicated.as_str()))]);
    let _ = write!(
        w,
        "<!doctype html><html lang={0}><head><meta charset=utf-8><title>{1}</title><style>\
         body{{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}}\
         td,p{{overflow-wrap:anywhere}}\
         blockquote{{white-space:pre-wrap;overflow-wrap:anywhere;border-left:4px solid #ccc;margin:.4rem 0;padding:.2rem .8rem}}\
         @page{{margin:16mm 14mm}}@media print{{body{{max-width:none;margin:0;color:#000;background:#fff}}\
         a{{color:#000;text-decoration:none}}tr,h3{{break-inside:avoid}}}}</style></head><body>\
         <h1>{2}</h1><p>{3} {4} <code id=digest>{5}</code></p><table>{6}",
        lang.tag(),
        esc(&words::say_with(lang, "aar-package-short", &[("id", Arg::from(p.package_id.as_str()))])),
        esc(&words::say_with(lang, "aar-package-title", &title)),
        esc(&communicated),
        esc(&words::say(lang, "aar-package-digest")),
        esc(&p.digest),
        html_header(&[
            words::say(lang, "aar-column-stage"),
            words::say(lang, "aar-column-decision"),
            words::say(lang, "aar-column-version"),
            words::say(lang, "aar-column-outcome"),
            words::say(lang, "aar-column-trail"),
        ])
    );
    for item in &p.items {
        let t = &item.trail;
        let versions: Vec<String> = t
            .versions
            .iter()
            .map(|v| format!("<a href=\"#{}-v{}\">{}</a>", esc(&t.id), v.version, esc(&version_words(lang, v.version))))
            .collect();
        let comments: Vec<String> =
            t.comments.iter().map(|c| format!("<a href=\"#{0}\">{0}</a>", esc(&c.id))).collect();
        let comments = match comments.is_empty() {
            true => String::new(),
            false => format!("; {} {}", esc(&words::say(lang, "aar-package-trail-comments")), comments.join(", ")),
        };
        let _ = write!(
            w,
            "<tr id=\"item-{0}\"><td>{1}</td><td><a href=\"#trail-{0}\">{0}: {2}</a></td><td>{3}</td><td>{4}</td><td>{5} {6}{7}</td></tr>",
            esc(&t.id),
            item.stage,
            esc(&t.title),
            esc(&version_words(lang, item.version)),
            esc(&outcome_words(lang, &item.outcome)),
            esc(&words::say(lang, "aar-package-versions")),
            versions.join(", "),
            comments
        );
    }
    let _ = write!(w, "</table>");
    for item in &p.items {
        let t = &item.trail;
        let said = words::say_with(
            lang,
            "aar-package-item",
            &[("stage", Arg::from(item.stage)), ("body", Arg::from(t.body.as_str()))],
        );
        let _ = write!(
            w,
            "<section id=\"trail-{0}\"><h2>{0}: {1} — {2}</h2><p>{3}; {4}</p>",
            esc(&t.id),
            esc(&t.title),
            esc(&outcome_words(lang, &item.outcome)),
            esc(&said),
            esc(&t.reason)
        );
        for v in &t.versions {
            let heading = [
                ("slot", Arg::from(t.id.as_str())),
                ("version", Arg::from(v.version)),
                ("title", Arg::from(words::marked(lang, &v.title, &v.language))),
            ];
            let heading = words::say_with(lang, "aar-version-heading", &heading);
            let _ = write!(w, "<h3 id=\"{}-v{}\">{}</h3>", esc(&t.id), v.version, esc(&heading));
            let marked = words::marked(lang, "", &v.language);
            if !v.change_summary.is_empty() {
                let changed = words::say(lang, "aar-changed");
                let _ = write!(w, "<p>{} {}{marked}</p>", esc(&changed), esc(&v.change_summary));
            }
            let columns = [
                words::say(lang, "aar-column-state"),
                words::say(lang, "aar-column-position"),
                words::say(lang, "aar-column-reasons"),
            ];
            let language = match words::other_language(lang, &v.language) {
                "" => String::new(),
                other => format!(" lang=\"{}\"", esc(other)),
            };
            if !marked.is_empty() {
                let _ = write!(w, "<p>{}</p>", marked.trim());
            }
            let _ = write!(w, "<blockquote{language}>{}</blockquote><table>{}", esc(&v.text), html_header(&columns));
            for (state, pos) in &v.positions {
                let _ = write!(
                    w,
                    "<tr><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                    esc(state),
                    esc(&position_words(lang, &pos.kind)),
                    esc(&pos.reasons.join("; ")),
                    words::marked(lang, "", &pos.language)
                );
            }
            let _ = write!(w, "</table>");
        }
        if !t.comments.is_empty() {
            let _ = write!(w, "<h3>{}</h3>", esc(&words::say(lang, "aar-package-comments")));
            crate::html::comment_table(w, lang, t, true);
        }
        let _ = write!(w, "</section>");
    }
    let _ = write!(w, "</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn the_package_says_outcomes_and_positions_in_words_and_quotes_each_version() {
        let p = build("ex", &fixture::record()).expect("the fixture's package");
        assert_eq!(p.items.iter().map(|i| i.trail.id.as_str()).collect::<Vec<_>>(), ["x1", "x2", "y1"]);
        let (md, page) = (markdown(&p), html(&p));
        for name in crate::html::tests::INTERNAL {
            assert!(!md.contains(name) && !page.contains(name), "the package says `{name}`");
        }
        assert!(md.contains("| 1 | x1: decision x1 | v2 | adopted |"), "{md}");
        assert!(md.contains("| KZ | concur with remarks | mind the budget |"), "{md}");
        assert!(md.contains(&quote("Finance it.")), "{md}");
        assert!(page.contains("<td>BY</td><td>non-concur</td><td>too costly</td>"), "{page}");
        assert!(page.contains("<h2>x2: decision x2 — returned</h2>"), "{page}");
        assert!(page.contains("overflow-wrap:anywhere"), "long words wrap");
    }

    #[test]
    fn in_russian_the_package_says_its_words_and_dates_in_russian_and_keeps_what_people_wrote() {
        let ru = Lang::parse("ru").expect("Russian catalogues");
        let p = build_in(ru, "ex", &fixture::record()).expect("the fixture's package");
        let (md, page) = (markdown(&p), html(&p));
        assert_eq!(serde_json::to_value(&p).expect("serialisable")["lang"], "ru");
        assert!(
            md.starts_with("# Пакет pkg-1 учения ex\n\nНаправлен 18 марта 2025 г., 05:00 (МСК) (день 1, 20:00)."),
            "{md}"
        );
        assert!(md.contains("| 1 | x1: decision x1 (EN) | ред. 2 | принят |"), "{md}");
        assert!(md.contains("| KZ | согласен с замечаниями | mind the budget (EN) |"), "{md}");
        assert!(md.contains("Этап 1, разработчик: Объединённый штаб; возвращён на доработку: консенсус не достигнут, не согласны: KZ"), "{md}");
        assert!(md.contains(&quote("Finance it.")), "{md}");
        assert!(page.starts_with("<!doctype html><html lang=ru>"), "{page}");
        assert!(page.contains("<td>BY</td><td>не согласен</td><td>too costly (EN)</td>"), "{page}");
        assert!(page.contains("<blockquote lang=\"en\">Finance it.</blockquote>"), "{page}");
        assert!(page.contains("<a href=\"#x1-v1\">ред. 1</a>"), "{page}");
        for english in ["Stage", "adopted", "returned", "concur", "Package", "Communicated", "MSK", "Mar"] {
            assert!(!md.contains(english) && !page.contains(english), "the Russian package says `{english}`");
        }
    }
}
