//! Test support for the web console: a real headless Chromium driven over WebDriver, for what only
//! a browser shows (rendering, forms, live updates), and a raw HTTP client, for what a test should
//! see byte for byte (status codes, headers, cookies, the Server-Sent Events stream) without a
//! browser's caching, redirects and retries in between.
//!
//! The browser is Debian's `chromium` driven by its `chromedriver` (package `chromium-driver`),
//! one driver process per [`Browser`] and one browser profile per [`Browser::session`], so that two
//! sessions of one test are two users with their own cookies.
//!
//! The raw client speaks HTTP/1.0 on purpose: the server may then neither chunk a response nor
//! keep the connection open, so a response is simply everything up to the server's close, and an
//! SSE stream arrives as the plain text the browser's `EventSource` would parse.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Where Debian's `chromium-driver` puts the driver, when it is not on `PATH`.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Debian's Chromium; named to the driver explicitly because chromedriver looks for Google Chrome.
const CHROMIUM: &str = "/usr/bin/chromium";

/// How long chromedriver may take to answer `/status` after it was spawned: it starts in well
/// under a second, but a loaded 2-core CI machine compiling beside it can be slow.
const DRIVER_STARTUP: Duration = Duration::from_secs(20);

/// How often to ask a starting chromedriver whether it is ready.
const DRIVER_POLL: Duration = Duration::from_millis(50);

/// How often the `wait_for*` helpers look at the page again: often enough that a test is not
/// slowed by it, rarely enough not to flood the driver.
const PAGE_POLL: Duration = Duration::from_millis(100);

/// How long one raw [`request`] may take in all: the console answers in milliseconds, so this
/// only bounds a test that would otherwise hang on a server that never closes.
const REQUEST_LIMIT: Duration = Duration::from_secs(10);

/// The Chromium flags of every session: headless in the current mode (the old one renders
/// differently), no sandbox and no `/dev/shm` (neither is usable in a container), no GPU, and a
/// fixed window so that screenshots and layout are the same on every machine.
const CHROMIUM_ARGS: [&str; 5] =
    ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"];

/// One `chromedriver` for a test; each [`session`](Browser::session) is a separate browser.
///
/// Dropping it shuts the driver down. Close sessions first (`client.close().await`) when the test
/// cares about a clean end; the drop closes any left over anyway, because killing chromedriver
/// alone would leave its Chromium processes running.
#[derive(Debug)]
pub struct Browser {
    driver: tokio::process::Child,
    addr: SocketAddr,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and waits until it accepts sessions.
    pub async fn start() -> anyhow::Result<Browser> {
        let program = find_chromedriver().context(
            "chromium-driver is not installed: `make test` installs it (apt-get install chromium chromium-driver)",
        )?;
        let port = free_port()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut driver = tokio::process::Command::new(&program)
            .arg(format!("--port={port}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;

        let deadline = Instant::now() + DRIVER_STARTUP;
        loop {
            if let Some(status) = driver.try_wait().context("checking on chromedriver")? {
                anyhow::bail!("chromedriver ({}) exited with {status} before it was ready", program.display());
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            // chromedriver refuses HTTP/1.0 and ignores `Connection: close` on `/status`, so the
            // readiness probe is HTTP/1.1 and ends at the response's Content-Length.
            let probe = exchange(
                addr,
                "HTTP/1.1",
                "GET",
                "/status",
                &[("Connection", "close")],
                None,
                remaining.min(Duration::from_secs(2)),
            )
            .await;
            let last = match probe {
                Ok(response) if response.status == 200 && driver_ready(&response.body) => {
                    return Ok(Browser { driver, addr });
                }
                Ok(response) => format!("status {}: {}", response.status, response.body),
                Err(e) => format!("{e:#}"),
            };
            if Instant::now() >= deadline {
                anyhow::bail!(
                    "chromedriver on {addr} was not ready within {DRIVER_STARTUP:?}; last /status probe: {last}"
                );
            }
            tokio::time::sleep(DRIVER_POLL).await;
        }
    }

    /// The driver's WebDriver endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A new WebDriver session: a fresh headless Chromium with its own temporary profile, so its
    /// cookies and storage are its own.
    pub async fn session(&self) -> anyhow::Result<Client> {
        self.session_in("en").await
    }

    /// [`Self::session`], of a browser whose language is `lang` (its `Accept-Language`).
    pub async fn session_in(&self, lang: &str) -> anyhow::Result<Client> {
        let mut options = serde_json::Map::new();
        if Path::new(CHROMIUM).is_file() {
            options.insert("binary".to_string(), serde_json::Value::from(CHROMIUM));
        }
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--lang={lang}"));
        options.insert("args".to_string(), serde_json::Value::from(args));
        options.insert("prefs".to_string(), serde_json::json!({ "intl.accept_languages": lang }));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".to_string(), serde_json::Value::Object(options));

        // Plain HTTP to the loopback driver: no TLS connector is compiled in, none is needed.
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        builder.connect(&self.url()).await.with_context(|| format!("opening a WebDriver session on {}", self.url()))
    }
}

impl Drop for Browser {
    /// Asks chromedriver to quit its browsers and itself, then waits briefly for it to exit; the
    /// child's `kill_on_drop` then removes the driver if it did not. Best effort throughout: a
    /// drop cannot report errors, and a test that got this far has its result already.
    fn drop(&mut self) {
        if shutdown_driver(self.addr).is_ok() {
            let deadline = std::time::Instant::now() + Duration::from_secs(2);
            while std::time::Instant::now() < deadline {
                match self.driver.try_wait() {
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                    Ok(Some(_)) | Err(_) => break,
                }
            }
        }
    }
}

/// chromedriver on `PATH`, else where Debian installs it.
fn find_chromedriver() -> anyhow::Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("chromedriver"))
        .find(|candidate| candidate.is_file());
    match on_path {
        Some(path) => Ok(path),
        None if Path::new(CHROMEDRIVER).is_file() => Ok(PathBuf::from(CHROMEDRIVER)),
        None => anyhow::bail!("no chromedriver on PATH nor at {CHROMEDRIVER}"),
    }
}

/// A loopback port nothing listens on right now. Another process could take it before
/// chromedriver binds it; that race is rare enough, and shows as a failed start, not a wrong test.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).context("binding a loopback port")?;
    Ok(listener.local_addr().context("reading the bound port")?.port())
}

