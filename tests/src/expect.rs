//! What an exercise must come to, worked out from its scenario alone: the decision rule and each
//! automated participant's policy, read the way the domain brief states them, never from the
//! coordinator's code. End-to-end tests compare the observer's report with this, so they hold for
//! any scenario, not only the default one's numbers.

use std::collections::{BTreeMap, BTreeSet};

use bus::Role;
use scenario::{DecisionRule, Participant, Scenario};

/// Most versions a drafting body writes of one draft (the policy's limit).
const MAX_VERSIONS: usize = seat::policy::MAX_VERSIONS as usize;

/// One slot as the policies play it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Its outcome token as the report gives it: `adopted`, `returned`, `no_draft`.
    pub outcome: &'static str,
    /// How many versions its draft has (0 without one).
    pub versions: usize,
}

/// What the exercise must come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Each stage's slots in order, by id.
    pub stages: Vec<Vec<(String, Slot)>>,
    /// The states declared absent, sorted.
    pub absent: Vec<String>,
    /// The present states, sorted: each confirms receipt of the package.
    pub present: Vec<String>,
}

impl Expected {
    /// Every slot by id.
    pub fn slots(&self) -> BTreeMap<&str, &Slot> {
        self.stages.iter().flatten().map(|(id, slot)| (id.as_str(), slot)).collect()
    }

    /// How many slots end with `outcome`.
    pub fn count(&self, outcome: &str) -> usize {
        self.slots().values().filter(|s| s.outcome == outcome).count()
    }

    /// How many revisions are written in all.
    pub fn revisions(&self) -> usize {
        self.slots().values().map(|s| s.versions.saturating_sub(1)).sum()
    }
}

/// What `scenario` comes to when every seat is played by its policy and answers in time.
pub fn of(scenario: &Scenario) -> Expected {
    let states: Vec<&Participant> = scenario.participants.iter().filter(|p| p.role == Role::ControlPoint).collect();
    let present: Vec<&Participant> = states.iter().copied().filter(|p| !p.absent).collect();
    let listed = |list: &[String], slot: &str| list.iter().any(|s| s == slot);
    let stages = scenario
        .stages
        .iter()
        .map(|stage| {
            stage
                .slots
                .iter()
                .map(|slot| {
                    let id = slot.id.as_str();
                    let drafter = scenario.participants.iter().find(|p| p.role == slot.owner.role() && !p.absent);
                    let Some(_) = drafter.filter(|d| !listed(&d.policy.skip, id)) else {
                        return (slot.id.clone(), Slot { outcome: "no_draft", versions: 0 });
                    };
                    let objected = present.iter().any(|s| listed(&s.policy.object, id));
                    // A state that does not concur with the first version gets a revision; one that
                    // objects to every version gets one until the drafting body's limit.
                    let first_refused = present.iter().any(|s| listed(&s.policy.non_concur_first_version, id));
                    let versions = if objected {
                        MAX_VERSIONS
                    } else if first_refused {
                        2
                    } else {
                        1
                    };
                    let silent = present.iter().any(|s| listed(&s.policy.skip, id));
                    let concurring = present
                        .iter()
                        .filter(|s| !listed(&s.policy.skip, id) && !listed(&s.policy.abstain, id))
                        .filter(|s| !listed(&s.policy.object, id))
                        .count();
                    let adopted = match scenario.decision_rule {
                        // An abstention does not block; a non-concurrence or silence does; one must concur.
                        DecisionRule::Consensus => !objected && !silent && concurring > 0,
                        // Adopted unless a state objected.
                        DecisionRule::Silence => !objected,
                    };
                    (slot.id.clone(), Slot { outcome: if adopted { "adopted" } else { "returned" }, versions })
                })
                .collect()
        })
        .collect();
    let sorted = |list: Vec<&&Participant>| -> Vec<String> {
        list.iter().map(|p| p.node.to_string()).collect::<BTreeSet<_>>().into_iter().collect()
    };
    Expected {
        stages,
        absent: sorted(states.iter().filter(|p| p.absent).collect()),
        present: sorted(present.iter().collect()),
    }
}

/// Compares `report` with what `scenario` must come to; the error says what differs.
pub fn check(scenario: &Scenario, report: &observer::Report) -> anyhow::Result<()> {
    let expected = of(scenario);
    anyhow::ensure!(report.totals.concluded, "the exercise did not conclude");
    let stages: Vec<Vec<(&str, &str, usize)>> = report
        .stages
        .iter()
        .map(|s| s.slots.iter().map(|slot| (slot.id.as_str(), slot.outcome.as_str(), slot.versions.len())).collect())
        .collect();
    let want: Vec<Vec<(&str, &str, usize)>> = expected
        .stages
        .iter()
        .map(|s| s.iter().map(|(id, slot)| (id.as_str(), slot.outcome, slot.versions)).collect())
        .collect();
    anyhow::ensure!(stages == want, "slots (id, outcome, versions) by stage:\n got {stages:?}\nwant {want:?}");
    let mut absent = report.absent.clone();
    absent.sort();
    anyhow::ensure!(absent == expected.absent, "absent: got {absent:?}, want {:?}", expected.absent);
    let mut received: Vec<String> = report.receipts.iter().map(|r| r.node.clone()).collect();
    received.sort();
    anyhow::ensure!(received == expected.present, "receipts: got {received:?}, want {:?}", expected.present);
    let totals = (report.totals.adopted, report.totals.returned, report.totals.no_draft, report.totals.revisions);
    let want =
        (expected.count("adopted"), expected.count("returned"), expected.count("no_draft"), expected.revisions());
    anyhow::ensure!(totals == want, "adopted, returned, no draft, revisions: got {totals:?}, want {want:?}");
    let drafted = expected.slots().values().filter(|s| s.versions > 0).count();
    let package = report.package.as_ref().map_or(0, |p| p.items.len());
    anyhow::ensure!(package == drafted, "the package holds {package} drafts, want every one drafted ({drafted})");
    Ok(())
}
