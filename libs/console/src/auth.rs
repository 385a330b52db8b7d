//! Who is at the browser: sessions made by redeeming an invite (a random token in an HttpOnly,
//! SameSite=Strict cookie, kept on the server only as a hash, expiring), and the refusal of
//! cross-site form posts (`Sec-Fetch-Site`, else `Origin` against `Host`; a request carrying
//! neither is not a browser's and cannot carry the victim's cookie by accident either).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::http::{HeaderMap, header};
use bus::{ExerciseId, NodeId};
use identity::secret::sha256_hex as hash;

/// A signed-in seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The exercise.
    pub exercise: ExerciseId,
    /// The seat (a node of the scenario, or `director`).
    pub seat: NodeId,
    opened: SystemTime,
    expires: Instant,
}

/// The sessions of one console.
#[derive(Debug)]
pub struct Sessions {
    /// The cookie's name (per console, so two consoles on one host do not overwrite each other's).
    pub cookie: String,
    /// How long a session lasts.
    pub lifetime: Duration,
    /// Whether the console serves TLS (the cookie is then `Secure`).
    pub secure: bool,
    open: Mutex<HashMap<String, Session>>,
    /// Per session, what became of its last form, shown once on the next page.
    flashes: Mutex<HashMap<String, Said>>,
    /// Per session, the last form refused, as typed: shown in its form until the next one is sent.
    kept: Mutex<HashMap<String, Kept>>,
}

/// The largest form kept, in bytes: an envelope's limit.
const KEPT_AT_MOST: usize = 256 * 1024;

/// What became of a person's form, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// The sentence.
    pub text: String,
    /// Whether the form was refused (or not confirmed yet).
    pub refused: bool,
}

/// A refused form as the person typed it, so that nothing typed is lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// The form's action (`revise`, `position`, `advance`…).
    pub action: String,
    /// Its fields.
    pub fields: BTreeMap<String, String>,
}

impl Kept {
    /// What was typed in `field` of the form for `action`, when that form was about what `about`
    /// names (its slot and version, its stage…): a form about another version shows none of it.
    pub fn typed(&self, action: &str, about: &[(&str, &str)], field: &str) -> Option<&str> {
        let same = about.iter().all(|(name, value)| self.fields.get(*name).is_some_and(|v| v == value));
        (self.action == action && same).then(|| self.fields.get(field).map(String::as_str)).flatten()
    }
}

impl Sessions {
    /// No session yet.
    pub fn new(cookie: String, lifetime: Duration, secure: bool) -> Sessions {
        Sessions { cookie, lifetime, secure, open: Mutex::default(), flashes: Mutex::default(), kept: Mutex::default() }
    }

