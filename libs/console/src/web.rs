//! The routes. Pages need a session for their exercise; a form acts only as the signed-in seat
//! (another seat's path is refused with 403 before anything reaches the bus) and only from this
//! console's own pages (cross-site posts are refused); what a form asks is put into the seat's
//! desk, so the seat's driver signs and submits it with the seat's own key, and the verdict comes
//! back as the page's message.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use bus::envelope::Payload;
use bus::{ExerciseId, NodeId, Role};
use futures::StreamExt;
use maud::{Markup, html};
use proto::v1 as wire;
use seat::{Act, Action, Control, Desk, SubmitError, Verdict};

use crate::auth::{Kept, Said, Session, cross_site};
use crate::pages::{self, Kind, View};
use crate::{Console, Live, feed, refusal};

type Shared = Arc<Console>;

/// The header the live script sets on its refreshes of a page.
const REFRESH: &str = "x-muster-refresh";

/// How long a form waits for its submission's verdict.
const ACT_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// The console's routes.
pub fn router(console: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(|| async { "ok" }))
        .route("/assets/console.js", get(script))
        .route("/assets/console.css", get(style))
        .route("/assets/report.css", get(report_style))
        .route("/signin", get(sign_in_page).post(sign_in))
        .route("/signout", post(sign_out))
        .route("/invite/{exercise}/{seat}/{secret}", get(invite))
        .route("/exercises", get(exercises))
        .route("/ex/{exercise}", get(page))
        .route("/ex/{exercise}/events", get(events))
        .route("/ex/{exercise}/report", get(report_page))
        .route("/ex/{exercise}/draft/{slot}", get(draft_page))
        .route("/ex/{exercise}/{file}", get(report_file))
        .route("/ex/{exercise}/seat/{seat}/{action}", post(act))
        .with_state(console)
}

fn page_response(status: StatusCode, markup: Markup) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], markup).into_response()
}

fn refused(status: StatusCode, title: &str, why: &str) -> Response {
    let message = html! {
        p #refusal { (why) }
        p.back { a href="/" { "Back to your seat" } " (or to the sign-in page, if this browser has no seat)" }
    };
    page_response(status, pages::notice(title, message))
}

fn to_sign_in() -> Response {
    Redirect::to("/signin").into_response()
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../assets/console.js"))
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../assets/console.css"))
}

async fn report_style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], report::html::STYLE)
}

async fn home(State(c): State<Shared>, headers: HeaderMap) -> Response {
    match c.sessions.of(&headers) {
        Some(s) => Redirect::to(&format!("/ex/{}", s.exercise)).into_response(),
        None => page_response(StatusCode::OK, pages::sign_in()),
    }
}

async fn sign_in_page() -> Response {
    page_response(StatusCode::OK, pages::sign_in())
}

async fn invite(State(c): State<Shared>, Path((exercise, seat, secret)): Path<(String, String, String)>) -> Response {
    let hosted = ExerciseId::new(exercise)
        .ok()
        .filter(|e| e == &c.exercise)
        .zip(NodeId::new(seat).ok())
        .and_then(|(e, s)| c.seats.get(&s).map(|h| (e, s, h)));
    match hosted {
        Some((exercise, seat, hosted)) => {
            page_response(StatusCode::OK, pages::invite(&exercise, &seat, &hosted.name, &secret))
        }
        None => refused(StatusCode::NOT_FOUND, "No such seat", "This console hosts no such seat in that exercise."),
    }
}

