//! Live progress of an exercise from its events, for the terminal: one line per milestone, and on
//! a terminal a status line updated in place while a stage runs.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};

use bus::envelope::Payload;
use bus::{Envelope, Role};
use proto::v1::{Outcome, PositionKind};
use scenario::Scenario;

/// Counts what has come in and prints it.
#[derive(Debug)]
pub struct Progress {
    tty: bool,
    states: usize,
    absent: BTreeSet<String>,
    assembled: usize,
    expected_assembly: usize,
    activated: usize,
    stage: Option<StageCount>,
    receipts: usize,
    /// One summary line per concluded stage, for the end.
    pub stage_lines: Vec<String>,
}

#[derive(Debug, Default)]
struct StageCount {
    number: u32,
    slots: usize,
    drafts: usize,
    positions: usize,
    versions: usize,
    revisions: usize,
    objections: usize,
}

impl Progress {
    /// Progress for one scenario.
    pub fn new(scenario: &Scenario) -> Self {
        Progress {
            tty: std::io::stdout().is_terminal(),
            states: scenario.states().count(),
            absent: BTreeSet::new(),
            assembled: 0,
            expected_assembly: scenario.participants.iter().filter(|p| p.role != Role::Observer).count(),
            activated: 0,
            stage: None,
            receipts: 0,
            stage_lines: Vec::new(),
        }
    }

    fn present(&self) -> usize {
        self.states.saturating_sub(self.absent.len())
    }

    fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        if self.tty {
            let _ = write!(out, "\r\x1b[2K");
        }
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    fn status(&self) {
        if !self.tty {
            return;
        }
        if let Some(s) = &self.stage {
            let expected = s.versions * self.present();
            let mut out = std::io::stdout().lock();
            let _ = write!(
                out,
                "\r\x1b[2K  stage {}: drafts in {}/{}, positions in {}/{}, non-concurrences {}, revisions {}",
                s.number, s.drafts, s.slots, s.positions, expected, s.objections, s.revisions
            );
            let _ = out.flush();
        }
    }

    /// Takes one event into account.
    pub fn event(&mut self, e: &Envelope) {
        match &e.payload {
            Payload::Notification(n) => self.line(&format!("assembly: {} participants notified", n.participants.len())),
            Payload::AssemblyReport(_) => self.assembled += 1,
            Payload::AssemblyClosed(c) => {
                self.absent = c.absent.iter().cloned().collect();
                let silent = if c.absent.is_empty() {
                    String::new()
                } else {
                    format!("; silent, recorded absent: {}", c.absent.join(", "))
                };
                self.line(&format!("assembly: reported {} of {}{silent}", self.assembled, self.expected_assembly));
            }
            Payload::ControlPointActivation(_) => self.activated += 1,
            Payload::StageOpened(s) => {
                if s.stage_number == 1 {
                    self.line(&format!(
                        "deployment: control points active and comms checked {} of {}",
                        self.activated,
                        self.present()
                    ));
                }
                self.line(&format!("stage {}: opened: {}", s.stage_number, s.title));
                self.stage = Some(StageCount { number: s.stage_number, slots: s.slots.len(), ..Default::default() });
            }
            Payload::DraftDecision(_) => {
                if let Some(s) = &mut self.stage {
                    s.drafts += 1;
                    s.versions += 1;
                }
                self.status();
            }
            Payload::DraftRevised(_) => {
                if let Some(s) = &mut self.stage {
                    s.revisions += 1;
                    s.versions += 1;
                }
                self.status();
            }
            Payload::Position(p) => {
                if let Some(s) = &mut self.stage {
                    s.positions += 1;
                    if p.kind() == PositionKind::NonConcur {
                        s.objections += 1;
                    }
                }
                self.status();
            }
            Payload::StageConcluded(c) => {
                let count = |o: Outcome| c.outcomes.iter().filter(|x| x.outcome() == o).count();
                let (adopted, returned, empty) =
                    (count(Outcome::Adopted), count(Outcome::Returned), count(Outcome::NoDraft));
                let s = self.stage.take().unwrap_or_default();
                let line = format!(
                    "stage {}: considered {} slots: adopted {adopted}, returned {returned}, no draft {empty} \
                     (drafts {}, positions {}, non-concurrences {}, revisions {})",
                    c.stage_number,
                    c.outcomes.len(),
                    s.drafts,
                    s.positions,
                    s.objections,
                    s.revisions
                );
                self.line(&line);
                self.stage_lines.push(line);
            }
            Payload::PackageCommunicated(p) => {
                self.line(&format!(
                    "distribution: package of {} drafts communicated to {} states",
                    p.items.len(),
                    self.present()
                ));
            }
            Payload::ReceiptConfirmed(_) => self.receipts += 1,
            Payload::PauseExercise(p) => self.line(&format!("paused by exercise control: {}", p.reason)),
            Payload::ResumeExercise(p) => self.line(&format!("resumed by exercise control: {}", p.reason)),
            Payload::AdvanceExercise(p) => self.line(&format!("advanced by exercise control: {}", p.reason)),
            Payload::ExerciseConcluded(c) => {
                self.line(&format!("distribution: receipts {} of {}", c.receipts.len(), self.present()));
                self.line("concluded");
            }
            _ => {}
        }
    }
}
