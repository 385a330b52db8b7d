//! What the record says of injects: which went out (and how they are folded in), which of the open
//! stage's are still to come, which are due.

use std::collections::BTreeMap;
use std::time::Duration;

use bus::NodeId;
use proto::v1::{self as wire, InjectRelease};
use scenario::{Inject, Release};

use crate::fold::{Moment, Record};
use crate::phase::Phase;
use crate::released::Released;

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
