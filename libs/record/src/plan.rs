//! The plan of an exercise: what the notification tells every reader about the scenario in force
//! (participants, stages and slots, deadlines, decision rule, clock). The coordinator writes it
//! into the log from the scenario file; every reader takes it from there.

use std::time::Duration;

use bus::{NodeId, Role, Sender};
use proto::v1 as wire;
use scenario::{
    Calendar, Category, DecisionRule, DraftingBody, Inject, PlayedBy, Release, Scenario, Slot, Stage, Transport,
};
use words::Text;

use crate::phase::Phase;

/// How windows close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every stage stays open until its deadline (assembly, deployment and distribution close
    /// early once everyone expected has answered, as in the source).
    Scaled,
    /// Stages too close as soon as everything expected has arrived.
    Fast,
}

/// Exercise seconds per wall second in fast mode (ten exercise hours a second): windows that wait
/// for a silent participant end within a second, while stages close as soon as all is in.
pub const FAST_TIME_SCALE: f64 = 36_000.0;

/// The most a notification or a list of participants holds, encoded: half the envelope's limit,
/// the rest left for the envelope around it.
pub const MESSAGE_BUDGET: usize = 128 * 1024;

/// One participant as the log knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    /// Its role.
    pub role: Role,
    /// Its node id.
    pub node: NodeId,
    /// Name for people.
    pub name: Text,
    /// Assembly waits for it.
    pub mandatory: bool,
    /// A guest whose positions count as recorded answers (states always answer).
    pub guest_positions: bool,
    /// Who plays the seat.
    pub played_by: PlayedBy,
    /// Takes part over gRPC through the gateway.
    pub remote: bool,
    /// Its public key: its submissions must carry its signature. `None` when unsigned (development).
    pub public_key: Option<String>,
    /// Declared absent in the scenario: nothing is awaited of it.
    pub declared_absent: bool,
}

impl Participant {
    /// Its sender identity.
    pub fn sender(&self) -> Sender {
        Sender::new(self.role, self.node.clone())
    }

    /// Whether assembly waits for its report: mandatory, not an observer, not declared absent.
    pub fn reports_at_assembly(&self) -> bool {
        self.mandatory && self.role != Role::Observer && !self.declared_absent
    }

    /// Whether it gives positions on drafts.
    pub fn gives_positions(&self) -> bool {
        scenario::model::gives_positions(self.role, self.guest_positions)
    }
}

/// The exercise as planned.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// SHA-256 (hex) of the scenario file it was read from; empty when none.
    pub scenario_digest: String,
    /// The language the scenario's texts are first written in (`ru`).
    pub language: String,
    /// Title, for people.
    pub title: Text,
    /// What the exercise is about.
    pub description: Text,
    /// The start on the calendar as written (may be empty).
    pub starts: String,
    /// Exercise seconds per wall second in this run.
    pub time_scale: f64,
    /// How windows close.
    pub mode: Mode,
    /// How drafts are decided.
    pub decision_rule: DecisionRule,
    /// Assembly closes, after the start.
    pub assembly_deadline: Duration,
    /// Deployment closes, after the start.
    pub deployment_deadline: Duration,
    /// Receipts are due, after the start.
    pub distribution_deadline: Duration,
    /// Everyone who takes part, in scenario order.
    pub participants: Vec<Participant>,
    /// Participants the notification announced and no event has listed yet: they follow in
    /// `ParticipantsListed` events. 0 once the plan is whole.
    pub unlisted: usize,
    /// The stages, in order.
    pub stages: Vec<Stage>,
    /// Exercise control's public key: pause, resume and advance must carry its signature.
    pub director_key: Option<String>,
    /// Indexes into `participants`, in the order of their nodes: every submission looks its
    /// sender up, and at 10,000 states a scan of the list is 10,000 comparisons.
    by_node: Vec<u32>,
    /// How many of them are member states' control points.
    control_points: usize,
}

/// The public keys that submissions are checked against: every seat's and the director's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys {
    /// By node id.
    pub seats: std::collections::BTreeMap<NodeId, String>,
    /// Exercise control's.
    pub director: Option<String>,
}

/// What is wrong with a notification's plan.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("notification: {field}: {reason}")]
pub struct PlanError {
    /// The field.
    pub field: &'static str,
    /// What is wrong.
    pub reason: String,
}

fn wrong(field: &'static str, reason: impl Into<String>) -> PlanError {
    PlanError { field, reason: reason.into() }
}

