//! One line per event, as the live feed shows it: when (exercise time) and what, in words.

use bus::Envelope;
use bus::envelope::Payload;
use proto::v1::{self as wire, Outcome};
use record::{Phase, Record};

/// A position kind in words, with a mark that does not depend on colour.
pub fn position(kind: wire::PositionKind) -> &'static str {
    match kind {
        wire::PositionKind::Concur => "✓ concur",
        wire::PositionKind::ConcurWithRemarks => "✓ concur with remarks",
        wire::PositionKind::NonConcur => "✗ non-concur",
        wire::PositionKind::Abstain => "− abstain",
        wire::PositionKind::Unspecified => "? unspecified",
    }
}

/// An outcome in words.
pub fn outcome(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Adopted => "✓ adopted",
        Outcome::Returned => "✗ returned",
        Outcome::NoDraft => "− no draft",
        Outcome::Unspecified => "?",
    }
}

/// The most characters of a person's text a feed line shows; the whole text is on the pages that
/// are about it (the draft's page, the report).
const CLIPPED: usize = 200;

/// `text`, cut at 200 characters.
pub fn clip(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(CLIPPED) {
        Some((at, _)) => format!("{}…", &text[..at]).into(),
        None => text.into(),
    }
}

/// The feed's line for `event`, which `record` already holds.
pub fn line(record: &Record, event: &Envelope) -> String {
    let who = &event.sender.node;
    let what = match &event.payload {
        Payload::Notification(n) => format!("exercise notified: {}", n.scenario_title),
        Payload::ParticipantsListed(l) => format!("{} more participants listed", l.participants.len()),
        Payload::PhaseChanged(p) => {
            let phase = Phase::from_wire(p);
            format!("phase: {phase}{}", if p.paused { " (paused)" } else { "" })
        }
        Payload::AssemblyReport(_) => format!("{who} reported at assembly"),
        Payload::AssemblyClosed(a) => format!(
            "assembly closed: {} reported; absent: {}",
            a.assembled.len(),
            if a.absent.is_empty() { "none".into() } else { a.absent.join(", ") }
        ),
        Payload::DeploymentOrdered(_) => "deployment ordered: control points activate".into(),
        Payload::ControlPointActivation(_) => format!("{who} activated its control point"),
        Payload::StageOpened(s) => format!("stage {} opened: {}", s.stage_number, s.title),
        Payload::SituationAssessment(a) => format!("{who} assessed the situation of stage {}", a.stage_number),
        Payload::DraftDecision(d) => format!("{who} submitted {} v{}: {}", d.slot_id, d.version, clip(&d.title)),
        Payload::DraftRevised(r) => match &r.draft {
            Some(d) => format!("{who} revised {} to v{}: {}", d.slot_id, d.version, clip(&r.change_summary)),
            None => format!("{who} revised a draft"),
        },
        Payload::Position(p) => {
            let reasons =
                if p.reasons.is_empty() { String::new() } else { format!(" ({})", clip(&p.reasons.join("; "))) };
            format!("{who} on {} v{}: {}{reasons}", p.slot_id, p.draft_version, position(p.kind()))
        }
        Payload::StageConcluded(s) => {
            let outcomes: Vec<String> =
                s.outcomes.iter().map(|o| format!("{} {}", o.slot_id, outcome(o.outcome()))).collect();
            format!("stage {} concluded: {}", s.stage_number, outcomes.join(", "))
        }
        Payload::PackageCommunicated(p) => {
            format!("package of {} drafts communicated (digest {})", p.items.len(), p.digest)
        }
        Payload::ReceiptConfirmed(_) => format!("{who} confirmed receipt of the package"),
        Payload::ExerciseConcluded(c) => format!("exercise concluded: {} adopted, {} returned", c.adopted, c.returned),
        Payload::PauseExercise(p) => format!("paused by the director: {}", clip(&p.reason)),
        Payload::ResumeExercise(p) => format!("resumed by the director: {}", clip(&p.reason)),
        Payload::AdvanceExercise(p) => format!("window closed early by the director: {}", clip(&p.reason)),
        Payload::StartExercise(p) => format!("started by the director: {}", clip(&p.reason)),
        Payload::Rejection(_) | Payload::Accepted(_) => format!("{who}: {}", event.kind()),
    };
    let at = event.exercise_time.map(|t| record.when(t)).unwrap_or_default();
    // One line: the live link carries it as one `data:` field.
    format!("{at} · {what}").replace(['\n', '\r'], " ")
}
