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
use axum::extract::{Extension, Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use bus::envelope::Payload;
use bus::{ExerciseId, NodeId, Role};
use futures::StreamExt;
use maud::{Markup, html};
use proto::v1 as wire;
use seat::{Act, Action, Control, Desk, SubmitError, Verdict};
use words::{Arg, Lang};

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
        .route("/ex/{exercise}/plan", post(upload_plan))
        .route("/ex/{exercise}/plan/hand", post(hand_plan))
        .route("/ex/{exercise}/plan/{form}", get(plan_file))
        .route("/ex/{exercise}/{file}", get(report_file))
        .route("/ex/{exercise}/seat/{seat}/{action}", post(act))
        .layer(middleware::from_fn_with_state(console.clone(), language))
        .with_state(console)
}

/// The cookie that remembers the language a person chose with the switch.
const LANG_COOKIE: &str = "muster-lang";

/// The language of every page: the one just chosen (`?lang=ru`, remembered in a cookie), else the
/// one remembered, else the browser's `Accept-Language`, else English.
async fn language(State(c): State<Shared>, mut request: Request, next: Next) -> Response {
    let chosen = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")))
        .and_then(Lang::parse);
    let headers = request.headers();
    let remembered = crate::auth::cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v));
    let asked =
        || headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Lang::negotiate).unwrap_or_default();
    let lang = chosen.or(remembered).unwrap_or_else(asked);
    request.extensions_mut().insert(lang);
    let mut response = next.run(request).await;
    if let Some(chosen) = chosen
        && let Ok(value) = HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={chosen}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{}",
            if c.sessions.secure { "; Secure" } else { "" }
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn page_response(status: StatusCode, markup: Markup) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], markup).into_response()
}

fn refused(l: Lang, status: StatusCode, title: &str, why: &str) -> Response {
    let message = html! {
        p #refusal { (why) }
        p.back { a href="/" { (words::say(l, "back-to-your-seat")) } " " (words::say(l, "back-or-sign-in")) }
    };
    page_response(status, pages::notice(l, title, message))
}

