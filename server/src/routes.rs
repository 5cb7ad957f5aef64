//! The router: Leptos pages and server functions, plus the plain routes declared here.

use crate::{
    ServerState, admin, auth, compilation, dialogues, feed, http_layer, live, moderation, promises,
};

/// Staff sessions end after 30 minutes without a request.
pub const IDLE_SESSION_MINUTES: i64 = 30;
use app::access::Access;
use app::pages::admin::ADMIN_ROLES;
use app::pages::auth::{ALL_ROLES, ANSWER_ROLES, REGISTER_EDITORS};
use app::pages::coding::CODING_ROLES;
use app::pages::dashboard::MODERATE_ROLES;
use app::pages::dialogues::BUILDER_ROLES;
use app::pages::paper::PAPER_ROLES;
use app::pages::promises::{EDIT_ROLES, LOG_ROLES, SIGN_ROLES};
use app::pages::survey::{PostedForm, thanks_href};
use app::{AppError, Lang, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The handlers of the plain (non-Leptos) routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    Healthz,
    SubmitSurvey,
    SubmitPaper,
    Login,
    Logout,
    CreateAgreement,
    CreateUser,
    ResetPassword,
    SetActive,
    ChangePassword,
    CreateOrgUnit,
    SetAgreementStatus,
    AssignSpecialArea,
    CreateSpecialArea,
    // Citizen dialogues (issue #4, staff side).
    QrSvg,
    CreateDialogue,
    AddQuestion,
    AddBankQuestions,
    UpdateQuestion,
    MoveQuestion,
    RemoveQuestion,
    IssueKiosk,
    RevokeKiosk,
    CreateBankItem,
    UpdateBankItem,
    // Live dashboards (issue #5).
    DashboardStream,
    DisplayStream,
    Quarantine,
    ReleaseQuarantine,
    HideText,
    // Theme coding and the compilation (issue #6).
    CodeAnswer,
    ApproveCompilation,
    AddQuote,
    RemoveQuote,
    ExportCompilation,
    SetRetention,
    SaveTheme,
    EditPromise,
    LinkAgreements,
    RawTextExport,
    PromiseFeed,
    CreatePromise,
    SignPromise,
    AdvancePromise,
    AddActivity,
    LogProgress,
    // Corrections and activity status (issue #14).
    CorrectProgress,
    SetActivityStatus,
}

/// A plain route: declared once here, where it both builds the router and feeds the
/// access-matrix test.
#[derive(Clone, Copy, Debug)]
pub struct PlainRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: Handler,
    pub access: Access,
}

