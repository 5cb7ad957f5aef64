//! Managers' and admins' pages: the audit log, user accounts, and changing one's password.
//! Every form is a plain POST handled in `server`.

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr};
use crate::layout::Page;
use crate::pages::auth::{access, guarded};
use crate::paths;
use domain::{AuditLine, Role, UserRow};
use leptos::prelude::*;
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
}

#[server(endpoint = "staff/audit")]
pub async fn list_audit() -> Result<Vec<AuditLine>, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::ReadAudit).await?;
    let st = state()?;
    let units = match (p.role, p.scope_unit_id) {
        (Role::Admin, _) => None,
        (_, Some(scope)) => Some(db::org::subtree(&st.db, scope).await.map_err(internal)?),
        _ => Some(Vec::new()),
    };
    db::audit::recent(&st.db, units, 200)
        .await
        .map_err(internal)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UsersData {
    pub users: Vec<UserRow>,
    /// (id, label) of the units a role can be scoped to.
    pub scopes: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
}

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<UsersData, AppError> {
    use crate::ssr::{internal, require, state};
    require(domain::Permission::Administer).await?;
    let st = state()?;
    let all = db::org::scopes(&st.db).await.map_err(internal)?;
    let label = |kind: &str, name: &str| format!("{name} ({kind})");
    Ok(UsersData {
        users: db::accounts::user_rows(&st.db).await.map_err(internal)?,
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
    view! {
        <Page>
            <Title text=tr(lang, "audit.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let who = access(domain::Permission::ReadAudit).await;
                    let lines = match &who {
                        Ok(_) => list_audit().await,
                        Err(e) => Err(e.clone()),
                    };
                    guarded(lang, paths::AUDIT, who, move |_| {
                        let rows = lines
                            .unwrap_or_default()
                            .into_iter()
                            .map(|l| view! {
                                <tr>
                                    <td>{domain::time::format_stockholm(l.at)}</td>
                                    <td>{l.who}</td>
                                    <td>{format!("{} {}", l.action, l.entity)}</td>
                                    <td><code>{l.entity_id}</code>" "{l.detail}</td>
                                </tr>
                            })
                            .collect_view();
                        view! {
                            <h1>{tr(lang, "audit.title")}</h1>
                            <p class="lead">{tr(lang, "audit.lead")}</p>
                            <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "audit.title")>
                                <table>
                                    <caption class="visually-hidden">{tr(lang, "audit.title")}</caption>
                                    <thead><tr>
                                        <th scope="col">{tr(lang, "audit.at")}</th>
                                        <th scope="col">{tr(lang, "audit.who")}</th>
                                        <th scope="col">{tr(lang, "audit.what")}</th>
                                        <th scope="col">{tr(lang, "audit.record")}</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                        }
                    })
                })}
            </Suspense>
        </Page>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedStaffForm>().unwrap_or_default();
    let saved = use_query_map().read_untracked().get("sparad").is_some();
    view! {
        <Page>
            <Title text=tr(lang, "users.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let who = access(domain::Permission::Administer).await;
                    let data = match &who {
                        Ok(_) => list_users().await,
                        Err(e) => Err(e.clone()),
                    };
                    guarded(lang, paths::USERS, who, move |_| match data {
                        Ok(d) => users_body(d, posted, saved, lang).into_any(),
                        Err(e) => view! { <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p> }.into_any(),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn users_body(d: UsersData, posted: PostedStaffForm, saved: bool, lang: Lang) -> impl IntoView {
    let rows = d
        .users
        .into_iter()
        .map(|u| {
            let status = if u.active { tr(lang, "users.active") } else { tr(lang, "users.inactive") };
            let toggle = if u.active { tr(lang, "users.deactivate") } else { tr(lang, "users.activate") };
            let pw_id = format!("pw-{}", u.id);
            view! {
                <tr data-user=u.email.clone()>
                    <td>{u.name}<br /><span class="muted">{u.email.clone()}</span></td>
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
    let role_opts = Role::ALL
        .into_iter()
        .map(|r| {
            let sel = posted.value("role") == r.code();
            view! { <option value=r.code() selected=sel>{tr(lang, r.label_key())}</option> }
        })
        .collect_view();
    let pick = |list: &[(i64, String)], field: &str, none: String| {
        let current = posted.value(field);
        let opts = list
            .iter()
            .map(|(id, label)| view! { <option value=id.to_string() selected=current == id.to_string()>{label.clone()}</option> })
            .collect_view();
        view! { <option value="">{none}</option>{opts} }
    };
    let scope_opts = pick(&d.scopes, "scope_unit_id", tr(lang, "users.none"));
    let unit_opts = pick(&d.units, "municipal_unit_id", "–".to_owned());
    let err = |f: &str| {
        posted
            .error(f, lang)
            .map(|m| view! { <p class="field-error" id=format!("{f}-error")>{m}</p> })
    };
    let has_errors = !posted.errors.is_empty();
    view! {
        <h1>{tr(lang, "users.title")}</h1>
        <p class="lead">{tr(lang, "users.lead")}</p>
        {saved.then(|| view! { <p class="notice" role="status">{tr(lang, "users.saved")}</p> })}
        <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "users.title")>
            <table>
                <caption class="visually-hidden">{tr(lang, "users.title")}</caption>
                <thead><tr>
                    <th scope="col">{tr(lang, "users.name")}</th>
                    <th scope="col">{tr(lang, "users.role")}</th>
                    <th scope="col">{tr(lang, "users.scope")}</th>
                    <th scope="col">{tr(lang, "users.status")}</th>
                    <th scope="col"><span class="visually-hidden">{tr(lang, "users.status")}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
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
                <label class="q-label" for="u-role">{tr(lang, "users.role")}</label>
                <select id="u-role" name="role">{role_opts}</select>
                <label class="q-label" for="u-scope">{tr(lang, "users.scope")}</label>
                {err("scope_unit_id")}
                <select id="u-scope" name="scope_unit_id">{scope_opts}</select>
                <label class="q-label" for="u-unit">{tr(lang, "users.unit")}</label>
                <select id="u-unit" name="municipal_unit_id">{unit_opts}</select>
                <label class="q-label" for="u-password">{tr(lang, "users.initial_password")}</label>
                <p class="hint">{tr(lang, "password.hint")}</p>
                {err("password")}
                <input id="u-password" name="password" type="password" autocomplete="new-password" />
                <button type="submit" class="button primary">{tr(lang, "users.create")}</button>
            </form>
        </section>
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
                            let err = |f: &str| posted.error(f, lang).map(|m| view! { <p class="field-error" id=format!("{f}-error")>{m}</p> });
                            view! {
                                <h1>{tr(lang, "password.title")}</h1>
                                {p.must_change_password.then(|| view! { <p class="notice" role="status">{tr(lang, "auth.must_change")}</p> })}
                                <form method="post" action=paths::CHANGE_PASSWORD class="stack-form" novalidate=true>
                                    <label class="q-label" for="new-password">{tr(lang, "password.new")}</label>
                                    <p class="hint">{tr(lang, "password.hint")}</p>
                                    {err("password")}
                                    <input id="new-password" name="password" type="password" autocomplete="new-password" />
                                    <label class="q-label" for="repeat-password">{tr(lang, "password.repeat")}</label>
                                    {err("repeat")}
                                    <input id="repeat-password" name="repeat" type="password" autocomplete="new-password" />
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
        })
        .collect())
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
                    let who = access(domain::Permission::Administer).await;
                    let data = match &who {
                        Ok(_) => list_org().await,
                        Err(e) => Err(e.clone()),
                    };
                    guarded(lang, paths::ORG, who, move |_| {
                        let nodes = data.unwrap_or_default();
                        let items = nodes
                            .iter()
                            .map(|n| {
                                let style = format!("--depth:{}", n.depth);
                                let kind = tr(lang, &format!("org.kind.{}", n.kind));
                                view! { <li class="org-node" style=style>{n.name.clone()}<span class="muted">{format!(" – {kind} ({})", n.code)}</span></li> }
                            })
                            .collect_view();
                        let current_parent = posted.value("parent_id");
                        let parents = nodes
                            .iter()
                            .filter(|n| n.kind != "area" && n.kind != "unit")
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
