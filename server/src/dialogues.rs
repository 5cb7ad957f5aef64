//! Plain form POSTs of the dialogue builder and the question bank, and the public QR code of
//! a group's link. Success answers 303; a refused form re-renders its page with the typed
//! values and a message at each field (422), or 409 when the questionnaire is frozen.

use crate::ServerState;
use crate::form::{StaffForm, outcome};
use crate::form::{body_fields, field};
use crate::guard::Staff;
use crate::respond::{not_found, see_other};
use crate::route::PlainRoute;
use app::access::Access;
use app::pages::dialogues::KIOSK_FLASH_KEY;
use app::paths;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use db::bank::BankError;
use db::builder::BuilderError;
use domain::Permission;
use domain::builder::{DialogueInput, QuestionInput};
use tower_sessions::Session;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::get("qr_svg", paths::SURVEY_QR, Access::Public, || get(qr_svg)),
    PlainRoute::post(
        "create_dialogue",
        paths::DIALOGUES,
        Access::Staff(Permission::BuildDialogues),
        || post(create_dialogue),
    ),
    PlainRoute::post(
        "save_dialogue_settings",
        paths::DIALOGUE_SETTINGS,
        Access::Staff(Permission::BuildDialogues),
        || post(save_dialogue_settings),
    ),
    PlainRoute::post(
        "change_dialogue",
        paths::DIALOGUE_CHANGE,
        Access::Staff(Permission::BuildDialogues),
        || post(change_dialogue),
    ),
    PlainRoute::post(
        "add_question",
        paths::QUESTIONS,
        Access::Staff(Permission::BuildDialogues),
        || post(add_question),
    ),
    PlainRoute::post(
        "add_bank_questions",
        paths::BANK_QUESTIONS,
        Access::Staff(Permission::BuildDialogues),
        || post(add_bank_questions),
    ),
    PlainRoute::post(
        "update_question",
        paths::QUESTION,
        Access::Staff(Permission::BuildDialogues),
        || post(update_question),
    ),
    PlainRoute::post(
        "move_question",
        paths::MOVE_QUESTION,
        Access::Staff(Permission::BuildDialogues),
        || post(move_question),
    ),
    PlainRoute::post(
        "remove_question",
        paths::REMOVE_QUESTION,
        Access::Staff(Permission::BuildDialogues),
        || post(remove_question),
    ),
    PlainRoute::post(
        "issue_kiosk",
        paths::KIOSKS,
        Access::Staff(Permission::BuildDialogues),
        || post(issue_kiosk),
    ),
    PlainRoute::post(
        "revoke_kiosk",
        paths::REVOKE_KIOSK,
        Access::Staff(Permission::BuildDialogues),
        || post(revoke_kiosk),
    ),
    PlainRoute::post(
        "create_bank_item",
        paths::BANK,
        Access::Staff(Permission::Administer),
        || post(create_bank_item),
    ),
    PlainRoute::post(
        "update_bank_item",
        paths::BANK_ITEM,
        Access::Staff(Permission::Administer),
        || post(update_bank_item),
    ),
    PlainRoute::post(
        "change_bank_item",
        paths::BANK_ITEM_CHANGE,
        Access::Staff(Permission::Administer),
        || post(change_bank_item),
    ),
];

fn dialogue_page(id: i64) -> String {
    paths::dialogue(id)
}

fn saved(id: i64, anchor: &str) -> String {
    format!("{}?sparad=1#{anchor}", paths::dialogue(id))
}

pub async fn create_dialogue(
    State(state): State<ServerState>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = DialogueInput::from_fields(&fields);
    let now = state.app.clock.now();
    match db::builder::create_dialogue(&state.app.db, &p, &input, now).await {
        Ok(id) => see_other(&format!("{}?sparad=1", paths::dialogue(id))),
        Err(e) => {
            outcome(
                state,
                parts,
                Err(e),
                paths::DIALOGUES.to_owned(),
                "create".to_owned(),
                fields,
                String::new(),
            )
            .await
        }
    }
}