impl Plan {
    /// The plan of a run of `scenario` at `time_scale`, checking submissions against `keys`.
    pub fn of(scenario: &Scenario, time_scale: f64, mode: Mode, keys: &Keys) -> Plan {
        Plan {
            scenario_digest: scenario.digest.clone(),
            language: scenario.language.clone(),
            title: scenario.title.clone(),
            description: scenario.description.clone(),
            starts: scenario.starts.clone(),
            time_scale,
            mode,
            decision_rule: scenario.decision_rule,
            assembly_deadline: scenario.assembly_deadline,
            deployment_deadline: scenario.deployment_deadline,
            distribution_deadline: scenario.distribution_deadline,
            participants: scenario
                .participants
                .iter()
                .map(|p| Participant {
                    role: p.role,
                    node: p.node.clone(),
                    name: p.name.clone(),
                    mandatory: p.mandatory,
                    guest_positions: p.role == Role::Guest && p.policy.gives_positions,
                    played_by: p.played_by,
                    remote: p.transport == Transport::Grpc,
                    public_key: keys.seats.get(&p.node).cloned(),
                    declared_absent: p.absent,
                })
                .collect(),
            unlisted: 0,
            stages: scenario.stages.clone(),
            director_key: keys.director.clone(),
            by_node: Vec::new(),
            control_points: 0,
        }
        .indexed()
    }

    fn indexed(mut self) -> Plan {
        self.index();
        self
    }

    fn index(&mut self) {
        let participants = &self.participants;
        let mut by_node: Vec<u32> = (0..participants.len()).filter_map(|i| u32::try_from(i).ok()).collect();
        by_node.sort_by(|&a, &b| participants[a as usize].node.cmp(&participants[b as usize].node));
        self.by_node = by_node;
        self.control_points = self.states().count();
    }

    /// Whether every participant is listed.
    pub fn is_whole(&self) -> bool {
        self.unlisted == 0
    }

    /// How many participants the exercise has, listed or still to be.
    pub fn participants_total(&self) -> usize {
        self.participants.len() + self.unlisted
    }

    /// The calendar of the start, when the plan names one.
    pub fn calendar(&self) -> Option<Calendar> {
        Calendar::parse(&self.starts).ok()
    }

    /// A participant by node id.
    pub fn participant(&self, node: &NodeId) -> Option<&Participant> {
        if !self.is_indexed() {
            return self.participants.iter().find(|p| &p.node == node);
        }
        let at = |i: &u32| self.participants.get(*i as usize);
        let found = self.by_node.binary_search_by(|i| at(i).map_or(std::cmp::Ordering::Less, |p| p.node.cmp(node)));
        found.ok().and_then(|k| self.by_node.get(k)).and_then(at)
    }

    /// How many member states take part.
    pub fn state_count(&self) -> usize {
        if self.is_indexed() { self.control_points } else { self.states().count() }
    }

    /// Whether the index still fits the list (the list may have been changed from outside since).
    fn is_indexed(&self) -> bool {
        self.by_node.len() == self.participants.len()
    }

    /// The member states' control points, in scenario order.
    pub fn states(&self) -> impl Iterator<Item = &Participant> {
        self.participants.iter().filter(|p| p.role == Role::ControlPoint)
    }

    /// Stage `n` (1-based).
    pub fn stage(&self, n: u32) -> Option<&Stage> {
        self.stages.get((n as usize).checked_sub(1)?)
    }

    /// Every slot of every stage, with its stage number.
    pub fn slots(&self) -> impl Iterator<Item = (u32, &Slot)> {
        self.stages.iter().flat_map(|s| s.slots.iter().map(move |slot| (s.number, slot)))
    }

    /// A slot by id, with its stage number.
    pub fn slot(&self, id: &str) -> Option<(u32, &Slot)> {
        self.slots().find(|(_, s)| s.id == id)
    }

    /// The participant that drafts for `body`.
    pub fn body(&self, body: DraftingBody) -> Option<&Participant> {
        self.participants.iter().find(|p| p.role == body.role())
    }

    /// The deadline of a phase, exercise time after the start.
    pub fn deadline(&self, phase: Phase) -> Option<Duration> {
        match phase {
            Phase::Assembly => Some(self.assembly_deadline),
            Phase::Deployment => Some(self.deployment_deadline),
            Phase::Stage(n) => self.stage(n).map(|s| s.closes_at),
            Phase::Distribution => Some(self.distribution_deadline),
            Phase::NotStarted | Phase::Concluded => None,
        }
    }

