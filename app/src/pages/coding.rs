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
use domain::themes::{Coding, CodingItem, QUEUE_PAGE, QueueFilter, ThemeLine};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[server(endpoint = "staff/coding", input = Json)]
pub async fn load_coding(dialogue_id: i64, filter: QueueFilter) -> Result<Coding, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::Code).await?;
    let st = state()?;
    db::themes::coding(&st.db, &p, dialogue_id, &filter)
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
    let query = use_query_map().read_untracked().clone();
    let filter = QueueFilter::from_pairs(
        ["visa", "tema", "sok", "sida"]
            .into_iter()
            .filter_map(|k| query.get_str(k).map(|v| (k, v))),
    );
    view! {
        <Page>
            <Title text=tr(lang, "coding.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::Code, || load_coding(id, filter)).await;
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
        .map(|t| {
            let manage = theme_manage(&c, t, lang, &posted);
            view! { {theme_form(c.dialogue_id, Some(t), lang, &posted)}{manage} }
        })
        .collect_view();
    let new_theme = theme_form(c.dialogue_id, None, lang, &posted);
    let retired = retired_themes(&c, lang);
    let filters = queue_filters(&c, lang);
    let pages = c.matching.div_ceil(QUEUE_PAGE).max(1);
    let page = c.filter.page;
    let from = if c.matching == 0 {
        0
    } else {
        c.filter.offset() + 1
    };
    let to = (c.filter.offset() + c.queue.len() as u64).min(c.matching);
    let found = tr_with(
        lang,
        "coding.found",
        &[
            ("from", &from.to_string()),
            ("to", &to.to_string()),
            ("total", &c.matching.to_string()),
            ("page", &page.to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    let pager = crate::components::table::pager(lang, tr(lang, "coding.pages"), page, pages, {
        let f = c.filter.clone();
        let base = paths::coding(c.dialogue_id);
        move |n| paths::with_query(&base, &f.pairs(n))
    });
    let unfiltered = c.filter
        == QueueFilter {
            page: c.filter.page,
            ..QueueFilter::default()
        };
    let back = paths::with_query("", &c.filter.pairs(page))
        .trim_start_matches('?')
        .to_owned();
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
    let all_done = c.queue.is_empty() && unfiltered && !c.filter.coded;
    let none_found = c.queue.is_empty() && !all_done;
    let items = c
        .queue
        .iter()
        .enumerate()
        .map(|(i, item)| coding_item(c.dialogue_id, item, &c.themes, i == 0, &back, lang))
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
        {filters}
        <p role="status" id="coding-found">{found}</p>
        {all_done.then(|| view! { <p class="notice">{tr(lang, "coding.done")}</p> })}
        {none_found.then(|| view! { <p class="notice">{tr(lang, "coding.none_found")}</p> })}
        <ol class="coding-queue">{items}</ol>
        {pager}
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
            {retired}
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
                    <textarea id=el("kw") name="keywords" rows="6" aria-describedby=el("kw-hint")>{crate::textarea_text(&keywords)}</textarea>
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
    back: &str,
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
            // A coded answer shows what the officer chose; a new one the suggestion.
            let checked = item
                .chosen
                .as_ref()
                .map(|c| c.contains(&t.id))
                .unwrap_or(suggested);
            let focus = first && i == 0;
            view! {
                <label class="choice theme-choice" for=label_for>
                    <input type="checkbox" id=id name="theme" value=t.id checked=checked
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
    let save_key = if item.chosen.is_some() {
        "coding.recode"
    } else {
        "coding.save"
    };
    let hide_id = format!("a{}-hide", item.answer_id);
    let hide_for = hide_id.clone();
    view! {
        <li class="coding-item card" data-answer=item.answer_id>
            <form method="post" action=paths::fill(paths::CODE_ANSWER, &[&dialogue_id, &item.answer_id])>
                <input type="hidden" name="back" value=back.to_owned() />
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
                <button type="submit" class="button">{tr(lang, save_key)}</button>
            </form>
        </li>
    }
    .into_any()
}

/// The answers queue's filter (a GET form: the view lives in the URL).
fn queue_filters(c: &Coding, lang: Lang) -> AnyView {
    let f = &c.filter;
    let options = c
        .themes
        .iter()
        .map(|t| {
            let selected = f.theme == Some(t.id);
            view! { <option value=t.id selected=selected>{t.name.get(lang).to_owned()}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action=paths::coding(c.dialogue_id) class="filters" role="search" aria-label=tr(lang, "coding.find")>
            <div class="field">
                <label class="q-label" for="q-visa">{tr(lang, "coding.show")}</label>
                <select id="q-visa" name="visa">
                    <option value="">{tr(lang, "coding.show_uncoded")}</option>
                    <option value="kodade" selected=f.coded>{tr(lang, "coding.show_coded")}</option>
                </select>
            </div>
            <div class="field">
                <label class="q-label" for="q-tema">{tr(lang, "coding.with_theme")}</label>
                <select id="q-tema" name="tema" aria-describedby="q-tema-hint">
                    <option value="">{tr(lang, "coding.any_theme")}</option>
                    {options}
                </select>
                <p class="hint" id="q-tema-hint">{tr(lang, "coding.with_theme_hint")}</p>
            </div>
            <div class="field">
                <label class="q-label" for="q-sok">{tr(lang, "coding.search_text")}</label>
                <input id="q-sok" name="sok" type="search" maxlength="100" value=f.text.clone() />
            </div>
            <button type="submit" class="button">{tr(lang, "coding.find_button")}</button>
            " "<a href=paths::coding(c.dialogue_id)>{tr(lang, "audit.clear")}</a>
        </form>
    }
    .into_any()
}

/// Retire, merge or delete one theme. Delete is offered only to a theme without history, and
/// asks once more inside a disclosure (no JavaScript needed).
fn theme_manage(
    c: &Coding,
    t: &ThemeLine,
    lang: Lang,
    posted: &Option<PostedBuilderForm>,
) -> AnyView {
    let key = format!("manage-{}", t.id);
    let mine = posted_for(posted, &key);
    let merge_refused = mine
        .as_ref()
        .is_some_and(|p| p.errors.iter().any(|(f, _)| f == "into"));
    let error = mine.and_then(|p| p.errors.first().map(|(_, k)| k.clone()));
    let action = paths::fill(paths::THEME, &[&c.dialogue_id, &t.id]);
    let name = t.name.get(lang).to_owned();
    let into_id = format!("into-{}", t.id);
    let others = c
        .themes
        .iter()
        .filter(|o| o.id != t.id)
        .map(|o| view! { <option value=o.id>{o.name.get(lang).to_owned()}</option> })
        .collect_view();
    let in_use = c.in_use.contains(&t.id);
    let delete = if in_use {
        view! { <p class="hint">{tr(lang, "themes.in_use")}</p> }.into_any()
    } else {
        view! {
            <details class="confirm">
                <summary>{tr_with(lang, "themes.delete_of", &[("name", &name)])}</summary>
                <p>{tr(lang, "themes.delete_confirm")}</p>
                <form method="post" action=action.clone() class="inline-form">
                    <input type="hidden" name="action" value="delete" />
                    <input type="hidden" name="confirm" value="1" />
                    <button type="submit" class="button small danger">{tr(lang, "themes.delete_really")}</button>
                </form>
            </details>
        }
        .into_any()
    };
    view! {
        <div class="theme-manage" data-theme=t.id>
            {error.map(|k| view! { <p class="field-error" role="alert">{tr(lang, &k)}</p> })}
            <form method="post" action=action.clone() class="inline-form">
                <input type="hidden" name="action" value="retire" />
                <button type="submit" class="button small">{tr_with(lang, "themes.retire_of", &[("name", &name)])}</button>
            </form>
            <details class="confirm" open=merge_refused>
                <summary>{tr_with(lang, "themes.merge_open", &[("name", &name)])}</summary>
                <p>{tr(lang, "themes.merge_confirm")}</p>
                <form method="post" action=action.clone() class="inline-form merge-form">
                    <input type="hidden" name="action" value="merge" />
                    <input type="hidden" name="confirm" value="1" />
                    <label for=into_id.clone()>{tr_with(lang, "themes.merge_of", &[("name", &name)])}</label>
                    " "<select id=into_id name="into">{others}</select>
                    " "<button type="submit" class="button small">{tr(lang, "themes.merge")}</button>
                </form>
            </details>
            {delete}
        </div>
    }
    .into_any()
}

/// Retired themes, folded away by default; each can be restored.
fn retired_themes(c: &Coding, lang: Lang) -> Option<AnyView> {
    if c.retired.is_empty() {
        return None;
    }
    let items = c
        .retired
        .iter()
        .map(|(t, into)| {
            let merged = into
                .and_then(|id| c.themes.iter().find(|o| o.id == id))
                .map(|o| tr_with(lang, "themes.merged_into", &[("name", o.name.get(lang))]));
            let name = t.name.get(lang).to_owned();
            view! {
                <li data-retired=t.id>
                    {name.clone()}
                    {merged.map(|m| view! { " "<span class="muted">{m}</span> })}
                    <form method="post" action=paths::fill(paths::THEME, &[&c.dialogue_id, &t.id]) class="inline-form">
                        <input type="hidden" name="action" value="restore" />
                        " "<button type="submit" class="button small">{tr_with(lang, "themes.restore_of", &[("name", &name)])}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    Some(
        view! {
            <details class="retired-themes">
                <summary>{tr_with(lang, "themes.retired", &[("n", &c.retired.len().to_string())])}</summary>
                <p class="hint">{tr(lang, "themes.retired_hint")}</p>
                <ul>{items}</ul>
            </details>
        }
        .into_any(),
    )
}