    /// Opens a session for `seat`; the `Set-Cookie` value that carries it.
    pub fn open(&self, exercise: ExerciseId, seat: NodeId) -> Result<String, getrandom::Error> {
        let token = identity::secret::random_hex(32)?;
        let session = Session { exercise, seat, opened: SystemTime::now(), expires: Instant::now() + self.lifetime };
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        open.retain(|_, s| s.expires > now);
        // What was kept for a session gone goes with it.
        self.flashes.lock().unwrap_or_else(|e| e.into_inner()).retain(|key, _| open.contains_key(key));
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).retain(|key, _| open.contains_key(key));
        open.insert(hash(&token), session);
        Ok(format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
            self.cookie,
            self.lifetime.as_secs(),
            if self.secure { "; Secure" } else { "" }
        ))
    }

    /// The session the request's cookie names, if it is open and not expired.
    pub fn of(&self, headers: &HeaderMap) -> Option<Session> {
        let token = cookie(headers, &self.cookie)?;
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&hash(&token)).filter(|s| s.expires > Instant::now()).cloned()
    }

    /// Since when someone is signed in as `seat` (the earliest session still open), if anyone is.
    pub fn seated(&self, exercise: &ExerciseId, seat: &NodeId) -> Option<SystemTime> {
        let now = Instant::now();
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.values().filter(|s| &s.exercise == exercise && &s.seat == seat && s.expires > now).map(|s| s.opened).min()
    }

    /// Keeps what became of a form for the request's session's next page (kept on the server, so
    /// that no link can put words on a console page), and the form as typed when it was refused.
    pub fn say(&self, headers: &HeaderMap, said: Said, kept: Option<Kept>) {
        if let Some(token) = cookie(headers, &self.cookie) {
            let key = hash(&token);
            self.flashes.lock().unwrap_or_else(|e| e.into_inner()).insert(key.clone(), said);
            let mut forms = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            // A form larger than any submission could not be sent again anyway.
            match kept.filter(|k| k.fields.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>() <= KEPT_AT_MOST) {
                Some(kept) => forms.insert(key, kept),
                None => forms.remove(&key),
            };
        }
    }

    /// What became of the last form, once.
    pub fn said(&self, headers: &HeaderMap) -> Option<Said> {
        let token = cookie(headers, &self.cookie)?;
        self.flashes.lock().unwrap_or_else(|e| e.into_inner()).remove(&hash(&token))
    }

    /// The last refused form, as typed, until another form is sent.
    pub fn kept(&self, headers: &HeaderMap) -> Option<Kept> {
        let token = cookie(headers, &self.cookie)?;
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).get(&hash(&token)).cloned()
    }

    /// Closes the request's session; the `Set-Cookie` value that clears the cookie.
    pub fn close(&self, headers: &HeaderMap) -> String {
        if let Some(token) = cookie(headers, &self.cookie) {
            self.open.lock().unwrap_or_else(|e| e.into_inner()).remove(&hash(&token));
            self.flashes.lock().unwrap_or_else(|e| e.into_inner()).remove(&hash(&token));
            self.kept.lock().unwrap_or_else(|e| e.into_inner()).remove(&hash(&token));
        }
        format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", self.cookie)
    }
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned())
}

/// Why a state-changing request is refused as cross-site, or `None` when it may go on.
pub fn cross_site(headers: &HeaderMap) -> Option<words::Message> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => None,
            other => Some(words::Message::new("cross-site-fetch").with("site", other)),
        };
    }
    let origin = get("origin")?;
    let host = get("host").unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    (origin_host != host).then(|| words::Message::new("cross-site-origin").with("origin", origin).with("host", host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("valid header"));
        }
        h
    }

    #[test]
    fn a_session_is_found_by_its_cookie_only_and_ends_when_closed() {
        let sessions = Sessions::new("muster-7480".into(), Duration::from_secs(60), false);
        let set = sessions.open(ExerciseId::new("ex").expect("id"), NodeId::new("BY").expect("id")).expect("random");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"));
        let token = set.split(';').next().and_then(|p| p.split_once('=')).map(|(_, v)| v).expect("token");
        let with = headers(&[("cookie", &format!("other=1; muster-7480={token}"))]);
        assert_eq!(sessions.of(&with).map(|s| s.seat.to_string()), Some("BY".into()));
        assert_eq!(sessions.of(&headers(&[("cookie", "muster-7480=forged")])), None);
        assert_eq!(sessions.of(&HeaderMap::new()), None);
        sessions.close(&with);
        assert_eq!(sessions.of(&with), None);
    }

    #[test]
    fn an_expired_session_admits_nobody() {
        let sessions = Sessions::new("c".into(), Duration::ZERO, true);
        let set = sessions.open(ExerciseId::new("ex").expect("id"), NodeId::new("BY").expect("id")).expect("random");
        assert!(set.contains("; Secure"));
        let cookie = set.split(';').next().expect("pair").to_owned();
        assert_eq!(sessions.of(&headers(&[("cookie", &cookie)])), None);
    }

    #[test]
    fn cross_site_posts_are_told_apart_from_same_origin_ones() {
        assert_eq!(cross_site(&headers(&[("sec-fetch-site", "same-origin")])), None);
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])).is_some());
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])).is_some());
        let host = ("host", "127.0.0.1:7480");
        assert_eq!(cross_site(&headers(&[host, ("origin", "http://127.0.0.1:7480")])), None);
        assert!(cross_site(&headers(&[host, ("origin", "http://evil.example")])).is_some());
        assert_eq!(cross_site(&headers(&[host])), None, "not a browser: no cookie rides along by accident");
    }
}