/// Whether a `/status` body says the driver accepts new sessions (`{"value": {"ready": true}}`).
fn driver_ready(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|status| status.pointer("/value/ready").and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

/// `GET /shutdown`, chromedriver's own way to close all its sessions and exit. Blocking, because
/// it runs in `Drop`; its answer comes after the browsers are closed, so it is read to the end.
fn shutdown_driver(addr: SocketAddr) -> std::io::Result<()> {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_write_timeout(Some(Duration::from_secs(1)))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("GET /shutdown HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    Ok(())
}

/// Waits until the first element matching `css` exists and its rendered text contains `needle`,
/// and returns that text.
pub async fn wait_for_text(client: &Client, css: &str, needle: &str, limit: Duration) -> anyhow::Result<String> {
    wait_for_text_where(client, css, &format!("contain {needle:?}"), |text| text.contains(needle), limit).await
}

/// Waits until the first element matching `css` exists and its rendered text satisfies `test`
/// (`what` says how, for the error), and returns that text. Live pages change under the test
/// (the live link replaces regions, a form post navigates), so a missing or replaced element, or
/// a page in the middle of loading, is a reason to look again, not a failure; only the time
/// limit is. The text is what WebDriver renders: hidden elements have none.
pub async fn wait_for_text_where(
    client: &Client,
    css: &str,
    what: &str,
    test: impl Fn(&str) -> bool,
    limit: Duration,
) -> anyhow::Result<String> {
    let deadline = Instant::now() + limit;
    loop {
        let last = match client.find(Locator::Css(css)).await {
            Ok(element) => match element.text().await {
                Ok(text) if test(&text) => return Ok(text),
                Ok(text) => format!("its text was last {text:?}"),
                Err(e) => format!("reading it failed: {e}"),
            },
            Err(e) if e.is_no_such_element() => "no element matched".into(),
            Err(e) => format!("looking for it failed: {e}"),
        };
        if Instant::now() >= deadline {
            anyhow::bail!("waited {limit:?} for `{css}` to {what}: {last} (page {})", current_url(client).await);
        }
        tokio::time::sleep(PAGE_POLL).await;
    }
}

/// Waits until an element matching `css` exists, and returns the first one.
pub async fn wait_for(client: &Client, css: &str, limit: Duration) -> anyhow::Result<Element> {
    let deadline = Instant::now() + limit;
    loop {
        match client.find(Locator::Css(css)).await {
            Ok(element) => return Ok(element),
            Err(e) if e.is_no_such_element() => {}
            Err(e) => return Err(e).with_context(|| format!("looking for `{css}`")),
        }
        if Instant::now() >= deadline {
            anyhow::bail!("waited {limit:?} for `{css}`: no element matched (page {})", current_url(client).await);
        }
        tokio::time::sleep(PAGE_POLL).await;
    }
}

/// The page's URL for an error message, or why it is unknown.
async fn current_url(client: &Client) -> String {
    match client.current_url().await {
        Ok(url) => url.to_string(),
        Err(e) => format!("<current URL unknown: {e}>"),
    }
}

/// Saves a PNG of the visible page at `path`, for a human to look at after a failure.
pub async fn screenshot(client: &Client, path: &Path) -> anyhow::Result<()> {
    let png = client.screenshot().await.context("taking a screenshot")?;
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))
}