    /// The notification that carries this plan, in one message however long.
    pub fn to_notification(&self) -> wire::Notification {
        let language = self.language.as_str();
        let (scenario_title, scenario_title_in) = text_to_wire(&self.title, language);
        let (description, description_in) = text_to_wire(&self.description, language);
        wire::Notification {
            scenario_title,
            scenario_title_in,
            participants: self.participants.iter().map(|p| participant_to_wire(p, language)).collect(),
            assembly_deadline: after_start(self.assembly_deadline),
            description,
            description_in,
            language: self.language.clone(),
            scenario_digest: self.scenario_digest.clone(),
            starts: self.starts.clone(),
            time_scale: self.time_scale,
            decision_rule: match self.decision_rule {
                DecisionRule::Consensus => wire::DecisionRule::Consensus,
                DecisionRule::Silence => wire::DecisionRule::Silence,
            } as i32,
            deployment_deadline: after_start(self.deployment_deadline),
            distribution_deadline: after_start(self.distribution_deadline),
            stages: self.stages.iter().map(|s| stage_to_wire(s, language)).collect(),
            closes_early: self.mode == Mode::Fast,
            director_key: self.director_key.clone().unwrap_or_default(),
            participants_total: if self.is_whole() { 0 } else { self.participants_total() as u32 },
        }
    }

    /// The notification and the lists that follow it, each of at most `budget` bytes encoded:
    /// the participants go into the notification as long as it fits, the rest into as few lists
    /// as hold them. A plan that fits is the notification alone.
    pub fn to_messages(&self, budget: usize) -> (wire::Notification, Vec<wire::ParticipantsListed>) {
        use prost::Message as _;
        let mut notification = self.to_notification();
        if notification.encoded_len() <= budget {
            return (notification, Vec::new());
        }
        let mut rest = std::mem::take(&mut notification.participants).into_iter().peekable();
        let mut size = notification.encoded_len() + 8;
        while let Some(p) = rest.next_if(|p| size + listed_len(p) <= budget) {
            size += listed_len(&p);
            notification.participants.push(p);
        }
        notification.participants_total = self.participants_total() as u32;
        let mut lists = Vec::new();
        while rest.peek().is_some() {
            let (mut list, mut size) = (wire::ParticipantsListed::default(), 0);
            // One participant is listed whatever its size: a list never comes out empty.
            while let Some(p) = rest.next_if(|p| list.participants.is_empty() || size + listed_len(p) <= budget) {
                size += listed_len(&p);
                list.participants.push(p);
            }
            lists.push(list);
        }
        (notification, lists)
    }

    /// Takes in the next participants of the list; more than the notification announced is refused.
    pub fn list(&mut self, listed: &wire::ParticipantsListed) -> Result<(), PlanError> {
        if listed.participants.len() > self.unlisted {
            return Err(wrong(
                "participants_total",
                format!("{} more listed where {} were announced", listed.participants.len(), self.unlisted),
            ));
        }
        let language = self.language.as_str();
        let more =
            listed.participants.iter().map(|p| participant_from_wire(p, language)).collect::<Result<Vec<_>, _>>()?;
        self.unlisted -= more.len();
        self.participants.extend(more);
        self.index();
        Ok(())
    }

