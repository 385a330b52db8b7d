//! What people write, checked where it enters and shown safely wherever it goes out. A submission's
//! texts have length limits, and may not carry control characters (but line breaks and tabs) nor
//! the Unicode controls that reorder or hide what follows (bidirectional overrides and isolates,
//! zero-width marks): such a character in a remark could clear a terminal that prints the report,
//! forge a coloured line, or make one reason read as another. The coordinator refuses them, the
//! gateway refuses them at its edge, and [`shown`] makes any that reach a page, a report, a
//! terminal or a log visible as `\u{..}` instead of acting on them.

use std::borrow::Cow;

use proto::v1::envelope::Payload;

/// The longest draft text, in characters: a long decision with its annexes.
pub const MAX_DRAFT_TEXT: usize = 50_000;
/// The longest free text of any other kind (remarks, reasons, summaries, titles), in characters.
pub const MAX_TEXT: usize = 4_000;

/// What is wrong with a text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// Longer than its limit.
    #[error("{field} is {length} characters long; at most {limit} are accepted")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length, in characters.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// Carries a character that acts on the display.
    #[error("{field} carries the control character {shown} at character {at}; write it without")]
    Control {
        /// The field.
        field: &'static str,
        /// The character, as [`shown`] writes it.
        shown: String,
        /// Where (1-based, in characters).
        at: usize,
    },
}

impl TextError {
    /// What is wrong, as a message each reader says in its language (the field as a token).
    pub fn message(&self) -> words::Message {
        match self {
            TextError::TooLong { field, length, limit } => {
                words::Message::new("text-too-long").with("field", field).with("length", length).with("limit", limit)
            }
            TextError::Control { field, shown, at } => {
                words::Message::new("text-control").with("field", field).with("shown", shown).with("at", at)
            }
        }
    }
}

/// Whether `c` acts on how text is displayed rather than being text: C0 and C1 controls (but tab
/// and line feed; a carriage return only before a line feed, see [`check`]), bidirectional marks,
/// embeddings, overrides and isolates, zero-width, invisible and other formatting characters,
/// line and paragraph separators, and tag characters.
pub fn is_hostile(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Whether `c`, followed by `next`, acts on a display: a hostile character, or a carriage return
/// that no line feed follows (alone, it sends a terminal's cursor back over the line).
fn acts(c: char, next: Option<char>) -> bool {
    is_hostile(c) || (c == '\r' && next != Some('\n'))
}

/// Each character of `text`, whether it acts on a display.
fn marked(text: &str) -> impl Iterator<Item = (char, bool)> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        Some((c, acts(c, chars.peek().copied())))
    })
}

/// The first character of `text` that acts on a display, and its place (1-based).
fn first_hostile(text: &str) -> Option<(usize, char)> {
    marked(text).enumerate().find(|(_, (_, acting))| *acting).map(|(at, (c, _))| (at + 1, c))
}

/// Checks one text against `limit` and for hostile characters.
pub fn check(field: &'static str, text: &str, limit: usize) -> Result<(), TextError> {
    if let Some((at, c)) = first_hostile(text) {
        return Err(TextError::Control { field, shown: escape(c), at });
    }
    let length = text.chars().count();
    if length > limit {
        return Err(TextError::TooLong { field, length, limit });
    }
    Ok(())
}

/// Checks every text a participant or exercise control writes in `payload`.
pub fn check_payload(payload: &Payload) -> Result<(), TextError> {
    for (field, text, limit) in texts(payload) {
        check(field, text, limit)?;
    }
    // A position's reasons are one text to whoever reads them, however many lines they take.
    if let Payload::Position(p) = payload {
        let length = p.reasons.iter().map(|r| r.chars().count()).sum();
        if length > MAX_TEXT {
            return Err(TextError::TooLong { field: "reasons", length, limit: MAX_TEXT });
        }
    }
    Ok(())
}

