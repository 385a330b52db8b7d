//! What an automated seat does in answer to an event: the scenario's policy for the participant.
//! Pure: no I/O, no clock. It reads the record (already holding the event) for what it needs.
//!
//! Every action has a deterministic message id (`<node>-<action>`), so an action repeated after a
//! restart is recognised by the coordinator (which knows a submission by its sender and id) and
//! acknowledged as a duplicate.

use std::collections::BTreeMap;

use bus::envelope::Payload;
use bus::{Envelope, Role};
use proto::v1::{self as wire, DispositionKind, PositionKind};
use record::Record;
use scenario::{DraftingBody, Participant};

use crate::actions::{Act, Action};
use words::{Arg, Lang};

/// Most versions a drafting body writes of one draft before it leaves it to consideration.
pub const MAX_VERSIONS: u32 = 3;

/// What the policy remembers between events beyond the record: per draft version it revised, how
/// many objections its revision answered.
#[derive(Debug, Default)]
pub struct Memory {
    revised: BTreeMap<(String, u32), usize>,
}

/// The actions `me` takes on `event`, which `record` already holds. A policy writes in the
/// scenario's language (English when Muster has no catalogues for it), and says so.
pub fn react(me: &Participant, record: &Record, memory: &mut Memory, event: &Envelope) -> Vec<Action> {
    if me.absent || me.role == Role::Observer {
        return vec![];
    }
    let lang = record.plan.as_ref().and_then(|p| Lang::parse(&p.language)).unwrap_or_default();
    let acts = react_as(me, lang, record, memory, event);
    acts.into_iter().map(|act| act.written_in(lang.tag()).by(&me.node)).collect()
}

fn react_as(me: &Participant, lang: Lang, record: &Record, memory: &mut Memory, event: &Envelope) -> Vec<Act> {
    match &event.payload {
        Payload::Notification(_) => {
            vec![Act::assembly(words::say_with(lang, "policy-assembled", &[("name", Arg::from(me.name.first()))]))]
        }
        Payload::DeploymentOrdered(d) if me.role == Role::ControlPoint => {
            vec![Act::activation(d.comms_check_token.clone(), words::say(lang, "policy-activated"))]
        }
        Payload::StageOpened(stage) => match body_of(me) {
            Some(body) => {
                let by = record.plan.as_ref().and_then(|p| p.body(body)).map_or(me.name.first(), |p| p.name.first());
                stage
                    .slots
                    .iter()
                    .filter(|s| s.owner == body.to_wire() as i32 && !me.policy.skip.contains(&s.slot_id))
                    .map(|s| Act::draft(first_draft(lang, body, by, s, stage.stage_number)))
                    .collect()
            }
            None if matches!(me.role, Role::ControlPoint | Role::Guest) => vec![Act::assessment(
                stage.stage_number,
                words::say_with(
                    lang,
                    "policy-assessed",
                    &[("name", Arg::from(me.name.first())), ("region", Arg::from(stage.region.as_str()))],
                ),
            )],
            None => vec![],
        },
        Payload::DraftDecision(d) | Payload::DraftRevised(wire::DraftRevised { draft: Some(d), .. }) => {
            if !me.gives_positions() || me.policy.skip.contains(&d.slot_id) {
                return vec![];
            }
            let (kind, reasons) = position(lang, me, &d.slot_id, d.version);
            vec![Act::position(d.slot_id.clone(), d.version, kind, reasons)]
        }
        Payload::Position(p) if p.kind() == PositionKind::NonConcur => {
            let Some(body) = body_of(me) else { return vec![] };
            let Some(draft) = record.drafts.get(&p.slot_id) else { return vec![] };
            let Some(current) = draft.latest().map(|v| &v.draft) else { return vec![] };
            let mine = current.drafting_body == body.to_wire() as i32;
            if !mine || current.version != p.draft_version || current.version >= MAX_VERSIONS {
                return vec![];
            }
            // Every comment open on the version gets a disposition. An objection that arrives
            // while a revision is on its way makes that revision incomplete (it is refused): the
            // policy revises again, answering them all, under a message id of its own.
            let open = draft.open_comments(current.version);
            let objections: Vec<&record::Comment> = open.iter().filter(|c| c.objection).collect();
            let answered = memory.revised.entry((p.slot_id.clone(), p.draft_version)).or_default();
            if *answered >= objections.len() {
                return vec![];
            }
            let first = *answered == 0;
            *answered = objections.len();
            let mut objectors: Vec<String> = objections.iter().map(|c| c.state.to_string()).collect();
            objectors.dedup();
            let reasons: Vec<String> = objections.iter().map(|c| c.text.clone()).collect();
            let dispositions = open
                .iter()
                .map(|c| wire::Disposition {
                    comment_id: c.id.clone(),
                    kind: if c.objection { DispositionKind::Accepted } else { DispositionKind::Noted } as i32,
                    reason: words::say(lang, if c.objection { "policy-amended" } else { "policy-noted" }),
                })
                .collect();
            let (objectors, reasons) = (objectors.join(", "), reasons.join("; "));
            let revised = revise(lang, current, &objectors, &reasons);
            let args = [("objectors", Arg::from(objectors.as_str())), ("reasons", Arg::from(reasons.as_str()))];
            let summary = words::say_with(lang, "policy-change-summary", &args);
            let act = Act::revision(revised, summary, dispositions);
            match first {
                true => vec![act],
                false => {
                    let name = format!("{}-{}", act.name, objections.len());
                    vec![act.named(name)]
                }
            }
        }
        Payload::InjectReleased(released) if released.recipients.iter().any(|r| *r == me.node.as_str()) => {
            released.inject.as_ref().map(|i| Act::acknowledge(i.inject_id.clone())).into_iter().collect()
        }
        Payload::PackageCommunicated(package) if me.role == Role::ControlPoint => {
            vec![Act::receipt(package.package_id.clone(), package.digest.clone())]
        }
        _ => vec![],
    }
}

