//! The report's tokens in words, in its language: outcomes, positions, dispositions, roles,
//! categories, rules. The model and every writer say a token the same way through these.

use bus::Role;
use scenario::{Category, DecisionRule};
use words::{Arg, Lang};

/// An outcome token in words; "not considered" for none.
pub fn outcome_words(lang: Lang, token: &str) -> String {
    match token {
        "adopted" => words::say(lang, "outcome-adopted"),
        "returned" => words::say(lang, "outcome-returned"),
        "no_draft" => words::say(lang, "outcome-no-draft"),
        _ => words::say(lang, "aar-not-considered"),
    }
}

/// A position kind token in words.
pub fn position_words(lang: Lang, token: &str) -> String {
    match token {
        "concur" => words::say(lang, "position-concur"),
        "concur_with_remarks" => words::say(lang, "position-concur-with-remarks"),
        "non_concur" => words::say(lang, "position-non-concur"),
        "abstain" => words::say(lang, "position-abstain"),
        _ => words::say(lang, "aar-position-unstated"),
    }
}

/// A disposition token in words (`accepted in part`); a token it does not know as it is.
pub fn disposition_words(lang: Lang, token: &str) -> String {
    match token {
        "accepted" => words::say(lang, "disposition-accepted"),
        "accepted_in_part" => words::say(lang, "disposition-accepted-in-part"),
        "not_accepted" => words::say(lang, "disposition-not-accepted"),
        "noted" => words::say(lang, "disposition-noted"),
        other => other.replace('_', " "),
    }
}

/// What kind of comment (`objection`, `remark`) in words.
pub fn comment_words(lang: Lang, kind: &str) -> String {
    match kind {
        "objection" => words::say(lang, "objection"),
        _ => words::say(lang, "remark"),
    }
}

/// Whether a comment is still open, in words.
pub fn open_words(lang: Lang, open: bool) -> String {
    if open { words::say(lang, "comment-open") } else { words::say(lang, "comment-closed") }
}

/// A draft version as a short label (`v2`, `ред. 2`).
pub fn version_words(lang: Lang, version: u32) -> String {
    words::say_with(lang, "aar-version-short", &[("version", Arg::from(version))])
}

/// A role token in words (`national control point`); "participant" for a token of no role.
pub fn role_words(lang: Lang, token: &str) -> String {
    match Role::from_token(token) {
        Some(Role::Coordinator) => words::say(lang, "role-coordinator"),
        Some(Role::JointStaff) => words::say(lang, "role-joint-staff"),
        Some(Role::Secretariat) => words::say(lang, "role-secretariat"),
        Some(Role::ControlPoint) => words::say(lang, "role-control-point"),
        Some(Role::Observer) => words::say(lang, "role-observer"),
        Some(Role::Guest) => words::say(lang, "role-guest"),
        None => words::say(lang, "role-participant"),
    }
}

/// A draft's category in words (`troop components`).
pub fn category_words(lang: Lang, category: Category) -> String {
    match category {
        Category::TroopComponents => words::say(lang, "category-troop-components"),
        Category::FinancialSupport => words::say(lang, "category-financial-support"),
        Category::MilitaryTechnicalAssistance => words::say(lang, "category-military-technical-assistance"),
    }
}

/// A decision rule in words.
pub fn rule_words(lang: Lang, rule: DecisionRule) -> String {
    match rule {
        DecisionRule::Consensus => words::say(lang, "rule-consensus"),
        DecisionRule::Silence => words::say(lang, "rule-silence"),
    }
}

/// How a participant took part, in words.
pub fn transport_words(lang: Lang, remote: bool) -> String {
    if remote { words::say(lang, "aar-remote") } else { words::say(lang, "at-headquarters") }
}

/// `list` joined with commas, or "none".
pub fn listed(lang: Lang, list: &[String]) -> String {
    if list.is_empty() { words::say(lang, "none") } else { list.join(", ") }
}

/// The class of a token on the page: a class name with hyphens, so that no token shows there.
pub fn class(token: &str) -> String {
    token.replace('_', "-")
}

/// The columns of a comment-resolution table, as both writers head it.
pub fn comment_columns(lang: Lang) -> [String; 8] {
    [
        words::say(lang, "aar-column-comment"),
        words::say(lang, "aar-column-by"),
        words::say(lang, "aar-column-on"),
        words::say(lang, "aar-column-kind"),
        words::say(lang, "aar-column-text"),
        words::say(lang, "aar-column-disposition"),
        words::say(lang, "aar-column-answer"),
        words::say(lang, "aar-column-status"),
    ]
}
