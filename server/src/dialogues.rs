//! Plain form POSTs of the dialogue builder and the question bank, and the public QR code of
//! a group's link. Success answers 303; a refused form re-renders its page with the typed
//! values and a message at each field (422), or 409 when the questionnaire is frozen.

use crate::ServerState;
use crate::auth::{body_fields, field};
use crate::routes::rerender_with;
use app::pages::admin::ADMIN_ROLES;
use app::pages::dialogues::{BUILDER_ROLES, KIOSK_FLASH_KEY, PostedBuilderForm};
use app::ssr::principal_from_session;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use db::bank::BankError;
use db::builder::BuilderError;
use domain::builder::{DialogueInput, QuestionInput};
use domain::{Principal, Role};
use leptos::prelude::provide_context;
use tower_sessions::Session;

fn see_other(to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r
}

/// The signed-in principal holding one of `roles`, or the response that refuses the request.
pub(crate) async fn signed_in(
    state: &ServerState,
    session: &Session,
    roles: &[Role],
) -> Result<Principal, Response> {
    match principal_from_session(&state.app, session).await {
        Ok(Some(p)) if roles.contains(&p.role) && !p.must_change_password => Ok(p),
        Ok(Some(_)) => Err(forbidden()),
        Ok(None) => Err(see_other("/logga-in")),
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    }
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        "Du har inte behörighet. / You do not have access.",
    )
        .into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Finns inte. / Not found.").into_response()
}

/// Re-renders the page at `page` with the refused form in context.
async fn refused(
    state: ServerState,
    mut parts: axum::http::request::Parts,
    page: &str,
    status: StatusCode,
    posted: PostedBuilderForm,
) -> Response {
    if let Ok(uri) = page.parse() {
        parts.uri = uri;
    }
    let mut res = rerender_with(state, parts, None, move || provide_context(posted.clone())).await;
    *res.status_mut() = status;
    res
}

/// A staff form POST: the signed-in principal holding one of the roles, the request parts
/// (to re-render the page) and the form fields.
pub(crate) struct StaffForm {
    pub p: Principal,
    pub parts: axum::http::request::Parts,
    pub fields: Vec<(String, String)>,
}

impl StaffForm {
    /// Checks the session and role, then reads the form under the body limit; the `Err` is the
    /// response that refuses the request (sign-in, 403 or 413).
    pub(crate) async fn read(
        state: &ServerState,
        session: &Session,
        req: axum::extract::Request,
        roles: &[Role],
    ) -> Result<StaffForm, Response> {
        let p = signed_in(state, session, roles).await?;
        let (parts, fields) = crate::auth::body_fields(state, req).await?;
        Ok(StaffForm { p, parts, fields })
    }

    pub(crate) fn field(&self, name: &str) -> &str {
        crate::auth::field(&self.fields, name)
    }

    /// The answer to the form named `form`: 303 to `success`, or `page` re-rendered with the
    /// refused form and its values (see [`outcome`]).
    pub(crate) async fn answer(
        self,
        state: ServerState,
        result: Result<(), BuilderError>,
        page: String,
        form: &str,
        success: String,
    ) -> Response {
        outcome(
            state,
            self.parts,
            result,
            page,
            form.to_owned(),
            self.fields,
            success,
        )
        .await
    }
}

/// Answers a builder change: where to go on success, or why it failed.
pub(crate) async fn outcome(
    state: ServerState,
    parts: axum::http::request::Parts,
    result: Result<(), BuilderError>,
    page: String,
    form: String,
    values: Vec<(String, String)>,
    success: String,
) -> Response {
    let posted = |errors, message: Option<&str>| PostedBuilderForm {
        form,
        values,
        errors,
        message: message.map(str::to_owned),
    };
    match result {
        Ok(()) => see_other(&success),
        Err(BuilderError::Invalid(errors)) => {
            refused(
                state,
                parts,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                posted(errors, None),
            )
            .await
        }
        Err(BuilderError::Frozen) => {
            refused(
                state,
                parts,
                &page,
                StatusCode::CONFLICT,
                posted(Vec::new(), Some("builder.frozen")),
            )
            .await
        }
        Err(BuilderError::Forbidden) => forbidden(),
        Err(BuilderError::NotFound) => not_found(),
        Err(BuilderError::Db(e)) => {
            tracing::error!(error = %e, "dialogue builder change failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn dialogue_page(id: i64) -> String {
    format!("/personal/dialoger/{id}")
}

fn saved(id: i64, anchor: &str) -> String {
    format!("/personal/dialoger/{id}?sparad=1#{anchor}")
}

pub async fn create_dialogue(
    State(state): State<ServerState>,
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, BUILDER_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = DialogueInput::from_fields(&fields);
    let now = state.app.clock.now();
    match db::builder::create_dialogue(&state.app.db, &p, &input, now).await {
        Ok(id) => see_other(&format!("/personal/dialoger/{id}?sparad=1")),
        Err(e) => {
            outcome(
                state,
                parts,
                Err(e),
                "/personal/dialoger".to_owned(),
                "create".to_owned(),
                fields,
                String::new(),
            )
            .await
        }
    }
}

pub async fn add_question(
    State(state): State<ServerState>,
    Path(dialogue): Path<i64>,
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, BUILDER_ROLES).await?;
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
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, BUILDER_ROLES).await?;
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
    session: Session,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, BUILDER_ROLES).await?;
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
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, BUILDER_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
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
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, BUILDER_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
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
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, &session, req, BUILDER_ROLES).await?;
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
        format!("/personal/dialoger/{dialogue}#kiosk-title"),
    )
    .await)
}

pub async fn revoke_kiosk(
    State(state): State<ServerState>,
    Path((dialogue, kiosk)): Path<(i64, i64)>,
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, BUILDER_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
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
        format!("/personal/dialoger/{dialogue}?sparad=1#kiosk-title"),
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
        "/personal/fragebank".to_owned(),
        form,
        fields,
        "/personal/fragebank?sparad=1".to_owned(),
    )
    .await
}

pub async fn create_bank_item(
    State(state): State<ServerState>,
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, ADMIN_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
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
    session: Session,
    req: Request,
) -> Response {
    let p = match signed_in(&state, &session, ADMIN_ROLES).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = QuestionInput::from_fields(&fields);
    let now = state.app.clock.now();
    let result = db::bank::update(&state.app.db, &p, item, &input, now).await;
    bank_outcome(state, parts, result, format!("bank-{item}"), fields).await
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
    let url = format!("{}/s/{code}?via=qr", state.config.site_url);
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