/// The texts of a payload a participant or exercise control submits, with their limits.
fn texts(payload: &Payload) -> Vec<(&'static str, &str, usize)> {
    use proto::v1::release_inject::Inject as Release;
    fn draft(d: &proto::v1::DraftDecision) -> [(&'static str, &str, usize); 3] {
        [("slot_id", &d.slot_id, MAX_TEXT), ("title", &d.title, MAX_TEXT), ("text", &d.text, MAX_DRAFT_TEXT)]
    }
    match payload {
        Payload::AssemblyReport(r) => vec![("remarks", &r.remarks, MAX_TEXT)],
        Payload::ControlPointActivation(a) => {
            vec![("comms_check_token", &a.comms_check_token, MAX_TEXT), ("remarks", &a.remarks, MAX_TEXT)]
        }
        Payload::SituationAssessment(a) => vec![("summary", &a.summary, MAX_TEXT)],
        Payload::DraftDecision(d) => draft(d).to_vec(),
        Payload::DraftRevised(r) => {
            let mut out: Vec<_> = r.draft.iter().flat_map(draft).collect();
            out.push(("change_summary", &r.change_summary, MAX_TEXT));
            for d in &r.dispositions {
                out.extend([("comment_id", d.comment_id.as_str(), MAX_TEXT), ("reason", &d.reason, MAX_TEXT)]);
            }
            out
        }
        Payload::Position(p) => {
            let mut out = vec![("slot_id", p.slot_id.as_str(), MAX_TEXT)];
            out.extend(p.reasons.iter().map(|r| ("reasons", r.as_str(), MAX_TEXT)));
            out
        }
        Payload::ReceiptConfirmed(r) => vec![("package_id", &r.package_id, MAX_TEXT), ("digest", &r.digest, MAX_TEXT)],
        Payload::PauseExercise(c) => vec![("reason", &c.reason, MAX_TEXT)],
        Payload::ResumeExercise(c) => vec![("reason", &c.reason, MAX_TEXT)],
        Payload::AdvanceExercise(c) => vec![("reason", &c.reason, MAX_TEXT)],
        Payload::StartExercise(c) => vec![("reason", &c.reason, MAX_TEXT)],
        Payload::AcknowledgeInject(a) => vec![("inject_id", &a.inject_id, MAX_TEXT)],
        Payload::ReleaseInject(r) => match &r.inject {
            Some(Release::Planned(id)) => vec![("planned", id.as_str(), MAX_TEXT)],
            Some(Release::Written(i)) => {
                let mut out = vec![
                    ("inject_id", i.inject_id.as_str(), MAX_TEXT),
                    ("from", &i.from, MAX_TEXT),
                    ("text", &i.text, MAX_DRAFT_TEXT),
                    ("expects", &i.expects, MAX_TEXT),
                    ("slot_id", &i.slot_id, MAX_TEXT),
                    ("objective", &i.objective, MAX_TEXT),
                ];
                out.extend(i.to.iter().map(|t| ("to", t.as_str(), MAX_TEXT)));
                out.extend(i.from_in.iter().map(|t| ("from_in", t.text.as_str(), MAX_TEXT)));
                out.extend(i.text_in.iter().map(|t| ("text_in", t.text.as_str(), MAX_DRAFT_TEXT)));
                out.extend(i.expects_in.iter().map(|t| ("expects_in", t.text.as_str(), MAX_TEXT)));
                out.extend(i.objective_in.iter().map(|t| ("objective_in", t.text.as_str(), MAX_TEXT)));
                out
            }
            None => vec![],
        },
        _ => vec![],
    }
}

fn escape(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

/// `text` with every hostile character written out as `\u{..}`: safe to print to a terminal, a
/// log, Markdown or a page. Borrowed when there is none (almost always).
pub fn shown(text: &str) -> Cow<'_, str> {
    if first_hostile(text).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (c, acting) in marked(text) {
        if acting { out.push_str(&escape(c)) } else { out.push(c) }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_reordering_characters_are_refused_and_shown_visibly() {
        let hostile = "ok\u{1b}[2J\u{1b}[31mFORGED\u{7}";
        let error = check("remarks", hostile, MAX_TEXT).expect_err("ESC");
        assert_eq!(error.to_string(), "remarks carries the control character \\u{1b} at character 3; write it without");
        assert!(check("reason", "abc\u{202E}fdp.exe", MAX_TEXT).is_err(), "a right-to-left override");
        assert!(check("reason", "a\u{2066}b", MAX_TEXT).is_err(), "an isolate");
        assert!(check("reason", "zero\u{200B}width", MAX_TEXT).is_err());
        assert!(check("reason", "tag\u{E0041}s and a soft\u{00AD}hyphen", MAX_TEXT).is_err());
        assert!(check("reason", "line\u{2028}separator", MAX_TEXT).is_err());
        assert!(check("reason", "back over\rthe line", MAX_TEXT).is_err(), "a carriage return alone");
        assert_eq!(shown("a\rb\r\n"), "a\\u{d}b\r\n");
        assert!(check("text", "Пункт 1.\n\tПункт 2 — «в целом».\r\n", MAX_TEXT).is_ok(), "Russian, line breaks, tabs");
        assert_eq!(shown(hostile), "ok\\u{1b}[2J\\u{1b}[31mFORGED\\u{7}");
        assert!(!shown(hostile).chars().any(is_hostile));
        assert!(matches!(shown("Объединённый штаб"), Cow::Borrowed(_)));
        let long = "я".repeat(MAX_TEXT + 1);
        assert_eq!(
            check("reason", &long, MAX_TEXT),
            Err(TextError::TooLong { field: "reason", length: MAX_TEXT + 1, limit: MAX_TEXT })
        );
    }

    #[test]
    fn every_text_of_a_submission_is_checked() {
        let position = Payload::Position(proto::v1::Position {
            slot_id: "s1-01".into(),
            draft_version: 1,
            kind: 3,
            reasons: vec!["fine".into(), "see \u{202E}annex".into()],
        });
        assert!(matches!(check_payload(&position), Err(TextError::Control { field: "reasons", .. })));
        let many = proto::v1::Position { reasons: vec!["x".repeat(1000); 5], ..Default::default() };
        assert_eq!(
            check_payload(&Payload::Position(many)),
            Err(TextError::TooLong { field: "reasons", length: 5000, limit: MAX_TEXT }),
            "reasons are limited together, not line by line"
        );
        let draft = proto::v1::DraftDecision { text: "x".repeat(MAX_DRAFT_TEXT), ..Default::default() };
        assert!(check_payload(&Payload::DraftDecision(draft.clone())).is_ok(), "a long draft text is fine");
        let revised = proto::v1::DraftRevised {
            draft: Some(proto::v1::DraftDecision { text: "x".repeat(MAX_DRAFT_TEXT + 1), ..draft }),
            ..Default::default()
        };
        assert!(matches!(
            check_payload(&Payload::DraftRevised(revised)),
            Err(TextError::TooLong { field: "text", .. })
        ));
    }
}
