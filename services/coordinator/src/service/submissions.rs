//! The submission pipeline of a leader: each input stepped through the machine, its events chained
//! into the batch being written, the replies and receipts queued behind them, the submission
//! acknowledged last. A batch is sealed with one checkpoint and sent fenced on the log when nothing
//! more waits (see [`Core::flush`]).

use super::*;
use words::Message;

impl Core {
    /// The time an input is stepped at; a pause or resume it leads to takes effect at this instant.
    fn now(&mut self) -> Moment {
        self.stepped_at = tokio::time::Instant::now().into_std();
        Moment { exercise: self.clock.at(self.stepped_at), wall: SystemTime::now() }
    }

    pub(super) fn input(&mut self, input: Input<'_>) {
        let now = self.now();
        let decision = machine::step(&self.config, &mut self.state, input, now);
        self.carry_out(decision.events, vec![], None);
    }

    /// Runs one submission through the machine, in a span of the trace it was sent in: the events
    /// it leads to carry that trace to their readers.
    pub(super) async fn submission(&mut self, checked: signatures::Checked) -> Result<(), Stop> {
        use tracing::Instrument as _;
        let delivery = &checked.received.delivery;
        let span = tracing::info_span!("submission", exercise = %self.config.exercise, sequence = delivery.sequence);
        bus::trace::follow(&span, &delivery.trace);
        self.step_submission(checked.received, checked.key).instrument(span).await
    }

    /// Runs one submission through the machine; its reply and its acknowledgement to JetStream
    /// wait until the events it led to are on the log.
    async fn step_submission(&mut self, received: Received, checked: Option<String>) -> Result<(), Stop> {
        let exercise = self.config.exercise.clone();
        let delivery = &received.delivery;
        let from_subject = bus::subject::parse_submission(&delivery.subject).map(|s| s.sender);
        let envelope = match &delivery.envelope {
            Ok(envelope) => envelope.clone(),
            Err(error) => {
                count_submission(&exercise, error.rejection_code().as_str_name());
                let reply = Reply::Rejected {
                    message_id: unknown_id(),
                    code: error.rejection_code(),
                    reason: Message::new("reason-unreadable").with("problem", error),
                };
                let replies =
                    from_subject.map(|to| (to, self.reply_envelope(None, &reply, None))).into_iter().collect();
                self.carry_out(vec![], replies, Some(received));
                return Ok(());
            }
        };
        if from_subject.as_ref() != Some(&envelope.sender) {
            count_submission(&exercise, wire::RejectionCode::NotPermitted.as_str_name());
            let reply = Reply::Rejected {
                message_id: envelope.message_id.clone(),
                code: wire::RejectionCode::NotPermitted,
                reason: Message::new("reason-wrong-subject")
                    .with("sender", &envelope.sender)
                    .with("subject", &delivery.subject),
            };
            tracing::warn!(%exercise, message_id = %envelope.message_id, subject = %delivery.subject, "submission refused: sender does not match subject");
            let replies =
                from_subject.map(|to| (to, self.reply_envelope(Some(&envelope), &reply, None))).into_iter().collect();
            self.carry_out(vec![], replies, Some(received));
            return Ok(());
        }
        let now = self.now();
        let input = match &checked {
            Some(key) => Input::Checked(&envelope, key),
            None => Input::Submission(&envelope),
        };
        let decision = machine::step(&self.config, &mut self.state, input, now);
        let outcome = match &decision.reply {
            Some((_, Reply::Rejected { code, .. })) => code.as_str_name(),
            _ => "ACCEPTED",
        };
        count_submission(&exercise, outcome);
        if let Some((_, Reply::Rejected { code, reason, .. })) = &decision.reply {
            tracing::warn!(%exercise, message_id = %envelope.message_id, sender = %envelope.sender, kind = envelope.kind(),
                code = code.as_str_name(), reason = %reason.say(words::Lang::default()), "submission refused");
        }
        let first = self.record_events(decision.events);
        let mut replies = Vec::with_capacity(1);
        if let Some((to, reply)) = decision.reply {
            let (reply, receipt) = self.answer(&envelope, reply, first).await?;
            replies.push((to, self.reply_envelope(Some(&envelope), &reply, receipt)));
        }
        self.queue(replies, Some(received));
        Ok(())
    }

