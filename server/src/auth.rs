//! Sign-in and sign-out (plain form POSTs), rate limits, and the staff form POSTs.

use crate::ServerState;
use crate::routes::rerender_with;
use app::pages::auth::{LoginAttempt, safe_next};
use app::pages::register::{DRAFT_KEY, PostedAgreement};
use app::ssr::{SESSION_LOGIN_AT, SESSION_USER, principal_from_session};
use app::{AppError, Lang};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::prelude::provide_context;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tower_sessions::Session;

/// In-memory counters (never persisted): per account and per client address.
#[derive(Clone)]
pub struct LoginLimits {
    per_account: Arc<DefaultKeyedRateLimiter<String>>,
    per_address: Arc<DefaultKeyedRateLimiter<String>>,
}

impl LoginLimits {
    pub fn new(per_account_per_minute: u32, per_address_per_minute: u32) -> Self {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        LoginLimits {
            per_account: Arc::new(RateLimiter::keyed(q(per_account_per_minute))),
            per_address: Arc::new(RateLimiter::keyed(q(per_address_per_minute))),
        }
    }

    fn allow(&self, account: &str, address: &str) -> bool {
        // Both buckets are charged, so one cannot be drained through the other.
        let a = self.per_account.check_key(&account.to_owned()).is_ok();
        let b = self.per_address.check_key(&address.to_owned()).is_ok();
        a && b
    }
}

pub use app::ssr::client_address;