    /// The plan a notification carries.
    pub fn from_notification(n: &wire::Notification) -> Result<Plan, PlanError> {
        let language = if n.language.is_empty() { scenario::validate::DEFAULT_LANGUAGE } else { n.language.as_str() };
        if !words::is_tag(language) {
            return Err(wrong("language", format!("`{}` is not a language tag", bus::text::shown(language))));
        }
        let participants =
            n.participants.iter().map(|p| participant_from_wire(p, language)).collect::<Result<Vec<_>, PlanError>>()?;
        let total = n.participants_total as usize;
        if total != 0 && total < participants.len() {
            return Err(wrong("participants_total", format!("{total} announced, {} listed", participants.len())));
        }
        let stages = n
            .stages
            .iter()
            .map(|s| {
                Ok(Stage {
                    number: s.stage_number,
                    title: text_from_wire(language, &s.title, &s.title_in),
                    region: text_from_wire(language, &s.region, &s.region_in),
                    situation: text_from_wire(language, &s.situation, &s.situation_in),
                    tasks: tasks_from_wire(language, &s.tasks, &s.tasks_in),
                    closes_at: duration(s.closes_at, "stages.closes_at")?,
                    slots: s.slots.iter().map(|slot| slot_from_wire(slot, language)).collect::<Result<Vec<_>, _>>()?,
                    injects: s.injects.iter().map(|i| inject_from_wire(i, language)).collect::<Result<Vec<_>, _>>()?,
                })
            })
            .collect::<Result<Vec<_>, PlanError>>()?;
        let time_scale = n.time_scale;
        if !(time_scale.is_finite() && time_scale > 0.0) {
            return Err(wrong("time_scale", format!("{time_scale} is not a positive number")));
        }
        Ok(Plan {
            scenario_digest: n.scenario_digest.clone(),
            language: language.to_owned(),
            title: text_from_wire(language, &n.scenario_title, &n.scenario_title_in),
            description: text_from_wire(language, &n.description, &n.description_in),
            starts: n.starts.clone(),
            time_scale,
            mode: if n.closes_early { Mode::Fast } else { Mode::Scaled },
            decision_rule: match n.decision_rule() {
                wire::DecisionRule::Silence => DecisionRule::Silence,
                wire::DecisionRule::Consensus | wire::DecisionRule::Unspecified => DecisionRule::Consensus,
            },
            assembly_deadline: duration(n.assembly_deadline, "assembly_deadline")?,
            deployment_deadline: duration(n.deployment_deadline, "deployment_deadline")?,
            distribution_deadline: duration(n.distribution_deadline, "distribution_deadline")?,
            unlisted: total.saturating_sub(participants.len()),
            participants,
            stages,
            director_key: Some(n.director_key.clone()).filter(|k| !k.is_empty()),
            by_node: Vec::new(),
            control_points: 0,
        }
        .indexed())
    }
}

/// A participant's encoded length within a list (its field's tag and length prefix included).
fn listed_len(p: &wire::Participant) -> usize {
    use prost::Message as _;
    let len = p.encoded_len();
    1 + prost::length_delimiter_len(len) + len
}

fn participant_to_wire(p: &Participant, language: &str) -> wire::Participant {
    let (display_name, display_name_in) = text_to_wire(&p.name, language);
    wire::Participant {
        identity: Some((&p.sender()).into()),
        mandatory: p.mandatory,
        display_name,
        display_name_in,
        gives_positions: p.guest_positions,
        played_by: match p.played_by {
            PlayedBy::Policy => wire::PlayedBy::Policy,
            PlayedBy::Person => wire::PlayedBy::Person,
        } as i32,
        remote: p.remote,
        public_key: p.public_key.clone().unwrap_or_default(),
        declared_absent: p.declared_absent,
    }
}

fn participant_from_wire(p: &wire::Participant, language: &str) -> Result<Participant, PlanError> {
    let sender = p.identity.clone().ok_or_else(|| wrong("participants", "a participant without identity"))?;
    let sender = Sender::try_from(sender).map_err(|e| wrong("participants", e.to_string()))?;
    // A name that is the node id is a code, of no language (the scenario gave it none).
    let name = match p.display_name == sender.node.as_str() && p.display_name_in.is_empty() {
        true => Text::new("", p.display_name.clone()),
        false => text_from_wire(language, &p.display_name, &p.display_name_in),
    };
    Ok(Participant {
        role: sender.role,
        node: sender.node,
        name,
        mandatory: p.mandatory,
        guest_positions: p.gives_positions,
        played_by: match p.played_by() {
            wire::PlayedBy::Person => PlayedBy::Person,
            wire::PlayedBy::Policy | wire::PlayedBy::Unspecified => PlayedBy::Policy,
        },
        remote: p.remote,
        public_key: Some(p.public_key.clone()).filter(|k| !k.is_empty()),
        declared_absent: p.declared_absent,
    })
}

/// Exercise time after the start, as the wire carries it.
pub fn after_start(offset: Duration) -> Option<prost_types::Duration> {
    prost_types::Duration::try_from(offset).ok()
}

fn duration(d: Option<prost_types::Duration>, field: &'static str) -> Result<Duration, PlanError> {
    let d = d.ok_or_else(|| wrong(field, "is missing"))?;
    Duration::try_from(d).map_err(|e| wrong(field, e.to_string()))
}