    /// The machine's reply to `submission` with the receipt it earns: for an acceptance, that of
    /// `first`, the event it was recorded as; for a repeat, the original's. A repeat whose id its
    /// sender used for another submission is refused instead.
    async fn answer(
        &mut self,
        submission: &Envelope,
        reply: Reply,
        first: Option<(u64, bus::seal::Hash)>,
    ) -> Result<(Reply, Option<bus::receipt::Receipt>), Stop> {
        let receipt = match &reply {
            Reply::Accepted { duplicate: false, .. } => {
                first.and_then(|(sequence, hash)| self.receipt(submission, sequence, hash))
            }
            Reply::Accepted { original: Some(position), .. } => {
                match self.original_receipt(submission, *position).await? {
                    Ok(receipt) => receipt,
                    Err(reason) => {
                        tracing::warn!(exercise = %self.config.exercise, message_id = %submission.message_id, sender = %submission.sender,
                            reason = %reason.say(words::Lang::default()), "submission refused: its id was used for another of its submissions");
                        let code = wire::RejectionCode::InvalidContent;
                        return Ok((Reply::Rejected { message_id: submission.message_id.clone(), code, reason }, None));
                    }
                }
            }
            _ => None,
        };
        Ok((reply, receipt))
    }

    /// The receipt for `submission`, recorded as the event at `sequence` with `hash`: signed with
    /// the coordinator's key (none without one).
    fn receipt(&self, submission: &Envelope, sequence: u64, hash: bus::seal::Hash) -> Option<bus::receipt::Receipt> {
        let key = self.key.as_ref()?;
        match bus::receipt::Receipt::sign(submission, sequence, hash, key) {
            Ok(receipt) => Some(receipt),
            Err(e) => {
                tracing::warn!(exercise = %self.config.exercise, message_id = %submission.message_id, error = %e, "receipt not signed");
                None
            }
        }
    }

