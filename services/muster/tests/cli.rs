//! `muster scenario validate` run as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

fn validate(file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muster")).args(["scenario", "validate"]).arg(file).output().expect("muster runs")
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
