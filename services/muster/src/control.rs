//! Exercise control from the command line: start, pause, resume, advance, release an inject, and status.

use std::time::Duration;

use anyhow::Context as _;
use bus::{Bus, ConnectSettings, Envelope, ExerciseId, MessageId, SubmitError, Submitter, Verdict};
use record::{Phase, Record};
use seat::{Act, Control};
use words::{Arg, Lang};

/// Which exercise, on which server.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// The exercise id.
    #[arg(long, env = "MUSTER_EXERCISE")]
    pub exercise: ExerciseId,
    /// The server, and who acts: `director.nk` for exercise control and status, `admin.nk` to
    /// provision (`muster identities` and `muster run` write them).
    #[command(flatten)]
    pub bus: launch::BusArgs,
}

impl Target {
    fn credentials(&self) -> anyhow::Result<Option<bus::Credentials>> {
        Ok(self.bus.credentials()?)
    }

    /// The coordinator's public key, issued beside `--nkey`.
    pub fn trust(&self) -> anyhow::Result<Option<String>> {
        Ok(self.bus.trust()?)
    }

    /// The log of the exercise as this identity may read it.
    pub async fn log(&self, name: &str) -> anyhow::Result<Vec<bus::Delivery>> {
        let bus = self.connect(name).await?;
        bus.read_log(&self.exercise).await.map_err(|e| match e {
            bus::BusError::NoSuchExercise(_) => anyhow::anyhow!("no exercise `{}` on {}", self.exercise, self.bus.nats),
            other => anyhow::anyhow!("cannot read the log of {}: {other}", self.exercise),
        })
    }

    /// The exercise's record, folded from its log read as `name`.
    pub async fn record(&self, name: &str) -> anyhow::Result<Record> {
        let log = self.log(name).await?;
        let mut record = Record::reading(self.trust()?);
        for delivery in log {
            // What no checkpoint of the coordinator covers is not part of the record; verify names it.
            if let Ok(event) = delivery.envelope {
                let _ = record.accept(delivery.sequence, event);
            }
        }
        Ok(record)
    }

    async fn connect(&self, name: &str) -> anyhow::Result<Bus> {
        self.connect_with(ConnectSettings::new(&self.bus.nats, name)).await
    }

    async fn connect_with(&self, settings: ConnectSettings) -> anyhow::Result<Bus> {
        let settings = settings.with_credentials(self.credentials()?).with_authority(self.bus.nats_ca.clone());
        let connected = Bus::connect(&settings).await;
        // A deployment's server speaks TLS under the exercise's authority, which no system store holds.
        let untrusted = matches!(&connected, Err(e) if e.to_string().contains("invalid peer certificate"));
        let hint = match self.bus.nats_ca.is_none() && untrusted {
            true => "; give --nats-ca with the authority that issued the server's certificate (ca.pem)",
            false => "",
        };
        connected.with_context(|| match &self.bus.nkey {
            Some(nkey) => format!("connecting as {}{hint}", nkey.display()),
            None => format!("connecting without credentials (give --nkey){hint}"),
        })
    }
}

/// Creates the exercise's streams, consumer and lease bucket (as the admin identity).
pub async fn provision(target: &Target, replicas: usize, lease_ttl: Duration) -> anyhow::Result<()> {
    // Creating replicated streams on a cluster still electing its leaders takes seconds; the
    // exercise's own calls keep the short timeout, which they retry.
    let settings = ConnectSettings {
        request_timeout: Duration::from_secs(10),
        ..ConnectSettings::new(&target.bus.nats, "muster-admin")
    };
    let bus = target.connect_with(settings).await?;
    let settings = bus::StreamSettings { replicas, lease_ttl, ..Default::default() };
    bus.provision(&target.exercise, &settings).await?;
    println!("{}: provisioned ({replicas} replica(s), lease {lease_ttl:?})", target.exercise);
    Ok(())
}

