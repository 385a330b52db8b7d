//! Where a seat's decisions come from: the scenario's policy, or a person. A person's seat never
//! acts by itself: its actions arrive at its [`Inbox`] from a [`Desk`] (the console's handle), and
//! each gets the verdict back.

use std::sync::{Arc, Mutex};

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

/// The communications-check token a seat was sent: one cell, which the seat's driver fills from
/// the verdict that brings it and the person's desk reads.
pub type Token = Arc<Mutex<Option<String>>>;

/// When a person signed in at the seat's console (`None` while no one is): the console sets it,
/// the seat says it with its presence.
pub type Seated = Arc<Mutex<Option<std::time::SystemTime>>>;

/// The seat's side: the person's actions, in the order given.
#[derive(Debug)]
pub struct Inbox {
    rx: mpsc::Receiver<Request>,
    token: Token,
    seated: Seated,
}

impl Inbox {
    /// The next action, once one is given.
    pub async fn next(&mut self) -> Option<Request> {
        self.rx.recv().await
    }

    /// Where the seat keeps its token, which the desk reads.
    pub fn token(&self) -> Token {
        self.token.clone()
    }

    /// Where the desk says when the person signed in.
    pub fn seated(&self) -> Seated {
        self.seated.clone()
    }
}

/// The person's side: acts through the seat and learns what became of it.
#[derive(Debug, Clone)]
pub struct Desk {
    tx: mpsc::Sender<Request>,
    token: Token,
    seated: Seated,
}

impl Desk {
    /// Submits `action` through the seat; the verdict once the submission is safe or refused.
    pub async fn act(&self, action: Action) -> Result<Verdict, SubmitError> {
        let (answer, verdict) = oneshot::channel();
        let gone = || SubmitError::Transient("the seat is not running".into());
        self.tx.send(Request { action, answer }).await.map_err(|_| gone())?;
        verdict.await.map_err(|_| gone())?
    }

    /// Since when a person is signed in at the console (`None`: no one is).
    pub fn seat(&self, since: Option<std::time::SystemTime>) {
        *self.seated.lock().unwrap_or_else(|e| e.into_inner()) = since;
    }

    /// The communications-check token the seat was sent, once it came.
    pub fn token(&self) -> Option<String> {
        self.token.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A desk and the inbox it feeds.
pub fn desk() -> (Desk, Inbox) {
    let (tx, rx) = mpsc::channel(64);
    let (token, seated) = (Token::default(), Seated::default());
    (Desk { tx, token: token.clone(), seated: seated.clone() }, Inbox { rx, token, seated })
}
