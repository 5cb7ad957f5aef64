//! Server-only helpers used inside server functions and the shell.

use crate::AppError;
use crate::i18n::Lang;
use domain::{Invalid, Openness};
use http::{HeaderValue, header};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// What every server function and page may reach on the server.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: db::Db,
    pub leptos_options: LeptosOptions,
    pub clock: std::sync::Arc<dyn db::clock::Clock>,
    /// Group commit of survey answers.
    pub writer: db::survey::Writer,
    pub respondents: std::sync::Arc<Respondents>,
    /// The site's address as configured (`SITE_URL`, validated), e.g. for links on posters.
    pub site_url: String,
}

/// The anonymous-abuse checks of the answer path: a signed form token (minimum time on the
/// page), a honeypot, and a per-address rate limit held in memory only. Nothing here is
/// stored with an answer.
pub struct Respondents {
    secure_cookies: bool,
    secret: Vec<u8>,
    min_seconds: i64,
    max_form_age: i64,
    per_address: governor::DefaultKeyedRateLimiter<String>,
    trusted_headers: Vec<String>,
}

impl std::fmt::Debug for Respondents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Respondents")
            .field("min_seconds", &self.min_seconds)
            .field("max_form_age", &self.max_form_age)
            .finish_non_exhaustive()
    }
}

/// The hidden form fields of the answer path.
pub use crate::form_fields::{
    HONEYPOT as FIELD_HONEYPOT, INVITE as FIELD_INVITE, KIOSK as FIELD_KIOSK, TOKEN as FIELD_TOKEN,
    VIA as FIELD_VIA,
};
/// The one-answer-per-browser cookie: a random token, stored only as a per-dialogue hash.
pub const BROWSER_COOKIE: &str = "mbl_b";

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// How long a rendered form is accepted by default (`SUBMIT_MAX_FORM_AGE`): four hours.
pub const DEFAULT_MAX_FORM_AGE_SECONDS: u32 = 4 * 3600;

impl Respondents {
    pub fn new(
        secret: &str,
        min_seconds: u32,
        per_address_per_minute: u32,
        trusted_headers: Vec<String>,
        secure_cookies: bool,
    ) -> Self {
        let per_minute = std::num::NonZeroU32::new(per_address_per_minute.max(1))
            .unwrap_or(std::num::NonZeroU32::MIN);
        Respondents {
            secure_cookies,
            secret: secret.as_bytes().to_vec(),
            min_seconds: i64::from(min_seconds),
            max_form_age: i64::from(DEFAULT_MAX_FORM_AGE_SECONDS),
            per_address: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
            trusted_headers,
        }
    }

    /// Sets how long after rendering a form is accepted, in seconds. Without an end, a bot
    /// could collect tokens in bulk and send them all later.
    pub fn with_max_form_age(mut self, seconds: u32) -> Self {
        self.max_form_age = i64::from(seconds);
        self
    }

