//! Server-only helpers used inside server functions and the shell.

use crate::AppError;
use crate::i18n::Lang;
use domain::{Channel, Invalid, Openness};
use http::{HeaderValue, header};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// What every server function and page may reach on the server.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: db::Db,
    pub leptos_options: LeptosOptions,
    pub clock: std::sync::Arc<dyn db::clock::Clock>,
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
    match db::accounts::active_principal(&st.db, uid)
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

/// The signed-in staff member with one of `roles`, or 401 / 403 (status set on the response).
pub async fn require(roles: &[domain::Role]) -> Result<domain::Principal, AppError> {
    let result = check(roles).await;
    if let Err(e) = &result {
        set_status(e.status());
    }
    result
}

/// Like [`require`], leaving the response status to the caller (pages redirect instead).
pub async fn check(roles: &[domain::Role]) -> Result<domain::Principal, AppError> {
    match current_principal().await? {
        None => Err(AppError::Unauthorized),
        Some(p) if p.must_change_password => Err(AppError::MustChangePassword),
        Some(p) if roles.contains(&p.role) => Ok(p),
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
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
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

/// The one service call behind both the WASM path (server fn) and the no-JS form POST.
pub async fn submit(
    db: &db::Db,
    link_code: &str,
    submission_id: &str,
    channel: Channel,
    fields: &[(String, String)],
) -> Result<db::survey::Receipt, AppError> {
    use db::survey::{SubmitError, SubmitRequest};
    let req = SubmitRequest {
        link_code,
        submission_id,
        channel,
        fields,
        now: chrono::Utc::now(),
    };
    db::survey::submit(db, req).await.map_err(|e| match e {
        SubmitError::NotFound => AppError::NotFound,
        SubmitError::NotOpen(Openness::NotYetOpen) => AppError::NotYetOpen,
        SubmitError::NotOpen(_) => AppError::Closed,
        SubmitError::BadSubmissionId => AppError::BadRequest,
        SubmitError::Invalid(Invalid::Fields(errors)) => AppError::Invalid(errors),
        SubmitError::Invalid(Invalid::UnknownQuestion(_)) => AppError::UnknownQuestion,
        SubmitError::Db(e) => internal(e),
    })
}
