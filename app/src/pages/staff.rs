//! The staff overview: answers per target group against target, for the dialogues in scope.

use crate::error::AppError;
use crate::i18n::{current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access_then, guarded};
use crate::paths;
use domain::DialogueCounts;
use domain::promise::OverdueActivity;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(endpoint = "staff/dialogue_counts")]
pub async fn list_dialogue_counts() -> Result<Vec<DialogueCounts>, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::SeeAnswers).await?;
    let st = state()?;
    let lpos = db::register::visible_lpos(&st.db, &p)
        .await
        .map_err(internal)?;
    let all = db::stats::dialogue_counts(&st.db).await.map_err(internal)?;
    Ok(all
        .into_iter()
        .filter(|d| lpos.as_ref().is_none_or(|l| l.contains(&d.lpo_id)))
        .collect())
}

/// Activities of the LPO's agreed and active promises that are past due and short of target.
#[server(endpoint = "staff/overdue")]
pub async fn list_overdue() -> Result<Vec<OverdueActivity>, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::SeeAnswers).await?;
    let st = state()?;
    let lpos = db::register::visible_lpos(&st.db, &p)
        .await
        .map_err(internal)?;
    db::promise::overdue(&st.db, lpos.as_deref(), st.clock.now())
        .await
        .map_err(internal)
}

fn overdue_section(list: Vec<OverdueActivity>, lang: crate::Lang) -> Option<AnyView> {
    if list.is_empty() {
        return None;
    }
    let rows = list
        .into_iter()
        .map(|a| {
            view! {
                <tr>
                    <th scope="row">{a.title.clone()}</th>
                    <td><a href=paths::staff_promise(a.promise_id)>{a.promise_title.get(lang).to_owned()}</a></td>
                    <td><time datetime=a.due_on.to_string()>{a.due_on.to_string()}</time></td>
                    <td class="num">{format!("{} / {} {}", a.achieved, a.target, a.unit)}</td>
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <section class="card overdue" aria-labelledby="overdue-h">
                <h2 id="overdue-h">{tr(lang, "staff.overdue")}</h2>
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="overdue-h">
                    <table>
                        <thead><tr>
                            <th scope="col">{tr(lang, "promises.activity_title")}</th>
                            <th scope="col">{tr(lang, "promises.promise")}</th>
                            <th scope="col">{tr(lang, "promise.due")}</th>
                            <th scope="col" class="num">{tr(lang, "staff.overdue_done")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
        .into_any(),
    )
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Page>
            <Title text=tr(lang, "staff.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, list) = access_then(domain::Permission::SeeAnswers, list_dialogue_counts).await;
                    let overdue = match &who {
                        Ok(_) => list_overdue().await.unwrap_or_default(),
                        Err(_) => Vec::new(),
                    };
                    guarded(lang, paths::STAFF, who, move |_| {
                        let body = match list {
                            Ok(list) => list
                                .into_iter()
                                .map(|d| counts_table(d, lang))
                                .collect_view()
                                .into_any(),
                            Err(e) => view! {
                                <p class="form-error">
                                    {tr(lang, e.message_key().unwrap_or("survey.server_error"))}
                                </p>
                            }
                            .into_any(),
                        };
                        view! {
                            <h1>{tr(lang, "staff.title")}</h1>
                            <p class="lead">{tr(lang, "staff.lead")}</p>
                            {overdue_section(overdue, lang)}
                            {body}
                        }
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn counts_table(d: DialogueCounts, lang: crate::Lang) -> impl IntoView {
    let title = d.title.get(lang).to_owned();
    let rows = d
        .groups
        .into_iter()
        .map(|g| {
            let href = paths::survey(&g.link_code);
            view! {
                <tr data-group=g.group_code.clone()>
                    <th scope="row">{g.group_name.get(lang).to_owned()}</th>
                    <td class="num count">{g.count}</td>
                    <td class="num">{g.target}</td>
                    <td><a href=href.clone()>{href.clone()}</a></td>
                    <td>
                        <a href=paths::paper(&g.link_code)>
                            {tr(lang, "paper.enter")}
                            <span class="visually-hidden">{format!(" – {}", g.group_name.get(lang))}</span>
                        </a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-dialogue=d.dialogue_id>
            <h2>{title.clone()}</h2>
            <p class="muted">{d.lpo_name}</p>
            <p>
                <a href=paths::dashboard(d.dialogue_id)>
                    {tr(lang, "dash.open")}
                </a>
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label=tr_with(lang, "staff.caption", &[("title", &title)])>
                <table>
                    <caption class="visually-hidden">
                        {tr_with(lang, "staff.caption", &[("title", &title)])}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(lang, "staff.group")}</th>
                            <th scope="col" class="num">{tr(lang, "staff.count")}</th>
                            <th scope="col" class="num">{tr(lang, "staff.target")}</th>
                            <th scope="col">{tr(lang, "staff.link")}</th>
                            <th scope="col">{tr(lang, "paper.column")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{tr(lang, "staff.total")}</th>
                            <td class="num total">{d.total}</td>
                            <td></td>
                            <td></td>
                            <td></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}
