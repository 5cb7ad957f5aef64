//! The health check.

use crate::ServerState;
use crate::route::PlainRoute;
use app::access::Access;
use app::paths;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub const ROUTES: &[PlainRoute] = &[PlainRoute::get(
    "healthz",
    paths::HEALTHZ,
    Access::Public,
    || get(healthz),
)];

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
