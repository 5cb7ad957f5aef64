//! Sign-in and sign-out (plain form POSTs) and their rate limits; a forgotten password's
//! one-time link by e-mail, and setting a password through such a link (or an invitation).

use crate::ServerState;
use crate::form::{body_fields, field};
use crate::respond::{WithStatus, failed, refused_form, rerender_with, see_other};
use crate::route::PlainRoute;
use app::access::Access;
use app::i18n::{tr, tr_with};
use app::pages::admin::PostedStaffForm;
use app::pages::auth::{LoginAttempt, ResetRequested, safe_next};
use app::ssr::{SESSION_LOGIN_AT, SESSION_USER};
use app::{AppError, Lang, paths};
use axum::extract::{ConnectInfo, Path, Request, State};
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
    PlainRoute::post(
        "forgot_password",
        paths::FORGOT_PASSWORD,
        Access::Public,
        || post(forgot_password),
    ),
    PlainRoute::post("set_password", paths::SET_PASSWORD, Access::Public, || {
        post(set_password)
    }),
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

fn address_of(state: &ServerState, req: &Request) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    client_address(req.headers(), peer, &state.config.trust_proxy_headers)
}

pub async fn login(State(state): State<ServerState>, session: Session, req: Request) -> Response {
    let address = address_of(&state, &req);
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

/// Mails a one-time link (a reset or an invitation) in `lang`.
pub async fn send_link(
    state: &ServerState,
    link: &db::password_links::IssuedLink,
    lang: Lang,
) -> Result<(), crate::mail::MailError> {
    use db::password_links::LinkPurpose;
    let url = format!(
        "{}{}",
        state.config.site_url,
        paths::set_password(&link.token)
    );
    let (subject, body) = match link.purpose {
        LinkPurpose::Reset => ("mail.reset_subject", "mail.reset_body"),
        LinkPurpose::Invite => ("mail.invite_subject", "mail.invite_body"),
    };
    let body = tr_with(lang, body, &[("name", &link.name), ("link", &url)]);
    state
        .mailer
        .send(&link.name, &link.email, &tr(lang, subject), body)
        .await
}

/// `POST /glomt-losenord`: the same answer, at the same speed, whether or not the address has
/// an account: the lookup and the mail happen after the answer has gone.
pub async fn forgot_password(State(state): State<ServerState>, req: Request) -> Response {
    let address = address_of(&state, &req);
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let email = field(&fields, "email").trim().to_lowercase();
    let lang = Lang::parse(field(&fields, "lang")).unwrap_or_default();
    let answer = |error: Option<&'static str>| {
        let outcome = ResetRequested { error };
        rerender_with(state.clone(), parts.clone(), Some(lang), move || {
            provide_context(outcome.clone())
        })
    };
    if !domain::is_plausible_email(&email) {
        return answer(Some("users.bad_email"))
            .await
            .with_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    if !state.reset_limits.allow(&email, &address) {
        tracing::warn!("password reset rate limit reached");
        return answer(Some("reset.rate_limited"))
            .await
            .with_status(StatusCode::TOO_MANY_REQUESTS);
    }
    let st = state.clone();
    tokio::spawn(async move {
        let now = st.app.clock.now();
        match db::password_links::request_reset(&st.app.db, &email, now).await {
            Ok(Some(link)) => match send_link(&st, &link, lang).await {
                Ok(()) => tracing::info!("password reset link sent"),
                Err(e) => tracing::error!(error = %e, "password reset link not sent"),
            },
            Ok(None) => tracing::info!("password reset asked for an address with no account"),
            Err(e) => tracing::error!(error = %e, "password reset not stored"),
        }
    });
    answer(None).await
}

/// The first problem with a new password typed twice: (field, catalogue key).
pub fn password_problem(fields: &[(String, String)]) -> Option<(&'static str, &'static str)> {
    let password = field(fields, "password");
    if password.chars().count() < db::accounts::MIN_PASSWORD_LEN {
        Some(("password", "password.too_short"))
    } else if password != field(fields, "repeat") {
        Some(("repeat", "password.mismatch"))
    } else {
        None
    }
}

/// `POST /nytt-losenord/{token}`: sets the password through a mailed link, once. A bad
/// password is a 422 and keeps the link; a used, expired or unknown link is a 410.
pub async fn set_password(
    State(state): State<ServerState>,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Some((f, key)) = password_problem(&fields) {
        let posted = PostedStaffForm {
            values: Vec::new(),
            errors: vec![(f.to_owned(), key.to_owned())],
        };
        return refused_form(state, parts, StatusCode::UNPROCESSABLE_ENTITY, posted).await;
    }
    let now = state.app.clock.now();
    match db::password_links::redeem(&state.app.db, &token, field(&fields, "password"), now).await {
        Ok(user) => {
            tracing::info!(user, "password set through a link");
            see_other(paths::LOGIN_AFTER_NEW_PASSWORD)
        }
        Err(db::password_links::LinkError::Invalid) => {
            refused_form(state, parts, StatusCode::GONE, PostedStaffForm::default()).await
        }
        Err(e) => failed("password not set through a link", e),
    }
}