async fn sign_in(State(c): State<Shared>, headers: HeaderMap, Form(form): Form<BTreeMap<String, String>>) -> Response {
    if let Some(why) = cross_site(&headers) {
        tracing::warn!(exercise = %c.exercise, %why, "sign-in refused");
        return refused(StatusCode::FORBIDDEN, "Refused", &format!("Refused: {why}."));
    }
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let (Ok(exercise), Ok(seat)) = (ExerciseId::new(field("exercise")), NodeId::new(field("seat"))) else {
        return refused(StatusCode::BAD_REQUEST, "Refused", "The sign-in form names no valid exercise and seat.");
    };
    if exercise != c.exercise || !c.seats.contains_key(&seat) {
        return refused(StatusCode::FORBIDDEN, "Refused", "This console hosts no such seat in that exercise.");
    }
    if let Err(e) = identity::invites::redeem(&c.identities, &exercise, &seat, field("secret")) {
        tracing::warn!(%exercise, %seat, error = %e, "invite refused");
        let status = match e {
            identity::invites::InviteError::Store { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::FORBIDDEN,
        };
        return refused(
            status,
            "Invite refused",
            &format!("Refused: {e}. Ask the exercise's operator for a new link."),
        );
    }
    let cookie = match c.sessions.open(exercise.clone(), seat.clone()) {
        Ok(cookie) => cookie,
        Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, "Error", &format!("no session: {e}")),
    };
    c.seat_people();
    tracing::info!(%exercise, %seat, "seat taken");
    let mut response = Redirect::to(&format!("/ex/{exercise}")).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn sign_out(State(c): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(why) = cross_site(&headers) {
        return refused(StatusCode::FORBIDDEN, "Refused", &format!("Refused: {why}."));
    }
    let cookie = c.sessions.close(&headers);
    c.seat_people();
    let mut response = Redirect::to("/signin").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Why a page is not shown.
#[derive(Debug)]
enum Denied {
    /// No session: the sign-in page.
    SignIn,
    /// Refused, with the status and the reason.
    Refused(StatusCode, &'static str),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::SignIn => to_sign_in(),
            Denied::Refused(status, why) => refused(status, "Refused", why),
        }
    }
}

/// Who may read `exercise`: its own seats, and the director of the hosted exercise for every other;
/// with the exercise's live log.
fn reader(c: &Console, headers: &HeaderMap, exercise: &str) -> Result<(Session, ExerciseId, Arc<Live>), Denied> {
    let session = c.sessions.of(headers).ok_or(Denied::SignIn)?;
    let exercise =
        ExerciseId::new(exercise).map_err(|_| Denied::Refused(StatusCode::NOT_FOUND, "That is not an exercise id."))?;
    let director =
        session.exercise == c.exercise && c.seats.get(&session.seat).is_some_and(|h| h.role == Role::Coordinator);
    if session.exercise != exercise && !director {
        return Err(Denied::Refused(StatusCode::FORBIDDEN, "Your seat is in another exercise."));
    }
    let live = c
        .board(&exercise)
        .ok_or(Denied::Refused(StatusCode::NOT_FOUND, "This console cannot follow other exercises."))?;
    Ok((session, exercise, live))
}

fn nonce() -> String {
    identity::secret::random_hex(6).unwrap_or_default()
}

fn kind(c: &Console, seat: &NodeId, record: &record::Record) -> Kind {
    let Some(hosted) = c.seats.get(seat) else { return Kind::Board };
    let gives =
        record.plan.as_ref().and_then(|p| p.participant(seat)).is_some_and(record::Participant::gives_positions);
    pages::kind_of(hosted.role, gives)
}

async fn page(State(c): State<Shared>, headers: HeaderMap, Path(exercise): Path<String>) -> Result<Response, Denied> {
    let (session, exercise, live) = reader(&c, &headers, &exercise)?;
    if exercise != c.exercise {
        let log = live.read();
        return Ok(page_response(StatusCode::OK, pages::other(&exercise, &log, &c.exercise)));
    }
    let hosted = c.seats.get(&session.seat).ok_or(Denied::SignIn)?;
    // The live script's refreshes leave the message to the page the browser navigates to.
    let said = if headers.contains_key(REFRESH) { None } else { c.sessions.said(&headers) };
    let log = live.read();
    let director = hosted.role == Role::Coordinator && log.record.plan.is_none();
    let seats = if director { crate::ready::seats(&c.roster, &c.presences) } else { Vec::new() };
    let empty = crate::ready::empty(&seats);
    let view = View {
        seats,
        empty,
        exercise: &exercise,
        log: &log,
        seat: &session.seat,
        kind: kind(&c, &session.seat, &log.record),
        name: hosted.name.clone(),
        said,
        kept: c.sessions.kept(&headers),
        token: hosted.desk.as_ref().and_then(Desk::token),
        preview: c.preview.as_ref().map(|(t, d)| (t.as_str(), d.as_str())),
        now: SystemTime::now(),
        nonce: nonce(),
        awaited: log.record.awaited(),
    };
    Ok(page_response(StatusCode::OK, pages::seat(&view)))
}

async fn draft_page(
    State(c): State<Shared>,
    headers: HeaderMap,
    Path((exercise, slot)): Path<(String, String)>,
) -> Result<Response, Denied> {
    let (_, exercise, live) = reader(&c, &headers, &exercise)?;
    let log = live.read();
    let plan = log.record.plan.as_ref();
    let found = plan.and_then(|p| p.slot(&slot)).zip(log.record.drafts.get(&slot));
    let Some(((_, slot), draft)) = found else {
        return Err(Denied::Refused(StatusCode::NOT_FOUND, "There is no such draft in this exercise (yet)."));
    };
    Ok(page_response(StatusCode::OK, pages::draft_page(&exercise, &log, slot, draft)))
}

async fn exercises(State(c): State<Shared>, headers: HeaderMap) -> Response {
    let Some(session) = c.sessions.of(&headers) else { return to_sign_in() };
    if c.seats.get(&session.seat).is_none_or(|h| h.role != Role::Coordinator) {
        return refused(StatusCode::FORBIDDEN, "Refused", "The list of exercises is the director's.");
    }
    let mut all = match &c.others {
        Some((others, _)) => others.exercises().await,
        None => Vec::new(),
    };
    if !all.contains(&c.exercise) {
        all.push(c.exercise.clone());
    }
    page_response(StatusCode::OK, pages::exercises(&c.exercise, &all))
}

#[derive(Debug, serde::Deserialize)]
struct EventsQuery {
    after: Option<u64>,
}

/// The live link: every event after the one the browser last saw (`Last-Event-ID`, which the
/// browser sends by itself when it reconnects, else `?after=`), then each new one as it comes.
async fn events(
    State(c): State<Shared>,
    headers: HeaderMap,
    Path(exercise): Path<String>,
    Query(query): Query<EventsQuery>,
) -> Result<Response, Denied> {
    let (_, _, live) = reader(&c, &headers, &exercise)?;
    let last_seen = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let after = last_seen.or(query.after).unwrap_or(0);
    let watch = live.watch();
    let stream = futures::stream::unfold((live, watch, after), |(live, mut watch, after)| async move {
        loop {
            let batch: Vec<(u64, String)> = {
                let log = live.read();
                log.after(after).iter().take(256).map(|(seq, e)| (*seq, feed::line(&log.record, e))).collect()
            };
            if let Some(&(last, _)) = batch.last() {
                let events = batch.into_iter().map(|(seq, line)| {
                    Ok::<_, Infallible>(SseEvent::default().id(seq.to_string()).event("record").data(line))
                });
                return Some((futures::stream::iter(events), (live, watch, last)));
            }
            if watch.changed().await.is_err() {
                return None;
            }
        }
    })
    .flatten();
    let mut response = Sse::new(stream).keep_alive(KeepAlive::default()).into_response();
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn report_page(
    State(c): State<Shared>,
    headers: HeaderMap,
    Path(exercise): Path<String>,
) -> Result<Response, Denied> {
    let (_, exercise, live) = reader(&c, &headers, &exercise)?;
    let log = live.read();
    let report = report::build(exercise.as_str(), &log.record);
    Ok(page_response(StatusCode::OK, pages::report(&exercise, &report, log.record.is_concluded())))
}

async fn report_file(
    State(c): State<Shared>,
    headers: HeaderMap,
    Path((exercise, file)): Path<(String, String)>,
) -> Result<Response, Denied> {
    let (_, exercise, live) = reader(&c, &headers, &exercise)?;
    let report = report::build(exercise.as_str(), &live.read().record);
    let (kind, body) = match file.as_str() {
        "report.json" => ("application/json", serde_json::to_string_pretty(&report).unwrap_or_default()),
        "report.md" => ("text/markdown; charset=utf-8", report::markdown::render(&report)),
        "report.html" => ("text/html; charset=utf-8", report::html::render(&report)),
        _ => return Err(Denied::Refused(StatusCode::NOT_FOUND, "No such page.")),
    };
    let disposition = format!("inline; filename=\"{exercise}-{file}\"");
    Ok(([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// What a form asks, as the seat's action; `Err` names what is wrong with the form.
fn action(c: &Console, seat: &NodeId, name: &str, form: &BTreeMap<String, String>) -> Result<Action, String> {
    // Browsers send line breaks as CR LF; the limits count what people see, one character each.
    let field = |f: &str| form.get(f).map(|v| v.trim().replace("\r\n", "\n")).unwrap_or_default();
    let number = |f: &str| field(f).parse::<u32>().map_err(|_| format!("the form's {f} is not a number"));
    let confirmed = || match field("confirm").as_str() {
        "yes" => Ok(()),
        _ => Err("it was not confirmed: tick the confirmation box".to_string()),
    };
    let act = match name {
        "assembly" => Act::assembly(field("remarks")),
        "activation" => Act::activation(field("token"), field("remarks")),
        "assessment" => Act::assessment(number("stage")?, field("summary")),
        "draft" | "revise" => {
            let slot_id = field("slot");
            let record = &c.live.read().record;
            let plan = record.plan.as_ref().ok_or("the exercise has not started")?;
            let (_, slot) =
                plan.slot(&slot_id).ok_or_else(|| format!("there is no draft {slot_id} in this exercise"))?;
            let version = match name {
                "draft" => 1,
                _ => number("version")?.checked_add(1).ok_or("the form's version is out of range")?,
            };
            let draft = wire::DraftDecision {
                slot_id,
                version,
                drafting_body: slot.owner.to_wire() as i32,
                category: slot.category.to_wire() as i32,
                title: field("title"),
                text: field("text"),
            };
            if name == "draft" {
                Act::draft(draft)
            } else {
                let dispositions = form
                    .iter()
                    .filter_map(|(k, v)| Some((k.strip_prefix("disposition-")?, v.trim())))
                    .filter(|(_, kind)| !kind.is_empty())
                    .map(|(comment, kind)| {
                        let kind = record::comments::disposition_of(kind)
                            .ok_or_else(|| format!("“{kind}” is not a disposition (comment {comment})"))?;
                        let reason = field(&format!("reason-{comment}"));
                        Ok(wire::Disposition { comment_id: comment.to_owned(), kind: kind as i32, reason })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Act::revision(draft, field("summary"), dispositions)
            }
        }
        "position" => {
            let kind = match field("kind").as_str() {
                "concur" => wire::PositionKind::Concur,
                "concur_with_remarks" => wire::PositionKind::ConcurWithRemarks,
                "non_concur" => wire::PositionKind::NonConcur,
                "abstain" => wire::PositionKind::Abstain,
                other => {
                    return Err(format!(
                        "“{other}” is not a position: choose concur, concur with remarks, non-concur or abstain"
                    ));
                }
            };
            let reasons = field("reasons").lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
            Act::position(field("slot"), number("version")?, kind, reasons)
        }
        "receipt" => Act::receipt(field("package"), field("digest")),
        other => match Control::named(other) {
            Some(command) => {
                confirmed()?;
                let meant = match command {
                    Control::Start => None,
                    _ => Some(field("window").parse::<record::Phase>().map_err(|_| "the form names no window")?),
                };
                Act::control(command, meant, field("reason"))
            }
            None => return Err(format!("“{other}” is not something a seat does")),
        },
    };
    let nonce: String = field("nonce").chars().filter(char::is_ascii_alphanumeric).take(16).collect();
    let nonce = if nonce.is_empty() { self::nonce() } else { nonce };
    act.by_person(seat, &nonce).map_err(|e| format!("it could not be given a message id ({e})"))
}

/// What a submission is, in words, for the person's message.
fn describe(payload: &Payload) -> String {
    match payload {
        Payload::DraftDecision(d) => format!("draft {} (version {})", d.slot_id, d.version),
        Payload::DraftRevised(wire::DraftRevised { draft: Some(d), .. }) => {
            format!("the revision of {} to version {}", d.slot_id, d.version)
        }
        Payload::Position(p) => {
            format!("your position on {} version {} ({})", p.slot_id, p.draft_version, feed::position(p.kind()))
        }
        Payload::SituationAssessment(a) => format!("the situation assessment of stage {}", a.stage_number),
        Payload::ControlPointActivation(_) => "the activation and communications check".into(),
        Payload::AssemblyReport(_) => "the assembly report".into(),
        Payload::ReceiptConfirmed(_) => "the confirmation of receipt".into(),
        Payload::StartExercise(_) => "the start of the exercise".into(),
        Payload::PauseExercise(p) => format!("the pause of {}", window_words(p.window.as_ref())),
        Payload::ResumeExercise(p) => format!("the resumption of {}", window_words(p.window.as_ref())),
        Payload::AdvanceExercise(p) => format!("the early close of {}", window_words(p.window.as_ref())),
        other => bus::envelope::payload_kind(other).replace('_', " "),
    }
}

/// The window a control command means, in words (`stage 1`).
fn window_words(window: Option<&wire::Window>) -> String {
    window.map_or("the current window".into(), |w| record::Phase::of_window(w).to_string())
}

/// Back to the seat's page, which says what became of the form (and, when it was refused, shows
/// it again as typed).
fn back(c: &Console, headers: &HeaderMap, exercise: &ExerciseId, said: Said, kept: Option<Kept>) -> Response {
    c.sessions.say(headers, said, kept);
    Redirect::to(&format!("/ex/{exercise}")).into_response()
}

async fn act(
    State(c): State<Shared>,
    headers: HeaderMap,
    Path((exercise, seat, name)): Path<(String, String, String)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    if let Some(why) = cross_site(&headers) {
        tracing::warn!(exercise = %c.exercise, %seat, action = %name, %why, "form refused");
        return refused(StatusCode::FORBIDDEN, "Refused", &format!("Refused: {why}."));
    }
    let Some(session) = c.sessions.of(&headers) else { return to_sign_in() };
    if session.exercise.as_str() != exercise || session.seat.as_str() != seat {
        tracing::warn!(exercise = %c.exercise, signed_in = %session.seat, asked = %seat, action = %name, "form for another seat refused");
        let why =
            format!("You are signed in as {} in {}; you may act only as that seat.", session.seat, session.exercise);
        return refused(StatusCode::FORBIDDEN, "Refused", &why);
    }
    let control = Control::named(&name).is_some();
    if control != c.seats.get(&session.seat).is_some_and(|h| h.role == Role::Coordinator) {
        let why =
            if control { "Exercise control is the director's." } else { "The director submits exercise control only." };
        return refused(StatusCode::FORBIDDEN, "Refused", why);
    }
    let Some(desk) = c.seats.get(&session.seat).and_then(|h| h.desk.clone()) else {
        return refused(StatusCode::FORBIDDEN, "Refused", "This seat reads only; it submits nothing.");
    };
    let kept = Kept { action: name.clone(), fields: form.clone() };
    let not_sent = |why: String| {
        let text = format!("Not sent: {why}. What you typed is kept in the form; correct it and send it again.");
        back(&c, &headers, &session.exercise, Said { text, refused: true }, Some(kept.clone()))
    };
    let action = match action(&c, &session.seat, &name, &form) {
        Ok(action) => action,
        Err(why) => return not_sent(why),
    };
    // The coordinator would refuse it too; the person hears why before anything is sent.
    if let Err(e) = bus::text::check_payload(&action.payload) {
        return not_sent(text_problem(&e));
    }
    // Before the start only: once the plan is out, seats stop saying they are present.
    if name == Control::Start.name() && c.live.read().record.plan.is_none() {
        let empty = crate::ready::empty(&crate::ready::seats(&c.roster, &c.presences));
        if !empty.is_empty() && form.get("empty_ok").map(String::as_str) != Some("yes") {
            return not_sent(format!(
                "{} not taken ({}); to start all the same, tick the box that says so",
                if empty.len() == 1 { "one seat is" } else { "some seats are" },
                empty.join(", ")
            ));
        }
    }
    let (message_id, kind) = (action.message_id.clone(), bus::envelope::payload_kind(&action.payload));
    let what = describe(&action.payload);
    // The seat keeps trying while the bus is down; the person is told rather than kept waiting.
    let verdict = tokio::time::timeout(ACT_WAIT, desk.act(action)).await.unwrap_or_else(|_| {
        Err(SubmitError::Transient("the bus is not reachable now; the seat keeps trying to submit it".into()))
    });
    let (said, kept) = match &verdict {
        Ok(Verdict::Accepted { duplicate, receipt, .. }) => {
            let recorded = receipt
                .as_ref()
                .map(|r| format!(", recorded as event {} (the coordinator's receipt)", r.sequence))
                .unwrap_or_default();
            let again = if *duplicate { " (it was already recorded)" } else { "" };
            (Said { text: format!("Accepted: {what}{again}{recorded}."), refused: false }, None)
        }
        Ok(Verdict::Received) => {
            let text = format!("Sent: {what} is on its way; the coordinator has not answered yet.");
            (Said { text, refused: false }, None)
        }
        Err(SubmitError::Refused { code, reason }) => {
            (Said { text: refusal::sentence(&what, *code, reason), refused: true }, Some(kept))
        }
        // The seat goes on sending this very submission: sent again, it would be another one.
        Err(SubmitError::Transient(reason)) => {
            let text = format!("Not confirmed yet: {what}: {reason}. The seat keeps sending it; do not send it again.");
            (Said { text, refused: true }, None)
        }
    };
    let code = match &verdict {
        Err(SubmitError::Refused { code, .. }) => code.map_or("by the console", |c| c.as_str_name()),
        _ => "",
    };
    tracing::info!(exercise = %session.exercise, seat = %session.seat, %message_id, kind, code, outcome = %said.text, "person acted");
    back(&c, &headers, &session.exercise, said, kept)
}

/// A text over its limit or with a character that acts on a display, in words.
fn text_problem(e: &bus::text::TextError) -> String {
    use bus::text::TextError;
    match e {
        TextError::TooLong { field, length, limit } => {
            format!("{}: {length} characters, more than the {limit} accepted", refusal::field(field))
        }
        TextError::Control { field, shown, at } => {
            format!("{}: an invisible control character ({shown}) at character {at}; remove it", refusal::field(field))
        }
    }
}