/// Replaces the value of the input matching `css` with `text`, typed as a user would. A live
/// page may replace the element between finding and typing: then it is found again.
pub async fn fill(client: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    with_element(client, css, |element| async move {
        element.clear().await?;
        element.send_keys(text).await
    })
    .await
    .with_context(|| format!("typing into `{css}`"))
}

/// Clicks the element matching `css`, found again if the live page replaced it meanwhile.
pub async fn click(client: &Client, css: &str) -> anyhow::Result<()> {
    with_element(client, css, |element| async move { element.click().await })
        .await
        .with_context(|| format!("clicking `{css}`"))
}

/// Does `what` to the element matching `css`, waiting for it to exist; an element replaced under
/// the test (a stale reference), or not usable yet (a form the live page enables once the event
/// that allows it arrives), is looked up again, up to a limit.
async fn with_element<F, Fut>(client: &Client, css: &str, what: F) -> anyhow::Result<()>
where
    F: Fn(Element) -> Fut,
    Fut: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
{
    const ATTEMPTS: usize = 20;
    for _ in 0..ATTEMPTS {
        let element = wait_for(client, css, Duration::from_secs(60)).await?;
        match what(element).await {
            Ok(()) => return Ok(()),
            Err(e) if e.is_stale_element_reference() || e.is_no_such_element() || e.is_element_not_interactable() => {
                tokio::time::sleep(PAGE_POLL).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("`{css}` was replaced {ATTEMPTS} times while the test used it")
}

/// A raw HTTP response, as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// In the order sent, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, with any invalid UTF-8 replaced (the console only sends text).
    pub body: String,
}

impl Response {
    /// The first header named `name`, whatever its case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The value the response sets cookie `name` to (`Set-Cookie: name=value; ...`). When it is
    /// set more than once, the last one, which is the one a browser keeps.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .rev()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| v.trim().to_string())
    }
}

/// One HTTP/1.0 request to `addr`, read to the server's close (at most 10 s in all).
///
/// `headers` are sent as given, after `Host`. A `body` is sent as a form
/// (`application/x-www-form-urlencoded`, see [`form`]) unless `headers` name another
/// `Content-Type`, always with its `Content-Length`.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> anyhow::Result<Response> {
    exchange(addr, "HTTP/1.0", method, path, headers, body, REQUEST_LIMIT).await
}

/// One request in the given HTTP version; the response ends at its Content-Length when it has
/// one (a server may keep an HTTP/1.1 connection open regardless), else at the server's close.
async fn exchange(
    addr: SocketAddr,
    version: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    limit: Duration,
) -> anyhow::Result<Response> {
    let mut head = format!("{method} {path} {version}\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    head.push_str(body.unwrap_or_default());

    let attempt = async {
        let mut stream = TcpStream::connect(addr).await.with_context(|| format!("connecting to {addr}"))?;
        stream.write_all(head.as_bytes()).await.context("sending the request")?;
        let mut received = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = stream.read(&mut chunk).await.context("reading the response")?;
            if n == 0 {
                break;
            }
            received.extend_from_slice(&chunk[..n]);
            if let Some(start) = body_start(&received)
                && let Some(length) = content_length(&parse_head(&received[..start])?.1)
                && received.len() >= start + length
            {
                received.truncate(start + length);
                break;
            }
        }
        anyhow::Ok(received)
    };
    let received = tokio::time::timeout(limit, attempt)
        .await
        .with_context(|| format!("{method} {path} on {addr}: no complete response within {limit:?}"))?
        .with_context(|| format!("{method} {path} on {addr}"))?;
    parse_response(&received).with_context(|| format!("{method} {path} on {addr}"))
}

