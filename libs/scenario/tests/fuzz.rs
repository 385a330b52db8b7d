//! Generated scenario files for the parser and validator: arbitrary text, and the default
//! scenario with lines dropped, duplicated or cut. Validation never panics, and every problem it
//! reports names a line of the file.

use proptest::prelude::*;

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("MUSTER_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

const DEFAULT: &str = include_str!("../../../scenarios/cst-2025.toml");

fn check(text: &str) {
    match scenario::parse(text, "fuzz.toml") {
        Ok(s) => assert!(!s.stages.is_empty() && s.states().count() > 0),
        Err(scenario::ScenarioError::Invalid { problems, .. }) => {
            let lines = text.lines().count().max(1);
            assert!(!problems.is_empty());
            for p in problems {
                assert!(p.line >= 1 && p.line <= lines + 1, "line {} of {lines}: {p:?}", p.line);
            }
        }
        Err(other) => panic!("parsing text gave {other}"),
    }
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn arbitrary_text_is_refused_with_lines_never_a_panic(text in "[\\[\\]a-z_=\"0-9. \\n{},#-]{0,400}") {
        check(&text);
    }

    #[test]
    fn the_default_scenario_mangled_is_valid_or_refused_line_by_line(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, "[a-z0-9=\" ]{0,8}"), 1..8),
    ) {
        let mut lines: Vec<String> = DEFAULT.lines().map(str::to_owned).collect();
        for (at, kind, junk) in edits {
            let i = at.index(lines.len());
            match kind {
                0 => { lines.remove(i); }
                1 => { let line = lines[i].clone(); lines.insert(i, line); }
                _ => {
                    // Cut at half its characters: the default scenario's Russian is two bytes a letter.
                    let half: String = lines[i].chars().take(lines[i].chars().count() / 2).collect();
                    lines[i] = format!("{half}{junk}");
                }
            }
            if lines.is_empty() { break; }
        }
        check(&lines.join("\n"));
    }
}
