//! Scenarios as workbooks at the command line: `muster scenario export` and `import`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use words::{Arg, Lang};
use workbook::{Imported, WorkbookError};

use crate::EXIT_INVALID_DATA;

/// Whether `file` is a workbook or an MSEL rather than scenario text.
pub fn is_workbook(file: &Path) -> bool {
    matches!(extension(file).as_str(), "xlsx" | "csv")
}

fn extension(file: &Path) -> String {
    file.extension().and_then(|e| e.to_str()).unwrap_or_default().to_lowercase()
}

/// Writes the scenario `from` out to `out`: a workbook (.xlsx), or its MSEL alone (.csv).
pub fn export(from: &Path, out: &Path) -> anyhow::Result<()> {
    let scenario = scenario::load(from)?;
    match extension(out).as_str() {
        "xlsx" => std::fs::write(out, workbook::export(&scenario)?),
        "csv" => std::fs::write(out, workbook::export_msel(&scenario)?),
        _ => {
            let file = Arg::from(out.display().to_string());
            anyhow::bail!("{}", words::say_with(Lang::from_env(), "cli-plan-write-what", &[("file", file)]))
        }
    }
    .with_context(|| format!("{}", out.display()))?;
    let injects: usize = scenario.stages.iter().map(|s| s.injects.len()).sum();
    let args = [
        ("file", Arg::from(out.display().to_string())),
        ("stages", Arg::from(scenario.stages.len())),
        ("injects", Arg::from(injects)),
        ("from", Arg::from(from.display().to_string())),
    ];
    println!("{}", words::say_with(Lang::from_env(), "cli-plan-exported", &args));
    Ok(())
}

/// Reads a workbook, or an MSEL into the scenario `base`, as a scenario.
pub fn read(file: &Path, base: Option<&Path>) -> anyhow::Result<Imported> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| name.clone())?;
    let said = |id: &str| words::say_with(Lang::from_env(), id, &[("file", Arg::from(name.as_str()))]);
    match (extension(file).as_str(), base) {
        ("xlsx", _) => Ok(workbook::import(&bytes, &name)?),
        ("csv", Some(base)) => {
            let Ok(text) = String::from_utf8(bytes) else { anyhow::bail!("{}", said("cli-plan-not-text")) };
            Ok(workbook::import_msel(&text, &name, &scenario::load(base)?)?)
        }
        ("csv", None) => anyhow::bail!("{}", said("cli-plan-msel-needs-scenario")),
        _ => anyhow::bail!("{}", said("cli-plan-read-what")),
    }
}

/// Reads a workbook (or an MSEL into `base`) and writes the scenario file `out`.
pub fn import(file: &Path, base: Option<&Path>, out: &Path) -> anyhow::Result<()> {
    let imported = read(file, base)?;
    std::fs::write(out, &imported.toml).with_context(|| format!("{}", out.display()))?;
    let scenario = &imported.scenario;
    let injects: usize = scenario.stages.iter().map(|s| s.injects.len()).sum();
    let args = [
        ("file", Arg::from(out.display().to_string())),
        ("stages", Arg::from(scenario.stages.len())),
        ("participants", Arg::from(scenario.participants.len())),
        ("injects", Arg::from(injects)),
        ("from", Arg::from(file.display().to_string())),
        ("digest", Arg::from(scenario.digest.as_str())),
    ];
    println!("{}", words::say_with(Lang::from_env(), "cli-plan-imported", &args));
    Ok(())
}

/// The exit status of a command, its problems said: every problem of a workbook a line.
pub fn report(done: anyhow::Result<()>) -> ExitCode {
    let Err(e) = done else { return ExitCode::SUCCESS };
    match e.downcast_ref::<WorkbookError>() {
        Some(WorkbookError::Invalid { file, problems }) => {
            eprintln!("{e}");
            let args = [("file", Arg::from(file.as_str())), ("count", Arg::from(problems.len()))];
            eprintln!("{}", words::say_with(Lang::from_env(), "cli-plan-problems", &args));
            ExitCode::from(EXIT_INVALID_DATA)
        }
        Some(WorkbookError::Read { .. }) => {
            eprintln!("{e}");
            ExitCode::from(EXIT_INVALID_DATA)
        }
        _ => {
            eprintln!("muster: {e:#}");
            ExitCode::FAILURE
        }
    }
}
