//! From scenario text to a validated [`Scenario`], collecting every problem with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bus::{NodeId, Role};

use crate::calendar::Calendar;
use crate::duration;
use crate::error::Problem;
use crate::file::{
    DeadlinesFile, InjectFile, ParticipantFile, PolicyFile, ScenarioFile, SlotFile, StageFile, TextFile,
};
use crate::locate::{FieldPath, Locator, Segment};
use crate::model::{
    BY_HAND, Category, DecisionRule, DraftingBody, Inject, Participant, PlayedBy, Policy, Release, Scenario, Slot,
    Stage, Text, Transport,
};
use crate::model::{MAX_TIME_SCALE, MIN_TIME_SCALE};

/// Validates scenario text; on failure returns every problem found, in line order.
pub fn scenario(text: &str) -> Result<Scenario, Vec<Problem>> {
    let mut check =
        Checker { locator: Locator::new(text), problems: Vec::new(), language: String::new(), texts: Vec::new() };
    let file = check.read(text)?;
    let scenario = check.scenario(file);
    if let (true, Some(scenario)) = (check.problems.is_empty(), scenario) {
        return Ok(scenario);
    }
    check.problems.sort_by_key(|p| p.line);
    Err(check.problems)
}

struct Checker<'t> {
    locator: Locator<'t>,
    problems: Vec<Problem>,
    /// The scenario's language: plain texts are in it, and every text must be given in it.
    language: String,
    /// Every text read, with the languages it is given in.
    texts: Vec<(FieldPath, Vec<String>)>,
}

/// The language of a scenario that names none.
pub const DEFAULT_LANGUAGE: &str = words::FALLBACK;

fn root() -> FieldPath {
    FieldPath::default()
}

