//! The promise, for staff: the list of their LPO's promises and a form to draft one, and one
//! promise's page to sign it, move it on, change it (a new version once signed), add
//! activities with measurable targets and log progress. Every rule is checked on the server
//! (`db::promise`); a refused form comes back with its values and a message.

use crate::components::form::{PostedBuilderForm, banner, keeps_draft, posted_for, summary};
use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access_then, guarded};
use crate::paths;
use domain::Named;
use domain::promise::{PromiseDetail, PromiseRow, PromiseText, Signer, Status};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// Commitment slots the change form reads at most (the draft form shows three).
pub const MAX_COMMITMENT_SLOTS: usize = 6;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PromisesData {
    pub rows: Vec<PromiseRow>,
    /// Present when the reader may draft a promise for their LPO.
    pub new_form: Option<(Vec<Named>, Vec<Named>)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PromiseData {
    pub detail: PromiseDetail,
    pub may_edit: bool,
    /// The signatories of the version being signed that the reader may still sign as.
    pub signer: Vec<Signer>,
    /// The reader is a municipal partner of a covered municipality (logs their unit's
    /// progress).
    pub partner: bool,
    /// Activity owners: `(form value, label)`.
    pub owners: Vec<(String, String)>,
    /// The themes of the LPO's approved compilations (for a new version).
    pub themes: Vec<Named>,
    /// The LPO's agreements: `(id, purpose, linked to this promise)`.
    pub agreements: Vec<(i64, String, bool)>,
    /// Each activity's status, weight and full history (corrections included).
    #[serde(default)]
    pub records: Vec<domain::progress::ActivityRecord>,
}

#[server(endpoint = "staff/promises")]
pub async fn load_promises() -> Result<PromisesData, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::ReadPromises).await?;
    let st = state()?;
    let lpos = db::register::visible_lpos(&st.db, &p)
        .await
        .map_err(internal)?;
    let rows = db::promise::staff_list(&st.db, lpos.as_deref())
        .await
        .map_err(internal)?;
    let new_form = match p.scope_unit_id {
        Some(lpo) if db::promise::may_edit(&p, lpo) => {
            Some(db::promise::choices(&st.db, lpo).await.map_err(internal)?)
        }
        _ => None,
    };
    Ok(PromisesData { rows, new_form })
}

#[server(endpoint = "staff/promise")]
pub async fn load_promise(id: i64) -> Result<PromiseData, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::ReadPromises).await?;
    let st = state()?;
    let Some(detail) = db::promise::staff_detail(&st.db, id)
        .await
        .map_err(internal)?
    else {
        crate::ssr::set_status(404);
        return Err(AppError::NotFound);
    };
    let lpos = db::register::visible_lpos(&st.db, &p)
        .await
        .map_err(internal)?;
    if lpos.is_some_and(|l| !l.contains(&detail.lpo_id)) {
        crate::ssr::set_status(403);
        return Err(AppError::Forbidden);
    }
    let mut owners = vec![
        (
            format!("police_unit:{}", detail.lpo_id),
            detail.lpo_name.clone(),
        ),
        (format!("officer:{}", p.user_id), p.name.clone()),
    ];
    for m in &detail.municipalities {
        for u in db::org::children(&st.db, m.id, "unit")
            .await
            .map_err(internal)?
        {
            owners.push((
                format!("municipal_unit:{}", u.id),
                format!("{} {}", m.name.get(domain::Lang::Sv), u.name),
            ));
        }
    }
    let themes = db::promise::choices(&st.db, detail.lpo_id)
        .await
        .map_err(internal)?
        .1;
    let agreements = db::promise::agreement_choices(&st.db, id, detail.lpo_id)
        .await
        .map_err(internal)?;
    let records = db::progress::records(&st.db, id).await.map_err(internal)?;
    Ok(PromiseData {
        records,
        agreements,
        may_edit: db::promise::may_edit(&p, detail.lpo_id),
        signer: db::promise::signer_for(&st.db, &p, id)
            .await
            .map_err(internal)?,
        partner: db::promise::partner_of(&st.db, &p, id)
            .await
            .map_err(internal)?,
        detail,
        owners,
        themes,
    })
}

fn pct(p: f64) -> String {
    format!("{:.0} %", p.floor())
}

fn refused_page(lang: Lang, e: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(e.status());
    view! {
        <h1>{tr(lang, "promises.title")}</h1>
        <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
    }
    .into_any()
}