fn body_of(me: &Participant) -> Option<DraftingBody> {
    DraftingBody::ALL.iter().copied().find(|b| b.role() == me.role)
}

/// A state's position on one draft version, from its policy, its reasons written in `lang`.
pub fn position(lang: Lang, me: &Participant, slot: &str, version: u32) -> (PositionKind, Vec<String>) {
    let policy = &me.policy;
    let listed = |list: &[String]| list.iter().any(|s| s == slot);
    let reason = |id: &str| vec![words::say_with(lang, id, &[("name", Arg::from(me.name.first()))])];
    if listed(&policy.object) {
        (PositionKind::NonConcur, reason("policy-objects"))
    } else if listed(&policy.non_concur_first_version) && version == 1 {
        (PositionKind::NonConcur, reason("policy-asks-contribution"))
    } else if listed(&policy.abstain) {
        (PositionKind::Abstain, reason("policy-stands-aside"))
    } else {
        (PositionKind::Concur, vec![])
    }
}

fn first_draft(lang: Lang, body: DraftingBody, by: &str, slot: &wire::Slot, stage: u32) -> wire::DraftDecision {
    let args = [("title", Arg::from(slot.title.as_str())), ("body", Arg::from(by)), ("stage", Arg::from(stage))];
    wire::DraftDecision {
        slot_id: slot.slot_id.clone(),
        version: 1,
        drafting_body: body.to_wire() as i32,
        category: slot.category,
        title: slot.title.clone(),
        text: words::say_with(lang, "policy-draft", &args),
    }
}

fn revise(lang: Lang, current: &wire::DraftDecision, objector: &str, reasons: &str) -> wire::DraftDecision {
    let version = current.version + 1;
    let args = [("version", Arg::from(version)), ("objector", Arg::from(objector)), ("reasons", Arg::from(reasons))];
    wire::DraftDecision {
        version,
        text: format!("{}\n\n{}", current.text, words::say_with(lang, "policy-revision", &args)),
        ..current.clone()
    }
}

#[cfg(test)]
mod tests {
    use bus::{ExerciseId, NodeId, Sender};
    use record::{Keys, Mode, Plan};
    use scenario::Sketch;

    use super::*;