/// A refusal page whose reason is message `id`.
fn refused_with(l: Lang, status: StatusCode, id: &str) -> Response {
    refused(l, status, &words::say(l, "refused"), &words::say(l, id))
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

async fn home(State(c): State<Shared>, Extension(l): Extension<Lang>, headers: HeaderMap) -> Response {
    match c.sessions.of(&headers) {
        Some(s) => Redirect::to(&format!("/ex/{}", s.exercise)).into_response(),
        None => page_response(StatusCode::OK, pages::sign_in(l)),
    }
}

async fn sign_in_page(Extension(l): Extension<Lang>) -> Response {
    page_response(StatusCode::OK, pages::sign_in(l))
}

async fn invite(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    Path((exercise, seat, secret)): Path<(String, String, String)>,
) -> Response {
    let hosted = ExerciseId::new(exercise)
        .ok()
        .filter(|e| e == &c.exercise)
        .zip(NodeId::new(seat).ok())
        .and_then(|(e, s)| c.seats.get(&s).map(|h| (e, s, h)));
    match hosted {
        Some((exercise, seat, hosted)) => {
            page_response(StatusCode::OK, pages::invite(l, &exercise, &seat, hosted.name.in_lang(l).text, &secret))
        }
        None => refused_with(l, StatusCode::NOT_FOUND, "no-such-seat"),
    }
}

/// A post from another site, refused in words; `why` (the browser's headers) stays as the log says it.
fn cross_site_refused(l: Lang, why: &words::Message) -> Response {
    let text = words::say_with(l, "refused-cross-site", &[("why", Arg::from(why.say(l)))]);
    refused(l, StatusCode::FORBIDDEN, &words::say(l, "refused"), &text)
}

async fn sign_in(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    if let Some(why) = cross_site(&headers) {
        tracing::warn!(exercise = %c.exercise, why = %why.say(Lang::default()), "sign-in refused");
        return cross_site_refused(l, &why);
    }
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let (Ok(exercise), Ok(seat)) = (ExerciseId::new(field("exercise")), NodeId::new(field("seat"))) else {
        return refused_with(l, StatusCode::BAD_REQUEST, "sign-in-form-invalid");
    };
    if exercise != c.exercise || !c.seats.contains_key(&seat) {
        return refused_with(l, StatusCode::FORBIDDEN, "no-such-seat");
    }
    if let Err(e) = identity::invites::redeem(&c.identities, &exercise, &seat, field("secret")) {
        tracing::warn!(%exercise, %seat, error = %e, "invite refused");
        let status = match e {
            identity::invites::InviteError::Store { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::FORBIDDEN,
        };
        let why = match e {
            identity::invites::InviteError::Used => words::say(l, "invite-used"),
            identity::invites::InviteError::Wrong => words::say(l, "invite-wrong"),
            identity::invites::InviteError::Store { .. } => words::say(l, "invite-store"),
        };
        let why = words::say_with(l, "invite-refused-why", &[("why", Arg::from(why))]);
        return refused(l, status, &words::say(l, "invite-refused"), &why);
    }
    let cookie = match c.sessions.open(exercise.clone(), seat.clone()) {
        Ok(cookie) => cookie,
        Err(e) => {
            tracing::error!(%exercise, %seat, error = %e, "no session");
            return refused_with(l, StatusCode::INTERNAL_SERVER_ERROR, "no-session");
        }
    };
    c.seat_people();
    tracing::info!(%exercise, %seat, "seat taken");
    let mut response = Redirect::to(&format!("/ex/{exercise}")).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn sign_out(State(c): State<Shared>, Extension(l): Extension<Lang>, headers: HeaderMap) -> Response {
    if let Some(why) = cross_site(&headers) {
        return cross_site_refused(l, &why);
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
    /// Refused, with the language of the page, the status and the reason's message id.
    Refused(Lang, StatusCode, &'static str),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::SignIn => to_sign_in(),
            Denied::Refused(l, status, why) => refused_with(l, status, why),
        }
    }
}

/// Who may read `exercise`: its own seats, and the director of the hosted exercise for every other;
/// with the exercise's live log.
fn reader(
    c: &Console,
    l: Lang,
    headers: &HeaderMap,
    exercise: &str,
) -> Result<(Session, ExerciseId, Arc<Live>), Denied> {
    let session = c.sessions.of(headers).ok_or(Denied::SignIn)?;
    let exercise =
        ExerciseId::new(exercise).map_err(|_| Denied::Refused(l, StatusCode::NOT_FOUND, "not-an-exercise-id"))?;
    let director =
        session.exercise == c.exercise && c.seats.get(&session.seat).is_some_and(|h| h.role == Role::Coordinator);
    if session.exercise != exercise && !director {
        return Err(Denied::Refused(l, StatusCode::FORBIDDEN, "seat-in-another-exercise"));
    }
    let live = c.board(&exercise).ok_or(Denied::Refused(l, StatusCode::NOT_FOUND, "cannot-follow-others"))?;
    Ok((session, exercise, live))
}

fn nonce() -> String {
    identity::secret::random_hex(6).unwrap_or_default()
}

fn kind(c: &Console, seat: &NodeId, record: &record::Record) -> Kind {
    let Some(hosted) = c.seats.get(seat) else { return Kind::Board };
    if hosted.plans {
        return Kind::Planner;
    }
    let gives =
        record.plan.as_ref().and_then(|p| p.participant(seat)).is_some_and(record::Participant::gives_positions);
    pages::kind_of(hosted.role, gives)
}

async fn page(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path(exercise): Path<String>,
) -> Result<Response, Denied> {
    let (session, exercise, live) = reader(&c, l, &headers, &exercise)?;
    if exercise != c.exercise {
        let log = live.read();
        return Ok(page_response(StatusCode::OK, pages::other(l, &exercise, &log, &c.exercise)));
    }
    let hosted = c.seats.get(&session.seat).ok_or(Denied::SignIn)?;
    // The live script's refreshes leave the message to the page the browser navigates to.
    let said = if headers.contains_key(REFRESH) { None } else { c.sessions.said(&headers) };
    let log = live.read();
    let director = hosted.role == Role::Coordinator && log.record.plan.is_none();
    let seats = if director { crate::ready::seats(&c.roster, &c.presences) } else { Vec::new() };
    let empty = crate::ready::empty(l, &seats);
    let view = View {
        lang: l,
        seats,
        empty,
        exercise: &exercise,
        log: &log,
        seat: &session.seat,
        kind: kind(&c, &session.seat, &log.record),
        // As it is, unmarked: the name is also what a form offers to send.
        name: hosted.name.in_lang(l).text.to_owned(),
        said,
        kept: c.sessions.kept(&headers),
        token: hosted.desk.as_ref().and_then(Desk::token),
        preview: c.preview.as_ref().map(|(t, d)| (t, d)),
        now: SystemTime::now(),
        nonce: nonce(),
        awaited: log.record.awaited(),
        // The planner's own, and the director's once handed over.
        plan: c.plan.lock().ok().and_then(|p| p.clone()).filter(|p| hosted.plans || p.handed.is_some()),
    };
    Ok(page_response(StatusCode::OK, pages::seat(&view)))
}

/// Why a form is refused when it is not the planner's, from this console, for the hosted exercise.
fn not_the_planner(c: &Console, l: Lang, headers: &HeaderMap, exercise: &str) -> Option<Response> {
    if let Some(why) = cross_site(headers) {
        return Some(cross_site_refused(l, &why));
    }
    let Some(session) = c.sessions.of(headers) else { return Some(to_sign_in()) };
    let plans = c.seats.get(&session.seat).is_some_and(|h| h.plans);
    if session.exercise.as_str() != exercise || !plans {
        return Some(refused_with(l, StatusCode::FORBIDDEN, "plan-is-the-planners"));
    }
    None
}

/// The planner uploads a plan: read at once, its problems or its preview on the page.
async fn upload_plan(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path(exercise): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    if let Some(refused) = not_the_planner(&c, l, &headers, &exercise) {
        return refused;
    }
    let mut upload = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("plan") {
            let file = field.file_name().unwrap_or("plan").to_owned();
            match field.bytes().await {
                Ok(bytes) => upload = Some((file, bytes)),
                Err(e) => tracing::warn!(exercise = %c.exercise, error = %e, "plan upload cut short"),
            }
        }
    }
    let Some((file, bytes)) = upload else { return refused_with(l, StatusCode::BAD_REQUEST, "plan-no-file") };
    // Reading a workbook is work for a thread of its own, not for the server's.
    let own = c.scenario.clone();
    let read = tokio::task::spawn_blocking(move || crate::plan::read(&file, &bytes, own.as_ref())).await;
    let Ok(prepared) = read else { return refused_with(l, StatusCode::INTERNAL_SERVER_ERROR, "plan-not-read") };
    let file = prepared.file.clone();
    match &prepared.read {
        Ok(plan) => tracing::info!(exercise = %c.exercise, %file, digest = %plan.scenario.digest, "plan uploaded"),
        Err(_) => tracing::info!(exercise = %c.exercise, %file, "plan uploaded with problems"),
    }
    if let Ok(mut plan) = c.plan.lock() {
        *plan = Some(prepared);
    }
    Redirect::to(&format!("/ex/{exercise}")).into_response()
}

/// The planner hands the valid plan to the director.
async fn hand_plan(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path(exercise): Path<String>,
) -> Response {
    if let Some(refused) = not_the_planner(&c, l, &headers, &exercise) {
        return refused;
    }
    if c.live.read().record.plan.is_some() {
        return refused_with(l, StatusCode::CONFLICT, "plan-started-already");
    }
    let handed = match c.plan.lock() {
        Ok(mut plan) => match plan.as_mut().filter(|p| p.ready().is_some()) {
            Some(prepared) => {
                prepared.handed = Some(SystemTime::now());
                true
            }
            None => false,
        },
        Err(_) => false,
    };
    if !handed {
        return refused_with(l, StatusCode::CONFLICT, "plan-nothing-to-hand");
    }
    tracing::info!(exercise = %c.exercise, "plan handed to the director");
    Redirect::to(&format!("/ex/{exercise}")).into_response()
}

/// The prepared plan as a workbook or a scenario file: for the planner, and the director once handed.
async fn plan_file(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path((exercise, form)): Path<(String, String)>,
) -> Response {
    let Some(session) = c.sessions.of(&headers) else { return to_sign_in() };
    let hosted = c.seats.get(&session.seat);
    let (plans, directs) = (hosted.is_some_and(|h| h.plans), hosted.is_some_and(|h| h.role == Role::Coordinator));
    if session.exercise.as_str() != exercise || !(plans || directs) {
        return refused_with(l, StatusCode::FORBIDDEN, "plan-is-the-planners");
    }
    let prepared = c.plan.lock().ok().and_then(|p| p.clone());
    let plan = prepared.as_ref().and_then(|p| if plans { p.ready() } else { p.handed() });
    // The exercise's own plan, for the planner to start from.
    let own = c.scenario.as_ref().filter(|_| form == "current");
    let Some(scenario) = own.or(plan.map(|p| &p.scenario)) else {
        return refused_with(l, StatusCode::NOT_FOUND, "plan-none");
    };
    let (body, kind, name) = match form.as_str() {
        "workbook" | "current" => match workbook::export(scenario) {
            Ok(bytes) => (bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "plan.xlsx"),
            Err(e) => {
                tracing::error!(exercise = %c.exercise, error = %e, "plan not written as a workbook");
                return refused_with(l, StatusCode::INTERNAL_SERVER_ERROR, "plan-not-written");
            }
        },
        "scenario" => match plan {
            Some(plan) => (plan.toml.clone().into_bytes(), "application/toml; charset=utf-8", "plan.toml"),
            None => return refused_with(l, StatusCode::NOT_FOUND, "plan-none"),
        },
        _ => return refused_with(l, StatusCode::NOT_FOUND, "plan-none"),
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, kind.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

async fn draft_page(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path((exercise, slot)): Path<(String, String)>,
) -> Result<Response, Denied> {
    let (_, exercise, live) = reader(&c, l, &headers, &exercise)?;
    let log = live.read();
    let plan = log.record.plan.as_ref();
    let found = plan.and_then(|p| p.slot(&slot)).zip(log.record.drafts.get(&slot));
    let Some(((_, slot), draft)) = found else {
        return Err(Denied::Refused(l, StatusCode::NOT_FOUND, "no-such-draft"));
    };
    Ok(page_response(StatusCode::OK, pages::draft_page(l, &exercise, &log, slot, draft)))
}

async fn exercises(State(c): State<Shared>, Extension(l): Extension<Lang>, headers: HeaderMap) -> Response {
    let Some(session) = c.sessions.of(&headers) else { return to_sign_in() };
    if c.seats.get(&session.seat).is_none_or(|h| h.role != Role::Coordinator) {
        return refused_with(l, StatusCode::FORBIDDEN, "exercises-are-the-directors");
    }
    let mut all = match &c.others {
        Some((others, _)) => others.exercises().await,
        None => Vec::new(),
    };
    if !all.contains(&c.exercise) {
        all.push(c.exercise.clone());
    }
    page_response(StatusCode::OK, pages::exercises(l, &c.exercise, &all))
}

#[derive(Debug, serde::Deserialize)]
struct EventsQuery {
    after: Option<u64>,
}

/// The live link: every event after the one the browser last saw (`Last-Event-ID`, which the
/// browser sends by itself when it reconnects, else `?after=`), then each new one as it comes.
async fn events(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path(exercise): Path<String>,
    Query(query): Query<EventsQuery>,
) -> Result<Response, Denied> {
    let (_, _, live) = reader(&c, l, &headers, &exercise)?;
    let last_seen = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    let after = last_seen.or(query.after).unwrap_or(0);
    let watch = live.watch();
    let stream = futures::stream::unfold((live, watch, after), move |(live, mut watch, after)| async move {
        loop {
            let batch: Vec<(u64, String)> = {
                let log = live.read();
                log.after(after).iter().take(256).map(|(seq, e)| (*seq, feed::line(l, &log.record, e))).collect()
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
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path(exercise): Path<String>,
) -> Result<Response, Denied> {
    let (_, exercise, live) = reader(&c, l, &headers, &exercise)?;
    let log = live.read();
    let report = report::build_in(l, exercise.as_str(), &log.record);
    Ok(page_response(StatusCode::OK, pages::report(l, &exercise, &report, log.record.is_concluded())))
}

async fn report_file(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path((exercise, file)): Path<(String, String)>,
) -> Result<Response, Denied> {
    let (_, exercise, live) = reader(&c, l, &headers, &exercise)?;
    let report = report::build_in(l, exercise.as_str(), &live.read().record);
    let (kind, body) = match file.as_str() {
        "report.json" => ("application/json", serde_json::to_string_pretty(&report).unwrap_or_default()),
        "report.md" => ("text/markdown; charset=utf-8", report::markdown::render(&report)),
        "report.html" => ("text/html; charset=utf-8", report::html::render(&report)),
        _ => return Err(Denied::Refused(l, StatusCode::NOT_FOUND, "no-such-page")),
    };
    let disposition = format!("inline; filename=\"{exercise}-{file}\"");
    Ok(([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// What a form asks, as the seat's action; `Err` says, in `l`, what is wrong with the form.
/// The acts besides the commands ([`Control`]) that are exercise control's alone.
const DIRECTORS: [&str; 2] = ["release", "inject"];

fn action(c: &Console, l: Lang, seat: &NodeId, name: &str, form: &BTreeMap<String, String>) -> Result<Action, String> {
    // Browsers send line breaks as CR LF; the limits count what people see, one character each.
    let field = |f: &str| form.get(f).map(|v| v.trim().replace("\r\n", "\n")).unwrap_or_default();
    let wrong = |id: &str, what: &str| words::say_with(l, id, &[("what", Arg::from(what))]);
    let number = |f: &str| field(f).parse::<u32>().map_err(|_| wrong("form-not-a-number", f));
    let confirmed = || match field("confirm").as_str() {
        "yes" => Ok(()),
        _ => Err(words::say(l, "form-not-confirmed")),
    };
    let act = match name {
        "assembly" => Act::assembly(field("remarks")),
        "activation" => Act::activation(field("token"), field("remarks")),
        "assessment" => Act::assessment(number("stage")?, field("summary")),
        "draft" | "revise" => {
            let slot_id = field("slot");
            let record = &c.live.read().record;
            let plan = record.plan.as_ref().ok_or_else(|| words::say(l, "form-not-started"))?;
            let (_, slot) = plan.slot(&slot_id).ok_or_else(|| wrong("form-no-such-draft", &slot_id))?;
            let version = match name {
                "draft" => 1,
                _ => number("version")?.checked_add(1).ok_or_else(|| wrong("form-not-a-number", "version"))?,
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
                            .ok_or_else(|| wrong("form-no-such-disposition", kind))?;
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
                other => return Err(wrong("form-no-such-position", other)),
            };
            let reasons = field("reasons").lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
            Act::position(field("slot"), number("version")?, kind, reasons)
        }
        "receipt" => Act::receipt(field("package"), field("digest")),
        "acknowledge" => Act::acknowledge(field("inject")),
        "release" => Act::release(field("inject")),
        "inject" => Act::write_inject(wire::Inject {
            inject_id: field("id"),
            to: field("to").split([',', ' ']).filter(|s| !s.is_empty()).map(String::from).collect(),
            text: field("text"),
            expects: field("expects"),
            ..Default::default()
        }),
        other => match Control::named(other) {
            Some(command) => {
                confirmed()?;
                let meant = match command {
                    Control::Start => None,
                    _ => Some(field("window").parse::<record::Phase>().map_err(|_| words::say(l, "form-no-window"))?),
                };
                let act = Act::control(command, meant, field("reason"));
                match (command, form.get("plan")) {
                    // The plan the director saw on the page, and none other.
                    (Control::Start, Some(digest)) => {
                        let handed = c.plan.lock().ok().and_then(|p| p.as_ref().and_then(|p| p.handed().cloned()));
                        match handed.filter(|plan| &plan.scenario.digest == digest) {
                            Some(plan) => act.with_plan(plan.toml),
                            None => return Err(words::say(l, "plan-changed")),
                        }
                    }
                    _ => act,
                }
            }
            None => return Err(wrong("form-no-such-act", other)),
        },
    };
    let nonce: String = field("nonce").chars().filter(char::is_ascii_alphanumeric).take(16).collect();
    let nonce = if nonce.is_empty() { self::nonce() } else { nonce };
    act.by_person(seat, &nonce).map_err(|e| wrong("form-no-id", &e.to_string()))
}

/// What a submission is, in words, for the person's message.
fn describe(l: Lang, payload: &Payload) -> String {
    let slot = |s: &str, v: u32| [("slot", Arg::from(s.to_owned())), ("version", Arg::from(v))];
    let window = |w: Option<&wire::Window>| {
        let phase = w.map_or_else(|| words::say(l, "the-current-window"), |w| record::Phase::of_window(w).say(l));
        [("window", Arg::from(phase))]
    };
    match payload {
        Payload::DraftDecision(d) => words::say_with(l, "what-draft", &slot(&d.slot_id, d.version)),
        Payload::DraftRevised(wire::DraftRevised { draft: Some(d), .. }) => {
            words::say_with(l, "what-revision", &slot(&d.slot_id, d.version))
        }
        Payload::Position(p) => {
            let [s, v] = slot(&p.slot_id, p.draft_version);
            words::say_with(l, "what-position", &[s, v, ("position", Arg::from(feed::position(l, p.kind())))])
        }
        Payload::SituationAssessment(a) => {
            words::say_with(l, "what-assessment", &[("stage", Arg::from(a.stage_number))])
        }
        Payload::ControlPointActivation(_) => words::say(l, "what-activation"),
        Payload::AssemblyReport(_) => words::say(l, "what-assembly-report"),
        Payload::ReceiptConfirmed(_) => words::say(l, "what-receipt"),
        Payload::StartExercise(_) => words::say(l, "what-start"),
        Payload::PauseExercise(p) => words::say_with(l, "what-pause", &window(p.window.as_ref())),
        Payload::ResumeExercise(p) => words::say_with(l, "what-resume", &window(p.window.as_ref())),
        Payload::AdvanceExercise(p) => words::say_with(l, "what-advance", &window(p.window.as_ref())),
        Payload::AcknowledgeInject(a) => {
            words::say_with(l, "what-acknowledgement", &[("inject", Arg::from(a.inject_id.as_str()))])
        }
        Payload::ReleaseInject(_) => words::say(l, "what-inject"),
        other => bus::envelope::payload_kind(other).replace('_', " "),
    }
}

/// Back to the seat's page, which says what became of the form (and, when it was refused, shows
/// it again as typed).
fn back(c: &Console, headers: &HeaderMap, exercise: &ExerciseId, said: Said, kept: Option<Kept>) -> Response {
    c.sessions.say(headers, said, kept);
    Redirect::to(&format!("/ex/{exercise}")).into_response()
}

async fn act(
    State(c): State<Shared>,
    Extension(l): Extension<Lang>,
    headers: HeaderMap,
    Path((exercise, seat, name)): Path<(String, String, String)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    if let Some(why) = cross_site(&headers) {
        tracing::warn!(exercise = %c.exercise, %seat, action = %name, why = %why.say(Lang::default()), "form refused");
        return cross_site_refused(l, &why);
    }
    let Some(session) = c.sessions.of(&headers) else { return to_sign_in() };
    if session.exercise.as_str() != exercise || session.seat.as_str() != seat {
        tracing::warn!(exercise = %c.exercise, signed_in = %session.seat, asked = %seat, action = %name, "form for another seat refused");
        let args = [("seat", Arg::from(session.seat.as_str())), ("exercise", Arg::from(session.exercise.as_str()))];
        return refused(
            l,
            StatusCode::FORBIDDEN,
            &words::say(l, "refused"),
            &words::say_with(l, "only-as-your-seat", &args),
        );
    }
    let control = Control::named(&name).is_some() || DIRECTORS.contains(&name.as_str());
    if control != c.seats.get(&session.seat).is_some_and(|h| h.role == Role::Coordinator) {
        let why = if control { "control-is-the-directors" } else { "director-controls-only" };
        return refused_with(l, StatusCode::FORBIDDEN, why);
    }
    let Some(desk) = c.seats.get(&session.seat).and_then(|h| h.desk.clone()) else {
        return refused_with(l, StatusCode::FORBIDDEN, "seat-reads-only");
    };
    let kept = Kept { action: name.clone(), fields: form.clone() };
    let not_sent = |why: String| {
        let text = words::say_with(l, "not-sent", &[("why", Arg::from(why))]);
        back(&c, &headers, &session.exercise, Said { text, refused: true }, Some(kept.clone()))
    };
    // What a person types is in the language they chose on the form, else their page's; the
    // record says which.
    let written = form.get("language").and_then(|tag| Lang::parse(tag)).unwrap_or(l);
    let action = match action(&c, l, &session.seat, &name, &form) {
        Ok(action) => seat::Action { language: written.tag().to_owned(), ..action },
        Err(why) => return not_sent(why),
    };
    // The coordinator would refuse it too; the person hears why before anything is sent.
    if let Err(e) = bus::text::check_payload(&action.payload) {
        return not_sent(e.message().say(l));
    }
    // Before the start only: once the plan is out, seats stop saying they are present.
    if name == Control::Start.name() && c.live.read().record.plan.is_none() {
        let empty = crate::ready::empty(l, &crate::ready::seats(&c.roster, &c.presences));
        if !empty.is_empty() && form.get("empty_ok").map(String::as_str) != Some("yes") {
            let args = [("count", Arg::from(empty.len())), ("seats", Arg::from(empty.join(", ")))];
            return not_sent(words::say_with(l, "seats-not-taken", &args));
        }
    }
    let (message_id, kind) = (action.message_id.clone(), bus::envelope::payload_kind(&action.payload));
    let what = describe(l, &action.payload);
    // The seat keeps trying while the bus is down; the person is told rather than kept waiting.
    let verdict = tokio::time::timeout(ACT_WAIT, desk.act(action))
        .await
        .unwrap_or_else(|_| Err(SubmitError::Transient(words::say(l, "bus-unreachable"))));
    let (said, kept) = match &verdict {
        Ok(Verdict::Accepted { duplicate, receipt, .. }) => {
            let mut text = words::say_with(l, "accepted", &[("what", Arg::from(what.as_str()))]);
            if *duplicate {
                text = format!("{text} {}", words::say(l, "accepted-already"));
            }
            if let Some(r) = receipt {
                text =
                    format!("{text} {}", words::say_with(l, "accepted-recorded", &[("event", Arg::from(r.sequence))]));
            }
            (Said { text, refused: false }, None)
        }
        Ok(Verdict::Received) => (
            Said { text: words::say_with(l, "sent-unanswered", &[("what", Arg::from(what.as_str()))]), refused: false },
            None,
        ),
        Err(SubmitError::Refused { code, reason, message }) => {
            // The refuser's reason in the page's language when it gave it as a message.
            let reason = message.as_ref().map_or_else(|| reason.clone(), |m| m.say(l));
            (Said { text: refusal::sentence(l, &what, *code, &reason), refused: true }, Some(kept))
        }
        // The seat goes on sending this very submission: sent again, it would be another one.
        Err(SubmitError::Transient(reason)) => {
            let args = [("what", Arg::from(what.as_str())), ("why", Arg::from(reason.as_str()))];
            (Said { text: words::say_with(l, "not-confirmed-yet", &args), refused: true }, None)
        }
    };
    let code = match &verdict {
        Err(SubmitError::Refused { code, .. }) => code.map_or("by the console", |c| c.as_str_name()),
        _ => "",
    };
    tracing::info!(exercise = %session.exercise, seat = %session.seat, %message_id, kind, code, outcome = %said.text, "person acted");
    back(&c, &headers, &session.exercise, said, kept)
}