fn form_fields(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

pub(crate) use app::ssr::form_field as field;

pub(crate) async fn body_fields(
    state: &ServerState,
    req: Request,
) -> Result<(axum::http::request::Parts, Vec<(String, String)>), Response> {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, state.config.body_limit_bytes).await {
        Ok(b) => Ok((parts, form_fields(&b))),
        Err(_) => Err(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
    }
}

pub async fn login(State(state): State<ServerState>, session: Session, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let address = client_address(req.headers(), peer, &state.config.trust_proxy_headers);
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let email = field(&fields, "email").trim().to_lowercase();
    let next = safe_next(field(&fields, "next"));
    let lang = Lang::parse(field(&fields, "lang")).unwrap_or_default();
    let fail = |error: AppError| {
        let attempt = LoginAttempt {
            email: email.clone(),
            next: next.clone(),
            error,
        };
        let lang = Some(lang);
        rerender_with(state.clone(), parts.clone(), lang, move || {
            provide_context(attempt.clone())
        })
    };
    if !state.login_limits.allow(&email, &address) {
        tracing::warn!("sign-in rate limit reached");
        let mut res = fail(AppError::RateLimited).await;
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return res;
    }
    match db::accounts::login(&state.app.db, &email, field(&fields, "password")).await {
        Ok(p) => {
            // A new session id on sign-in, keeping any draft the session holds.
            let now = state.app.clock.now().timestamp();
            let ok = session.cycle_id().await.is_ok()
                && session.insert(SESSION_USER, p.user_id).await.is_ok()
                && session.insert(SESSION_LOGIN_AT, now).await.is_ok();
            if !ok {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            tracing::info!(user = p.user_id, "signed in");
            Redirect::to(&next)
                .into_response()
                .with_status(StatusCode::SEE_OTHER)
        }
        Err(db::accounts::AccountError::Db(e)) => {
            tracing::error!(error = %e, "sign-in failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(_) => {
            let mut res = fail(AppError::Unauthorized).await;
            *res.status_mut() = StatusCode::UNAUTHORIZED;
            res
        }
    }
}

pub async fn logout(session: Session) -> Response {
    if session.flush().await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Redirect::to("/logga-in")
        .into_response()
        .with_status(StatusCode::SEE_OTHER)
}

/// The agreement form. An expired session keeps the typed form in a fresh session and sends
/// the user to sign in; after sign-in the form comes back filled in.
pub async fn create_agreement(
    State(state): State<ServerState>,
    session: Session,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = domain::AgreementInput {
        municipal_unit_id: field(&fields, "municipal_unit_id").to_owned(),
        special_area_id: field(&fields, "special_area_id").to_owned(),
        officer_id: field(&fields, "officer_id").to_owned(),
        purpose: field(&fields, "purpose").to_owned(),
        starts_on: field(&fields, "starts_on").to_owned(),
        review_on: field(&fields, "review_on").to_owned(),
        contact_person: field(&fields, "contact_person").to_owned(),
        status: field(&fields, "status").to_owned(),
    };
    let principal = match principal_from_session(&state.app, &session).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            if session.insert(DRAFT_KEY, &input).await.is_err() {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            return Redirect::to("/logga-in?next=/personal/overenskommelser&utkast=1")
                .into_response()
                .with_status(StatusCode::SEE_OTHER);
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let now = state.app.clock.now();
    match db::register::create_agreement(&state.app.db, &principal, &input, now).await {
        Ok(_) => Redirect::to("/personal/overenskommelser?sparad=1")
            .into_response()
            .with_status(StatusCode::SEE_OTHER),
        Err(db::register::RegisterError::Forbidden) => (
            StatusCode::FORBIDDEN,
            "Du har inte behörighet. / You do not have access.",
        )
            .into_response(),
        Err(db::register::RegisterError::Invalid(errors)) => {
            let posted = PostedAgreement { input, errors };
            let mut res =
                rerender_with(state, parts, None, move || provide_context(posted.clone())).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "agreement not saved");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

trait WithStatus {
    fn with_status(self, status: StatusCode) -> Self;
}

impl WithStatus for Response {
    fn with_status(mut self, status: StatusCode) -> Self {
        *self.status_mut() = status;
        self
    }
}

/// The outcome of a register side form: back to the register, or why not.
async fn register_outcome(
    state: ServerState,
    parts: axum::http::request::Parts,
    result: Result<(), db::register::RegisterError>,
) -> Response {
    use app::pages::register::PostedRegisterForm;
    use db::register::RegisterError;
    match result {
        Ok(()) => Redirect::to("/personal/overenskommelser?sparad=1")
            .into_response()
            .with_status(StatusCode::SEE_OTHER),
        Err(RegisterError::Forbidden) => (
            StatusCode::FORBIDDEN,
            "Du har inte behörighet. / You do not have access.",
        )
            .into_response(),
        Err(RegisterError::NotFound) => (
            StatusCode::NOT_FOUND,
            "Överenskommelsen finns inte. / No such agreement.",
        )
            .into_response(),
        Err(RegisterError::Invalid(errors)) => {
            let posted = PostedRegisterForm { errors };
            let mut res =
                rerender_with(state, parts, None, move || provide_context(posted.clone())).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "register not updated");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The signed-in principal, or the response for an expired/absent session.
async fn principal_or_login(
    state: &ServerState,
    session: &Session,
) -> Result<domain::Principal, Response> {
    match principal_from_session(&state.app, session).await {
        Ok(Some(p)) if !p.must_change_password => Ok(p),
        Ok(Some(_)) => Err((
            StatusCode::FORBIDDEN,
            "Byt lösenord först. / Change your password first.",
        )
            .into_response()),
        Ok(None) => Err(Redirect::to("/logga-in?next=/personal/overenskommelser")
            .into_response()
            .with_status(StatusCode::SEE_OTHER)),
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

pub async fn set_agreement_status(
    State(state): State<ServerState>,
    axum::extract::Path(uid): axum::extract::Path<String>,
    session: Session,
    req: Request,
) -> Response {
    let p = match principal_or_login(&state, &session).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result =
        db::register::set_agreement_status(&state.app.db, &p, &uid, field(&fields, "status"), now)
            .await;
    register_outcome(state, parts, result).await
}

pub async fn assign_special_area(
    State(state): State<ServerState>,
    session: Session,
    req: Request,
) -> Response {
    let p = match principal_or_login(&state, &session).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = db::register::assign_special_area(
        &state.app.db,
        &p,
        field(&fields, "officer_id"),
        field(&fields, "special_area_id"),
        now,
    )
    .await;
    register_outcome(state, parts, result).await
}

pub async fn create_special_area(
    State(state): State<ServerState>,
    session: Session,
    req: Request,
) -> Response {
    let p = match principal_or_login(&state, &session).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = db::register::create_special_area(
        &state.app.db,
        &p,
        field(&fields, "code"),
        field(&fields, "name_sv"),
        field(&fields, "name_en"),
        now,
    )
    .await
    .map(|_| ());
    register_outcome(state, parts, result).await
}
