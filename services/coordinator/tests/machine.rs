//! The coordinator's state machine, transition by transition: every allowed input and the wrong
//! ones, which are refused with a reason and change nothing. Pure: no bus, no clock.

use std::time::{Duration, SystemTime};

use bus::envelope::Payload;
use bus::{Envelope, ExerciseId, NodeId, Role, Sender};
use coordinator::machine::{self, Config, Decision, Input, Moment, Reply, State};
use proto::v1::{self as wire, DispositionKind, Outcome, PositionKind, RejectionCode};
use record::{Mode, Phase, Task};
use scenario::Sketch;

fn scenario(rule: &str) -> scenario::Scenario {
    sketch(rule, &[]).build().expect("valid scenario")
}

/// The test's scenario, Armenia's entry given `armenia`.
fn sketch(rule: &str, armenia: &[&str]) -> Sketch {
    Sketch::new("machine test")
        .rule(rule)
        .deadlines("1h", "2h", "10h")
        .participant("joint_staff", "js", &[])
        .participant("secretariat", "sec", &[])
        .state("BY", &[])
        .state("RU", &[])
        .state("AM", armenia)
        .participant("observer", "obs", &["mandatory = false"])
        .participant("guest", "guest", &["mandatory = false"])
        .stage("5h", &[("a1", "joint_staff"), ("a2", "secretariat")])
        .stage("8h", &[("b1", "joint_staff")])
}

struct Ex {
    config: Config,
    state: State,
    before: State,
    now: Duration,
    sequence: u32,
}

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * 3600)
}

fn node(n: &str) -> NodeId {
    NodeId::new(n).expect("valid node id")
}

impl Ex {
    fn new(rule: &str, mode: Mode) -> Ex {
        let mut ex = Ex::waiting(rule, mode, false);
        let started = ex.apply(Input::Start);
        assert_eq!(kinds(&started.events), ["notification", "phase_changed"]);
        assert_eq!(ex.state.phase.phase, Phase::Assembly);
        ex
    }

    /// An exercise not started yet, which waits for the director when `awaits_director`.
    fn waiting(rule: &str, mode: Mode, awaits_director: bool) -> Ex {
        Ex::playing(scenario(rule), mode, awaits_director)
    }

    /// An exercise of `scenario` not started yet.
    fn playing(scenario: scenario::Scenario, mode: Mode, awaits_director: bool) -> Ex {
        let exercise = ExerciseId::new("ex").expect("valid id");
        let config = Config { awaits_director, ..Config::new(exercise, scenario.into(), mode, 60.0) };
        Ex { config, state: State::default(), before: State::default(), now: Duration::ZERO, sequence: 0 }
    }

    fn time(&self) -> Moment {
        // Wall time follows exercise time, so that two runs of the same inputs give equal records.
        Moment { exercise: self.now, wall: SystemTime::UNIX_EPOCH + self.now }
    }

    fn apply(&mut self, input: Input<'_>) -> Decision {
        let now = self.time();
        let decision = machine::step(&self.config, &mut self.state, input, now);
        // The state after a step is the fold of what it published.
        let mut folded = self.before.clone();
        for e in &decision.events {
            folded.apply(e);
        }
        assert_eq!(folded, self.state, "step applied exactly the events it returned");
        self.before = self.state.clone();
        decision
    }

    fn envelope(&mut self, role: Role, n: &str, payload: Payload) -> Envelope {
        self.sequence += 1;
        let mut e = Envelope::new(self.config.exercise.clone(), Sender::new(role, node(n)), payload);
        e.message_id = bus::MessageId::new(format!("m{}", self.sequence)).expect("valid id");
        e
    }

    fn send(&mut self, envelope: &Envelope) -> (Reply, Vec<Envelope>) {
        let decision = self.apply(Input::Submission(envelope));
        let (_, reply) = decision.reply.expect("a submission gets a reply");
        (reply, decision.events)
    }

    /// Submits and expects acceptance; returns the events beyond the submission itself.
    fn accept(&mut self, role: Role, n: &str, payload: Payload) -> Vec<Envelope> {
        let e = self.envelope(role, n, payload);
        let (reply, events) = self.send(&e);
        assert!(matches!(reply, Reply::Accepted { duplicate: false, .. }), "{reply:?}");
        let recorded = events.first().expect("an accepted submission is recorded as an event");
        assert_eq!(recorded.exercise_time, Some(self.now), "stamped with the exercise time");
        assert_eq!(
            &Envelope { exercise_time: None, recorded_at: None, ..recorded.clone() },
            &e,
            "the submitter's own envelope"
        );
        events[1..].to_vec()
    }

    /// Submits and expects refusal with `code`; asserts nothing changed.
    fn refuse(&mut self, role: Role, n: &str, payload: Payload, code: RejectionCode) -> String {
        let before = self.state.clone();
        let e = self.envelope(role, n, payload);
        let (reply, events) = self.send(&e);
        let Reply::Rejected { code: got, reason, .. } = reply else { panic!("expected {code:?}, got {reply:?}") };
        let english = reason.say(words::Lang::default());
        assert_eq!(got, code, "{english}");
        assert!(events.is_empty());
        assert_eq!(self.state, before, "a refused input changes nothing");
        // Every reason is a message of the catalogues, said in each language.
        let russian = reason.say(words::Lang::parse("ru").expect("Russian"));
        assert!(reason.is_known() && russian != english, "{reason:?}: {english} / {russian}");
        english
    }

    fn tick(&mut self, at: Duration) -> Vec<Envelope> {
        self.now = at;
        self.apply(Input::Tick).events
    }

    fn director(&mut self, payload: Payload) -> (Reply, Vec<Envelope>) {
        let e = self.envelope(Role::Coordinator, "director", payload);
        self.send(&e)
    }

    fn assemble_all(&mut self) {
        for (role, n) in [
            (Role::JointStaff, "js"),
            (Role::Secretariat, "sec"),
            (Role::ControlPoint, "BY"),
            (Role::ControlPoint, "RU"),
        ] {
            self.accept(role, n, report());
        }
    }

    /// Assembly closed at the deadline with AM and the guest silent, deployment done, stage 1 open.
    fn in_stage_one(rule: &str, mode: Mode) -> Ex {
        Ex::in_stage_one_of(Ex::new(rule, mode))
    }

    /// [`Ex::in_stage_one`] from an exercise just started.
    fn in_stage_one_of(mut ex: Ex) -> Ex {
        ex.assemble_all();
        ex.tick(hours(1));
        let token = ex.state.comms_token.clone().expect("token issued");
        ex.accept(Role::ControlPoint, "BY", activation(&token));
        let opened = ex.accept(Role::ControlPoint, "RU", activation(&token));
        assert_eq!(kinds(&opened), ["stage_opened", "phase_changed"]);
        assert_eq!(ex.state.phase.phase, Phase::Stage(1));
        ex
    }
}

fn kinds(events: &[Envelope]) -> Vec<&'static str> {
    events.iter().map(Envelope::kind).collect()
}