pub const PLAIN_ROUTES: &[PlainRoute] = &[
    PlainRoute {
        method: "GET",
        path: "/healthz",
        handler: Handler::Healthz,
        access: Access::Public,
    },
    PlainRoute {
        method: "POST",
        path: "/s/{code}",
        handler: Handler::SubmitSurvey,
        access: Access::Public,
    },
    PlainRoute {
        method: "POST",
        path: "/personal/papper/{code}",
        handler: Handler::SubmitPaper,
        access: Access::Roles(PAPER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/logga-in",
        handler: Handler::Login,
        access: Access::Public,
    },
    PlainRoute {
        method: "POST",
        path: "/logga-ut",
        handler: Handler::Logout,
        access: Access::Public,
    },
    PlainRoute {
        method: "POST",
        path: "/personal/overenskommelser",
        handler: Handler::CreateAgreement,
        access: Access::Roles(REGISTER_EDITORS),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/anvandare",
        handler: Handler::CreateUser,
        access: Access::Roles(ADMIN_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/anvandare/{id}/losenord",
        handler: Handler::ResetPassword,
        access: Access::Roles(ADMIN_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/anvandare/{id}/aktiv",
        handler: Handler::SetActive,
        access: Access::Roles(ADMIN_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/organisation",
        handler: Handler::CreateOrgUnit,
        access: Access::Roles(ADMIN_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/overenskommelser/{uid}/status",
        handler: Handler::SetAgreementStatus,
        access: Access::Roles(REGISTER_EDITORS),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/specialomraden/tilldela",
        handler: Handler::AssignSpecialArea,
        access: Access::Roles(REGISTER_EDITORS),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/specialomraden",
        handler: Handler::CreateSpecialArea,
        access: Access::Roles(ADMIN_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/byt-losenord",
        handler: Handler::ChangePassword,
        access: Access::Roles(ALL_ROLES),
    },
    // Citizen dialogues (issue #4, staff side).
    PlainRoute {
        method: "GET",
        path: "/s/{code}/qr.svg",
        handler: Handler::QrSvg,
        access: Access::Public,
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger",
        handler: Handler::CreateDialogue,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger/{dialogue}/fragor",
        handler: Handler::AddQuestion,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger/{dialogue}/fragor/bank",
        handler: Handler::AddBankQuestions,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger/{dialogue}/fragor/{question}",
        handler: Handler::UpdateQuestion,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger/{dialogue}/fragor/{question}/flytta",
        handler: Handler::MoveQuestion,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger/{dialogue}/fragor/{question}/ta-bort",
        handler: Handler::RemoveQuestion,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger/{dialogue}/kiosk",
        handler: Handler::IssueKiosk,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/dialoger/{dialogue}/kiosk/{kiosk}/aterkalla",
        handler: Handler::RevokeKiosk,
        access: Access::Roles(BUILDER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/fragebank",
        handler: Handler::CreateBankItem,
        access: Access::Roles(ADMIN_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/fragebank/{item}",
        handler: Handler::UpdateBankItem,
        access: Access::Roles(ADMIN_ROLES),
    },
    // Live dashboards (issue #5).
    PlainRoute {
        method: "GET",
        path: "/personal/oversikt/{dialogue}/live",
        handler: Handler::DashboardStream,
        access: Access::Roles(ANSWER_ROLES),
    },
    PlainRoute {
        method: "GET",
        path: "/visning/{token}/live",
        handler: Handler::DisplayStream,
        access: Access::Public,
    },
    PlainRoute {
        method: "POST",
        path: "/personal/oversikt/{dialogue}/karantan",
        handler: Handler::Quarantine,
        access: Access::Roles(MODERATE_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/oversikt/{dialogue}/karantan/{id}/slapp",
        handler: Handler::ReleaseQuarantine,
        access: Access::Roles(MODERATE_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/oversikt/{dialogue}/svar/{answer}/dolj",
        handler: Handler::HideText,
        access: Access::Roles(MODERATE_ROLES),
    },
    // Theme coding (issue #6).
    PlainRoute {
        method: "POST",
        path: "/personal/kodning/{dialogue}/teman",
        handler: Handler::SaveTheme,
        access: Access::Roles(CODING_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/kodning/{dialogue}/{answer}",
        handler: Handler::CodeAnswer,
        access: Access::Roles(CODING_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/sammanstallning/{dialogue}/godkann",
        handler: Handler::ApproveCompilation,
        access: Access::Roles(compilation::APPROVE_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/sammanstallning/{dialogue}/citat",
        handler: Handler::AddQuote,
        access: Access::Roles(CODING_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/sammanstallning/{dialogue}/citat/{answer}/ta-bort",
        handler: Handler::RemoveQuote,
        access: Access::Roles(CODING_ROLES),
    },
    PlainRoute {
        method: "GET",
        path: "/personal/sammanstallning/{dialogue}/export/{format}",
        handler: Handler::ExportCompilation,
        access: Access::Roles(ANSWER_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/sammanstallning/{dialogue}/gallring",
        handler: Handler::SetRetention,
        access: Access::Roles(compilation::APPROVE_ROLES),
    },
    PlainRoute {
        method: "GET",
        path: "/personal/sammanstallning/{dialogue}/fritext.csv",
        handler: Handler::RawTextExport,
        access: Access::Roles(CODING_ROLES),
    },
    PlainRoute {
        method: "GET",
        path: "/lofte/{municipality}/flode",
        handler: Handler::PromiseFeed,
        access: Access::Public,
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte",
        handler: Handler::CreatePromise,
        access: Access::Roles(EDIT_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/andra",
        handler: Handler::EditPromise,
        access: Access::Roles(EDIT_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/overenskommelser",
        handler: Handler::LinkAgreements,
        access: Access::Roles(EDIT_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/signera",
        handler: Handler::SignPromise,
        access: Access::Roles(SIGN_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/steg",
        handler: Handler::AdvancePromise,
        access: Access::Roles(EDIT_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/aktivitet",
        handler: Handler::AddActivity,
        access: Access::Roles(EDIT_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/aktivitet/{activity}/framsteg",
        handler: Handler::LogProgress,
        access: Access::Roles(LOG_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/framsteg/{entry}/ratta",
        handler: Handler::CorrectProgress,
        access: Access::Roles(LOG_ROLES),
    },
    PlainRoute {
        method: "POST",
        path: "/personal/lofte/{promise}/aktivitet/{activity}/status",
        handler: Handler::SetActivityStatus,
        access: Access::Roles(EDIT_ROLES),
    },
];

fn method_router(h: Handler) -> MethodRouter<ServerState> {
    match h {
        Handler::Healthz => get(healthz),
        Handler::SubmitSurvey => post(submit_form),
        Handler::SubmitPaper => post(submit_paper),
        Handler::Login => post(auth::login),
        Handler::Logout => post(auth::logout),
        Handler::CreateAgreement => post(auth::create_agreement),
        Handler::CreateUser => post(admin::create_user),
        Handler::ResetPassword => post(admin::reset_password),
        Handler::SetActive => post(admin::set_active),
        Handler::ChangePassword => post(admin::change_password),
        Handler::CreateOrgUnit => post(admin::create_org_unit),
        Handler::SetAgreementStatus => post(auth::set_agreement_status),
        Handler::AssignSpecialArea => post(auth::assign_special_area),
        Handler::CreateSpecialArea => post(auth::create_special_area),
        Handler::QrSvg => get(dialogues::qr_svg),
        Handler::CreateDialogue => post(dialogues::create_dialogue),
        Handler::AddQuestion => post(dialogues::add_question),
        Handler::AddBankQuestions => post(dialogues::add_bank_questions),
        Handler::UpdateQuestion => post(dialogues::update_question),
        Handler::MoveQuestion => post(dialogues::move_question),
        Handler::RemoveQuestion => post(dialogues::remove_question),
        Handler::IssueKiosk => post(dialogues::issue_kiosk),
        Handler::RevokeKiosk => post(dialogues::revoke_kiosk),
        Handler::CreateBankItem => post(dialogues::create_bank_item),
        Handler::UpdateBankItem => post(dialogues::update_bank_item),
        Handler::DashboardStream => get(live::staff_stream),
        Handler::DisplayStream => get(live::display_stream),
        Handler::Quarantine => post(moderation::quarantine),
        Handler::ReleaseQuarantine => post(moderation::release),
        Handler::HideText => post(moderation::hide_text),
        Handler::CodeAnswer => post(moderation::code_answer),
        Handler::SaveTheme => post(moderation::save_theme),
        Handler::ApproveCompilation => post(compilation::approve),
        Handler::AddQuote => post(compilation::add_quote),
        Handler::RemoveQuote => post(compilation::remove_quote),
        Handler::ExportCompilation => get(compilation::export),
        Handler::SetRetention => post(compilation::set_retention),
        Handler::RawTextExport => get(compilation::raw_text),
        Handler::PromiseFeed => get(feed::feed),
        Handler::CreatePromise => post(promises::create),
        Handler::SignPromise => post(promises::sign),
        Handler::EditPromise => post(promises::edit),
        Handler::LinkAgreements => post(promises::link_agreements),
        Handler::AdvancePromise => post(promises::advance),
        Handler::AddActivity => post(promises::add_activity),
        Handler::LogProgress => post(promises::log_progress),
        Handler::CorrectProgress => post(promises::correct_progress),
        Handler::SetActivityStatus => post(promises::set_activity_status),
    }
}

pub fn router(state: ServerState) -> Router {
    let routes = generate_route_list(app::App);
    let app_state = state.app.clone();
    let options = state.leptos_options.clone();
    let limit = state.config.body_limit_bytes;
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let store = db::sessions::DbSessionStore::new(state.app.db.clone(), state.app.clock.clone());
    let session_layer = tower_sessions::SessionManagerLayer::new(store)
        .with_name("mbl_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(state.config.is_https())
        .with_expiry(tower_sessions::Expiry::OnInactivity(
            time::Duration::minutes(IDLE_SESSION_MINUTES),
        ));

    let mut plain = Router::new();
    for r in PLAIN_ROUTES {
        plain = plain.route(r.path, method_router(r.handler));
    }
    // The built assets, precompressed at build time (brotli 11, gzip 9; scripts/precompress.js),
    // revalidated by Last-Modified: the names are not content-hashed.
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root)
        .join(&*state.leptos_options.site_pkg_dir);
    let assets = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        );
    plain
        .nest_service("/pkg", assets)
        .route("/api/{*fn_name}", post(server_fn).get(server_fn))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(app_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<ServerState, _>(shell))
        .layer(session_layer)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http_layer::refuse_nul,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http_layer::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(http_layer::refusal_messages))
        .layer(axum::middleware::from_fn(http_layer::security_headers))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        // The path only: never the query, never the client address.
                        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                    }),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CompressionLayer::new().br(true).gzip(true))
                .layer(RequestBodyLimitLayer::new(limit))
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout)),
        )
        .with_state(state)
}

async fn healthz(State(state): State<ServerState>) -> Response {
    let ok = db::ping(&state.app.db).await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = format!(
        r#"{{"status":"{}","database":"{}"}}"#,
        if ok { "ok" } else { "degraded" },
        if ok { "reachable" } else { "unreachable" }
    );
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn server_fn(State(state): State<ServerState>, req: Request) -> Response {
    let app_state = state.app.clone();
    leptos_axum::handle_server_fns_with_context(move || provide_context(app_state.clone()), req)
        .await
        .into_response()
}

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
    let lang = Lang::parse(auth::field(&fields, "lang")).unwrap_or_default();
    let sender = Sender {
        browser: Some(&browser),
        address: &address,
        paper: false,
    };
    let mut res = match app::ssr::submit(&state.app, &code, &fields, sender).await {
        Ok(_) => {
            let kiosk = Some(auth::field(&fields, FIELD_KIOSK));
            Redirect::to(&thanks_href(&code, lang, kiosk))
                .into_response()
                .with_status(StatusCode::SEE_OTHER)
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
    session: tower_sessions::Session,
    req: Request,
) -> Response {
    let p = match app::ssr::principal_from_session(&state.app, &session).await {
        Ok(Some(p)) if !p.must_change_password && PAPER_ROLES.contains(&p.role) => p,
        Ok(Some(_)) => {
            return (StatusCode::FORBIDDEN, "Ingen behörighet. / Not allowed.").into_response();
        }
        Ok(None) => {
            return Redirect::to(&format!("/logga-in?next=/personal/papper/{code}"))
                .into_response()
                .with_status(StatusCode::SEE_OTHER);
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let survey = match app::ssr::paper_survey(&state.app, &p, &code).await {
        Ok(s) => s,
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN);
            return (status, "Ingen behörighet. / Not allowed.").into_response();
        }
    };
    let (parts, fields) = match auth::body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = Lang::parse(auth::field(&fields, "lang")).unwrap_or_default();
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
            Redirect::to(&format!("/personal/papper/{code}?sparat=1"))
                .into_response()
                .with_status(StatusCode::SEE_OTHER)
        }
        Err(error) => rerender(state, parts, PostedForm { fields, error }, lang).await,
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
