//! The one responder of the plain routes: redirects, refusals and a page re-rendered with a
//! refused form. Handlers answer with these, so every refusal reads the same.

use crate::ServerState;
use app::{Lang, shell};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;

pub(crate) trait WithStatus {
    fn with_status(self, status: StatusCode) -> Self;
}

impl WithStatus for Response {
    fn with_status(mut self, status: StatusCode) -> Self {
        *self.status_mut() = status;
        self
    }
}

/// 303 to `to` (after a form).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to)
        .into_response()
        .with_status(StatusCode::SEE_OTHER)
}

pub(crate) fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        "Du har inte behörighet. / You do not have access.",
    )
        .into_response()
}

pub(crate) fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Finns inte. / Not found.").into_response()
}

/// 413: the body is over the limit.
pub(crate) fn too_large() -> Response {
    StatusCode::PAYLOAD_TOO_LARGE.into_response()
}

/// A download: `body` of type `ctype` saved as `filename`, never cached.
pub(crate) fn attachment(body: impl Into<Body>, ctype: &'static str, filename: &str) -> Response {
    let mut res = Response::new(body.into());
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// 500, with the cause in the log (never in the answer).
pub(crate) fn failed(what: &str, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "{what}");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// The page at `parts`' path re-rendered with `posted` in context, answered with `status`.
pub(crate) async fn refused_form<T: Clone + Send + Sync + 'static>(
    state: ServerState,
    parts: axum::http::request::Parts,
    status: StatusCode,
    posted: T,
) -> Response {
    rerender_with(state, parts, None, move || provide_context(posted.clone()))
        .await
        .with_status(status)
}

/// Renders the page at `parts`' path as a GET, with extra context (a refused form).
/// `lang` pins the language the form was filled in.
pub async fn rerender_with(
    state: ServerState,
    mut parts: axum::http::request::Parts,
    lang: Option<Lang>,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    parts.method = Method::GET;
    if let Some(lang) = lang
        && let Ok(uri) = format!("{}?lang={}", parts.uri.path(), lang.code()).parse()
    {
        parts.uri = uri;
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let app_state = state.app.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(app_state.clone());
            context();
        },
        move || shell(options.clone()),
    );
    let mut res = handler(Request::from_parts(parts, Body::empty())).await;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
