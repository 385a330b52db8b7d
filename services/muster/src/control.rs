//! Exercise control from the command line: pause, resume, advance, and status.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use bus::envelope::Payload;
use bus::{Bus, ConnectSettings, Envelope, ExerciseId, NodeId, Role, Sender};
use coordinator::machine::{self, Config, Mode, State};
use futures::StreamExt;
use proto::v1 as wire;

/// Which exercise, on which server.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// The exercise id.
    #[arg(long)]
    pub exercise: ExerciseId,
    /// NATS server URL.
    #[arg(long, env = "MUSTER_NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
}

/// A control command.
#[derive(Debug, Clone, Copy)]
pub enum Command {
    /// Hold the exercise.
    Pause,
    /// Let it go on.
    Resume,
    /// Close the current window now.
    Advance,
}

/// Sends the command as exercise control and waits for the coordinator's answer.
pub async fn send(target: &Target, command: Command, reason: String) -> anyhow::Result<()> {
    let bus = Bus::connect(&ConnectSettings::new(&target.nats, "muster-director")).await?;
    let director = Sender::new(Role::Coordinator, NodeId::new("director")?);
    let payload = match command {
        Command::Pause => Payload::PauseExercise(wire::PauseExercise { reason }),
        Command::Resume => Payload::ResumeExercise(wire::ResumeExercise { reason }),
        Command::Advance => Payload::AdvanceExercise(wire::AdvanceExercise { reason }),
    };
    let envelope = Envelope::new(target.exercise.clone(), director.clone(), payload);
    let mut replies = bus.replies(&target.exercise, &director).await?;
    bus.submit(&envelope).await?;
    let wait = async {
        while let Some(delivery) = replies.next().await {
            match delivery.envelope.map(|e| e.payload) {
                Ok(Payload::Accepted(a)) if a.accepted_message_id == envelope.message_id.as_str() => return Ok(()),
                Ok(Payload::Rejection(r)) if r.rejected_message_id == envelope.message_id.as_str() => {
                    anyhow::bail!("refused ({}): {}", r.code().as_str_name(), r.reason)
                }
                _ => {}
            }
        }
        anyhow::bail!("the reply subscription ended")
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .context("no answer from the coordinator within 10 s")??;
    println!("{}: {:?} accepted", target.exercise, command);
    Ok(())
}

/// Prints where the exercise stands, rebuilt from its event log.
pub async fn status(target: &Target, scenario: PathBuf) -> anyhow::Result<()> {
    let scenario = scenario::load(&scenario)?;
    let bus = Bus::connect(&ConnectSettings::new(&target.nats, "muster-status")).await?;
    let mut stream = bus
        .jetstream()
        .get_stream(bus::subject::events_stream(&target.exercise))
        .await
        .with_context(|| format!("no exercise {} on {}", target.exercise, target.nats))?;
    let last = stream.info().await?.state.last_sequence;
    let config = Config { exercise: target.exercise.clone(), scenario, mode: Mode::Scaled };
    let mut state = State::default();
    let mut events = bus.events_from(&target.exercise, 1).await?;
    let mut seen = 0;
    while seen < last {
        let Some(delivery) = events.next().await else { break };
        let delivery = delivery?;
        seen = delivery.sequence;
        if let Ok(event) = delivery.envelope {
            machine::evolve(&mut state, &event);
        }
    }
    println!(
        "exercise {}: {:?}{}",
        target.exercise,
        state.phase.phase,
        if state.phase.paused { " (paused)" } else { "" }
    );
    println!("events: {last}; drafts: {}; slots considered: {}", state.drafts.len(), state.outcomes.len());
    if !state.absent.is_empty() {
        let absent: Vec<String> = state.absent.iter().map(ToString::to_string).collect();
        println!("absent: {}", absent.join(", "));
    }
    let awaited = machine::awaited(&config, &state);
    println!("awaited: {}", if awaited.is_empty() { "nothing".into() } else { awaited.join(", ") });
    Ok(())
}
