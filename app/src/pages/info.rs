//! Public information pages: start, privacy, accessibility statement, not found.

use crate::i18n::{current_lang, tr};
use crate::layout::Page;
use crate::paths;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(endpoint = "public/open_dialogues")]
pub async fn list_open_dialogues() -> Result<Vec<domain::OpenDialogue>, crate::AppError> {
    use crate::ssr::{internal, state};
    let st = state()?;
    db::stats::open_dialogues(&st.db, st.clock.now())
        .await
        .map_err(internal)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Page>
            <Title text=tr(lang, "app.name") />
            <h1>{tr(lang, "home.title")}</h1>
            <p class="lead">{tr(lang, "home.lead")}</p>
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let list = list_open_dialogues().await.unwrap_or_default();
                    let items = list
                        .into_iter()
                        .map(|d| {
                            view! {
                                <li class="card">
                                    <h3>{d.title.get(lang).to_owned()}</h3>
                                    <p class="muted">{d.lpo_name}</p>
                                    <a class="button primary" href=paths::survey(&d.link_code)>
                                        {tr(lang, "home.answer_link")}
                                    </a>
                                </li>
                            }
                        })
                        .collect::<Vec<_>>();
                    let empty = items.is_empty();
                    view! {
                        <h2>{tr(lang, "home.open_dialogues")}</h2>
                        {empty.then(|| view! { <p>{tr(lang, "home.none")}</p> })}
                        <ul class="card-list">{items}</ul>
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Page>
            <Title text=tr(lang, "privacy.title") />
            <h1>{tr(lang, "privacy.title")}</h1>
            <p>{tr(lang, "privacy.p1")}</p>
            <p>{tr(lang, "privacy.p2")}</p>
            <p>{tr(lang, "privacy.p_cookie")}</p>
            <p>{tr(lang, "privacy.p3")}</p>
            <p>{tr(lang, "privacy.p4")}</p>
        </Page>
    }
}

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Page>
            <Title text=tr(lang, "a11y.title") />
            <h1>{tr(lang, "a11y.title")}</h1>
            <p>{tr(lang, "a11y.p1")}</p>
            <h2>{tr(lang, "a11y.status_title")}</h2>
            <p>{tr(lang, "a11y.status")}</p>
            <h2>{tr(lang, "a11y.report_title")}</h2>
            <p>{tr(lang, "a11y.report")}</p>
        </Page>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let lang = current_lang();
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(404);
    view! {
        <Page>
            <Title text=tr(lang, "notfound.title") />
            <h1>{tr(lang, "notfound.title")}</h1>
            <p>{tr(lang, "notfound.text")}</p>
        </Page>
    }
}
