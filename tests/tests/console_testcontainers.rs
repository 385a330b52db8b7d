//! People take their seats in the console, in a real browser (Debian's Chromium over WebDriver)
//! and over raw HTTP: the headquarters' console (director, Joint Staff, observer) and Belarus's
//! national-node console (over gRPC through the gateway), on real NATS, with policies playing
//! every other seat.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use bus::envelope::Payload;
use bus::{NodeId, Role};
use proto::v1::{Outcome, PositionKind};
use tests::browser::{self, Browser, click, fill, wait_for, wait_for_text};
use tests::{Gateway, Nats, Probe, Process, Run, Running};

/// How long a person's step may take to show (policies answer after a few wall seconds).
const STEP: Duration = Duration::from_secs(60);

/// The default scenario with Belarus and the Joint Staff played by people, its coordinator
/// waiting for the director, the gateway, both consoles as processes, and policies for the rest.
struct Setup {
    nats: Nats,
    run: Run,
    running: Running,
    _gateway: Gateway,
    hq: Process,
    node: Process,
}

impl Setup {
    async fn start(test: &str) -> anyhow::Result<Setup> {
        let mut scenario = tests::default_scenario()?;
        for node in ["BY", "joint-staff"] {
            scenario.seat_person(&NodeId::new(node)?).map_err(anyhow::Error::msg)?;
        }
        // Policies answer in seconds (their delays are exercise time), people have minutes.
        let run = Run {
            grpc: None,
            exercise: tests::exercise(test),
            scenario,
            mode: coordinator::Mode::Fast,
            time_scale: 300.0,
        };
        let nats = Nats::start(&[&run]).await?;
        let mut running = tests::start_policies(&nats, &run)?;
        let mut settings = tests::coordinator_settings(&nats, &run)?;
        settings.awaits_director = true;
        running.start_coordinator(&nats, settings);
        let gateway = Gateway::start(&nats, &nats.identities.bundle(&run.scenario)?).await?;
        let ids = nats.identities.dir().display().to_string();
        let scenario_file =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/cst-2025.toml").display().to_string();
        let common = ["--exercise".to_string(), run.exercise.to_string(), "--scenario".into(), scenario_file];
        let nkey = nats.identities.seed_file("console").display().to_string();
        let mut hq_args =
            vec!["--nats".into(), nats.url.clone(), "--nkey".into(), nkey, "--identities".into(), ids.clone()];
        hq_args.extend(["--listen", "127.0.0.1:0", "--person", "BY", "--person", "joint-staff"].map(String::from));
        hq_args.extend(common.clone());
        let hq = Process::console("console", &hq_args).await?;
        let mut node_args = vec!["--gateway".into(), gateway.endpoint(), "--certs".into(), ids];
        node_args.extend(["--node", "BY", "--console", "127.0.0.1:0"].map(String::from));
        node_args.extend(common);
        let node = Process::console("national-node", &node_args).await?;
        Ok(Setup { nats, run, running, _gateway: gateway, hq, node })
    }

    fn hq(&self) -> anyhow::Result<SocketAddr> {
        self.hq.console.context("the console's address")
    }

    fn by(&self) -> anyhow::Result<SocketAddr> {
        self.node.console.context("the national node's console address")
    }

    /// The invite link of `seat`, on the console that hosts it.
    fn link(&self, seat: &str) -> anyhow::Result<String> {
        let at = if seat == "BY" { self.by()? } else { self.hq()? };
        Ok(self.nats.identities.invite(&self.run.exercise, seat)?.link(&format!("http://{at}")))
    }
}

/// Opens the invite link in a fresh browser and takes the seat.
async fn take_seat(browser: &Browser, link: &str) -> anyhow::Result<fantoccini::Client> {
    take_seat_in(browser, link, "en").await
}

/// [`take_seat`], in a browser whose language is `lang`.
async fn take_seat_in(browser: &Browser, link: &str, lang: &str) -> anyhow::Result<fantoccini::Client> {
    let client = browser.session_in(lang).await?;
    client.goto(link).await?;
    click(&client, "#take-seat").await?;
    wait_for(&client, "#status", STEP).await?;
    Ok(client)
}

