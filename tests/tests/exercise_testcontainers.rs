//! Whole exercises over a real NATS (testcontainers): every participant a separate task with its
//! own connection, the observer's report checked as a director would read it.

use std::time::Duration;

use tests::{Nats, Run, run_exercise};

const LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn the_default_scenario_runs_to_its_conclusion() -> anyhow::Result<()> {
    let nats = Nats::start().await?;
    let run = Run::default_fast("default")?;
    let report = run_exercise(&nats, &run, LIMIT).await?;

    assert!(report.totals.concluded, "{report:#?}");
    assert_eq!(report.totals.considered, 30);
    assert_eq!(report.absent, ["AM"], "the declared-absent state is recorded absent");
    let stage_slots: Vec<usize> = report.stages.iter().map(|s| s.slots.len()).collect();
    assert_eq!(stage_slots, [10, 10, 10]);
    assert_eq!(report.totals.adopted, 30, "every draft reaches consensus once revised: {report:#?}");

    // Belarus did not concur with the first version of three drafts; each was revised and then concurred.
    for slot_id in ["s1-03", "s2-06", "s3-09"] {
        let slot = report.stages.iter().flat_map(|s| &s.slots).find(|s| s.id == slot_id).expect("slot in report");
        assert_eq!(slot.versions.len(), 2, "{slot_id} must have been revised");
        assert_eq!(slot.versions[0].positions["BY"].kind, "non_concur");
        assert_eq!(slot.versions[1].positions["BY"].kind, "concur");
        assert_eq!(slot.outcome, "adopted");
    }
    assert_eq!(report.totals.revisions, 3);

    let package = report.package.as_ref().expect("package communicated");
    assert_eq!(package.items.len(), 30);
    let mut received: Vec<&str> = report.receipts.iter().map(|r| r.node.as_str()).collect();
    received.sort_unstable();
    assert_eq!(received, ["BY", "KG", "KZ", "RU", "TJ"], "every present state confirms receipt");
    Ok(())
}
