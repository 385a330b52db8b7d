//! What tests check of a log: no event twice, the longest silence, the record it folds into.

use std::time::Duration;

/// The longest time the log went without a new event after `since`: how long the exercise
/// stalled (the events before `since` included, so a silence that began before it counts whole).
pub fn longest_silence(log: &[bus::Envelope], since: std::time::SystemTime) -> Duration {
    let times: Vec<_> = log.iter().filter_map(|e| e.recorded_at).collect();
    let start = times.iter().rposition(|t| *t <= since).unwrap_or(0);
    times[start..].windows(2).map(|w| w[1].duration_since(w[0]).unwrap_or_default()).max().unwrap_or_default()
}

/// What a report says about the outcome of an exercise, for comparing two runs.
#[derive(Debug, PartialEq)]
pub struct Record {
    /// Per slot: outcome and number of versions.
    pub slots: std::collections::BTreeMap<String, (String, usize)>,
    /// The package: (slot, version, outcome) in order.
    pub package: Vec<(String, u32, String)>,
    /// Absentees.
    pub absent: Vec<String>,
    /// States that confirmed receipt, sorted.
    pub receipts: Vec<String>,
}

impl Record {
    /// The record of a report.
    pub fn of(report: &observer::Report) -> Record {
        let mut receipts: Vec<String> = report.receipts.iter().map(|a| a.node.clone()).collect();
        receipts.sort();
        Record {
            slots: report
                .stages
                .iter()
                .flat_map(|s| &s.slots)
                .map(|s| (s.id.clone(), (s.outcome.clone(), s.versions.len())))
                .collect(),
            package: report
                .package
                .iter()
                .flat_map(|p| &p.items)
                .map(|i| (i.slot.clone(), i.version, i.outcome.clone()))
                .collect(),
            absent: report.absent.clone(),
            receipts,
        }
    }
}

/// Fails if the log holds a draft version or a position twice, or a coordinator milestone twice.
pub fn assert_no_duplicates(log: &[bus::Envelope]) {
    let mut seen = std::collections::BTreeSet::new();
    for e in log {
        let key = match &e.payload {
            bus::Payload::DraftDecision(d) => format!("draft {} v{}", d.slot_id, d.version),
            bus::Payload::DraftRevised(r) => {
                r.draft.as_ref().map(|d| format!("draft {} v{}", d.slot_id, d.version)).unwrap_or_default()
            }
            bus::Payload::Position(p) => format!("position {} {} v{}", e.sender.node, p.slot_id, p.draft_version),
            bus::Payload::StageConcluded(c) => format!("stage {} concluded", c.stage_number),
            bus::Payload::StageOpened(o) => format!("stage {} opened", o.stage_number),
            bus::Payload::PackageCommunicated(_) => "package".into(),
            bus::Payload::ExerciseConcluded(_) => "concluded".into(),
            bus::Payload::Notification(_) => "notification".into(),
            _ => continue,
        };
        assert!(seen.insert(key.clone()), "{key} is in the log twice");
    }
}