/// A text as the wire carries it: in the scenario's `language` plain, in the others beside it.
pub fn text_to_wire(text: &Text, language: &str) -> (String, Vec<wire::Translation>) {
    let plain = text.get(language).unwrap_or_else(|| text.first()).to_owned();
    let others = text
        .versions()
        .filter(|(tag, _)| *tag != language && words::is_tag(tag))
        .map(|(tag, text)| wire::Translation { language: tag.to_owned(), text: text.to_owned() })
        .collect();
    (plain, others)
}

/// A text from the wire: `plain` in the scenario's `language`, `others` in theirs. A translation
/// that names no language, or the scenario's own, is not one and is left out.
pub fn text_from_wire(language: &str, plain: &str, others: &[wire::Translation]) -> Text {
    others
        .iter()
        .filter(|t| t.language != language && words::is_tag(&t.language))
        .fold(Text::new(language, plain), |text, t| text.and(t.language.clone(), t.text.clone()))
}

fn tasks_from_wire(language: &str, tasks: &[String], translated: &[wire::Translations]) -> Vec<Text> {
    let none = wire::Translations::default();
    tasks
        .iter()
        .enumerate()
        .map(|(i, task)| text_from_wire(language, task, &translated.get(i).unwrap_or(&none).translations))
        .collect()
}

/// A stage as the plan carries it; `StageOpened` carries the same texts.
pub fn stage_to_wire(s: &Stage, language: &str) -> wire::StagePlan {
    let (title, title_in) = text_to_wire(&s.title, language);
    let (region, region_in) = text_to_wire(&s.region, language);
    let (situation, situation_in) = text_to_wire(&s.situation, language);
    let (tasks, tasks_in): (Vec<String>, Vec<wire::Translations>) = s
        .tasks
        .iter()
        .map(|t| {
            let (plain, translations) = text_to_wire(t, language);
            (plain, wire::Translations { translations })
        })
        .unzip();
    let translated = tasks_in.iter().any(|t| !t.translations.is_empty());
    wire::StagePlan {
        stage_number: s.number,
        title,
        title_in,
        region,
        region_in,
        situation,
        situation_in,
        tasks,
        tasks_in: if translated { tasks_in } else { Vec::new() },
        slots: s.slots.iter().map(|slot| slot_to_wire(slot, language)).collect(),
        closes_at: after_start(s.closes_at),
        injects: s.injects.iter().map(|i| inject_to_wire(i, language)).collect(),
    }
}

pub fn inject_to_wire(i: &Inject, language: &str) -> wire::Inject {
    let (from, from_in) = i.from.as_ref().map(|f| text_to_wire(f, language)).unwrap_or_default();
    let (text, text_in) = text_to_wire(&i.text, language);
    let (expects, expects_in) = text_to_wire(&i.expects, language);
    let (objective, objective_in) = text_to_wire(&i.objective, language);
    wire::Inject {
        inject_id: i.id.clone(),
        after: match i.release {
            Release::After(after) => after_start(after),
            Release::ByHand => None,
        },
        from,
        from_in,
        to: i.to.iter().map(ToString::to_string).collect(),
        text,
        text_in,
        expects,
        expects_in,
        slot_id: i.slot.clone().unwrap_or_default(),
        objective,
        objective_in,
    }
}

pub fn inject_from_wire(i: &wire::Inject, language: &str) -> Result<Inject, PlanError> {
    let to = i.to.iter().map(|n| NodeId::new(n.as_str())).collect::<Result<Vec<_>, _>>();
    Ok(Inject {
        id: i.inject_id.clone(),
        release: match i.after {
            Some(after) => Release::After(duration(Some(after), "stages.injects.after")?),
            None => Release::ByHand,
        },
        from: Some(text_from_wire(language, &i.from, &i.from_in)).filter(|f| !f.is_empty()),
        to: to.map_err(|e| wrong("stages.injects.to", e.to_string()))?,
        text: text_from_wire(language, &i.text, &i.text_in),
        expects: text_from_wire(language, &i.expects, &i.expects_in),
        slot: Some(i.slot_id.clone()).filter(|s| !s.is_empty()),
        objective: text_from_wire(language, &i.objective, &i.objective_in),
    })
}

/// A slot as the wire carries it.
pub fn slot_to_wire(s: &Slot, language: &str) -> wire::Slot {
    let (title, title_in) = text_to_wire(&s.title, language);
    wire::Slot {
        slot_id: s.id.clone(),
        title,
        title_in,
        owner: s.owner.to_wire() as i32,
        category: s.category.to_wire() as i32,
    }
}