fn report() -> Payload {
    Payload::AssemblyReport(wire::AssemblyReport { remarks: "assembled".into() })
}

fn activation(token: &str) -> Payload {
    Payload::ControlPointActivation(wire::ControlPointActivation {
        comms_check_token: token.into(),
        remarks: String::new(),
    })
}

fn draft(slot: &str, version: u32, body: wire::DraftingBody, category: wire::DraftCategory) -> wire::DraftDecision {
    wire::DraftDecision {
        slot_id: slot.into(),
        version,
        drafting_body: body as i32,
        category: category as i32,
        title: format!("draft {slot}"),
        text: "the council decides".into(),
    }
}

fn a1(version: u32) -> wire::DraftDecision {
    draft("a1", version, wire::DraftingBody::JointStaff, wire::DraftCategory::TroopComponents)
}

fn a2(version: u32) -> wire::DraftDecision {
    draft("a2", version, wire::DraftingBody::Secretariat, wire::DraftCategory::FinancialSupport)
}

fn position(slot: &str, version: u32, kind: PositionKind) -> Payload {
    let reasons = if kind == PositionKind::NonConcur { vec!["too costly".into()] } else { vec![] };
    Payload::Position(wire::Position { slot_id: slot.into(), draft_version: version, kind: kind as i32, reasons })
}

/// A revision accepting BY's comment on the version before.
fn revised(d: wire::DraftDecision) -> Payload {
    let comment = format!("{}-v{}-BY-1", d.slot_id, d.version.saturating_sub(1));
    revised_with(d, vec![disposition(&comment, DispositionKind::Accepted, "amended")])
}

fn revised_with(d: wire::DraftDecision, dispositions: Vec<wire::Disposition>) -> Payload {
    Payload::DraftRevised(wire::DraftRevised { draft: Some(d), change_summary: "amended".into(), dispositions })
}

fn disposition(comment: &str, kind: DispositionKind, reason: &str) -> wire::Disposition {
    wire::Disposition { comment_id: comment.into(), kind: kind as i32, reason: reason.into() }
}

fn outcome_of(events: &[Envelope], slot: &str) -> wire::ConsiderationOutcome {
    events
        .iter()
        .find_map(|e| match &e.payload {
            Payload::StageConcluded(c) => c.outcomes.iter().find(|o| o.slot_id == slot).cloned(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no outcome for {slot} in {:?}", kinds(events)))
}

#[test]
fn start_notifies_once() {
    let mut ex = Ex::new("consensus", Mode::Fast);
    assert!(ex.apply(Input::Start).events.is_empty(), "starting twice does nothing");
}

#[test]
fn assembly_accepts_reports_and_refuses_the_wrong_ones() {
    let mut ex = Ex::new("consensus", Mode::Fast);
    let e = ex.envelope(Role::ControlPoint, "BY", report());
    let (reply, _) = ex.send(&e);
    assert!(matches!(reply, Reply::Accepted { duplicate: false, .. }));
    let before = ex.state.clone();
    let (again, events) = ex.send(&e);
    assert!(matches!(again, Reply::Accepted { duplicate: true, .. }), "a repeated message id is acknowledged");
    assert!(events.is_empty());
    assert_eq!(ex.state, before);

    ex.refuse(Role::ControlPoint, "BY", report(), RejectionCode::InvalidContent);
    ex.refuse(Role::Observer, "obs", report(), RejectionCode::NotPermitted);
    ex.refuse(Role::ControlPoint, "XX", report(), RejectionCode::NotAParticipant);
    ex.refuse(Role::Secretariat, "BY", report(), RejectionCode::NotAParticipant);
    ex.refuse(Role::ControlPoint, "RU", position("a1", 1, PositionKind::Concur), RejectionCode::WrongPhase);
    ex.refuse(
        Role::ControlPoint,
        "RU",
        Payload::StageOpened(wire::StageOpened::default()),
        RejectionCode::NotPermitted,
    );
    let mut foreign = ex.envelope(Role::ControlPoint, "RU", report());
    foreign.exercise = ExerciseId::new("other").expect("valid id");
    let (reply, _) = ex.send(&foreign);
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::WrongExercise, .. }), "{reply:?}");
}

#[test]
fn assembly_closes_early_when_every_mandatory_participant_reported() {
    let mut ex = Ex::new("consensus", Mode::Scaled);
    for (role, n) in
        [(Role::JointStaff, "js"), (Role::Secretariat, "sec"), (Role::ControlPoint, "BY"), (Role::ControlPoint, "RU")]
    {
        ex.accept(role, n, report());
    }
    let closing = ex.accept(Role::ControlPoint, "AM", report());
    assert_eq!(kinds(&closing), ["assembly_closed", "deployment_ordered", "phase_changed"]);
    assert_eq!(ex.state.phase.phase, Phase::Deployment);
    assert_eq!(
        ex.state.absent.iter().map(NodeId::as_str).collect::<Vec<_>>(),
        ["guest"],
        "the silent guest is recorded absent"
    );
}

#[test]
fn a_participant_declared_absent_is_never_awaited_and_assembly_closes_without_it() {
    let exercise = ExerciseId::new("ex").expect("valid id");
    let scenario = sketch("consensus", &["absent = true"]).build().expect("valid scenario");
    let config = Config::new(exercise, scenario.into(), Mode::Scaled, 60.0);
    let mut ex = Ex { config, state: State::default(), before: State::default(), now: Duration::ZERO, sequence: 0 };
    ex.apply(Input::Start);
    assert!(ex.state.awaited().iter().all(|a| a.node.as_str() != "AM"), "Armenia owes nothing");
    let reason = ex.refuse(Role::ControlPoint, "AM", report(), RejectionCode::NotAParticipant);
    assert!(reason.contains("declared absent"), "{reason}");
    for (role, n) in [(Role::JointStaff, "js"), (Role::Secretariat, "sec"), (Role::ControlPoint, "BY")] {
        ex.accept(role, n, report());
    }
    let closing = ex.accept(Role::ControlPoint, "RU", report());
    assert_eq!(kinds(&closing), ["assembly_closed", "deployment_ordered", "phase_changed"]);
    let absent: Vec<&str> = ex.state.absent.iter().map(NodeId::as_str).collect();
    assert_eq!(absent, ["AM", "guest"], "the declared absent is recorded absent");
}

#[test]
fn assembly_closes_at_its_deadline_and_records_the_silent_absent() {
    let mut ex = Ex::new("consensus", Mode::Fast);
    ex.assemble_all();
    assert!(ex.tick(hours(1) - Duration::from_secs(1)).is_empty(), "nothing closes before the deadline");
    let closing = ex.tick(hours(1));
    assert_eq!(kinds(&closing), ["assembly_closed", "deployment_ordered", "phase_changed"]);
    let absent: Vec<&str> = ex.state.absent.iter().map(NodeId::as_str).collect();
    assert_eq!(absent, ["AM", "guest"]);
    ex.refuse(Role::ControlPoint, "AM", activation("x"), RejectionCode::NotAParticipant);
}

