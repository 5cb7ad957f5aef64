//! Reading a posted form, and answering it: 303 on success, or the page re-rendered with
//! the typed values and a message at each field.

use crate::ServerState;
use crate::guard::Staff;
use crate::respond::{failed, forbidden, not_found, refused_form, see_other};
use app::components::form::PostedBuilderForm;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use db::builder::BuilderError;
use domain::Principal;

fn form_fields(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

pub(crate) use app::ssr::form_field as field;

/// The request parts and the form fields, read under the body limit (413 above it).
pub(crate) async fn body_fields(
    state: &ServerState,
    req: Request,
) -> Result<(axum::http::request::Parts, Vec<(String, String)>), Response> {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, state.config.body_limit_bytes).await {
        Ok(b) => Ok((parts, form_fields(&b))),
        Err(_) => Err(crate::respond::too_large()),
    }
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
    refused_form(state, parts, status, posted).await
}

/// A staff form POST: the signed-in principal holding the permission, the request parts
/// (to re-render the page) and the form fields.
pub(crate) struct StaffForm {
    pub p: Principal,
    pub parts: axum::http::request::Parts,
    pub fields: Vec<(String, String)>,
}

impl StaffForm {
    /// Reads the form of the staff member the guard let through, under the body limit; the
    /// `Err` is the response that refuses the request (413).
    pub(crate) async fn read(
        state: &ServerState,
        Staff(p): Staff,
        req: axum::extract::Request,
    ) -> Result<StaffForm, Response> {
        let (parts, fields) = body_fields(state, req).await?;
        Ok(StaffForm { p, parts, fields })
    }

    pub(crate) fn field(&self, name: &str) -> &str {
        field(&self.fields, name)
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
        Err(BuilderError::Conflict) => {
            refused(
                state,
                parts,
                &page,
                StatusCode::CONFLICT,
                posted(Vec::new(), Some("form.conflict")),
            )
            .await
        }
        Err(BuilderError::Forbidden) => forbidden(),
        Err(BuilderError::NotFound) => not_found(),
        Err(BuilderError::Db(e)) => failed("a staff form's change failed", e),
    }
}
