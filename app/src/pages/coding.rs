//! Theme coding of free text (officers and the LPO manager): the next answers in a queue,
//! each with the suggester's themes ticked for a person to confirm or change, a quick check
//! that warns about names, phone numbers, e-mail addresses and personnummer, and "hide from
//! quotes". Worked through from the keyboard: Tab over the themes, Space to tick, Enter to
//! save and go on to the next answer.

use crate::components::form::{PostedBuilderForm, posted_for, summary};
use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access_then, guarded};
use crate::paths;
use domain::themes::{Coding, CodingItem, ThemeLine};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[server(endpoint = "staff/coding")]
pub async fn load_coding(dialogue_id: i64) -> Result<Coding, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::Code).await?;
    let st = state()?;
    db::themes::coding(&st.db, &p, dialogue_id)
        .await
        .map_err(|e| match e {
            db::builder::BuilderError::Forbidden => {
                crate::ssr::set_status(403);
                AppError::Forbidden
            }
            db::builder::BuilderError::NotFound => {
                crate::ssr::set_status(404);
                AppError::NotFound
            }
            other => internal(other),
        })
}

#[component]
pub fn CodingPage() -> impl IntoView {
    let lang = current_lang();
    let posted = use_context::<PostedBuilderForm>();
    let id = use_params_map()
        .read_untracked()
        .get("dialogue")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    view! {
        <Page>
            <Title text=tr(lang, "coding.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::Code, || load_coding(id)).await;
                    guarded(lang, paths::STAFF, who, move |_| match data {
                        Ok(c) => coding_body(c, lang, posted).into_any(),
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(e.status());
                            view! {
                                <h1>{tr(lang, "coding.title")}</h1>
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

fn coding_body(c: Coding, lang: Lang, posted: Option<PostedBuilderForm>) -> AnyView {
    let refused = summary(lang, &posted);
    let theme_forms = c
        .themes
        .iter()
        .map(|t| theme_form(c.dialogue_id, Some(t), lang, &posted))
        .collect_view();
    let new_theme = theme_form(c.dialogue_id, None, lang, &posted);
    let hit_rate = if c.suggestions_decided > 0 {
        tr_with(
            lang,
            "coding.hit_rate",
            &[
                (
                    "pct",
                    &format!(
                        "{:.0}",
                        c.suggestions_accepted as f64 * 100.0 / c.suggestions_decided as f64
                    ),
                ),
                ("accepted", &c.suggestions_accepted.to_string()),
                ("decided", &c.suggestions_decided.to_string()),
            ],
        )
    } else {
        tr(lang, "coding.hit_rate_none")
    };
    let counts = c
        .themes
        .iter()
        .map(|t| {
            let n = c
                .counts
                .iter()
                .find(|(id, _)| *id == t.id)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            view! { <tr><th scope="row">{t.name.get(lang).to_owned()}</th><td class="num">{n}</td></tr> }
        })
        .collect_view();
    let empty = c.queue.is_empty();
    let items = c
        .queue
        .iter()
        .enumerate()
        .map(|(i, item)| coding_item(c.dialogue_id, item, &c.themes, i == 0, lang))
        .collect_view();
    view! {
        <p><a href=paths::dashboard(c.dialogue_id)>{tr(lang, "coding.back")}</a></p>
        <h1>{tr(lang, "coding.title")}": "{c.title.get(lang).to_owned()}</h1>
        <p class="lead">{tr(lang, "coding.lead")}</p>
        {refused}
        <p class="muted" id="coding-progress">
            {tr_with(lang, "coding.progress", &[("coded", &c.coded.to_string()), ("remaining", &c.remaining.to_string())])}
            " · "{hit_rate}
        </p>
        {empty.then(|| view! { <p class="notice" role="status">{tr(lang, "coding.done")}</p> })}
        <ol class="coding-queue">{items}</ol>
        <section class="card" aria-labelledby="theme-counts-h">
            <h2 id="theme-counts-h">{tr(lang, "coding.counts")}</h2>
            <table>
                <thead><tr><th scope="col">{tr(lang, "coding.theme")}</th><th scope="col" class="num">{tr(lang, "staff.count")}</th></tr></thead>
                <tbody>{counts}</tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="themes-h">
            <h2 id="themes-h">{tr(lang, "themes.title")}</h2>
            <p>{tr(lang, "themes.lead")}</p>
            {theme_forms}
            {new_theme}
        </section>
    }
    .into_any()
}

/// One theme's name and keywords (or a new theme), in a disclosure that opens when its form
/// came back refused.
fn theme_form(
    dialogue_id: i64,
    t: Option<&ThemeLine>,
    lang: Lang,
    posted: &Option<PostedBuilderForm>,
) -> AnyView {
    let key = t
        .map(|t| format!("theme-{}", t.id))
        .unwrap_or_else(|| "theme-new".to_owned());
    let mine = posted_for(posted, &key);
    let value = |field: &str, current: String| {
        mine.as_ref()
            .and_then(|p| p.values.iter().find(|(k, _)| k == field))
            .map(|(_, v)| v.clone())
            .unwrap_or(current)
    };
    let error = |field: &str| {
        mine.as_ref()
            .and_then(|p| p.errors.iter().find(|(f, _)| f == field))
            .map(|(_, k)| view! { <p class="field-error">{tr(lang, k)}</p> })
    };
    let summary_text = match t {
        Some(t) => tr_with(
            lang,
            "themes.keywords_of",
            &[
                ("name", t.name.get(lang)),
                ("n", &t.keywords.len().to_string()),
            ],
        ),
        None => tr(lang, "themes.new"),
    };
    let name_sv = value(
        "name_sv",
        t.map(|t| t.name.get(Lang::Sv).to_owned())
            .unwrap_or_default(),
    );
    let name_en = value(
        "name_en",
        t.map(|t| t.name.get(Lang::En).to_owned())
            .unwrap_or_default(),
    );
    let keywords = value(
        "keywords",
        t.map(|t| t.keywords.join("\n")).unwrap_or_default(),
    );
    let id_value = t.map(|t| t.id.to_string()).unwrap_or_default();
    let el = |f: &str| format!("{key}-{f}");
    view! {
        <details class="theme-edit" open=mine.is_some()>
            <summary>{summary_text}</summary>
            <form method="post" action=paths::fill(paths::THEMES, &[&dialogue_id]) novalidate=true>
                <input type="hidden" name="theme" value=id_value />
                <div class="field">
                    <label for=el("sv")>{tr(lang, "themes.name_sv")}</label>
                    {error("name_sv")}
                    <input id=el("sv") name="name_sv" type="text" maxlength="80" value=name_sv />
                </div>
                <div class="field">
                    <label for=el("en")>{tr(lang, "themes.name_en")}</label>
                    <input id=el("en") name="name_en" type="text" lang="en" maxlength="80" value=name_en />
                </div>
                <div class="field">
                    <label for=el("kw")>{tr(lang, "themes.keywords")}</label>
                    <p class="hint" id=el("kw-hint")>{tr(lang, "themes.keywords_hint")}</p>
                    {error("keywords")}
                    <textarea id=el("kw") name="keywords" rows="6" aria-describedby=el("kw-hint")>{keywords}</textarea>
                </div>
                <button type="submit" class="button small">{tr(lang, "themes.save")}</button>
            </form>
        </details>
    }
    .into_any()
}

fn coding_item(
    dialogue_id: i64,
    item: &CodingItem,
    themes: &[ThemeLine],
    first: bool,
    lang: Lang,
) -> AnyView {
    let legend_id = format!("answer-{}", item.answer_id);
    let labelled_by = legend_id.clone();
    let boxes = themes
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let id = format!("a{}-t{}", item.answer_id, t.id);
            let label_for = id.clone();
            let suggested = item.suggested.contains(&t.id);
            let focus = first && i == 0;
            view! {
                <label class="choice theme-choice" for=label_for>
                    <input type="checkbox" id=id name="theme" value=t.id checked=suggested
                        autofocus=focus />
                    " "{t.name.get(lang).to_owned()}
                    {suggested.then(|| view! { " "<span class="badge suggested">{tr(lang, "coding.suggested")}</span> })}
                </label>
            }
        })
        .collect_view();
    let warnings = (!item.warnings.is_empty()).then(|| {
        let list = item
            .warnings
            .iter()
            .map(|k| view! { <li>{tr(lang, k)}</li> })
            .collect_view();
        view! {
            <div class="warning" role="note">
                <p>{tr(lang, "coding.pii_lead")}</p>
                <ul>{list}</ul>
            </div>
        }
    });
    let hide_id = format!("a{}-hide", item.answer_id);
    let hide_for = hide_id.clone();
    view! {
        <li class="coding-item card" data-answer=item.answer_id>
            <form method="post" action=paths::fill(paths::CODE_ANSWER, &[&dialogue_id, &item.answer_id])>
                <fieldset aria-labelledby=labelled_by>
                    <p class="muted small">{item.question.get(lang).to_owned()}</p>
                    <blockquote id=legend_id>{item.text.clone()}</blockquote>
                    {warnings}
                    <div class="theme-choices">{boxes}</div>
                    <label class="choice" for=hide_for>
                        <input type="checkbox" id=hide_id name="hide" value="1" checked=item.hidden />
                        " "{tr(lang, "coding.hide")}
                    </label>
                </fieldset>
                <button type="submit" class="button">{tr(lang, "coding.save")}</button>
            </form>
        </li>
    }
    .into_any()
}