/// Sends the command as exercise control and waits for the coordinator's answer. `window`: for
/// pause, resume and advance, the window meant, `Some(None)` for the one open now (read from the
/// log); a start names none.
pub async fn send(
    target: &Target,
    command: Control,
    window: Option<Option<Phase>>,
    reason: Option<String>,
    lang: Lang,
) -> anyhow::Result<()> {
    // The director's reason is in the language they work in; without one, Muster's words for it.
    let reason = reason
        .unwrap_or_else(|| words::say_with(lang, "cli-control-reason", &[("command", Arg::from(command.name()))]));
    let meant = match window {
        Some(None) => Some(target.record("muster-director").await?.phase.phase),
        Some(Some(meant)) => Some(meant),
        None => None,
    };
    let what = words::say_with(lang, "cli-control-what", &[("command", Arg::from(command.name()))]);
    let what = match meant {
        Some(window) => {
            let args = [("what", Arg::from(what)), ("window", Arg::from(window.say(lang)))];
            words::say_with(lang, "cli-control-what-window", &args)
        }
        None => what,
    };
    submit(target, Act::control(command, meant, reason), &what, lang).await
}

/// What `muster inject` releases: a planned inject, or one written on the command line.
#[derive(Debug, Clone, clap::Args)]
pub struct InjectArgs {
    /// The inject's id: a planned inject of the open stage (held for the director's hand, or not
    /// due yet), or, with --text, the id of the inject written here.
    pub id: String,
    /// Write a new inject saying this, released at once.
    #[arg(long)]
    pub text: Option<String>,
    /// The seats it goes to, by node id (`RU,BY`); default: every participant.
    #[arg(long, value_delimiter = ',', requires = "text")]
    pub to: Vec<String>,
    /// What it expects of its recipients.
    #[arg(long, requires = "text")]
    pub expects: Option<String>,
    /// Who it speaks as (a press agency, a body, a state); default: exercise control.
    #[arg(long, requires = "text")]
    pub from: Option<String>,
    /// The slot of the open stage it bears on.
    #[arg(long, requires = "text")]
    pub slot: Option<String>,
}

/// Releases an inject now, as exercise control, and waits for the coordinator's answer.
pub async fn inject(target: &Target, args: InjectArgs, lang: Lang) -> anyhow::Result<()> {
    let act = match args.text {
        None => Act::release(args.id.clone()),
        Some(text) => Act::write_inject(proto::v1::Inject {
            inject_id: args.id.clone(),
            text,
            to: args.to,
            expects: args.expects.unwrap_or_default(),
            from: args.from.unwrap_or_default(),
            slot_id: args.slot.unwrap_or_default(),
            ..Default::default()
        }),
    };
    let what = words::say_with(lang, "cli-inject-what", &[("inject", Arg::from(args.id.as_str()))]);
    submit(target, act, &what, lang).await
}

/// Submits `act` as the director, in `lang`, and says what became of it (`what`, in words).
async fn submit(target: &Target, act: Act, what: &str, lang: Lang) -> anyhow::Result<()> {
    let bus = target.connect("muster-director").await?;
    let director = bus::names::director();
    // A command given again is a command of its own: its id carries a fresh nonce.
    let nonce = &MessageId::generate().to_string()[..12];
    let action = act.by_person(&director.node, nonce)?;
    let mut envelope = Envelope::new(target.exercise.clone(), director.clone(), action.payload);
    envelope.message_id = action.message_id;
    envelope.language = lang.tag().to_owned();
    if let Some(credentials) = target.credentials()? {
        bus::seal::sign(&mut envelope, &credentials.key_pair()?)?;
    }
    let submitter = Submitter::for_seat(&bus, &target.exercise, &director).await?;
    match submitter.submit(&envelope, Duration::from_secs(10)).await {
        Ok(Verdict::Accepted { .. }) => {}
        Ok(Verdict::Received) => {
            anyhow::bail!("{}", words::say_with(lang, "cli-control-unanswered", &[("what", Arg::from(what))]))
        }
        // The coordinator's reason in the director's language when it gave it as a message.
        Err(SubmitError::Refused { reason, message, .. }) => {
            let why = message.map_or(reason, |m| m.say(lang));
            anyhow::bail!(
                "{}",
                words::say_with(lang, "cli-control-refused", &[("what", Arg::from(what)), ("why", Arg::from(why))])
            )
        }
        Err(e) => anyhow::bail!("{what}: {e}"),
    }
    let args = [("exercise", Arg::from(target.exercise.as_str())), ("what", Arg::from(what))];
    println!("{}", words::say_with(lang, "cli-control-accepted", &args));
    Ok(())
}

