//! Plain routes of the compilation: approve, pick and drop quotes, and the exports.

use crate::ServerState;
use crate::auth::{body_fields, field};
use crate::dialogues::{outcome, signed_in};
use app::pages::auth::ANSWER_ROLES;
use app::pages::coding::CODING_ROLES;
use app::pages::compilation::compilation_href;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use db::builder::BuilderError;
use domain::Lang;
use domain::compilation::Compilation;
use serde::Deserialize;
use tower_sessions::Session;

/// Who approves: the LPO manager and admins (checked again in `db::compilation::approve`).
pub const APPROVE_ROLES: &[domain::Role] = &[domain::Role::Admin, domain::Role::LpoManager];

/// `POST /personal/sammanstallning/{dialogue}/godkann`.
pub async fn approve(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, APPROVE_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = db::compilation::approve(&state.app.db, &p, dialogue, now)
        .await
        .map(|_| ());
    let page = compilation_href(dialogue);
    outcome(
        state,
        parts,
        result,
        page.clone(),
        "approve".to_owned(),
        fields,
        format!("{page}#compilation-status"),
    )
    .await
}

/// `POST /personal/sammanstallning/{dialogue}/citat`: `answer`.
pub async fn add_quote(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, CODING_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = match db::moderation::may_moderate(&state.app.db, &p, dialogue).await {
        Err(e) => Err(e),
        Ok(()) => match field(&fields, "answer").parse::<i64>() {
            Ok(answer) => {
                db::compilation::add_quote(&state.app.db, &p, dialogue, answer, now).await
            }
            Err(_) => Err(BuilderError::Invalid(vec![(
                "answer".to_owned(),
                "form.required".to_owned(),
            )])),
        },
    };
    let page = compilation_href(dialogue);
    outcome(
        state,
        parts,
        result,
        page.clone(),
        "quote".to_owned(),
        fields,
        format!("{page}#quotes-h"),
    )
    .await
}

/// `POST /personal/sammanstallning/{dialogue}/citat/{answer}/ta-bort`.
pub async fn remove_quote(
    State(state): State<ServerState>,
    Path((dialogue, answer)): Path<(i64, i64)>,
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, CODING_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = db::compilation::remove_quote(&state.app.db, &p, dialogue, answer, now).await;
    let page = compilation_href(dialogue);
    outcome(
        state,
        parts,
        result,
        page.clone(),
        "unquote".to_owned(),
        fields,
        format!("{page}#quotes-h"),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    lang: Option<String>,
}

/// `GET /personal/sammanstallning/{dialogue}/export/{format}`: `csv`, `xlsx` or `json`, of
/// `?version=n` or else the latest approved version, or else the working draft.
pub async fn export(
    State(state): State<ServerState>,
    Path((dialogue, format)): Path<(i64, String)>,
    Query(q): Query<ExportQuery>,
    session: Session,
) -> Response {
    let p = match signed_in(&state, &session, ANSWER_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !matches!(format.as_str(), "csv" | "xlsx" | "json") {
        return (
            StatusCode::NOT_FOUND,
            "csv, xlsx eller json / csv, xlsx or json",
        )
            .into_response();
    }
    let db = &state.app.db;
    let lpo = match db::dashboard::lpo_of(db, dialogue).await {
        Ok(Some(lpo)) => lpo,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return failed(e),
    };
    match db::register::visible_lpos(db, &p).await {
        Ok(Some(lpos)) if !lpos.contains(&lpo) => return StatusCode::FORBIDDEN.into_response(),
        Ok(_) => {}
        Err(e) => return failed(e),
    }
    let c = match pick(&state, dialogue, q.version).await {
        Ok(Some(c)) => c,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return failed(e),
    };
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    let name = format!(
        "sammanstallning-{dialogue}-{}",
        c.version
            .map(|v| format!("v{v}"))
            .unwrap_or_else(|| "utkast".to_owned())
    );
    let (body, ctype, ext) = match format.as_str() {
        "csv" => (
            // A byte-order mark so spreadsheet programs read UTF-8.
            format!("\u{feff}{}", db::compilation::to_csv(&c, lang)).into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
        "xlsx" => match crate::export::to_xlsx(&c, lang) {
            Ok(bytes) => (
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Err(e) => {
                tracing::error!(error = %e, "xlsx export failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        _ => match serde_json::to_vec(&c) {
            Ok(bytes) => (bytes, "application/json", "json"),
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn pick(
    state: &ServerState,
    dialogue: i64,
    version: Option<i32>,
) -> Result<Option<Compilation>, db::DbErr> {
    let approved = db::compilation::approved(&state.app.db, dialogue).await?;
    Ok(match version {
        Some(v) => approved.into_iter().find(|c| c.version == Some(v)),
        None => match approved.into_iter().next() {
            Some(c) => Some(c),
            None => db::compilation::draft(&state.app.db, dialogue, state.app.clock.now()).await?,
        },
    })
}

fn failed(e: db::DbErr) -> Response {
    tracing::error!(error = %e, "compilation export failed");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
