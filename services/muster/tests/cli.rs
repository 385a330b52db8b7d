//! `muster scenario validate` run as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

fn validate(file: &Path) -> Output {
    // English, whatever the environment's language.
    let mut muster = Command::new(env!("CARGO_BIN_EXE_muster"));
    muster.env_remove("LANG").args(["scenario", "validate"]).arg(file).output().expect("muster runs")
}

#[test]
fn validating_the_default_scenario_prints_its_summary() {
    let out = validate(&repo_file("scenarios/cst-2025.toml"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("3 stages, 30 slots"), "{stdout}");
    assert!(stdout.contains("6 member states: AM (absent), BY, KZ, KG, RU, TJ"), "{stdout}");
    assert!(stdout.contains("1 observers: pa-secretariat"), "{stdout}");
    assert!(stdout.contains("4 troop components, 3 financial support, 3 military-technical assistance"), "{stdout}");
}

#[test]
fn validating_in_russian_prints_the_summary_in_russian() {
    let out = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["scenario", "validate", "--lang", "ru"])
        .arg(repo_file("scenarios/cst-2025.toml"))
        .output()
        .expect("muster runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for said in [
        "сценарий корректен",
        "3 этапа, 30 вопросов",
        "Стратегическая командно-штабная тренировка ОДКБ, март 2025 г.\n",
        "Тексты на языках: en, ru\n",
        "этап 1: Предотвращение кризисной ситуации в Восточно-Европейском регионе — 10 вопросов (",
        "военно-техническая помощь: 3",
        "государства-члены (6): AM (отсутствует), BY, KZ, KG, RU, TJ",
        "наблюдатели (1): pa-secretariat",
        "порядок принятия решений: консенсус присутствующих государств",
    ] {
        assert!(stdout.contains(said), "missing {said:?} in:\n{stdout}");
    }
    let refused = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["scenario", "validate", "--lang", "de", "x.toml"])
        .output()
        .expect("muster runs");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no messages in `de`; there are: en, ru"));
}

#[test]
fn three_planted_mistakes_are_all_listed_with_file_and_line() {
    let file = repo_file("tests/fixtures/three-mistakes.toml");
    let out = validate(&file);
    assert_eq!(out.status.code(), Some(65));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let f = file.display();
    for expected in [
        format!("{f}:119: stages[0].slots[1].owner: unknown value `general_staff`"),
        format!("{f}:210: stages[1].slots[4].id: duplicate slot id `s2-04`"),
        format!("{f}:251: stages[2].deadline: unknown key `deadline`"),
        format!("{f}: 3 problems found"),
    ] {
        assert!(stderr.contains(&expected), "missing {expected:?} in:\n{stderr}");
    }
}

#[test]
fn a_missing_file_is_named() {
    let out = validate(Path::new("no-such-scenario.toml"));
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-scenario.toml: cannot read"));
}

#[test]
fn validating_names_the_texts_that_lack_one_of_the_scenarios_languages() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("partial.toml");
    // The default scenario with its first stage's title in English only.
    let text = std::fs::read_to_string(repo_file("scenarios/cst-2025.toml")).expect("the default scenario");
    let partial =
        text.replacen("title.ru = \"Предотвращение кризисной ситуации в Восточно-Европейском регионе\"\n", "", 1);
    assert_ne!(partial, text, "the line to take out is there");
    std::fs::write(&file, partial).expect("written");
    let out = validate(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "a missing translation is not an error:\n{stdout}");
    assert!(stdout.contains("Texts in: en, ru\n"), "{stdout}");
    assert!(stdout.contains("1 text is not given in every language"), "{stdout}");
    let line = format!("{}:114: stages[0].title: not given in ru (readers of it see `en`, marked)", file.display());
    assert!(stdout.contains(&line), "missing {line:?} in:\n{stdout}");
}

#[test]
fn validating_counts_each_stages_injects() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("injects.toml");
    let text = std::fs::read_to_string(repo_file("scenarios/cst-2025.toml")).expect("the default scenario");
    // Two injects for the last stage: one at two hours, one the director releases.
    let injects = "\n[[stages.injects]]\nid = \"i3-01\"\nat = \"2h\"\n\
        text = { en = \"Outbreak confirmed\", ru = \"Вспышка подтверждена\" }\n\
        \n[[stages.injects]]\nid = \"i3-02\"\nat = \"by hand\"\nto = [\"TJ\"]\n\
        text = { en = \"Ceasefire broken\", ru = \"Режим прекращения огня нарушен\" }\n";
    std::fs::write(&file, format!("{text}{injects}")).expect("written");
    let out = validate(&file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("    2 injects, 1 released by hand\n"), "{stdout}");
}