fn screenshot_path(role: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../out/console").join(format!("{role}.png"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn people_play_belarus_and_the_joint_staff_from_their_browsers() -> anyhow::Result<()> {
    let browser = Browser::start().await?;
    let mut setup = Setup::start("console-browser").await?;
    let director = take_seat(&browser, &setup.link("director")?).await?;

    // Before the start the director sees who is at their post: the policies' seats run; the
    // people's are empty until their people sign in, at headquarters or at Belarus's node.
    wait_for_text(&director, "#ready-KZ", "✓ running", STEP).await?;
    wait_for_text(&director, "#ready-KG", "✓ running", STEP).await?;
    wait_for_text(&director, "#ready-AM", "declared absent", STEP).await?;
    wait_for_text(&director, "#ready-joint-staff", "no one signed in", STEP).await?;
    wait_for_text(&director, "#ready-BY", "no one signed in", STEP).await?;
    assert!(
        director.find(fantoccini::Locator::Css("#start-form input[name=empty_ok]")).await.is_ok(),
        "starting with seats empty asks to confirm it"
    );
    let staff = take_seat(&browser, &setup.link("joint-staff")?).await?;
    // Belarus's officer reads Russian; the director, English.
    let belarus = take_seat_in(&browser, &setup.link("BY")?, "ru").await?;
    let observer = take_seat(&browser, &setup.link("pa-secretariat")?).await?;
    wait_for_text(&director, "#ready-joint-staff", "✓ signed in since", STEP).await?;
    wait_for_text(&director, "#ready-BY", "✓ signed in since", STEP).await?;
    browser::wait_for_text_where(&director, "#readiness", "every seat ready", |t| !t.contains('✗'), STEP).await?;
    browser::screenshot(&director, &screenshot_path("director-before-start")).await?;
    wait_for_text(&staff, "#phase", "Not started", STEP).await?;

    // The director starts the exercise, confirming it.
    fill(&director, "#start-form input[name=reason]", "every seat is taken").await?;
    click(&director, "#start-form input[name=confirm]").await?;
    click(&director, "#start").await?;
    wait_for_text(&director, "#flash", "Accepted: the start of the exercise", STEP).await?;

    // Both people report at assembly.
    for (person, who, said) in [
        (&staff, "the Joint Staff", "Accepted: the assembly report"),
        (&belarus, "Belarus", "Принято: доклад о прибытии"),
    ] {
        click(person, "#assembly-report").await.with_context(|| format!("{who} reporting"))?;
        wait_for_text(person, "#flash", said, STEP).await?;
    }

    // The director decides to close deployment and starts writing why; meanwhile Belarus
    // activates, the last state to, and stage 1 opens. The director's Advance still means
    // deployment: it is refused, and stage 1 stays open.
    wait_for_text(&director, "#phase", "Deployment", STEP).await?;
    wait_for_text(&director, "#advance", "Close deployment now", STEP).await?;
    fill(&director, "#advance-form input[name=reason]", "deployment is complete").await?;
    click(&director, "#advance-form input[name=confirm]").await?;
    click(&belarus, "#activate").await?;
    wait_for_text(&belarus, "#flash", "Принято: развёртывание пункта управления и проверка связи", STEP).await?;
    wait_for_text(&director, "#phase", "Stage 1", STEP).await?;
    wait_for_text(&director, "#advance", "Close deployment now", STEP).await?;
    click(&director, "#advance").await?;
    let said = wait_for_text(&director, "#flash", "it was meant for deployment, but stage 1 is open now", STEP).await?;
    assert!(said.starts_with("Not accepted: the early close of deployment."), "{said}");
    assert!(!said.contains("kept in the form"), "a command for a closed window is not offered again: {said}");
    wait_for_text(&director, "#advance", "Close stage 1 now", STEP).await?;
    wait_for_text(&director, "#phase", "Stage 1", STEP).await?;

    // Every seat is shown the situation and the tasks of the stage it works on.
    // Each in their language: the scenario gives its texts in English and in Russian.
    let english = "Tension grows along the western borders";
    let russian = "Нарастает напряжённость у западных границ";
    for (client, who, said) in
        [(&belarus, "Belarus", russian), (&staff, "the Joint Staff", english), (&observer, "the observer", english)]
    {
        wait_for_text(client, "#situation", said, STEP)
            .await
            .with_context(|| format!("the situation on {who}'s page"))?;
    }
    wait_for_text(&belarus, "#tasks", "Оценить военно-политическую обстановку", STEP).await?;
    wait_for_text(&staff, "#tasks", "Assess the military-political situation", STEP).await?;

    // The Joint Staff writes s1-03.
    let text = "The Council decides to form a grouping of two battalions and deploy it to the border within ten days.";
    fill(&staff, "#draft-s1-03 textarea[name=text]", text).await?;
    click(&staff, "#draft-s1-03 button[type=submit]").await?;
    wait_for_text(&staff, "#flash", "Accepted: draft s1-03 (version 1)", STEP).await?;
    // Belarus reads it as written, in English, marked so on its Russian page.
    let draft = wait_for_text(&belarus, "#draft-s1-03", text, STEP).await?;
    assert!(draft.contains("(EN)"), "{draft}");

    // Belarus does not concur. Reasons longer than the limit are refused, with the limit named,
    // and kept in the form; then Belarus gives its reason.
    click(&belarus, "#position-s1-03 input[value=non_concur]").await?;
    belarus
        .execute(
            "const reasons = document.querySelector('#position-s1-03 textarea[name=reasons]'); \
             reasons.removeAttribute('maxlength'); reasons.value = 'x'.repeat(arguments[0]);",
            vec![serde_json::json!(bus::text::MAX_TEXT + 1)],
        )
        .await?;
    click(&belarus, "#position-s1-03 button[type=submit]").await?;
    let said = wait_for_text(&belarus, "#flash", "4001 знак, допускается не более 4000", STEP).await?;
    assert!(said.contains("обоснование или замечания") && said.contains("сохранено в форме"), "{said}");
    let kept = belarus
        .execute(
            "return [document.querySelector('#position-s1-03 textarea[name=reasons]').value.length, \
                     document.querySelector('#position-s1-03 input[value=non_concur]').checked];",
            vec![],
        )
        .await?;
    assert_eq!(kept, serde_json::json!([bus::text::MAX_TEXT + 1, true]), "what Belarus typed is still there");
    wait_for_text(&belarus, "#position-s1-03 .count", "4001 / 4000", STEP).await?;
    // With a word longer than any line: pages wrap it rather than grow wide.
    let reason = "Десяти суток недостаточно для развёртывания белорусского батальона; см. Приложение_№3_к_проекту_решения_Совета_коллективной_безопасности_о_формировании_и_оперативном_развёртывании_группировки_КСОР";
    fill(&belarus, "#position-s1-03 textarea[name=reasons]", reason).await?;
    // Written in Russian, the page's language, as the form offers; the English page offers English.
    let chosen = "return document.querySelector(arguments[0] + ' select[name=language]').value;";
    let offered = belarus.execute(chosen, vec![serde_json::json!("#position-s1-03")]).await?;
    assert_eq!(offered, serde_json::json!("ru"));
    let offered = staff.execute(chosen, vec![serde_json::json!("#draft-s1-04")]).await?;
    assert_eq!(offered, serde_json::json!("en"));
    click(&belarus, "#position-s1-03 button[type=submit]").await?;
    wait_for_text(&belarus, "#flash", "Принято: ваша позиция по s1-03, редакция 1 (✗ не согласен)", STEP).await?;

    // The Joint Staff revises, first not accepting Belarus's comment without saying why: the
    // refusal reads as a sentence, and the revision typed is still there to finish.
    let revised =
        "The Council decides to form a grouping of two battalions and deploy it to the border within thirty days.";
    let answer = "The deadline is extended to thirty days";
    wait_for_text(&staff, "#positions-s1-03", reason, STEP).await?;
    // What Belarus wrote is recorded as written in Russian, its console's language: the English
    // page marks it so.
    let reasons = wait_for_text(&staff, "#positions-s1-03", "(RU)", STEP).await?;
    assert!(reasons.contains(&format!("{reason} (RU)")), "{reasons}");
    fill(&staff, "#revise-s1-03 textarea[name=text]", revised).await?;
    fill(&staff, "#revise-s1-03 input[name=summary]", "deployment within thirty days").await?;
    click(&staff, "#revise-s1-03 select[name='disposition-s1-03-v1-BY-1'] option[value=not_accepted]").await?;
    click(&staff, "#revise-s1-03 button[type=submit]").await?;
    let said = wait_for_text(&staff, "#flash", "Not accepted: the revision of s1-03 to version 2", STEP).await?;
    assert!(said.contains("not accepted without a reason") && said.contains("What you typed is kept"), "{said}");
    assert!(!said.contains("REJECTION_CODE") && !said.contains('`'), "no code on the page: {said}");
    let kept = staff
        .execute(
            "const form = document.getElementById('revise-s1-03'); \
             return [form.querySelector('textarea[name=text]').value, form.querySelector('input[name=summary]').value, \
                     form.querySelector(\"select[name='disposition-s1-03-v1-BY-1']\").value];",
            vec![],
        )
        .await?;
    assert_eq!(kept, serde_json::json!([revised, "deployment within thirty days", "not_accepted"]));
    click(&staff, "#revise-s1-03 select[name='disposition-s1-03-v1-BY-1'] option[value=accepted]").await?;
    fill(&staff, "#revise-s1-03 input[name='reason-s1-03-v1-BY-1']", answer).await?;
    let (wide, window) = (
        staff.execute("return document.documentElement.scrollWidth;", vec![]).await?,
        staff.execute("return window.innerWidth;", vec![]).await?,
    );
    assert!(wide.as_u64() <= window.as_u64(), "a long word widened the page to {wide} px in a {window} px window");
    assert!(staff.find(fantoccini::Locator::Css("a.skip[href='#main']")).await.is_ok(), "a skip link");
    browser::screenshot(&staff, &screenshot_path("joint-staff")).await?;
    click(&staff, "#revise-s1-03 button[type=submit]").await?;
    wait_for_text(&staff, "#flash", "Accepted: the revision of s1-03 to version 2", STEP).await?;

    // Belarus sees what changed, word by word, and how its comment was dealt with, and concurs.
    belarus.refresh().await?;
    let diff = wait_for_text(&belarus, "#diff-s1-03", "thirty", STEP).await?;
    assert!(diff.contains("ten"), "the deleted word is shown: {diff}");
    wait_for_text(&belarus, "#diff-s1-03 ins", "thirty", STEP).await?;
    wait_for_text(&belarus, "#diff-s1-03 del", "ten", STEP).await?;
    wait_for_text(&belarus, "#your-comments #comments-s1-03", answer, STEP).await?;
    every_control_is_labelled(&belarus, "Belarus").await?;
    belarus.execute("document.getElementById('draft-s1-03').scrollIntoView()", vec![]).await?;
    browser::screenshot(&belarus, &screenshot_path("belarus")).await?;
    click(&belarus, "#position-s1-03 input[value=concur]").await?;
    click(&belarus, "#position-s1-03 button[type=submit]").await?;
    wait_for_text(&belarus, "#flash", "Принято: ваша позиция по s1-03, редакция 2 (✓ согласен)", STEP).await?;
    let written = written(&Probe::connect(&setup.nats, &setup.run.exercise).await?.log().await?);
    interface_is_in_russian(&belarus, &written).await?;
    browser::screenshot(&belarus, &screenshot_path("belarus-ru")).await?;

    // The observer reads the draft itself: each version's text and the reasons given on it.
    click(&observer, "#row-s1-03 a").await?;
    wait_for_text(&observer, "#v2", "within thirty days", STEP).await?;
    wait_for_text(&observer, "#v1", "within ten days", STEP).await?;
    wait_for_text(&observer, "#positions-s1-03-v1", reason, STEP).await?;
    browser::screenshot(&observer, &screenshot_path("observer-draft")).await?;
    let board = format!("http://{}/ex/{}", setup.hq()?, setup.run.exercise);
    observer.goto(&board).await?;

    // The director pauses and resumes, each confirmed and with a reason.
    fill(&director, "#pause-form input[name=reason]", "briefing of the Chief of the Joint Staff").await?;
    click(&director, "#pause-form input[name=confirm]").await?;
    click(&director, "#pause").await?;
    wait_for_text(&director, "#status", "PAUSED", STEP).await?;
    wait_for_text(&observer, "#status", "PAUSED", STEP).await?;
    fill(&director, "#resume-form input[name=reason]", "briefing over").await?;
    click(&director, "#resume-form input[name=confirm]").await?;
    click(&director, "#resume").await?;
    wait_for_text(&director, "#flash", "Accepted: the resumption of stage 1", STEP).await?;

    // The director writes an inject to Belarus during the stage; it arrives on Belarus's page at
    // its national node, live, as written (in English, marked), and Belarus acknowledges it.
    fill(&director, "#inject-form input[name=id]", "w-border").await?;
    fill(&director, "#inject-form input[name=to]", "BY").await?;
    fill(&director, "#inject-form textarea[name=text]", "The border crossing at Brest is closed to traffic").await?;
    fill(&director, "#inject-form input[name=expects]", "Report the measures taken").await?;
    click(&director, "#write-inject").await?;
    wait_for_text(&director, "#flash", "Accepted: the inject", STEP).await?;
    let inject = wait_for_text(&belarus, "#inject-w-border", "The border crossing at Brest is closed", STEP).await?;
    assert!(inject.contains("Вводная w-border") && inject.contains("(EN)"), "{inject}");
    wait_for_text(&belarus, "#awaited-mine", "Подтвердить получение вводной w-border", STEP).await?;
    belarus.execute("document.getElementById('inject-w-border').scrollIntoView()", vec![]).await?;
    browser::screenshot(&belarus, &screenshot_path("belarus-inject")).await?;
    click(&belarus, "#acknowledge-w-border").await?;
    wait_for_text(&belarus, "#flash", "Принято: подтверждение получения вводной w-border", STEP).await?;
    wait_for_text(&belarus, "#inject-w-border", "✓ Получение подтверждено", STEP).await?;
    wait_for_text(&director, "#released-w-border", "1 / 1", STEP).await?;

    // Once every state has answered v2, the director closes the stage (the Joint Staff left its
    // other slots empty, so it would not close early by itself).
    browser::wait_for_text_where(
        &observer,
        "#row-s1-03",
        "have every state's answer",
        |t| !t.contains("awaited"),
        STEP,
    )
    .await?;
    wait_for_text(&observer, "#row-s1-01", "no draft yet", STEP).await?;
    fill(&director, "#advance-form input[name=reason]", "stage 1 has what it needs").await?;
    click(&director, "#advance-form input[name=confirm]").await?;
    click(&director, "#advance").await?;
    wait_for_text(&director, "#flash", "Accepted: the early close of stage 1", STEP).await?;

    // The observer's board, updated live (no reload), shows the outcome.
    let outcome = wait_for_text(&observer, "#outcome-s1-03", "adopted", STEP).await?;
    assert!(outcome.contains('✓'), "the outcome has a mark besides its colour: {outcome}");
    // A position is a word and a mark, not only a colour.
    wait_for_text(&observer, "#row-s1-03 td.pos.concur", "✓ concur", STEP).await?;
    wait_for_text(&director, "#state-AM td.answers", "0 / 0", STEP).await?;
    for (client, role) in [(&director, "director"), (&observer, "observer"), (&staff, "joint-staff-after")] {
        every_control_is_labelled(client, role).await?;
        browser::screenshot(client, &screenshot_path(role)).await?;
    }

    // The report is a page of its own, with the stages' situations and the drafts' texts.
    click(&director, "nav a[href$='/report']").await?;
    wait_for_text(&director, "article.aar", "Tension grows along the western borders", STEP).await?;
    wait_for_text(&director, "article.aar", "within thirty days", STEP).await?;
    assert!(director.find(fantoccini::Locator::Css("iframe")).await.is_err(), "no frame in the report page");
    browser::screenshot(&director, &screenshot_path("report")).await?;

    // No page a person reads, nor the report, speaks the code's language.
    let cookie = |client: &fantoccini::Client| {
        let client = client.clone();
        async move {
            let cookies = client.get_all_cookies().await?;
            let found = cookies.iter().find(|c| c.name().starts_with("muster-")).context("a session cookie")?;
            anyhow::Ok(format!("{}={}", found.name(), found.value()))
        }
    };
    let ex = setup.run.exercise.clone();
    let mut read = Vec::new();
    for (client, at) in
        [(&director, setup.hq()?), (&staff, setup.hq()?), (&observer, setup.hq()?), (&belarus, setup.by()?)]
    {
        let cookie = cookie(client).await?;
        for page in [
            format!("/ex/{ex}"),
            format!("/ex/{ex}/report"),
            format!("/ex/{ex}/report.md"),
            format!("/ex/{ex}/report.html"),
            format!("/ex/{ex}/draft/s1-03"),
        ] {
            let response = browser::request(at, "GET", &page, &[("Cookie", &cookie)], None).await?;
            anyhow::ensure!(response.status == 200, "{page} answered {}", response.status);
            read.push((page, response.body));
        }
    }
    for (page, body) in &read {
        for internal in ["REJECTION_CODE", "troop_components", "control_point", "joint_staff", "no_draft", "gRPC"] {
            assert!(!body.contains(internal), "{page} shows `{internal}`");
        }
    }

    // The log says the same: each person's own signed submissions, through the seat it sits in.
    let probe = Probe::connect(&setup.nats, &setup.run.exercise).await?;
    let log = probe.log().await?;
    let position = |kind: PositionKind, version: u32| {
        log.iter().find(|e| {
            e.sender.node.as_str() == "BY"
                && matches!(&e.payload, Payload::Position(p) if p.slot_id == "s1-03" && p.draft_version == version && p.kind() == kind)
        })
    };
    let objection = position(PositionKind::NonConcur, 1).context("Belarus's non-concurrence is recorded")?;
    assert!(!objection.signature.is_empty(), "signed by Belarus's own key");
    assert!(matches!(&objection.payload, Payload::Position(p) if p.reasons == [reason]));
    assert_eq!(objection.language, "ru", "the record says the language Belarus wrote in");
    position(PositionKind::Concur, 2).context("Belarus's concurrence with v2 is recorded")?;
    let revision = log
        .iter()
        .find_map(|e| match &e.payload {
            Payload::DraftRevised(r) if e.sender.role == Role::JointStaff => Some(r),
            _ => None,
        })
        .context("the Joint Staff's revision is recorded")?;
    let disposition = revision.dispositions.iter().find(|d| d.comment_id == "s1-03-v1-BY-1");
    assert!(
        disposition.is_some_and(|d| d.kind() == proto::v1::DispositionKind::Accepted && d.reason == answer),
        "the revision answers Belarus's comment: {:?}",
        revision.dispositions
    );
    let kinds: Vec<&str> =
        log.iter().filter(|e| e.sender.node.as_str() == "director").map(bus::Envelope::kind).collect();
    assert_eq!(kinds, ["pause_exercise", "resume_exercise", "release_inject", "advance_exercise"]);
    let concluded = log
        .iter()
        .find_map(|e| match &e.payload {
            Payload::StageConcluded(s) if s.stage_number == 1 => Some(s),
            _ => None,
        })
        .context("stage 1 concluded")?;
    let s103 = concluded.outcomes.iter().find(|o| o.slot_id == "s1-03").context("s1-03 considered")?;
    assert_eq!(s103.outcome(), Outcome::Adopted, "{s103:?}");
    assert_eq!(s103.considered_version, 2);

    // A lost live link is loud: the headquarters' console goes away under the observer's page.
    setup.hq.child.start_kill()?;
    wait_for_text(&observer, "#link-lost", "Live updates lost", STEP).await?;
    browser::screenshot(&observer, &screenshot_path("observer-link-lost")).await?;

    for client in [director, staff, belarus, observer] {
        client.close().await?;
    }
    setup.running.stop().await;
    Ok(())
}

