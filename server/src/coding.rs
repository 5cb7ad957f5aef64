//! Plain form POSTs of theme coding: code an answer with themes, and name or merge themes.
//! Scope-checked in `db::moderation`/`db::themes`; each change is announced to live dashboards.

use crate::ServerState;
use crate::form::StaffForm;
use crate::guard::Staff;
use crate::moderation::announce;
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
        "save_theme",
        paths::THEMES,
        Access::Staff(Permission::Code),
        || post(save_theme),
    ),
    PlainRoute::post(
        "change_theme",
        paths::THEME,
        Access::Staff(Permission::Code),
        || post(change_theme),
    ),
    PlainRoute::post(
        "code_answer",
        paths::CODE_ANSWER,
        Access::Staff(Permission::Code),
        || post(code_answer),
    ),
];

/// Where the queue was (`back`, the page's query), read as a queue view and written again,
/// so nothing but a queue view can come out of it.
fn queue_url(dialogue: i64, back: &str) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(back).unwrap_or_default();
    let filter = domain::themes::QueueFilter::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    paths::with_query(&paths::coding(dialogue), &filter.pairs(filter.page))
}

/// `POST /personal/kodning/{dialogue}/{answer}`: `theme` (repeated theme ids), `hide=1`,
/// `back` (the queue's view, to return to).
pub async fn code_answer(
    State(state): State<ServerState>,
    Path((dialogue, answer)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let page = paths::coding(dialogue);
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
    let back = queue_url(dialogue, f.field("back"));
    Ok(f.answer(
        state,
        result,
        page,
        &format!("code-{answer}"),
        format!("{back}#coding-progress"),
    )
    .await)
}

/// `POST /personal/kodning/{dialogue}/teman/{theme}`: `action` = `retire`, `restore`,
/// `merge` (with `into`, a theme id) or `delete`; the last two with `confirm=1`.
pub async fn change_theme(
    State(state): State<ServerState>,
    Path((dialogue, theme)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    use domain::themes::ThemeChange;
    let f = StaffForm::read(&state, staff, req).await?;
    let page = paths::coding(dialogue);
    let invalid = |field: &str, key: &str| {
        Err(BuilderError::Invalid(vec![(
            field.to_owned(),
            key.to_owned(),
        )]))
    };
    let change = match f.field("action") {
        "retire" => Ok(ThemeChange::Retire),
        "restore" => Ok(ThemeChange::Restore),
        "delete" if f.field("confirm") == "1" => Ok(ThemeChange::Delete),
        "delete" => invalid("confirm", "themes.confirm_needed"),
        // A merge is not fully undone by a restore (the answers stay moved): asked twice.
        "merge" if f.field("confirm") != "1" => invalid("into", "themes.confirm_needed"),
        "merge" => match f.field("into").trim().parse::<i64>() {
            Ok(into) => Ok(ThemeChange::MergeInto(into)),
            Err(_) => invalid("into", "themes.merge_unknown"),
        },
        _ => invalid("action", "themes.bad_action"),
    };
    let result = match change {
        Ok(change) => {
            let now = state.app.clock.now();
            db::themes::change_theme(&state.app.db, &f.p, dialogue, theme, change, now).await
        }
        Err(e) => Err(e),
    };
    // Counts on live dashboards follow a merge.
    announce(&state, dialogue, &result).await;
    Ok(f.answer(
        state,
        result,
        page.clone(),
        &format!("manage-{theme}"),
        format!("{page}#themes-h"),
    )
    .await)
}

/// `POST /personal/kodning/{dialogue}/teman`: `theme` (an id, or empty for a new theme),
/// `name_sv`, `name_en`, `keywords` (one a line). The LPO's managed theme list.
pub async fn save_theme(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let page = paths::coding(dialogue);
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
