//! Managers' and admins' pages: the audit log, user accounts, and changing one's password.
//! Every form is a plain POST handled in `server`.

use crate::components::form::{Errs, PostedBuilderForm, summary, typed_input};
use crate::components::table::scroll_table;
use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access, access_then, guarded};
use crate::paths;
use domain::audit::{AuditPage, AuditQuery};
use domain::{Role, UserRow};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// A refused staff form: field → catalogue key, and the typed values (never passwords).
#[derive(Clone, Debug, Default)]
pub struct PostedStaffForm {
    pub values: Vec<(String, String)>,
    pub errors: Vec<(String, String)>,
}

impl PostedStaffForm {
    fn value(&self, k: &str) -> String {
        self.values
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn error(&self, k: &str, lang: Lang) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, m)| tr(lang, m))
    }
    /// Field `k`'s message as shown above the field (`{k}-error`).
    pub(crate) fn field_error(&self, k: &str, lang: Lang) -> Option<AnyView> {
        self.error(k, lang)
            .map(|m| view! { <p class="field-error" id=format!("{k}-error")>{m}</p> }.into_any())
    }
}

#[server(endpoint = "staff/audit", input = Json)]
pub async fn list_audit(query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::ReadAudit).await?;
    // A caller of the endpoint is held to the same limits as the page's URL.
    let pairs = query.pairs(Some(query.page));
    let query = AuditQuery::parse(pairs.iter().map(|(k, v)| (*k, v.as_str()))).map_err(|e| {
        AppError::FormInvalid(e.into_iter().map(|p| (p.field, p.message)).collect())
    })?;
    let st = state()?;
    let units = db::org::units_in_scope(&st.db, &p)
        .await
        .map_err(internal)?;
    db::audit::search(&st.db, units.as_deref(), &query)
        .await
        .map_err(internal)
}

/// The filter keys of the log page's URL.
const AUDIT_KEYS: [&str; 8] = [
    "who", "action", "object", "text", "from", "to", "order", "page",
];

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsersData {
    /// One page of the accounts the search finds.
    pub users: Vec<UserRow>,
    pub query: domain::UserQuery,
    /// How many accounts the search finds in all.
    pub total: u64,
    /// (id, label) of the units a role can be scoped to.
    pub scopes: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
}

/// The users list for `query`, or (`one`) just that account, with the choices of the forms.
#[server(endpoint = "admin/users", input = Json)]
pub async fn list_users(query: domain::UserQuery, one: Option<i64>) -> Result<UsersData, AppError> {
    use crate::ssr::{internal, require, state};
    require(domain::Permission::Administer).await?;
    let st = state()?;
    let all = db::org::scopes(&st.db).await.map_err(internal)?;
    let label = |kind: &str, name: &str| format!("{name} ({kind})");
    let (users, total) = match one {
        Some(id) => {
            let row = db::accounts::user_row(&st.db, id).await.map_err(internal)?;
            let n = u64::from(row.is_some());
            (row.into_iter().collect(), n)
        }
        None => db::accounts::user_page(&st.db, &query)
            .await
            .map_err(internal)?,
    };
    Ok(UsersData {
        users,
        query,
        total,
        scopes: all
            .iter()
            .filter(|u| u.kind != "unit")
            .map(|u| (u.id, label(&u.kind, &u.name)))
            .collect(),
        units: all
            .iter()
            .filter(|u| u.kind == "unit")
            .map(|u| {
                let parent = all
                    .iter()
                    .find(|p| Some(p.id) == u.parent_id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                (u.id, format!("{parent}: {}", u.name))
            })
            .collect(),
    })
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = current_lang();
    let raw: Vec<(String, String)> = {
        let map = use_query_map().read_untracked();
        AUDIT_KEYS
            .iter()
            .filter_map(|k| map.get(k).map(|v| ((*k).to_owned(), v)))
            .collect()
    };
    view! {
        <Page>
            <Title text=tr(lang, "audit.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let who = access(domain::Permission::ReadAudit).await;
                    let parsed = AuditQuery::parse(raw.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                    let found = match (&who, &parsed) {
                        (Ok(_), Ok(q)) => Some(list_audit(q.clone()).await),
                        _ => None,
                    };
                    #[cfg(feature = "ssr")]
                    if parsed.is_err() && who.is_ok() {
                        crate::ssr::set_status(422);
                    }
                    guarded(lang, paths::AUDIT, who, move |_| {
                        let posted = parsed.as_ref().err().map(|problems| PostedBuilderForm {
                            form: "audit".to_owned(),
                            values: raw.clone(),
                            errors: problems.iter().map(|p| (p.field.clone(), p.message.clone())).collect(),
                            message: None,
                        });
                        let found = found.and_then(|r| r.ok()).unwrap_or_default();
                        audit_body(lang, raw, posted, found)
                    })
                })}
            </Suspense>
        </Page>
    }
}