    fn mac(&self, payload: &str) -> String {
        use hmac::{KeyInit, Mac};
        match HmacSha256::new_from_slice(&self.secret) {
            Ok(mut m) => {
                m.update(payload.as_bytes());
                hex::encode(m.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    /// The token a rendered form carries: when it was rendered, signed with its submission id.
    pub fn form_token(&self, submission_id: &str, now: chrono::DateTime<chrono::Utc>) -> String {
        let ts = now.timestamp();
        format!("{ts}.{}", self.mac(&format!("{ts}:{submission_id}")))
    }

    /// Refuses a forged token, a form sent sooner than a person could fill it in, and a form
    /// older than the longest time a form is accepted for (with a fresh token for it).
    pub fn check_token(
        &self,
        token: &str,
        submission_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError> {
        use hmac::{KeyInit, Mac};
        let (ts, sig) = token.split_once('.').ok_or(AppError::Rejected)?;
        let ts: i64 = ts.parse().map_err(|_| AppError::Rejected)?;
        let sig = hex::decode(sig).map_err(|_| AppError::Rejected)?;
        let mut m = HmacSha256::new_from_slice(&self.secret).map_err(|_| AppError::Internal)?;
        m.update(format!("{ts}:{submission_id}").as_bytes());
        m.verify_slice(&sig).map_err(|_| AppError::Rejected)?;
        if now.timestamp() - ts > self.max_form_age {
            return Err(AppError::FormExpired(self.form_token(submission_id, now)));
        }
        if now.timestamp() - ts < self.min_seconds {
            return Err(AppError::TooFast);
        }
        Ok(())
    }

    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    pub fn allow(&self, address: &str) -> bool {
        self.per_address.check_key(&address.to_owned()).is_ok()
    }

    /// The client address, for the in-memory rate limit only: never stored or logged.
    pub fn client_address(
        &self,
        headers: &http::HeaderMap,
        peer: Option<std::net::SocketAddr>,
    ) -> String {
        client_address(headers, peer, &self.trusted_headers)
    }
}

/// The client address: the TCP peer, or the first value of a trusted proxy header when
/// configured. Shared by the sign-in and the answer rate limits.
pub fn client_address(
    headers: &http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    trusted: &[String],
) -> String {
    for name in trusted {
        if let Some(v) = headers.get(name.as_str()).and_then(|v| v.to_str().ok())
            && let Some(first) = v.split(',').next().map(str::trim).filter(|s| !s.is_empty())
        {
            return first.to_owned();
        }
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A cookie's value from request headers.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The browser token of the one-answer-per-browser cookie, if well-formed (32 hex digits).
pub fn browser_token(headers: &http::HeaderMap) -> Option<String> {
    cookie(headers, BROWSER_COOKIE)
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// A new browser token and its `Set-Cookie` value (one year, this site's survey paths only).
pub fn new_browser_cookie(secure: bool) -> (String, HeaderValue) {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let value = format!(
        "{BROWSER_COOKIE}={token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    let header = HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(""));
    (token, header)
}

/// The browser token of the request being served, set as a cookie when missing.
pub fn ensure_browser_cookie() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    if let Some(t) = browser_token(&parts.headers) {
        return Some(t);
    }
    let st = use_context::<AppState>()?;
    let (token, cookie) = new_browser_cookie(st.respondents.secure_cookies);
    if let Some(opts) = use_context::<ResponseOptions>() {
        opts.append_header(header::SET_COOKIE, cookie);
    }
    Some(token)
}

/// Session keys.
pub const SESSION_USER: &str = "uid";
pub const SESSION_LOGIN_AT: &str = "login_at";
/// Sessions end 12 hours after login, however active (idle expiry is the session layer's).
pub const ABSOLUTE_SESSION_HOURS: i64 = 12;

/// The signed-in staff member, if any. Ends sessions past their absolute lifetime, and
/// sessions of deactivated accounts.
pub async fn current_principal() -> Result<Option<domain::Principal>, AppError> {
    let st = state()?;
    let Ok(session) = leptos_axum::extract::<tower_sessions::Session>().await else {
        return Ok(None);
    };
    principal_from_session(&st, &session).await
}

pub async fn principal_from_session(
    st: &AppState,
    session: &tower_sessions::Session,
) -> Result<Option<domain::Principal>, AppError> {
    let uid: Option<i64> = session.get(SESSION_USER).await.map_err(internal)?;
    let Some(uid) = uid else {
        return Ok(None);
    };
    let login_at: i64 = session
        .get(SESSION_LOGIN_AT)
        .await
        .map_err(internal)?
        .unwrap_or(0);
    if st.clock.now().timestamp() - login_at > ABSOLUTE_SESSION_HOURS * 3600 {
        session.flush().await.map_err(internal)?;
        return Ok(None);
    }
    match db::accounts::active_principal(&st.db, uid, login_at)
        .await
        .map_err(internal)?
    {
        Some(p) => Ok(Some(p)),
        None => {
            session.flush().await.map_err(internal)?;
            Ok(None)
        }
    }
}

/// The signed-in staff member holding `permission`, or 401 / 403 (status set on the response).
pub async fn require(permission: domain::Permission) -> Result<domain::Principal, AppError> {
    let result = check(permission).await;
    if let Err(e) = &result {
        set_status(e.status());
    }
    result
}

/// Like [`require`], leaving the response status to the caller (pages redirect instead).
pub async fn check(permission: domain::Permission) -> Result<domain::Principal, AppError> {
    match current_principal().await? {
        None => Err(AppError::Unauthorized),
        Some(p) if p.must_change_password => Err(AppError::MustChangePassword),
        Some(p) if p.may(permission) => Ok(p),
        Some(_) => Err(AppError::Forbidden),
    }
}

/// Answers the page being rendered with `302 Found` to `path`.
pub fn redirect_to(path: &str) {
    if let (Some(opts), Ok(location)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(path),
    ) {
        opts.insert_header(header::LOCATION, location);
        opts.set_status(http::StatusCode::FOUND);
    }
}

/// A mailed one-time link, if it still works (its page shows the form, or says it does not).
pub async fn password_link(token: &str) -> Result<Option<(domain::LinkKind, String)>, AppError> {
    let st = state()?;
    Ok(db::password_links::open(&st.db, token, st.clock.now())
        .await
        .map_err(internal)?
        .map(|l| (l.purpose, l.email)))
}

/// The shared state, provided to every render and server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

/// Sets the HTTP status of the response being built.
pub fn set_status(code: u16) {
    if let (Some(opts), Ok(status)) = (
        use_context::<ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        opts.set_status(status);
    }
}

/// Logs a storage failure (never with respondent data) and hides it behind a generic error.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "storage failure");
    AppError::Internal
}

pub fn request_lang() -> Lang {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Lang::default();
    };
    let from_query = parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    });
    if let Some(lang) = from_query {
        if let (Some(opts), Ok(cookie)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(&format!(
                "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                lang.code()
            )),
        ) {
            opts.append_header(header::SET_COOKIE, cookie);
        }
        return lang;
    }
    cookie(&parts.headers, "lang")
        .and_then(Lang::parse)
        .unwrap_or_default()
}

/// The Content-Security-Policy with this response's nonce, which Leptos puts on its scripts.
pub fn security_headers() {
    let Some(opts) = use_context::<ResponseOptions>() else {
        return;
    };
    let nonce = leptos::nonce::use_nonce()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        opts.insert_header(header::CONTENT_SECURITY_POLICY, v);
    }
}

/// Who sent an answer, as the HTTP layer saw it.
pub struct Sender<'a> {
    /// The browser cookie token, if any.
    pub browser: Option<&'a str>,
    /// The client address, for the in-memory rate limit only.
    pub address: &'a str,
    /// Staff typing in a paper answer (role and scope checked by the caller).
    pub paper: bool,
}

/// A form field's first value, or `""` when absent.
pub fn form_field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The one service call behind both the WASM path (server fn) and the no-JS form POST.
pub async fn submit(
    st: &AppState,
    link_code: &str,
    fields: &[(String, String)],
    sender: Sender<'_>,
) -> Result<db::survey::Receipt, AppError> {
    use db::survey::{Gate, SubmitError, SubmitRequest};
    let now = st.clock.now();
    let submission_id = form_field(fields, "submission_id");
    let kiosk = form_field(fields, FIELD_KIOSK);
    let gate = if sender.paper {
        Gate::Paper
    } else {
        if !st.respondents.allow(sender.address) {
            return Err(AppError::TooManyAnswers);
        }
        if !form_field(fields, FIELD_HONEYPOT).is_empty() {
            return Err(AppError::Rejected);
        }
        st.respondents
            .check_token(form_field(fields, FIELD_TOKEN), submission_id, now)?;
        if kiosk.is_empty() {
            Gate::Public {
                browser: sender.browser,
                invite: Some(form_field(fields, FIELD_INVITE)).filter(|s| !s.is_empty()),
                via_qr: form_field(fields, FIELD_VIA) == "qr",
            }
        } else {
            Gate::Kiosk { token: kiosk }
        }
    };
    let req = SubmitRequest {
        link_code,
        submission_id,
        gate,
        fields,
        now,
    };
    st.writer.submit(req).await.map_err(|e| match e {
        SubmitError::NotFound => AppError::NotFound,
        SubmitError::NotOpen(Openness::NotYetOpen) => AppError::NotYetOpen,
        SubmitError::NotOpen(_) => AppError::Closed,
        SubmitError::BadSubmissionId => AppError::BadRequest,
        SubmitError::Invalid(Invalid::Fields(errors)) => AppError::Invalid(errors),
        SubmitError::Invalid(Invalid::UnknownQuestion(_)) => AppError::UnknownQuestion,
        SubmitError::BadInvite => AppError::BadInvite,
        SubmitError::BadKiosk => AppError::BadKiosk,
        SubmitError::AlreadyAnswered => AppError::AlreadyAnswered,
        SubmitError::WriterGone => internal("the answer writer has stopped"),
        SubmitError::Db(e) => internal(e),
    })
}

/// The survey behind `code`, if `p` may enter paper answers for it (its LPO is in scope).
/// Outside the scope: 403; an unknown link: 404.
pub async fn paper_survey(
    st: &AppState,
    p: &domain::Principal,
    code: &str,
) -> Result<domain::Survey, AppError> {
    let survey = st
        .writer
        .survey(code)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?
        .survey
        .clone();
    let lpos = db::register::visible_lpos(&st.db, p)
        .await
        .map_err(internal)?;
    if lpos.is_some_and(|l| !l.contains(&survey.lpo_id)) {
        return Err(AppError::Forbidden);
    }
    Ok(survey)
}

/// The built stylesheet, read once, for inlining into every page.
pub fn inline_css(options: &LeptosOptions) -> Option<std::sync::Arc<str>> {
    static CSS: std::sync::OnceLock<Option<std::sync::Arc<str>>> = std::sync::OnceLock::new();
    CSS.get_or_init(|| {
        let path = std::path::Path::new(&*options.site_root)
            .join(&*options.site_pkg_dir)
            .join(format!("{}.css", options.output_name));
        match std::fs::read_to_string(&path) {
            Ok(css) => Some(css.into()),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "stylesheet not inlined");
                None
            }
        }
    })
    .clone()
}
