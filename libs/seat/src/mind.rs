//! Where a seat's decisions come from: the scenario's policy, or a person. A person's seat never
//! acts by itself: its actions arrive at its [`Inbox`] from a [`Desk`] (the console's handle), and
//! each gets the verdict back.

use tokio::sync::{mpsc, oneshot};

use crate::actions::Action;
use crate::link::{SubmitError, Verdict};

/// Who decides for a seat.
#[derive(Debug)]
pub enum Mind {
    /// The scenario's policy for this participant.
    Policy(Box<scenario::Participant>),
    /// A person, through the console.
    Person(Inbox),
}

/// A person's action waiting to be submitted, with the way back for its verdict.
#[derive(Debug)]
pub struct Request {
    /// What the person does.
    pub action: Action,
    /// Where the verdict goes.
    pub answer: oneshot::Sender<Result<Verdict, SubmitError>>,
}

/// The seat's side: the person's actions, in the order given.
#[derive(Debug)]
pub struct Inbox {
    rx: mpsc::Receiver<Request>,
}

impl Inbox {
    /// The next action, once one is given.
    pub async fn next(&mut self) -> Option<Request> {
        self.rx.recv().await
    }
}

/// The person's side: acts through the seat and learns what became of it.
#[derive(Debug, Clone)]
pub struct Desk {
    tx: mpsc::Sender<Request>,
}

impl Desk {
    /// Submits `action` through the seat; the verdict once the submission is safe or refused.
    pub async fn act(&self, action: Action) -> Result<Verdict, SubmitError> {
        let (answer, verdict) = oneshot::channel();
        let gone = || SubmitError::Transient("the seat is not running".into());
        self.tx.send(Request { action, answer }).await.map_err(|_| gone())?;
        verdict.await.map_err(|_| gone())?
    }
}

/// A desk and the inbox it feeds.
pub fn desk() -> (Desk, Inbox) {
    let (tx, rx) = mpsc::channel(64);
    (Desk { tx }, Inbox { rx })
}