#[component]
pub fn PromisesPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedBuilderForm>();
    view! {
        <Page>
            <Title text=tr(lang, "promises.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::ReadPromises, load_promises).await;
                    guarded(lang, paths::PROMISES, who, move |_| match data {
                        Ok(d) => list_body(d, lang, posted).into_any(),
                        Err(e) => refused_page(lang, e),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn get(values: &[(String, String)], field: &str) -> String {
    values
        .iter()
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn has(values: &[(String, String)], field: &str, value: i64) -> bool {
    let value = value.to_string();
    values.iter().any(|(k, v)| k == field && *v == value)
}

/// The form values of a promise's current text (the change form starts from them).
fn text_values(t: &PromiseText) -> Vec<(String, String)> {
    let mut v = vec![
        ("title_sv".to_owned(), t.title.get(Lang::Sv).to_owned()),
        ("title_en".to_owned(), t.title.get(Lang::En).to_owned()),
        ("body_sv".to_owned(), t.body.get(Lang::Sv).to_owned()),
        ("body_en".to_owned(), t.body.get(Lang::En).to_owned()),
    ];
    for (i, c) in t.commitments.iter().enumerate() {
        let n = i + 1;
        if let Some(id) = c.id {
            v.push((format!("c{n}_id"), id.to_string()));
        }
        v.push((format!("c{n}_text"), c.text.get(Lang::Sv).to_owned()));
        v.push((format!("c{n}_text_en"), c.text.get(Lang::En).to_owned()));
        v.push((format!("c{n}_weight"), c.weight.to_string()));
        for th in &c.theme_ids {
            v.push((format!("c{n}_theme"), th.to_string()));
        }
    }
    v
}

/// The optional signatories a promise of `municipalities` may name: the community officer,
/// and each municipality's board chair and director.
fn optional_signers(municipalities: &[Named]) -> Vec<(Signer, String)> {
    let mut out = vec![(Signer::CommunityOfficer, String::new())];
    for m in municipalities {
        let name = m.name.get(Lang::Sv).to_owned();
        out.push((Signer::BoardChair(m.id), name.clone()));
        out.push((Signer::MunicipalDirector(m.id), name));
    }
    out
}

/// The form values of the named optional signatories.
fn signatory_values(required: &[Signer]) -> Vec<(String, String)> {
    required
        .iter()
        .filter(|s| !matches!(s, Signer::Police | Signer::Municipality(_)))
        .map(|s| ("signatory".to_owned(), s.code()))
        .collect()
}

/// Who signs, beside the police and each municipality (always): checkboxes `signatory`.
fn signatory_fields(
    lang: Lang,
    key: &'static str,
    municipalities: &[Named],
    values: &[(String, String)],
) -> AnyView {
    let items = optional_signers(municipalities)
        .into_iter()
        .map(|(s, of)| {
            let code = s.code();
            let id = format!("{key}-sig-{}", code.replace(':', "-"));
            let for_id = id.clone();
            let checked = values.iter().any(|(k, v)| k == "signatory" && *v == code);
            let label = if of.is_empty() {
                tr(lang, s.role_key())
            } else {
                format!("{}, {of}", tr(lang, s.role_key()))
            };
            view! {
                <label class="choice" for=for_id>
                    <input type="checkbox" id=id name="signatory" value=code checked=checked />" "{label}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field">
            <legend class="q-label">{tr(lang, "promises.signatories")}</legend>
            <p class="muted">{tr(lang, "promises.signatories_lead")}</p>
            <input type="hidden" name="signatories_form" value="1" />
            {items}
        </fieldset>
    }
    .into_any()
}

/// Checkboxes `name` = each item's id, checked as in `values`; element ids start with `key`.
fn boxes(
    lang: Lang,
    name: String,
    items: &[Named],
    key: String,
    values: &[(String, String)],
) -> AnyView {
    items
        .iter()
        .map(|n| {
            let id = format!("{key}-{}", n.id);
            let for_id = id.clone();
            let checked = has(values, &name, n.id);
            view! {
                <label class="choice" for=for_id>
                    <input type="checkbox" id=id name=name.clone() value=n.id checked=checked />" "{n.name.get(lang).to_owned()}
                </label>
            }
        })
        .collect_view()
        .into_any()
}

/// The text fields of a promise (draft and change forms share them): title and body in
/// Swedish and English, and `slots` commitments, each with its text, weight and themes.
fn text_fields(
    lang: Lang,
    key: &'static str,
    values: &[(String, String)],
    themes: &[Named],
    slots: usize,
) -> AnyView {
    let commitments = (1..=slots)
        .map(|i| {
            let id = |f: &str| format!("{key}-c{i}-{f}");
            let hidden_id = get(values, &format!("c{i}_id"));
            view! {
                <fieldset class="field">
                    <legend class="q-label">{tr_with(lang, "promises.commitment_n", &[("n", &i.to_string())])}</legend>
                    {(!hidden_id.is_empty()).then(|| view! { <input type="hidden" name=format!("c{i}_id") value=hidden_id.clone() /> })}
                    <label for=id("text")>{tr(lang, "promises.commitment_text")}</label>
                    <input id=id("text") name=format!("c{i}_text") type="text" value=get(values, &format!("c{i}_text")) />
                    <label for=id("text-en")>{tr(lang, "promises.commitment_text_en")}</label>
                    <input id=id("text-en") name=format!("c{i}_text_en") type="text" lang="en" value=get(values, &format!("c{i}_text_en")) />
                    <label for=id("weight")>{tr(lang, "promises.weight")}</label>
                    <input id=id("weight") name=format!("c{i}_weight") type="number" min="0.1" step="0.1" class="narrow"
                        value={ let w = get(values, &format!("c{i}_weight")); if w.is_empty() { "1".to_owned() } else { w } } />
                    <fieldset class="theme-choices">
                        <legend>{tr(lang, "promises.themes")}</legend>
                        {boxes(lang, format!("c{i}_theme"), themes, id("t"), values)}
                    </fieldset>
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label class="q-label" for=format!("{key}-title")>{tr(lang, "promises.title_sv")}</label>
            <input id=format!("{key}-title") name="title_sv" type="text" value=get(values, "title_sv") />
        </div>
        <div class="field">
            <label class="q-label" for=format!("{key}-title-en")>{tr(lang, "promises.title_en")}</label>
            <input id=format!("{key}-title-en") name="title_en" type="text" lang="en" value=get(values, "title_en") />
        </div>
        <div class="field">
            <label class="q-label" for=format!("{key}-body")>{tr(lang, "promises.body_sv")}</label>
            <textarea id=format!("{key}-body") name="body_sv" rows="3">{crate::textarea_text(&get(values, "body_sv"))}</textarea>
        </div>
        <div class="field">
            <label class="q-label" for=format!("{key}-body-en")>{tr(lang, "promises.body_en")}</label>
            <textarea id=format!("{key}-body-en") name="body_en" rows="3" lang="en">{crate::textarea_text(&get(values, "body_en"))}</textarea>
        </div>
        {commitments}
    }
    .into_any()
}

fn list_body(d: PromisesData, lang: Lang, posted: Option<PostedBuilderForm>) -> AnyView {
    let rows = d
        .rows
        .iter()
        .map(|r| {
            view! {
                <tr data-promise=r.id>
                    <th scope="row"><a href=paths::staff_promise(r.id)>{r.title.get(lang).to_owned()}</a></th>
                    <td>{r.lpo_name.clone()}</td>
                    <td>{tr(lang, &format!("promise.status.{}", r.status.code()))}</td>
                    <td class="num">{r.version}{r.revision.map(|v| format!(" (→ {v})"))}</td>
                    <td class="num">{pct(r.percent)}</td>
                </tr>
            }
        })
        .collect_view();
    let form = d.new_form.map(|(municipalities, themes)| {
        let post = posted_for(&posted, "promise-new");
        let values = post.as_ref().map(|p| p.values.clone()).unwrap_or_default();
        view! {
            <section class="card" aria-labelledby="new-promise-h">
                <h2 id="new-promise-h">{tr(lang, "promises.new")}</h2>
                <p>{tr(lang, "promises.new_lead")}</p>
                {summary(lang, &post)}
                <form method="post" action=paths::PROMISES id="promise-form" novalidate=true>
                    {keeps_draft("promise-new", paths::PROMISES)}
                    <div class="field">
                        <label class="q-label" for="p-from">{tr(lang, "promises.from")}</label>
                        <input id="p-from" name="from" type="date" value=get(&values, "from") />
                        <label class="q-label" for="p-to">{tr(lang, "promises.to")}</label>
                        <input id="p-to" name="to" type="date" value=get(&values, "to") />
                    </div>
                    <fieldset class="field">
                        <legend class="q-label">{tr(lang, "promise.municipality")}</legend>
                        {boxes(lang, "municipality".to_owned(), &municipalities, "m".to_owned(), &values)}
                    </fieldset>
                    {text_fields(lang, "new", &values, &themes, 3)}
                    {signatory_fields(lang, "new", &municipalities, &values)}
                    <button type="submit" class="button">{tr(lang, "promises.create")}</button>
                </form>
            </section>
        }
    });
    let restored = banner(lang, &posted);
    view! {
        <h1>{tr(lang, "promises.title")}</h1>
        {restored}
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="promises-caption">
            <table>
                <caption id="promises-caption">{tr(lang, "promises.caption")}</caption>
                <thead><tr>
                    <th scope="col">{tr(lang, "promises.promise")}</th>
                    <th scope="col">{tr(lang, "builder.lpo")}</th>
                    <th scope="col">{tr(lang, "promise.status")}</th>
                    <th scope="col" class="num">{tr(lang, "promise.version")}</th>
                    <th scope="col" class="num">{tr(lang, "promise.overall")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {form}
    }
    .into_any()
}

#[component]
pub fn PromiseStaffPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedBuilderForm>();
    let id = use_params_map()
        .read_untracked()
        .get("promise")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    view! {
        <Page>
            <Title text=tr(lang, "promises.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::ReadPromises, || load_promise(id)).await;
                    guarded(lang, paths::PROMISES, who, move |_| match data {
                        Ok(d) => detail_body(d, lang, posted).into_any(),
                        Err(e) => refused_page(lang, e),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn detail_body(d: PromiseData, lang: Lang, posted: Option<PostedBuilderForm>) -> AnyView {
    let p = &d.detail;
    let message = posted
        .as_ref()
        .and_then(|x| x.message.clone().or_else(|| x.errors.first().map(|(_, k)| k.clone())))
        .map(|k| view! { <div class="error-summary" role="alert" tabindex="-1" id="refused"><p>{tr(lang, &k)}</p></div> });
    let municipality_name = |s: &Signer| {
        s.municipality()
            .and_then(|m| p.municipalities.iter().find(|n| n.id == m))
            .map(|n| format!(" ({})", n.name.get(lang)))
            .unwrap_or_default()
    };
    // Every named signatory of the version being signed, signed or awaited.
    let signed = p
        .required
        .iter()
        .map(|r| {
            let role = format!("{}{}", tr(lang, r.role_key()), municipality_name(r));
            let done = p.signed.iter().find(|s| s.signer == *r);
            let state = if done.is_some() { "signed" } else { "awaiting" };
            let line = match done {
                Some(s) => format!(
                    "{}: {}, {}",
                    tr(lang, "promises.has_signed"),
                    s.name,
                    s.on
                ),
                None => tr(lang, "promises.awaiting"),
            };
            view! { <li data-signer=r.code() data-state=state><strong>{role}</strong>" – "{line}</li> }
        })
        .collect_view();
    let sign = d
        .signer
        .iter()
        .map(|s| {
            let role = format!("{}{}", tr(lang, s.role_key()), municipality_name(s));
            view! {
                <form method="post" action=paths::fill(paths::SIGN_PROMISE, &[&p.id])>
                    <input type="hidden" name="as" value=s.code() />
                    <button type="submit" class="button">{tr_with(lang, "promises.sign_as", &[("role", &role)])}</button>
                </form>
            }
        })
        .collect_view();
    let revision = p.in_force.filter(|v| *v != p.version).map(|v| {
        view! {
            <p class="notice" id="revision-note">
                {tr_with(lang, "promises.revision_under_way", &[("in_force", &v.to_string()), ("version", &p.version.to_string())])}
            </p>
        }
    });
    let next = match p.status {
        Status::Agreed => Some(Status::Active),
        Status::Active => Some(Status::FollowedUp),
        Status::FollowedUp => Some(Status::Closed),
        _ => None,
    };
    let advance = next.filter(|_| d.may_edit).map(|n| {
        view! {
            <form method="post" action=paths::fill(paths::ADVANCE_PROMISE, &[&p.id])>
                <input type="hidden" name="to" value=n.code() />
                <button type="submit" class="button">
                    {tr_with(lang, "promises.advance", &[("to", &tr(lang, &format!("promise.status.{}", n.code())))])}
                </button>
            </form>
        }
    });
    let change = (d.may_edit && p.status != Status::Closed).then(|| {
        let post = posted_for(&posted, "promise-edit");
        let open = post.is_some();
        let values = post.map(|x| x.values).unwrap_or_else(|| {
            let mut v = text_values(&p.text);
            v.extend(signatory_values(&p.required));
            v
        });
        let slots = (p.text.commitments.len() + 1).min(MAX_COMMITMENT_SLOTS);
        let lead = if p.signed.is_empty() && p.in_force.is_none() {
            "promises.change_lead_draft"
        } else {
            "promises.change_lead_signed"
        };
        view! {
            <details class="card" id="change" open=open>
                <summary>{tr(lang, "promises.change")}</summary>
                <p>{tr(lang, lead)}</p>
                <form method="post" action=paths::fill(paths::EDIT_PROMISE, &[&p.id]) novalidate=true>
                    {keeps_draft("promise-edit", &paths::staff_promise(p.id))}
                    {text_fields(lang, "edit", &values, &d.themes, slots)}
                    {signatory_fields(lang, "edit", &p.municipalities, &values)}
                    <button type="submit" class="button">{tr(lang, "promises.save_change")}</button>
                </form>
            </details>
        }
    });
    let linked: Vec<&(i64, String, bool)> = d.agreements.iter().filter(|a| a.2).collect();
    let agreements = if d.may_edit && !d.agreements.is_empty() {
        let items = d
            .agreements
            .iter()
            .map(|(id, purpose, on)| {
                let el = format!("agreement-{id}");
                let for_el = el.clone();
                view! {
                    <div class="field check">
                        <input type="checkbox" id=el name="agreement" value=*id checked=*on />
                        <label for=for_el>{purpose.clone()}</label>
                    </div>
                }
            })
            .collect_view();
        Some(
            view! {
                <form method="post" action=paths::fill(paths::LINK_AGREEMENTS, &[&p.id])>
                    <fieldset class="field">
                        <legend class="q-label">{tr(lang, "promises.agreements_pick")}</legend>
                        {items}
                    </fieldset>
                    <button type="submit" class="button small">{tr(lang, "promises.agreements_save")}</button>
                </form>
            }
            .into_any(),
        )
    } else if linked.is_empty() {
        None
    } else {
        let items = linked
            .iter()
            .map(|(_, purpose, _)| view! { <li>{purpose.clone()}</li> })
            .collect_view();
        Some(view! { <ul>{items}</ul> }.into_any())
    };
    let agreements = agreements.map(|body| {
        view! {
            <section class="card" aria-labelledby="agreements-h">
                <h2 id="agreements-h">{tr(lang, "promises.agreements")}</h2>
                {body}
            </section>
        }
    });
    let owners = d.owners.clone();
    let commitments = p
        .commitments
        .iter()
        .map(|c| {
            let activities = c
                .activities
                .iter()
                .map(|a| {
                    let log = (d.may_edit || d.partner).then(|| {
                        let day_id = format!("a{}-day", a.id);
                        let day_for = day_id.clone();
                        let amount_id = format!("a{}-amount", a.id);
                        let amount_for = amount_id.clone();
                        let text_id = format!("a{}-text", a.id);
                        let text_for = text_id.clone();
                        view! {
                            <form method="post" class="filters" action=paths::fill(paths::LOG_PROGRESS, &[&p.id, &a.id])>
                                <div class="field"><label for=day_for>{tr(lang, "promises.on_day")}</label>
                                    <input id=day_id name="on_day" type="date" /></div>
                                <div class="field"><label for=amount_for>{tr_with(lang, "promises.amount", &[("unit", &a.unit)])}</label>
                                    <input id=amount_id name="amount" type="number" min="0" step="any" /></div>
                                <div class="field"><label for=text_for>{tr(lang, "promises.progress_text")}</label>
                                    <input id=text_id name="text" type="text" /></div>
                                <button type="submit" class="button small">{tr(lang, "promises.log")}</button>
                            </form>
                        }
                    });
                    let record = d.records.iter().find(|r| r.activity_id == a.id);
                    let may_log = d.may_edit || d.partner;
                    let edit = d.may_edit.then(|| {
                        activity_edit_form(p.id, a, record.map(|r| r.weight).unwrap_or(1.0), &owners, &posted, lang)
                    });
                    view! {
                        <li class="activity" data-activity=a.id id=format!("activity-{}", a.id)>
                            <p><strong>{a.title.clone()}</strong>" – "
                                {tr_with(lang, "promise.of_target", &[("done", &format!("{}", a.achieved)), ("target", &format!("{}", a.target)), ("unit", &a.unit)])}
                                " · "{pct(a.percent)}" · "{tr(lang, "promise.due")}" "{a.due_on.to_string()}
                                {record.map(|r| record_facts(r, lang))}</p>
                            {edit}
                            {record.map(|r| record_forms(r, p.id, a.id, &a.unit, d.may_edit, may_log, &posted, lang))}
                            {log}
                        </li>
                    }
                })
                .collect_view();
            let add = d.may_edit.then(|| {
                // A refused (or signed-out) add comes back open, with what was typed.
                let post = posted_for(&posted, "activity")
                    .filter(|x| get(&x.values, "commitment") == c.id.to_string());
                let open = post.is_some();
                let values = post.as_ref().map(|x| x.values.clone()).unwrap_or_default();
                let typed = |field: &str, default: &str| match get(&values, field) {
                    v if v.is_empty() && !open => default.to_owned(),
                    v => v,
                };
                let owner_now = get(&values, "owner");
                let owner_options = owners
                    .iter()
                    .map(|(v, l)| view! { <option value=v.clone() selected=*v == owner_now>{l.clone()}</option> })
                    .collect_view();
                let prefix = format!("c{}", c.id);
                view! {
                    <details class="card" open=open>
                        <summary>{tr(lang, "promises.add_activity")}</summary>
                        {summary(lang, &post)}
                        <form method="post" action=paths::fill(paths::ADD_ACTIVITY, &[&p.id])>
                            {keeps_draft("activity", &paths::staff_promise(p.id))}
                            <input type="hidden" name="commitment" value=c.id />
                            <div class="field"><label for=format!("{prefix}-title")>{tr(lang, "promises.activity_title")}</label>
                                <input id=format!("{prefix}-title") name="title" type="text" value=typed("title", "") /></div>
                            <div class="field"><label for=format!("{prefix}-owner")>{tr(lang, "promises.owner")}</label>
                                <select id=format!("{prefix}-owner") name="owner">{owner_options}</select></div>
                            <div class="field"><label for=format!("{prefix}-target")>{tr(lang, "promises.target")}</label>
                                <input id=format!("{prefix}-target") name="target" type="number" step="any" value=typed("target", "") /></div>
                            <div class="field"><label for=format!("{prefix}-unit")>{tr(lang, "promises.unit")}</label>
                                <input id=format!("{prefix}-unit") name="unit" type="text" value=typed("unit", "") /></div>
                            <div class="field"><label for=format!("{prefix}-due")>{tr(lang, "promises.due_on")}</label>
                                <input id=format!("{prefix}-due") name="due_on" type="date" value=typed("due_on", "") /></div>
                            <div class="field"><label for=format!("{prefix}-weight")>{tr(lang, "promises.activity_weight")}</label>
                                <input id=format!("{prefix}-weight") name="weight" type="number" min="0.1" step="0.1" value=typed("weight", "1") class="narrow" /></div>
                            <button type="submit" class="button">{tr(lang, "promises.add_activity")}</button>
                        </form>
                    </details>
                }
            });
            view! {
                <article class="card commitment" data-commitment=c.id>
                    <h3>{c.text.get(lang).to_owned()}</h3>
                    <p>{pct(c.percent)}</p>
                    <ul class="activities">{activities}</ul>
                    {add}
                </article>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <p><a href=paths::PROMISES>{tr(lang, "promises.back")}</a></p>
        <h1>{p.text.title.get(lang).to_owned()}</h1>
        {message}
        <dl class="facts">
            <dt>{tr(lang, "promise.status")}</dt>
            <dd id="promise-status" data-status=p.status.code()>{tr(lang, &format!("promise.status.{}", p.status.code()))}" ("{tr(lang, "promise.version")}" "{p.in_force.unwrap_or(p.version)}")"</dd>
            <dt>{tr(lang, "promise.period")}</dt><dd>{p.period_from.to_string()}" – "{p.period_to.to_string()}</dd>
            <dt>{tr(lang, "promise.overall")}</dt><dd>{pct(p.percent)}</dd>
        </dl>
        {revision}
        <p class="lead">{p.text.body.get(lang).to_owned()}</p>
        <ul class="signed" id="sign-offs">{signed}</ul>
        {sign}
        {advance}
        {change}
        <section aria-labelledby="commitments-h">
            <h2 id="commitments-h">{tr(lang, "promise.commitments")}</h2>
            {commitments}
        </section>
        {agreements}
    }
    .into_any()
}

/// Under an activity, for its editors: its fields in a form that opens on demand (and comes
/// back open, with the values typed, when refused). The version is always the stored one, so
/// saving again after a conflict replaces what is stored, on purpose.
fn activity_edit_form(
    promise: i64,
    a: &domain::promise::ActivityLine,
    weight: f64,
    owners: &[(String, String)],
    posted: &Option<PostedBuilderForm>,
    lang: Lang,
) -> AnyView {
    let post = posted_for(posted, &format!("edit-{}", a.id));
    let open = post.is_some();
    let values = post.map(|p| p.values).unwrap_or_default();
    let value = |field: &str, stored: String| if open { get(&values, field) } else { stored };
    let owner_now = value("owner", format!("{}:{}", a.owner_kind, a.owner_id));
    let owner_options = owners
        .iter()
        .map(|(v, l)| view! { <option value=v.clone() selected=*v == owner_now>{l.clone()}</option> })
        .collect_view();
    let id = |f: &str| format!("a{}-edit-{f}", a.id);
    view! {
        <details class="inline-form" open=open>
            <summary>{tr(lang, "promises.edit_activity")}</summary>
            <form method="post" action=paths::fill(paths::EDIT_ACTIVITY, &[&promise, &a.id])>
                <input type="hidden" name="version" value=a.version.to_string() />
                {keeps_draft(&format!("edit-{}", a.id), &paths::staff_promise(promise))}
                <div class="field"><label for=id("title")>{tr(lang, "promises.activity_title")}</label>
                    <input id=id("title") name="title" type="text" value=value("title", a.title.clone()) /></div>
                <div class="field"><label for=id("owner")>{tr(lang, "promises.owner")}</label>
                    <select id=id("owner") name="owner">{owner_options}</select></div>
                <div class="field"><label for=id("target")>{tr(lang, "promises.target")}</label>
                    <input id=id("target") name="target" type="number" step="any" value=value("target", format!("{}", a.target)) /></div>
                <div class="field"><label for=id("unit")>{tr(lang, "promises.unit")}</label>
                    <input id=id("unit") name="unit" type="text" value=value("unit", a.unit.clone()) /></div>
                <div class="field"><label for=id("due")>{tr(lang, "promises.due_on")}</label>
                    <input id=id("due") name="due_on" type="date" value=value("due_on", a.due_on.to_string()) /></div>
                <div class="field"><label for=id("weight")>{tr(lang, "promises.activity_weight")}</label>
                    <input id=id("weight") name="weight" type="number" min="0.1" step="0.1" class="narrow" value=value("weight", format!("{weight}")) /></div>
                <button type="submit" class="button small">{tr(lang, "promises.save_activity")}</button>
            </form>
        </details>
    }
    .into_any()
}

/// An activity's weight, its status (as shown) and, when cancelled, the reason.
fn record_facts(r: &domain::progress::ActivityRecord, lang: Lang) -> AnyView {
    use domain::progress::ActivityStatus;
    let reason = (r.shown == ActivityStatus::Cancelled)
        .then(|| r.status_reason.clone())
        .flatten()
        .map(|why| view! { " "<span class="cancelled-reason">{tr_with(lang, "promise.cancelled_reason", &[("reason", &why)])}</span> });
    view! {
        " · "{tr_with(lang, "promise.weight_n", &[("w", &format!("{}", r.weight))])}" "
        <span class="badge small" data-activity-status=r.shown.code()>{tr(lang, &format!("promise.activity_status.{}", r.shown.code()))}</span>
        {reason}
    }
    .into_any()
}

/// Under an activity: the status form (editors), and every logged entry with a "Rätta" form
/// on the ones that count now (who may log). A refused form comes back open with its values.
#[allow(clippy::too_many_arguments)]
fn record_forms(
    r: &domain::progress::ActivityRecord,
    promise: i64,
    activity: i64,
    unit: &str,
    may_edit: bool,
    may_log: bool,
    posted: &Option<PostedBuilderForm>,
    lang: Lang,
) -> AnyView {
    use domain::progress::ActivityStatus;
    let status = may_edit.then(|| {
        let post = posted_for(posted, &format!("status-{activity}"));
        let open = post.is_some();
        let values = post.map(|p| p.values).unwrap_or_default();
        let chosen = match get(&values, "status") {
            // The status as shown: progress may have moved a planned one on.
            v if v.is_empty() => r.shown.code().to_owned(),
            v => v,
        };
        let reason = match get(&values, "reason") {
            v if v.is_empty() => r.status_reason.clone().unwrap_or_default(),
            v => v,
        };
        let options = ActivityStatus::ALL
            .into_iter()
            .map(|st| {
                view! {
                    <option value=st.code() selected=st.code() == chosen>
                        {tr(lang, &format!("promise.activity_status.{}", st.code()))}
                    </option>
                }
            })
            .collect_view();
        let sid = format!("a{activity}-status");
        let rid = format!("a{activity}-status-reason");
        view! {
            <details class="inline-form" open=open>
                <summary>{tr(lang, "promises.status_change")}</summary>
                <form method="post" class="filters" action=paths::fill(paths::ACTIVITY_STATUS, &[&promise, &activity])>
                    <div class="field"><label for=sid.clone()>{tr(lang, "promises.status_label")}</label>
                        <select id=sid name="status">{options}</select></div>
                    <div class="field"><label for=rid.clone()>{tr(lang, "promises.status_reason")}</label>
                        <input id=rid name="reason" type="text" maxlength="500" value=reason /></div>
                    <button type="submit" class="button small">{tr(lang, "promises.save_status")}</button>
                </form>
            </details>
        }
    });
    let entries = r
        .entries
        .iter()
        .map(|u| {
            let gone = u.superseded.is_some();
            let form = (may_log && !gone).then(|| {
                let post = posted_for(posted, &format!("correct-{}", u.id));
                let open = post.is_some();
                let values = post.map(|p| p.values).unwrap_or_default();
                let amount = match get(&values, "amount") {
                    v if v.is_empty() && !open => format!("{}", u.amount),
                    v => v,
                };
                let id = |f: &str| format!("e{}-{f}", u.id);
                view! {
                    <details class="inline-form" open=open>
                        <summary>{tr(lang, "promises.correct")}</summary>
                        <p class="muted">{tr(lang, "promises.correct_lead")}</p>
                        <form method="post" class="filters" action=paths::fill(paths::CORRECT_PROGRESS, &[&promise, &u.id])>
                            <div class="field"><label for=id("amount")>{tr_with(lang, "promises.correct_amount", &[("unit", unit)])}</label>
                                <input id=id("amount") name="amount" type="number" min="0" step="any" value=amount /></div>
                            <div class="field"><label for=id("text")>{tr(lang, "promises.correct_text")}</label>
                                <input id=id("text") name="text" type="text" value=get(&values, "text") /></div>
                            <div class="field"><label for=id("reason")>{tr(lang, "promises.correct_reason")}</label>
                                <input id=id("reason") name="reason" type="text" maxlength="500" required=true value=get(&values, "reason") /></div>
                            <button type="submit" class="button small">{tr(lang, "promises.save_correction")}</button>
                        </form>
                    </details>
                }
            });
            view! {
                <li id=format!("entry-{}", u.id) data-entry=u.id class:superseded=gone class:correction=u.corrects.is_some()>
                    <time datetime=u.on.to_string()>{u.on.to_string()}</time>": "{u.text.clone()}
                    " (+"{format!("{}", u.amount)}" "{u.unit.clone()}")"
                    {gone.then(|| view! { " "<span class="badge small">{tr(lang, "promise.superseded")}</span> })}
                    {crate::pages::promise::correction_note(u, lang)}
                    {form}
                </li>
            }
        })
        .collect_view();
    let history = (!r.entries.is_empty()).then(|| {
        view! {
            <p class="q-label">{tr(lang, "promises.history")}</p>
            <ul class="updates">{entries}</ul>
        }
    });
    view! { {status}{history} }.into_any()
}