/// The filter, the entries found and the pager.
fn audit_body(
    lang: Lang,
    raw: Vec<(String, String)>,
    posted: Option<PostedBuilderForm>,
    found: AuditPage,
) -> impl IntoView {
    let e = Errs::new("audit", &posted, lang);
    let typed = |k: &str| {
        raw.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let choice = |name: &'static str, label: String, all: String, options: Vec<String>| {
        let current = typed(name);
        let id = e.id(name);
        let options = options
            .into_iter()
            .map(|o| {
                let selected = o == current;
                let value = o.clone();
                view! { <option value=value selected=selected>{o}</option> }
            })
            .collect_view();
        view! {
            <label class="q-label" for=id.clone()>{label}</label>
            <select id=id name=name>
                <option value="">{all}</option>
                {options}
            </select>
        }
    };
    let q = found.query.clone();
    let pages = found.pages();
    let page = q.page;
    let rows = found
        .lines
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <td>{domain::time::format_stockholm(l.at)}</td>
                    <td>{l.who.clone()}</td>
                    <td>{format!("{} {}", l.action, l.entity)}</td>
                    <td><code>{l.entity_id.clone()}</code>" "{l.detail.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let oldest = typed("order") == "oldest";
    let status = tr(lang, "audit.found")
        .replace("{total}", &found.total.to_string())
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string());
    let pages_nav = crate::components::table::pager(lang, tr(lang, "audit.pages"), page, pages, {
        let q = q.clone();
        move |n| paths::with_query(paths::AUDIT, &q.pairs(Some(n)))
    });
    let failed = posted.is_some();
    view! {
        <h1>{tr(lang, "audit.title")}</h1>
        <p class="lead">{tr(lang, "audit.lead")}</p>
        {summary(lang, &posted)}
        <form method="get" action=paths::AUDIT class="filters" role="search" aria-label=tr(lang, "audit.search") novalidate=true>
            <div class="field">{typed_input(&e, "who", "search", tr(lang, "audit.who"), typed("who"))}</div>
            <div class="field">{choice("action", tr(lang, "audit.action"), tr(lang, "audit.any"), found.actions.clone())}</div>
            <div class="field">{choice("object", tr(lang, "audit.object"), tr(lang, "audit.any"), found.objects.clone())}</div>
            <div class="field">{typed_input(&e, "text", "search", tr(lang, "audit.text"), typed("text"))}</div>
            <div class="field">{typed_input(&e, "from", "date", tr(lang, "audit.from"), typed("from"))}</div>
            <div class="field">{typed_input(&e, "to", "date", tr(lang, "audit.to"), typed("to"))}</div>
            <div class="field">
                <label class="q-label" for="audit-order">{tr(lang, "audit.order")}</label>
                {e.error("order")}
                <select id="audit-order" name="order">
                    <option value="newest" selected=!oldest>{tr(lang, "audit.newest")}</option>
                    <option value="oldest" selected=oldest>{tr(lang, "audit.oldest")}</option>
                </select>
            </div>
            <button type="submit" class="button primary">{tr(lang, "audit.search_button")}</button>
            <a href=paths::AUDIT>{tr(lang, "audit.clear")}</a>
        </form>
        {(!failed).then(|| view! {
            <p role="status" id="audit-found">{status}</p>
            {scroll_table(
                tr(lang, "audit.title"),
                ["audit.at", "audit.who", "audit.what", "audit.record"].map(|k| tr(lang, k).into_any()).into(),
                rows,
            )}
            {pages_nav}
            <p><a href=paths::with_query(paths::AUDIT_CSV, &q.pairs(None)) download="logg.csv">{tr(lang, "audit.csv")}</a></p>
        })}
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedStaffForm>().unwrap_or_default();
    let query = use_query_map().read_untracked().clone();
    let saved = query.get("sparad").is_some();
    // After an invitation: `inbjudan=1` it went out, `inbjudan=0` the mail could not be sent.
    let invited = query.get("inbjudan").map(|v| v == "1");
    let search = domain::UserQuery::from_pairs(
        ["sok", "roll", "status", "sida"]
            .into_iter()
            .filter_map(|k| query.get_str(k).map(|v| (k, v))),
    );
    view! {
        <Page>
            <Title text=tr(lang, "users.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::Administer, || list_users(search, None)).await;
                    guarded(lang, paths::USERS, who, move |_| match data {
                        Ok(d) => users_body(d, posted, (saved, invited), lang).into_any(),
                        Err(e) => view! { <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p> }.into_any(),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn users_body(
    d: UsersData,
    posted: PostedStaffForm,
    (saved, invited): (bool, Option<bool>),
    lang: Lang,
) -> impl IntoView {
    let rows = d
        .users
        .into_iter()
        .map(|u| {
            let status = if u.active { tr(lang, "users.active") } else { tr(lang, "users.inactive") };
            let toggle = if u.active { tr(lang, "users.deactivate") } else { tr(lang, "users.activate") };
            let pw_id = format!("pw-{}", u.id);
            view! {
                <tr data-user=u.email.clone()>
                    <td><a href=paths::fill(paths::USER, &[&u.id])>{u.name}</a><br /><span class="muted">{u.email.clone()}</span></td>
                    <td>{tr(lang, u.role.label_key())}</td>
                    <td>{u.scope}</td>
                    <td>
                        {status}
                        {u.must_change_password.then(|| view! { <br /><span class="muted">{tr(lang, "users.must_change")}</span> })}
                    </td>
                    <td class="actions">
                        <form method="post" action=paths::fill(paths::USER_ACTIVE, &[&u.id]) class="inline-form">
                            <input type="hidden" name="active" value=(!u.active).to_string() />
                            <button type="submit" class="button small">{toggle}</button>
                        </form>
                        <form method="post" action=paths::fill(paths::USER_INVITE, &[&u.id]) class="inline-form">
                            <button type="submit" class="button small" aria-label=format!("{} ({})", tr(lang, "users.invite"), u.email)>{tr(lang, "users.invite")}</button>
                        </form>
                        <form method="post" action=paths::fill(paths::USER_PASSWORD, &[&u.id]) class="reset-form">
                            <label for=pw_id.clone()>{format!("{} ({})", tr(lang, "users.reset"), u.email)}</label>
                            <input id=pw_id type="password" name="password" autocomplete="new-password" minlength="12" />
                            <button type="submit" class="button small">{tr(lang, "users.reset")}</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let value = |k: &str| posted.value(k);
    let err = |f: &str| posted.field_error(f, lang);
    let pickers = account_pickers(lang, &d.scopes, &d.units, &value, &err);
    let has_errors = !posted.errors.is_empty();
    let search = users_search(lang, &d.query);
    let q = d.query.clone();
    let pages = d.total.div_ceil(domain::USERS_PAGE).max(1);
    let found = tr_with(
        lang,
        "users.found",
        &[
            ("total", &d.total.to_string()),
            ("page", &q.page.to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    let pager = crate::components::table::pager(lang, tr(lang, "users.pages"), q.page, pages, {
        let q = q.clone();
        move |n| paths::with_query(paths::USERS, &q.pairs(n))
    });
    view! {
        <h1>{tr(lang, "users.title")}</h1>
        <p class="lead">{tr(lang, "users.lead")}</p>
        {search}
        <p role="status" id="users-found">{found}</p>
        {saved.then(|| view! { <p class="notice" role="status">{tr(lang, "users.saved")}</p> })}
        {invited.map(|sent| if sent {
            view! { <p class="notice" role="status">{tr(lang, "users.invited")}</p> }.into_any()
        } else {
            view! { <p class="form-error" role="alert">{tr(lang, "users.invite_failed")}</p> }.into_any()
        })}
        {scroll_table(
            tr(lang, "users.title"),
            vec![
                tr(lang, "users.name").into_any(),
                tr(lang, "users.role").into_any(),
                tr(lang, "users.scope").into_any(),
                tr(lang, "users.status").into_any(),
                view! { <span class="visually-hidden">{tr(lang, "users.status")}</span> }.into_any(),
            ],
            rows,
        )}
        {pager}
        <section class="card" aria-labelledby="new-user">
            <h2 id="new-user">{tr(lang, "users.new_title")}</h2>
            {has_errors.then(|| view! { <div class="error-summary" role="alert" tabindex="-1"><p class="error-summary-title">{tr(lang, "form.errors_title")}</p></div> })}
            <form method="post" action=paths::USERS class="stack-form" novalidate=true>
                <label class="q-label" for="u-email">{tr(lang, "auth.email")}</label>
                {err("email")}
                <input id="u-email" name="email" type="email" autocomplete="off" value=posted.value("email") />
                <label class="q-label" for="u-name">{tr(lang, "users.name")}</label>
                {err("name")}
                <input id="u-name" name="name" type="text" autocomplete="off" value=posted.value("name") />
                {pickers}
                <p class="hint">{tr(lang, "users.invite_hint")}</p>
                <button type="submit" class="button primary">{tr(lang, "users.create")}</button>
            </form>
        </section>
    }
}

/// The users list's search (a GET form: the search lives in the URL).
fn users_search(lang: Lang, q: &domain::UserQuery) -> AnyView {
    let roles = domain::Role::ALL
        .iter()
        .map(|r| {
            let selected = q.role == Some(*r);
            view! { <option value=r.code() selected=selected>{tr(lang, r.label_key())}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action=paths::USERS class="filters" role="search" aria-label=tr(lang, "users.search")>
            <div class="field">
                <label class="q-label" for="s-sok">{tr(lang, "users.search_text")}</label>
                <input id="s-sok" name="sok" type="search" maxlength="100" value=q.text.clone() />
            </div>
            <div class="field">
                <label class="q-label" for="s-roll">{tr(lang, "users.role")}</label>
                <select id="s-roll" name="roll">
                    <option value="">{tr(lang, "users.any_role")}</option>
                    {roles}
                </select>
            </div>
            <div class="field">
                <label class="q-label" for="s-status">{tr(lang, "users.status")}</label>
                <select id="s-status" name="status">
                    <option value="">{tr(lang, "users.any_status")}</option>
                    <option value="aktiva" selected=q.active == Some(true)>{tr(lang, "users.active")}</option>
                    <option value="avstangda" selected=q.active == Some(false)>{tr(lang, "users.inactive")}</option>
                </select>
            </div>
            <button type="submit" class="button">{tr(lang, "users.search_button")}</button>
            " "<a href=paths::USERS>{tr(lang, "audit.clear")}</a>
        </form>
    }
    .into_any()
}

/// The role, scope and municipal unit pickers of an account form, showing `value`'s choices.
fn account_pickers(
    lang: Lang,
    scopes: &[(i64, String)],
    units: &[(i64, String)],
    value: &dyn Fn(&str) -> String,
    err: &dyn Fn(&str) -> Option<AnyView>,
) -> AnyView {
    let role_opts = Role::ALL
        .into_iter()
        .map(|r| {
            let sel = value("role") == r.code();
            view! { <option value=r.code() selected=sel>{tr(lang, r.label_key())}</option> }
        })
        .collect_view();
    let pick = |list: &[(i64, String)], field: &str, none: String| {
        let current = value(field);
        let opts = list
            .iter()
            .map(|(id, label)| view! { <option value=id.to_string() selected=current == id.to_string()>{label.clone()}</option> })
            .collect_view();
        view! { <option value="">{none}</option>{opts} }
    };
    let scope_opts = pick(scopes, "scope_unit_id", tr(lang, "users.none"));
    let unit_opts = pick(units, "municipal_unit_id", "–".to_owned());
    view! {
        <label class="q-label" for="u-role">{tr(lang, "users.role")}</label>
        {err("role")}
        <select id="u-role" name="role">{role_opts}</select>
        <label class="q-label" for="u-scope">{tr(lang, "users.scope")}</label>
        {err("scope_unit_id")}
        <select id="u-scope" name="scope_unit_id">{scope_opts}</select>
        <label class="q-label" for="u-unit">{tr(lang, "users.unit")}</label>
        <select id="u-unit" name="municipal_unit_id">{unit_opts}</select>
    }
    .into_any()
}

/// What is stored now, when a save met someone else's: shown beside the form, which keeps the
/// values typed.
#[derive(Clone, Debug)]
pub struct StoredAccount(pub UserRow);

/// One account's edit page: name, e-mail, role and scope (a role or scope change ends the
/// account's sessions).
#[component]
pub fn UserPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedStaffForm>();
    let stored = use_context::<StoredAccount>();
    let id = leptos_router::hooks::use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|v| v.parse::<i64>().ok());
    view! {
        <Page>
            <Title text=tr(lang, "users.edit_title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::Administer, || list_users(Default::default(), id)).await;
                    let path = paths::USER;
                    guarded(lang, path, who, move |_| {
                        let found = data.ok().and_then(|d| {
                            let u = d.users.iter().find(|u| Some(u.id) == id)?.clone();
                            Some((d, u))
                        });
                        match found {
                            Some((d, u)) => user_body(lang, d, u, posted, stored).into_any(),
                            None => {
                                #[cfg(feature = "ssr")]
                                crate::ssr::set_status(404);
                                view! { <p class="form-error">{tr(lang, "users.not_found")}</p> }.into_any()
                            }
                        }
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn user_body(
    lang: Lang,
    d: UsersData,
    u: UserRow,
    posted: Option<PostedStaffForm>,
    stored: Option<StoredAccount>,
) -> impl IntoView {
    let opt = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
    let from_row = {
        let u = u.clone();
        move |k: &str| match k {
            "name" => u.name.clone(),
            "email" => u.email.clone(),
            "role" => u.role.code().to_owned(),
            "scope_unit_id" => opt(u.scope_unit_id),
            "municipal_unit_id" => opt(u.municipal_unit_id),
            _ => String::new(),
        }
    };
    let p = posted.clone().unwrap_or_default();
    let typed = posted.is_some();
    let value = move |k: &str| if typed { p.value(k) } else { from_row(k) };
    let p2 = posted.clone().unwrap_or_default();
    let err = move |f: &str| p2.field_error(f, lang);
    // After a conflict the form saves over the version stored now, on purpose.
    let version = stored.as_ref().map(|s| s.0.version).unwrap_or(u.version);
    let conflict = stored.map(|s| {
        let s = s.0;
        view! {
            <div class="error-summary" role="alert" tabindex="-1" id="conflict">
                <p class="error-summary-title">{tr(lang, "users.conflict")}</p>
                <p>{tr(lang, "users.conflict_stored")}</p>
                <dl class="facts">
                    <dt>{tr(lang, "users.name")}</dt><dd>{s.name}</dd>
                    <dt>{tr(lang, "auth.email")}</dt><dd>{s.email}</dd>
                    <dt>{tr(lang, "users.role")}</dt><dd>{tr(lang, s.role.label_key())}</dd>
                    <dt>{tr(lang, "users.scope")}</dt><dd>{s.scope}</dd>
                </dl>
                <p>{tr(lang, "users.conflict_yours")}</p>
            </div>
        }
    });
    let has_errors = posted.as_ref().is_some_and(|p| !p.errors.is_empty());
    let pickers = account_pickers(lang, &d.scopes, &d.units, &value, &err);
    view! {
        <p><a href=paths::USERS>{tr(lang, "users.back")}</a></p>
        <h1>{tr(lang, "users.edit_title")}": "{u.name.clone()}</h1>
        <p class="lead">{tr(lang, "users.edit_lead")}</p>
        {conflict}
        {has_errors.then(|| view! { <div class="error-summary" role="alert" tabindex="-1"><p class="error-summary-title">{tr(lang, "form.errors_title")}</p></div> })}
        <form method="post" action=paths::fill(paths::USER, &[&u.id]) class="stack-form" novalidate=true>
            <input type="hidden" name="version" value=version.to_string() />
            <label class="q-label" for="u-name">{tr(lang, "users.name")}</label>
            {err("name")}
            <input id="u-name" name="name" type="text" autocomplete="off" value=value("name") />
            <label class="q-label" for="u-email">{tr(lang, "auth.email")}</label>
            {err("email")}
            <input id="u-email" name="email" type="email" autocomplete="off" value=value("email") />
            {pickers}
            <button type="submit" class="button primary">{tr(lang, "users.save")}</button>
        </form>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedStaffForm>().unwrap_or_default();
    view! {
        <Page>
            <Title text=tr(lang, "password.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    #[cfg(feature = "ssr")]
                    let who = crate::ssr::current_principal().await.ok().flatten();
                    #[cfg(not(feature = "ssr"))]
                    let who: Option<domain::Principal> = None;
                    match who {
                        None => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::redirect_to(&paths::login_then(paths::CHANGE_PASSWORD));
                            view! { <p>{tr(lang, "auth.sign_in_first")}</p> }.into_any()
                        }
                        Some(p) => {
                            let err = |f: &str| posted.field_error(f, lang);
                            view! {
                                <h1>{tr(lang, "password.title")}</h1>
                                {p.must_change_password.then(|| view! { <p class="notice" role="status">{tr(lang, "auth.must_change")}</p> })}
                                <form method="post" action=paths::CHANGE_PASSWORD class="stack-form" novalidate=true>
                                    {crate::pages::auth::new_password_fields(lang, err)}
                                    <button type="submit" class="button primary">{tr(lang, "password.title")}</button>
                                </form>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[server(endpoint = "admin/org")]
pub async fn list_org() -> Result<Vec<domain::OrgNode>, AppError> {
    use crate::ssr::{internal, require, state};
    require(domain::Permission::Administer).await?;
    let st = state()?;
    let history = db::org::units_with_history(&st.db)
        .await
        .map_err(internal)?;
    Ok(db::org::tree(&st.db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(depth, u)| domain::OrgNode {
            depth,
            id: u.id,
            kind: u.kind,
            name: u.name,
            code: u.code,
            retired: u.retired_at.is_some(),
            history: history.contains(&u.id),
        })
        .collect())
}

/// Under a unit of the tree (`nodes[i]`, depth-first): rename it, move it under another
/// parent of a fitting kind (not itself or below it), retire or restore it, and delete it,
/// asked twice, when it has no history. A refused change comes back open with its message.
fn org_unit_manage(
    lang: Lang,
    nodes: &[domain::OrgNode],
    i: usize,
    posted: &PostedStaffForm,
) -> AnyView {
    use crate::components::form::{action_button, asked_twice};
    let n = &nodes[i];
    if n.depth == 0 {
        return ().into_any();
    }
    let path = paths::fill(paths::ORG_UNIT, &[&n.id]);
    let mine = posted.value("unit") == n.id.to_string();
    let error = mine
        .then(|| posted.errors.first().map(|(_, k)| tr(lang, k)))
        .flatten();
    // The subtree of `n`: the nodes after it that are deeper.
    let below = nodes[i + 1..]
        .iter()
        .take_while(|m| m.depth > n.depth)
        .count();
    let parents = nodes
        .iter()
        .enumerate()
        .filter(|(j, m)| {
            !(i..=i + below).contains(j)
                && !m.retired
                && domain::child_kinds(&m.kind).contains(&n.kind.as_str())
        })
        .map(|(_, m)| view! { <option value=m.id.to_string()>{m.name.clone()}</option> })
        .collect_view();
    let id = |f: &str| format!("u{}-{f}", n.id);
    let toggle = if n.retired {
        action_button(lang, &path, "restore", "org.restore")
    } else {
        action_button(lang, &path, "retire", "org.retire")
    };
    let delete = (!n.history).then(|| {
        asked_twice(
            lang,
            &path,
            "delete",
            ["org.delete_open", "org.delete_confirm", "org.delete_really"],
            true,
        )
    });
    view! {
        <details class="inline-form" open=mine>
            <summary>{tr_with(lang, "org.change_of", &[("name", &n.name)])}</summary>
            {error.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <form method="post" action=path.clone() class="filters">
                <input type="hidden" name="action" value="rename" />
                <div class="field">
                    <label class="q-label" for=id("name")>{tr(lang, "org.new_name")}</label>
                    <input id=id("name") name="name" type="text" value=n.name.clone() />
                </div>
                <button type="submit" class="button small">{tr(lang, "org.rename")}</button>
            </form>
            <form method="post" action=path.clone() class="filters">
                <input type="hidden" name="action" value="move" />
                <div class="field">
                    <label class="q-label" for=id("parent")>{tr(lang, "org.move_under")}</label>
                    <select id=id("parent") name="parent_id">{parents}</select>
                </div>
                <button type="submit" class="button small">{tr(lang, "org.move")}</button>
            </form>
            <div class="theme-manage">
                {toggle}
                {delete}
                {n.history.then(|| view! { <p class="hint">{tr(lang, "org.history_hint")}</p> })}
            </div>
        </details>
    }
    .into_any()
}

/// Kinds a unit can be created as (the tree's root is fixed).
pub const ORG_KINDS: [&str; 6] = ["region", "district", "lpo", "municipality", "area", "unit"];

#[component]
pub fn OrgPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedStaffForm>().unwrap_or_default();
    let saved = use_query_map().read_untracked().get("sparad").is_some();
    view! {
        <Page>
            <Title text=tr(lang, "org.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::Administer, list_org).await;
                    guarded(lang, paths::ORG, who, move |_| {
                        let nodes = data.unwrap_or_default();
                        let items = nodes
                            .iter()
                            .enumerate()
                            .map(|(i, n)| {
                                let style = format!("--depth:{}", n.depth);
                                let kind = tr(lang, &format!("org.kind.{}", n.kind));
                                let manage = org_unit_manage(lang, &nodes, i, &posted);
                                view! {
                                    <li class="org-node" style=style data-unit=n.code.clone()>
                                        {n.name.clone()}<span class="muted">{format!(" – {kind} ({})", n.code)}</span>
                                        {n.retired.then(|| view! { " "<span class="badge small">{tr(lang, "org.retired")}</span> })}
                                        {manage}
                                    </li>
                                }
                            })
                            .collect_view();
                        // The create form's own refusal (not a change to a unit).
                        let posted = if posted.value("unit").is_empty() { posted.clone() } else { PostedStaffForm::default() };
                        let current_parent = posted.value("parent_id");
                        let parents = nodes
                            .iter()
                            .filter(|n| n.kind != "area" && n.kind != "unit" && !n.retired)
                            .map(|n| {
                                let sel = current_parent == n.id.to_string();
                                view! { <option value=n.id.to_string() selected=sel>{format!("{}{}", "– ".repeat(n.depth), n.name)}</option> }
                            })
                            .collect_view();
                        let current_kind = posted.value("kind");
                        let kinds = ORG_KINDS
                            .into_iter()
                            .map(|k| view! { <option value=k selected=current_kind == k>{tr(lang, &format!("org.kind.{k}"))}</option> })
                            .collect_view();
                        let err = |f: &str| posted.error(f, lang).map(|m| view! { <p class="field-error" id=format!("{f}-error")>{m}</p> });
                        let has_errors = !posted.errors.is_empty();
                        view! {
                            <h1>{tr(lang, "org.title")}</h1>
                            <p class="lead">{tr(lang, "org.lead")}</p>
                            {saved.then(|| view! { <p class="notice" role="status">{tr(lang, "users.saved")}</p> })}
                            <ul class="org-tree">{items}</ul>
                            <section class="card" aria-labelledby="new-unit">
                                <h2 id="new-unit">{tr(lang, "org.add_title")}</h2>
                                {has_errors.then(|| view! { <div class="error-summary" role="alert" tabindex="-1"><p class="error-summary-title">{tr(lang, "form.errors_title")}</p></div> })}
                                <form method="post" action=paths::ORG class="stack-form" novalidate=true>
                                    <label class="q-label" for="o-parent">{tr(lang, "org.parent")}</label>
                                    {err("parent_id")}
                                    <select id="o-parent" name="parent_id"><option value="">"–"</option>{parents}</select>
                                    <label class="q-label" for="o-kind">{tr(lang, "org.kind")}</label>
                                    {err("kind")}
                                    <select id="o-kind" name="kind">{kinds}</select>
                                    <label class="q-label" for="o-name">{tr(lang, "users.name")}</label>
                                    {err("name")}
                                    <input id="o-name" name="name" type="text" autocomplete="off" value=posted.value("name") />
                                    <label class="q-label" for="o-code">{tr(lang, "org.code")}</label>
                                    {err("code")}
                                    <input id="o-code" name="code" type="text" autocomplete="off" value=posted.value("code") />
                                    <button type="submit" class="button primary">{tr(lang, "form.save")}</button>
                                </form>
                            </section>
                        }
                    })
                })}
            </Suspense>
        </Page>
    }
}