/// Every text people (and policies) wrote in `log`: drafts, summaries, reasons, remarks.
fn written(log: &[bus::Envelope]) -> Vec<String> {
    let mut texts = Vec::new();
    for e in log {
        match &e.payload {
            Payload::DraftDecision(d) => texts.extend([d.title.clone(), d.text.clone()]),
            Payload::DraftRevised(r) => {
                texts.push(r.change_summary.clone());
                texts.extend(r.draft.iter().flat_map(|d| [d.title.clone(), d.text.clone()]));
                texts.extend(r.dispositions.iter().map(|d| d.reason.clone()));
            }
            Payload::Position(p) => texts.extend(p.reasons.iter().cloned()),
            Payload::SituationAssessment(a) => texts.push(a.summary.clone()),
            Payload::AssemblyReport(a) => texts.push(a.remarks.clone()),
            Payload::ControlPointActivation(a) => texts.push(a.remarks.clone()),
            Payload::PauseExercise(c) => texts.push(c.reason.clone()),
            Payload::ResumeExercise(c) => texts.push(c.reason.clone()),
            Payload::AdvanceExercise(c) => texts.push(c.reason.clone()),
            Payload::StartExercise(c) => texts.push(c.reason.clone()),
            _ => {}
        }
    }
    texts.retain(|t| !t.is_empty());
    texts
}

