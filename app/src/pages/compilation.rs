//! The compilation (*sammanställning*) of a dialogue: the working draft, the quotes the officer
//! picks, the manager's approval (a frozen, versioned snapshot), earlier versions, and the
//! exports (CSV, XLSX, JSON). Prints on A4 (the print stylesheet hides navigation and forms).

use crate::components::figures::{cell, distribution, hidden};
use crate::components::form::{PostedBuilderForm, posted_for, summary};
use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access_then, guarded};
use crate::paths;
use domain::compilation::{Compilation, MAX_QUOTES, Quote};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CompilationData {
    /// The version asked for, or the working draft.
    pub shown: Compilation,
    /// Approved versions: `(version, approved at, approved by)`, newest first.
    pub versions: Vec<(i32, chrono::DateTime<chrono::Utc>, String)>,
    pub quotable: Vec<Quote>,
    pub may_edit: bool,
    pub may_approve: bool,
    /// The LPO's retention of raw free text, in days after the first approval.
    pub retention_days: i32,
    /// When the raw free text is deleted (`None` until a version is approved).
    pub retention_due: Option<chrono::DateTime<chrono::Utc>>,
}

/// The compilation of a dialogue (`version` 0: the working draft).
#[server(endpoint = "staff/compilation")]
pub async fn load_compilation(dialogue_id: i64, version: i32) -> Result<CompilationData, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::SeeAnswers).await?;
    let st = state()?;
    let Some(lpo) = db::dashboard::lpo_of(&st.db, dialogue_id)
        .await
        .map_err(internal)?
    else {
        crate::ssr::set_status(404);
        return Err(AppError::NotFound);
    };
    let lpos = db::register::visible_lpos(&st.db, &p)
        .await
        .map_err(internal)?;
    if lpos.is_some_and(|l| !l.contains(&lpo)) {
        crate::ssr::set_status(403);
        return Err(AppError::Forbidden);
    }
    let approved = db::compilation::approved(&st.db, dialogue_id)
        .await
        .map_err(internal)?;
    let versions = approved
        .iter()
        .filter_map(|c| Some((c.version?, c.approved_at?, c.approved_by.clone()?)))
        .collect();
    let shown = if version > 0 {
        approved
            .into_iter()
            .find(|c| c.version == Some(version))
            .ok_or_else(|| {
                crate::ssr::set_status(404);
                AppError::NotFound
            })?
    } else {
        db::compilation::draft(&st.db, dialogue_id, st.clock.now())
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?
    };
    let may_edit = p.may(domain::Permission::Code);
    let quotable = if may_edit && version == 0 {
        db::compilation::quotable(&st.db, dialogue_id, 30)
            .await
            .map_err(internal)?
    } else {
        Vec::new()
    };
    let retention_days = db::retention::days(&st.db, lpo).await.map_err(internal)?;
    let retention_due = db::retention::due_at(&st.db, dialogue_id)
        .await
        .map_err(internal)?;
    Ok(CompilationData {
        shown,
        versions,
        quotable,
        may_edit,
        may_approve: db::compilation::may_approve(&p),
        retention_days,
        retention_due,
    })
}

