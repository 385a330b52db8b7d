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
        "assembly: reported 8 of 9; silent, recorded absent: AM",
        "stage 3: considered 10 slots: adopted 10",
        "distribution: receipts 5 of 5",
        "concluded",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    let report = std::fs::read_to_string(out.path().join("cli-run/report.md")).expect("report written");
    assert!(report.contains("**Concluded** · 30 slots considered: 30 adopted"), "{report}");
    assert!(out.path().join("cli-run/report.json").exists());
}