/// Every word of the interface on the page is Russian, from the catalogue: once what people wrote
/// (`typed`), the scenario's own texts (given in the scenario's language) and names are set aside,
/// no Latin word is left but the technical ones.
async fn interface_is_in_russian(client: &fantoccini::Client, typed: &[String]) -> anyhow::Result<()> {
    let lang = client.execute("return document.documentElement.lang;", vec![]).await?;
    assert_eq!(lang, serde_json::json!("ru"), "<html lang> is the language shown");
    let visible = client.execute("return document.body.innerText;", vec![]).await?;
    let visible = visible.as_str().context("the page's text")?.to_owned();
    let scenario = tests::default_scenario()?;
    let mut content: Vec<String> = typed.to_vec();
    // Only the scenario's Russian: a text shown in English, for want of its Russian, stays and is found.
    let russian = |t: &words::Text| t.get("ru").map(str::to_owned);
    content.extend([&scenario.title, &scenario.description].into_iter().filter_map(russian));
    content.extend(scenario.participants.iter().filter_map(|p| russian(&p.name)));
    content.extend(scenario.participants.iter().map(|p| p.node.to_string()));
    for stage in &scenario.stages {
        content.extend([&stage.title, &stage.region, &stage.situation].into_iter().filter_map(russian));
        content.extend(stage.tasks.iter().filter_map(russian));
        content.extend(stage.slots.iter().filter_map(|s| russian(&s.title)));
    }
    let mut left = visible.clone();
    // Longest first, so that a text containing another is set aside whole.
    content.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for text in &content {
        left = left.replace(text.as_str(), " ");
    }
    let technical = ["SHA", "UTC", "JSON", "HTML", "Markdown", "Muster", "English", "MSK"];
    let english: Vec<&str> =
        left.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() > 2 && !technical.contains(w)).collect();
    assert!(english.is_empty(), "English words of the interface on the Russian page: {english:?}");
    Ok(())
}

