//! Plain form POSTs of dashboard moderation: quarantine a time window, release it, hide a
//! free-text answer. Scope-checked in `db::moderation`; each change is announced to live
//! dashboards after its commit. Bad input re-renders the dashboard with the typed values and
//! a message at each field (422).

use crate::ServerState;
use crate::form::StaffForm;
use crate::guard::Staff;
use crate::route::PlainRoute;
use app::access::Access;
use app::paths;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::post;
use db::builder::BuilderError;
use domain::Permission;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::post(
        "quarantine",
        paths::QUARANTINE,
        Access::Staff(Permission::Moderate),
        || post(quarantine),
    ),
    PlainRoute::post(
        "release_quarantine",
        paths::RELEASE_QUARANTINE,
        Access::Staff(Permission::Moderate),
        || post(release),
    ),
    PlainRoute::post(
        "hide_text",
        paths::HIDE_TEXT,
        Access::Staff(Permission::Moderate),
        || post(hide_text),
    ),
];

/// `POST /personal/oversikt/{dialogue}/karantan`: `from`, `to` (Stockholm `datetime-local`),
/// `reason`.
pub async fn quarantine(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    if let Err(e) = db::moderation::may_moderate(&state.app.db, &f.p, dialogue).await {
        return Ok(f
            .answer(
                state,
                Err(e),
                paths::dashboard(dialogue),
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
        paths::dashboard(dialogue),
        "quarantine",
        format!("{}#karantan", paths::dashboard(dialogue)),
    )
    .await)
}

/// `POST /personal/oversikt/{dialogue}/karantan/{id}/slapp`.
pub async fn release(
    State(state): State<ServerState>,
    Path((dialogue, id)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = db::moderation::release(&state.app.db, &f.p, dialogue, id, now).await;
    announce(&state, dialogue, &result).await;
    Ok(f.answer(
        state,
        result,
        paths::dashboard(dialogue),
        "release",
        format!("{}#karantan", paths::dashboard(dialogue)),
    )
    .await)
}

/// `POST /personal/oversikt/{dialogue}/svar/{answer}/dolj`.
pub async fn hide_text(
    State(state): State<ServerState>,
    Path((dialogue, answer)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = db::moderation::hide_text(&state.app.db, &f.p, dialogue, answer, now).await;
    announce(&state, dialogue, &result).await;
    Ok(f.answer(
        state,
        result,
        paths::dashboard(dialogue),
        "hide",
        format!("{}#texts-h", paths::dashboard(dialogue)),
    )
    .await)
}

pub(crate) async fn announce(
    state: &ServerState,
    dialogue: i64,
    result: &Result<(), BuilderError>,
) {
    if result.is_ok() {
        state.app.writer.bus().publish(&[dialogue]).await;
    }
}
