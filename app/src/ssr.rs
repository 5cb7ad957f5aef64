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