/// Every visible form control of the page has a label a screen reader announces.
async fn every_control_is_labelled(client: &fantoccini::Client, page: &str) -> anyhow::Result<()> {
    let unlabelled = client
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]), textarea, select')] \
               .filter(e => !e.closest('label') && !(e.id && document.querySelector(`label[for=\"${e.id}\"]`))) \
               .map(e => e.outerHTML);",
            vec![],
        )
        .await?;
    assert_eq!(unlabelled, serde_json::json!([]), "unlabelled controls on the {page} page");
    let live = client.execute("return document.getElementById('feed').getAttribute('aria-live');", vec![]).await?;
    assert_eq!(live, serde_json::json!("polite"), "the {page} page's feed is announced without moving focus");
    Ok(())
}

/// Signs in over raw HTTP with an invite, as a browser on the same origin would; the session cookie.
async fn sign_in(at: SocketAddr, link: &str) -> anyhow::Result<(String, String)> {
    let path = link.split_once(&at.to_string()).map(|(_, p)| p).context("link on this console")?;
    let mut parts = path.trim_start_matches("/invite/").split('/');
    let (exercise, seat, secret) = (parts.next(), parts.next(), parts.next());
    let body = browser::form(&[
        ("exercise", exercise.unwrap_or_default()),
        ("seat", seat.unwrap_or_default()),
        ("secret", secret.unwrap_or_default()),
    ]);
    let origin = format!("http://{at}");
    let response =
        browser::request(at, "POST", "/signin", &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")], Some(&body))
            .await?;
    anyhow::ensure!(response.status == 303, "sign-in answered {}: {}", response.status, response.body);
    let name = format!("muster-{}", at.port());
    let token = response.cookie(&name).context("a session cookie")?;
    Ok((format!("{name}={token}"), body))
}

/// The message the seat's page shows after a form (once).
async fn flash(at: SocketAddr, page: &str, cookie: &str) -> anyhow::Result<String> {
    let body = browser::request(at, "GET", page, &[("Cookie", cookie)], None).await?.body;
    let start = body.find("id=\"flash\"").context("the page's message")?;
    let text = &body[start..];
    let end = text.find("</p>").unwrap_or(text.len());
    Ok(text[..end].to_owned())
}

/// Posts a form as a same-origin page of the console would.
async fn post(at: SocketAddr, path: &str, cookie: &str, fields: &[(&str, &str)]) -> anyhow::Result<browser::Response> {
    let origin = format!("http://{at}");
    let headers = [("Cookie", cookie), ("Origin", origin.as_str()), ("Sec-Fetch-Site", "same-origin")];
    browser::request(at, "POST", path, &headers, Some(&browser::form(fields))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_console_refuses_what_a_seat_may_not_do_and_its_live_link_resumes_exactly() -> anyhow::Result<()> {
    let mut setup = Setup::start("console-http").await?;
    let (hq, by) = (setup.hq()?, setup.by()?);
    let ex = setup.run.exercise.clone();
    let page = format!("/ex/{ex}");

    // No session: the sign-in page, and nothing else.
    let response = browser::request(hq, "GET", &page, &[], None).await?;
    assert_eq!((response.status, response.header("location")), (303, Some("/signin")));
    let response = browser::request(hq, "GET", "/signin", &[], None).await?;
    assert!(response.status == 200 && response.body.contains("You are not signed in"), "{}", response.body);
    let response =
        browser::request(hq, "POST", &format!("{page}/seat/director/start"), &[], Some("confirm=yes")).await?;
    assert_eq!((response.status, response.header("location")), (303, Some("/signin")));

    // An invite admits once.
    let (belarus, used) = sign_in(by, &setup.link("BY")?).await?;
    let again = browser::request(by, "POST", "/signin", &[("Sec-Fetch-Site", "same-origin")], Some(&used)).await?;
    assert_eq!(again.status, 403);
    assert!(again.body.contains("used already"), "{}", again.body);
    let (director, _) = sign_in(hq, &setup.link("director")?).await?;

    // A cross-site post is refused before it is read.
    let forged = browser::request(
        hq,
        "POST",
        &format!("{page}/seat/director/start"),
        &[("Cookie", &director), ("Sec-Fetch-Site", "cross-site")],
        Some("confirm=yes&reason=forged"),
    )
    .await?;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("another site"), "{}", forged.body);
    let host = hq.to_string();
    let forged = browser::request(
        hq,
        "POST",
        &format!("{page}/seat/director/start"),
        &[("Cookie", &director), ("Origin", "http://evil.example"), ("Host", &host)],
        Some("confirm=yes&reason=forged"),
    )
    .await?;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("another origin"), "{}", forged.body);
    // An unconfirmed start is refused by the console, with the reason.
    post(hq, &format!("{page}/seat/director/start"), &director, &[("reason", "go")]).await?;
    let said = flash(hq, &page, &director).await?;
    assert!(said.contains("Not sent: it was not confirmed") && said.contains("confirmation box"), "{said}");
    // A reason longer than any is, or one carrying a control character, is refused with why.
    let long = "x".repeat(bus::text::MAX_TEXT + 1);
    let empty_ok = ("empty_ok", "yes");
    post(hq, &format!("{page}/seat/director/start"), &director, &[("reason", &long), ("confirm", "yes"), empty_ok])
        .await?;
    let said = flash(hq, &page, &director).await?;
    assert!(said.contains("Not sent: the reason: 4001 characters, more than the 4000 accepted"), "{said}");
    let control = [("reason", "go\u{1b}[2J"), ("confirm", "yes"), empty_ok];
    post(hq, &format!("{page}/seat/director/start"), &director, &control).await?;
    let said = flash(hq, &page, &director).await?;
    assert!(said.contains("Not sent: the reason: an invisible control character"), "{said}");
    // The Joint Staff's person has not signed in: a start that does not say it knows is refused,
    // naming the empty seat.
    post(hq, &format!("{page}/seat/director/start"), &director, &[("reason", "go"), ("confirm", "yes")]).await?;
    let said = flash(hq, &page, &director).await?;
    assert!(said.contains("not taken") && said.contains("CSTO Joint Staff"), "{said}");
    // The plan is the planner's: the director neither hands one over nor starts with one that was not.
    let response = post(hq, &format!("{page}/plan/hand"), &director, &[]).await?;
    assert_eq!(response.status, 403);
    assert!(response.body.contains("Only the planner prepares the plan"), "{}", response.body);
    let start = [("reason", "go"), ("confirm", "yes"), empty_ok, ("plan", "0123abcd")];
    post(hq, &format!("{page}/seat/director/start"), &director, &start).await?;
    let said = flash(hq, &page, &director).await?;
    assert!(said.contains("The planner's plan changed since this page was shown"), "{said}");
    let crafted = format!("{page}?said=Refused%3A+fake");
    let spoofed = browser::request(hq, "GET", &crafted, &[("Cookie", &director)], None).await?;
    assert!(!spoofed.body.contains("fake"), "no link puts words on a page");
    let probe = Probe::connect(&setup.nats, &ex).await?;
    assert_eq!(probe.log_len().await?, 0, "nothing refused reached the log: the exercise has not started");

    // The director starts it all the same; the live link brings the notification and assembly.
    post(hq, &format!("{page}/seat/director/start"), &director, &[("reason", "go"), ("confirm", "yes"), empty_ok])
        .await?;
    let said = flash(hq, &page, &director).await?;
    assert!(said.contains("Accepted: the start of the exercise"), "{said}");
    let events = format!("{page}/events");
    let first = browser::sse(by, &events, &[("Cookie", &belarus)], 2, STEP).await?;
    let ids: Vec<Option<&str>> = first.iter().map(|e| e.id.as_deref()).collect();
    assert_eq!(ids, [Some("1"), Some("2")]);
    assert!(first[0].data.contains("exercise notified"), "{}", first[0].data);

    // Belarus's session posting for Kazakhstan: 403, and nothing on the bus.
    let before = probe.log().await?;
    let response = post(by, &format!("{page}/seat/KZ/assembly"), &belarus, &[("remarks", "as Kazakhstan")]).await?;
    assert_eq!(response.status, 403);
    assert!(response.body.contains("only as that seat"), "{}", response.body);
    let response =
        post(by, &format!("{page}/seat/BY/pause"), &belarus, &[("reason", "mine"), ("confirm", "yes")]).await?;
    assert_eq!(response.status, 403, "exercise control needs the director's seat");
    assert!(response.body.contains("director"), "{}", response.body);
    let response = post(hq, &format!("{page}/seat/joint-staff/assembly"), &belarus, &[]).await?;
    assert_eq!(response.status, 303, "another console's cookie is no session here");
    assert_eq!(response.header("location"), Some("/signin"));

    // Belarus reports as itself; a lost live link resumes after the last event it saw.
    post(by, &format!("{page}/seat/BY/assembly"), &belarus, &[("remarks", "Belarus assembled")]).await?;
    let said = flash(by, &page, &belarus).await?;
    assert!(said.contains("Accepted: the assembly report"), "{said}");
    let log = probe.log().await?;
    let forged = |e: &bus::Envelope| matches!(&e.payload, Payload::AssemblyReport(r) if r.remarks == "as Kazakhstan");
    assert!(!log[before.len()..].iter().any(forged), "nothing was submitted for Kazakhstan");
    let ours = log.iter().position(|e| e.sender.node.as_str() == "BY").context("Belarus's report is recorded")?;
    let sequence = ours as u64 + 1;
    let resumed =
        browser::sse(by, &events, &[("Cookie", &belarus), ("Last-Event-ID", "2")], (sequence - 2) as usize, STEP)
            .await?;
    let ids: Vec<u64> = resumed.iter().filter_map(|e| e.id.as_deref()?.parse().ok()).collect();
    assert_eq!(ids, (3..=sequence).collect::<Vec<_>>(), "every event after 2, once, in order");
    assert!(resumed.last().is_some_and(|e| e.data.contains("BY reported at assembly")), "{resumed:?}");
    let from_query = browser::sse(by, &format!("{events}?after=1"), &[("Cookie", &belarus)], 1, STEP).await?;
    assert_eq!(from_query[0].id.as_deref(), Some("2"), "without Last-Event-ID, ?after= says where to resume");

    // The director's list of every exercise on the server, each with its own page; the report
    // as JSON, Markdown and HTML.
    let list = browser::request(hq, "GET", "/exercises", &[("Cookie", &director)], None).await?;
    assert!(list.status == 200 && list.body.contains(&format!("href=\"/ex/{ex}\"")), "{}", list.body);
    let list = browser::request(by, "GET", "/exercises", &[("Cookie", &belarus)], None).await?;
    assert_eq!(list.status, 403, "the list is the director's");
    for (file, kind, needle) in [
        ("report.json", "application/json", format!("\"exercise\": \"{ex}\"")),
        ("report.md", "text/markdown", "BY".to_string()),
        ("report.html", "text/html", "<html".to_string()),
    ] {
        let response = browser::request(by, "GET", &format!("{page}/{file}"), &[("Cookie", &belarus)], None).await?;
        assert_eq!(response.status, 200, "{file}");
        assert!(
            response.header("content-type").unwrap_or_default().starts_with(kind),
            "{file}: {:?}",
            response.headers
        );
        assert!(response.body.contains(&needle), "{file} lacks {needle:?}");
    }
    let response = browser::request(by, "GET", &format!("{page}/report.exe"), &[("Cookie", &belarus)], None).await?;
    assert_eq!(response.status, 404);

    setup.running.stop().await;
    let _ = setup.hq.child.start_kill();
    Ok(())
}

/// A workbook of `scenario` as `edit` leaves its sheets, written where the browser can upload it.
fn workbook_file(
    dir: &std::path::Path,
    name: &str,
    scenario: &scenario::Scenario,
    edit: impl FnOnce(&mut [workbook::Grid]),
) -> anyhow::Result<PathBuf> {
    let mut sheets = workbook::grids(scenario);
    edit(&mut sheets);
    let path = dir.join(name);
    std::fs::write(&path, workbook::workbook(&sheets)?)?;
    Ok(path)
}

fn sheet<'a>(sheets: &'a mut [workbook::Grid], name: &str) -> &'a mut workbook::Grid {
    sheets.iter_mut().find(|g| g.name == name).unwrap_or_else(|| panic!("no sheet {name}"))
}

