//! Staff sign-in, and the frame every staff page shares.
//!
//! Sign-in and sign-out are plain form POSTs handled in `server` (they set and clear the
//! session cookie); they work without JavaScript.

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::paths;
use domain::Principal;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A refused sign-in, re-rendered with the e-mail kept.
#[derive(Clone, Debug)]
pub struct LoginAttempt {
    pub email: String,
    pub next: String,
    pub error: AppError,
}

/// Only local paths are followed after sign-in (no open redirect).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        paths::STAFF.to_owned()
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = current_lang();
    let attempt = use_context::<LoginAttempt>();
    let query = use_query_map();
    let next = attempt
        .as_ref()
        .map(|a| a.next.clone())
        .unwrap_or_else(|| safe_next(&query.read_untracked().get("next").unwrap_or_default()));
    let draft = query.read_untracked().get("utkast").is_some();
    let password_set = query.read_untracked().get("losenord").is_some();
    let email = attempt
        .as_ref()
        .map(|a| a.email.clone())
        .unwrap_or_default();
    let error = attempt.map(|a| match a.error {
        AppError::Unauthorized => tr(lang, "auth.bad_credentials"),
        other => tr(lang, other.message_key().unwrap_or("survey.server_error")),
    });
    view! {
        <Page>
            <Title text=tr(lang, "auth.title") />
            <h1>{tr(lang, "auth.title")}</h1>
            <p class="lead">{tr(lang, "auth.lead")}</p>
            {draft.then(|| view! { <p class="notice" role="status">{tr(lang, "auth.draft_kept")}</p> })}
            {password_set.then(|| view! { <p class="notice" role="status">{tr(lang, "reset.done")}</p> })}
            {error.map(|e| view! {
                <div class="error-summary" role="alert" tabindex="-1">
                    <p class="error-summary-title">{e}</p>
                </div>
            })}
            <form class="stack-form" method="post" action=paths::LOGIN>
                <input type="hidden" name="next" value=next />
                <input type="hidden" name="lang" value=lang.code() />
                <label class="q-label" for="email">{tr(lang, "auth.email")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required=true value=email />
                <label class="q-label" for="password">{tr(lang, "auth.password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required=true />
                <button type="submit" class="button primary">{tr(lang, "auth.submit")}</button>
            </form>
            <p><a href=paths::FORGOT_PASSWORD>{tr(lang, "auth.forgot")}</a></p>
        </Page>
    }
}

/// "Forgot password" after the form was posted: `error` is `None` when the form was taken,
/// and then the answer is the same whether or not the address has an account.
#[derive(Clone, Debug)]
pub struct ResetRequested {
    /// The catalogue key of why the form was not taken.
    pub error: Option<&'static str>,
}

/// The two password fields of every form that sets a password.
pub fn new_password_fields(lang: Lang, err: impl Fn(&str) -> Option<AnyView>) -> impl IntoView {
    view! {
        <label class="q-label" for="new-password">{tr(lang, "password.new")}</label>
        <p class="hint">{tr(lang, "password.hint")}</p>
        {err("password")}
        <input id="new-password" name="password" type="password" autocomplete="new-password" />
        <label class="q-label" for="repeat-password">{tr(lang, "password.repeat")}</label>
        {err("repeat")}
        <input id="repeat-password" name="repeat" type="password" autocomplete="new-password" />
    }
}

/// `GET /glomt-losenord`: asks for the e-mail address a one-time link goes to.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let lang = current_lang();
    let outcome = use_context::<ResetRequested>();
    let sent = outcome.as_ref().is_some_and(|o| o.error.is_none());
    let error = outcome.and_then(|o| o.error).map(|key| tr(lang, key));
    let form = move || {
        view! {
            <p class="lead">{tr(lang, "reset.lead")}</p>
            {error.clone().map(|e| view! {
                <div class="error-summary" role="alert" tabindex="-1">
                    <p class="error-summary-title">{e}</p>
                </div>
            })}
            <form class="stack-form" method="post" action=paths::FORGOT_PASSWORD>
                <input type="hidden" name="lang" value=lang.code() />
                <label class="q-label" for="email">{tr(lang, "auth.email")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required=true />
                <button type="submit" class="button primary">{tr(lang, "reset.submit")}</button>
            </form>
        }
    };
    view! {
        <Page>
            <Title text=tr(lang, "reset.title") />
            <h1>{tr(lang, "reset.title")}</h1>
            {if sent {
                view! { <p class="notice" role="status">{tr(lang, "reset.sent")}</p> }.into_any()
            } else {
                form().into_any()
            }}
            <p><a href=paths::LOGIN>{tr(lang, "reset.back")}</a></p>
        </Page>
    }
}

/// `GET /nytt-losenord/{token}`: the page a mailed link opens, to choose a password; a link
/// that is used, expired or unknown gets 410 and a way to ask for a new one.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let lang = current_lang();
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let posted = use_context::<crate::pages::admin::PostedStaffForm>().unwrap_or_default();
    view! {
        <Page>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    #[cfg(feature = "ssr")]
                    let link = crate::ssr::password_link(&token).await;
                    #[cfg(not(feature = "ssr"))]
                    let link: Result<Option<(domain::LinkKind, String)>, AppError> = Err(AppError::Internal);
                    match link {
                        Ok(Some((kind, email))) => {
                            let title = match kind {
                                domain::LinkKind::Invite => "reset.invite_title",
                                domain::LinkKind::Reset => "reset.new_title",
                            };
                            let err = |f: &str| posted.field_error(f, lang);
                            view! {
                                <Title text=tr(lang, title) />
                                <h1>{tr(lang, title)}</h1>
                                <p class="lead">{tr_with(lang, "reset.for_account", &[("email", &email)])}</p>
                                <form method="post" action=paths::set_password(&token) class="stack-form" novalidate=true>
                                    <input type="hidden" name="lang" value=lang.code() />
                                    <input type="hidden" name="username" autocomplete="username" value=email.clone() />
                                    {new_password_fields(lang, err)}
                                    <button type="submit" class="button primary">{tr(lang, "reset.save")}</button>
                                </form>
                            }
                            .into_any()
                        }
                        Ok(None) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(410);
                            view! {
                                <Title text=tr(lang, "reset.invalid_title") />
                                <h1>{tr(lang, "reset.invalid_title")}</h1>
                                <p>{tr(lang, "reset.invalid")}</p>
                                <p><a href=paths::FORGOT_PASSWORD class="button primary">{tr(lang, "reset.ask_again")}</a></p>
                            }
                            .into_any()
                        }
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(e.status());
                            view! { <p role="alert">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}

/// The staff pages' frame: who is signed in, the staff menu, and sign-out.
#[component]
pub fn StaffFrame(principal: Principal, children: Children) -> impl IntoView {
    let lang = current_lang();
    let role = tr(lang, principal.role.label_key());
    let who = tr_with(
        lang,
        "auth.signed_in_as",
        &[("name", &principal.name), ("role", &role)],
    );
    let sees_answers = principal.may(domain::Permission::SeeAnswers);
    let sees_audit = principal.may(domain::Permission::ReadAudit);
    let is_admin = principal.may(domain::Permission::Administer);
    let builds = principal.may(domain::Permission::BuildDialogues);
    let compares = principal.may(domain::Permission::SeeRegion);
    view! {
        <div class="staff-bar">
            <p class="muted">{who}</p>
            <a href=paths::CHANGE_PASSWORD class="button small">{tr(lang, "staffnav.password")}</a>
            <form method="post" action=paths::LOGOUT class="inline-form">
                <button type="submit" class="button small">{tr(lang, "auth.sign_out")}</button>
            </form>
        </div>
        <nav class="staff-nav" aria-label=tr(lang, "staffnav.label")>
            <ul>
                {sees_answers.then(|| view! { <li><a href=paths::STAFF>{tr(lang, "staffnav.answers")}</a></li> })}
                {builds.then(|| view! { <li><a href=paths::DIALOGUES>{tr(lang, "staffnav.dialogues")}</a></li> })}
                {compares.then(|| view! { <li><a href=paths::REGION>{tr(lang, "staffnav.region")}</a></li> })}
                <li><a href=paths::PROMISES>{tr(lang, "staffnav.promises")}</a></li>
                <li><a href=paths::REGISTER>{tr(lang, "staffnav.register")}</a></li>
                {sees_audit.then(|| view! { <li><a href=paths::AUDIT>{tr(lang, "staffnav.audit")}</a></li> })}
                {is_admin.then(|| view! { <li><a href=paths::USERS>{tr(lang, "staffnav.users")}</a></li> })}
                {is_admin.then(|| view! { <li><a href=paths::ORG>{tr(lang, "staffnav.org")}</a></li> })}
                {is_admin.then(|| view! { <li><a href=paths::BANK>{tr(lang, "staffnav.bank")}</a></li> })}
            </ul>
        </nav>
        {children()}
    }
}

/// Renders a staff page for a permission: sends the anonymous to sign-in, refuses others with 403.
pub fn guarded<F, V>(
    lang: Lang,
    path: &'static str,
    result: Result<Principal, AppError>,
    body: F,
) -> AnyView
where
    F: FnOnce(Principal) -> V,
    V: IntoView + 'static,
{
    match result {
        Ok(p) => {
            let content = body(p.clone());
            view! { <StaffFrame principal=p>{content}</StaffFrame> }.into_any()
        }
        Err(AppError::MustChangePassword) => {
            #[cfg(feature = "ssr")]
            crate::ssr::redirect_to(paths::CHANGE_PASSWORD);
            view! { <p><a href=paths::CHANGE_PASSWORD>{tr(lang, "auth.must_change")}</a></p> }
                .into_any()
        }
        Err(AppError::Unauthorized) => {
            #[cfg(feature = "ssr")]
            crate::ssr::redirect_to(&paths::login_then(path));
            let _ = path;
            view! { <p>{tr(lang, "auth.sign_in_first")}</p> }.into_any()
        }
        Err(e) => {
            #[cfg(feature = "ssr")]
            crate::ssr::set_status(e.status());
            #[cfg(not(feature = "ssr"))]
            let _ = e;
            view! {
                <h1>{tr(lang, "auth.forbidden")}</h1>
                <p><a href=paths::LOGIN>{tr(lang, "auth.title")}</a></p>
            }
            .into_any()
        }
    }
}

/// Checks access for a staff page once and, only when it is granted, loads what the page
/// shows: the page renders `guarded(…, who, …)` with both.
pub async fn access_then<T, Fut>(
    permission: domain::Permission,
    load: impl FnOnce() -> Fut,
) -> (Result<Principal, AppError>, Result<T, AppError>)
where
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let who = access(permission).await;
    let data = match &who {
        Ok(_) => load().await,
        Err(e) => Err(e.clone()),
    };
    (who, data)
}

/// Checks access for a staff page. Pages render on the server only (islands mode).
pub async fn access(permission: domain::Permission) -> Result<Principal, AppError> {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::check(permission).await
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = permission;
        Err(AppError::Unauthorized)
    }
}
