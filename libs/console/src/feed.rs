//! One line per event, as the live feed shows it: when (exercise time) and what, in words.

use bus::Envelope;
use bus::envelope::Payload;
use proto::v1::{self as wire, Outcome};
use record::{Phase, Record};
use words::{Arg, Lang};

/// A position kind in words, with a mark that does not depend on colour.
pub fn position(l: Lang, kind: wire::PositionKind) -> String {
    match kind {
        wire::PositionKind::Concur => format!("✓ {}", words::say(l, "position-concur")),
        wire::PositionKind::ConcurWithRemarks => format!("✓ {}", words::say(l, "position-concur-with-remarks")),
        wire::PositionKind::NonConcur => format!("✗ {}", words::say(l, "position-non-concur")),
        wire::PositionKind::Abstain => format!("− {}", words::say(l, "position-abstain")),
        wire::PositionKind::Unspecified => "?".into(),
    }
}

/// An outcome in words.
pub fn outcome(l: Lang, outcome: Outcome) -> String {
    match outcome {
        Outcome::Adopted => format!("✓ {}", words::say(l, "outcome-adopted")),
        Outcome::Returned => format!("✗ {}", words::say(l, "outcome-returned")),
        Outcome::NoDraft => format!("− {}", words::say(l, "outcome-no-draft")),
        Outcome::Unspecified => "?".into(),
    }
}

/// The most characters of a person's text a feed line shows; the whole text is on the pages that
/// are about it (the draft's page, the report).
const CLIPPED: usize = 200;

