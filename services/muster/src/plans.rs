//! Scenarios as workbooks at the command line: `muster scenario export` and `import`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
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
        _ => anyhow::bail!("{}: write a workbook (.xlsx) or an MSEL (.csv)", out.display()),
    }
    .with_context(|| format!("writing {}", out.display()))?;
    let injects: usize = scenario.stages.iter().map(|s| s.injects.len()).sum();
    println!("{}: {} stages, {} injects, from {}", out.display(), scenario.stages.len(), injects, from.display());
    Ok(())
}

/// Reads a workbook, or an MSEL into the scenario `base`, as a scenario.
pub fn read(file: &Path, base: Option<&Path>) -> anyhow::Result<Imported> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
    match (extension(file).as_str(), base) {
        ("xlsx", _) => Ok(workbook::import(&bytes, &name)?),
        ("csv", Some(base)) => {
            let text = String::from_utf8(bytes).with_context(|| format!("{name}: not UTF-8 text"))?;
            Ok(workbook::import_msel(&text, &name, &scenario::load(base)?)?)
        }
        ("csv", None) => anyhow::bail!("{name}: an MSEL goes into a scenario: give --scenario FILE"),
        _ => anyhow::bail!("{name}: read a workbook (.xlsx) or an MSEL (.csv)"),
    }
}

/// Reads a workbook (or an MSEL into `base`) and writes the scenario file `out`.
pub fn import(file: &Path, base: Option<&Path>, out: &Path) -> anyhow::Result<()> {
    let imported = read(file, base)?;
    std::fs::write(out, &imported.toml).with_context(|| format!("writing {}", out.display()))?;
    let scenario = &imported.scenario;
    let injects: usize = scenario.stages.iter().map(|s| s.injects.len()).sum();
    println!(
        "{}: {} stages, {} participants, {} injects, from {}; SHA-256: {}",
        out.display(),
        scenario.stages.len(),
        scenario.participants.len(),
        injects,
        file.display(),
        scenario.digest
    );
    Ok(())
}

/// The exit status of a command, its problems said: every problem of a workbook a line.
pub fn report(done: anyhow::Result<()>) -> ExitCode {
    let Err(e) = done else { return ExitCode::SUCCESS };
    match e.downcast_ref::<WorkbookError>() {
        Some(WorkbookError::Invalid { file, problems }) => {
            eprintln!("{e}");
            eprintln!("{file}: {} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" });
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
