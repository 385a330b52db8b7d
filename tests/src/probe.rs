//! The test's own connection: plays any participant or exercise control and reads the log.

use std::time::Duration;

use anyhow::Context as _;
use bus::{Bus, ExerciseId, SubmitError, Submitter, Verdict};

use crate::nats::Server;
use crate::wait::{eventually, within};

/// A test's own connection, playing any participant or exercise control and reading the log.
#[derive(Debug)]
pub struct Probe {
    /// The connection.
    pub bus: Bus,
    /// The exercise probed.
    pub exercise: ExerciseId,
    /// The seats' keys: the probe signs as the sender it plays.
    keys: identity::Keyring,
    /// Hears every seat's verdicts.
    submitter: Submitter,
}

/// How long the probe waits for a verdict.
const VERDICT: Duration = Duration::from_secs(10);

impl Probe {
    /// Connects to `nats` for `exercise`, waiting until the coordinator has created its streams.
    pub async fn connect(nats: &impl Server, exercise: &ExerciseId) -> anyhow::Result<Probe> {
        let bus = Bus::connect(&nats.identities().settings(nats.url(), "harness", "muster-probe")?).await?;
        let keys = nats.identities().keyring().clone();
        let submitter = Submitter::for_every_seat(&bus, exercise).await?;
        let probe = Probe { bus, exercise: exercise.clone(), keys, submitter };
        eventually(Duration::from_secs(10), "the exercise's streams", async || {
            Ok(probe.bus.jetstream().get_stream(bus::subject::submissions_stream(exercise)).await.ok().map(drop))
        })
        .await?;
        Ok(probe)
    }

    /// An envelope from `role`/`node` in the probed exercise.
    pub fn envelope(&self, role: bus::Role, node: &str, payload: bus::Payload) -> anyhow::Result<bus::Envelope> {
        Ok(bus::Envelope::new(self.exercise.clone(), bus::Sender::new(role, bus::NodeId::new(node)?), payload))
    }

    /// Submits, signed as its sender, and waits for the coordinator's verdict: accepted, or
    /// refused with its code. No verdict within 10 s, or a bus that would not take it, is an error.
    pub async fn submit(&self, envelope: &bus::Envelope) -> anyhow::Result<Result<Verdict, SubmitError>> {
        let answer = self.submitter.submit(&self.signed(envelope)?, VERDICT).await;
        Self::verdict(answer, envelope.message_id.as_str())
    }

    /// Submits, signed as its sender, once JetStream holds it; no reply awaited.
    pub async fn send(&self, envelope: &bus::Envelope) -> anyhow::Result<()> {
        self.bus.submit(&self.signed(envelope)?).await?;
        Ok(())
    }

    /// `envelope` signed as its sender; a sender never issued (a stranger's envelope) goes unsigned.
    fn signed(&self, envelope: &bus::Envelope) -> anyhow::Result<bus::Envelope> {
        let mut signed = envelope.clone();
        let signer = if envelope.sender.role == bus::Role::Coordinator {
            bus::names::DIRECTOR
        } else {
            envelope.sender.node.as_str()
        };
        if let Ok(key) = self.keys.key(signer) {
            bus::seal::sign(&mut signed, &key.into_pair())?;
        }
        Ok(signed)
    }

    /// Publishes raw bytes on `sender`'s submission subject and waits for the verdict on them
    /// (the coordinator answers what it cannot read as message id `unreadable`).
    pub async fn submit_raw(
        &self,
        sender: &bus::Sender,
        kind: &str,
        bytes: Vec<u8>,
    ) -> anyhow::Result<Result<Verdict, SubmitError>> {
        let pending = self.submitter.expect(&self.exercise, sender, "unreadable");
        let subject = bus::subject::submission(&self.exercise, sender, kind);
        self.bus.jetstream().publish(subject, bytes.into()).await?.await?;
        Self::verdict(pending.verdict(VERDICT).await, "unreadable")
    }

    fn verdict(answer: Result<Verdict, SubmitError>, id: &str) -> anyhow::Result<Result<Verdict, SubmitError>> {
        match answer {
            Ok(Verdict::Received) => anyhow::bail!("no verdict on {id} from the coordinator within {VERDICT:?}"),
            Err(SubmitError::Transient(reason)) => anyhow::bail!("{id} not on the bus: {reason}"),
            answer => Ok(answer),
        }
    }

    /// How many events the exercise's log holds.
    pub async fn log_len(&self) -> anyhow::Result<u64> {
        let mut stream = self.bus.jetstream().get_stream(bus::subject::events_stream(&self.exercise)).await?;
        Ok(stream.info().await?.state.last_sequence)
    }

    /// Every event in the log so far; an event that is not a valid envelope of this exercise fails.
    pub async fn log(&self) -> anyhow::Result<Vec<bus::Envelope>> {
        use futures::StreamExt as _;
        let last = self.log_len().await?;
        let mut events = self.bus.events_from(&self.exercise, 1).await?;
        let mut out = Vec::new();
        while (out.len() as u64) < last {
            let delivery =
                within(Duration::from_secs(10), "an event", events.next()).await?.context("stream ended")??;
            out.push(delivery.envelope?);
        }
        Ok(out)
    }

    /// Waits until an event of `kind` is in the log, at most `limit`.
    pub async fn wait_for(&self, kind: &str, limit: Duration) -> anyhow::Result<bus::Envelope> {
        use futures::StreamExt as _;
        let mut events = self.bus.events_from(&self.exercise, 1).await?;
        within(limit, kind, async {
            while let Some(delivery) = events.next().await {
                if let Some(e) = delivery?.envelope.ok().filter(|e| e.kind() == kind) {
                    return Ok(e);
                }
            }
            anyhow::bail!("event stream ended")
        })
        .await?
    }
}
