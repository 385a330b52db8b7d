//! Injects as the record holds them: released (at their time, by the director's hand, or written
//! during the exercise), to whom, and who acknowledged each when.

use std::collections::BTreeMap;
use std::time::Duration;

use bus::{NodeId, Role};
use proto::v1::{self as wire, InjectRelease};
use scenario::{Inject, Release};
use serde::{Deserialize, Serialize};

use crate::fold::{Moment, Record};
use crate::phase::Phase;
use crate::plan::{Plan, inject_from_wire};

/// An inject released, and its acknowledgements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Released {
    /// The event that released it: its stage, the inject whole, how, and its recipients.
    #[serde(with = "as_wire")]
    pub event: wire::InjectReleased,
    /// When it was released.
    pub at: Moment,
    /// The language its texts are first written in: the plan's, or the director's for one written
    /// during the exercise.
    pub language: String,
    /// Recipients that acknowledged it, and when.
    pub acknowledged: BTreeMap<NodeId, Moment>,
}

impl Released {
    /// Its id.
    pub fn id(&self) -> &str {
        self.event.inject.as_ref().map_or("", |i| i.inject_id.as_str())
    }

    /// The inject, its texts in every language it has.
    pub fn inject(&self) -> Option<Inject> {
        inject_from_wire(self.event.inject.as_ref()?, &self.language).ok()
    }

    /// How it came to be released.
    pub fn how(&self) -> InjectRelease {
        self.event.release()
    }

    /// Whether `node` is one of its recipients.
    pub fn is_for(&self, node: &NodeId) -> bool {
        self.event.recipients.iter().any(|r| r == node.as_str())
    }

    /// Its recipients that have not acknowledged it.
    pub fn unacknowledged(&self) -> impl Iterator<Item = &str> {
        self.event.recipients.iter().map(String::as_str).filter(|r| !self.acknowledged.keys().any(|a| a.as_str() == *r))
    }
}

/// The seats an inject goes to: its own list, or every participant but observers.
pub fn recipients(plan: &Plan, to: &[NodeId]) -> Vec<String> {
    if !to.is_empty() {
        return to.iter().map(ToString::to_string).collect();
    }
    plan.participants.iter().filter(|p| p.role != Role::Observer).map(|p| p.node.to_string()).collect()
}

impl Plan {
    /// The planned inject called `id`, with the number of its stage.
    pub fn inject(&self, id: &str) -> Option<(u32, &Inject)> {
        self.stages.iter().find_map(|s| s.injects.iter().find(|i| i.id == id).map(|i| (s.number, i)))
    }
}

impl Record {
    /// The released inject called `id`.
    pub fn released(&self, id: &str) -> Option<&Released> {
        self.injects.iter().find(|r| r.id() == id)
    }

    /// The injects released to `node`, oldest first.
    pub fn injects_for<'a>(&'a self, node: &'a NodeId) -> impl Iterator<Item = &'a Released> + 'a {
        self.injects.iter().filter(move |r| r.is_for(node))
    }

    /// The open stage's planned injects not released yet, each with the exercise time it is due
    /// at (`None`: held for the director's hand).
    pub fn injects_pending(&self) -> Vec<(&Inject, Option<Duration>)> {
        let (Phase::Stage(n), Some(plan)) = (self.phase.phase, &self.plan) else { return vec![] };
        let Some(stage) = plan.stages.iter().find(|s| s.number == n) else { return vec![] };
        let opened = self.stages_opened.get(&n).map_or(self.last.exercise, |m| m.exercise);
        stage
            .injects
            .iter()
            .filter(|i| self.released(&i.id).is_none())
            .map(|i| match i.release {
                Release::After(after) => (i, Some(opened.saturating_add(after))),
                Release::ByHand => (i, None),
            })
            .collect()
    }

    /// The open stage's timed injects whose time has come at exercise time `now` and that are not
    /// released yet, in the order of their time; none while the exercise is paused.
    pub fn injects_due(&self, now: Duration) -> Vec<&Inject> {
        if self.phase.paused {
            return vec![];
        }
        let mut due: Vec<(&Inject, Duration)> = self
            .injects_pending()
            .into_iter()
            .filter_map(|(i, at)| Some((i, at?)))
            .filter(|(_, at)| *at <= now)
            .collect();
        due.sort_by_key(|(_, at)| *at);
        due.into_iter().map(|(i, _)| i).collect()
    }

    pub(crate) fn inject_released(&mut self, event: &wire::InjectReleased, at: Moment, language: &str) {
        let Some(inject) = &event.inject else { return };
        if self.released(&inject.inject_id).is_some() {
            return;
        }
        let language = match event.release() {
            InjectRelease::Written if !language.is_empty() => language.to_owned(),
            _ => self.plan.as_ref().map(|p| p.language.clone()).unwrap_or_default(),
        };
        self.injects.push(Released { event: event.clone(), at, language, acknowledged: BTreeMap::new() });
    }

    pub(crate) fn inject_acknowledged(&mut self, id: &str, node: &NodeId, at: Moment) {
        if let Some(released) = self.injects.iter_mut().find(|r| r.id() == id)
            && released.is_for(node)
        {
            released.acknowledged.entry(node.clone()).or_insert(at);
        }
    }
}

/// The released event in a snapshot: as the wire encodes it, which every reader decodes already.
mod as_wire {
    use prost::Message as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::wire;

    pub(super) fn serialize<S: Serializer>(event: &wire::InjectReleased, to: S) -> Result<S::Ok, S::Error> {
        event.encode_to_vec().serialize(to)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<wire::InjectReleased, D::Error> {
        let bytes = Vec::<u8>::deserialize(from)?;
        wire::InjectReleased::decode(bytes.as_slice()).map_err(serde::de::Error::custom)
    }
}
