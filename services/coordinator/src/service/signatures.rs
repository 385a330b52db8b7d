//! Seats' signatures checked in batches, on a worker beside the leader's loop: the submissions
//! stream passes through it, and each submission comes out with the key its signature was found to
//! be, if it was (the machine then does not check it again; otherwise it checks it itself and
//! refuses it with its code).

use std::collections::{HashMap, VecDeque};

use futures::FutureExt as _;
use futures::stream::BoxStream;

use super::*;

/// A submission off the bus, with the public key a batch found its signature to be.
pub(super) struct Checked {
    pub received: Received,
    pub key: Option<String>,
}

/// Submissions of one sender a batch takes at most: one whose signatures fail makes the batch fall
/// back to checking its own one by one, and this bounds what that costs everyone else. The rest of
/// its submissions wait for the next batches, in their order.
const PER_SENDER: usize = 32;

/// Submissions a batch takes at most.
const BATCH: usize = 256;

/// Submissions a batch may hold to be checked on the worker's own task.
const CHECKED_HERE: usize = 8;

/// Submissions carried over at most: beyond, nothing more is taken off the bus until they are
/// checked (what is not taken waits in the stream, within each seat's quota).
const CARRIED_AT_MOST: usize = 4 * BATCH;

/// `submissions` with their senders' signatures checked against `keys`, a batch at a time: what
/// is already waiting when a batch begins, up to [`BATCH`], is checked at once, off the runtime's
/// threads.
pub(super) fn checked(
    mut submissions: BoxStream<'static, Received>,
    keys: Arc<record::Keys>,
) -> BoxStream<'static, Checked> {
    let (tx, rx) = tokio::sync::mpsc::channel(BATCH);
    tokio::spawn(async move {
        let mut waiting = Waiting::default();
        let mut ended = false;
        while !ended || !waiting.carried.is_empty() {
            let mut batch = waiting.next_batch();
            if batch.is_empty() {
                let next = tokio::select! {
                    next = submissions.next() => next,
                    () = tx.closed() => return,
                };
                match next {
                    Some(received) => waiting.place(received, &mut batch),
                    None => ended = true,
                }
            }
            while !ended && batch.len() < BATCH && waiting.carried.len() < CARRIED_AT_MOST {
                match submissions.next().now_or_never() {
                    Some(Some(received)) => waiting.place(received, &mut batch),
                    Some(None) => ended = true,
                    None => break,
                }
            }
            // A few are checked here at once (a handoff to another thread would cost the round
            // trip more than they do); a large batch takes a thread of its own.
            let checked = if batch.len() <= CHECKED_HERE {
                check(batch, &keys)
            } else {
                let keys = keys.clone();
                let Ok(checked) = tokio::task::spawn_blocking(move || check(batch, &keys)).await else { return };
                checked
            };
            for one in checked {
                if tx.send(one).await.is_err() {
                    return;
                }
            }
        }
    });
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) }).boxed()
}

/// Submissions taken off the bus that wait for a later batch, and how many of each sender the
/// batch being gathered holds.
#[derive(Default)]
struct Waiting {
    carried: VecDeque<Received>,
    /// How many of each sender's are carried over.
    carried_of: HashMap<bus::Sender, usize>,
    taken: HashMap<bus::Sender, usize>,
}

impl Waiting {
    /// A new batch, begun with what was carried over (each sender's in order, up to its bound).
    fn next_batch(&mut self) -> Vec<Received> {
        self.taken.clear();
        self.carried_of.clear();
        let mut batch = Vec::new();
        for received in std::mem::take(&mut self.carried) {
            self.place(received, &mut batch);
        }
        batch
    }

    /// Puts `received` in `batch`, or carries it over when the batch is full, or its sender has
    /// its share of it (or an earlier submission carried over: a sender's submissions keep their
    /// order).
    fn place(&mut self, received: Received, batch: &mut Vec<Received>) {
        // Known by the subject it came on, which the server guards: the envelope's own sender is
        // what anyone may write, and would let one seat take another's share.
        let sender = bus::subject::parse_submission(&received.delivery.subject).map(|s| s.sender);
        let Some(sender) = sender else {
            batch.push(received);
            return;
        };
        let taken = self.taken.entry(sender.clone()).or_default();
        let carried = self.carried_of.entry(sender).or_default();
        if batch.len() >= BATCH || *taken >= PER_SENDER || *carried > 0 {
            *carried += 1;
            self.carried.push_back(received);
        } else {
            *taken += 1;
            batch.push(received);
        }
    }
}

/// The key `e`'s sender must sign with, as the coordinator was given it.
fn key_of<'a>(keys: &'a record::Keys, e: &Envelope) -> Option<&'a str> {
    match e.sender.role {
        bus::Role::Coordinator => keys.director.as_deref(),
        _ => keys.seats.get(&e.sender.node).map(String::as_str),
    }
}

/// Checks `batch` at once; each submission with the key its signature was found to be.
fn check(batch: Vec<Received>, keys: &record::Keys) -> Vec<Checked> {
    let mut items = Vec::with_capacity(batch.len());
    let mut at = Vec::with_capacity(batch.len());
    for (i, received) in batch.iter().enumerate() {
        if let Ok(e) = &received.delivery.envelope
            && let Some(key) = key_of(keys, e)
        {
            items.push((e, key));
            at.push(i);
        }
    }
    let holds = bus::seal::signed_by_each(&items);
    let mut found = vec![None; batch.len()];
    for ((i, (_, key)), holds) in at.into_iter().zip(&items).zip(holds) {
        if holds {
            found[i] = Some((*key).to_owned());
        }
    }
    batch.into_iter().zip(found).map(|(received, key)| Checked { received, key }).collect()
}
