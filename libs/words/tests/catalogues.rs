//! The catalogue check `make lint` runs: every catalogue parses, every language has exactly the
//! messages English has, every message the code asks for (`words::say(lang, "id")`, `words::every("id")`) exists, and no
//! catalogue holds a message nothing uses (the code by its id, or another message by reference).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use words::{Lang, ids};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && !path.ends_with("target") {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals that follow `words::say(<lang>, `, `words::say_with(<lang>, `,
/// `words::every(` or `Message::new(` in `text`: callers name the crate, so that the check finds every message asked for.
fn asked(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let calls = [("words::say(", true), ("words::say_with(", true), ("words::every(", false), ("Message::new(", false)];
    for (call, after_lang) in calls {
        for (at, _) in text.match_indices(call) {
            let rest = &text[at + call.len()..];
            let after = match after_lang {
                true => {
                    let Some(comma) = rest.find(',') else { continue };
                    rest[comma + 1..].trim_start()
                }
                false => rest.trim_start(),
            };
            if let Some(literal) = after.strip_prefix('"').and_then(|s| s.split_once('"')).map(|(id, _)| id) {
                found.push(literal.to_owned());
            }
        }
    }
    found
}

#[test]
fn every_catalogue_is_whole_and_every_message_is_used_and_exists() {
    assert_eq!(words::parse_errors(), Vec::<String>::new(), "catalogues that do not parse");
    let english: BTreeSet<String> = ids(Lang::default()).into_iter().map(|(id, _)| id).collect();
    assert!(!english.is_empty());
    for lang in Lang::all() {
        // One id, one message: a second definition in another file would be dropped unseen.
        let mut seen = BTreeSet::new();
        let twice: Vec<_> = ids(lang).into_iter().filter(|(id, _)| !seen.insert(id.clone())).collect();
        assert!(twice.is_empty(), "{lang}: defined twice: {twice:?}");
        let theirs: BTreeSet<String> = ids(lang).into_iter().map(|(id, _)| id).collect();
        let missing: Vec<_> = english.difference(&theirs).collect();
        let extra: Vec<_> = theirs.difference(&english).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in English {extra:?}");
    }

    let mut files = Vec::new();
    for dir in ["libs", "services", "bench", "tests"] {
        sources(&workspace().join(dir), &mut files);
    }
    let (mut code, mut callers) = (String::new(), String::new());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // This crate's own tests and docs ask for messages that are not there on purpose.
        if !file.components().any(|c| c.as_os_str() == "words") {
            callers.push_str(&text);
        }
        code.push_str(&text);
    }
    let unknown: Vec<String> = asked(&callers).into_iter().filter(|id| !english.contains(id)).collect();
    assert!(unknown.is_empty(), "asked for, in no catalogue: {unknown:?}");

    let catalogues: String = std::fs::read_dir(workspace().join("libs/words/locales/en"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let unused: Vec<&String> = english
        .iter()
        .filter(|id| !code.contains(&format!("\"{id}\"")) && !catalogues.contains(&format!("{{ {id} }}")))
        .collect();
    assert!(unused.is_empty(), "in the catalogues, used nowhere: {unused:?}");
}
