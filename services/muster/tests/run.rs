//! `muster run` as a user runs it: real processes for NATS and every service, the default scenario.
//! Needs `nats-server` on PATH and the workspace's binaries built (`make test` does both).

use std::path::Path;
use std::process::Command;

#[test]
fn muster_run_completes_the_default_scenario_and_writes_the_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = tempfile::TempDir::with_prefix("muster-run-").expect("temporary folder");
    let run = Command::new(env!("CARGO_BIN_EXE_muster"))
        .current_dir(&root)
        // English, whatever the environment's language.
        .env_remove("LANG")
        .args(["run", "--fast", "--exercise", "cli-run", "--out"])
        .arg(out.path())
        .output()
        .expect("muster runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "muster run failed:\n{stdout}\n{stderr}");
    for expected in [
        "started coordinator",
        "started national-node BY",
        "stage 3: considered 10 slots: adopted 10",
        "distribution: receipts 5 of 5",
        "concluded",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    // Assembly closes once every mandatory seat has reported: the guest, not mandatory, may or may
    // not be in by then (under load it is not), so only the mandatory count is certain.
    let assembly = stdout.lines().find(|l| l.contains("assembly: reported")).unwrap_or_default();
    assert!(
        ["reported 8 of 9; silent, recorded absent: AM", "reported 7 of 9; silent, recorded absent: AM, cis-atc"]
            .iter()
            .any(|said| assembly.ends_with(said)),
        "{stdout}"
    );
    let report = std::fs::read_to_string(out.path().join("cli-run/report.md")).expect("report written");
    assert!(report.contains("**Concluded** · 30 slots considered: 30 adopted"), "{report}");
    // The report says which version of the plan was played: the scenario file's digest.
    let played = std::fs::read_to_string(root.join("scenarios/cst-2025.toml")).expect("the default scenario");
    let digest = format!("scenario SHA-256 `{}`", scenario::digest(&played));
    assert!(report.contains(&digest), "missing {digest:?} in:\n{report}");
    assert!(out.path().join("cli-run/report.json").exists());
    // What people read speaks their language, not the code's: every report and package file.
    for entry in std::fs::read_dir(out.path().join("cli-run")).expect("the run's folder") {
        let path = entry.expect("a file").path();
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "html")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        for internal in ["REJECTION_CODE", "troop_components", "control_point", "joint_staff", "no_draft", "gRPC"] {
            assert!(!text.contains(internal), "{} shows `{internal}`", path.display());
        }
    }
}

#[test]
fn muster_run_reports_another_scenario_in_exercise_time_as_json_markdown_and_html() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = tempfile::TempDir::with_prefix("muster-run-").expect("temporary folder");
    let run = Command::new(env!("CARGO_BIN_EXE_muster"))
        .current_dir(&root)
        .env_remove("LANG")
        .args(["run", "--fast", "--scenario", "scenarios/interaction-2025.toml", "--exercise", "cli-other", "--out"])
        .arg(out.path())
        .output()
        .expect("muster runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "muster run failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("1 Sep 2025 08:00 MSK (day 1, 00:00)  assembly: 7 participants notified"), "{stdout}");
    assert!(stdout.contains("stage 2: considered 3 slots: adopted 2, returned 1"), "KZ objects to i2-02:\n{stdout}");

    let dir = out.path().join("cli-other");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report.json")).expect("JSON");
    assert_eq!(json["timeline"][0]["when"]["at"], "1 Sep 2025 08:00 MSK");
    let considered = json["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .find(|e| e["what"] == "stage 1 considered: 3 of 3 adopted")
        .expect("stage 1 considered under the silence procedure");
    // TJ gives no position on i1-02, so stage 1 stays open to its deadline, 20 exercise hours in.
    assert!(considered["when"]["exercise_s"].as_u64().is_some_and(|s| s >= 20 * 3600), "{considered}");

    let markdown = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(markdown.contains("started 2025-09-01 08:00 MSK"), "{markdown}");
    assert!(markdown.contains("| 2 Sep 2025 04:"), "the timeline reads on the calendar:\n{markdown}");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.starts_with("<!doctype html>") && html.contains("<svg"), "a self-contained page with its chart");
    assert!(html.contains("2 Sep 2025 04:") && html.contains("class=\"returned\""), "times and the matrix in colour");
}

#[test]
fn muster_run_in_russian_says_its_progress_and_writes_its_report_in_russian() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = tempfile::TempDir::with_prefix("muster-run-").expect("temporary folder");
    let run = Command::new(env!("CARGO_BIN_EXE_muster"))
        .current_dir(&root)
        // The flag wins over the environment.
        .env("LANG", "en_US.UTF-8")
        .args(["run", "--fast", "--lang", "ru", "--exercise", "cli-ru", "--out"])
        .arg(out.path())
        .output()
        .expect("muster runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "muster run failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    for expected in [
        "запущен coordinator",
        "17 марта 2025 г., 09:00 (МСК) (день 1, 00:00)  сбор: оповещены",
        // The guest, not mandatory, may be in or not when assembly closes: AM is absent either way.
        "сбор: доложили о прибытии ",
        "записаны отсутствующими: AM",
        "этап 3: рассмотрено 10 вопросов: принято 10, возвращено 0, без проекта 0",
        "рассылка: пакет из 30 проектов направлен 5 государствам",
        "рассылка: получение подтвердили 5 из 5",
        "учение завершено",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    for english in ["started ", "assembly:", "stage 3:", "considered", "concluded", " Mar ", "MSK"] {
        assert!(!stdout.contains(english), "the Russian run says {english:?}:\n{stdout}");
    }

    let dir = out.path().join("cli-ru");
    let report = std::fs::read_to_string(dir.join("report.md")).expect("report written");
    for said in [
        "# Отчёт о проведении учения: Стратегическая командно-штабная тренировка ОДКБ, март 2025 г.",
        "начало 17 марта 2025 г., 09:00 (МСК)",
        "**Завершено** · рассмотрено 30 вопросов: принято 30, возвращено 0, без проекта 0",
        "государствам направлен пакет из 30 проектов",
        "30 проектов, направлен ",
        "## Этап 1: Предотвращение кризисной ситуации в Восточно-Европейском регионе",
        "### Обстановка\n\n> Нарастает напряжённость у западных границ Союзного государства.",
        "| s1-01 | О формировании группировки КСОР для Восточно-Европейского региона |",
        "Республика Беларусь",
        // The seats' policies write in the scenario's own language, English: marked, as written.
        "BY (не согласен): Republic of Belarus asks that the draft set out the national contribution and its financing (EN)",
        "национальный пункт управления",
        "Объединённый штаб",
        "| принят |",
    ] {
        assert!(report.contains(said), "missing {said:?} in the report:\n{report}");
    }
    // The report's own words are Russian; what the scenario and the seats wrote is as written.
    for english in [
        "Stage ",
        "adopted",
        "returned",
        "Timeline",
        "Participants",
        "Package",
        "Circulated",
        "after ",
        "day 1",
        " Mar ",
        "MSK",
    ] {
        assert!(!report.contains(english), "the Russian report says {english:?}");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    assert!(html.starts_with("<!doctype html><html lang=ru>"), "the page says its language");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report.json")).expect("JSON");
    assert_eq!(json["lang"], "ru");
    assert_eq!(json["timeline"][0]["when"]["at"], "17 марта 2025 г., 09:00 (МСК)");
}