/// `text`, cut at 200 characters.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(CLIPPED) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The feed's line for `event`, which `record` already holds, in `l`.
pub fn line(l: Lang, record: &Record, event: &Envelope) -> String {
    let who = Arg::from(event.sender.node.as_str().to_owned());
    let say = |id: &str, args: &[(&str, Arg<'_>)]| {
        let mut all = vec![("who", who.clone())];
        all.extend(args.iter().cloned());
        words::say_with(l, id, &all)
    };
    let text = |t: &str| Arg::from(clip(t));
    // What the sender wrote, marked when in another language than the reader's.
    let written = |t: &str| Arg::from(words::marked(l, &clip(t), &event.language));
    let what = match &event.payload {
        // The scenario's texts in the reader's language, from the plan the record holds.
        Payload::Notification(n) => {
            let title =
                record.plan.as_ref().map_or_else(|| n.scenario_title.clone(), |p| p.title.in_lang(l).to_string());
            words::say_with(l, "feed-notified", &[("title", text(&title))])
        }
        Payload::ParticipantsListed(p) => {
            words::say_with(l, "feed-listed", &[("count", Arg::from(p.participants.len()))])
        }
        Payload::PhaseChanged(p) => {
            let phase = Phase::from_wire(p).say(l);
            let id = if p.paused { "feed-phase-paused" } else { "feed-phase" };
            words::say_with(l, id, &[("phase", Arg::from(phase))])
        }
        Payload::AssemblyReport(_) => say("feed-reported", &[]),
        Payload::AssemblyClosed(a) => {
            let absent = if a.absent.is_empty() { words::say(l, "none") } else { a.absent.join(", ") };
            words::say_with(
                l,
                "feed-assembly-closed",
                &[("count", Arg::from(a.assembled.len())), ("absent", Arg::from(absent))],
            )
        }
        Payload::DeploymentOrdered(_) => words::say(l, "feed-deployment-ordered"),
        Payload::ControlPointActivation(_) => say("feed-activated", &[]),
        Payload::StageOpened(s) => {
            let stage = record.plan.as_ref().and_then(|p| p.stage(s.stage_number));
            let title = stage.map_or_else(|| s.title.clone(), |stage| stage.title.in_lang(l).to_string());
            words::say_with(l, "feed-stage-opened", &[("stage", Arg::from(s.stage_number)), ("title", text(&title))])
        }
        Payload::SituationAssessment(a) => say("feed-assessed", &[("stage", Arg::from(a.stage_number))]),
        Payload::DraftDecision(d) => say(
            "feed-drafted",
            &[("slot", Arg::from(d.slot_id.as_str())), ("version", Arg::from(d.version)), ("title", written(&d.title))],
        ),
        Payload::DraftRevised(r) => match &r.draft {
            Some(d) => say(
                "feed-revised",
                &[
                    ("slot", Arg::from(d.slot_id.as_str())),
                    ("version", Arg::from(d.version)),
                    ("summary", written(&r.change_summary)),
                ],
            ),
            None => say("feed-revised-something", &[]),
        },
        Payload::Position(p) => {
            let reasons =
                if p.reasons.is_empty() { String::new() } else { format!(" ({})", clip(&p.reasons.join("; "))) };
            let gave = say(
                "feed-position",
                &[
                    ("slot", Arg::from(p.slot_id.as_str())),
                    ("version", Arg::from(p.draft_version)),
                    ("position", Arg::from(position(l, p.kind()))),
                ],
            );
            format!("{gave}{reasons}")
        }
        Payload::StageConcluded(s) => {
            let outcomes: Vec<String> =
                s.outcomes.iter().map(|o| format!("{} {}", o.slot_id, outcome(l, o.outcome()))).collect();
            words::say_with(
                l,
                "feed-stage-concluded",
                &[("stage", Arg::from(s.stage_number)), ("outcomes", Arg::from(outcomes.join(", ")))],
            )
        }
        Payload::PackageCommunicated(p) => words::say_with(
            l,
            "feed-package",
            &[("count", Arg::from(p.items.len())), ("digest", Arg::from(p.digest.as_str()))],
        ),
        Payload::ReceiptConfirmed(_) => say("feed-receipt", &[]),
        Payload::ExerciseConcluded(c) => words::say_with(
            l,
            "feed-concluded",
            &[("adopted", Arg::from(c.adopted)), ("returned", Arg::from(c.returned))],
        ),
        Payload::PauseExercise(p) => words::say_with(l, "feed-paused", &[("reason", written(&p.reason))]),
        Payload::ResumeExercise(p) => words::say_with(l, "feed-resumed", &[("reason", written(&p.reason))]),
        Payload::AdvanceExercise(p) => words::say_with(l, "feed-advanced", &[("reason", written(&p.reason))]),
        Payload::StartExercise(p) => words::say_with(l, "feed-started", &[("reason", written(&p.reason))]),
        Payload::InjectReleased(r) => {
            let id = r.inject.as_ref().map_or("", |i| i.inject_id.as_str());
            // The inject's texts in the reader's language, as the record holds them.
            let said = record.released(id).and_then(record::Released::inject).map(|i| i.text.in_lang(l).to_string());
            let everyone = record.plan.as_ref().map(|p| record::released::recipients(p, &[]));
            let to = if everyone.as_ref() == Some(&r.recipients) {
                words::say(l, "feed-inject-everyone")
            } else {
                r.recipients.join(", ")
            };
            words::say_with(
                l,
                "feed-inject",
                &[("inject", Arg::from(id)), ("to", Arg::from(to)), ("text", text(&said.unwrap_or_default()))],
            )
        }
        Payload::ReleaseInject(_) => words::say(l, "feed-inject-ordered"),
        Payload::AcknowledgeInject(a) => {
            say("feed-inject-acknowledged", &[("inject", Arg::from(a.inject_id.as_str()))])
        }
        Payload::Rejection(_) | Payload::Accepted(_) => format!("{}: {}", event.sender.node, event.kind()),
    };
    let at = event.exercise_time.map(|t| record.when_in(l, t)).unwrap_or_default();
    // One line: the live link carries it as one `data:` field.
    format!("{at} · {what}").replace(['\n', '\r'], " ")
}
