//! Plain form POSTs of the admin pages and the password change.

use crate::ServerState;
use crate::form::{StaffForm, body_fields, field};
use crate::guard::Staff;
use crate::respond::{WithStatus, failed, not_found, refused_form, rerender_with, see_other};
use crate::route::PlainRoute;
use app::access::Access;
use app::pages::admin::{PostedStaffForm, StoredAccount};
use app::paths;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use db::accounts::AccountError;
use domain::Lang;
use domain::Permission;
use domain::Role;
use leptos::prelude::provide_context;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::get(
        "audit_csv",
        paths::AUDIT_CSV,
        Access::Staff(Permission::ReadAudit),
        || get(audit_csv),
    ),
    PlainRoute::post(
        "create_user",
        paths::USERS,
        Access::Staff(Permission::Administer),
        || post(create_user),
    ),
    PlainRoute::post(
        "edit_user",
        paths::USER,
        Access::Staff(Permission::Administer),
        || post(edit_user),
    ),
    PlainRoute::post(
        "reset_password",
        paths::USER_PASSWORD,
        Access::Staff(Permission::Administer),
        || post(reset_password),
    ),
    PlainRoute::post(
        "invite_user",
        paths::USER_INVITE,
        Access::Staff(Permission::Administer),
        || post(invite_user),
    ),
    PlainRoute::post(
        "set_active",
        paths::USER_ACTIVE,
        Access::Staff(Permission::Administer),
        || post(set_active),
    ),
    PlainRoute::post(
        "change_password",
        paths::CHANGE_PASSWORD,
        Access::Staff(Permission::SignedIn),
        || post(change_password),
    ),
    PlainRoute::post(
        "create_org_unit",
        paths::ORG,
        Access::Staff(Permission::Administer),
        || post(create_org_unit),
    ),
    PlainRoute::post(
        "change_org_unit",
        paths::ORG_UNIT,
        Access::Staff(Permission::Administer),
        || post(change_org_unit),
    ),
];