/// `POST /personal/dialoger/{dialogue}/installningar`: the title and introduction in both
/// languages, the period and each group's target (`target_{group}`), with the `version` the
/// form was opened from. 422 with the values kept; 409 when someone saved it meanwhile.
pub async fn save_dialogue_settings(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let input = domain::dialogue::SettingsInput::from_fields(&f.fields);
    let result = match f.field("version").trim().parse::<i32>() {
        Ok(version) => {
            let now = state.app.clock.now();
            db::dialogue::save_settings(&state.app.db, &f.p, dialogue, &input, version, now).await
        }
        // A form without its version cannot say what it was made from.
        Err(_) => Err(BuilderError::Conflict),
    };
    Ok(f.answer(
        state,
        result,
        dialogue_page(dialogue),
        "settings",
        saved(dialogue, "settings-title"),
    )
    .await)
}

/// `POST /personal/dialoger/{dialogue}/andra`: `action` = `close` (end the period now),
/// `archive`, `restore` or `delete`; closing and deleting need `confirm=1`, else 422 and
/// nothing changes. A deleted dialogue answers with the list.
pub async fn change_dialogue(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    use domain::dialogue::Change;
    let f = StaffForm::read(&state, staff, req).await?;
    let what = Change::parse(f.field("action").trim());
    let result = match what {
        Some(what) => {
            let now = state.app.clock.now();
            let confirmed = f.field("confirm") == "1";
            db::dialogue::change(&state.app.db, &f.p, dialogue, what, confirmed, now).await
        }
        None => Err(BuilderError::Invalid(vec![(
            "change".to_owned(),
            "dialogue.bad_action".to_owned(),
        )])),
    };
    let success = match what {
        Some(Change::Delete) => format!("{}?borttagen=1", paths::DIALOGUES),
        _ => saved(dialogue, "manage-title"),
    };
    Ok(
        f.answer(state, result, dialogue_page(dialogue), "manage", success)
            .await,
    )
}

pub async fn add_question(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let input = QuestionInput::from_fields(&f.fields);
    let now = state.app.clock.now();
    let result = db::builder::add_question(&state.app.db, &f.p, dialogue, &input, now)
        .await
        .map(|_| ());
    Ok(f.answer(
        state,
        result,
        dialogue_page(dialogue),
        "question-new",
        saved(dialogue, "questions-title"),
    )
    .await)
}

pub async fn add_bank_questions(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let items: Vec<String> = f
        .fields
        .iter()
        .filter(|(k, _)| k == "bank_item")
        .map(|(_, v)| v.clone())
        .collect();
    let now = state.app.clock.now();
    let result = db::builder::add_bank_questions(&state.app.db, &f.p, dialogue, &items, now).await;
    Ok(f.answer(
        state,
        result,
        dialogue_page(dialogue),
        "bank-questions",
        saved(dialogue, "questions-title"),
    )
    .await)
}

pub async fn update_question(
    State(state): State<ServerState>,
    Path((dialogue, question)): Path<(i64, i64)>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let input = QuestionInput::from_fields(&f.fields);
    let now = state.app.clock.now();
    let result =
        db::builder::update_question(&state.app.db, &f.p, dialogue, question, &input, now).await;
    Ok(f.answer(
        state,
        result,
        dialogue_page(dialogue),
        &format!("question-{question}"),
        saved(dialogue, "questions-title"),
    )
    .await)
}

pub async fn move_question(
    State(state): State<ServerState>,
    Path((dialogue, question)): Path<(i64, i64)>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let up = match field(&fields, "direction") {
        "up" => true,
        "down" => false,
        _ => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Ogiltig riktning. / Invalid direction.",
            )
                .into_response();
        }
    };
    let now = state.app.clock.now();
    let result = db::builder::move_question(&state.app.db, &p, dialogue, question, up, now).await;
    outcome(
        state,
        parts,
        result,
        dialogue_page(dialogue),
        format!("move-{question}"),
        Vec::new(),
        saved(dialogue, "questions-title"),
    )
    .await
}

pub async fn remove_question(
    State(state): State<ServerState>,
    Path((dialogue, question)): Path<(i64, i64)>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, _) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = db::builder::remove_question(&state.app.db, &p, dialogue, question, now).await;
    outcome(
        state,
        parts,
        result,
        dialogue_page(dialogue),
        format!("remove-{question}"),
        Vec::new(),
        saved(dialogue, "questions-title"),
    )
    .await
}