#[test]
fn deployment_checks_the_token_and_who_activates() {
    let mut ex = Ex::new("consensus", Mode::Fast);
    ex.assemble_all();
    ex.tick(hours(1));
    ex.refuse(Role::ControlPoint, "BY", activation("wrong"), RejectionCode::InvalidContent);
    let token = ex.state.comms_token.clone().expect("token issued");
    ex.refuse(Role::JointStaff, "js", activation(&token), RejectionCode::NotPermitted);
    assert!(ex.accept(Role::ControlPoint, "BY", activation(&token)).is_empty(), "RU has not activated yet");
    ex.refuse(Role::ControlPoint, "BY", activation(&token), RejectionCode::InvalidContent);
    assert_eq!(kinds(&ex.accept(Role::ControlPoint, "RU", activation(&token))), ["stage_opened", "phase_changed"]);
}

#[test]
fn drafts_are_checked_against_their_slot() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Fast);
    use wire::{DraftCategory as C, DraftingBody as B};
    let reason = ex.refuse(
        Role::JointStaff,
        "js",
        Payload::DraftDecision(draft("zz", 1, B::JointStaff, C::TroopComponents)),
        RejectionCode::UnknownSlot,
    );
    assert!(reason.contains("zz"), "{reason}");
    ex.refuse(
        Role::JointStaff,
        "js",
        Payload::DraftDecision(draft("b1", 1, B::JointStaff, C::MilitaryTechnicalAssistance)),
        RejectionCode::UnknownSlot,
    );
    ex.refuse(Role::Secretariat, "sec", Payload::DraftDecision(a1(1)), RejectionCode::NotPermitted);
    ex.refuse(
        Role::JointStaff,
        "js",
        Payload::DraftDecision(draft("a1", 1, B::JointStaff, C::FinancialSupport)),
        RejectionCode::InvalidContent,
    );
    ex.refuse(Role::JointStaff, "js", Payload::DraftDecision(a1(2)), RejectionCode::InvalidContent);
    ex.refuse(Role::JointStaff, "js", revised(a1(2)), RejectionCode::InvalidContent);
    ex.refuse(Role::ControlPoint, "BY", position("a1", 1, PositionKind::Concur), RejectionCode::UnknownSlot);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    ex.refuse(Role::JointStaff, "js", Payload::DraftDecision(a1(1)), RejectionCode::InvalidContent);
    ex.refuse(Role::JointStaff, "js", revised(a1(3)), RejectionCode::StaleVersion);
}

#[test]
fn positions_answer_the_current_version_only() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Scaled);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    let no_reasons = Payload::Position(wire::Position {
        slot_id: "a1".into(),
        draft_version: 1,
        kind: PositionKind::NonConcur as i32,
        reasons: vec![],
    });
    ex.refuse(Role::ControlPoint, "BY", no_reasons, RejectionCode::Malformed);
    ex.refuse(Role::ControlPoint, "BY", position("a1", 1, PositionKind::Unspecified), RejectionCode::Malformed);
    ex.refuse(Role::Guest, "guest", position("a1", 1, PositionKind::Concur), RejectionCode::NotAParticipant);
    ex.accept(Role::ControlPoint, "BY", position("a1", 1, PositionKind::NonConcur));
    ex.refuse(Role::ControlPoint, "BY", position("a1", 1, PositionKind::Concur), RejectionCode::InvalidContent);
    ex.accept(Role::JointStaff, "js", revised(a1(2)));
    let reason =
        ex.refuse(Role::ControlPoint, "RU", position("a1", 1, PositionKind::Concur), RejectionCode::StaleVersion);
    assert!(reason.contains("version 2"), "{reason}");
    ex.accept(Role::ControlPoint, "RU", position("a1", 2, PositionKind::Concur));
    ex.refuse(Role::ControlPoint, "BY", position("a1", 3, PositionKind::Concur), RejectionCode::StaleVersion);
}

#[test]
fn consensus_adopts_with_abstentions_and_returns_on_objection_or_silence() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Scaled);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    ex.accept(Role::Secretariat, "sec", Payload::DraftDecision(a2(1)));
    ex.accept(Role::ControlPoint, "BY", position("a1", 1, PositionKind::Concur));
    ex.accept(Role::ControlPoint, "RU", position("a1", 1, PositionKind::Abstain));
    ex.accept(Role::ControlPoint, "BY", position("a2", 1, PositionKind::NonConcur));
    assert!(ex.tick(hours(4)).is_empty(), "a scaled stage stays open until its deadline");
    let closing = ex.tick(hours(5));
    assert_eq!(kinds(&closing), ["stage_concluded", "stage_opened", "phase_changed"]);
    let adopted = outcome_of(&closing, "a1");
    assert_eq!(adopted.outcome(), Outcome::Adopted, "an abstention does not block: {adopted:?}");
    assert_eq!(
        (adopted.concurring.clone(), adopted.abstaining.clone()),
        (vec!["BY".to_string()], vec!["RU".to_string()])
    );
    let returned = outcome_of(&closing, "a2");
    assert_eq!(returned.outcome(), Outcome::Returned);
    assert_eq!((returned.objecting.clone(), returned.silent.clone()), (vec!["BY".to_string()], vec!["RU".to_string()]));
    assert_eq!(ex.state.phase.phase, Phase::Stage(2));
}

#[test]
fn the_silence_procedure_adopts_unless_a_state_objects() {
    let mut ex = Ex::in_stage_one("silence", Mode::Scaled);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    ex.accept(Role::Secretariat, "sec", Payload::DraftDecision(a2(1)));
    ex.accept(Role::ControlPoint, "RU", position("a2", 1, PositionKind::NonConcur));
    let closing = ex.tick(hours(5));
    let silent = outcome_of(&closing, "a1");
    assert_eq!(silent.outcome(), Outcome::Adopted, "silence is consent: {silent:?}");
    assert_eq!(silent.silent, ["BY", "RU"]);
    assert_eq!(outcome_of(&closing, "a2").outcome(), Outcome::Returned, "an objection stops adoption");
}

#[test]
fn fast_mode_closes_a_stage_once_everything_expected_arrived() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Fast);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    ex.accept(Role::Secretariat, "sec", Payload::DraftDecision(a2(1)));
    ex.accept(Role::ControlPoint, "BY", position("a1", 1, PositionKind::NonConcur));
    ex.accept(Role::ControlPoint, "RU", position("a1", 1, PositionKind::Concur));
    ex.accept(Role::ControlPoint, "BY", position("a2", 1, PositionKind::Concur));
    assert!(
        ex.accept(Role::ControlPoint, "RU", position("a2", 1, PositionKind::Concur)).is_empty(),
        "a1 awaits its revision"
    );
    let awaited: Vec<_> = ex.state.awaited().into_iter().map(|a| (a.node.to_string(), a.task)).collect();
    assert_eq!(awaited, [("js".to_string(), Task::Revision("a1".into(), 1))]);
    ex.accept(Role::JointStaff, "js", revised(a1(2)));
    ex.accept(Role::ControlPoint, "BY", position("a1", 2, PositionKind::Concur));
    let closing = ex.accept(Role::ControlPoint, "RU", position("a1", 2, PositionKind::Concur));
    assert_eq!(kinds(&closing), ["stage_concluded", "stage_opened", "phase_changed"]);
    assert_eq!(outcome_of(&closing, "a1").considered_version, 2);
}