/// Prints where the exercise stands, folded from its event log alone, in the language asked for
/// (else the environment's, else the scenario's).
pub async fn status(target: &Target, lang: &launch::LangArgs) -> anyhow::Result<()> {
    let record = target.record("muster-status").await?;
    let lang = lang.lang_or(record.plan.as_ref().map_or("", |p| p.language.as_str()));
    print!("{}", render_status(lang, target.exercise.as_str(), &record, std::time::SystemTime::now()));
    Ok(())
}

/// The status as a director reads it, in `lang`: phase and stage, the exercise clock and the
/// deadline on the scenario's calendar, and what is awaited grouped by seat.
pub fn render_status(lang: Lang, exercise: &str, record: &Record, now: std::time::SystemTime) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let w = &mut out;
    let Some(plan) = &record.plan else {
        let events = words::say_with(lang, "count-events", &[("count", Arg::from(record.events))]);
        let args = [("exercise", Arg::from(exercise)), ("events", Arg::from(events))];
        let _ = writeln!(w, "{}", words::say_with(lang, "cli-status-not-started", &args));
        return out;
    };
    let mut phase = match record.phase.phase {
        Phase::Stage(n) => {
            let args = [
                ("stage", Arg::from(n)),
                ("stages", Arg::from(plan.stages.len())),
                ("title", Arg::from(plan.stage(n).map(|s| s.title.in_lang(lang).to_string()).unwrap_or_default())),
            ];
            words::say_with(lang, "cli-status-stage", &args)
        }
        other => other.say(lang),
    };
    if record.phase.paused {
        phase = format!("{phase} {}", words::say(lang, "cli-status-paused"));
    }
    let _ = writeln!(
        w,
        "{}",
        words::say_with(lang, "cli-status-exercise", &[("exercise", Arg::from(exercise)), ("phase", Arg::from(phase))])
    );
    let _ = writeln!(
        w,
        "{}",
        words::say_with(lang, "cli-status-scenario", &[("title", Arg::from(plan.title.in_lang(lang).to_string()))])
    );
    let at = |d: Duration| Arg::from(record.when_in(lang, d));
    let exercise_now = record.exercise_now(now);
    let mut clock = words::say_with(lang, "cli-status-time", &[("at", at(exercise_now))]);
    if let Some(deadline) = record.deadline() {
        let left = Arg::from(record.time_left_in(lang, deadline.saturating_sub(exercise_now)));
        let _ = write!(
            clock,
            "; {}",
            words::say_with(lang, "cli-status-deadline", &[("at", at(deadline)), ("left", left)])
        );
    }
    let _ = writeln!(w, "{clock}");
    let absent: Vec<String> = record.absent.iter().map(ToString::to_string).collect();
    let absent = if absent.is_empty() { words::say(lang, "none") } else { absent.join(", ") };
    let counts = [
        ("events", Arg::from(record.events)),
        ("drafts", Arg::from(record.drafts.len())),
        ("considered", Arg::from(record.outcomes.len())),
        ("absent", Arg::from(absent)),
    ];
    let _ = writeln!(w, "{}", words::say_with(lang, "cli-status-counts", &counts));
    injects(lang, record, w);
    let awaited = record.awaited();
    if awaited.is_empty() {
        let _ = writeln!(w, "{}", words::say(lang, "cli-status-awaited-nothing"));
        return out;
    }
    let _ = writeln!(w, "{}", words::say_with(lang, "cli-status-awaited", &[("count", Arg::from(awaited.len()))]));
    for p in &plan.participants {
        let tasks: Vec<String> = awaited.iter().filter(|a| a.node == p.node).map(|a| a.task.say(lang)).collect();
        if !tasks.is_empty() {
            let _ = writeln!(w, "  {} ({}): {}", p.node, p.name.in_lang(lang), tasks.join(", "));
        }
    }
    out
}

