//! The traceable package: every decision the package carries, each with its trail — every
//! version, every comment with its dispositions and its state's answers, every state's position
//! on every version, and the outcome — with the digest recorded when the package was
//! communicated (checked against the items). JSON, Markdown and one HTML page whose items link to
//! their versions and comments.

use std::fmt::Write as _;

use record::Record;
use serde::Serialize;

use crate::document::{outcome_words, position_words};
use crate::html::esc;
use crate::markdown::{cell, quote};
use crate::model::{self, SlotRecord};

/// The package with its trail.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Package {
    /// The exercise.
    pub exercise: String,
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

/// The package of `record`, with its trail, its digest checked.
pub fn build(exercise: &str, record: &Record) -> Result<Package, PackageError> {
    let package = record.package.as_ref().ok_or(PackageError::NotYet)?;
    let computed = record::package::digest(&package.answer.items);
    if computed != package.answer.digest {
        return Err(PackageError::Digest { recorded: package.answer.digest.clone(), computed });
    }
    let report = model::build(exercise, record);
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
    let communicated = record.when(package.at.exercise);
    Ok(Package {
        exercise: exercise.into(),
        package_id: package.answer.package_id.clone(),
        digest: package.answer.digest.clone(),
        communicated,
        items,
    })
}

/// The package as Markdown.
pub fn markdown(p: &Package) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Package {} of exercise {}\n", p.package_id, p.exercise);
    let _ = writeln!(w, "Communicated {}. SHA-256 of its items: `{}`\n", p.communicated, p.digest);
    let _ = writeln!(w, "| stage | decision | version | outcome |\n|---|---|---|---|");
    for item in &p.items {
        let _ = writeln!(
            w,
            "| {} | {}: {} | v{} | {} |",
            item.stage,
            item.trail.id,
            cell(&item.trail.title),
            item.version,
            outcome_words(&item.outcome)
        );
    }
    for item in &p.items {
        let t = &item.trail;
        let outcome = outcome_words(&item.outcome);
        let _ = writeln!(
            w,
            "\n## {}: {} ({outcome})\n\nStage {}, drafted by the {}; {}: {}\n",
            t.id,
            cell(&t.title),
            item.stage,
            t.body,
            outcome_words(&t.outcome),
            cell(&t.reason)
        );
        for v in &t.versions {
            let _ = writeln!(w, "### {} v{}: {}\n", t.id, v.version, cell(&v.title));
            if !v.change_summary.is_empty() {
                let _ = writeln!(w, "What changed: {}\n", cell(&v.change_summary));
            }
            let _ = writeln!(w, "{}", quote(&v.text));
            let _ = writeln!(w, "| state | position | reasons or remarks |\n|---|---|---|");
            for (state, pos) in &v.positions {
                let _ = writeln!(w, "| {state} | {} | {} |", position_words(&pos.kind), cell(&pos.reasons.join("; ")));
            }
            let _ = writeln!(w);
        }
        if !t.comments.is_empty() {
            let _ = writeln!(w, "### Comments on {}\n", t.id);
            crate::markdown::comment_table(w, t);
        }
    }
    out
}

/// The package as one self-contained HTML page: each item links to its versions and comments.
pub fn html(p: &Package) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = write!(
        w,
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Package {0}</title><style>\
         body{{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}}\
         td,p{{overflow-wrap:anywhere}}\
         blockquote{{white-space:pre-wrap;overflow-wrap:anywhere;border-left:4px solid #ccc;margin:.4rem 0;padding:.2rem .8rem}}\
         @page{{margin:16mm 14mm}}@media print{{body{{max-width:none;margin:0;color:#000;background:#fff}}\
         a{{color:#000;text-decoration:none}}tr,h3{{break-inside:avoid}}}}</style></head><body>\
         <h1>Package {0} of exercise {1}</h1><p>Communicated {2}. SHA-256 of its items: <code id=digest>{3}</code></p>\
         <table><tr><th>stage</th><th>decision</th><th>version</th><th>outcome</th><th>trail</th></tr>",
        esc(&p.package_id),
        esc(&p.exercise),
        esc(&p.communicated),
        esc(&p.digest)
    );
    for item in &p.items {
        let t = &item.trail;
        let versions: Vec<String> =
            t.versions.iter().map(|v| format!("<a href=\"#{0}-v{1}\">v{1}</a>", esc(&t.id), v.version)).collect();
        let comments: Vec<String> =
            t.comments.iter().map(|c| format!("<a href=\"#{0}\">{0}</a>", esc(&c.id))).collect();
        let _ = write!(
            w,
            "<tr id=\"item-{0}\"><td>{1}</td><td><a href=\"#trail-{0}\">{0}: {2}</a></td><td>v{3}</td><td>{4}</td><td>versions {5}{6}</td></tr>",
            esc(&t.id),
            item.stage,
            esc(&t.title),
            item.version,
            outcome_words(&item.outcome),
            versions.join(", "),
            if comments.is_empty() { String::new() } else { format!("; comments {}", comments.join(", ")) }
        );
    }
    let _ = write!(w, "</table>");
    for item in &p.items {
        let t = &item.trail;
        let _ = write!(
            w,
            "<section id=\"trail-{0}\"><h2>{0}: {1} — {2}</h2><p>Stage {3}, drafted by the {4}; {5}</p>",
            esc(&t.id),
            esc(&t.title),
            outcome_words(&item.outcome),
            item.stage,
            esc(&t.body),
            esc(&t.reason)
        );
        for v in &t.versions {
            let _ = write!(w, "<h3 id=\"{0}-v{1}\">{0} v{1}: {2}</h3>", esc(&t.id), v.version, esc(&v.title));
            if !v.change_summary.is_empty() {
                let _ = write!(w, "<p>What changed: {}</p>", esc(&v.change_summary));
            }
            let _ = write!(
                w,
                "<blockquote>{}</blockquote><table><tr><th>state</th><th>position</th><th>reasons or remarks</th></tr>",
                esc(&v.text)
            );
            for (state, pos) in &v.positions {
                let _ = write!(
                    w,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(state),
                    position_words(&pos.kind),
                    esc(&pos.reasons.join("; "))
                );
            }
            let _ = write!(w, "</table>");
        }
        if !t.comments.is_empty() {
            let _ = write!(w, "<h3>Comments</h3>");
            crate::html::comment_table(w, t, true);
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
}
