//! Muster under load: the coordinator as its own (release) process in fast mode; this driver plays
//! the drafting body and every state from one connection, answering each event at once, and times
//! what it sees on the event log. For a steady load the drafting body revises each draft as soon
//! as every state has answered it, for as long as asked: the stage stays busy at the pace the
//! coordinator sets, however long the measurement.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
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
/// at `pace`, coordinated by its own process or by `Shared` ones started elsewhere: the players
/// answer each event as it comes, the meter times what the log shows, the pace says when the
/// drafting body revises and where the driver stops.
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

    let mut players = Players::join(url, issued, &exercise, states).await?;
    let mut events = players.submitter.bus().follow_events(&exercise, 1);
    let (mut meter, mut pacing) = (Meter::default(), Pacing { pace, revise_until: None, held: None });
    let mut next_stage = None;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let delivery = tokio::time::timeout_at(deadline.into(), events.next())
            .await
            .context("the exercise did not conclude in time")?
            .context("event stream ended")?;
        meter.logged(delivery.sequence, pace);
        let Ok(event) = delivery.envelope else { continue };
        let batch = match &event.payload {
            Payload::Notification(_) => players.assemble(),
            Payload::DeploymentOrdered(_) => players.activate().await,
            Payload::StageOpened(stage) => {
                let now = Instant::now();
                if meter.stage_opened(now, players.submitted) {
                    pacing.started(now);
                } else if matches!(pace, Pace::Takeover(_)) {
                    next_stage = Some(stage.clone());
                    break;
                }
                let mut drafts: Vec<Envelope> = stage.slots.iter().map(|slot| players.draft(slot)).collect();
                meter.drafted(stage, now);
                // While revising, one slot stays undrafted: a stage whose every draft is answered
                // closes, and the answers to the first drafts are all queued before any revision.
                if !matches!(pace, Pace::Once) {
                    pacing.held = drafts.pop();
                }
                drafts
            }
            Payload::DraftDecision(d) | Payload::DraftRevised(wire::DraftRevised { draft: Some(d), .. }) => {
                meter.circulated(d);
                players.positions(d)
            }
            Payload::Position(p) => match meter.answered(p, states) {
                Some((draft, all)) => {
                    let revising = pacing.revising(meter.logged);
                    let mut batch: Vec<Envelope> =
                        if revising { vec![] } else { pacing.held.take().into_iter().collect() };
                    if all && revising {
                        batch.push(players.revise(&draft));
                    }
                    batch
                }
                None => vec![],
            },
            Payload::StageConcluded(c) => {
                meter.concluded(c, slots);
                vec![]
            }
            Payload::PackageCommunicated(p) => players.receipts(p),
            Payload::ExerciseConcluded(_) => break,
            _ => vec![],
        };
        // The assembly reports' verdicts bring the tokens; the rest is measured on the log.
        players.submit(batch, matches!(event.payload, Payload::Notification(_)))?;
    }
    let takeover = match (next_stage, coordinator.as_mut()) {
        (Some(_), None) => anyhow::bail!("a takeover needs the exercise's own coordinator"),
        (Some(stage), Some(coordinator)) => {
            let (since, from) = meter.last_tenth.context("the log's last tenth never began")?;
            let last_tenth_events_per_s =
                (meter.logged - from) as f64 / since.elapsed().as_secs_f64().max(f64::MIN_POSITIVE);
            let slot = stage.slots.first().context("a stage without slots")?;
            let mut draft = players.draft(slot);
            players.sign(&mut draft)?;
            coordinator.start_kill()?;
            coordinator.wait().await?;
            let start = || self::coordinator(url, binaries, issued, std::slice::from_ref(&exercise), file.path());
            let first_write = take_over(&admin, players.submitter.bus(), &exercise, start, &draft, &mut events).await?;
            Some(Takeover {
                log_events: meter.logged,
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
    meter.load(states, players.submitted, pace, peak_kib, takeover)
}

/// The drafting body and every state, played from one connection: what each submits in answer to
/// an event, signed with its own key, sent without waiting for the coordinator but for the
/// assembly reports, whose verdicts bring the communications tokens.
struct Players {
    exercise: ExerciseId,
    body: Sender,
    states: Vec<Sender>,
    keys: BTreeMap<NodeId, Arc<nkeys::KeyPair>>,
    submitter: bus::Submitter,
    /// Each state's communications token, from the acceptance of its assembly report.
    tokens: Arc<Mutex<BTreeMap<String, String>>>,
    inflight: JoinSet<()>,
    /// Submissions sent so far.
    submitted: usize,
}

impl Players {
    /// The body `js` and `states` states of `exercise`, as the bench's identity.
    async fn join(url: &str, issued: &Issued, exercise: &ExerciseId, states: usize) -> anyhow::Result<Players> {
        let generator = ConnectSettings::new(url, "muster-bench").with_credentials(Some(issued.credentials("bench")?));
        let bus = Bus::connect(&generator).await?;
        let body = Sender::new(Role::JointStaff, NodeId::new("js")?);
        let states: Vec<Sender> = (0..states)
            .map(|n| Ok(Sender::new(Role::ControlPoint, NodeId::new(generate::state(n))?)))
            .collect::<anyhow::Result<_>>()?;
        let mut keys = BTreeMap::new();
        for sender in std::iter::once(&body).chain(&states) {
            keys.insert(sender.node.clone(), Arc::new(issued.key(sender.node.as_str())?));
        }
        Ok(Players {
            exercise: exercise.clone(),
            body,
            states,
            keys,
            submitter: bus::Submitter::for_every_seat(&bus, exercise).await?,
            tokens: Arc::default(),
            inflight: JoinSet::new(),
            submitted: 0,
        })
    }

    /// Everyone reports at assembly.
    fn assemble(&self) -> Vec<Envelope> {
        std::iter::once(&self.body).chain(&self.states).map(|s| self.envelope(s, Act::assembly(""))).collect()
    }

    /// Every state activates, echoing its token (waiting up to 10 s for the tokens to come).
    async fn activate(&self) -> Vec<Envelope> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.tokens.lock().unwrap_or_else(|e| e.into_inner()).len() < self.states.len()
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner()).clone();
        self.states
            .iter()
            .map(|s| self.envelope(s, Act::activation(tokens.get(s.node.as_str()).cloned().unwrap_or_default(), "")))
            .collect()
    }

    /// Version 1 of the draft for `slot`.
    fn draft(&self, slot: &wire::Slot) -> Envelope {
        let draft = wire::DraftDecision {
            slot_id: slot.slot_id.clone(),
            version: 1,
            drafting_body: slot.owner,
            category: slot.category,
            title: slot.title.clone(),
            text: "The Council decides to approve the proposals annexed hereto.".into(),
        };
        self.envelope(&self.body, Act::draft(draft))
    }

    /// Every state's concurrence with version `d.version` of a draft.
    fn positions(&self, d: &wire::DraftDecision) -> Vec<Envelope> {
        let position = Act::position(d.slot_id.clone(), d.version, wire::PositionKind::Concur, vec![]);
        self.states.iter().map(|s| self.envelope(s, position.clone())).collect()
    }

    /// The next version of `draft`.
    fn revise(&self, draft: &wire::DraftDecision) -> Envelope {
        let next = wire::DraftDecision { version: draft.version + 1, ..draft.clone() };
        self.envelope(&self.body, Act::revision(next, "Wording aligned with the states' answers.", vec![]))
    }

    /// Every state confirms receipt of the package.
    fn receipts(&self, p: &wire::PackageCommunicated) -> Vec<Envelope> {
        let receipt = Act::receipt(p.package_id.clone(), p.digest.clone());
        self.states.iter().map(|s| self.envelope(s, receipt.clone())).collect()
    }

    /// `act` as `sender`'s, with its deterministic id.
    fn envelope(&self, sender: &Sender, act: Act) -> Envelope {
        let action = act.by(&sender.node);
        let mut e = Envelope::new(self.exercise.clone(), sender.clone(), action.payload);
        e.message_id = action.message_id;
        e
    }

    /// `e` signed by its sender.
    fn sign(&self, e: &mut Envelope) -> anyhow::Result<()> {
        if let Some(key) = self.keys.get(&e.sender.node) {
            bus::seal::sign(e, key)?;
        }
        Ok(())
    }

    /// Signs and sends `batch` (256 at a time in flight); with `verdicts`, keeps the tokens the
    /// verdicts bring.
    fn submit(&mut self, mut batch: Vec<Envelope>, verdicts: bool) -> anyhow::Result<()> {
        for e in &mut batch {
            self.sign(e)?;
        }
        self.submitted += batch.len();
        if !batch.is_empty() {
            let (submitter, tokens) = (self.submitter.clone(), self.tokens.clone());
            self.inflight.spawn(async move {
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
        while self.inflight.try_join_next().is_some() {}
        Ok(())
    }
}

/// What the driver times on the log.
#[derive(Default)]
struct Meter {
    /// The last sequence seen.
    logged: u64,
    /// When the first stage opened, with the events and submissions by then.
    first_open: Option<(Instant, u64, usize)>,
    last_concluded: Option<Instant>,
    /// When each slot's first draft was sent, for the round trip to its outcome.
    draft_sent: BTreeMap<String, Instant>,
    round_trips: Vec<Duration>,
    /// Per slot: the version circulating and how many states answered it.
    circulating: BTreeMap<String, (wire::DraftDecision, usize)>,
    /// Draft versions circulated.
    versions: usize,
    /// Where the log's last tenth began, for a takeover's log.
    last_tenth: Option<(Instant, u64)>,
}

impl Meter {
    fn logged(&mut self, sequence: u64, pace: Pace) {
        self.logged = sequence;
        if let Pace::Takeover(events) = pace
            && self.last_tenth.is_none()
            && sequence >= events / 10 * 9
        {
            self.last_tenth = Some((Instant::now(), sequence));
        }
    }

    /// A stage opened at `now`; whether it is the first.
    fn stage_opened(&mut self, now: Instant, submitted: usize) -> bool {
        let first = self.first_open.is_none();
        if first {
            self.first_open = Some((now, self.logged, submitted));
        }
        first
    }

    fn drafted(&mut self, stage: &wire::StageOpened, now: Instant) {
        for slot in &stage.slots {
            self.draft_sent.insert(slot.slot_id.clone(), now);
        }
    }

    fn circulated(&mut self, d: &wire::DraftDecision) {
        self.circulating.insert(d.slot_id.clone(), (d.clone(), 0));
        self.versions += 1;
    }

    /// A state answered: the draft version it answered, and whether all `states` have now.
    fn answered(&mut self, p: &wire::Position, states: usize) -> Option<(wire::DraftDecision, bool)> {
        let (draft, answers) = self.circulating.get_mut(&p.slot_id).filter(|(d, _)| d.version == p.draft_version)?;
        *answers += 1;
        Some((draft.clone(), *answers == states))
    }

    fn concluded(&mut self, c: &wire::StageConcluded, slots: usize) {
        let now = Instant::now();
        let sent = c.outcomes.first().and_then(|o| self.draft_sent.get(&o.slot_id)).filter(|_| slots == 1);
        if let Some(sent) = sent {
            self.round_trips.push(now - *sent);
        }
        self.last_concluded = Some(now);
    }

    /// The rates over the stages: from the first stage's opening to the last one's conclusion.
    fn load(
        mut self,
        states: usize,
        submitted: usize,
        pace: Pace,
        peak_kib: u64,
        takeover: Option<Takeover>,
    ) -> anyhow::Result<Load> {
        let (opened, events_then, submitted_then) = self.first_open.unwrap_or((Instant::now(), 0, 0));
        let stage_msgs = (self.logged - events_then) as f64 + (submitted - submitted_then) as f64;
        let stages_span = self.first_open.map(|(opened, ..)| opened).zip(self.last_concluded);
        let stages_elapsed = stages_span.map_or(Duration::ZERO, |(_, concluded)| concluded - opened);
        let seconds = stages_elapsed.as_secs_f64().max(f64::MIN_POSITIVE);
        if let Pace::Steady(steady) = pace {
            anyhow::ensure!(
                stages_elapsed >= steady,
                "the stage closed after {stages_elapsed:?}, before the {steady:?} of steady load (every draft answered at once)"
            );
        }
        Ok(Load {
            states,
            drafts: self.versions,
            round_trip: (!self.round_trips.is_empty()).then(|| Latency::of(&mut self.round_trips)),
            stages_s: seconds,
            drafts_per_s: self.versions as f64 / seconds,
            bus_msgs_per_s: stage_msgs / seconds,
            coordinator_peak_rss_mib: peak_kib as f64 / 1024.0,
            stages_span,
            takeover,
        })
    }
}

/// When the drafting body revises: never (`Once`), for a while after the first stage opened
/// (`Steady`), or until the log is long enough (`Takeover`); and the one draft it holds back meanwhile.
struct Pacing {
    pace: Pace,
    revise_until: Option<Instant>,
    held: Option<Envelope>,
}

impl Pacing {
    /// The first stage opened at `now`.
    fn started(&mut self, now: Instant) {
        if let Pace::Steady(d) = self.pace {
            self.revise_until = Some(now + d);
        }
    }

    /// Whether the drafting body revises now, the log holding `logged` events.
    fn revising(&self, logged: u64) -> bool {
        match self.pace {
            Pace::Once => false,
            Pace::Steady(_) => self.revise_until.is_some_and(|t| Instant::now() < t),
            Pace::Takeover(events) => logged < events,
        }
    }
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
