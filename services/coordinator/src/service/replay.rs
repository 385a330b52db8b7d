//! How a new leader takes up the record: the latest trusted snapshot, then the log's events after
//! it replayed a run at a time; and the snapshots it takes while it leads.

use super::*;

impl Core {
    /// Rebuilds the state and the clock from the events already in the log.
    pub(super) async fn replay(&mut self, time_scale: f64) -> Result<(), Stop> {
        let mut stream = self
            .bus
            .jetstream()
            .get_stream(bus::subject::events_stream(&self.config.exercise))
            .await
            .map_err(|e| BusError::JetStream { what: "events stream lookup".into(), reason: e.to_string() })?;
        let last = stream
            .info()
            .await
            .map_err(|e| BusError::JetStream { what: "events stream info".into(), reason: e.to_string() })?
            .state
            .last_sequence;
        let coordinator = self.key.as_ref().map(|k| k.public_key());
        if let Some(snapshot) = trusted_snapshot(&self.bus, &self.config.exercise, coordinator).await {
            self.last_sequence = snapshot.sequence;
            self.snapshots.taken_at = snapshot.sequence;
            self.state = snapshot.record;
            if let Some(chain) = &mut self.chain {
                chain.last = snapshot.hash;
            }
        }
        let (from, began) = (self.last_sequence, std::time::Instant::now());
        if last > from {
            let mut events = self.bus.follow_events(&self.config.exercise, from + 1);
            while self.last_sequence < last {
                // A log whose last messages are gone (deleted, or a lost replica) must not hold the
                // leader forever: it steps down with a clear error and tries again.
                let next = tokio::time::timeout(REPLAY_WAIT, events.next()).await.map_err(|_| BusError::JetStream {
                    what: "replay of the event log".into(),
                    reason: format!("event {} of {last} did not come within {REPLAY_WAIT:?}", self.last_sequence + 1),
                })?;
                let Some(delivery) = next else { break };
                // A long log takes longer to read than the lease lives: unrenewed, it would expire
                // and the next leader would start the same replay.
                self.renew_if_due().await?;
                self.last_sequence = delivery.sequence;
                if let Ok(event) = delivery.envelope {
                    self.fold(delivery.sequence, event);
                }
            }
            tracing::info!(exercise = %self.config.exercise, events = last, replayed = last - from, took_ms = began.elapsed().as_millis(), phase = ?self.state.phase.phase, "state rebuilt from the event log");
        }
        // This leader writes after the last checkpoint: what follows it was never covered, so no
        // reader acted on it, and its submissions were never acknowledged (they come again).
        let unfinished = self.chain.as_mut().map_or(0, bus::seal::Chain::pass_over_held);
        if unfinished > 0 {
            tracing::warn!(exercise = %self.config.exercise, events = unfinished, "events no checkpoint covers passed over: a batch its leader did not finish");
        }
        self.clock = crate::clock::of(&self.state, time_scale);
        self.sent_sequence = self.last_sequence;
        // The record counts the log's positions, whatever was passed over at its end: the next
        // event it applies is the one written next.
        self.state.events = self.last_sequence;
        Ok(())
    }

    /// Folds the log's event at `sequence` into the state. Only what this exercise's coordinators'
    /// checkpoints cover counts: anything else in the log (unsealed, forged, out of chain) is
    /// passed over, as every reader does. The chain costs a hash per event and one signature
    /// check per batch.
    fn fold(&mut self, sequence: u64, event: Envelope) {
        let message_id = event.message_id.clone();
        let covered = match bus::seal::follow(self.chain.as_mut(), sequence, event) {
            Ok(covered) => covered,
            Err(e) => {
                tracing::warn!(exercise = %self.config.exercise, sequence, %message_id, error = %e, "event dropped on replay");
                return;
            }
        };
        for (sequence, event) in covered {
            // Known by where it stands in the log (a repeat's receipt names that place).
            self.state.apply_at(sequence, &event);
        }
    }

    /// Takes a snapshot if enough events have been sent since the last: the state as of the last
    /// event sent (a batch's last, under its checkpoint), written once that event is acked.
    pub(super) fn take_snapshot_if_due(&mut self) {
        let s = &mut self.snapshots;
        let (Some(chain), true) = (&self.chain, s.every > 0) else { return };
        let busy = s.waiting.is_some() || s.writing.as_ref().is_some_and(|w| !w.is_finished());
        if s.held || busy || self.sent_sequence < s.taken_at + s.every {
            return;
        }
        s.taken_at = self.sent_sequence;
        let (exercise, sequence, began) = (&self.config.exercise, self.sent_sequence, std::time::Instant::now());
        s.waiting = Some(crate::snapshot::take(exercise, sequence, &chain.last, &mut self.state));
        tracing::debug!(%exercise, sequence, took_ms = began.elapsed().as_millis(), "snapshot taken");
    }

    /// Writes the snapshot waiting for its last event, now on the log, off the loop.
    pub(super) fn write_snapshot_if_acked(&mut self) {
        let acked = self.last_sequence;
        let waiting = self.snapshots.waiting.take_if(|w| w.sequence <= acked);
        let (Some(key), Some(snapshot)) = (&self.key, waiting) else { return };
        let (bus, key) = (self.bus.clone(), key.clone());
        self.snapshots.writing = Some(tokio::spawn(async move {
            let (exercise, sequence) = (snapshot.exercise.clone(), snapshot.sequence);
            match crate::snapshot::save(&bus, snapshot, key).await {
                Ok(bytes) => tracing::info!(%exercise, sequence, bytes, "snapshot written"),
                Err(e) => tracing::warn!(%exercise, sequence, error = %e, "snapshot not written"),
            }
        }));
    }
}

/// The latest snapshot, if there is one `coordinator` signed that fits the log; else the leader
/// replays the whole log.
async fn trusted_snapshot(
    bus: &Bus,
    exercise: &ExerciseId,
    coordinator: Option<String>,
) -> Option<crate::snapshot::Snapshot> {
    let began = std::time::Instant::now();
    match crate::snapshot::load(bus, exercise, &coordinator?).await {
        Ok(Some(snapshot)) => {
            tracing::info!(%exercise, sequence = snapshot.sequence, took_ms = began.elapsed().as_millis(), "starting from the snapshot");
            Some(snapshot)
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(%exercise, error = %e, "snapshot passed over; replaying the whole log");
            None
        }
    }
}
