//! A resident's answer posted without JavaScript, and a paper answer typed in by staff.

use crate::ServerState;
use crate::guard::Staff;
use crate::respond::{rerender_with, see_other};
use crate::route::PlainRoute;
use app::access::Access;
use app::pages::survey::PostedForm;
use app::{AppError, Lang, paths};
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use domain::Permission;
use leptos::prelude::provide_context;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::post("submit_survey", paths::SURVEY, Access::Public, || {
        post(submit_form)
    }),
    PlainRoute::post(
        "submit_paper",
        paths::PAPER,
        Access::Staff(Permission::EnterPaper),
        || post(submit_paper),
    ),
];

/// The survey form posted without JavaScript. Calls the same service as the server fn:
/// success answers 303 to the thank-you page; a refusal re-renders the page with the typed
/// values and a message at each field, with a 4xx status.
async fn submit_form(
    State(state): State<ServerState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    use app::ssr::{FIELD_KIOSK, Sender, browser_token, new_browser_cookie};
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let address = state.app.respondents.client_address(req.headers(), peer);
    let (browser, new_cookie) = match browser_token(req.headers()) {
        Some(t) => (t, None),
        None => {
            let (t, c) = new_browser_cookie(state.app.respondents.secure_cookies());
            (t, Some(c))
        }
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, state.config.body_limit_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Svaret är för stort. / The answer is too large.",
            )
                .into_response();
        }
    };
    let fields: Vec<(String, String)> = match serde_urlencoded::from_bytes(&bytes) {
        Ok(f) => f,
        Err(_) => {
            return rerender(
                state,
                parts,
                PostedForm {
                    fields: Vec::new(),
                    error: AppError::BadRequest,
                },
                Lang::default(),
            )
            .await;
        }
    };
    let lang = Lang::parse(crate::form::field(&fields, "lang")).unwrap_or_default();
    let sender = Sender {
        browser: Some(&browser),
        address: &address,
        paper: false,
    };
    let mut res = match app::ssr::submit(&state.app, &code, &fields, sender).await {
        Ok(_) => {
            let kiosk = Some(crate::form::field(&fields, FIELD_KIOSK));
            see_other(&paths::survey_thanks(&code, lang, kiosk))
        }
        Err(error) => rerender(state, parts, PostedForm { fields, error }, lang).await,
    };
    if let Some(cookie) = new_cookie {
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res
}

/// A paper answer typed in by staff: channel `paper`, no browser rule, no minimum time.
/// Success answers 303 back to an empty form; a refusal re-renders with the messages.
async fn submit_paper(
    State(state): State<ServerState>,
    Path(code): Path<String>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let survey = match app::ssr::paper_survey(&state.app, &p, &code).await {
        Ok(s) => s,
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN);
            return (status, "Ingen behörighet. / Not allowed.").into_response();
        }
    };
    let (parts, fields) = match crate::form::body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = Lang::parse(crate::form::field(&fields, "lang")).unwrap_or_default();
    let sender = app::ssr::Sender {
        browser: None,
        address: "",
        paper: true,
    };
    match app::ssr::submit(&state.app, &code, &fields, sender).await {
        Ok(receipt) => {
            if receipt == db::survey::Receipt::Stored {
                let entry = db::audit::Entry {
                    at: state.app.clock.now(),
                    user_id: Some(p.user_id),
                    scope_unit_id: Some(survey.lpo_id),
                    action: "paper_answer",
                    entity: "dialogue",
                    entity_id: survey.dialogue_id.to_string(),
                    detail: format!("group {code}"),
                };
                if let Err(e) = db::audit::record(&state.app.db, entry).await {
                    tracing::error!(error = %e, "audit of a paper answer failed");
                }
            }
            see_other(&format!("{}?sparat=1", paths::paper(&code)))
        }
        Err(error) => rerender(state, parts, PostedForm { fields, error }, lang).await,
    }
}

/// Renders the page for `parts`' path with the refused form in context.
async fn rerender(
    state: ServerState,
    parts: axum::http::request::Parts,
    posted: PostedForm,
    lang: Lang,
) -> Response {
    let status =
        StatusCode::from_u16(posted.error.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    let mut res = rerender_with(state, parts, Some(lang), move || {
        provide_context(posted.clone())
    })
    .await;
    *res.status_mut() = status;
    res
}
