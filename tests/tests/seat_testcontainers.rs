//! The seat's link to the bus against a real coordinator: a verdict for every submission, a
//! refusal named by its code and never retried, a repeat recognised.

use std::time::Duration;

use bus::{Envelope, MessageId, NodeId, Payload, Role, Sender};
use proto::v1::{self as wire, RejectionCode};
use seat::{BusLink, SubmitError, Verdict};
use tests::{Nats, Probe, Run, start_coordinator, within};

#[tokio::test]
async fn a_seat_gets_a_verdict_for_each_submission_and_retries_no_refusal() -> anyhow::Result<()> {
    let run = Run { time_scale: 60.0, ..Run::default_fast("seat-link")? };
    let nats = Nats::start(&[&run]).await?;
    let (coordinator, stop) = start_coordinator(&nats, &run)?;
    let probe = Probe::connect(&nats, &run.exercise).await?;
    probe.wait_for("notification", Duration::from_secs(10)).await?;

    let me = Sender::new(Role::ControlPoint, NodeId::new("BY")?);
    let link = BusLink::new(nats.bus_as("BY").await?, run.exercise.clone(), &me).await?;
    let key = nats.identities.key("BY")?;
    let envelope = |id: &str, payload| {
        let mut e = Envelope::new(run.exercise.clone(), me.clone(), payload);
        e.message_id = MessageId::new(id).expect("valid id");
        bus::seal::sign(&mut e, &key).expect("signed");
        e
    };
    let submit = |e: Envelope| within(Duration::from_secs(10), "a verdict", seat::driver::submit(&link, e));

    let report = envelope("BY-assembly", Payload::AssemblyReport(wire::AssemblyReport::default()));
    let first = submit(report.clone()).await?;
    let Ok(Verdict::Accepted { duplicate: false, comms_token: Some(token), receipt: Some(receipt) }) = &first else {
        panic!("a state's report is accepted with its communications token and a receipt: {first:?}")
    };
    assert_eq!(token.len(), 20, "{token}");
    assert!(receipt.signed_by(&nats.identities.public_key("coordinator")?), "the coordinator signs the receipt");
    assert!(receipt.is_for(&report));
    let recorded = probe.log().await?;
    let at = usize::try_from(receipt.sequence)? - 1;
    assert_eq!(bus::seal::hash(&recorded[at]), receipt.event, "the receipt names the event that recorded the report");
    assert_eq!((recorded[at].sender.clone(), recorded[at].message_id.clone()), (me.clone(), report.message_id.clone()));
    assert_eq!(
        submit(report).await?,
        Ok(Verdict::Accepted { duplicate: true, comms_token: Some(token.clone()), receipt: Some(receipt.clone()) }),
        "a repeat is recognised by the coordinator and answered with the original's receipt"
    );
    let again = envelope("BY-assembly-again", Payload::AssemblyReport(wire::AssemblyReport::default()));
    assert_eq!(
        submit(again).await?,
        Ok(Verdict::Accepted { duplicate: true, comms_token: Some(token.clone()), receipt: None }),
        "a state that lost its token reports again and gets the same one, recorded once"
    );
    let reused = envelope("BY-assembly", Payload::AssemblyReport(wire::AssemblyReport { remarks: "another".into() }));
    let refused = submit(reused).await?;
    assert!(
        matches!(&refused, Err(SubmitError::Refused { code: Some(RejectionCode::InvalidContent), reason, .. }) if reason.contains("was used already")),
        "an id the seat used already, for another submission, is refused: {refused:?}"
    );

    let early = wire::Position { slot_id: "s1-01".into(), draft_version: 1, kind: 1, reasons: vec![] };
    let refused = submit(envelope("BY-early", Payload::Position(early))).await?;
    assert!(matches!(&refused, Err(SubmitError::Refused { code: Some(RejectionCode::WrongPhase), .. })), "{refused:?}");

    let huge = wire::AssemblyReport { remarks: "x".repeat(300 * 1024) };
    let refused = submit(envelope("BY-huge", Payload::AssemblyReport(huge))).await?;
    assert!(
        matches!(&refused, Err(SubmitError::Refused { code: Some(RejectionCode::TooLarge), .. })),
        "a permanent error comes back at once instead of being retried: {refused:?}"
    );
    let _ = stop.send(true);
    within(Duration::from_secs(10), "the coordinator to stop", coordinator).await???;
    Ok(())
}