/// The injects released (with who has not acknowledged them) and the open stage's still to come.
fn injects(lang: Lang, record: &Record, w: &mut String) {
    use std::fmt::Write as _;
    let pending = record.injects_pending();
    if record.injects.is_empty() && pending.is_empty() {
        return;
    }
    let _ = writeln!(w, "{}", words::say(lang, "cli-status-injects"));
    for r in &record.injects {
        let waiting: Vec<&str> = r.unacknowledged().collect();
        let args = [
            ("inject", Arg::from(r.id())),
            ("at", Arg::from(record.when_in(lang, r.at.exercise))),
            ("acknowledged", Arg::from(r.acknowledged.len())),
            ("recipients", Arg::from(r.event.recipients.len())),
            ("waiting", Arg::from(if waiting.is_empty() { words::say(lang, "none") } else { waiting.join(", ") })),
        ];
        let _ = writeln!(w, "  {}", words::say_with(lang, "cli-status-inject-released", &args));
    }
    for (inject, due) in pending {
        let line = match due {
            Some(at) => words::say_with(
                lang,
                "cli-status-inject-due",
                &[("inject", Arg::from(inject.id.as_str())), ("at", Arg::from(record.when_in(lang, at)))],
            ),
            None => words::say_with(lang, "cli-status-inject-held", &[("inject", Arg::from(inject.id.as_str()))]),
        };
        let _ = writeln!(w, "  {line}");
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use bus::envelope::Payload;
    use record::{Keys, Mode, Plan};

    use super::*;

    /// A record of a scenario's notification and assembly's opening, at the epoch.
    fn notified() -> Record {
        let mut scenario = scenario::Sketch::new("status")
            .participant("joint_staff", "js", &[])
            .state("BY", &[])
            .state("AM", &["absent = true", "mandatory = false"])
            .stage("10h", &[("x1", "joint_staff")])
            .build()
            .expect("valid");
        scenario.starts = "2025-03-17 09:00 MSK".into();
        let plan = Plan::of(&scenario, 1.0, Mode::Fast, &Keys::default());
        let (notification, _) = plan.to_messages(usize::MAX);
        let mut e = Envelope::new(
            ExerciseId::new("ex").expect("valid"),
            record::coordinator(),
            Payload::Notification(notification),
        );
        e.exercise_time = Some(Duration::ZERO);
        e.recorded_at = Some(SystemTime::UNIX_EPOCH);
        let mut record = Record::default();
        record.apply(&e);
        let assembly = proto::v1::PhaseChanged { phase: proto::v1::Phase::Assembly as i32, ..Default::default() };
        e.payload = Payload::PhaseChanged(assembly);
        e.message_id = bus::MessageId::new("assembly").expect("valid");
        record.apply(&e);
        record
    }

    #[test]
    fn the_status_reads_in_the_language_asked_for() {
        let record = notified();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(30 * 60);
        let ru = render_status(Lang::parse("ru").expect("Russian catalogues"), "ex", &record, now);
        for said in [
            "учение ex: сбор\n",
            // The sketch's title is English only: shown as it is, marked.
            "сценарий: status (EN)\n",
            "время учения: 17 марта 2025 г., 09:30 (МСК) (день 1, 00:30); срок: 17 марта 2025 г., 10:00 (МСК) (день 1, 01:00), осталось 30 мин\n",
            "событий: 2; проектов: 0; рассмотрено вопросов: 0; отсутствуют: нет\n",
            "ожидается (2):\n",
            "  js (js): доклад о прибытии\n",
        ] {
            assert!(ru.contains(said), "missing {said:?} in:\n{ru}");
        }
        let en = render_status(Lang::default(), "ex", &record, now);
        assert!(
            en.starts_with("exercise ex: assembly\nscenario: status\nexercise time: 17 Mar 2025 09:30 MSK"),
            "{en}"
        );
        assert!(en.contains("  BY (BY): assembly report\n"), "{en}");
        let empty = render_status(Lang::parse("ru").expect("Russian catalogues"), "ex", &Record::default(), now);
        assert_eq!(empty, "учение ex: не начато (0 событий)\n");
    }
}