#[test]
fn pause_holds_every_deadline_and_resume_lets_it_run() {
    let mut ex = Ex::new("consensus", Mode::Fast);
    let (reply, events) =
        ex.director(Payload::PauseExercise(wire::PauseExercise { reason: "lunch".into(), ..Default::default() }));
    assert!(matches!(reply, Reply::Accepted { .. }));
    assert_eq!(kinds(&events), ["pause_exercise", "phase_changed"]);
    assert!(ex.state.phase.paused);
    assert!(ex.tick(hours(3)).is_empty(), "no window closes while paused");
    ex.assemble_all();
    ex.accept(Role::ControlPoint, "AM", report());
    assert_eq!(ex.state.phase.phase, Phase::Assembly, "nothing advances while paused, even when all is in");
    ex.refuse(
        Role::Coordinator,
        "director",
        Payload::PauseExercise(wire::PauseExercise::default()),
        RejectionCode::WrongPhase,
    );
    let (reply, _) =
        ex.director(Payload::ResumeExercise(wire::ResumeExercise { reason: "back".into(), ..Default::default() }));
    assert!(matches!(reply, Reply::Accepted { .. }));
    ex.refuse(
        Role::Coordinator,
        "director",
        Payload::ResumeExercise(wire::ResumeExercise::default()),
        RejectionCode::WrongPhase,
    );
    assert_eq!(kinds(&ex.tick(hours(3))), ["assembly_closed", "deployment_ordered", "phase_changed"]);
}

#[test]
fn advance_closes_the_current_window_now() {
    let mut ex = Ex::new("consensus", Mode::Scaled);
    let (_, events) =
        ex.director(Payload::AdvanceExercise(wire::AdvanceExercise { reason: "enough".into(), ..Default::default() }));
    assert_eq!(kinds(&events), ["advance_exercise", "assembly_closed", "deployment_ordered", "phase_changed"]);
    let (_, events) = ex.director(Payload::AdvanceExercise(wire::AdvanceExercise::default()));
    assert_eq!(kinds(&events), ["advance_exercise", "stage_opened", "phase_changed"]);
    ex.refuse(Role::Coordinator, "director", report(), RejectionCode::NotPermitted);
}

#[test]
fn a_control_meant_for_a_window_that_has_closed_is_refused_and_changes_nothing() {
    let mut ex = Ex::new("consensus", Mode::Scaled);
    let advance = |meant: Phase| {
        Payload::AdvanceExercise(wire::AdvanceExercise { reason: "enough".into(), window: Some(meant.window()) })
    };
    let (_, events) = ex.director(advance(Phase::Assembly));
    assert_eq!(kinds(&events), ["advance_exercise", "assembly_closed", "deployment_ordered", "phase_changed"]);
    let (_, events) = ex.director(advance(Phase::Deployment));
    assert_eq!(kinds(&events), ["advance_exercise", "stage_opened", "phase_changed"]);
    // The same page's Advance, pressed again: it still means deployment, and stage 1 is open now.
    let before = ex.state.clone();
    let reason = ex.refuse(Role::Coordinator, "director", advance(Phase::Deployment), RejectionCode::StaleWindow);
    assert!(reason.contains("deployment") && reason.contains("stage 1"), "the refusal names both windows: {reason}");
    assert_eq!(ex.state.phase, before.phase, "stage 1 stays open");
    let pause = |meant: Phase| {
        Payload::PauseExercise(wire::PauseExercise { reason: "lunch".into(), window: Some(meant.window()) })
    };
    ex.refuse(Role::Coordinator, "director", pause(Phase::Stage(2)), RejectionCode::StaleWindow);
    assert!(!ex.state.phase.paused);
    let (_, events) = ex.director(pause(Phase::Stage(1)));
    assert_eq!(kinds(&events), ["pause_exercise", "phase_changed"]);
    let resume = Payload::ResumeExercise(wire::ResumeExercise {
        reason: "back".into(),
        window: Some(Phase::Deployment.window()),
    });
    ex.refuse(Role::Coordinator, "director", resume, RejectionCode::StaleWindow);
    assert!(ex.state.phase.paused, "a stale resume leaves the exercise paused");
    for nowhere in [Phase::NotStarted, Phase::Concluded] {
        ex.refuse(Role::Coordinator, "director", advance(nowhere), RejectionCode::Malformed);
    }
    let (_, events) = ex.director(advance(Phase::Stage(1)));
    assert_eq!(kinds(&events)[..2], ["advance_exercise", "stage_concluded"]);
}

#[test]
fn the_exercise_ends_with_the_package_and_the_receipts() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Fast);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    for state in ["BY", "RU"] {
        ex.accept(Role::ControlPoint, state, position("a1", 1, PositionKind::Concur));
    }
    let stage_two = ex.tick(hours(5));
    assert_eq!(outcome_of(&stage_two, "a2").outcome(), Outcome::NoDraft);
    let to_distribution = ex.tick(hours(8));
    assert_eq!(kinds(&to_distribution), ["stage_concluded", "package_communicated", "phase_changed"]);
    let package = ex.state.package.clone().expect("package sent").answer;
    assert_eq!(package.items.len(), 1, "only considered drafts travel: {package:?}");
    assert_eq!(package.digest, record::package::digest(&package.items));
    let wrong = Payload::ReceiptConfirmed(wire::ReceiptConfirmed {
        package_id: package.package_id.clone(),
        digest: "bad".into(),
    });
    ex.refuse(Role::ControlPoint, "BY", wrong, RejectionCode::InvalidContent);
    let receipt = || {
        Payload::ReceiptConfirmed(wire::ReceiptConfirmed {
            package_id: package.package_id.clone(),
            digest: package.digest.clone(),
        })
    };
    ex.refuse(Role::JointStaff, "js", receipt(), RejectionCode::NotPermitted);
    ex.accept(Role::ControlPoint, "BY", receipt());
    let end = ex.accept(Role::ControlPoint, "RU", receipt());
    assert_eq!(kinds(&end), ["exercise_concluded", "phase_changed"]);
    assert_eq!(ex.state.phase.phase, Phase::Concluded);
    ex.refuse(Role::ControlPoint, "BY", report(), RejectionCode::WrongPhase);
    assert!(ex.tick(hours(100)).is_empty());
}

#[test]
fn state_is_a_fold_of_the_events() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Fast);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    ex.accept(Role::ControlPoint, "BY", position("a1", 1, PositionKind::NonConcur));
    // Rebuild from scratch by replaying what was published.
    let mut log = Ex::new("consensus", Mode::Fast);
    log.assemble_all();
    log.tick(hours(1));
    let token = log.state.comms_token.clone().expect("token");
    log.accept(Role::ControlPoint, "BY", activation(&token));
    log.accept(Role::ControlPoint, "RU", activation(&token));
    log.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    log.accept(Role::ControlPoint, "BY", position("a1", 1, PositionKind::NonConcur));
    assert_eq!(log.state.drafts, ex.state.drafts);
    assert_eq!(log.state.phase, ex.state.phase);
    assert_eq!(log.state.events, ex.state.events);
}

