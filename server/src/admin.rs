//! Plain form POSTs of the admin pages and the password change.

use crate::ServerState;
use crate::form::{body_fields, field};
use crate::guard::Staff;
use crate::respond::{rerender_with, see_other};
use crate::route::PlainRoute;
use app::access::Access;
use app::pages::admin::PostedStaffForm;
use app::paths;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use db::accounts::AccountError;
use domain::Permission;
use domain::Role;
use leptos::prelude::provide_context;

pub const ROUTES: &[PlainRoute] = &[
    PlainRoute::post(
        "create_user",
        paths::USERS,
        Access::Staff(Permission::Administer),
        || post(create_user),
    ),
    PlainRoute::post(
        "reset_password",
        paths::USER_PASSWORD,
        Access::Staff(Permission::Administer),
        || post(reset_password),
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
        _ => None,
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
        password: field(&fields, "password"),
        role,
        scope_unit_id: id("scope_unit_id"),
        municipal_unit_id: id("municipal_unit_id"),
        must_change_password: true,
    };
    match db::accounts::create_user(
        &state.app.db,
        Some(actor.user_id),
        new,
        state.app.clock.now(),
    )
    .await
    {
        Ok(_) => see_other(&paths::saved(paths::USERS)),
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
    let password = field(&fields, "password");
    let error = if password.chars().count() < db::accounts::MIN_PASSWORD_LEN {
        Some(("password", "password.too_short"))
    } else if password != field(&fields, "repeat") {
        Some(("repeat", "password.mismatch"))
    } else {
        None
    };
    if let Some((f, key)) = error {
        let posted = PostedStaffForm {
            values: Vec::new(),
            errors: vec![(f.to_owned(), key.to_owned())],
        };
        let mut res =
            rerender_with(state, parts, None, move || provide_context(posted.clone())).await;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return res;
    }
    let now = state.app.clock.now();
    match db::accounts::set_password(
        &state.app.db,
        Some(p.user_id),
        p.user_id,
        password,
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
    match db::org::create_unit(
        &state.app.db,
        actor.user_id,
        parent,
        field(&fields, "kind"),
        field(&fields, "name"),
        field(&fields, "code"),
        now,
    )
    .await
    {
        Ok(_) => see_other(&paths::saved(paths::ORG)),
        Err(db::org::OrgError::Invalid(errors)) => {
            let posted = PostedStaffForm {
                values: fields,
                errors,
            };
            let mut res =
                rerender_with(state, parts, None, move || provide_context(posted.clone())).await;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "unit not created");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