    fn scenario() -> scenario::Scenario {
        Sketch::new("policy")
            .participant("joint_staff", "js", &["policy = { skip = [\"x3\"] }"])
            .state("BY", &["policy = { non_concur_first_version = [\"x1\"], abstain = [\"x2\"] }"])
            .state("RU", &["policy = { object = [\"x2\"], skip = [\"x3\"] }"])
            .state("AM", &["absent = true", "mandatory = false"])
            .participant("guest", "quiet", &["mandatory = false"])
            .participant("guest", "vocal", &["mandatory = false", "policy = { gives_positions = true }"])
            .stage("10h", &[("x1", "joint_staff"), ("x2", "joint_staff"), ("x3", "joint_staff")])
            .build()
            .expect("valid")
    }

    fn who<'a>(scenario: &'a scenario::Scenario, node: &str) -> &'a Participant {
        scenario.participant(&NodeId::new(node).expect("valid")).expect("in the scenario")
    }

    fn from(p: &Participant, payload: Payload) -> Envelope {
        Envelope::new(ExerciseId::new("ex").expect("valid"), Sender::new(p.role, p.node.clone()), payload)
    }

    /// The record of the scenario's notification and `events`, as a seat folds it.
    fn record(scenario: &scenario::Scenario, events: &[Envelope]) -> Record {
        let (notification, _) = Plan::of(scenario, 60.0, Mode::Fast, &Keys::default()).to_messages(usize::MAX);
        let mut record = Record::default();
        let coordinator = record::coordinator();
        let mut notified =
            Envelope::new(ExerciseId::new("ex").expect("valid"), coordinator, Payload::Notification(notification));
        notified.message_id = bus::MessageId::new("notification").expect("valid");
        record.apply(&notified);
        for e in events {
            record.apply(e);
        }
        record
    }

    fn payloads(actions: Vec<Action>) -> Vec<(String, Payload)> {
        actions.into_iter().map(|a| (a.message_id.to_string(), a.payload)).collect()
    }

    #[test]
    fn a_policy_writes_in_the_scenarios_language_and_says_so() {
        let russian = Sketch::new("политика")
            .language("ru")
            .participant("joint_staff", "js", &[])
            .state("BY", &["name = \"Республика Беларусь\"", "policy = { object = [\"x1\"] }"])
            .stage("10h", &[("x1", "joint_staff")])
            .build()
            .expect("valid");
        let (js, by) = (who(&russian, "js"), who(&russian, "BY"));
        let folded = record(&russian, &[]);
        let notified = from(js, Payload::Notification(wire::Notification::default()));
        let acts = react(by, &folded, &mut Memory::default(), &notified);
        let [Action { payload: Payload::AssemblyReport(report), language, .. }] = acts.as_slice() else {
            panic!("an assembly report: {acts:?}")
        };
        assert_eq!(
            (report.remarks.as_str(), language.as_str()),
            ("Республика Беларусь: оперативная группа прибыла", "ru")
        );
        let draft = wire::DraftDecision { slot_id: "x1".into(), version: 1, ..Default::default() };
        let acts = react(by, &folded, &mut Memory::default(), &from(js, Payload::DraftDecision(draft)));
        let [Action { payload: Payload::Position(p), language, .. }] = acts.as_slice() else { panic!("{acts:?}") };
        assert_eq!(p.reasons, ["Республика Беларусь: возражаем против решения по существу"]);
        assert_eq!(language, "ru");
        // In English, an English scenario's policy says so too.
        let acts = react(who(&scenario(), "BY"), &record(&scenario(), &[]), &mut Memory::default(), &notified);
        assert!(acts.iter().all(|a| a.language == "en"), "{acts:?}");
    }

    #[test]
    fn each_state_answers_a_draft_as_its_policy_says_and_only_those_who_give_positions_answer() {
        let scenario = scenario();
        let js = who(&scenario, "js");
        let answer = |node: &str, slot: &str, version: u32| {
            let draft = wire::DraftDecision { slot_id: slot.into(), version, ..Default::default() };
            let event = from(js, Payload::DraftDecision(draft));
            payloads(react(who(&scenario, node), &record(&scenario, &[]), &mut Memory::default(), &event))
        };
        let kind = |answers: &[(String, Payload)]| match answers {
            [(_, Payload::Position(p))] => Some((p.kind(), p.reasons.len())),
            _ => None,
        };
        assert_eq!(kind(&answer("BY", "x1", 1)), Some((PositionKind::NonConcur, 1)), "not the first version of x1");
        assert_eq!(kind(&answer("BY", "x1", 2)), Some((PositionKind::Concur, 0)), "the revision is fine");
        assert_eq!(kind(&answer("BY", "x2", 1)), Some((PositionKind::Abstain, 1)));
        assert_eq!(
            kind(&answer("RU", "x2", 3)),
            Some((PositionKind::NonConcur, 1)),
            "an objection holds every version"
        );
        assert_eq!(answer("RU", "x3", 1), vec![], "RU says nothing on x3");
        assert_eq!(answer("AM", "x1", 1), vec![], "the absent say nothing");
        assert_eq!(answer("quiet", "x1", 1), vec![], "a guest answers only when its scenario says so");
        assert_eq!(kind(&answer("vocal", "x1", 1)), Some((PositionKind::Concur, 0)));
        assert_eq!(answer("BY", "x1", 1)[0].0, "BY-position-x1-v1", "a deterministic id");
    }

    #[test]
    fn a_drafting_body_drafts_what_it_owns_and_revises_what_a_state_did_not_concur_with_up_to_its_limit() {
        let scenario = scenario();
        let (js, by, ru) = (who(&scenario, "js"), who(&scenario, "BY"), who(&scenario, "RU"));
        let plan = Plan::of(&scenario, 60.0, Mode::Fast, &Keys::default());
        let stage = wire::StageOpened {
            stage_number: 1,
            slots: plan.stage(1).expect("a stage").slots.iter().map(|s| record::plan::slot_to_wire(s, "en")).collect(),
            ..Default::default()
        };
        let opened = from(js, Payload::StageOpened(stage));
        let drafts = payloads(react(js, &record(&scenario, &[]), &mut Memory::default(), &opened));
        let ids: Vec<&str> = drafts.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["js-draft-x1-v1", "js-draft-x2-v1"], "x3 is skipped");
        let assessed = payloads(react(by, &record(&scenario, &[]), &mut Memory::default(), &opened));
        assert!(matches!(assessed.as_slice(), [(_, Payload::SituationAssessment(_))]), "a state assesses");

        let draft = |version| wire::DraftDecision {
            slot_id: "x2".into(),
            version,
            drafting_body: DraftingBody::JointStaff.to_wire() as i32,
            ..Default::default()
        };
        let position = |version| wire::Position {
            slot_id: "x2".into(),
            draft_version: version,
            kind: PositionKind::NonConcur as i32,
            reasons: vec!["no".into()],
        };
        let mut memory = Memory::default();
        let mut events = vec![from(js, Payload::DraftDecision(draft(1))), from(ru, Payload::Position(position(1)))];
        let revised = payloads(react(js, &record(&scenario, &events), &mut memory, &events[1]));
        let [(id, Payload::DraftRevised(r))] = revised.as_slice() else { panic!("one revision: {revised:?}") };
        assert_eq!(id, "js-draft-x2-v2");
        assert_eq!(r.draft.as_ref().map(|d| d.version), Some(2));
        assert_eq!(r.dispositions.len(), 1, "the objection is answered: {r:?}");
        assert_eq!(react(js, &record(&scenario, &events), &mut memory, &events[1]), vec![], "revised once");
        events.extend([from(js, Payload::DraftRevised(r.clone())), from(ru, Payload::Position(position(2)))]);
        let again = payloads(react(js, &record(&scenario, &events), &mut memory, &events[3]));
        let [(id, Payload::DraftRevised(v3))] = again.as_slice() else { panic!("a second revision: {again:?}") };
        assert_eq!(id, "js-draft-x2-v3", "the objection held: revised again");
        events.extend([from(js, Payload::DraftRevised(v3.clone())), from(ru, Payload::Position(position(3)))]);
        let last = events.last().cloned().expect("an event");
        assert_eq!(react(js, &record(&scenario, &events), &mut memory, &last), vec![], "no version past the limit");
    }
}
