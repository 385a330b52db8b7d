//! The record every reader folds, against the coordinator that writes the log: over generated
//! scenarios and random input sequences, the fold of what the coordinator published equals its
//! own state, and what the record says is awaited agrees with when a window may close. Then
//! `awaited` named exactly, on scenarios unlike the default one.

use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, MessageId, NodeId, Role, Sender};
use coordinator::machine::{self, Config, Input, Moment, State};
use proptest::prelude::*;
use proto::v1::{self as wire, PositionKind};
use record::{Mode, Phase, Record, Task};
use scenario::Sketch;

/// A scenario of `states` states (the first `absent` of them declared absent, which only their
/// silence makes true), `stages` stages of `slots` slots each, alternately owned by the two bodies.
fn scenario(states: usize, stages: usize, slots: usize, rule: &str) -> scenario::Scenario {
    let distribution = format!("{}h", 10 * stages + 10);
    let mut sketch = Sketch::new("generated")
        .rule(rule)
        .deadlines("1h", "2h", &distribution)
        .participant("joint_staff", "js", &[])
        .participant("secretariat", "sec", &[]);
    for i in 0..states {
        sketch = sketch.state(&format!("S{i}"), &[]);
    }
    sketch = sketch.participant("guest", "guest", &["mandatory = false", "policy = { gives_positions = true }"]);
    for s in 0..stages {
        let ids: Vec<String> = (0..slots).map(|k| format!("x{s}-{k}")).collect();
        let owned: Vec<(&str, &str)> = ids
            .iter()
            .enumerate()
            .map(|(k, id)| (id.as_str(), if k % 2 == 0 { "joint_staff" } else { "secretariat" }))
            .collect();
        sketch = sketch.stage(&format!("{}h", 10 * s + 10), &owned);
    }
    sketch.build().expect("a valid generated scenario")
}

/// One thing a participant, the director or the clock does.
#[derive(Debug, Clone)]
enum Op {
    Report(usize),
    Activate(usize, bool),
    Draft(usize),
    Position(usize, usize, u8, bool),
    Revise(usize),
    Receipt(usize, bool),
    Tick(u64),
    Pause,
    Resume,
    Advance,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..8usize).prop_map(Op::Report),
        2 => (0..8usize, any::<bool>()).prop_map(|(i, ok)| Op::Activate(i, ok)),
        2 => (0..9usize).prop_map(Op::Draft),
        4 => (0..8usize, 0..9usize, 0..5u8, any::<bool>()).prop_map(|(i, s, k, stale)| Op::Position(i, s, k, stale)),
        2 => (0..9usize).prop_map(Op::Revise),
        2 => (0..8usize, any::<bool>()).prop_map(|(i, ok)| Op::Receipt(i, ok)),
        2 => (0..90u64).prop_map(Op::Tick),
        1 => Just(Op::Pause),
        1 => Just(Op::Resume),
        1 => Just(Op::Advance),
    ]
}

struct Driver {
    config: Config,
    state: State,
    log: Vec<Envelope>,
    now: Duration,
    n: u64,
    states: usize,
}

impl Driver {
    fn step(&mut self, input: Input<'_>) {
        let before = self.state.clone();
        let now = Moment { exercise: self.now, wall: SystemTime::UNIX_EPOCH + self.now };
        let decision = machine::step(&self.config, &mut self.state, input, now);
        if let Some((_, machine::Reply::Rejected { .. })) = &decision.reply {
            assert_eq!(before, self.state, "a refused input changes nothing");
        }
        self.log.extend(decision.events);
    }

    fn submit(&mut self, role: Role, node: &str, payload: Payload) {
        self.n += 1;
        let sender = Sender::new(role, NodeId::new(node).expect("valid node"));
        let mut e = Envelope::new(self.config.exercise.clone(), sender, payload);
        e.message_id = MessageId::new(format!("m{}", self.n)).expect("valid id");
        self.step(Input::Submission(&e));
    }

    /// The `i`-th of the seats that `open` says still owe something (any seat when none does), so
    /// that random sequences move the exercise on rather than repeat refusals.
    fn pick(&self, i: usize, seats: Vec<(Role, String)>, open: impl Fn(&str) -> bool) -> (Role, String) {
        let owing: Vec<_> = seats.iter().filter(|(_, n)| open(n)).cloned().collect();
        let from = if owing.is_empty() { seats } else { owing };
        from[i % from.len()].clone()
    }