/// The `Content-Length` among `headers`, if any.
fn content_length(headers: &[(String, String)]) -> Option<usize> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
}

/// Where the body starts: after the blank line that ends the head.
fn body_start(bytes: &[u8]) -> Option<usize> {
    let find = |needle: &[u8]| bytes.windows(needle.len()).position(|w| w == needle).map(|at| at + needle.len());
    find(b"\r\n\r\n").or_else(|| find(b"\n\n"))
}

/// The status code and headers of a response head (everything before the blank line).
fn parse_head(head: &[u8]) -> anyhow::Result<(u16, Vec<(String, String)>)> {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .with_context(|| format!("malformed status line {status_line:?}"))?;
    let headers = lines
        .filter(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    Ok((status, headers))
}

/// A whole response: head, then the body as text.
fn parse_response(bytes: &[u8]) -> anyhow::Result<Response> {
    let start = body_start(bytes)
        .with_context(|| format!("the response ended inside its head: {:?}", String::from_utf8_lossy(bytes)))?;
    let (status, headers) = parse_head(&bytes[..start])?;
    let body = String::from_utf8_lossy(&bytes[start..]).into_owned();
    Ok(Response { status, headers, body })
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// This event's own `id:` field (not the last id carried forward, as `EventSource` does).
    pub id: Option<String>,
    /// The `event:` field; `None` means the default type, `message`.
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

/// Opens the SSE stream at `path` (HTTP/1.0, `Accept: text/event-stream` plus `headers`) and
/// returns its first `count` events as soon as they arrived, then drops the connection.
/// Keep-alives (comments, events without data) are not counted. Fails unless the server answers
/// 200, or when the stream ends or `limit` passes before `count` events.
pub async fn sse(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    count: usize,
    limit: Duration,
) -> anyhow::Result<Vec<SseEvent>> {
    let deadline = Instant::now() + limit;
    let mut head = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");

    let mut stream = tokio::time::timeout_at(deadline, TcpStream::connect(addr))
        .await
        .with_context(|| format!("SSE {path} on {addr}: no connection within {limit:?}"))?
        .with_context(|| format!("SSE {path}: connecting to {addr}"))?;
    tokio::time::timeout_at(deadline, stream.write_all(head.as_bytes()))
        .await
        .with_context(|| format!("SSE {path} on {addr}: request not sent within {limit:?}"))?
        .with_context(|| format!("SSE {path} on {addr}: sending the request"))?;

    let mut received = Vec::new();
    let mut start: Option<usize> = None;
    let mut chunk = [0u8; 8192];
    // Events so far; the stream is reparsed whole on every read, which keeps the parser pure.
    let events_in = |received: &[u8], start: Option<usize>| match start {
        Some(start) => parse_sse(&String::from_utf8_lossy(&received[start..])),
        None => Vec::new(),
    };
    loop {
        let read = match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(read) => read.with_context(|| format!("SSE {path} on {addr}: reading the stream"))?,
            Err(_) => {
                let got = events_in(&received, start);
                anyhow::bail!("SSE {path} on {addr}: got {} of {count} events within {limit:?}: {got:?}", got.len());
            }
        };
        if read == 0 {
            let got = events_in(&received, start);
            anyhow::bail!(
                "SSE {path} on {addr}: the server closed the stream after {} of {count} events: {got:?}{}",
                got.len(),
                if start.is_none() {
                    format!(" (incomplete head {:?})", String::from_utf8_lossy(&received))
                } else {
                    String::new()
                }
            );
        }
        received.extend_from_slice(&chunk[..read]);
        if start.is_none() {
            let Some(at) = body_start(&received) else { continue };
            let (status, _) = parse_head(&received[..at]).with_context(|| format!("SSE {path} on {addr}"))?;
            if status != 200 {
                anyhow::bail!(
                    "SSE {path} on {addr}: status {status} instead of a stream: {:?}",
                    String::from_utf8_lossy(&received)
                );
            }
            start = Some(at);
        }
        let mut events = events_in(&received, start);
        if events.len() >= count {
            events.truncate(count);
            return Ok(events);
        }
    }
}

/// The complete events in an SSE stream's text, as `EventSource` dispatches them: an event ends
/// at a blank line (an unterminated one at the end is not yet an event), lines end in `\n`,
/// `\r\n` or `\r`, `field: value` loses one space after the colon, lines starting with `:` are
/// comments, unknown fields (`retry`) are ignored, and events without `data` are not dispatched,
/// which drops keep-alives.
pub fn parse_sse(text: &str) -> Vec<SseEvent> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut events = Vec::new();
    let (mut id, mut event, mut data): (Option<String>, Option<String>, Option<String>) = (None, None, None);
    for raw in text.split_inclusive('\n') {
        // A last line without its newline may still be arriving.
        let Some(line) = raw.strip_suffix('\n') else { break };
        if line.is_empty() {
            match data.take() {
                Some(data) => events.push(SseEvent { id: id.take(), event: event.take(), data }),
                None => (id, event) = (None, None),
            }
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_string()),
            },
            "id" => id = Some(value.to_string()),
            "event" => event = Some(value.to_string()),
            _ => {}
        }
    }
    events
}

