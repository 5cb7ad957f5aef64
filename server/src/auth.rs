//! Sign-in and sign-out (plain form POSTs) and their rate limits.

use crate::ServerState;
use crate::form::{body_fields, field};
use crate::respond::{rerender_with, see_other};
use crate::route::PlainRoute;
use app::access::Access;
use app::pages::auth::{LoginAttempt, safe_next};
use app::ssr::{SESSION_LOGIN_AT, SESSION_USER};
use app::{AppError, Lang, paths};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::prelude::provide_context;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tower_sessions::Session;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::post("login", paths::LOGIN, Access::Public, || post(login)),
    PlainRoute::post("logout", paths::LOGOUT, Access::Public, || post(logout)),
];

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
            see_other(&next)
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
    see_other(paths::LOGIN)
}