#[test]
fn a_submission_must_carry_its_seats_signature_when_the_exercise_knows_its_key() {
    let (by, ru, director) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
    let mut ex = Ex::new("consensus", Mode::Scaled);
    ex.config.keys = record::Keys {
        seats: [(node("BY"), by.public_key()), (node("RU"), ru.public_key())].into(),
        director: Some(director.public_key()),
    }
    .into();
    ex.state = State::default();
    ex.before = State::default();
    ex.apply(Input::Start);
    let unsigned = ex.envelope(Role::ControlPoint, "BY", report());
    let (reply, _) = ex.send(&unsigned);
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::BadSignature, .. }), "{reply:?}");
    let mut as_ru = ex.envelope(Role::ControlPoint, "BY", report());
    bus::seal::sign(&mut as_ru, &ru).expect("signed");
    let (reply, _) = ex.send(&as_ru);
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::BadSignature, .. }), "RU's key for BY: {reply:?}");
    let mut signed = ex.envelope(Role::ControlPoint, "BY", report());
    bus::seal::sign(&mut signed, &by).expect("signed");
    assert!(matches!(ex.send(&signed).0, Reply::Accepted { duplicate: false, .. }));
    let pause = ex.envelope(Role::Coordinator, "director", Payload::PauseExercise(wire::PauseExercise::default()));
    assert!(matches!(ex.send(&pause).0, Reply::Rejected { code: RejectionCode::BadSignature, .. }));
    let mut signed_pause =
        ex.envelope(Role::Coordinator, "director", Payload::PauseExercise(wire::PauseExercise::default()));
    bus::seal::sign(&mut signed_pause, &director).expect("signed");
    assert!(matches!(ex.send(&signed_pause).0, Reply::Accepted { .. }));

    // What a batch found is taken only for the key the sender must sign with: RU's signature on a
    // report in BY's name, found to be RU's, is checked against BY's key and refused.
    let checked = |ex: &mut Ex, e: &Envelope, key: &str| ex.apply(Input::Checked(e, key)).reply.expect("a reply").1;
    let mut as_ru = ex.envelope(Role::ControlPoint, "BY", report());
    bus::seal::sign(&mut as_ru, &ru).expect("signed");
    let reply = checked(&mut ex, &as_ru, &ru.public_key());
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::BadSignature, .. }), "{reply:?}");
    let mut ru_report = ex.envelope(Role::ControlPoint, "RU", report());
    bus::seal::sign(&mut ru_report, &ru).expect("signed");
    let reply = checked(&mut ex, &ru_report, &ru.public_key());
    assert!(matches!(reply, Reply::Accepted { duplicate: false, .. }), "found RU's, and RU's it must be: {reply:?}");
}

#[test]
fn one_seats_use_of_another_seats_id_never_shadows_that_seats_submission() {
    let (by, ru) = (nkeys::KeyPair::new_user(), nkeys::KeyPair::new_user());
    let mut ex = Ex::new("consensus", Mode::Scaled);
    ex.config.keys =
        record::Keys { seats: [(node("BY"), by.public_key()), (node("RU"), ru.public_key())].into(), director: None }
            .into();
    ex.state = State::default();
    ex.before = State::default();
    ex.apply(Input::Start);
    let id = bus::MessageId::new("BY-assembly").expect("valid id");
    let with_id = |ex: &mut Ex, n: &str, key: &nkeys::KeyPair| {
        let mut e = ex.envelope(Role::ControlPoint, n, report());
        e.message_id = id.clone();
        bus::seal::sign(&mut e, key).expect("signed");
        e
    };
    // RU reports first, under the id BY will use: that is RU's own report.
    let squat = with_id(&mut ex, "RU", &ru);
    assert!(matches!(ex.send(&squat).0, Reply::Accepted { duplicate: false, .. }));
    // A forgery under BY's name with that id is refused for its signature, not taken as a repeat.
    let forged = {
        let mut e = with_id(&mut ex, "BY", &ru);
        e.sender = Sender::new(Role::ControlPoint, node("BY"));
        bus::seal::sign(&mut e, &ru).expect("signed");
        e
    };
    let (reply, _) = ex.send(&forged);
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::BadSignature, .. }), "{reply:?}");
    // BY's genuine report with the same id is BY's, and recorded.
    let genuine = with_id(&mut ex, "BY", &by);
    let (reply, events) = ex.send(&genuine);
    assert!(matches!(reply, Reply::Accepted { duplicate: false, original: None, .. }), "{reply:?}");
    assert_eq!(events.first().map(|e| e.sender.node.as_str()), Some("BY"));
    assert!(ex.state.reported.contains_key(&node("BY")) && ex.state.reported.contains_key(&node("RU")));
    // BY's repeat is a duplicate of BY's own, at the position its report was recorded.
    let (reply, _) = ex.send(&genuine);
    let at = ex.state.seen.position(&genuine.sender, &id);
    assert!(at.is_some() && at != ex.state.seen.position(&squat.sender, &id));
    assert!(matches!(reply, Reply::Accepted { duplicate: true, original, .. } if original == at), "{reply:?}");
}

#[test]
fn each_state_activates_with_its_own_token_sent_to_it_alone() {
    let mut ex = Ex::new("consensus", Mode::Scaled);
    ex.config.comms = coordinator::machine::Comms::new(b"the coordinators' secret".to_vec());
    let by = ex.envelope(Role::ControlPoint, "BY", report());
    let (reply, _) = ex.send(&by);
    let Reply::Accepted { comms_token: Some(by_token), .. } = reply else { panic!("BY's token: {reply:?}") };
    let ru = ex.envelope(Role::ControlPoint, "RU", report());
    let Reply::Accepted { comms_token: Some(ru_token), .. } = ex.send(&ru).0 else { panic!("RU's token") };
    assert_ne!(by_token, ru_token, "each state has its own");
    let js = ex.envelope(Role::JointStaff, "js", report());
    assert!(matches!(ex.send(&js).0, Reply::Accepted { comms_token: None, .. }), "drafting bodies do not activate");
    let again = ex.envelope(Role::ControlPoint, "BY", report());
    let before = ex.state.clone();
    let (reply, events) = ex.send(&again);
    assert_eq!(
        reply,
        Reply::Accepted {
            message_id: again.message_id.clone(),
            duplicate: true,
            original: None,
            comms_token: Some(by_token.clone())
        }
    );
    assert!(events.is_empty() && ex.state == before, "reporting again records nothing");
    ex.accept(Role::Secretariat, "sec", report());
    ex.tick(hours(1));
    assert_eq!(ex.state.comms_token.as_deref(), Some(""), "the deployment order announces no shared token");
    ex.refuse(Role::ControlPoint, "BY", activation(&ru_token), RejectionCode::InvalidContent);
    ex.refuse(Role::ControlPoint, "BY", activation(""), RejectionCode::InvalidContent);
    ex.refuse(
        Role::ControlPoint,
        "BY",
        activation(&format!("comms-{}", ex.config.exercise)),
        RejectionCode::InvalidContent,
    );
    ex.accept(Role::ControlPoint, "BY", activation(&by_token));
}

