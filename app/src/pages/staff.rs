//! The staff overview: answers per target group against target (no login yet).

use crate::error::AppError;
use crate::i18n::{current_lang, tr, tr_with};
use crate::layout::Page;
use domain::DialogueCounts;
use leptos::prelude::*;
use leptos_meta::Title;

#[server]
pub async fn list_dialogue_counts() -> Result<Vec<DialogueCounts>, AppError> {
    use crate::ssr::{internal, state};
    let st = state()?;
    db::stats::dialogue_counts(&st.db).await.map_err(internal)
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Page>
            <Title text=tr(lang, "staff.title") />
            <h1>{tr(lang, "staff.title")}</h1>
            <p class="lead">{tr(lang, "staff.lead")}</p>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match list_dialogue_counts().await {
                        Ok(list) => list
                            .into_iter()
                            .map(|d| counts_table(d, lang))
                            .collect_view()
                            .into_any(),
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(e.status());
                            view! { <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p> }
                                .into_any()
                        }
                    }
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
            let href = format!("/s/{}", g.link_code);
            view! {
                <tr data-group=g.group_code.clone()>
                    <th scope="row">{g.group_name.get(lang).to_owned()}</th>
                    <td class="num count">{g.count}</td>
                    <td class="num">{g.target}</td>
                    <td><a href=href.clone()>{href.clone()}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-dialogue=d.dialogue_id>
            <h2>{title.clone()}</h2>
            <p class="muted">{d.lpo_name}</p>
            <div class="table-scroll">
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
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{tr(lang, "staff.total")}</th>
                            <td class="num total">{d.total}</td>
                            <td></td>
                            <td></td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
}