    fn answering(&self) -> Vec<(Role, String)> {
        let mut seats: Vec<_> = (0..self.states).map(|i| (Role::ControlPoint, format!("S{i}"))).collect();
        seats.push((Role::Guest, "guest".into()));
        seats
    }

    fn known(set: &std::collections::BTreeMap<NodeId, record::Moment>, n: &str) -> bool {
        set.keys().any(|k| k.as_str() == n)
    }

    /// The `i`-th slot of the open stage that `open` selects (any of its slots when none is).
    fn slot(
        &self,
        i: usize,
        open: impl Fn(&str) -> bool,
    ) -> Option<(String, u32, wire::DraftingBody, wire::DraftCategory)> {
        let plan = self.state.plan.as_ref()?;
        let Phase::Stage(n) = self.state.phase.phase else { return None };
        let slots: Vec<_> = plan.stage(n)?.slots.iter().collect();
        let chosen: Vec<_> = slots.iter().filter(|s| open(&s.id)).collect();
        let slot = if chosen.is_empty() { slots[i % slots.len()] } else { chosen[i % chosen.len()] };
        let current = self.state.drafts.get(&slot.id).map_or(0, |d| d.current());
        Some((slot.id.clone(), current, slot.owner.to_wire(), slot.category.to_wire()))
    }

    fn run(&mut self, op: &Op) {
        match op {
            Op::Report(i) => {
                let mut seats = vec![(Role::JointStaff, "js".to_string()), (Role::Secretariat, "sec".to_string())];
                seats.extend(self.answering());
                let (role, node) = self.pick(*i, seats, |n| !Self::known(&self.state.reported, n));
                self.submit(role, &node, Payload::AssemblyReport(wire::AssemblyReport::default()));
            }
            Op::Activate(i, ok) => {
                let token = if *ok { self.state.comms_token.clone().unwrap_or_default() } else { "wrong".into() };
                let (role, node) = self.pick(*i, self.answering(), |n| !Self::known(&self.state.activated, n));
                let payload = wire::ControlPointActivation { comms_check_token: token, remarks: String::new() };
                self.submit(role, &node, Payload::ControlPointActivation(payload));
            }
            Op::Draft(i) | Op::Revise(i) => {
                let drafting = matches!(op, Op::Draft(_));
                let Some((slot, current, body, category)) =
                    self.slot(*i, |id| self.state.drafts.contains_key(id) != drafting)
                else {
                    return;
                };
                let draft = wire::DraftDecision {
                    slot_id: slot,
                    version: current + 1,
                    drafting_body: body as i32,
                    category: category as i32,
                    title: "t".into(),
                    text: "x".into(),
                };
                let (role, node) = if body == wire::DraftingBody::JointStaff {
                    (Role::JointStaff, "js")
                } else {
                    (Role::Secretariat, "sec")
                };
                let payload = match op {
                    Op::Draft(_) => Payload::DraftDecision(draft),
                    _ => {
                        // Every open comment answered, some not accepted (they stay open).
                        let open = self.state.drafts.get(&draft.slot_id).map(|d| d.open_comments(current));
                        let dispositions = open
                            .unwrap_or_default()
                            .into_iter()
                            .enumerate()
                            .map(|(k, c)| wire::Disposition {
                                comment_id: c.id,
                                kind: if (k + *i).is_multiple_of(3) {
                                    wire::DispositionKind::NotAccepted
                                } else {
                                    wire::DispositionKind::Accepted
                                } as i32,
                                reason: "r".into(),
                            })
                            .collect();
                        Payload::DraftRevised(wire::DraftRevised {
                            draft: Some(draft),
                            change_summary: "c".into(),
                            dispositions,
                        })
                    }
                };
                self.submit(role, node, payload);
            }
            Op::Position(i, s, kind, stale) => {
                let Some((slot, current, ..)) = self.slot(*s, |id| self.state.drafts.contains_key(id)) else { return };
                let kind = PositionKind::try_from(i32::from(*kind)).unwrap_or(PositionKind::Unspecified);
                let reasons = if kind == PositionKind::NonConcur { vec!["no".into()] } else { vec![] };
                let version = if *stale { current.saturating_sub(1) } else { current };
                let answered = |n: &str| {
                    let version = self.state.drafts.get(&slot).and_then(|d| d.latest());
                    version.is_some_and(|v| v.positions.keys().any(|k| k.as_str() == n))
                };
                let (role, node) = self.pick(*i, self.answering(), |n| !answered(n));
                let payload = wire::Position { slot_id: slot, draft_version: version, kind: kind as i32, reasons };
                self.submit(role, &node, Payload::Position(payload));
            }
            Op::Receipt(i, ok) => {
                let (package_id, digest) = self
                    .state
                    .package
                    .as_ref()
                    .map(|p| (p.answer.package_id.clone(), p.answer.digest.clone()))
                    .unwrap_or_default();
                let digest = if *ok { digest } else { "bad".into() };
                let (role, node) = self.pick(*i, self.answering(), |n| !Self::known(&self.state.receipts, n));
                self.submit(role, &node, Payload::ReceiptConfirmed(wire::ReceiptConfirmed { package_id, digest }));
            }
            Op::Tick(minutes) => {
                self.now += Duration::from_secs(minutes * 60);
                self.step(Input::Tick);
            }
            Op::Pause => {
                self.submit(Role::Coordinator, "director", Payload::PauseExercise(wire::PauseExercise::default()))
            }
            Op::Resume => {
                self.submit(Role::Coordinator, "director", Payload::ResumeExercise(wire::ResumeExercise::default()))
            }
            Op::Advance => {
                self.submit(Role::Coordinator, "director", Payload::AdvanceExercise(wire::AdvanceExercise::default()))
            }
        }
    }
}