#[test]
fn the_notification_is_the_exercises_time_zero() {
    let ex = Ex::new("consensus", Mode::Scaled);
    assert_eq!(ex.state.notified.expect("notified").exercise, Duration::ZERO);
    let mut late = Ex::new("consensus", Mode::Scaled);
    late.now = hours(2);
    late.state = State::default();
    late.before = State::default();
    let started = late.apply(Input::Start);
    assert!(
        started.events.iter().all(|e| e.exercise_time == Some(Duration::ZERO)),
        "however late the start is stepped"
    );
}

#[test]
fn an_exercise_that_awaits_the_director_starts_on_the_directors_start_only() {
    let mut ex = Ex::waiting("consensus", Mode::Fast, true);
    ex.now = hours(2);
    assert!(ex.apply(Input::Start).events.is_empty(), "the coordinator's own start waits for the director");
    assert!(ex.apply(Input::Tick).events.is_empty());
    let early = ex.envelope(Role::ControlPoint, "BY", report());
    let (reply, _) = ex.send(&early);
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::WrongPhase, .. }), "{reply:?}");
    let start =
        Payload::StartExercise(wire::StartExercise { reason: "every seat is taken".into(), ..Default::default() });
    let (reply, events) = ex.director(start.clone());
    assert!(matches!(reply, Reply::Accepted { duplicate: false, .. }), "{reply:?}");
    assert_eq!(kinds(&events), ["notification", "phase_changed"]);
    assert_eq!(events[0].exercise_time, Some(Duration::ZERO), "the notification is time zero, whenever it comes");
    assert_eq!(ex.state.phase.phase, Phase::Assembly);
    let (reply, events) = ex.director(start);
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::WrongPhase, .. }), "{reply:?}");
    assert!(events.is_empty());
}

#[test]
fn a_start_that_comes_again_is_recognised_as_recorded() {
    let mut ex = Ex::waiting("consensus", Mode::Fast, true);
    let start = ex.envelope(Role::Coordinator, "director", Payload::StartExercise(wire::StartExercise::default()));
    let (reply, events) = ex.send(&start);
    assert!(matches!(reply, Reply::Accepted { duplicate: false, .. }), "{reply:?}");
    assert_eq!(events[0].causation_id.as_ref(), Some(&start.message_id), "the notification answers the start");
    // Redelivered after a crash between writing and replying: the same answer, nothing twice.
    let (reply, events) = ex.send(&start);
    assert!(matches!(reply, Reply::Accepted { duplicate: true, .. }), "{reply:?}");
    assert!(events.is_empty());
}

#[test]
fn an_exercise_that_starts_by_itself_refuses_a_start_and_a_participant_cannot_start_one() {
    let mut ex = Ex::new("consensus", Mode::Fast);
    let start = Payload::StartExercise(wire::StartExercise::default());
    let (reply, _) = ex.director(start.clone());
    assert!(matches!(reply, Reply::Rejected { code: RejectionCode::WrongPhase, .. }), "{reply:?}");
    let mut waiting = Ex::waiting("consensus", Mode::Fast, true);
    let by_staff = waiting.envelope(Role::JointStaff, "js", start);
    let (reply, events) = waiting.send(&by_staff);
    assert!(matches!(reply, Reply::Rejected { .. }), "{reply:?}");
    assert!(events.is_empty());
    assert_eq!(waiting.state.phase.phase, Phase::NotStarted);
}

#[test]
fn a_revision_answers_every_objection_and_a_comment_not_accepted_blocks_consensus_until_its_state_concurs() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Scaled);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    ex.accept(Role::ControlPoint, "BY", position("a1", 1, PositionKind::NonConcur));
    let remark = Payload::Position(wire::Position {
        slot_id: "a1".into(),
        draft_version: 1,
        kind: PositionKind::ConcurWithRemarks as i32,
        reasons: vec!["add a map".into()],
    });
    ex.accept(Role::ControlPoint, "RU", remark);
    let comments: Vec<String> = ex.state.drafts["a1"].open_comments(1).into_iter().map(|c| c.id).collect();
    assert_eq!(comments, ["a1-v1-BY-1", "a1-v1-RU-1"]);

    let reason = ex.refuse(Role::JointStaff, "js", revised_with(a1(2), vec![]), RejectionCode::UnresolvedComment);
    assert!(reason.contains("a1-v1-BY-1") && !reason.contains("RU"), "only the objection must be answered: {reason}");
    let unknown = vec![disposition("a1-v1-KZ-1", DispositionKind::Accepted, "")];
    ex.refuse(Role::JointStaff, "js", revised_with(a1(2), unknown), RejectionCode::InvalidContent);
    let unexplained = vec![disposition("a1-v1-BY-1", DispositionKind::NotAccepted, " ")];
    ex.refuse(Role::JointStaff, "js", revised_with(a1(2), unexplained), RejectionCode::InvalidContent);
    let twice = vec![
        disposition("a1-v1-BY-1", DispositionKind::Accepted, ""),
        disposition("a1-v1-BY-1", DispositionKind::Noted, ""),
    ];
    ex.refuse(Role::JointStaff, "js", revised_with(a1(2), twice), RejectionCode::InvalidContent);
    let kept = vec![disposition("a1-v1-BY-1", DispositionKind::NotAccepted, "the cost is already shared")];
    ex.accept(Role::JointStaff, "js", revised_with(a1(2), kept));
    assert_eq!(ex.state.drafts["a1"].unresolved_states(), [node("BY")], "the comment stays open on v2");

    // The same on a2, where the state concurs with the revision: its comment is satisfied.
    ex.accept(Role::Secretariat, "sec", Payload::DraftDecision(a2(1)));
    ex.accept(Role::ControlPoint, "BY", position("a2", 1, PositionKind::NonConcur));
    let kept = vec![disposition("a2-v1-BY-1", DispositionKind::NotAccepted, "the budget is fixed")];
    ex.accept(Role::Secretariat, "sec", revised_with(a2(2), kept));
    ex.accept(Role::ControlPoint, "BY", position("a2", 2, PositionKind::Concur));
    ex.accept(Role::ControlPoint, "RU", position("a2", 2, PositionKind::Concur));
    assert!(ex.state.drafts["a2"].unresolved_states().is_empty());

    // On a1 Belarus abstains: its comment stays open, so a revision is awaited and the stage
    // does not close early; at the deadline the open comment is Belarus's objection.
    ex.accept(Role::ControlPoint, "BY", position("a1", 2, PositionKind::Abstain));
    ex.accept(Role::ControlPoint, "RU", position("a1", 2, PositionKind::Concur));
    let awaited: Vec<_> = ex.state.awaited().into_iter().map(|a| (a.node.to_string(), a.task)).collect();
    assert_eq!(awaited, [("js".to_string(), Task::Revision("a1".into(), 2))]);
    assert!(!ex.state.complete());
    let closing = ex.tick(hours(5));
    let a1 = outcome_of(&closing, "a1");
    assert_eq!((a1.outcome(), a1.objecting.clone()), (Outcome::Returned, vec!["BY".to_string()]), "{a1:?}");
    let a2 = outcome_of(&closing, "a2");
    assert_eq!(a2.outcome(), Outcome::Adopted, "{a2:?}");
    let matrix = ex.state.drafts["a1"].resolutions();
    let by = matrix.iter().find(|r| r.comment.id == "a1-v1-BY-1").expect("BY's comment in the matrix");
    assert!(by.open && by.comment.objection);
    assert_eq!(by.steps.len(), 1);
    assert_eq!(by.steps[0].disposition.as_ref().map(|d| d.kind()), Some(DispositionKind::NotAccepted));
    assert_eq!(by.steps[0].answer, Some(PositionKind::Abstain));
    let ru = matrix.iter().find(|r| r.comment.id == "a1-v1-RU-1").expect("RU's remark in the matrix");
    assert!(!ru.comment.objection && ru.steps[0].disposition.is_none() && !ru.open);
}

