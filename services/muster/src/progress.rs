//! Live progress of an exercise for the terminal, read off its record as the events come: one
//! line per milestone, stamped with the exercise time on the scenario's calendar, and on a
//! terminal a status line updated in place while a stage runs; in the language asked for.

use std::io::{IsTerminal, Write};

use bus::Envelope;
use bus::envelope::Payload;
use proto::v1::{Outcome, PositionKind};
use record::{Phase, Record};
use words::{Arg, Lang};

/// The record so far, and what has been printed of it.
#[derive(Debug)]
pub struct Progress {
    tty: bool,
    lang: Lang,
    record: Record,
    /// One summary line per concluded stage, for the end.
    pub stage_lines: Vec<String>,
}

impl Progress {
    /// Progress from the first event on, of the events `trust` (the coordinator's key) sealed,
    /// said in `lang`.
    pub fn new(trust: Option<String>, lang: Lang) -> Self {
        let record = Record::reading(trust);
        Progress { tty: std::io::stdout().is_terminal(), lang, record, stage_lines: Vec::new() }
    }

    /// The exercise time of the last event, as a director reads it.
    fn now(&self) -> String {
        self.record.when_in(self.lang, self.record.last.exercise)
    }

    fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        if self.tty {
            let _ = write!(out, "\r\x1b[2K");
        }
        let _ = writeln!(out, "{}  {}", self.now(), bus::text::shown(text));
        let _ = out.flush();
    }

    fn status(&self) {
        let Phase::Stage(n) = self.record.phase.phase else { return };
        if !self.tty {
            return;
        }
        let (drafts, positions, expected, objections, revisions) = self.stage_counts(n);
        let slots = self.record.plan.as_ref().and_then(|p| p.stage(n)).map_or(0, |s| s.slots.len());
        let left = self.record.deadline().map_or(String::new(), |d| {
            let span = scenario::calendar::span_in(self.lang, d.saturating_sub(self.record.last.exercise));
            format!(", {}", words::say_with(self.lang, "time-left", &[("exercise", Arg::from(span))]))
        });
        let counts = [
            ("stage", Arg::from(n)),
            ("drafts", Arg::from(drafts)),
            ("slots", Arg::from(slots)),
            ("positions", Arg::from(positions)),
            ("expected", Arg::from(expected)),
            ("objections", Arg::from(objections)),
            ("revisions", Arg::from(revisions)),
        ];
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "\r\x1b[2K  {}{left}", words::say_with(self.lang, "progress-stage", &counts));
        let _ = out.flush();
    }

    /// Drafts, positions given, positions expected, non-concurrences and revisions in stage `n`.
    fn stage_counts(&self, n: u32) -> (usize, usize, usize, usize, usize) {
        let drafts: Vec<_> = self.record.drafts.values().filter(|d| d.stage == n).collect();
        let versions: Vec<_> = drafts.iter().flat_map(|d| &d.versions).collect();
        let positions = versions.iter().map(|v| v.positions.len()).sum();
        let objections = versions
            .iter()
            .flat_map(|v| v.positions.values())
            .filter(|p| p.answer.kind() == PositionKind::NonConcur)
            .count();
        let expected = versions.len() * self.record.states_present();
        (drafts.len(), positions, expected, objections, versions.len() - drafts.len())
    }

    /// Takes the event at `sequence` into account: what a checkpoint covers is told, one event at a
    /// time.
    pub fn event(&mut self, sequence: u64, e: Envelope) {
        let Ok(covered) = self.record.admit(sequence, e) else { return };
        for (sequence, e) in covered {
            self.record.apply_at(sequence, &e);
            self.tell(&e);
        }
    }

    /// Tells what the event just applied means.
    fn tell(&mut self, e: &Envelope) {
        let lang = self.lang;
        let present = self.record.states_present();
        match &e.payload {
            Payload::Notification(_) => {
                let total = self.record.plan.as_deref().map_or(0, record::Plan::participants_total);
                self.line(&words::say_with(lang, "progress-notified", &[("count", Arg::from(total))]));
            }
            Payload::AssemblyClosed(c) => {
                let expected = c.assembled.len() + c.absent.len();
                let args = [("reported", Arg::from(c.assembled.len())), ("expected", Arg::from(expected))];
                let mut line = words::say_with(lang, "progress-assembled", &args);
                if !c.absent.is_empty() {
                    let absent = [("absent", Arg::from(c.absent.join(", ")))];
                    line = format!("{line}; {}", words::say_with(lang, "progress-silent", &absent));
                }
                self.line(&line);
            }
            Payload::StageOpened(s) => {
                if s.stage_number == 1 {
                    let args = [("active", Arg::from(self.record.activated.len())), ("present", Arg::from(present))];
                    self.line(&words::say_with(lang, "progress-deployed", &args));
                }
                // The title in the reader's language, from the plan.
                let plan = self.record.plan.as_ref().and_then(|p| p.stage(s.stage_number));
                let title = plan.map_or_else(|| s.title.clone(), |stage| stage.title.in_lang(lang).to_string());
                let args = [("stage", Arg::from(s.stage_number)), ("title", Arg::from(title))];
                self.line(&words::say_with(lang, "progress-stage-opened", &args));
            }
            Payload::DraftDecision(_) | Payload::DraftRevised(_) | Payload::Position(_) => self.status(),
            Payload::StageConcluded(c) => {
                let count = |o: Outcome| Arg::from(c.outcomes.iter().filter(|x| x.outcome() == o).count());
                let (drafts, positions, _, objections, revisions) = self.stage_counts(c.stage_number);
                let args = [
                    ("stage", Arg::from(c.stage_number)),
                    ("count", Arg::from(c.outcomes.len())),
                    ("adopted", count(Outcome::Adopted)),
                    ("returned", count(Outcome::Returned)),
                    ("nodraft", count(Outcome::NoDraft)),
                    ("drafts", Arg::from(drafts)),
                    ("positions", Arg::from(positions)),
                    ("objections", Arg::from(objections)),
                    ("revisions", Arg::from(revisions)),
                ];
                let line = words::say_with(lang, "progress-considered", &args);
                self.line(&line);
                self.stage_lines.push(line);
            }
            Payload::PackageCommunicated(p) => {
                let args = [("items", Arg::from(p.items.len())), ("states", Arg::from(present))];
                self.line(&words::say_with(lang, "progress-package", &args));
            }
            // Exercise control's reasons are what a person wrote: as written.
            Payload::PauseExercise(p) => {
                self.line(&words::say_with(lang, "event-paused", &[("reason", Arg::from(p.reason.as_str()))]));
            }
            Payload::ResumeExercise(p) => {
                self.line(&words::say_with(lang, "event-resumed", &[("reason", Arg::from(p.reason.as_str()))]));
            }
            Payload::AdvanceExercise(p) => {
                self.line(&words::say_with(lang, "event-advanced", &[("reason", Arg::from(p.reason.as_str()))]));
            }
            Payload::ExerciseConcluded(c) => {
                let args = [("receipts", Arg::from(c.receipts.len())), ("present", Arg::from(present))];
                self.line(&words::say_with(lang, "progress-receipts", &args));
            }
            Payload::PhaseChanged(_) if self.record.is_concluded() => {
                self.line(&words::say(lang, "progress-concluded"));
            }
            _ => {}
        }
    }

    /// Whether the record is complete.
    pub fn concluded(&self) -> bool {
        self.record.is_concluded()
    }
}