fn account_outcome(result: Result<(), AccountError>, what: &str) -> Response {
    match result {
        Ok(()) => see_other(&paths::saved(paths::USERS)),
        Err(AccountError::NotFound) => (
            StatusCode::NOT_FOUND,
            "Användaren finns inte. / No such user.",
        )
            .into_response(),
        Err(AccountError::WeakPassword) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Lösenordet måste ha minst 12 tecken. / The password must have at least 12 characters.",
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "{what}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn account_error_field(e: &AccountError) -> Option<(&'static str, &'static str)> {
    match e {
        AccountError::BadEmail => Some(("email", "users.bad_email")),
        AccountError::DuplicateEmail => Some(("email", "users.duplicate")),
        AccountError::MissingName => Some(("name", "form.required")),
        AccountError::WeakPassword => Some(("password", "password.too_short")),
        AccountError::BadScope => Some(("scope_unit_id", "users.bad_scope")),
        AccountError::OwnRole => Some(("role", "users.own_role")),
        _ => None,
    }
}

/// `POST /personal/anvandare/{id}`: an account's name, e-mail, role and scope. Bad input is a
/// 422 with the values kept; a save over someone else's is a 409 showing both versions.
pub async fn edit_user(
    State(state): State<ServerState>,
    Path(user_id): Path<i64>,
    staff: Staff,
    req: Request,
) -> Result<Response, Response> {
    let StaffForm {
        p: actor,
        parts,
        fields,
    } = StaffForm::read(&state, staff, req).await?;
    Ok(edit_user_with(state, user_id, actor, parts, fields).await)
}

async fn edit_user_with(
    state: ServerState,
    user_id: i64,
    actor: domain::Principal,
    parts: axum::http::request::Parts,
    fields: Vec<(String, String)>,
) -> Response {
    let id = |k: &str| field(&fields, k).trim().parse::<i64>().ok();
    let posted = |errors: Vec<(String, String)>| PostedStaffForm {
        values: fields.clone(),
        errors,
    };
    // The form always carries the version it was opened from; without one it was not ours.
    let Ok(version) = field(&fields, "version").trim().parse::<i32>() else {
        return (
            StatusCode::BAD_REQUEST,
            "Formuläret saknar version. / The form has no version.",
        )
            .into_response();
    };
    let Some(role) = Role::parse(field(&fields, "role")) else {
        let p = posted(vec![("role".to_owned(), "users.bad_role".to_owned())]);
        return refused_form(state, parts, StatusCode::UNPROCESSABLE_ENTITY, p).await;
    };
    let edit = db::accounts::AccountFields {
        name: field(&fields, "name").to_owned(),
        email: field(&fields, "email").to_owned(),
        role,
        scope_unit_id: id("scope_unit_id"),
        municipal_unit_id: id("municipal_unit_id"),
        version,
    };
    let db = &state.app.db;
    match db::accounts::edit_user(db, &actor, user_id, edit, state.app.clock.now()).await {
        Ok(()) => see_other(&paths::saved(paths::USERS)),
        Err(AccountError::NotFound) => not_found(),
        Err(AccountError::Conflict(_)) => {
            let stored = match db::accounts::user_row(db, user_id).await {
                Ok(row) => row,
                Err(e) => return failed("account conflict", e),
            };
            let Some(stored) = stored else {
                return not_found();
            };
            let p = posted(Vec::new());
            let stored = StoredAccount(stored);
            rerender_with(state, parts, None, move || {
                provide_context(p.clone());
                provide_context(stored.clone());
            })
            .await
            .with_status(StatusCode::CONFLICT)
        }
        Err(e) => match account_error_field(&e) {
            Some((f, key)) => {
                let p = posted(vec![(f.to_owned(), key.to_owned())]);
                refused_form(state, parts, StatusCode::UNPROCESSABLE_ENTITY, p).await
            }
            None => failed("account not edited", e),
        },
    }
}

pub async fn create_user(
    State(state): State<ServerState>,
    Staff(actor): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = |k: &str| field(&fields, k).trim().parse::<i64>().ok();
    let Some(role) = Role::parse(field(&fields, "role")) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Okänd roll. / Unknown role.",
        )
            .into_response();
    };
    let new = db::accounts::NewUser {
        email: field(&fields, "email"),
        name: field(&fields, "name"),
        role,
        scope_unit_id: id("scope_unit_id"),
        municipal_unit_id: id("municipal_unit_id"),
    };
    match db::password_links::create_invited_user(
        &state.app.db,
        Some(actor.user_id),
        new,
        state.app.clock.now(),
    )
    .await
    {
        Ok((_, invitation)) => invited(&state, &invitation).await,
        Err(e) => match account_error_field(&e) {
            Some((f, key)) => {
                let posted = PostedStaffForm {
                    // Never echo a password back.
                    values: fields
                        .into_iter()
                        .filter(|(k, _)| k != "password")
                        .collect(),
                    errors: vec![(f.to_owned(), key.to_owned())],
                };
                let mut res =
                    rerender_with(state, parts, None, move || provide_context(posted.clone()))
                        .await;
                *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                res
            }
            None => {
                tracing::error!(error = %e, "user not created");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
    }
}

/// The users page after an invitation was mailed (or could not be).
async fn invited(state: &ServerState, link: &db::password_links::IssuedLink) -> Response {
    // Invitations go out in Swedish, the authority's language (the mail says it in one).
    let lang = Lang::default();
    match crate::auth::send_link(state, link, lang).await {
        Ok(()) => see_other(&format!("{}?inbjudan=1", paths::USERS)),
        Err(e) => {
            tracing::error!(error = %e, "invitation not sent");
            see_other(&format!("{}?inbjudan=0", paths::USERS))
        }
    }
}

/// `POST /personal/anvandare/{id}/inbjudan`: a new invitation link for an active account.
pub async fn invite_user(
    State(state): State<ServerState>,
    Path(user_id): Path<i64>,
    Staff(actor): Staff,
) -> Response {
    let now = state.app.clock.now();
    match db::password_links::invite_again(&state.app.db, actor.user_id, user_id, now).await {
        Ok(link) => invited(&state, &link).await,
        Err(db::password_links::LinkError::Account(AccountError::NotFound)) => not_found(),
        Err(db::password_links::LinkError::Invalid) => (
            StatusCode::CONFLICT,
            "Kontot är avstängt: aktivera det först. / The account is deactivated: activate it first.",
        )
            .into_response(),
        Err(e) => failed("invitation not issued", e),
    }
}

pub async fn reset_password(
    State(state): State<ServerState>,
    Path(user_id): Path<i64>,
    Staff(actor): Staff,
    req: Request,
) -> Response {
    let (_, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = state.app.clock.now();
    let result = db::accounts::set_password(
        &state.app.db,
        Some(actor.user_id),
        user_id,
        field(&fields, "password"),
        true,
        now,
    )
    .await;
    account_outcome(result, "password not reset")
}

pub async fn set_active(
    State(state): State<ServerState>,
    Path(user_id): Path<i64>,
    Staff(actor): Staff,
    req: Request,
) -> Response {
    let (_, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let active = match field(&fields, "active") {
        "true" => true,
        "false" => false,
        _ => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Ogiltigt värde. / Invalid value.",
            )
                .into_response();
        }
    };
    if user_id == actor.user_id && !active {
        return (
            StatusCode::CONFLICT,
            "Du kan inte stänga av ditt eget konto. / You cannot deactivate your own account.",
        )
            .into_response();
    }
    let result = db::accounts::set_active(
        &state.app.db,
        Some(actor.user_id),
        user_id,
        active,
        state.app.clock.now(),
    )
    .await;
    account_outcome(result, "account not updated")
}

/// Any signed-in user changes their own password (and must, after a reset).
pub async fn change_password(
    State(state): State<ServerState>,
    Staff(p): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Some((f, key)) = crate::auth::password_problem(&fields) {
        let posted = PostedStaffForm {
            values: Vec::new(),
            errors: vec![(f.to_owned(), key.to_owned())],
        };
        return refused_form(state, parts, StatusCode::UNPROCESSABLE_ENTITY, posted).await;
    }
    let now = state.app.clock.now();
    match db::accounts::set_password(
        &state.app.db,
        Some(p.user_id),
        p.user_id,
        field(&fields, "password"),
        false,
        now,
    )
    .await
    {
        Ok(()) => see_other(if p.role == Role::MunicipalPartner {
            paths::REGISTER
        } else {
            paths::STAFF
        }),
        Err(e) => {
            tracing::error!(error = %e, "password not changed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn create_org_unit(
    State(state): State<ServerState>,
    Staff(actor): Staff,
    req: Request,
) -> Response {
    let (parts, fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let parent = field(&fields, "parent_id").trim().parse::<i64>().ok();
    let now = state.app.clock.now();
    let result = db::org::create_unit(
        &state.app.db,
        actor.user_id,
        parent,
        field(&fields, "kind"),
        field(&fields, "name"),
        field(&fields, "code"),
        now,
    )
    .await
    .map(|_| ());
    org_outcome(state, parts, fields, result).await
}

/// `POST /personal/organisation/{unit}`: `action` = `rename` (with `name`), `move` (with
/// `parent_id`), `retire`, `restore` or `delete` (with `confirm=1`, only without history).
/// A refusal re-renders the tree with the message at that unit (422).
pub async fn change_org_unit(
    State(state): State<ServerState>,
    Path(unit): Path<i64>,
    Staff(actor): Staff,
    req: Request,
) -> Response {
    let (parts, mut fields) = match body_fields(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // The page shows a refusal at the unit it was about.
    fields.retain(|(k, _)| k != "unit");
    fields.push(("unit".to_owned(), unit.to_string()));
    let result = match domain::OrgChange::parse(field(&fields, "action").trim()) {
        Some(change) => {
            let parent = field(&fields, "parent_id").trim().parse::<i64>().ok();
            let now = state.app.clock.now();
            db::org::change_unit(
                &state.app.db,
                actor.user_id,
                unit,
                change,
                field(&fields, "name"),
                parent,
                field(&fields, "confirm") == "1",
                now,
            )
            .await
        }
        None => Err(db::org::OrgError::Invalid(vec![(
            "change".to_owned(),
            "dialogue.bad_action".to_owned(),
        )])),
    };
    org_outcome(state, parts, fields, result).await
}

/// The answer to an organisation form: back to the tree, or the tree with the form's
/// messages (422), or 404 for a unit that is not there.
async fn org_outcome(
    state: ServerState,
    mut parts: axum::http::request::Parts,
    fields: Vec<(String, String)>,
    result: Result<(), db::org::OrgError>,
) -> Response {
    match result {
        Ok(()) => see_other(&paths::saved(paths::ORG)),
        Err(db::org::OrgError::Invalid(errors)) => {
            let posted = PostedStaffForm {
                values: fields,
                errors,
            };
            if let Ok(uri) = paths::ORG.parse() {
                parts.uri = uri;
            }
            let mut res =
                rerender_with(state, parts, None, move || provide_context(posted.clone())).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(db::org::OrgError::NotFound) => crate::respond::not_found(),
        Err(e) => {
            tracing::error!(error = %e, "organisation not changed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /personal/logg.csv?…`: what the log page's filter finds (all pages, at most
/// [`domain::audit::EXPORT_MAX`] entries), as CSV. A filter that cannot be read is a 422.
pub async fn audit_csv(
    State(state): State<ServerState>,
    Staff(p): Staff,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let query =
        match domain::audit::AuditQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        {
            Ok(q) => q,
            Err(problems) => {
                let lang = Lang::Sv;
                let text: Vec<String> = problems
                    .iter()
                    .map(|p| format!("{}: {}", p.field, app::i18n::tr(lang, &p.message)))
                    .collect();
                return (StatusCode::UNPROCESSABLE_ENTITY, text.join("\n")).into_response();
            }
        };
    let db = &state.app.db;
    let units = match db::org::units_in_scope(db, &p).await {
        Ok(u) => u,
        Err(e) => return crate::respond::failed("audit scope", e),
    };
    match db::audit::export(db, units.as_deref(), &query).await {
        Ok(lines) => crate::respond::attachment(
            db::audit::to_csv(&lines),
            "text/csv; charset=utf-8",
            "logg.csv",
        ),
        Err(e) => crate::respond::failed("audit export", e),
    }
}