fn driver(states: usize, stages: usize, slots: usize, rule: &str, mode: Mode) -> Driver {
    let scenario = scenario(states, stages, slots, rule);
    let config = Config::new(ExerciseId::new("gen").expect("valid id"), scenario.into(), mode, 60.0);
    let mut d = Driver { config, state: State::default(), log: vec![], now: Duration::ZERO, n: 0, states };
    d.step(Input::Start);
    d
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("MUSTER_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(500),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_fold_of_the_log_is_the_coordinators_state_and_awaited_agrees_with_completion(
        states in 1..6usize,
        stages in 1..4usize,
        slots in 1..4usize,
        silence in any::<bool>(),
        fast in any::<bool>(),
        ops in prop::collection::vec(op(), 0..250),
    ) {
        let rule = if silence { "silence" } else { "consensus" };
        let mode = if fast { Mode::Fast } else { Mode::Scaled };
        let mut d = driver(states, stages, slots, rule, mode);
        for op in &ops {
            d.run(op);
            let record = &d.state;
            if !matches!(record.phase.phase, Phase::NotStarted | Phase::Concluded) {
                prop_assert_eq!(
                    record.complete(),
                    record.awaited().is_empty(),
                    "in {}: awaited {:?}", record.phase.phase, record.awaited()
                );
            }
        }
        let folded = Record::of(&d.log);
        prop_assert_eq!(&folded, &d.state, "a reader's fold of the log is the coordinator's state");
        prop_assert_eq!(folded.events, d.log.len() as u64);
    }
}

fn awaited(record: &Record) -> Vec<(String, Task)> {
    record.awaited().into_iter().map(|a| (a.node.to_string(), a.task)).collect()
}

