//! Muster under load: the coordinator as its own (release) process in fast mode; this driver plays
//! the drafting body and every state from one connection, answering each event at once, and times
//! what it sees on the event log. For a steady load the drafting body revises each draft as soon
//! as every state has answered it, for as long as asked: the stage stays busy at the pace the
//! coordinator sets, however long the measurement.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bus::envelope::Payload;
use bus::{Bus, ConnectSettings, Envelope, ExerciseId, NodeId, Role, Sender, Verdict};
use futures::StreamExt;
use proto::v1 as wire;
use seat::Act;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::generate::{self, Planned};
use crate::identities::Issued;
use crate::stats::{Latency, watch_peak_rss};

/// How the drafting body drafts, and where the driver stops.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Each draft once; the exercise runs to its conclusion.
    Once,
    /// Revising for this long after the first stage opened; then on to the conclusion.
    Steady(Duration),
    /// Revising until the log holds this many events. When the next stage opens the coordinator
    /// is killed, and a new one's takeover timed: from its start to its first event.
    Takeover(u64),
}

/// Who coordinates the exercise a driver plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coordinators {
    /// Its own process, which the driver starts, measures and stops.
    Own,
    /// Processes started elsewhere that serve it among other exercises (the scale run).
    Shared,
}

/// A new coordinator taking over a log.
#[derive(Debug, Clone, Serialize)]
pub struct Takeover {
    /// Events in the log it took over.
    pub log_events: u64,
    /// From the new coordinator's start (the old one's lease expired) to the first event it
    /// wrote, the answer to a draft submitted as it started: connection, lease, replay, catch-up.
    pub first_write_ms: f64,
    /// Events written per second by the coordinator that wrote the log, over its last tenth: how
    /// the rate holds as the log (and the record) grows.
    pub last_tenth_events_per_s: f64,
}

/// What one exercise under load showed.
#[derive(Debug, Clone, Serialize)]
pub struct Load {
    /// Member states.
    pub states: usize,
    /// Draft versions circulated (first drafts and revisions), each answered by every state.
    pub drafts: usize,
    /// Per stage: from the draft's submission to its outcome on the log (one slot per stage).
    pub round_trip: Option<Latency>,
    /// Seconds from the first stage's opening to the last stage's conclusion.
    pub stages_s: f64,
    /// Draft versions fully processed (submitted, answered by every state) per second.
    pub drafts_per_s: f64,
    /// JetStream messages (submissions and events) per second over the stages.
    pub bus_msgs_per_s: f64,
    /// Peak resident memory of the coordinator process, MiB (its own only; 0 when shared).
    pub coordinator_peak_rss_mib: f64,
    /// When the first stage opened and the last concluded, for rates over several exercises.
    #[serde(skip)]
    pub stages_span: Option<(Instant, Instant)>,
    /// With [`Pace::Takeover`], how the next coordinator took over.
    pub takeover: Option<Takeover>,
}

/// A coordinator of `exercises` (one scenario for all) as its own process, in fast mode.
pub fn coordinator(
    url: &str,
    binaries: &Path,
    issued: &Issued,
    exercises: &[ExerciseId],
    scenario: &Path,
) -> anyhow::Result<tokio::process::Child> {
    let exercises: Vec<&str> = exercises.iter().map(ExerciseId::as_str).collect();
    tokio::process::Command::new(binaries.join("coordinator"))
        .args(["--nats", url, "--exercise", &exercises.join(","), "--fast", "--time-scale", "1", "--nkey"])
        .arg(issued.seed_file("coordinator"))
        .arg("--scenario")
        .arg(scenario)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .context("starting the coordinator (build it: make bench does)")
}

