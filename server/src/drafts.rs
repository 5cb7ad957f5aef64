//! Nothing typed is lost when a session ends (issue #16): a long staff form carries its key
//! and its page (`app::components::form::keeps_draft`). Posted after the session ended, the
//! guard keeps the fields in a fresh session ([`keep`]) and sends the author to sign in;
//! back on the page, signed in, the form is shown again filled in ([`restore`]), once.

use crate::ServerState;
use crate::respond::rerender_with;
use app::components::form::{PostedBuilderForm, STAFF_DRAFT_KEY, StaffDraft};
use app::pages::auth::safe_next;
use app::paths;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::provide_context;
use tower_sessions::Session;

/// The longest form key kept (keys are short: `settings`, `edit-12`).
const MAX_FORM_KEY: usize = 80;

/// Keeps a signed-out form post that names its form and page (`_draft`, `_page`, a staff
/// page of this site) in `session`. Returns where to send its author: to sign in, then back.
/// `None` when the post is not such a form (the guard then refuses it as before).
pub async fn keep(state: &ServerState, session: &Session, req: Request) -> Option<String> {
    // Read here, not through `crate::form` (which depends on the guard that calls this).
    let bytes = axum::body::to_bytes(req.into_body(), state.config.body_limit_bytes)
        .await
        .ok()?;
    let values: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).ok()?;
    let get = |name: &str| Some(app::ssr::form_field(&values, name).to_owned());
    let form = get("_draft").filter(|f| !f.is_empty() && f.len() <= MAX_FORM_KEY)?;
    let page = get("_page").filter(|p| safe_next(p) == *p && p.starts_with(paths::STAFF))?;
    let draft = StaffDraft {
        page: page.clone(),
        form: PostedBuilderForm {
            form,
            values,
            errors: Vec::new(),
            message: Some("form.draft_restored".to_owned()),
        },
    };
    session.insert(STAFF_DRAFT_KEY, &draft).await.ok()?;
    Some(format!("{}&utkast=1", paths::login_then(&page)))
}

/// The page a kept draft belongs to, shown with the draft filled in, once, to someone signed
/// in (the page itself still checks who may see it). Every other request passes through.
pub async fn restore(
    State(state): State<ServerState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::GET || !req.uri().path().starts_with(paths::STAFF) {
        return next.run(req).await;
    }
    let draft = match session.get::<StaffDraft>(STAFF_DRAFT_KEY).await {
        Ok(Some(d)) if d.page == req.uri().path() => d,
        _ => return next.run(req).await,
    };
    match app::ssr::principal_from_session(&state.app, &session).await {
        Ok(Some(_)) => {}
        _ => return next.run(req).await,
    }
    if session.remove::<StaffDraft>(STAFF_DRAFT_KEY).await.is_err() {
        return next.run(req).await;
    }
    let (parts, _) = req.into_parts();
    let form = draft.form;
    rerender_with(state, parts, None, move || provide_context(form.clone())).await
}
