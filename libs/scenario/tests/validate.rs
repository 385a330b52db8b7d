//! Scenario validation as a director meets it: the default file, and files with mistakes.

use std::path::Path;

use bus::Role;
use scenario::{Category, DecisionRule, PlayedBy, Problem, ScenarioError, Transport};

fn repo_file(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

fn problems(text: &str) -> Vec<Problem> {
    match scenario::parse(text, "t.toml") {
        Err(ScenarioError::Invalid { problems, .. }) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

/// A small valid scenario to plant mistakes in.
const BASE: &str = r#"title = "t"
[deadlines]
assembly = "1h"
deployment = "2h"
distribution = "2d"

[[participants]]
role = "joint_staff"
node = "js"

[[participants]]
role = "control_point"
node = "BY"

[[stages]]
title = "one"
region = "r"
situation = "s"
closes = "1d"

[[stages.slots]]
id = "a"
title = "A"
owner = "joint_staff"
category = "troop_components"
"#;

#[test]
fn the_default_scenario_is_the_march_2025_training() {
    let s = scenario::load(&repo_file("scenarios/cst-2025.toml")).expect("default scenario is valid");
    assert_eq!(s.stages.len(), 3);
    assert!(s.stages.iter().all(|stage| stage.slots.len() == 10));
    for category in Category::ALL {
        assert!(s.slots().any(|(_, slot)| slot.category == *category), "no slot of {category}");
    }
    let states: Vec<&str> = s.states().map(|p| p.node.as_str()).collect();
    assert_eq!(states, ["AM", "BY", "KZ", "KG", "RU", "TJ"]);
    assert_eq!(s.states().filter(|p| p.absent).count(), 1);
    assert!(s.states().any(|p| !p.policy.non_concur_first_version.is_empty()), "some state must non-concur");
    assert!(s.states().filter(|p| p.transport == Transport::Grpc).count() >= 2);
    assert_eq!(s.with_role(Role::Observer).count(), 1);
    assert_eq!(s.with_role(Role::Guest).count(), 1);
    assert_eq!(s.decision_rule, DecisionRule::Consensus);
}

#[test]
fn the_base_fixture_is_valid() {
    let s = scenario::parse(BASE, "t.toml").expect("valid");
    assert_eq!(s.stages[0].slots[0].id, "a");
}

#[test]
fn a_stage_without_slots_is_named() {
    let text = BASE.replace(
        "[[stages.slots]]\nid = \"a\"\ntitle = \"A\"\nowner = \"joint_staff\"\ncategory = \"troop_components\"\n",
        "",
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!((p[0].line, p[0].field.as_str()), (15, "stages[0]"));
    assert!(p[0].message.contains("no slots"), "{}", p[0]);
}

#[test]
fn deadlines_out_of_order_are_named() {
    let p = problems(&BASE.replace("closes = \"1d\"", "closes = \"90m\""));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!((p[0].line, p[0].field.as_str()), (19, "stages[0].closes"));
    assert!(p[0].message.contains("not after deadlines.deployment"), "{}", p[0]);
}

#[test]
fn an_owning_body_that_does_not_take_part_is_named() {
    let p = problems(&BASE.replace("owner = \"joint_staff\"", "owner = \"secretariat\""));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!((p[0].line, p[0].field.as_str()), (24, "stages[0].slots[0].owner"));
}

#[test]
fn duplicate_nodes_unknown_keys_and_missing_fields_are_all_listed_in_line_order() {
    let text = BASE.replace("node = \"js\"", "node = \"BY\"").replace("region = \"r\"\n", "regoin = \"r\"\n");
    let p = problems(&text);
    let got: Vec<(usize, &str)> = p.iter().map(|p| (p.line, p.field.as_str())).collect();
    assert_eq!(got, [(13, "participants[1].node"), (15, "stages[0].region"), (17, "stages[0].regoin")], "{p:?}");
}

#[test]
fn a_syntax_error_names_its_line() {
    let p = problems(&BASE.replace("title = \"one\"", "title = one"));
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].line, 16);
}

#[test]
fn a_missing_file_is_a_read_error_naming_it() {
    let err = scenario::load(Path::new("/nonexistent/x.toml")).expect_err("missing");
    assert!(err.to_string().starts_with("/nonexistent/x.toml: cannot read"), "{err}");
}

#[test]
fn seats_are_played_by_a_policy_unless_the_file_or_the_director_says_a_person() {
    let text = BASE.replace("node = \"BY\"", "node = \"BY\"\nplayed_by = \"person\"");
    let mut s = scenario::parse(&text, "t.toml").expect("valid");
    let played =
        |s: &scenario::Scenario, n: &str| s.participants.iter().find(|p| p.node.as_str() == n).map(|p| p.played_by);
    assert_eq!(played(&s, "BY"), Some(PlayedBy::Person));
    assert_eq!(played(&s, "js"), Some(PlayedBy::Policy), "the default");
    s.seat_person(&bus::NodeId::new("js").expect("valid")).expect("js is a seat");
    assert_eq!(played(&s, "js"), Some(PlayedBy::Person));
    let unknown = s.seat_person(&bus::NodeId::new("XX").expect("valid")).expect_err("XX is no seat");
    assert!(unknown.contains("`XX` is not a participant"), "{unknown}");
}

#[test]
fn what_cannot_work_is_refused_with_its_line() {
    // A drafting body over gRPC would start a national node that never drafts.
    let text = BASE
        .replace("node = \"js\"", "node = \"js\"\ntransport = \"grpc\"")
        .replace("node = \"BY\"", "node = \"BY\"\nplayed_by = \"robot\"")
        .replace("title = \"t\"", "title = \"t\"\nstarts = \"17 March 2025\"");
    let found = problems(&text);
    let find = |field: &str| found.iter().find(|p| p.field == field).unwrap_or_else(|| panic!("{field}: {found:?}"));
    let grpc = find("participants[0].transport");
    assert_eq!(grpc.line, 11, "the line of the transport key");
    assert!(grpc.message.contains("a joint staff cannot take part over gRPC"), "{}", grpc.message);
    assert!(find("participants[1].played_by").message.contains("expected policy or person"));
    assert!(find("starts").message.contains("`17 March 2025` is not a start like `2025-03-17 09:00 MSK`"));
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn a_clock_that_cannot_run_and_a_reserved_node_id_are_refused() {
    for scale in ["1e300", "1e-300", "0.0", "-2.0"] {
        let found = problems(&BASE.replace("title = \"t\"", &format!("title = \"t\"\ntime_scale = {scale}")));
        let problem = found.iter().find(|p| p.field == "time_scale").unwrap_or_else(|| panic!("{scale}: {found:?}"));
        assert!(problem.message.contains("must be between 0.001 and 10000000"), "{}", problem.message);
    }
    for reserved in ["ca", "gateway", "coordinator", "admin"] {
        let found = problems(&BASE.replace("node = \"js\"", &format!("node = \"{reserved}\"")));
        assert!(
            found.iter().any(|p| p.field == "participants[0].node" && p.message.contains("is reserved")),
            "{reserved}: {found:?}"
        );
    }
}

#[test]
fn the_default_scenario_is_written_in_english_and_russian_with_the_organisations_names() {
    let s = scenario::load(&repo_file("scenarios/cst-2025.toml")).expect("default scenario is valid");
    assert_eq!((s.language.as_str(), s.languages.clone()), ("en", vec!["en".to_owned(), "ru".to_owned()]));
    assert_eq!(s.untranslated, Vec::new(), "every text of the default scenario is in both languages");
    let name = |node: &str| {
        let p = s.participant(&bus::NodeId::new(node).expect("valid")).expect("a participant");
        p.name.get("ru").map(str::to_owned)
    };
    assert_eq!(name("secretariat").as_deref(), Some("Секретариат ОДКБ"));
    assert_eq!(name("BY").as_deref(), Some("Республика Беларусь"));
    assert_eq!(name("pa-secretariat").as_deref(), Some("Секретариат Парламентской Ассамблеи ОДКБ"));
    assert!(name("joint-staff").is_some_and(|n| n.starts_with("Объединённый штаб ОДКБ")));
    assert!(name("cis-atc").is_some_and(|n| n.contains("Антитеррористического центра")));
    let russian: String = s.slots().filter_map(|(_, slot)| slot.title.get("ru")).collect::<Vec<_>>().join(" ");
    for force in ["КСОР", "КСБР", "Миротворческих сил ОДКБ"] {
        assert!(russian.contains(force), "no slot names {force}: {russian}");
    }
}

#[test]
fn texts_may_be_given_per_language_and_validation_names_those_that_lack_one() {
    let text = BASE
        .replace("title = \"t\"\n", "language = \"ru\"\ntitle = { ru = \"Учение\", en = \"Exercise\" }\n")
        .replace("title = \"one\"", "title.ru = \"Первый\"\ntitle.en = \"First\"\ntitle.kk = \"Бірінші\"")
        .replace(
            "situation = \"s\"",
            "situation = \"обстановка\"\ntasks = [\"оценить\", { ru = \"решить\", en = \"decide\" }]",
        );
    let s = scenario::parse(&text, "t.toml").expect("valid");
    let ru = words::Lang::parse("ru").expect("Russian");
    assert_eq!(s.title.in_lang(ru).to_string(), "Учение");
    assert_eq!(s.title.in_lang(words::Lang::default()).to_string(), "Exercise");
    // A plain string is in the scenario's language: an English reader sees it marked.
    assert_eq!(s.stages[0].situation.in_lang(words::Lang::default()).to_string(), "обстановка (RU)");
    assert_eq!(s.languages, ["ru", "en", "kk"]);
    let gaps: Vec<(usize, &str, &str)> =
        s.untranslated.iter().map(|p| (p.line, p.field.as_str(), p.message.as_str())).collect();
    assert!(gaps.contains(&(2, "title", "not given in kk (readers of it see `ru`, marked)")), "{gaps:?}");
    assert!(
        gaps.iter().any(|(_, f, m)| *f == "stages[0].tasks[0]" && m.starts_with("not given in en, kk")),
        "{gaps:?}"
    );
    assert!(!gaps.iter().any(|(_, f, _)| *f == "stages[0].title"), "given in all three: {gaps:?}");

    // The scenario's own language is every text's: without it, the text is refused.
    let without = BASE.replace("title = \"t\"\n", "language = \"ru\"\ntitle = { en = \"Exercise\" }\n");
    let found = problems(&without);
    assert!(
        found.iter().any(|p| p.field == "title" && p.message.starts_with("no text in `ru`, the scenario's language")),
        "{found:?}"
    );
    let found =
        problems(&BASE.replace("title = \"t\"\n", "language = \"Russian\"\ntitle = { RU = \"x\", en = \"t\" }\n"));
    assert!(found.iter().any(|p| p.field == "language" && p.message.contains("not a language tag")), "{found:?}");
    assert!(found.iter().any(|p| p.field == "title" && p.message == "`RU` is not a language tag (such as ru, en, kk)"));
    let found = problems(&BASE.replace("title = \"t\"", "title = { en = \"t\", ru = \" \" }"));
    assert!(found.iter().any(|p| p.field == "title" && p.message.starts_with("the `ru` text is empty")), "{found:?}");
    let found = problems(&BASE.replace("title = \"t\"", "title = 7"));
    assert!(found.iter().any(|p| p.message.contains("a string, or a table of strings by language")), "{found:?}");
}

#[test]
fn a_stage_holds_injects_timed_or_by_hand_and_their_mistakes_are_named() {
    let injects = r#"
[[stages.injects]]
id = "i1-01"
at = "2h30m"
from = { en = "News agency", ru = "Информационное агентство" }
to = ["BY"]
text = { en = "Crowds gather at the border crossing", ru = "У пункта пропуска собираются люди" }
expects = { en = "Report the situation", ru = "Доложить обстановку" }
slot = "a"

[[stages.injects]]
id = "i1-02"
at = "by hand"
text = { en = "The border is closed", ru = "Граница закрыта" }
"#;
    let text = format!("{}{injects}", BASE.replace("title = \"t\"\n", "title = { en = \"t\", ru = \"т\" }\n"));
    let s = scenario::parse(&text, "t.toml").expect("valid");
    let injects = &s.stages[0].injects;
    assert_eq!(injects.len(), 2);
    assert_eq!(injects[0].release, scenario::Release::After(std::time::Duration::from_secs(9000)));
    assert_eq!(injects[0].to, [bus::NodeId::new("BY").expect("valid")]);
    assert_eq!(injects[0].slot.as_deref(), Some("a"));
    assert_eq!(injects[0].from.as_ref().and_then(|f| f.get("ru")), Some("Информационное агентство"));
    assert_eq!(
        (injects[1].release, injects[1].to.is_empty(), injects[1].from.is_none()),
        (scenario::Release::ByHand, true, true)
    );

    // What a planner gets wrong is named, every mistake at once, each with its line.
    // A time after the stage has closed (checked once the stages themselves are sound).
    let late = problems(&text.replace("at = \"2h30m\"", "at = \"3d\""));
    assert!(
        late.iter().any(|p| p.field == "stages[0].injects[0].at"
            && p.message == "released 3d after the stage opens, but the stage is open for 22h only"),
        "{late:?}"
    );
    let wrong = text
        .replace("to = [\"BY\"]", "to = [\"BY\", \"XX\"]")
        .replace("slot = \"a\"", "slot = \"zz\"")
        .replace("id = \"i1-02\"", "id = \"i1-01\"")
        .replace("at = \"by hand\"", "at = \"whenever\"");
    let found = problems(&wrong);
    let said = |field: &str, start: &str| found.iter().any(|p| p.field == field && p.message.starts_with(start));
    assert!(said("stages[0].injects[0].to[1]", "`XX` is not a participant"), "{found:?}");
    assert!(said("stages[0].injects[0].slot", "`zz` is not a slot of this stage"), "{found:?}");
    assert!(said("stages[0].injects[1].id", "duplicate inject id `i1-01`"), "{found:?}");
    assert!(
        said("stages[0].injects[1].at", "") && found.iter().any(|p| p.message.contains("or `by hand`")),
        "{found:?}"
    );
    assert!(found.windows(2).all(|w| w[0].line <= w[1].line), "in line order");
    // A seat listed twice, or one that only reads, cannot be asked to acknowledge.
    let found = problems(&text.replace("to = [\"BY\"]", "to = [\"BY\", \"BY\"]"));
    assert!(
        found.iter().any(|p| p.field == "stages[0].injects[0].to[1]" && p.message == "`BY` is listed twice"),
        "{found:?}"
    );
    let observed =
        text.replace("to = [\"BY\"]", "to = [\"obs\"]") + "\n[[participants]]\nrole = \"observer\"\nnode = \"obs\"\n";
    let found = problems(&observed);
    assert!(
        found.iter().any(|p| p.field == "stages[0].injects[0].to[0]" && p.message.starts_with("`obs` is an observer")),
        "{found:?}"
    );
}