impl Checker<'_> {
    fn problem(&mut self, path: &FieldPath, message: impl Into<String>) {
        self.problems.push(Problem { line: self.locator.line(path), field: path.to_string(), message: message.into() });
    }

    /// Parses the TOML and reads it into the file model; unknown keys are problems, not failures.
    fn read(&mut self, text: &str) -> Result<ScenarioFile, Vec<Problem>> {
        let syntax_error = |e: toml::de::Error| {
            let line = e.span().map_or(1, |span| self.locator.line_of(span));
            vec![Problem { line, field: String::new(), message: e.message().trim().to_owned() }]
        };
        let deserializer = toml::de::Deserializer::parse(text).map_err(syntax_error)?;
        let mut unknown = Vec::new();
        let file =
            serde_ignored::deserialize(deserializer, |path| unknown.push(field_path(&path))).map_err(syntax_error)?;
        for path in unknown {
            let key = path.0.last().map(|s| match s {
                Segment::Key(k) => k.clone(),
                Segment::Index(i) => i.to_string(),
            });
            self.problem(&path, format!("unknown key `{}`", key.unwrap_or_default()));
        }
        Ok(file)
    }

    fn required(&mut self, value: Option<String>, path: &FieldPath) -> Option<String> {
        match value {
            Some(v) if !v.trim().is_empty() => Some(v),
            Some(_) => {
                self.problem(path, "must not be empty");
                None
            }
            None => {
                self.problem(path, "is missing");
                None
            }
        }
    }

    /// A text for people, plain or per language; `None` (with a problem) when it is required and
    /// missing, or wrong.
    fn text(&mut self, value: Option<TextFile>, path: &FieldPath) -> Option<Text> {
        match value {
            None => self.required(None, path).map(|_| Text::default()),
            Some(TextFile::Plain(text)) => {
                let text = self.required(Some(text), path)?;
                self.texts.push((path.clone(), vec![self.language.clone()]));
                Some(Text::new(self.language.clone(), text))
            }
            Some(TextFile::ByLanguage(by)) => {
                let mut ok = true;
                for language in by.keys().filter(|l| !words::is_tag(l)) {
                    self.problem(path, format!("`{language}` is not a language tag (such as ru, en, kk)"));
                    ok = false;
                }
                // An empty translation would show its readers nothing, unmarked: leave it out instead.
                let own = self.language.clone();
                for (language, _) in by.iter().filter(|(l, t)| **l != own && t.trim().is_empty()) {
                    self.problem(
                        path,
                        format!("the `{language}` text is empty; leave it out to show the scenario's own"),
                    );
                    ok = false;
                }
                let Some(first) = by.get(&own) else {
                    let given: Vec<&str> = by.keys().map(String::as_str).collect();
                    self.problem(
                        path,
                        format!(
                            "no text in `{own}`, the scenario's language (given in: {}); every text must have it",
                            given.join(", ")
                        ),
                    );
                    return None;
                };
                let first = self.required(Some(first.clone()), path)?;
                self.texts.push((path.clone(), by.keys().cloned().collect()));
                let others: Vec<(String, String)> = by.into_iter().filter(|(l, _)| *l != own).collect();
                let text = others.into_iter().fold(Text::new(own, first), |t, (l, s)| t.and(l, s));
                ok.then_some(text)
            }
        }
    }

    /// An optional text: empty when not given.
    fn optional_text(&mut self, value: Option<TextFile>, path: &FieldPath) -> Option<Text> {
        match value {
            None => Some(Text::new(self.language.clone(), "")),
            Some(TextFile::Plain(text)) if text.trim().is_empty() => Some(Text::new(self.language.clone(), "")),
            some => self.text(some, path),
        }
    }

    /// Every language the scenario's texts are given in (its own first), and each text that lacks
    /// one of them.
    fn languages(&mut self) -> (Vec<String>, Vec<Problem>) {
        let mut languages: Vec<String> = vec![self.language.clone()];
        for (_, given) in &self.texts {
            for language in given {
                if !languages.contains(language) {
                    languages.push(language.clone());
                }
            }
        }
        languages[1..].sort();
        let mut untranslated = Vec::new();
        for (path, given) in &self.texts {
            let missing: Vec<&str> = languages.iter().filter(|l| !given.contains(l)).map(String::as_str).collect();
            if !missing.is_empty() {
                untranslated.push(Problem {
                    line: self.locator.line(path),
                    field: path.to_string(),
                    message: format!(
                        "not given in {} (readers of it see `{}`, marked)",
                        missing.join(", "),
                        self.language
                    ),
                });
            }
        }
        untranslated.sort_by_key(|p| p.line);
        (languages, untranslated)
    }

    fn duration(&mut self, value: Option<String>, path: &FieldPath) -> Option<Duration> {
        let text = self.required(value, path)?;
        duration::parse(&text).map_err(|e| self.problem(path, e)).ok()
    }

    fn token<T>(
        &mut self,
        value: Option<String>,
        path: &FieldPath,
        parse: fn(&str) -> Option<T>,
        known: &[&str],
    ) -> Option<T> {
        let text = self.required(value, path)?;
        let parsed = parse(&text);
        if parsed.is_none() {
            self.problem(path, format!("unknown value `{text}`; expected one of: {}", known.join(", ")));
        }
        parsed
    }

    fn scenario(&mut self, file: ScenarioFile) -> Option<Scenario> {
        self.language = match file.language {
            None => DEFAULT_LANGUAGE.to_owned(),
            Some(language) if words::is_tag(&language) => language,
            Some(language) => {
                self.problem(
                    &root().key("language"),
                    format!("`{language}` is not a language tag (such as ru, en, kk)"),
                );
                DEFAULT_LANGUAGE.to_owned()
            }
        };
        let title = self.text(file.title, &root().key("title"));
        let description = self.optional_text(file.description, &root().key("description"));
        let time_scale = match file.time_scale {
            Some(s) if s.is_finite() && (MIN_TIME_SCALE..=MAX_TIME_SCALE).contains(&s) => Some(s),
            Some(s) => {
                self.problem(
                    &root().key("time_scale"),
                    format!("must be between {MIN_TIME_SCALE} and {MAX_TIME_SCALE} exercise seconds per wall second, not {s}"),
                );
                None
            }
            None => Some(1.0),
        };
        let decision_rule = match file.decision_rule.as_deref() {
            None | Some("consensus") => Some(DecisionRule::Consensus),
            Some("silence") => Some(DecisionRule::Silence),
            Some(other) => {
                self.problem(
                    &root().key("decision_rule"),
                    format!("unknown value `{other}`; expected consensus or silence"),
                );
                None
            }
        };
        let starts = file.starts.unwrap_or_default();
        if !starts.trim().is_empty()
            && let Err(e) = Calendar::parse(&starts)
        {
            self.problem(&root().key("starts"), e);
        }
        let deadlines = self.deadlines(file.deadlines);
        let participants = self.participants(file.participants);
        let mut slot_ids = BTreeMap::new();
        let stages = self.stages(file.stages, &participants, &mut slot_ids);
        if let (Some(deadlines), Some(stages)) = (&deadlines, &stages) {
            self.deadline_order(deadlines, stages);
            self.inject_times(deadlines[1], stages);
        }
        self.policy_slots(&participants, &slot_ids);
        let (languages, untranslated) = self.languages();
        let [assembly, deployment, distribution] = deadlines?;
        Some(Scenario {
            // Set by `parse`, which has the text.
            digest: String::new(),
            language: self.language.clone(),
            languages,
            untranslated,
            title: title?,
            description: description?,
            starts,
            time_scale: time_scale?,
            decision_rule: decision_rule?,
            assembly_deadline: assembly,
            deployment_deadline: deployment,
            distribution_deadline: distribution,
            participants: participants.into_iter().map(|(_, p)| p).collect::<Option<Vec<_>>>()?,
            stages: stages?,
        })
    }

    fn deadlines(&mut self, file: Option<DeadlinesFile>) -> Option<[Duration; 3]> {
        let path = root().key("deadlines");
        let Some(file) = file else {
            self.problem(&path, "is missing (assembly, deployment, distribution)");
            return None;
        };
        let assembly = self.duration(file.assembly, &path.key("assembly"));
        let deployment = self.duration(file.deployment, &path.key("deployment"));
        let distribution = self.duration(file.distribution, &path.key("distribution"));
        Some([assembly?, deployment?, distribution?])
    }

    /// Every deadline later than the one before: assembly, deployment, each stage, distribution.
    fn deadline_order(&mut self, [assembly, deployment, distribution]: &[Duration; 3], stages: &[Stage]) {
        let deadlines = root().key("deadlines");
        let mut sequence = vec![(deadlines.key("assembly"), *assembly), (deadlines.key("deployment"), *deployment)];
        for (i, stage) in stages.iter().enumerate() {
            sequence.push((root().key("stages").index(i).key("closes"), stage.closes_at));
        }
        sequence.push((deadlines.key("distribution"), *distribution));
        for pair in sequence.windows(2) {
            let ((before_path, before), (path, at)) = (&pair[0], &pair[1]);
            if at <= before {
                self.problem(
                    path,
                    format!(
                        "deadline {} is not after {} ({})",
                        duration::format(*at),
                        before_path,
                        duration::format(*before)
                    ),
                );
            }
        }
    }

    /// A timed inject falls within its stage: a stage opens when the one before it closes (the
    /// first when deployment does) and stays open until its own deadline.
    fn inject_times(&mut self, deployment: Duration, stages: &[Stage]) {
        let mut opens = deployment;
        for (i, stage) in stages.iter().enumerate() {
            let open_for = stage.closes_at.saturating_sub(opens);
            for (j, inject) in stage.injects.iter().enumerate() {
                if let Release::After(after) = inject.release
                    && after >= open_for
                {
                    self.problem(
                        &root().key("stages").index(i).key("injects").index(j).key("at"),
                        format!(
                            "released {} after the stage opens, but the stage is open for {} only",
                            duration::format(after),
                            duration::format(open_for)
                        ),
                    );
                }
            }
            opens = stage.closes_at;
        }
    }

    fn participants(&mut self, files: Vec<ParticipantFile>) -> Vec<(FieldPath, Option<Participant>)> {
        // Counted from the file, so that a state with a mistake elsewhere still counts as one.
        let has_state = files.iter().any(|f| f.role.as_deref() == Some(Role::ControlPoint.token()));
        let mut seen: BTreeMap<String, FieldPath> = BTreeMap::new();
        let mut out = Vec::new();
        for (i, file) in files.into_iter().enumerate() {
            let path = root().key("participants").index(i);
            if let Some(node) = &file.node {
                if let Some(first) = seen.get(node) {
                    let first = first.to_string();
                    self.problem(&path.key("node"), format!("duplicate node id `{node}` (first at {first})"));
                } else {
                    seen.insert(node.clone(), path.clone());
                }
            }
            let participant = self.participant(file, &path);
            out.push((path, participant));
        }
        if !has_state {
            self.problem(&root().key("participants"), "no control point: an exercise needs at least one member state");
        }
        out
    }

    fn participant(&mut self, file: ParticipantFile, path: &FieldPath) -> Option<Participant> {
        const ROLES: &[&str] = &["joint_staff", "secretariat", "control_point", "observer", "guest"];
        let role = self.token(
            file.role,
            &path.key("role"),
            |s| Role::from_token(s).filter(|r| *r != Role::Coordinator),
            ROLES,
        );
        let node = self.required(file.node, &path.key("node")).and_then(|n| match NodeId::new(n) {
            Ok(node) if bus::names::is_reserved(node.as_str()) => {
                self.problem(
                    &path.key("node"),
                    format!("`{node}` is reserved for Muster's own services and files; choose another node id"),
                );
                None
            }
            Ok(node) => Some(node),
            Err(e) => {
                self.problem(&path.key("node"), e.to_string());
                None
            }
        });
        let transport = match file.transport.as_deref() {
            None | Some("nats") => Some(Transport::Nats),
            Some("grpc") => Some(Transport::Grpc),
            Some(other) => {
                self.problem(&path.key("transport"), format!("unknown value `{other}`; expected nats or grpc"));
                None
            }
        };
        let played_by = match file.played_by.as_deref() {
            None | Some("policy") => Some(PlayedBy::Policy),
            Some("person") => Some(PlayedBy::Person),
            Some(other) => {
                self.problem(&path.key("played_by"), format!("unknown value `{other}`; expected policy or person"));
                None
            }
        };
        if let (Some(role), Some(Transport::Grpc)) = (role, transport)
            && !Scenario::remote_capable(role)
        {
            self.problem(
                &path.key("transport"),
                format!(
                    "a {} cannot take part over gRPC: national nodes serve control points and guests",
                    role.token().replace('_', " ")
                ),
            );
        }
        let policy = self.policy(file.policy.unwrap_or_default(), &path.key("policy"));
        let name = match file.name {
            Some(name) => self.text(Some(name), &path.key("name")),
            // A seat without a name goes by its node id: a code, of no language.
            None => node.as_ref().map(|n| Text::new("", n.to_string())),
        };
        let node = node?;
        Some(Participant {
            role: role?,
            name: name?,
            node,
            mandatory: file.mandatory.unwrap_or(true),
            absent: file.absent.unwrap_or(false),
            transport: transport?,
            played_by: played_by?,
            policy: policy?,
        })
    }

    fn policy(&mut self, file: PolicyFile, path: &FieldPath) -> Option<Policy> {
        let answer_delay = match file.answer_delay {
            None => Some(Duration::ZERO),
            some => self.duration(some, &path.key("answer_delay")),
        };
        Some(Policy {
            non_concur_first_version: file.non_concur_first_version,
            abstain: file.abstain,
            object: file.object,
            skip: file.skip,
            answer_delay: answer_delay?,
            gives_positions: file.gives_positions.unwrap_or(false),
        })
    }

    /// Policies may only name slots that exist.
    fn policy_slots(
        &mut self,
        participants: &[(FieldPath, Option<Participant>)],
        slot_ids: &BTreeMap<String, FieldPath>,
    ) {
        for (path, participant) in participants {
            let Some(p) = participant else { continue };
            let lists = [
                ("non_concur_first_version", &p.policy.non_concur_first_version),
                ("abstain", &p.policy.abstain),
                ("object", &p.policy.object),
                ("skip", &p.policy.skip),
            ];
            for (name, list) in lists {
                for (i, slot) in list.iter().enumerate() {
                    if !slot_ids.contains_key(slot) {
                        self.problem(&path.key("policy").key(name).index(i), format!("unknown slot `{slot}`"));
                    }
                }
            }
        }
    }

    /// Reads the stages; `slot_ids` collects every slot id seen, even in stages with problems.
    fn stages(
        &mut self,
        files: Vec<StageFile>,
        participants: &[(FieldPath, Option<Participant>)],
        slot_ids: &mut BTreeMap<String, FieldPath>,
    ) -> Option<Vec<Stage>> {
        if files.is_empty() {
            self.problem(&root(), "no [[stages]]: an exercise needs at least one stage");
            return None;
        }
        let bodies: BTreeSet<Role> = participants.iter().filter_map(|(_, p)| p.as_ref()).map(|p| p.role).collect();
        let nodes: BTreeMap<String, Role> =
            participants.iter().filter_map(|(_, p)| p.as_ref()).map(|p| (p.node.to_string(), p.role)).collect();
        let mut inject_ids: BTreeMap<String, FieldPath> = BTreeMap::new();
        let mut stages = Vec::new();
        for (i, file) in files.into_iter().enumerate() {
            let path = root().key("stages").index(i);
            let number = u32::try_from(i + 1).ok()?;
            let title = self.text(file.title, &path.key("title"));
            let region = self.text(file.region, &path.key("region"));
            let situation = self.text(file.situation, &path.key("situation"));
            let tasks: Vec<Option<Text>> = file
                .tasks
                .into_iter()
                .enumerate()
                .map(|(k, task)| self.text(Some(task), &path.key("tasks").index(k)))
                .collect();
            let closes_at = self.duration(file.closes, &path.key("closes"));
            if file.slots.is_empty() {
                self.problem(&path, format!("stage {number} has no slots"));
            }
            let mut slots = Vec::new();
            for (j, slot) in file.slots.into_iter().enumerate() {
                slots.push(self.slot(slot, &path.key("slots").index(j), &bodies, slot_ids));
            }
            let own_slots: BTreeSet<String> = slots.iter().flatten().map(|s| s.id.clone()).collect();
            let mut injects = Vec::new();
            for (j, inject) in file.injects.into_iter().enumerate() {
                let at = path.key("injects").index(j);
                injects.push(self.inject(inject, &at, &nodes, &own_slots, &mut inject_ids));
            }
            stages.push((|| {
                Some(Stage {
                    number,
                    title: title?,
                    region: region?,
                    situation: situation?,
                    tasks: tasks.into_iter().collect::<Option<Vec<_>>>()?,
                    closes_at: closes_at?,
                    slots: slots.into_iter().collect::<Option<Vec<_>>>()?,
                    injects: injects.into_iter().collect::<Option<Vec<_>>>()?,
                })
            })());
        }
        stages.into_iter().collect()
    }

    /// The id of a `what` (`slot`, `inject`) at `path`: present, a subject-safe token, and not one
    /// `seen` already (which it joins, even when the rest of its entry has problems).
    fn unique_id(
        &mut self,
        value: Option<String>,
        path: &FieldPath,
        what: &str,
        seen: &mut BTreeMap<String, FieldPath>,
    ) -> Option<String> {
        let id = self.required(value, &path.key("id"));
        if let Some(id) = &id {
            if let Err(e) = NodeId::new(id.as_str()) {
                self.problem(&path.key("id"), format!("{what} id: {e}"));
            } else if let Some(first) = seen.get(id) {
                let first = first.to_string();
                self.problem(&path.key("id"), format!("duplicate {what} id `{id}` (first at {first})"));
            } else {
                seen.insert(id.clone(), path.clone());
            }
        }
        id
    }

    /// One inject: who it goes to must take part, the slot it names must be its stage's.
    fn inject(
        &mut self,
        file: InjectFile,
        path: &FieldPath,
        nodes: &BTreeMap<String, Role>,
        slots: &BTreeSet<String>,
        seen: &mut BTreeMap<String, FieldPath>,
    ) -> Option<Inject> {
        let id = self.unique_id(file.id, path, "inject", seen);
        let release = match self.required(file.at, &path.key("at")) {
            Some(at) if at.trim() == BY_HAND => Some(Release::ByHand),
            Some(at) => match duration::parse(&at) {
                Ok(after) => Some(Release::After(after)),
                Err(e) => {
                    self.problem(&path.key("at"), format!("{e}; or `{BY_HAND}` for the director to release it"));
                    None
                }
            },
            None => None,
        };
        let from = match file.from {
            Some(from) => self.text(Some(from), &path.key("from")).map(Some),
            None => Some(None),
        };
        let mut to = Vec::new();
        for (k, node) in file.to.unwrap_or_default().into_iter().enumerate() {
            match nodes.get(&node) {
                None => self.problem(&path.key("to").index(k), format!("`{node}` is not a participant")),
                Some(Role::Observer) => self.problem(
                    &path.key("to").index(k),
                    format!("`{node}` is an observer: injects go to seats that act and acknowledge them"),
                ),
                Some(_) if to.iter().any(|t: &NodeId| t.as_str() == node) => {
                    self.problem(&path.key("to").index(k), format!("`{node}` is listed twice"));
                }
                Some(_) => to.extend(NodeId::new(node).ok()),
            }
        }
        let text = self.text(file.text, &path.key("text"));
        let expects = self.optional_text(file.expects, &path.key("expects"));
        let objective = self.optional_text(file.objective, &path.key("objective"));
        if let Some(slot) = file.slot.as_ref().filter(|s| !slots.contains(*s)) {
            self.problem(&path.key("slot"), format!("`{slot}` is not a slot of this stage"));
        }
        let (id, release, from, text, expects, objective) = (id?, release?, from?, text?, expects?, objective?);
        Some(Inject { id, release, from, to, text, expects, slot: file.slot, objective })
    }

    fn slot(
        &mut self,
        file: SlotFile,
        path: &FieldPath,
        bodies: &BTreeSet<Role>,
        seen: &mut BTreeMap<String, FieldPath>,
    ) -> Option<Slot> {
        let id = self.unique_id(file.id, path, "slot", seen);
        let title = self.text(file.title, &path.key("title"));
        let bodies_known: Vec<&str> = DraftingBody::ALL.iter().map(|b| b.token()).collect();
        let owner = self.token(file.owner, &path.key("owner"), DraftingBody::from_token, &bodies_known);
        if let Some(owner) = owner.filter(|o| !bodies.contains(&o.role())) {
            self.problem(&path.key("owner"), format!("owning body `{}` is not among the participants", owner.token()));
        }
        let categories: Vec<&str> = Category::ALL.iter().map(|c| c.token()).collect();
        let category = self.token(file.category, &path.key("category"), Category::from_token, &categories);
        Some(Slot { id: id?, title: title?, owner: owner?, category: category? })
    }
}

/// Converts serde_ignored's path of an unknown key into a field path.
fn field_path(path: &serde_ignored::Path<'_>) -> FieldPath {
    use serde_ignored::Path;
    match path {
        Path::Root => FieldPath::default(),
        Path::Seq { parent, index } => field_path(parent).index(*index),
        Path::Map { parent, key } => field_path(parent).key(key),
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => field_path(parent),
    }
}
