//! The router: Leptos pages and server functions, plus the plain routes each handler module
//! declares beside its handlers (`ROUTES`, [`crate::route::PlainRoute`]), every one behind the
//! guard of its access. This file only gathers: no handler imports it.

use crate::{
    ServerState, admin, auth, coding, compilation, dialogues, feed, health, http_layer, live,
    moderation, promises, register, survey,
};

/// Staff sessions end after 30 minutes without a request.
pub const IDLE_SESSION_MINUTES: i64 = 30;
pub use crate::route::{Aggregates, PlainRoute, SignedOut};
use app::access::Access;
use app::shell;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
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

/// Every endpoint whose figures rest on what people answered: the server fns classified
/// `Yes` in `app::access::AGGREGATES`, then the plain routes declared `aggregating`.
pub fn aggregating_endpoints() -> Vec<&'static str> {
    app::access::AGGREGATES
        .iter()
        .filter(|(_, a)| *a == Aggregates::Yes)
        .map(|(p, _)| *p)
        .chain(
            plain_routes()
                .filter(|r| r.aggregates == Aggregates::Yes)
                .map(|r| r.path),
        )
        .collect()
}

/// Every plain route, gathered from the modules that handle them.
pub fn plain_routes() -> impl Iterator<Item = &'static PlainRoute> {
    [
        health::ROUTES,
        survey::ROUTES,
        auth::ROUTES,
        admin::ROUTES,
        register::ROUTES,
        dialogues::ROUTES,
        live::ROUTES,
        moderation::ROUTES,
        coding::ROUTES,
        compilation::ROUTES,
        feed::ROUTES,
        promises::ROUTES,
    ]
    .into_iter()
    .flatten()
}

pub fn router(state: ServerState) -> Router {
    router_with(state, Vec::new())
}

/// A route added beside the table's (tests: a handler that checks nothing, behind the guard).
pub type ExtraRoute = (&'static str, Access, MethodRouter<ServerState>);

/// The router with `extra` routes, each behind the guard of its access like the table's.
pub fn router_with(state: ServerState, extra: Vec<ExtraRoute>) -> Router {
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
    for r in plain_routes() {
        plain = plain.route(
            r.path,
            crate::guard::guarded(&state, r.path, r.access, r.signed_out, (r.handler)()),
        );
    }
    for (path, access, handler) in extra {
        plain = plain.route(
            path,
            crate::guard::guarded(&state, path, access, SignedOut::Refuse, handler),
        );
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::drafts::restore,
        ))
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

async fn server_fn(State(state): State<ServerState>, req: Request) -> Response {
    let app_state = state.app.clone();
    leptos_axum::handle_server_fns_with_context(move || provide_context(app_state.clone()), req)
        .await
        .into_response()
}
