//! Plain routes of the compilation: approve, pick and drop quotes, and the exports.

use crate::ServerState;
use crate::form::StaffForm;
use crate::guard::Staff;
use crate::route::PlainRoute;
use app::access::Access;
use app::paths;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use db::builder::BuilderError;
use domain::Lang;
use domain::Permission;
use domain::compilation::Compilation;
use serde::Deserialize;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::post(
        "approve_compilation",
        paths::APPROVE,
        Access::Staff(Permission::Approve),
        || post(approve),
    ),
    PlainRoute::post(
        "add_quote",
        paths::QUOTES,
        Access::Staff(Permission::Code),
        || post(add_quote),
    ),
    PlainRoute::post(
        "remove_quote",
        paths::REMOVE_QUOTE,
        Access::Staff(Permission::Code),
        || post(remove_quote),
    ),
    PlainRoute::get(
        "export_compilation",
        paths::EXPORT,
        Access::Staff(Permission::SeeAnswers),
        || get(export),
    )
    .aggregating(),
    PlainRoute::post(
        "set_retention",
        paths::RETENTION,
        Access::Staff(Permission::Approve),
        || post(set_retention),
    ),
    PlainRoute::get(
        "raw_text_export",
        paths::RAW_TEXT,
        Access::Staff(Permission::Code),
        || get(raw_text),
    ),
];

/// `POST /personal/sammanstallning/{dialogue}/godkann`.
pub async fn approve(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = db::compilation::approve(&state.app.db, &f.p, dialogue, now).await;
    let page = paths::compilation(dialogue);
    // After approval: the version just frozen.
    let to = match &result {
        Ok(v) => format!("{page}?version={v}#compilation-status"),
        Err(_) => format!("{page}#compilation-status"),
    };
    Ok(f.answer(state, result.map(|_| ()), page, "approve", to)
        .await)
}

/// `POST /personal/sammanstallning/{dialogue}/citat`: `answer`.
pub async fn add_quote(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = match db::moderation::may_moderate(&state.app.db, &f.p, dialogue).await {
        Err(e) => Err(e),
        Ok(()) => match f.field("answer").parse::<i64>() {
            Ok(answer) => {
                db::compilation::add_quote(&state.app.db, &f.p, dialogue, answer, now).await
            }
            Err(_) => Err(BuilderError::Invalid(vec![(
                "answer".to_owned(),
                "form.required".to_owned(),
            )])),
        },
    };
    let page = paths::compilation(dialogue);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "quote",
        format!("{page}#quotes-h"),
    )
    .await)
}

/// `POST /personal/sammanstallning/{dialogue}/citat/{answer}/ta-bort`.
pub async fn remove_quote(
    State(state): State<ServerState>,
    Path((dialogue, answer)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = db::compilation::remove_quote(&state.app.db, &f.p, dialogue, answer, now).await;
    let page = paths::compilation(dialogue);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "unquote",
        format!("{page}#quotes-h"),
    )
    .await)
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
    Staff(p): Staff,
) -> Response {
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
    crate::respond::attachment(body, ctype, &format!("{name}.{ext}"))
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
    crate::respond::failed("compilation export failed", e)
}

/// `POST /personal/sammanstallning/{dialogue}/gallring`: `days`, the LPO's retention of raw
/// free text after approval.
pub async fn set_retention(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = db::retention::set_days(&state.app.db, &f.p, dialogue, f.field("days"), now)
        .await
        .map(|_| ());
    let page = paths::compilation(dialogue);
    Ok(f.answer(
        state,
        result,
        page.clone(),
        "retention",
        format!("{page}#retention-h"),
    )
    .await)
}

/// `GET /personal/sammanstallning/{dialogue}/fritext.csv`: the raw free text still kept, for a
/// confidentiality review (*sekretessprövning*) before the retention job deletes it. Audited.
pub async fn raw_text(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    Staff(p): Staff,
) -> Response {
    let db = &state.app.db;
    let rows = match db::retention::raw_texts(db, &p, dialogue, state.app.clock.now()).await {
        Ok(rows) => rows,
        Err(BuilderError::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(BuilderError::Db(e)) => return failed(e),
        Err(_) => return StatusCode::FORBIDDEN.into_response(),
    };
    let questions = match db::survey::load_questionnaire(db, dialogue).await {
        Ok(q) => q.questions,
        Err(e) => return failed(e),
    };
    let csv = db::retention::raw_csv(&rows, |id| {
        questions
            .iter()
            .find(|q| q.id == id)
            .map(|q| q.text.get(Lang::Sv).to_owned())
            .unwrap_or_default()
    });
    crate::respond::attachment(
        csv,
        "text/csv; charset=utf-8",
        &format!("fritext-{dialogue}.csv"),
    )
}

/// The daily retention job, on every instance (it is idempotent: a second instance finds
/// nothing left to delete). First run a minute after start.
pub fn start_retention_job(db: db::Db, clock: std::sync::Arc<dyn db::clock::Clock>) {
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        let mut every = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
        loop {
            every.tick().await;
            match db::retention::run(&db, clock.now()).await {
                Ok(done) => {
                    for d in done {
                        tracing::info!(
                            dialogue = d.dialogue_id,
                            texts = d.texts,
                            "retention: raw free text deleted"
                        );
                    }
                }
                Err(e) => tracing::error!(error = %e, "retention job failed"),
            }
        }
    });
}