pub async fn issue_kiosk(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    session: Session,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let purpose = if f.field("purpose") == "display" {
        db::kiosk::Purpose::Display
    } else {
        db::kiosk::Purpose::Kiosk
    };
    let label = f.field("label");
    let result =
        match db::builder::issue_kiosk(&state.app.db, &f.p, purpose, dialogue, label, now).await {
            Ok(token) => {
                // Shown once: the page takes it out of the session when it renders it.
                let display = purpose == db::kiosk::Purpose::Display;
                if let Err(e) = session
                    .insert(KIOSK_FLASH_KEY, (dialogue, token, display))
                    .await
                {
                    tracing::error!(error = %e, "kiosk token not kept for display");
                    return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
                }
                Ok(())
            }
            Err(e) => Err(e),
        };
    Ok(f.answer(
        state,
        result,
        dialogue_page(dialogue),
        "kiosk",
        format!("{}#kiosk-title", paths::dialogue(dialogue)),
    )
    .await)
}

pub async fn revoke_kiosk(
    State(state): State<ServerState>,
    Path((dialogue, kiosk)): Path<(i64, i64)>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, _) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = db::builder::revoke_kiosk(&state.app.db, &p, dialogue, kiosk, now).await;
    outcome(
        state,
        parts,
        result,
        dialogue_page(dialogue),
        "kiosk".to_owned(),
        Vec::new(),
        format!("{}#kiosk-title", paths::saved(&paths::dialogue(dialogue))),
    )
    .await
}

async fn bank_outcome(
    state: ServerState,
    parts: axum::http::request::Parts,
    result: Result<(), BankError>,
    form: String,
    fields: Vec<(String, String)>,
) -> Response {
    let result = result.map_err(|e| match e {
        BankError::Forbidden => BuilderError::Forbidden,
        BankError::NotFound => BuilderError::NotFound,
        BankError::Invalid(errors) => BuilderError::Invalid(errors),
        BankError::Db(e) => BuilderError::Db(e),
    });
    outcome(
        state,
        parts,
        result,
        paths::BANK.to_owned(),
        form,
        fields,
        paths::saved(paths::BANK),
    )
    .await
}

pub async fn create_bank_item(
    State(state): State<ServerState>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = QuestionInput::from_fields(&fields);
    let now = state.app.clock.now();
    let result = db::bank::create(&state.app.db, &p, &input, now)
        .await
        .map(|_| ());
    bank_outcome(state, parts, result, "bank-new".to_owned(), fields).await
}

pub async fn update_bank_item(
    State(state): State<ServerState>,
    Path(item): Path<i64>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = QuestionInput::from_fields(&fields);
    let now = state.app.clock.now();
    let result = db::bank::update(&state.app.db, &p, item, &input, now).await;
    bank_outcome(state, parts, result, format!("bank-{item}"), fields).await
}

/// `POST /personal/fragebank/{item}/andra`: `action` = `retire`, `restore` or `delete`
/// (`confirm=1`, and only for an item no dialogue uses); a refusal is a 422 on the bank page.
pub async fn change_bank_item(
    State(state): State<ServerState>,
    Path(item): Path<i64>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let result = match domain::builder::BankChange::parse(field(&fields, "action").trim()) {
        Some(what) => {
            let now = state.app.clock.now();
            let confirmed = field(&fields, "confirm") == "1";
            db::bank::change(&state.app.db, &p, item, what, confirmed, now).await
        }
        None => Err(BankError::Invalid(vec![(
            "change".to_owned(),
            "dialogue.bad_action".to_owned(),
        )])),
    };
    bank_outcome(state, parts, result, format!("bank-manage-{item}"), fields).await
}

/// The QR code of a group's public link, as SVG. It encodes `{SITE_URL}/s/{code}?via=qr` so
/// answers through it can be told from typed links.
pub async fn qr_svg(State(state): State<ServerState>, Path(code): Path<String>) -> Response {
    use db::entity::dialogue_group;
    use qrcode::{EcLevel, QrCode, render::svg};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    if code.is_empty() || code.len() > 80 {
        return not_found();
    }
    match dialogue_group::Entity::find()
        .filter(dialogue_group::Column::LinkCode.eq(&code))
        .one(&state.app.db)
        .await
    {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "QR lookup failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let url = format!("{}{}?via=qr", state.config.site_url, paths::survey(&code));
    let qr = match QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) {
        Ok(q) => q,
        Err(e) => {
            tracing::error!(error = %e, "QR not encoded");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let image = qr
        .render::<svg::Color>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build();
    let mut res = image.into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}