#[component]
pub fn CompilationPage() -> impl IntoView {
    let lang = current_lang();
    let id = use_params_map()
        .read_untracked()
        .get("dialogue")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    let version = use_query_map()
        .read_untracked()
        .get("version")
        .and_then(|s| s.parse::<i32>().ok())
        .unwrap_or(0);
    let posted = use_context::<PostedBuilderForm>();
    view! {
        <Page>
            <Title text=tr(lang, "compilation.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::SeeAnswers, || load_compilation(id, version)).await;
                    guarded(lang, paths::STAFF, who, move |_| match data {
                        Ok(c) => body(c, lang, posted).into_any(),
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(e.status());
                            view! {
                                <h1>{tr(lang, "compilation.title")}</h1>
                                <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
                            }
                            .into_any()
                        }
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn body(data: CompilationData, lang: Lang, posted: Option<PostedBuilderForm>) -> AnyView {
    let c = &data.shown;
    let base = paths::compilation(c.dialogue_id);
    let refused = summary(lang, &posted);
    let retention = retention(&data, c.dialogue_id, lang, posted_for(&posted, "retention"));
    let status = match (c.version, c.approved_at, &c.approved_by) {
        (Some(v), Some(at), Some(by)) => tr_with(
            lang,
            "compilation.approved",
            &[
                ("version", &v.to_string()),
                ("at", &domain::time::format_stockholm(at)),
                ("by", by),
            ],
        ),
        _ => tr(lang, "compilation.draft"),
    };
    let query = c
        .version
        .map(|v| format!("?version={v}"))
        .unwrap_or_default();
    let exports = ["csv", "xlsx", "json"]
        .into_iter()
        .map(|f| {
            view! { <li><a href=format!("{}{query}", paths::fill(paths::EXPORT, &[&c.dialogue_id, &f])) download="">{f.to_uppercase()}</a></li> }
        })
        .collect_view();
    let versions = data
        .versions
        .iter()
        .map(|(v, at, by)| {
            let label = tr_with(
                lang,
                "compilation.version_line",
                &[
                    ("version", &v.to_string()),
                    ("at", &domain::time::format_stockholm(*at)),
                    ("by", by),
                ],
            );
            view! { <li><a href=format!("{base}?version={v}")>{label}</a></li> }
        })
        .collect_view();
    let approve = (data.may_approve && c.version.is_none()).then(|| {
        view! {
            <form method="post" action=paths::fill(paths::APPROVE, &[&c.dialogue_id]) class="no-print">
                <button type="submit" class="button">{tr(lang, "compilation.approve")}</button>
            </form>
        }
    });
    let reach = c
        .reach
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{r.group_name.get(lang).to_owned()}</th>
                    <td class="num">{r.target}</td>
                    <td class="num">{cell(r.count, lang)}</td>
                    <td class="num">{r.percent.map(|p| format!("{p} %")).unwrap_or_else(|| hidden(lang))}</td>
                </tr>
            }
        })
        .collect_view();
    let group_heads = c
        .groups
        .iter()
        .map(|g| view! { <th scope="col" class="num">{g.get(lang).to_owned()}</th> })
        .collect_view();
    let themes = c
        .themes
        .iter()
        .map(|t| {
            view! {
                <tr data-theme=t.code.clone()>
                    <th scope="row">{t.name.get(lang).to_owned()}</th>
                    <td class="num">{cell(t.overall, lang)}</td>
                    {t.by_group.iter().map(|n| view! { <td class="num">{cell(*n, lang)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    let editable = data.may_edit && c.version.is_none();
    let quotes = c
        .quotes
        .iter()
        .map(|q| {
            let remove = editable.then(|| {
                view! {
                    <form method="post" class="inline-form no-print" action=paths::fill(paths::REMOVE_QUOTE, &[&c.dialogue_id, &q.answer_id])>
                        <button type="submit" class="button small">{tr(lang, "compilation.unquote")}</button>
                    </form>
                }
            });
            view! { <li><blockquote>{q.text.clone()}</blockquote>{remove}</li> }
        })
        .collect_view();
    let picker = (editable && c.quotes.len() < MAX_QUOTES && !data.quotable.is_empty()).then(|| {
        let items = data
            .quotable
            .iter()
            .map(|q| {
                view! {
                    <li>
                        <blockquote>{q.text.clone()}</blockquote>
                        <form method="post" class="inline-form" action=paths::fill(paths::QUOTES, &[&c.dialogue_id])>
                            <input type="hidden" name="answer" value=q.answer_id />
                            <button type="submit" class="button small">{tr(lang, "compilation.quote")}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! {
            <details class="no-print card">
                <summary>{tr(lang, "compilation.pick_quotes")}</summary>
                <ul class="free-texts">{items}</ul>
            </details>
        }
    });
    let dists = c
        .distributions
        .iter()
        .map(|d| distribution(d, lang))
        .collect_view();
    view! {
        <p class="no-print"><a href=paths::dashboard(c.dialogue_id)>{tr(lang, "coding.back")}</a></p>
        <h1>{tr(lang, "compilation.title")}": "{c.title.get(lang).to_owned()}</h1>
        <p class="lead">{c.lpo_name.clone()}" · "
            {domain::time::format_stockholm(c.opens_at)}" – "{domain::time::format_stockholm(c.closes_at)}</p>
        {refused}
        <p class="badge" id="compilation-status">{status}</p>
        {approve}
        <nav class="no-print" aria-label=tr(lang, "compilation.exports")>
            <ul class="inline-list">{exports}</ul>
        </nav>
        {(!data.versions.is_empty()).then(|| view! {
            <section class="no-print" aria-labelledby="versions-h">
                <h2 id="versions-h">{tr(lang, "compilation.versions")}</h2>
                <ul><li><a href=base.clone()>{tr(lang, "compilation.draft")}</a></li>{versions}</ul>
            </section>
        })}
        <section class="card" aria-labelledby="reach-h">
            <h2 id="reach-h">{tr(lang, "compilation.reach")}</h2>
            <p>{tr_with(lang, "compilation.total", &[("n", &cell(c.total, lang))])}</p>
            <p class="hint">{tr(lang, "figures.hidden_note")}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="reach-h">
                <table>
                    <thead><tr>
                        <th scope="col">{tr(lang, "staff.group")}</th>
                        <th scope="col" class="num">{tr(lang, "staff.target")}</th>
                        <th scope="col" class="num">{tr(lang, "staff.count")}</th>
                        <th scope="col" class="num">{tr(lang, "region.reach")}</th>
                    </tr></thead>
                    <tbody>{reach}</tbody>
                </table>
            </div>
        </section>
        <section class="card" aria-labelledby="themes-h">
            <h2 id="themes-h">{tr(lang, "compilation.themes")}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="themes-h">
                <table class="themes">
                    <thead><tr>
                        <th scope="col">{tr(lang, "coding.theme")}</th>
                        <th scope="col" class="num">{tr(lang, "compilation.all")}</th>
                        {group_heads}
                    </tr></thead>
                    <tbody>{themes}</tbody>
                </table>
            </div>
        </section>
        <section class="card" aria-labelledby="quotes-h">
            <h2 id="quotes-h">{tr(lang, "compilation.quotes")}</h2>
            {c.quotes.is_empty().then(|| view! { <p>{tr(lang, "compilation.no_quotes")}</p> })}
            <ul class="free-texts">{quotes}</ul>
            {picker}
        </section>
        <section class="page-break" aria-labelledby="answers-h">
            <h2 id="answers-h">{tr(lang, "dash.answers")}</h2>
            {dists}
        </section>
        {retention}
    }
    .into_any()
}

/// Retention of raw free text: when it is deleted, the export for a confidentiality review
/// before that, and (for the manager) the LPO's period.
fn retention(
    data: &CompilationData,
    dialogue: i64,
    lang: Lang,
    posted: Option<PostedBuilderForm>,
) -> Option<AnyView> {
    if !data.may_edit {
        return None;
    }
    let days = data.retention_days.to_string();
    let when = match data.retention_due {
        Some(at) => tr_with(
            lang,
            "retention.due",
            &[("days", &days), ("at", &domain::time::format_stockholm(at))],
        ),
        None => tr_with(lang, "retention.not_due", &[("days", &days)]),
    };
    let error = posted
        .as_ref()
        .and_then(|p| p.errors.first().map(|(_, k)| k.clone()));
    let value = posted
        .as_ref()
        .and_then(|p| {
            p.values
                .iter()
                .find(|(k, _)| k == "days")
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_else(|| days.clone());
    let form = data.may_approve.then(|| {
        let invalid = error.is_some();
        view! {
            <form method="post" action=paths::fill(paths::RETENTION, &[&dialogue]) class="inline-form" novalidate=true>
                <label for="retention-days">{tr(lang, "retention.days")}</label>
                {error.map(|k| view! { <p class="field-error" id="retention-days-error">{tr(lang, &k)}</p> })}
                <input id="retention-days" name="days" type="number" inputmode="numeric" min="1" max="3650"
                    value=value aria-invalid=invalid.then_some("true")
                    aria-describedby=invalid.then_some("retention-days-error") />
                <button type="submit" class="button small">{tr(lang, "retention.save")}</button>
            </form>
        }
    });
    Some(
        view! {
            <section class="card no-print" aria-labelledby="retention-h">
                <h2 id="retention-h">{tr(lang, "retention.title")}</h2>
                <p>{when}</p>
                <p><a href=paths::fill(paths::RAW_TEXT, &[&dialogue]) download="">{tr(lang, "retention.export")}</a></p>
                {form}
            </section>
        }
        .into_any(),
    )
}
