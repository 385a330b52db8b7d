//! The summary `muster scenario validate` prints for a valid scenario, in the language asked for.

use std::fmt::Write as _;
use std::path::Path;

use bus::Role;
use report::document::{category_words, rule_words};
use scenario::{Category, Scenario};
use words::{Arg, Lang};

/// Renders the summary: stages with slots per category, participants per role.
pub fn render(lang: Lang, scenario: &Scenario, file: &Path) -> String {
    let mut out = String::new();
    let slots = scenario.slots().count();
    // Writing to a String cannot fail.
    let _ =
        writeln!(out, "{}", words::say_with(lang, "summary-valid", &[("file", Arg::from(file.display().to_string()))]));
    let _ = writeln!(out, "{}", scenario.title.in_lang(lang));
    let _ = writeln!(
        out,
        "{}",
        words::say_with(lang, "summary-digest", &[("digest", Arg::from(scenario.digest.as_str()))])
    );
    let languages = [("languages", Arg::from(scenario.languages.join(", ")))];
    let _ = writeln!(out, "{}", words::say_with(lang, "summary-languages", &languages));
    if !scenario.untranslated.is_empty() {
        let count = [("count", Arg::from(scenario.untranslated.len()))];
        let _ = writeln!(out, "{}", words::say_with(lang, "summary-untranslated", &count));
        for gap in &scenario.untranslated {
            let _ = writeln!(out, "  {}:{gap}", file.display());
        }
    }
    let counts = [("stages", Arg::from(scenario.stages.len())), ("slots", Arg::from(slots))];
    let _ = writeln!(out, "{}", words::say_with(lang, "summary-counts", &counts));
    for stage in &scenario.stages {
        let per_category: Vec<String> = Category::ALL
            .iter()
            .map(|c| {
                let count = stage.slots.iter().filter(|s| s.category == *c).count();
                let args = [("count", Arg::from(count)), ("category", Arg::from(category_words(lang, *c)))];
                words::say_with(lang, "summary-category", &args)
            })
            .collect();
        let args = [
            ("stage", Arg::from(stage.number)),
            ("title", Arg::from(stage.title.in_lang(lang).to_string())),
            ("slots", Arg::from(stage.slots.len())),
            ("categories", Arg::from(per_category.join(", "))),
        ];
        let _ = writeln!(out, "  {}", words::say_with(lang, "summary-stage", &args));
        if !stage.injects.is_empty() {
            let by_hand = stage.injects.iter().filter(|i| i.release == scenario::Release::ByHand).count();
            let args = [("count", Arg::from(stage.injects.len())), ("by_hand", Arg::from(by_hand))];
            let _ = writeln!(out, "    {}", words::say_with(lang, "summary-injects", &args));
        }
    }
    let roles = [
        (Role::ControlPoint, words::say(lang, "summary-member-states")),
        (Role::JointStaff, words::say(lang, "summary-joint-staff")),
        (Role::Secretariat, words::say(lang, "summary-secretariat")),
        (Role::Observer, words::say(lang, "summary-observers")),
        (Role::Guest, words::say(lang, "summary-guests")),
    ];
    let total = [("count", Arg::from(scenario.participants.len()))];
    let _ = writeln!(out, "{}", words::say_with(lang, "summary-participants", &total));
    for (role, label) in roles {
        let members: Vec<String> = scenario
            .with_role(role)
            .map(|p| match p.absent {
                true => words::say_with(lang, "summary-absent", &[("node", Arg::from(p.node.as_str()))]),
                false => p.node.to_string(),
            })
            .collect();
        if !members.is_empty() {
            let args = [
                ("count", Arg::from(members.len())),
                ("role", Arg::from(label)),
                ("members", Arg::from(members.join(", "))),
            ];
            let _ = writeln!(out, "  {}", words::say_with(lang, "summary-role", &args));
        }
    }
    let rule = [
        ("rule", Arg::from(rule_words(lang, scenario.decision_rule))),
        ("scale", Arg::from(words::number(lang, scenario.time_scale))),
    ];
    let _ = writeln!(out, "{}", words::say_with(lang, "summary-rule", &rule));
    out
}
