//! Embeds every catalogue under `locales/<language>/*.ftl`: a language is added by adding its
//! folder, with no code change.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut languages: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for entry in std::fs::read_dir(&root)? {
        let folder = entry?.path();
        if !folder.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", folder.display());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
            .collect();
        files.sort();
        for file in &files {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        let tag = folder.file_name().and_then(|n| n.to_str()).ok_or("a language folder's name")?.to_owned();
        languages.push((tag, files));
    }
    languages.sort();
    let mut out = String::from("/// Each language's catalogues: its tag, and each file's name and text.\n");
    out.push_str("pub const CATALOGUES: &[(&str, &[(&str, &str)])] = &[\n");
    for (tag, files) in &languages {
        write!(out, "    ({tag:?}, &[")?;
        for file in files {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            write!(out, "({name:?}, include_str!({:?})), ", file.display().to_string())?;
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    std::fs::write(PathBuf::from(std::env::var("OUT_DIR")?).join("catalogues.rs"), out)?;
    Ok(())
}
