//! The one guard of the plain routes: every route's declared [`Access`] is enforced here,
//! before its handler runs, so a handler that forgets to check is still protected. The
//! signed-in staff member is left in the request's extensions for the handler ([`Staff`]).
//! Scope (which LPO, municipality or unit) stays with the db service that owns the data.

use crate::ServerState;
use crate::route::SignedOut;
use app::access::{Access, page_access};
use app::paths;
use app::ssr::principal_from_session;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Permission, Principal};
use tower_sessions::Session;

/// The signed-in staff member the guard let through (in a handler behind
/// [`enforce`]; anywhere else the request is refused with 500, a wiring mistake).
pub struct Staff(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Staff)
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The signed-in staff member, if any (behind a route whose handler answers the signed-out
/// itself, [`SignedOut::Handler`]).
pub struct MaybeStaff(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeStaff {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeStaff(parts.extensions.get::<Principal>().cloned()))
    }
}

/// Why a request was refused before its handler: sign in first, change the password first,
/// not allowed, or the session could not be read.
pub enum Refusal {
    SignIn { next: Option<String> },
    ChangePassword,
    Forbidden,
    Internal,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn { next } => {
                let to = match next {
                    Some(path) => paths::login_then(&path),
                    None => paths::LOGIN.to_owned(),
                };
                let mut r = Redirect::to(&to).into_response();
                *r.status_mut() = StatusCode::SEE_OTHER;
                r
            }
            Refusal::ChangePassword => (
                StatusCode::FORBIDDEN,
                "Byt lösenord först. / Change your password first.",
            )
                .into_response(),
            Refusal::Forbidden => (
                StatusCode::FORBIDDEN,
                "Du har inte behörighet. / You do not have access.",
            )
                .into_response(),
            Refusal::Internal => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
}

/// Whether `p` passes `access` (a staff member who must change their password passes only
/// [`Permission::SignedIn`], which is what changing it needs).
pub fn decide(access: Access, p: Option<&Principal>) -> Result<(), Refusal> {
    let Access::Staff(permission) = access else {
        return Ok(());
    };
    match p {
        None => Err(Refusal::SignIn { next: None }),
        Some(p) if p.must_change_password && permission != Permission::SignedIn => {
            Err(Refusal::ChangePassword)
        }
        Some(p) if p.may(permission) => Ok(()),
        Some(_) => Err(Refusal::Forbidden),
    }
}

/// What the guard knows of a route: its pattern, its access, and who answers the signed-out.
#[derive(Clone)]
pub struct Guard {
    state: ServerState,
    pattern: &'static str,
    access: Access,
    signed_out: SignedOut,
}

/// The route layer: looks the session up once, refuses what the route's access forbids, and
/// hands the staff member on. Someone signed out is sent to sign in, and comes back to the
/// page asked for (a GET, or a form posted to its own page).
pub async fn enforce(
    State(guard): State<Guard>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if guard.access == Access::Public {
        return next.run(req).await;
    }
    let p = match principal_from_session(&guard.state.app, &session).await {
        Ok(p) => p,
        Err(_) => return Refusal::Internal.into_response(),
    };
    match decide(guard.access, p.as_ref()) {
        Ok(()) => {
            if let Some(p) = p {
                req.extensions_mut().insert(p);
            }
            next.run(req).await
        }
        Err(Refusal::SignIn { .. }) if guard.signed_out == SignedOut::Handler => {
            next.run(req).await
        }
        Err(Refusal::SignIn { .. }) => {
            let back = req.method() == Method::GET || page_access(guard.pattern).is_some();
            let path = req.uri().path().to_owned();
            // A long form posted after its session ended keeps what was typed.
            if req.method() == Method::POST
                && let Some(to) = crate::drafts::keep(&guard.state, &session, req).await
            {
                return crate::respond::see_other(&to);
            }
            Refusal::SignIn {
                next: back.then_some(path),
            }
            .into_response()
        }
        Err(r) => r.into_response(),
    }
}

/// `handler` behind the guard of `access` (`pattern` is the route's, for the way back).
pub fn guarded(
    state: &ServerState,
    pattern: &'static str,
    access: Access,
    signed_out: SignedOut,
    handler: axum::routing::MethodRouter<ServerState>,
) -> axum::routing::MethodRouter<ServerState> {
    let guard = Guard {
        state: state.clone(),
        pattern,
        access,
        signed_out,
    };
    handler.route_layer(axum::middleware::from_fn_with_state(guard, enforce))
}