    /// The receipt of the original of a repeated submission, recorded at `position`: the event is
    /// read back (after everything in flight is written), and must be the same submission, not
    /// another one its sender sent under the same id (`Err` says why).
    async fn original_receipt(
        &mut self,
        submission: &Envelope,
        position: u64,
    ) -> Result<Result<Option<bus::receipt::Receipt>, Message>, Stop> {
        if position > self.last_sequence {
            // Still on its way to the log: wait until it is there.
            self.drain().await?;
        }
        let stored = match self.bus.event_at(&self.config.exercise, position).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(exercise = %self.config.exercise, message_id = %submission.message_id, position, error = %e, "the original of a repeated submission could not be read; answered without its receipt");
                return Ok(Ok(None));
            }
        };
        let itself = stored.sender == submission.sender && stored.message_id == submission.message_id;
        // The director's start is recorded as the notification it caused.
        let started = matches!(submission.payload, Payload::StartExercise(_))
            && matches!(stored.payload, Payload::Notification(_))
            && stored.causation_id.as_ref() == Some(&submission.message_id);
        if !itself && !started {
            tracing::error!(exercise = %self.config.exercise, message_id = %submission.message_id, position,
                "the event the record names for a repeated submission is another; answered without a receipt");
            return Ok(Ok(None));
        }
        if itself && bus::seal::signed_content(&stored) != bus::seal::signed_content(submission) {
            let reason = Message::new("reason-id-used-already")
                .with("id", &submission.message_id)
                .with("sender", &submission.sender)
                .with("event", position);
            return Ok(Err(reason));
        }
        Ok(Ok(self.receipt(submission, position, bus::seal::hash(&stored))))
    }

    /// Takes the events the machine has applied into the batch being written; what follows the
    /// input (its replies, its acknowledgement) waits until the batch is on the log.
    fn carry_out(&mut self, events: Vec<Envelope>, replies: Vec<(bus::Sender, Envelope)>, ack: Option<Received>) {
        self.record_events(events);
        self.queue(replies, ack);
    }

    /// Chains `events` into the batch being written, each at the next position of the log; returns
    /// the position and hash of the first (the event a submission is recorded as).
    fn record_events(&mut self, events: Vec<Envelope>) -> Option<(u64, bus::seal::Hash)> {
        let mut first = None;
        for mut event in events {
            let hash = self.chain.as_mut().map(|chain| {
                chain.last = bus::seal::link(&mut event, &chain.last);
                chain.last
            });
            self.sent_sequence += 1;
            if first.is_none() {
                first = hash.map(|h| (self.sent_sequence, h));
            }
            if let Payload::Notification(_) = &event.payload {
                // The notification is time zero: the clock starts with it, as a successor takes
                // it up from the record.
                self.clock = Clock::start(self.config.time_scale);
            }
            if let Payload::PhaseChanged(p) = &event.payload {
                tracing::info!(exercise = %self.config.exercise, phase = p.phase().as_str_name(), stage = p.stage_number, paused = p.paused, "phase changed");
            }
            self.batch.events.push((event, tracing::Span::current()));
        }
        first
    }

    /// What follows an input once its batch is on the log: its replies and its acknowledgement to
    /// JetStream, in order.
    fn queue(&mut self, replies: Vec<(bus::Sender, Envelope)>, ack: Option<Received>) {
        self.clock.set_paused(self.state.phase.paused, self.stepped_at);
        self.batch.replies.extend(replies);
        self.batch.acks.extend(ack);
    }

    /// Writes the batch: its last event carries the coordinator's checkpoint (one signature for the
    /// whole batch, which readers wait for before acting on any of its events), and each is sent
    /// fenced on the position before it, without waiting for the acks: up to [`IN_FLIGHT`]
    /// batches are on their way at once. What follows the batch happens in order once its events
    /// are acked; if one cannot be written the term ends, and the next term rebuilds the state
    /// from the log (an unfinished batch has no checkpoint: it is passed over).
    /// A leader whose lease may have expired writes nothing.
    pub(super) async fn flush(&mut self) -> Result<(), Stop> {
        let Batch { mut events, replies, acks } = std::mem::take(&mut self.batch);
        if events.is_empty() && replies.is_empty() && acks.is_empty() {
            return Ok(());
        }
        if !events.is_empty() && !self.lease.is_fresh() {
            tracing::warn!(exercise = %self.config.exercise, "lease not renewed in time; not writing");
            return Err(Stop::SteppedDown);
        }
        let first = self.sent_sequence + 1 - events.len() as u64;
        if let (Some(key), Some((last, _))) = (&self.key, events.last_mut()) {
            bus::seal::checkpoint(last, self.sent_sequence, key)
                .map_err(|e| BusError::JetStream { what: "signing a checkpoint".into(), reason: e.to_string() })?;
        }
        let mut pending = Vec::with_capacity(events.len());
        for (position, (event, span)) in (first..).zip(&events) {
            use tracing::Instrument as _;
            pending.push(self.bus.send_event_fenced(event, position - 1).instrument(span.clone()).await?);
        }
        if !events.is_empty() {
            metrics::histogram!("muster_batch_events").record(events.len() as f64);
        }
        self.take_snapshot_if_due();
        let sent = std::time::Instant::now();
        self.pending.push_back(Box::pin(async move {
            let mut last = 0;
            for ack in pending {
                last = last.max(ack.await?.sequence);
            }
            if last > 0 {
                metrics::histogram!("muster_event_write_seconds").record(sent.elapsed().as_secs_f64());
            }
            Ok(Done { last, replies, acks })
        }));
        Ok(())
    }

    /// What follows an input whose events are on the log.
    pub(super) async fn finish(&mut self, done: Result<Done, BusError>) -> Result<(), Stop> {
        let done = done.map_err(|e| {
            if let BusError::Fenced { expected } = e {
                tracing::warn!(exercise = %self.config.exercise, expected, "write fenced: another coordinator has written");
            }
            Stop::from(e)
        })?;
        self.last_sequence = self.last_sequence.max(done.last);
        self.write_snapshot_if_acked();
        for (to, envelope) in &done.replies {
            self.bus.reply(to, envelope).await?;
        }
        for received in done.acks {
            received.ack().await?;
        }
        Ok(())
    }

    /// Writes the batch and waits for everything in flight.
    pub(super) async fn drain(&mut self) -> Result<(), Stop> {
        self.flush().await?;
        while let Some(done) = self.pending.next().await {
            self.finish(done).await?;
        }
        Ok(())
    }

    fn reply_envelope(
        &self,
        cause: Option<&Envelope>,
        reply: &Reply,
        receipt: Option<bus::receipt::Receipt>,
    ) -> Envelope {
        let payload = match reply {
            Reply::Accepted { message_id, duplicate, comms_token, .. } => Payload::Accepted(wire::Accepted {
                accepted_message_id: message_id.to_string(),
                duplicate: *duplicate,
                comms_check_token: comms_token.clone().unwrap_or_default(),
                receipt: receipt.as_ref().map(Into::into),
            }),
            Reply::Rejected { message_id, code, reason } => Payload::Rejection(wire::Rejection {
                rejected_message_id: message_id.to_string(),
                code: *code as i32,
                reason: reason.say(words::Lang::default()),
                reason_message: Some(bus::reason::to_wire(reason)),
            }),
        };
        let envelope = Envelope::new(self.config.exercise.clone(), Config::sender(), payload);
        match cause {
            Some(cause) => envelope.caused_by(cause),
            None => envelope,
        }
    }
}

/// Counts a submission under its exercise and outcome.
fn count_submission(exercise: &ExerciseId, outcome: &'static str) {
    metrics::counter!("muster_submissions_total", "exercise" => exercise.to_string(), "outcome" => outcome)
        .increment(1);
}

fn unknown_id() -> bus::MessageId {
    bus::MessageId::new("unreadable").unwrap_or_else(|_| bus::MessageId::generate())
}
