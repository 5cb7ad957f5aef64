//! The community officers' register: agreements (*överenskommelser*), filtered and flagged for
//! review; officers and managers add new ones with a plain form (works without JavaScript).

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr};
use crate::layout::Page;
use crate::pages::auth::{access_then, guarded};
use crate::paths;
use domain::{Agreement, AgreementInput, AgreementStatus, Named};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// Session key under which an agreement form is kept when the session expired mid-typing.
pub const DRAFT_KEY: &str = "draft_agreement";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RegisterFilter {
    pub municipality_id: Option<i64>,
    pub special_area_id: Option<i64>,
    pub status: Option<String>,
    pub due_only: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegisterData {
    pub agreements: Vec<Agreement>,
    pub municipalities: Vec<Named>,
    pub special_areas: Vec<Named>,
    /// Filled only for those who may add agreements.
    pub units: Vec<Named>,
    pub officers: Vec<Named>,
    pub can_edit: bool,
    pub is_admin: bool,
    /// A form kept across an expired session, restored once.
    pub draft: Option<AgreementInput>,
    pub officers_with_areas: Vec<domain::OfficerAreas>,
}

/// A refused side form of the register (status, special areas): its messages.
#[derive(Clone, Debug)]
pub struct PostedRegisterForm {
    pub errors: Vec<(String, String)>,
}

/// A refused agreement form, re-rendered with its values and messages.
#[derive(Clone, Debug)]
pub struct PostedAgreement {
    pub input: AgreementInput,
    pub errors: Vec<(String, String)>,
}

#[server(endpoint = "staff/register", input = Json)]
pub async fn load_register(filter: RegisterFilter) -> Result<RegisterData, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::ReadRegister).await?;
    let st = state()?;
    let today = domain::time::stockholm_day(st.clock.now());
    let f = db::register::AgreementFilter {
        municipality_id: filter.municipality_id,
        special_area_id: filter.special_area_id,
        status: filter.status.as_deref().and_then(AgreementStatus::parse),
        due_only: filter.due_only,
    };
    let agreements = db::register::list_agreements(&st.db, &p, &f, today)
        .await
        .map_err(internal)?;
    let can_edit = p.may(domain::Permission::EditRegister);
    let (units, officers) = if can_edit {
        (
            db::register::municipal_units(&st.db, &p)
                .await
                .map_err(internal)?,
            db::register::officers(&st.db, &p).await.map_err(internal)?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let draft = match leptos_axum::extract::<tower_sessions::Session>().await {
        Ok(s) if can_edit => s
            .remove::<AgreementInput>(DRAFT_KEY)
            .await
            .map_err(internal)?,
        _ => None,
    };
    Ok(RegisterData {
        agreements,
        municipalities: db::register::municipalities(&st.db, &p)
            .await
            .map_err(internal)?,
        special_areas: db::register::special_areas(&st.db)
            .await
            .map_err(internal)?,
        units,
        officers,
        can_edit,
        is_admin: p.role == domain::Role::Admin,
        draft,
        officers_with_areas: db::register::officer_areas(&st.db, &p)
            .await
            .map_err(internal)?,
    })
}

fn parse_filter(get: impl Fn(&str) -> Option<String>) -> RegisterFilter {
    RegisterFilter {
        municipality_id: get("kommun").and_then(|v| v.parse().ok()),
        special_area_id: get("omrade").and_then(|v| v.parse().ok()),
        status: get("status").filter(|s| AgreementStatus::parse(s).is_some()),
        due_only: get("granskning").is_some_and(|v| v == "1"),
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let lang = current_lang();
    let query = use_query_map();
    let filter = parse_filter(|k| query.read_untracked().get(k));
    let saved = query.read_untracked().get("sparad").is_some();
    let posted = use_context::<PostedAgreement>();
    let side = use_context::<PostedRegisterForm>();
    view! {
        <Page>
            <Title text=tr(lang, "register.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::ReadRegister, || load_register(filter.clone())).await;
                    guarded(lang, paths::REGISTER, who, move |_| match data {
                        Ok(d) => register_body(d, filter, posted, side, saved, lang).into_any(),
                        Err(e) => view! {
                            <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
                        }
                        .into_any(),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn options(
    list: &[Named],
    selected: Option<i64>,
    lang: Lang,
    all: Option<String>,
) -> impl IntoView + use<> {
    let opts = list
        .iter()
        .map(|n| {
            view! {
                <option value=n.id.to_string() selected=selected == Some(n.id)>
                    {n.name.get(lang).to_owned()}
                </option>
            }
        })
        .collect_view();
    view! {
        {all.map(|a| view! { <option value="">{a}</option> })}
        {opts}
    }
}

fn register_body(
    d: RegisterData,
    filter: RegisterFilter,
    posted: Option<PostedAgreement>,
    side: Option<PostedRegisterForm>,
    saved: bool,
    lang: Lang,
) -> impl IntoView {
    let side_errors = side.map(|s| {
        let items = s
            .errors
            .into_iter()
            .map(|(_, key)| view! { <li>{tr(lang, &key)}</li> })
            .collect_view();
        view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <p class="error-summary-title">{tr(lang, "form.errors_title")}</p>
                <ul>{items}</ul>
            </div>
        }
    });
    let can_edit = d.can_edit;
    let is_admin = d.is_admin;
    let status_opts = AgreementStatus::ALL
        .into_iter()
        .map(|s| {
            let sel = filter.status.as_deref() == Some(s.code());
            view! { <option value=s.code() selected=sel>{tr(lang, &format!("status.{}", s.code()))}</option> }
        })
        .collect_view();
    let rows = d
        .agreements
        .iter()
        .map(|a| agreement_row(a, can_edit, lang))
        .collect_view();
    let empty = d.agreements.is_empty();
    let assign_form = can_edit.then(|| view! {
        <form method="post" action=paths::ASSIGN_SPECIAL_AREA class="filters" aria-label=tr(lang, "register.assign_title")>
            <div class="field">
                <label for="a-officer">{tr(lang, "register.officer")}</label>
                <select id="a-officer" name="officer_id">{options(&d.officers, None, lang, Some("–".to_owned()))}</select>
            </div>
            <div class="field">
                <label for="a-area">{tr(lang, "register.area")}</label>
                <select id="a-area" name="special_area_id">{options(&d.special_areas, None, lang, Some("–".to_owned()))}</select>
            </div>
            <button type="submit" class="button">{tr(lang, "register.assign")}</button>
        </form>
    });
    let new_area_form = is_admin.then(|| view! {
        <form method="post" action=paths::SPECIAL_AREAS class="filters" aria-label=tr(lang, "register.new_area_title")>
            <div class="field">
                <label for="n-code">{tr(lang, "register.area_code")}</label>
                <input id="n-code" name="code" type="text" autocomplete="off" />
            </div>
            <div class="field">
                <label for="n-sv">{tr(lang, "register.area_sv")}</label>
                <input id="n-sv" name="name_sv" type="text" autocomplete="off" />
            </div>
            <div class="field">
                <label for="n-en">{tr(lang, "register.area_en")}</label>
                <input id="n-en" name="name_en" type="text" autocomplete="off" />
            </div>
            <button type="submit" class="button">{tr(lang, "register.add_area")}</button>
        </form>
    });
    let officer_items = d
        .officers_with_areas
        .iter()
        .map(|o| {
            let areas = o.areas.iter().map(|a| a.get(lang).to_owned()).collect::<Vec<_>>().join(", ");
            view! { <li><strong>{o.name.clone()}</strong>{format!(" ({}): {}", o.lpo_name, areas)}</li> }
        })
        .collect_view();
    let form = d.can_edit.then(|| {
        let (input, errors) = match posted {
            Some(p) => (p.input, p.errors),
            None => (d.draft.clone().unwrap_or_default(), Vec::new()),
        };
        agreement_form(&d, input, errors, lang)
    });
    view! {
        <h1>{tr(lang, "register.title")}</h1>
        <p class="lead">{tr(lang, "register.lead")}</p>
        {saved.then(|| view! { <p class="notice" role="status">{tr(lang, "register.saved")}</p> })}
        <form method="get" action=paths::REGISTER class="filters" aria-label=tr(lang, "register.filters")>
            <div class="field">
                <label for="f-kommun">{tr(lang, "register.municipality")}</label>
                <select id="f-kommun" name="kommun">
                    {options(&d.municipalities, filter.municipality_id, lang, Some(tr(lang, "form.all")))}
                </select>
            </div>
            <div class="field">
                <label for="f-omrade">{tr(lang, "register.area")}</label>
                <select id="f-omrade" name="omrade">
                    {options(&d.special_areas, filter.special_area_id, lang, Some(tr(lang, "form.all")))}
                </select>
            </div>
            <div class="field">
                <label for="f-status">{tr(lang, "register.status")}</label>
                <select id="f-status" name="status">
                    <option value="">{tr(lang, "form.all")}</option>
                    {status_opts}
                </select>
            </div>
            <div class="field check">
                <input type="checkbox" id="f-granskning" name="granskning" value="1" checked=filter.due_only />
                <label for="f-granskning">{tr(lang, "register.due_only")}</label>
            </div>
            <button type="submit" class="button">{tr(lang, "form.filter")}</button>
        </form>
        {if empty {
            view! { <p>{tr(lang, "register.none")}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "register.caption")>
                    <table class="register">
                        <caption class="visually-hidden">{tr(lang, "register.caption")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{tr(lang, "register.parties")}</th>
                                <th scope="col">{tr(lang, "register.area")}</th>
                                <th scope="col">{tr(lang, "register.purpose")}</th>
                                <th scope="col">{tr(lang, "register.review_on")}</th>
                                <th scope="col">{tr(lang, "register.status")}</th>
                                <th scope="col">{tr(lang, "register.contact")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
        {side_errors}
        <section aria-labelledby="officers-title">
            <h2 id="officers-title">{tr(lang, "register.officers_title")}</h2>
            <ul class="plain-list">{officer_items}</ul>
            {assign_form}
            {new_area_form}
        </section>
        {form}
    }
}

fn agreement_row(a: &Agreement, can_edit: bool, lang: Lang) -> impl IntoView + use<> {
    let status_form = can_edit.then(|| {
        let id = format!("st-{}", a.uid);
        let opts = AgreementStatus::ALL
            .into_iter()
            .map(|s| view! { <option value=s.code() selected=s == a.status>{tr(lang, &format!("status.{}", s.code()))}</option> })
            .collect_view();
        let label = crate::i18n::tr_with(lang, "register.status_for", &[("purpose", &a.purpose)]);
        view! {
            <form method="post" action=paths::fill(paths::AGREEMENT_STATUS, &[&a.uid]) class="status-form">
                <label for=id.clone() class="visually-hidden">{label}</label>
                <select id=id name="status">{opts}</select>
                <button type="submit" class="button small">{tr(lang, "register.change_status")}</button>
            </form>
        }
    });
    let parties = format!(
        "{} – {} kommun, {}",
        a.officer_name.clone().unwrap_or_else(|| a.lpo_name.clone()),
        a.municipality_name,
        a.municipal_unit_name
    );
    let due = a.due_for_review;
    view! {
        <tr data-agreement=a.uid.clone() class:due=due>
            <td>{parties}</td>
            <td>{a.special_area.get(lang).to_owned()}</td>
            <td>{a.purpose.clone()}</td>
            <td>
                {a.review_on.format("%Y-%m-%d").to_string()}
                {due.then(|| view! { <strong class="flag">{format!(" {}", tr(lang, "register.due"))}</strong> })}
            </td>
            <td>{tr(lang, &format!("status.{}", a.status.code()))}{status_form}</td>
            <td>{a.contact_person.clone()}</td>
        </tr>
    }
}

fn agreement_form(
    d: &RegisterData,
    input: AgreementInput,
    errors: Vec<(String, String)>,
    lang: Lang,
) -> impl IntoView + use<> {
    let err = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, k)| tr(lang, k))
    };
    let error_for = |field: &'static str| {
        err(field).map(|m| view! { <p id=format!("{field}-error") class="field-error">{m}</p> })
    };
    let described = |field: &str| err(field).map(|_| format!("{field}-error"));
    let invalid = |field: &str| err(field).is_some().to_string();
    let sel = |s: &str| s.trim().parse::<i64>().ok();
    let status = if input.status.is_empty() {
        "active".to_owned()
    } else {
        input.status.clone()
    };
    let status_opts = AgreementStatus::ALL
        .into_iter()
        .map(|s| view! { <option value=s.code() selected=status == s.code()>{tr(lang, &format!("status.{}", s.code()))}</option> })
        .collect_view();
    let summary = (!errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <p class="error-summary-title">{tr(lang, "form.errors_title")}</p>
            </div>
        }
    });
    view! {
        <section class="card" aria-labelledby="new-agreement">
            <h2 id="new-agreement">{tr(lang, "register.add_title")}</h2>
            {summary}
            <form method="post" action=paths::REGISTER class="stack-form" id="agreement-form" novalidate=true>
                <label class="q-label" for="municipal_unit_id">{tr(lang, "register.unit")}</label>
                {error_for("municipal_unit_id")}
                <select id="municipal_unit_id" name="municipal_unit_id" aria-describedby=described("municipal_unit_id") aria-invalid=invalid("municipal_unit_id")>
                    {options(&d.units, sel(&input.municipal_unit_id), lang, Some("–".to_owned()))}
                </select>
                <label class="q-label" for="special_area_id">{tr(lang, "register.area")}</label>
                {error_for("special_area_id")}
                <select id="special_area_id" name="special_area_id" aria-describedby=described("special_area_id") aria-invalid=invalid("special_area_id")>
                    {options(&d.special_areas, sel(&input.special_area_id), lang, Some("–".to_owned()))}
                </select>
                <label class="q-label" for="officer_id">{tr(lang, "register.officer")}</label>
                {error_for("officer_id")}
                <select id="officer_id" name="officer_id" aria-describedby=described("officer_id") aria-invalid=invalid("officer_id")>
                    {options(&d.officers, sel(&input.officer_id), lang, Some(tr(lang, "register.officer_none")))}
                </select>
                <label class="q-label" for="purpose">{tr(lang, "register.purpose")}</label>
                {error_for("purpose")}
                <textarea id="purpose" name="purpose" rows="3" aria-describedby=described("purpose") aria-invalid=invalid("purpose")>
                    {crate::textarea_text(&input.purpose)}
                </textarea>
                <div class="two-col">
                    <div>
                        <label class="q-label" for="starts_on">{tr(lang, "register.starts_on")}</label>
                        <p class="hint" id="starts_on-hint">{tr(lang, "register.date_hint")}</p>
                        {error_for("starts_on")}
                        <input id="starts_on" name="starts_on" type="text" inputmode="numeric" autocomplete="off" value=input.starts_on.clone()
                            aria-describedby=format!("starts_on-hint {}", described("starts_on").unwrap_or_default()) aria-invalid=invalid("starts_on") />
                    </div>
                    <div>
                        <label class="q-label" for="review_on">{tr(lang, "register.review_on")}</label>
                        <p class="hint" id="review_on-hint">{tr(lang, "register.date_hint")}</p>
                        {error_for("review_on")}
                        <input id="review_on" name="review_on" type="text" inputmode="numeric" autocomplete="off" value=input.review_on.clone()
                            aria-describedby=format!("review_on-hint {}", described("review_on").unwrap_or_default()) aria-invalid=invalid("review_on") />
                    </div>
                </div>
                <label class="q-label" for="contact_person">{tr(lang, "register.contact")}</label>
                {error_for("contact_person")}
                <input id="contact_person" name="contact_person" type="text" autocomplete="off" value=input.contact_person.clone()
                    aria-describedby=described("contact_person") aria-invalid=invalid("contact_person") />
                <label class="q-label" for="status">{tr(lang, "register.status")}</label>
                {error_for("status")}
                <select id="status" name="status" aria-invalid=invalid("status")>{status_opts}</select>
                <button type="submit" class="button primary">{tr(lang, "form.save")}</button>
            </form>
        </section>
    }
}