/// Sets the cell under `heading` of the row (numbered as the spreadsheet shows it) whose first
/// cell is `key`.
fn set(sheet: &mut workbook::Grid, key: &str, heading: &str, value: &str) {
    let column = sheet.column(heading).unwrap_or_else(|| panic!("no column {heading}"));
    let row = sheet.rows.iter_mut().find(|r| r.first().map(String::as_str) == Some(key)).expect("the row");
    row[column] = value.into();
}

async fn upload(client: &fantoccini::Client, file: &std::path::Path) -> anyhow::Result<()> {
    let input = wait_for(client, "#plan-file", STEP).await?;
    input.send_keys(&file.display().to_string()).await?;
    click(client, "#upload").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_planner_prepares_the_plan_in_a_workbook_and_the_director_starts_the_exercise_with_it() -> anyhow::Result<()>
{
    let browser = Browser::start().await?;
    let setup = Setup::start("console-plan").await?;
    let dir = tempfile::TempDir::with_prefix("muster-plan")?;
    let planner = take_seat(&browser, &setup.link("planner")?).await?;

    // A workbook of the exercise's plan with two mistakes: both are named where they are.
    let wrong = workbook_file(dir.path(), "plan.xlsx", &setup.run.scenario, |sheets| {
        set(sheet(sheets, "Exercise"), "decision_rule", "value", "majority");
        let slots = sheet(sheets, "Slots");
        let category = slots.column("category").expect("category");
        slots.rows[1][category] = "weapons".into();
    })?;
    upload(&planner, &wrong).await?;
    wait_for_text(&planner, "#plan-problems", "plan.xlsx: 2 problems", STEP).await?;
    let rows = planner
        .execute(
            "return [...document.querySelectorAll('#problems tbody tr')].map(r => [...r.cells].slice(0, 4).map(c => c.textContent));",
            vec![],
        )
        .await?;
    assert_eq!(
        rows,
        serde_json::json!([["Exercise", "9", "B", "decision_rule"], ["Slots", "2", "D", "category"]]),
        "each problem at its sheet, row and column"
    );
    browser::screenshot(&planner, &screenshot_path("planner-problems")).await?;
    assert!(
        planner.find(fantoccini::Locator::Css("#hand")).await.is_err(),
        "a plan with problems cannot be handed over"
    );

    // Corrected, with an inject for stage 1 and a later deadline for stage 3.
    let right = workbook_file(dir.path(), "plan-2.xlsx", &setup.run.scenario, |sheets| {
        set(sheet(sheets, "Stages"), "3", "closes", "3d6h");
        let msel = sheet(sheets, "MSEL");
        let mut row = vec![String::new(); msel.headings().len()];
        for (heading, value) in
            [("stage", "1"), ("id", "p1"), ("at", "10m"), ("text.en", "The border crossing at Brest is closed.")]
        {
            row[msel.column(heading).expect("a column")] = value.into();
        }
        msel.rows.push(row);
    })?;
    upload(&planner, &right).await?;
    wait_for_text(&planner, "#plan-ready", "plan-2.xlsx: valid", STEP).await?;
    wait_for_text(&planner, "#plan-injects", "The border crossing at Brest is closed.", STEP).await?;
    wait_for_text(&planner, "#plan-seats", "to acknowledge injects p1", STEP).await?;
    let digest = planner.find(fantoccini::Locator::Css("#plan-digest")).await?.text().await?;
    click(&planner, "#hand").await?;
    wait_for_text(&planner, "#plan-handed", "Handed to the director", STEP).await?;
    browser::screenshot(&planner, &screenshot_path("planner-ready")).await?;

    // The director sees the plan handed over and starts with it.
    let director = take_seat(&browser, &setup.link("director")?).await?;
    wait_for_text(&director, "#handed-plan", &digest, STEP).await?;
    fill(&director, "#start-form input[name=reason]", "the plan is ready").await?;
    click(&director, "#start-form input[name=confirm]").await?;
    click(&director, "#start-form input[name=empty_ok]").await?;
    click(&director, "#start").await?;
    wait_for_text(&director, "#flash", "Accepted: the start of the exercise", STEP).await?;
    let probe = Probe::connect(&setup.nats, &setup.run.exercise).await?;
    let notified = probe.wait_for("notification", STEP).await?;
    let Payload::Notification(n) = notified.payload else { unreachable!("waited for the notification") };
    assert_eq!(n.scenario_digest, digest, "the record names the plan played");
    let injects: Vec<&str> = n.stages[0].injects.iter().map(|i| i.inject_id.as_str()).collect();
    assert_eq!(injects, ["p1"]);
    wait_for_text(&planner, "#plan-played", &digest, STEP).await?;
    Ok(())
}