/// Runs `exercise` (`generate::scenario(states, stages, slots)`, its identities issued) against `url`
/// at `pace`, coordinated by its own process or by `Shared` ones started elsewhere.
pub async fn exercise(
    url: &str,
    binaries: &Path,
    issued: &Issued,
    exercise: &Planned,
    pace: Pace,
    coordinators: Coordinators,
) -> anyhow::Result<Load> {
    let Planned { id: exercise, states, stages, slots } = exercise.clone();
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), generate::scenario(states, stages, slots, &[]).toml())?;
    let admin = ConnectSettings::new(url, "muster-bench-admin").with_credentials(Some(issued.credentials("admin")?));
    let admin = Bus::connect(&admin).await?;
    admin.provision(&exercise, &bus::StreamSettings::default()).await?;
    let mut coordinator = match coordinators {
        Coordinators::Own => {
            Some(self::coordinator(url, binaries, issued, std::slice::from_ref(&exercise), file.path())?)
        }
        Coordinators::Shared => None,
    };
    let peak = watch_peak_rss(coordinator.as_ref().and_then(tokio::process::Child::id));

    let generator = ConnectSettings::new(url, "muster-bench").with_credentials(Some(issued.credentials("bench")?));
    let bus = Bus::connect(&generator).await?;
    let body = Sender::new(Role::JointStaff, NodeId::new("js")?);
    let senders: Vec<Sender> = (0..states)
        .map(|n| Ok(Sender::new(Role::ControlPoint, NodeId::new(generate::state(n))?)))
        .collect::<anyhow::Result<_>>()?;
    let mut keys: BTreeMap<NodeId, std::sync::Arc<nkeys::KeyPair>> = BTreeMap::new();
    for sender in std::iter::once(&body).chain(&senders) {
        keys.insert(sender.node.clone(), std::sync::Arc::new(issued.key(sender.node.as_str())?));
    }
    // Each state's communications token comes with the acceptance of its assembly report.
    let tokens: std::sync::Arc<std::sync::Mutex<BTreeMap<String, String>>> = std::sync::Arc::default();
    let submitter = bus::Submitter::for_every_seat(&bus, &exercise).await?;
    let mut events = bus.follow_events(&exercise, 1);
    let mut inflight = JoinSet::new();
    let (mut submitted, mut logged);
    submitted = 0usize;
    let mut draft_sent: BTreeMap<String, Instant> = BTreeMap::new();
    let mut round_trips = Vec::new();
    // Per slot: its draft, the version circulating and how many states answered it.
    let mut circulating: BTreeMap<String, (wire::DraftDecision, usize)> = BTreeMap::new();
    let (mut versions, mut revise_until) = (0usize, None::<Instant>);
    let (mut next_stage, mut held) = (None, None);
    let mut last_concluded = None;
    let (mut first_open, mut events_at_first_open, mut submitted_at_first_open) = (None, 0u64, 0usize);
    // Where the log's last tenth began, for a takeover's log.
    let mut last_tenth = None::<(Instant, u64)>;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let delivery = tokio::time::timeout_at(deadline.into(), events.next())
            .await
            .context("the exercise did not conclude in time")?
            .context("event stream ended")?;
        logged = delivery.sequence;
        if let Pace::Takeover(events) = pace
            && last_tenth.is_none()
            && logged >= events / 10 * 9
        {
            last_tenth = Some((Instant::now(), logged));
        }
        let Ok(event) = delivery.envelope else { continue };
        let mut batch = Vec::new();
        // The assembly reports' verdicts bring the tokens; the rest is measured on the log.
        let verdicts = matches!(event.payload, Payload::Notification(_));
        match &event.payload {
            Payload::Notification(_) => {
                batch.push(envelope(&exercise, &body, Act::assembly("")));
                batch.extend(senders.iter().map(|s| envelope(&exercise, s, Act::assembly(""))));
            }
            Payload::DeploymentOrdered(_) => {
                let deadline = Instant::now() + Duration::from_secs(10);
                while tokens.lock().unwrap_or_else(|e| e.into_inner()).len() < senders.len()
                    && Instant::now() < deadline
                {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                let tokens = tokens.lock().unwrap_or_else(|e| e.into_inner()).clone();
                batch.extend(senders.iter().map(|s| {
                    let token = tokens.get(s.node.as_str()).cloned().unwrap_or_default();
                    envelope(&exercise, s, Act::activation(token, ""))
                }));
            }
            Payload::StageOpened(stage) => {
                let now = Instant::now();
                if first_open.is_none() {
                    (first_open, events_at_first_open, submitted_at_first_open) = (Some(now), logged, submitted);
                    if let Pace::Steady(d) = pace {
                        revise_until = Some(now + d);
                    }
                } else if matches!(pace, Pace::Takeover(_)) {
                    next_stage = Some(stage.clone());
                    break;
                }
                for slot in &stage.slots {
                    draft_sent.insert(slot.slot_id.clone(), Instant::now());
                    batch.push(first_draft(&exercise, &body, slot));
                }
                // While revising, one slot stays undrafted: a stage whose every draft is answered
                // closes, and the answers to the first drafts are all queued before any revision.
                if !matches!(pace, Pace::Once) {
                    held = batch.pop();
                }
            }
            Payload::DraftDecision(d) => {
                batch.extend(positions(&exercise, &senders, d));
                circulating.insert(d.slot_id.clone(), (d.clone(), 0));
                versions += 1;
            }
            Payload::DraftRevised(wire::DraftRevised { draft: Some(d), .. }) => {
                batch.extend(positions(&exercise, &senders, d));
                circulating.insert(d.slot_id.clone(), (d.clone(), 0));
                versions += 1;
            }
            Payload::Position(p) => {
                if let Some((draft, answers)) = circulating.get_mut(&p.slot_id)
                    && p.draft_version == draft.version
                {
                    *answers += 1;
                    let revising = match pace {
                        Pace::Once => false,
                        Pace::Steady(_) => revise_until.is_some_and(|t| Instant::now() < t),
                        Pace::Takeover(events) => logged < events,
                    };
                    if !revising && let Some(last) = held.take() {
                        batch.push(last);
                    }
                    if *answers == states && revising {
                        let next = wire::DraftDecision { version: draft.version + 1, ..draft.clone() };
                        let revision = Act::revision(next, "Wording aligned with the states' answers.", vec![]);
                        batch.push(envelope(&exercise, &body, revision));
                    }
                }
            }
            Payload::StageConcluded(c) => {
                let now = Instant::now();
                let sent = c.outcomes.first().and_then(|o| draft_sent.get(&o.slot_id)).filter(|_| slots == 1);
                if let Some(sent) = sent {
                    round_trips.push(now - *sent);
                }
                last_concluded = Some(now);
            }
            Payload::PackageCommunicated(p) => {
                let receipt = Act::receipt(p.package_id.clone(), p.digest.clone());
                batch.extend(senders.iter().map(|s| envelope(&exercise, s, receipt.clone())));
            }
            Payload::ExerciseConcluded(_) => break,
            _ => {}
        }
        for e in &mut batch {
            if let Some(key) = keys.get(&e.sender.node) {
                bus::seal::sign(e, key)?;
            }
        }
        submitted += batch.len();
        if !batch.is_empty() {
            let (submitter, tokens) = (submitter.clone(), tokens.clone());
            inflight.spawn(async move {
                futures::stream::iter(batch)
                    .map(|e| {
                        let (submitter, tokens) = (submitter.clone(), tokens.clone());
                        async move {
                            if !verdicts {
                                return submitter.bus().submit(&e).await.map(drop).map_err(bus::SubmitError::from);
                            }
                            if let Verdict::Accepted { comms_token: Some(token), .. } =
                                submitter.submit(&e, Duration::from_secs(10)).await?
                            {
                                tokens
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .insert(e.sender.node.to_string(), token);
                            }
                            Ok(())
                        }
                    })
                    .buffer_unordered(256)
                    .for_each(|r| async move {
                        if let Err(e) = r {
                            eprintln!("bench: submission failed: {e}");
                        }
                    })
                    .await;
            });
        }
        while inflight.try_join_next().is_some() {}
    }
    let takeover = match (next_stage, coordinator.as_mut()) {
        (Some(_), None) => anyhow::bail!("a takeover needs the exercise's own coordinator"),
        (Some(stage), Some(coordinator)) => {
            let (since, from) = last_tenth.context("the log's last tenth never began")?;
            let last_tenth_events_per_s = (logged - from) as f64 / since.elapsed().as_secs_f64().max(f64::MIN_POSITIVE);
            let slot = stage.slots.first().context("a stage without slots")?;
            let mut draft = first_draft(&exercise, &body, slot);
            if let Some(key) = keys.get(&body.node) {
                bus::seal::sign(&mut draft, key)?;
            }
            coordinator.start_kill()?;
            coordinator.wait().await?;
            let start = || self::coordinator(url, binaries, issued, std::slice::from_ref(&exercise), file.path());
            let first_write = take_over(&admin, &bus, &exercise, start, &draft, &mut events).await?;
            Some(Takeover {
                log_events: logged,
                first_write_ms: first_write.as_secs_f64() * 1000.0,
                last_tenth_events_per_s,
            })
        }
        (None, Some(coordinator)) => {
            let _ = tokio::time::timeout(Duration::from_secs(10), coordinator.wait()).await;
            None
        }
        (None, None) => None,
    };
    if let Some(coordinator) = &mut coordinator {
        let _ = coordinator.start_kill();
    }
    let peak_kib = peak.await.unwrap_or_default();
    let stage_msgs = (logged - events_at_first_open) as f64 + (submitted - submitted_at_first_open) as f64;
    let stages_span = first_open.zip(last_concluded);
    let stages_elapsed = stages_span.map_or(Duration::ZERO, |(opened, concluded)| concluded - opened);
    let seconds = stages_elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
    let drafts = versions;
    if let Pace::Steady(steady) = pace {
        anyhow::ensure!(
            stages_elapsed >= steady,
            "the stage closed after {stages_elapsed:?}, before the {steady:?} of steady load (every draft answered at once)"
        );
    }
    Ok(Load {
        states,
        drafts,
        round_trip: (!round_trips.is_empty()).then(|| Latency::of(&mut round_trips)),
        stages_s: seconds,
        drafts_per_s: drafts as f64 / seconds,
        bus_msgs_per_s: stage_msgs / seconds,
        coordinator_peak_rss_mib: peak_kib as f64 / 1024.0,
        stages_span,
        takeover,
    })
}