#[test]
fn a_step_its_leader_wrote_in_part_is_finished_by_its_successor_not_repeated() {
    let mut ex = Ex::in_stage_one("consensus", Mode::Fast);
    ex.accept(Role::JointStaff, "js", Payload::DraftDecision(a1(1)));
    ex.accept(Role::Secretariat, "sec", Payload::DraftDecision(a2(1)));
    ex.accept(Role::ControlPoint, "BY", position("a1", 1, PositionKind::Concur));
    ex.accept(Role::ControlPoint, "RU", position("a1", 1, PositionKind::Concur));
    ex.accept(Role::ControlPoint, "BY", position("a2", 1, PositionKind::Concur));
    let before = ex.state.clone();
    let last = ex.envelope(Role::ControlPoint, "RU", position("a2", 1, PositionKind::Concur));
    let (_, written) = ex.send(&last);
    assert_eq!(kinds(&written), ["position", "stage_concluded", "stage_opened", "phase_changed"]);
    // The leader died after its stage_opened reached the log: its successor folds what is there.
    for cut in 1..written.len() {
        let mut successor = before.clone();
        written[..cut].iter().for_each(|e| successor.apply(e));
        let rest = machine::step(&ex.config, &mut successor, Input::Tick, ex.time()).events;
        assert_eq!(rest, written[cut..], "after {cut} of the step's events, the successor writes the rest only");
        assert_eq!(successor, ex.state, "after {cut}: the record of a leader that did not die");
    }
}

/// Stage 1 holds i1 (1 h after it opens, to BY) and i2 (by hand, to everyone); stage 2 holds i3.
fn with_injects() -> Ex {
    let scenario = Sketch::new("injects")
        .deadlines("1h", "2h", "10h")
        .participant("joint_staff", "js", &[])
        .participant("secretariat", "sec", &[])
        .state("BY", &[])
        .state("RU", &[])
        .state("AM", &[])
        .participant("observer", "obs", &["mandatory = false"])
        .participant("guest", "guest", &["mandatory = false"])
        .stage("5h", &[("a1", "joint_staff"), ("a2", "secretariat")])
        .inject("i1", "1h", &["BY"])
        .inject("i2", "by hand", &[])
        .stage("8h", &[("b1", "joint_staff")])
        .inject("i3", "30m", &[])
        .build()
        .expect("valid scenario");
    let mut ex = Ex::playing(scenario, Mode::Scaled, false);
    let started = ex.apply(Input::Start);
    assert_eq!(kinds(&started.events), ["notification", "phase_changed"]);
    Ex::in_stage_one_of(ex)
}

fn acknowledge(id: &str) -> Payload {
    Payload::AcknowledgeInject(wire::AcknowledgeInject { inject_id: id.into() })
}

fn release(id: &str) -> Payload {
    Payload::ReleaseInject(wire::ReleaseInject { inject: Some(wire::release_inject::Inject::Planned(id.into())) })
}

fn write(inject: wire::Inject) -> Payload {
    Payload::ReleaseInject(wire::ReleaseInject { inject: Some(wire::release_inject::Inject::Written(inject)) })
}