fn slot_from_wire(s: &wire::Slot, language: &str) -> Result<Slot, PlanError> {
    Ok(Slot {
        id: s.slot_id.clone(),
        title: text_from_wire(language, &s.title, &s.title_in),
        owner: DraftingBody::ALL
            .iter()
            .copied()
            .find(|b| b.to_wire() as i32 == s.owner)
            .ok_or_else(|| wrong("stages.slots.owner", format!("unknown drafting body {}", s.owner)))?,
        category: Category::ALL
            .iter()
            .copied()
            .find(|c| c.to_wire() as i32 == s.category)
            .ok_or_else(|| wrong("stages.slots.category", format!("unknown category {}", s.category)))?,
    })
}

/// A plan serialized as the notification that carries it (`#[serde(with)]`): the wire form, so a
/// plan read back is one a reader of the log would have folded.
pub(crate) mod as_notification {
    use std::sync::Arc;

    use prost::Message as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Plan, wire};

    pub(crate) fn serialize<S: Serializer>(plan: &Option<Arc<Plan>>, to: S) -> Result<S::Ok, S::Error> {
        plan.as_ref().map(|p| p.to_notification().encode_to_vec()).serialize(to)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Option<Arc<Plan>>, D::Error> {
        let Some(bytes) = Option::<Vec<u8>>::deserialize(from)? else { return Ok(None) };
        let notification = wire::Notification::decode(bytes.as_slice()).map_err(serde::de::Error::custom)?;
        Plan::from_notification(&notification).map(|p| Some(Arc::new(p))).map_err(serde::de::Error::custom)
    }
}

/// The default scenario and its plan in fast mode, for tests.
#[cfg(test)]
pub(crate) fn default_plan() -> (Scenario, Plan) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios/cst-2025.toml");
    let scenario = scenario::load(std::path::Path::new(path)).expect("the default scenario");
    let plan = Plan::of(&scenario, 60.0, Mode::Fast, &Keys::default());
    (scenario, plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stages_injects_travel_in_the_notification_whole() {
        let text = scenario::Sketch::new("injects")
            .participant("joint_staff", "js", &[])
            .state("BY", &[])
            .stage("10h", &[("x1", "joint_staff")])
            .toml()
            + "\n[[stages.injects]]\nid = \"i1\"\nat = \"2h\"\nto = [\"BY\"]\nslot = \"x1\"\n\
               from = { en = \"Agency\", ru = \"Агентство\" }\ntext = \"Crowds at the border\"\n\
               expects = \"Report\"\n\n[[stages.injects]]\nid = \"i2\"\nat = \"by hand\"\ntext = \"Border closed\"\n";
        let scenario = scenario::parse(&text, "injects.toml").expect("valid");
        assert_eq!(scenario.stages[0].injects.len(), 2);
        let plan = Plan::of(&scenario, 60.0, Mode::Fast, &Keys::default());
        let (notification, _) = plan.to_messages(usize::MAX);
        assert_eq!(Plan::from_notification(&notification).expect("a plan"), plan);
        assert_eq!(notification.scenario_digest, scenario::digest(&text));
    }

    #[test]
    fn a_participant_is_found_by_node_whether_listed_in_the_notification_or_after_it() {
        let (scenario, whole) = default_plan();
        // So small a budget that the notification holds few participants and lists bring the rest.
        let (notification, lists) = whole.to_messages(2_000);
        assert!(!lists.is_empty(), "the participants all fit in the notification");
        let mut plan = Plan::from_notification(&notification).expect("a plan");
        for list in &lists {
            plan.list(list).expect("listed");
        }
        assert_eq!(plan, whole);
        for p in &scenario.participants {
            assert_eq!(plan.participant(&p.node).map(|found| &found.node), Some(&p.node));
        }
        assert!(plan.participant(&NodeId::new("nobody").expect("valid")).is_none());
        let states = scenario.participants.iter().filter(|p| p.role == Role::ControlPoint).count();
        assert_eq!((plan.state_count(), whole.state_count()), (states, states));
        // Changed from outside, the list is still searched right.
        plan.participants.retain(|p| p.role != Role::ControlPoint);
        assert_eq!(plan.state_count(), 0);
        assert!(
            scenario.participants.iter().all(|p| plan.participant(&p.node).is_none() == (p.role == Role::ControlPoint))
        );
    }
}