/// Once the dead coordinator's lease has expired, starts a new one and submits `draft`: how long
/// from the start to the draft's event on the log.
async fn take_over(
    admin: &Bus,
    bus: &Bus,
    exercise: &ExerciseId,
    start: impl Fn() -> anyhow::Result<tokio::process::Child>,
    draft: &Envelope,
    events: &mut futures::stream::BoxStream<'static, bus::Delivery>,
) -> anyhow::Result<Duration> {
    let leases = admin.jetstream().get_key_value(bus::subject::lease_bucket(exercise)).await?;
    let expired = async {
        while leases.get(exercise.as_str()).await?.is_some() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        anyhow::Ok(())
    };
    tokio::time::timeout(Duration::from_secs(10), expired)
        .await
        .context("the dead leader's lease did not expire")??;
    let started = Instant::now();
    let mut coordinator = start()?;
    bus.submit(draft).await?;
    let written = async {
        while let Some(delivery) = events.next().await {
            if delivery.envelope.is_ok_and(|e| e.message_id == draft.message_id && e.kind() == draft.kind()) {
                return Ok(started.elapsed());
            }
        }
        anyhow::bail!("the event log ended")
    };
    let took = tokio::time::timeout(Duration::from_secs(600), written).await.context("no takeover in 10 minutes")?;
    coordinator.start_kill()?;
    took
}

/// Version 1 of the draft for `slot`.
fn first_draft(exercise: &ExerciseId, body: &Sender, slot: &wire::Slot) -> Envelope {
    let draft = wire::DraftDecision {
        slot_id: slot.slot_id.clone(),
        version: 1,
        drafting_body: slot.owner,
        category: slot.category,
        title: slot.title.clone(),
        text: "The Council decides to approve the proposals annexed hereto.".into(),
    };
    envelope(exercise, body, Act::draft(draft))
}

/// Every state's concurrence with version `d.version` of a draft.
fn positions<'a>(
    exercise: &'a ExerciseId,
    senders: &'a [Sender],
    d: &'a wire::DraftDecision,
) -> impl Iterator<Item = Envelope> + 'a {
    let position = Act::position(d.slot_id.clone(), d.version, wire::PositionKind::Concur, vec![]);
    senders.iter().map(move |s| envelope(exercise, s, position.clone()))
}

/// `act` as `sender`'s, with its deterministic id.
fn envelope(exercise: &ExerciseId, sender: &Sender, act: Act) -> Envelope {
    let action = act.by(&sender.node);
    let mut e = Envelope::new(exercise.clone(), sender.clone(), action.payload);
    e.message_id = action.message_id;
    e
}