fn released(events: &[Envelope]) -> Vec<(String, wire::InjectRelease, Vec<String>)> {
    events
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::InjectReleased(r) => Some((
                r.inject.as_ref().map(|i| i.inject_id.clone()).unwrap_or_default(),
                r.release(),
                r.recipients.clone(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_timed_inject_is_released_once_at_its_time_and_not_while_paused() {
    let mut ex = with_injects();
    let opened = ex.state.stages_opened[&1].exercise;
    assert!(ex.tick(opened + Duration::from_secs(3599)).is_empty(), "a second early: nothing");
    let pause = Payload::PauseExercise(wire::PauseExercise { reason: "hold".into(), ..Default::default() });
    assert!(matches!(ex.director(pause).0, Reply::Accepted { .. }));
    assert!(ex.tick(opened + hours(2)).is_empty(), "held: no inject goes out");
    let resume = Payload::ResumeExercise(wire::ResumeExercise { reason: "go".into(), ..Default::default() });
    assert!(matches!(ex.director(resume).0, Reply::Accepted { .. }));
    let out = ex.tick(opened + hours(2));
    assert_eq!(released(&out), [("i1".into(), wire::InjectRelease::AtItsTime, vec!["BY".into()])]);
    assert_eq!(out[0].message_id.as_str(), "inject-i1", "a deterministic id: written again, it is a duplicate");
    assert!(ex.tick(opened + hours(3)).is_empty(), "released once");
    assert_eq!(ex.state.released("i1").map(|r| r.at.exercise), Some(opened + hours(2)));
    assert!(ex.state.injects_pending().iter().all(|(i, _)| i.id != "i1"));

    // Its recipient acknowledges it, once; no one else can.
    ex.accept(Role::ControlPoint, "BY", acknowledge("i1"));
    let reason = ex.refuse(Role::ControlPoint, "BY", acknowledge("i1"), RejectionCode::InvalidContent);
    assert_eq!(reason, "BY has already acknowledged inject i1");
    let reason = ex.refuse(Role::ControlPoint, "RU", acknowledge("i1"), RejectionCode::NotPermitted);
    assert_eq!(reason, "inject i1 was not sent to RU");
    let reason = ex.refuse(Role::ControlPoint, "RU", acknowledge("i2"), RejectionCode::UnknownInject);
    assert_eq!(reason, "inject i2 has not been released");
    ex.refuse(Role::ControlPoint, "BY", release("i2"), RejectionCode::NotPermitted);
    let acknowledged = &ex.state.released("i1").expect("released").acknowledged;
    assert_eq!(acknowledged.keys().map(ToString::to_string).collect::<Vec<_>>(), ["BY"]);
}

#[test]
fn the_director_releases_a_held_inject_and_writes_one_and_the_wrong_orders_are_refused() {
    let mut ex = with_injects();
    let (reply, events) = ex.director(release("i2"));
    assert!(matches!(reply, Reply::Accepted { .. }), "{reply:?}");
    assert_eq!(kinds(&events), ["release_inject", "inject_released"]);
    let everyone: Vec<String> = ["js", "sec", "BY", "RU", "AM", "guest"].map(String::from).into();
    assert_eq!(
        released(&events),
        [("i2".into(), wire::InjectRelease::ByHand, everyone)],
        "every seat but the observer"
    );
    assert_eq!(events[1].causation_id.as_ref(), Some(&events[0].message_id));
    ex.refuse(Role::Coordinator, "director", release("i2"), RejectionCode::InvalidContent);
    let reason = ex.refuse(Role::Coordinator, "director", release("i3"), RejectionCode::WrongPhase);
    assert_eq!(reason, "inject i3 belongs to stage 2; stage 1 is open");
    ex.refuse(Role::Coordinator, "director", release("nope"), RejectionCode::UnknownInject);

    // A timed inject may go out early by hand, and then not again at its time.
    let (_, events) = ex.director(release("i1"));
    assert_eq!(released(&events)[0].1, wire::InjectRelease::ByHand);
    assert!(ex.tick(ex.state.stages_opened[&1].exercise + hours(2)).is_empty());

    let written = |id: &str| wire::Inject {
        inject_id: id.into(),
        to: vec!["RU".into()],
        text: "The border is closed".into(),
        ..Default::default()
    };
    let mut order = ex.envelope(Role::Coordinator, "director", write(written("w1")));
    order.language = "ru".into();
    let (reply, events) = ex.send(&order);
    assert!(matches!(reply, Reply::Accepted { .. }), "{reply:?}");
    assert_eq!(released(&events)[0], ("w1".into(), wire::InjectRelease::Written, vec!["RU".into()]));
    assert_eq!(ex.state.released("w1").map(|r| r.language.as_str()), Some("ru"), "written in the director's language");
    ex.refuse(Role::Coordinator, "director", write(written("i3")), RejectionCode::InvalidContent);
    ex.refuse(Role::Coordinator, "director", write(written("w1")), RejectionCode::InvalidContent);
    ex.refuse(Role::Coordinator, "director", write(written("not a token")), RejectionCode::Malformed);
    let to_observer = wire::Inject { to: vec!["obs".into()], ..written("w2") };
    ex.refuse(Role::Coordinator, "director", write(to_observer), RejectionCode::NotAParticipant);
    let timed = wire::Inject { after: Some(prost_types::Duration { seconds: 60, nanos: 0 }), ..written("w2") };
    ex.refuse(Role::Coordinator, "director", write(timed), RejectionCode::Malformed);
    ex.refuse(
        Role::Coordinator,
        "director",
        write(wire::Inject { text: " ".into(), ..written("w2") }),
        RejectionCode::InvalidContent,
    );
    let later_slot = wire::Inject { slot_id: "b1".into(), ..written("w2") };
    ex.refuse(Role::Coordinator, "director", write(later_slot), RejectionCode::UnknownSlot);
    ex.refuse(
        Role::Coordinator,
        "director",
        Payload::ReleaseInject(wire::ReleaseInject::default()),
        RejectionCode::Malformed,
    );

    // The stage's timed and held injects left behind do not follow into the next stage.
    let closing = ex.tick(hours(5));
    assert!(kinds(&closing).contains(&"stage_opened"), "{:?}", kinds(&closing));
    assert!(released(&closing).is_empty());
    assert_eq!(ex.state.injects_pending().iter().map(|(i, _)| i.id.as_str()).collect::<Vec<_>>(), ["i3"]);
}

#[test]
fn the_director_starts_with_the_plan_the_planner_handed_over_when_it_keeps_the_seats() {
    let start = |plan: String| Payload::StartExercise(wire::StartExercise { reason: "go".into(), scenario: plan });
    // The same seats, a later deadline for stage 1, an inject.
    let handed = sketch("consensus", &[]).toml().replacen("closes = \"5h\"", "closes = \"6h\"", 1)
        + "[[stages.injects]]\nid = \"n1\"\nat = \"30m\"\ntext = \"news\"\n";
    let other_seats = sketch("consensus", &["absent = true"]).toml();
    let mut ex = Ex::waiting("consensus", Mode::Fast, true);
    let reason = ex.refuse(Role::Coordinator, "director", start(other_seats), RejectionCode::NotPermitted);
    assert!(reason.starts_with("the plan handed over changes who takes part"), "{reason}");
    let reason = ex.refuse(Role::Coordinator, "director", start("title = 3".into()), RejectionCode::InvalidContent);
    assert!(reason.starts_with("the plan handed over is not a valid scenario"), "{reason}");
    let (reply, events) = ex.director(start(handed.clone()));
    assert!(matches!(reply, Reply::Accepted { .. }), "{reply:?}");
    let Payload::Notification(n) = &events[0].payload else { panic!("a notification first") };
    assert_eq!(n.scenario_digest, scenario::digest(&handed), "the record names the plan played");
    let plan = ex.state.plan.as_ref().expect("a plan");
    assert_eq!(plan.stages[0].closes_at, hours(6));
    assert_eq!(plan.stages[1].injects.len(), 1, "the inject was given in the last stage of the sketch");
}

#[test]
fn a_release_its_leader_recorded_but_did_not_send_is_finished_by_its_successor() {
    let mut ex = with_injects();
    let before = ex.state.clone();
    let order = ex.envelope(Role::Coordinator, "director", release("i2"));
    let (_, written) = ex.send(&order);
    assert_eq!(kinds(&written), ["release_inject", "inject_released"]);
    // The leader died with the order in the log and not the inject: the order comes again.
    let mut successor = before;
    successor.apply(&written[0]);
    let again = machine::step(&ex.config, &mut successor, Input::Submission(&order), ex.time());
    assert!(matches!(again.reply, Some((_, Reply::Accepted { duplicate: true, .. }))), "{:?}", again.reply);
    assert_eq!(again.events, written[1..], "the inject goes out, once");
    assert_eq!(successor, ex.state);
    let third = machine::step(&ex.config, &mut successor, Input::Submission(&order), ex.time());
    assert!(third.events.is_empty(), "and not again");
}

#[test]
fn an_inject_due_goes_out_before_the_director_closes_its_stage() {
    let mut ex = with_injects();
    // Two hours into the stage, before any tick: the director advances.
    ex.now = ex.state.stages_opened[&1].exercise + hours(2);
    let advance = Payload::AdvanceExercise(wire::AdvanceExercise { reason: "enough".into(), window: None });
    let (_, events) = ex.director(advance);
    let order: Vec<&str> = kinds(&events).into_iter().filter(|k| *k != "phase_changed").collect();
    assert_eq!(order[..3], ["advance_exercise", "inject_released", "stage_concluded"], "{order:?}");
}
