//! Comment resolution in the default exercise, and the traceable package `muster package` writes:
//! every decision of the package with its trail, under the digest recorded when it was
//! communicated.

use std::time::Duration;

use anyhow::Context as _;
use bus::Payload;
use tests::{Nats, Probe, Run, binary, run_exercise};

#[tokio::test]
async fn belarus_comments_are_resolved_and_muster_package_traces_every_decision() -> anyhow::Result<()> {
    let run = Run::default_fast("package")?;
    let nats = Nats::start(&[&run]).await?;
    let report = run_exercise(&nats, &run, Duration::from_secs(120)).await?;

    // Belarus does not concur with the first version of these three; each revision accepts its
    // comment, and Belarus concurs with the second version: the matrix says so.
    let slots: Vec<&report::model::SlotRecord> = report.stages.iter().flat_map(|s| &s.slots).collect();
    for id in ["s1-03", "s2-06", "s3-09"] {
        let slot = slots.iter().find(|s| s.id == id).with_context(|| format!("{id} in the report"))?;
        let comment = slot
            .comments
            .iter()
            .find(|c| c.id == format!("{id}-v1-BY-1"))
            .with_context(|| format!("Belarus's comment on {id}: {:?}", slot.comments))?;
        assert_eq!((comment.kind.as_str(), comment.open), ("objection", false), "{comment:?}");
        let step = comment.dispositions.first().context("a disposition")?;
        assert_eq!((step.version, step.disposition.as_str(), step.answer.as_str()), (2, "accepted", "concur"));
        assert_eq!(slot.outcome, "adopted");
    }
    let markdown = report::markdown::render(&report);
    assert!(markdown.contains("#### Comment resolution: s2-06"), "the Markdown report has the matrix");
    assert!(report::html::render(&report).contains("id=\"comments-s3-09\""), "so has the HTML page");

    // The package, written by the command line from the log alone.
    let out = tempfile::TempDir::with_prefix("muster-package")?;
    let director = nats.identities.seed_file("director");
    let status = tokio::process::Command::new(binary("muster")?)
        .args(["package", "--exercise", run.exercise.as_str(), "--nats", &nats.url, "--nkey"])
        .arg(&director)
        .arg("--out")
        .arg(out.path())
        .status()
        .await?;
    assert!(status.success(), "muster package exited with {status}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("package.json"))?)?;
    let log = Probe::connect(&nats, &run.exercise).await?.log().await?;
    let recorded = log
        .iter()
        .find_map(|e| match &e.payload {
            Payload::PackageCommunicated(p) => Some(p),
            _ => None,
        })
        .context("the package in the log")?;
    assert_eq!(json["digest"], recorded.digest.as_str(), "the digest recorded when the package was communicated");
    assert_eq!(record::package::digest(&recorded.items), recorded.digest, "and the items hash to it");

    let items = json["items"].as_array().context("items")?;
    assert_eq!(items.len(), recorded.items.len(), "every decision of the package");
    let html = std::fs::read_to_string(out.path().join("package.html"))?;
    let adopted: Vec<&serde_json::Value> = items.iter().filter(|i| i["outcome"] == "adopted").collect();
    assert!(!adopted.is_empty());
    for item in adopted {
        let slot = item["trail"]["id"].as_str().context("slot id")?;
        let versions = item["trail"]["versions"].as_array().context("versions")?;
        assert_eq!(versions.len() as u64, item["version"].as_u64().context("version")?, "{slot}: every version");
        for v in versions {
            assert!(!v["positions"].as_object().context("positions")?.is_empty(), "{slot}: every state's positions");
        }
        assert!(html.contains(&format!("href=\"#trail-{slot}\"")), "{slot} links to its trail");
        for v in versions {
            assert!(html.contains(&format!("id=\"{slot}-v{}\"", v["version"])), "{slot}: each version has its place");
        }
    }
    assert!(html.contains("href=\"#s1-03-v1-BY-1\""), "the decision links to Belarus's comment");
    let markdown = std::fs::read_to_string(out.path().join("package.md"))?;
    assert!(markdown.contains(&recorded.digest));
    Ok(())
}