/// `fields` as an `application/x-www-form-urlencoded` body (or query): every byte but the
/// unreserved `A-Z a-z 0-9 - . _ ~` percent-encoded, spaces as `+`, as browsers submit forms.
pub fn form(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (index, (name, value)) in fields.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        form_encode(name, &mut out);
        out.push('=');
        form_encode(value, &mut out);
    }
    out
}

fn form_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encodes_like_a_browser() {
        assert_eq!(form(&[]), "");
        assert_eq!(form(&[("name", "Blue Force"), ("seat", "n-1")]), "name=Blue+Force&seat=n-1");
        assert_eq!(form(&[("q", "a&b=c/d?e+f%")]), "q=a%26b%3Dc%2Fd%3Fe%2Bf%25");
        assert_eq!(form(&[("é", "~._-")]), "%C3%A9=~._-");
    }

    #[test]
    fn sse_events_are_parsed_and_keep_alives_dropped() {
        let stream = ": connected\n\n\
                      id: 1\nevent: order\ndata: {\"a\":1}\n\n\
                      :\n\n\
                      event: ping\n\n\
                      data: first\ndata:second\r\n\r\n\
                      id: 3\ndata\nretry: 5\n\n\
                      data: unfinished\n";
        assert_eq!(
            parse_sse(stream),
            vec![
                SseEvent { id: Some("1".into()), event: Some("order".into()), data: "{\"a\":1}".into() },
                SseEvent { id: None, event: None, data: "first\nsecond".into() },
                SseEvent { id: Some("3".into()), event: None, data: String::new() },
            ]
        );
    }

    #[test]
    fn sse_events_wait_for_their_blank_line() {
        assert_eq!(parse_sse("data: x\n"), vec![]);
        assert_eq!(parse_sse("data: x\n\ndata: y"), vec![SseEvent { id: None, event: None, data: "x".into() }]);
    }

    #[test]
    fn responses_give_headers_and_cookies() -> anyhow::Result<()> {
        let response = parse_response(
            b"HTTP/1.1 303 See Other\r\nLocation: /console\r\nset-cookie: other=1\r\n\
              Set-Cookie: muster_session=abc%3D; Path=/; HttpOnly\r\nContent-Length:2\r\n\r\nok",
        )?;
        assert_eq!(response.status, 303);
        assert_eq!(response.header("location"), Some("/console"));
        assert_eq!(response.header("content-length"), Some("2"));
        assert_eq!(response.cookie("muster_session").as_deref(), Some("abc%3D"));
        assert_eq!(response.cookie("other").as_deref(), Some("1"));
        assert_eq!(response.cookie("missing"), None);
        assert_eq!(response.body, "ok");
        Ok(())
    }
}
