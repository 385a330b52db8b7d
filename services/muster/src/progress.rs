//! Live progress of an exercise for the terminal, read off its record as the events come: one
//! line per milestone, stamped with the exercise time on the scenario's calendar, and on a
//! terminal a status line updated in place while a stage runs.

use std::io::{IsTerminal, Write};

use bus::Envelope;
use bus::envelope::Payload;
use proto::v1::{Outcome, PositionKind};
use record::{Phase, Record};

/// The record so far, and what has been printed of it.
#[derive(Debug)]
pub struct Progress {
    tty: bool,
    record: Record,
    /// One summary line per concluded stage, for the end.
    pub stage_lines: Vec<String>,
}

impl Progress {
    /// Progress from the first event on, of the events `trust` (the coordinator's key) sealed.
    pub fn new(trust: Option<String>) -> Self {
        let record = Record::reading(trust);
        Progress { tty: std::io::stdout().is_terminal(), record, stage_lines: Vec::new() }
    }

    /// The exercise time of the last event, as a director reads it.
    fn now(&self) -> String {
        self.record.when(self.record.last.exercise)
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
            format!(", {} left", scenario::calendar::span(d.saturating_sub(self.record.last.exercise)))
        });
        let mut out = std::io::stdout().lock();
        let _ = write!(
            out,
            "\r\x1b[2K  stage {n}: drafts in {drafts}/{slots}, positions in {positions}/{expected}, non-concurrences {objections}, revisions {revisions}{left}"
        );
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

    /// Takes one event into account.
    pub fn event(&mut self, e: &Envelope) {
        if self.record.accept(e).is_err() {
            return;
        }
        let present = self.record.states_present();
        match &e.payload {
            Payload::Notification(_) => {
                let total = self.record.plan.as_ref().map_or(0, record::Plan::participants_total);
                self.line(&format!("assembly: {total} participants notified"))
            }
            Payload::AssemblyClosed(c) => {
                let silent = if c.absent.is_empty() {
                    String::new()
                } else {
                    format!("; silent, recorded absent: {}", c.absent.join(", "))
                };
                let expected = c.assembled.len() + c.absent.len();
                self.line(&format!("assembly: reported {} of {expected}{silent}", c.assembled.len()));
            }
            Payload::StageOpened(s) => {
                if s.stage_number == 1 {
                    let active = self.record.activated.len();
                    self.line(&format!("deployment: control points active and comms checked {active} of {present}"));
                }
                self.line(&format!("stage {}: opened: {}", s.stage_number, s.title));
            }
            Payload::DraftDecision(_) | Payload::DraftRevised(_) | Payload::Position(_) => self.status(),
            Payload::StageConcluded(c) => {
                let count = |o: Outcome| c.outcomes.iter().filter(|x| x.outcome() == o).count();
                let (drafts, positions, _, objections, revisions) = self.stage_counts(c.stage_number);
                let line = format!(
                    "stage {}: considered {} slots: adopted {}, returned {}, no draft {} \
                     (drafts {drafts}, positions {positions}, non-concurrences {objections}, revisions {revisions})",
                    c.stage_number,
                    c.outcomes.len(),
                    count(Outcome::Adopted),
                    count(Outcome::Returned),
                    count(Outcome::NoDraft),
                );
                self.line(&line);
                self.stage_lines.push(line);
            }
            Payload::PackageCommunicated(p) => {
                self.line(&format!(
                    "distribution: package of {} drafts communicated to {present} states",
                    p.items.len()
                ));
            }
            Payload::PauseExercise(p) => self.line(&format!("paused by exercise control: {}", p.reason)),
            Payload::ResumeExercise(p) => self.line(&format!("resumed by exercise control: {}", p.reason)),
            Payload::AdvanceExercise(p) => self.line(&format!("advanced by exercise control: {}", p.reason)),
            Payload::ExerciseConcluded(c) => {
                self.line(&format!("distribution: receipts {} of {present}", c.receipts.len()));
            }
            Payload::PhaseChanged(_) if self.record.is_concluded() => self.line("concluded"),
            _ => {}
        }
    }

    /// Whether the record is complete.
    pub fn concluded(&self) -> bool {
        self.record.is_concluded()
    }
}
