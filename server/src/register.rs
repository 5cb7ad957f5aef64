//! The register's plain form POSTs: agreements, their status, special areas and who works
//! in them. Every rule (scope included) is `db::register`'s.

use crate::ServerState;
use crate::form::{StaffForm, body_fields, field};
use crate::guard::{MaybeStaff, Staff};
use crate::respond::{failed, forbidden, refused_form, see_other};
use crate::route::PlainRoute;
use app::access::Access;
use app::pages::register::{DRAFT_KEY, PostedAgreement};
use app::paths;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use domain::Permission;
use tower_sessions::Session;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::post(
        "create_agreement",
        paths::REGISTER,
        Access::Staff(Permission::EditRegister),
        || post(create_agreement),
    )
    .keeps_draft_when_signed_out(),
    PlainRoute::post(
        "set_agreement_status",
        paths::AGREEMENT_STATUS,
        Access::Staff(Permission::EditRegister),
        || post(set_agreement_status),
    ),
    PlainRoute::post(
        "assign_special_area",
        paths::ASSIGN_SPECIAL_AREA,
        Access::Staff(Permission::EditRegister),
        || post(assign_special_area),
    ),
    PlainRoute::post(
        "create_special_area",
        paths::SPECIAL_AREAS,
        Access::Staff(Permission::Administer),
        || post(create_special_area),
    ),
];

/// The agreement form. An expired session keeps the typed form in a fresh session and sends
/// the user to sign in; after sign-in the form comes back filled in.
pub async fn create_agreement(
    State(state): State<ServerState>,
    MaybeStaff(principal): MaybeStaff,
    session: Session,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = domain::AgreementInput {
        municipal_unit_id: field(&fields, "municipal_unit_id").to_owned(),
        special_area_id: field(&fields, "special_area_id").to_owned(),
        officer_id: field(&fields, "officer_id").to_owned(),
        purpose: field(&fields, "purpose").to_owned(),
        starts_on: field(&fields, "starts_on").to_owned(),
        review_on: field(&fields, "review_on").to_owned(),
        contact_person: field(&fields, "contact_person").to_owned(),
        status: field(&fields, "status").to_owned(),
    };
    let principal = match principal {
        Some(p) => p,
        None => {
            if session.insert(DRAFT_KEY, &input).await.is_err() {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            return see_other(&format!("{}&utkast=1", paths::login_then(paths::REGISTER)));
        }
    };
    let now = state.app.clock.now();
    match db::register::create_agreement(&state.app.db, &principal, &input, now).await {
        Ok(_) => see_other(&paths::saved(paths::REGISTER)),
        Err(db::register::RegisterError::Forbidden) => forbidden(),
        Err(db::register::RegisterError::Invalid(errors)) => {
            let posted = PostedAgreement { input, errors };
            refused_form(state, parts, StatusCode::UNPROCESSABLE_ENTITY, posted).await
        }
        Err(e) => failed("agreement not saved", e),
    }
}

/// The outcome of a register side form: back to the register, or why not.
async fn register_outcome(
    state: ServerState,
    parts: axum::http::request::Parts,
    result: Result<(), db::register::RegisterError>,
) -> Response {
    use app::pages::register::PostedRegisterForm;
    use db::register::RegisterError;
    match result {
        Ok(()) => see_other(&paths::saved(paths::REGISTER)),
        Err(RegisterError::Forbidden) => forbidden(),
        Err(RegisterError::NotFound) => (
            StatusCode::NOT_FOUND,
            "Överenskommelsen finns inte. / No such agreement.",
        )
            .into_response(),
        Err(RegisterError::Invalid(errors)) => {
            let posted = PostedRegisterForm { errors };
            refused_form(state, parts, StatusCode::UNPROCESSABLE_ENTITY, posted).await
        }
        Err(e) => failed("register not updated", e),
    }
}

pub async fn set_agreement_status(
    State(state): State<ServerState>,
    axum::extract::Path(uid): axum::extract::Path<String>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result =
        db::register::set_agreement_status(&state.app.db, &f.p, &uid, f.field("status"), now).await;
    Ok(register_outcome(state, f.parts, result).await)
}

pub async fn assign_special_area(
    State(state): State<ServerState>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = db::register::assign_special_area(
        &state.app.db,
        &f.p,
        f.field("officer_id"),
        f.field("special_area_id"),
        now,
    )
    .await;
    Ok(register_outcome(state, f.parts, result).await)
}

pub async fn create_special_area(
    State(state): State<ServerState>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let f = StaffForm::read(&state, staff, req).await?;
    let now = state.app.clock.now();
    let result = db::register::create_special_area(
        &state.app.db,
        &f.p,
        f.field("code"),
        f.field("name_sv"),
        f.field("name_en"),
        now,
    )
    .await
    .map(|_| ());
    Ok(register_outcome(state, f.parts, result).await)
}
