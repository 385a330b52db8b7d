//! An inject as the record keeps it once released: the event, to whom, who acknowledged it when.

use std::collections::BTreeMap;

use bus::{NodeId, Role};
use proto::v1::{self as wire, InjectRelease};
use scenario::Inject;
use serde::{Deserialize, Serialize};

use crate::moment::Moment;
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

/// The seats an inject goes to: its own list (each once), or every participant that acts: not
/// the observers, not the declared absent.
pub fn recipients(plan: &Plan, to: &[NodeId]) -> Vec<String> {
    if !to.is_empty() {
        let mut listed: Vec<String> = Vec::with_capacity(to.len());
        for node in to.iter().map(ToString::to_string) {
            if !listed.contains(&node) {
                listed.push(node);
            }
        }
        return listed;
    }
    let acting = plan.participants.iter().filter(|p| p.role != Role::Observer && !p.declared_absent);
    acting.map(|p| p.node.to_string()).collect()
}

impl Plan {
    /// The planned inject called `id`, with the number of its stage.
    pub fn inject(&self, id: &str) -> Option<(u32, &Inject)> {
        self.stages.iter().find_map(|s| s.injects.iter().find(|i| i.id == id).map(|i| (s.number, i)))
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