#[test]
fn awaited_names_each_seat_and_task_on_a_scenario_unlike_the_default() {
    // Four states under the silence procedure; S3 stays silent at assembly and is recorded absent.
    let mut d = driver(4, 2, 3, "silence", Mode::Fast);
    assert_eq!(
        awaited(&d.state),
        ["js", "sec", "S0", "S1", "S2", "S3"].map(|n| (n.to_string(), Task::AssemblyReport)),
        "every mandatory participant, not the optional guest"
    );
    // Each op acts for the first seat that still owes it: js, sec, S0, S1, S2 report.
    for _ in 0..5 {
        d.run(&Op::Report(0));
    }
    assert_eq!(awaited(&d.state), [("S3".to_string(), Task::AssemblyReport)]);
    d.run(&Op::Tick(60));
    assert_eq!(d.state.phase.phase, Phase::Deployment);
    assert_eq!(d.state.absent.iter().map(ToString::to_string).collect::<Vec<_>>(), ["S3", "guest"]);
    assert_eq!(
        awaited(&d.state),
        ["S0", "S1", "S2"].map(|n| (n.to_string(), Task::Activation)),
        "the absent state is not awaited"
    );
    for _ in 0..3 {
        d.run(&Op::Activate(0, true));
    }
    assert_eq!(d.state.phase.phase, Phase::Stage(1));
    let drafts: Vec<(String, Task)> = vec![
        ("js".into(), Task::Draft("x0-0".into())),
        ("sec".into(), Task::Draft("x0-1".into())),
        ("js".into(), Task::Draft("x0-2".into())),
    ];
    assert_eq!(awaited(&d.state), drafts);
    d.run(&Op::Draft(0));
    d.run(&Op::Position(0, 0, PositionKind::NonConcur as u8, false));
    d.run(&Op::Position(0, 0, PositionKind::Abstain as u8, false));
    let now = awaited(&d.state);
    assert!(now.contains(&("S2".into(), Task::Position("x0-0".into(), 1))), "{now:?}");
    assert!(!now.iter().any(|(n, _)| n == "S0" || n == "S1" || n == "S3"), "answered or absent: {now:?}");
    d.run(&Op::Position(0, 0, PositionKind::Concur as u8, false));
    assert!(
        awaited(&d.state).contains(&("js".into(), Task::Revision("x0-0".into(), 1))),
        "a non-concurrence with every answer in awaits the revision: {:?}",
        awaited(&d.state)
    );
    d.run(&Op::Revise(0));
    assert!(awaited(&d.state).contains(&("S0".into(), Task::Position("x0-0".into(), 2))));
}

#[test]
fn a_list_of_participants_too_long_for_the_notification_follows_it_and_folds_whole() {
    let states = 10_000;
    let scenario = scenario(states, 1, 1, "consensus");
    // Every seat signs, so every participant carries its key: the plan at its real size.
    let key = nkeys::KeyPair::new_user().public_key();
    let keys = record::Keys {
        seats: scenario.participants.iter().map(|p| (p.node.clone(), key.clone())).collect(),
        director: Some(key.clone()),
    };
    let config = Config {
        keys: keys.into(),
        ..Config::new(ExerciseId::new("many").expect("valid id"), scenario.into(), Mode::Fast, 60.0)
    };
    let now = Moment { exercise: Duration::ZERO, wall: SystemTime::UNIX_EPOCH };
    let mut state = State::default();
    let events = machine::step(&config, &mut state, Input::Start, now).events;
    let kinds: Vec<&str> = events.iter().map(Envelope::kind).collect();
    let lists = kinds.iter().filter(|k| **k == "participants_listed").count();
    assert!(lists >= 2, "{} participants in {lists} lists after the notification", states + 3);
    assert_eq!(kinds.first(), Some(&"notification"));
    assert!(kinds[1..=lists].iter().all(|k| *k == "participants_listed"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"phase_changed"));
    for e in &events {
        e.encode(bus::Limits::default()).unwrap_or_else(|err| panic!("{}: {err}", e.message_id));
    }
    let whole = record::Plan::of(&config.scenario, config.time_scale, config.mode, &config.keys);
    let mut folded = Record::default();
    for (n, e) in events.iter().enumerate() {
        folded.apply(e);
        let plan = folded.plan.as_ref().expect("a plan from the notification on");
        assert_eq!(plan.is_whole(), n >= lists, "after event {n} of {lists} lists");
    }
    assert_eq!(folded.plan.as_deref(), Some(&whole));
    assert_eq!(folded, state);

    // The last state listed takes part like the first.
    let last = Sender::new(Role::ControlPoint, NodeId::new(format!("S{}", states - 1)).expect("valid node"));
    let report = Envelope::new(config.exercise.clone(), last, Payload::AssemblyReport(wire::AssemblyReport::default()));
    let decision = machine::step(&config, &mut state, Input::Submission(&report), now);
    assert!(
        matches!(decision.reply, Some((_, machine::Reply::Rejected { code: wire::RejectionCode::BadSignature, .. }))),
        "an unsigned report from a listed state is refused for its signature, not as a stranger: {:?}",
        decision.reply
    );

    // A leader that died after the notification and the first list: its successor writes the rest.
    let mut successor = Record::default();
    events[..2].iter().for_each(|e| successor.apply(e));
    let rest = machine::step(&config, &mut successor, Input::Start, now).events;
    let ids = |es: &[Envelope]| es.iter().map(|e| e.message_id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&rest), ids(&events[2..]));
    assert_eq!(successor, state);
}
