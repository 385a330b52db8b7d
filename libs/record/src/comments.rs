//! Comment resolution: each reason of a non-concurrence and each remark of a concurrence with
//! remarks is a comment, with a stable id, on the version it answers. A revision gives each open
//! comment a disposition (every comment of a non-concurrence must have one); an objection not
//! accepted stays open on the next version until its state concurs, and while open its state's
//! consent is not given (a remark not accepted is closed with that answer). Pure: read off the
//! record.

use bus::NodeId;
use proto::v1::{self as wire, DispositionKind, PositionKind};

use crate::fold::{Draft, Version};

/// One comment on one draft version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// `<slot>-v<version>-<state>-<n>`: the n-th reason (from 1) of that state's position.
    pub id: String,
    /// The version it answers.
    pub version: u32,
    /// The state (or guest) that made it.
    pub state: NodeId,
    /// From a non-concurrence (must be disposed of), or a remark.
    pub objection: bool,
    /// What it says.
    pub text: String,
    /// The language it was written in (`ru`); empty when unknown.
    pub language: String,
}

/// The stable id of the `n`-th reason (from 1) of `state`'s position on `slot` version `version`.
pub fn comment_id(slot: &str, version: u32, state: &NodeId, n: usize) -> String {
    format!("{slot}-v{version}-{state}-{n}")
}

/// What became of a comment, version after version.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// The comment.
    pub comment: Comment,
    /// Each revision that answered it: the version it made, the disposition (none: the revision
    /// gave it none), and the state's position on that version (none yet, or silent).
    pub steps: Vec<Step>,
    /// Still open on the draft's current version.
    pub open: bool,
}

/// One revision's answer to a comment and the state's answer to the revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The version the revision made.
    pub version: u32,
    /// What it did with the comment.
    pub disposition: Option<wire::Disposition>,
    /// The state's position on that version.
    pub answer: Option<PositionKind>,
}

impl Version {
    /// The comments the positions on this version made, by state, then in the order given.
    pub fn comments(&self) -> Vec<Comment> {
        let mut out = Vec::new();
        for (state, position) in &self.positions {
            let objection = match position.answer.kind() {
                PositionKind::NonConcur => true,
                PositionKind::ConcurWithRemarks => false,
                _ => continue,
            };
            let reasons = position.answer.reasons.iter().filter(|r| !r.trim().is_empty());
            out.extend(reasons.enumerate().map(|(i, text)| Comment {
                id: comment_id(&self.draft.slot_id, self.draft.version, state, i + 1),
                version: self.draft.version,
                state: state.clone(),
                objection,
                text: text.clone(),
                language: position.language.clone(),
            }));
        }
        out
    }

    /// The disposition the revision that made this version gave `comment`.
    pub fn disposition(&self, comment: &str) -> Option<&wire::Disposition> {
        self.dispositions.iter().find(|d| d.comment_id == comment)
    }

    /// Whether `state` concurred (with or without remarks) with this version.
    pub fn concurred(&self, state: &NodeId) -> bool {
        self.positions
            .get(state)
            .is_some_and(|p| matches!(p.answer.kind(), PositionKind::Concur | PositionKind::ConcurWithRemarks))
    }
}

fn carried_on(disposition: Option<&wire::Disposition>) -> bool {
    disposition.is_some_and(|d| d.kind() == DispositionKind::NotAccepted)
}

impl Draft {
    /// The comments open on `version`: those its positions made, and the objections carried into
    /// it (not accepted by the revision that made it) whose state has not concurred with it.
    pub fn open_comments(&self, version: u32) -> Vec<Comment> {
        let Some(this) = version.checked_sub(1).and_then(|i| self.versions.get(i as usize)) else { return vec![] };
        let mut open: Vec<Comment> = self
            .open_comments(version - 1)
            .into_iter()
            .filter(|c| c.objection && carried_on(this.disposition(&c.id)) && !this.concurred(&c.state))
            .collect();
        open.extend(this.comments());
        open
    }

    /// The states whose comments, not accepted by an earlier revision, are still open on the
    /// current version: until they concur, their consent is not given.
    pub fn unresolved_states(&self) -> Vec<NodeId> {
        let current = self.current();
        // Only the revision that made the current version can have carried a comment into it: a
        // draft none of whose dispositions is "not accepted" is settled without walking the
        // versions (the coordinator asks after every submission).
        let carries = self.latest().is_some_and(|v| v.dispositions.iter().any(|d| carried_on(Some(d))));
        if !carries {
            return Vec::new();
        }
        let mut states: Vec<NodeId> =
            self.open_comments(current).into_iter().filter(|c| c.version < current).map(|c| c.state).collect();
        states.sort();
        states.dedup();
        states
    }

    /// Every comment made on the draft with what became of it: the comment-resolution matrix.
    pub fn resolutions(&self) -> Vec<Resolution> {
        let open: Vec<String> = self.open_comments(self.current()).into_iter().map(|c| c.id).collect();
        let mut out = Vec::new();
        for version in &self.versions {
            for comment in version.comments() {
                let mut steps = Vec::new();
                for later in self.versions.iter().skip(comment.version as usize) {
                    let disposition = later.disposition(&comment.id).cloned();
                    let answer = later.positions.get(&comment.state).map(|p| p.answer.kind());
                    let carried =
                        comment.objection && carried_on(disposition.as_ref()) && !later.concurred(&comment.state);
                    steps.push(Step { version: later.draft.version, disposition, answer });
                    if !carried {
                        break;
                    }
                }
                out.push(Resolution { open: open.contains(&comment.id), comment, steps });
            }
        }
        out
    }
}

/// The dispositions a revision may give, in the order a person is offered them.
pub const DISPOSITIONS: [DispositionKind; 4] =
    [DispositionKind::Accepted, DispositionKind::AcceptedInPart, DispositionKind::NotAccepted, DispositionKind::Noted];

/// A disposition kind in words.
pub fn disposition_label(kind: DispositionKind) -> &'static str {
    match kind {
        DispositionKind::Accepted => "accepted",
        DispositionKind::AcceptedInPart => "accepted in part",
        DispositionKind::NotAccepted => "not accepted",
        DispositionKind::Noted => "noted",
        DispositionKind::Unspecified => "unspecified",
    }
}

/// A disposition kind as a token for machines (reports, forms); empty for none.
pub fn disposition_token(kind: DispositionKind) -> &'static str {
    match kind {
        DispositionKind::Accepted => "accepted",
        DispositionKind::AcceptedInPart => "accepted_in_part",
        DispositionKind::NotAccepted => "not_accepted",
        DispositionKind::Noted => "noted",
        DispositionKind::Unspecified => "",
    }
}

/// The disposition a token names; `None` for anything else.
pub fn disposition_of(token: &str) -> Option<DispositionKind> {
    DISPOSITIONS.into_iter().find(|kind| disposition_token(*kind) == token)
}
