//! Plain form POSTs of dashboard moderation: quarantine a time window, release it, hide a
//! free-text answer. Scope-checked in `db::moderation`; each change is announced to live
//! dashboards after its commit. Bad input re-renders the dashboard with the typed values and
//! a message at each field (422).

use crate::ServerState;

use crate::dialogues::StaffForm;
use app::pages::coding::{CODING_ROLES, coding_href};
use app::pages::dashboard::{MODERATE_ROLES, dashboard_href};
use axum::extract::{Path, Request, State};
use axum::response::Response;
use db::builder::BuilderError;
use tower_sessions::Session;

/// `POST /personal/oversikt/{dialogue}/karantan`: `from`, `to` (Stockholm `datetime-local`),
/// `reason`.
pub async fn quarantine(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, MODERATE_ROLES).await?;
    if let Err(e) = db::moderation::may_moderate(&state.app.db, &f.p, dialogue).await {
        return Ok(f
            .answer(
                state,
                Err(e),
                dashboard_href(dialogue),
                "quarantine",
                String::new(),
            )
            .await);
    }
    let from = domain::time::parse_stockholm(f.field("from"));
    let to = domain::time::parse_stockholm(f.field("to"));
    let result = match (from, to) {
        (Some(from), Some(to)) => {
            let now = state.app.clock.now();
            db::moderation::quarantine(
                &state.app.db,
                &f.p,
                dialogue,
                from,
                to,
                f.field("reason"),
                now,
            )
            .await
            .map(|_| ())
        }
        (from, to) => {
            let mut errors = Vec::new();
            for (name, parsed) in [("from", from), ("to", to)] {
                if parsed.is_none() {
                    errors.push((name.to_owned(), "quarantine.bad_time".to_owned()));
                }
            }
            Err(BuilderError::Invalid(errors))
        }
    };
    announce(&state, dialogue, &result).await;
    Ok(f.answer(
        state,
        result,
        dashboard_href(dialogue),
        "quarantine",
        format!("{}#karantan", dashboard_href(dialogue)),
    )
    .await)
}

/// `POST /personal/oversikt/{dialogue}/karantan/{id}/slapp`.
pub async fn release(
    State(state): State<ServerState>,
    Path((dialogue, id)): Path<(i64, i64)>,
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, MODERATE_ROLES).await?;
    let now = state.app.clock.now();
    let result = db::moderation::release(&state.app.db, &f.p, dialogue, id, now).await;
    announce(&state, dialogue, &result).await;
    Ok(f.answer(
        state,
        result,
        dashboard_href(dialogue),
        "release",
        format!("{}#karantan", dashboard_href(dialogue)),
    )
    .await)
}

/// `POST /personal/oversikt/{dialogue}/svar/{answer}/dolj`.
pub async fn hide_text(
    State(state): State<ServerState>,
    Path((dialogue, answer)): Path<(i64, i64)>,
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, MODERATE_ROLES).await?;
    let now = state.app.clock.now();
    let result = db::moderation::hide_text(&state.app.db, &f.p, dialogue, answer, now).await;
    announce(&state, dialogue, &result).await;
    Ok(f.answer(
        state,
        result,
        dashboard_href(dialogue),
        "hide",
        format!("{}#texts-h", dashboard_href(dialogue)),
    )
    .await)
}

async fn announce(state: &ServerState, dialogue: i64, result: &Result<(), BuilderError>) {
    if result.is_ok() {
        state.app.writer.bus().publish(&[dialogue]).await;
    }
}

/// `POST /personal/kodning/{dialogue}/{answer}`: `theme` (repeated theme ids), `hide=1`.
pub async fn code_answer(
    State(state): State<ServerState>,
    Path((dialogue, answer)): Path<(i64, i64)>,
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, CODING_ROLES).await?;
    let page = coding_href(dialogue);
    let result = match db::moderation::may_moderate(&state.app.db, &f.p, dialogue).await {
        Err(e) => Err(e),
        Ok(()) => {
            let chosen: Result<Vec<i64>, _> = f
                .fields
                .iter()
                .filter(|(k, _)| k == "theme")
                .map(|(_, v)| v.parse::<i64>())
                .collect();
            match chosen {
                Err(_) => Err(BuilderError::Invalid(vec![(
                    "themes".to_owned(),
                    "coding.other_lpo".to_owned(),
                )])),
                Ok(chosen) => {
                    let now = state.app.clock.now();
                    let db = &state.app.db;
                    match db::themes::code_answer(db, &f.p, dialogue, answer, &chosen, now).await {
                        Ok(()) if f.field("hide") == "1" => {
                            db::moderation::hide_text(db, &f.p, dialogue, answer, now).await
                        }
                        other => other,
                    }
                }
            }
        }
    };
    announce(&state, dialogue, &result).await;
    Ok(f.answer(
        state,
        result,
        page.clone(),
        &format!("code-{answer}"),
        format!("{page}#coding-progress"),
    )
    .await)
}

/// `POST /personal/kodning/{dialogue}/teman`: `theme` (an id, or empty for a new theme),
/// `name_sv`, `name_en`, `keywords` (one a line). The LPO's managed theme list.
pub async fn save_theme(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, CODING_ROLES).await?;
    let page = coding_href(dialogue);
    let raw_id = f.field("theme").trim().to_owned();
    let form = if raw_id.is_empty() {
        "theme-new".to_owned()
    } else {
        format!("theme-{raw_id}")
    };
    let result = match raw_id.as_str() {
        "" => Ok(None),
        v => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| BuilderError::NotFound),
    };
    let result = match result {
        Err(e) => Err(e),
        Ok(id) => {
            let input = db::themes::ThemeInput {
                id,
                name_sv: f.field("name_sv"),
                name_en: f.field("name_en"),
                keywords: f.field("keywords"),
            };
            db::themes::save_theme(&state.app.db, &f.p, dialogue, input, state.app.clock.now())
                .await
                .map(|_| ())
        }
    };
    Ok(f.answer(
        state,
        result,
        page.clone(),
        &form,
        format!("{page}#themes-h"),
    )
    .await)
}
