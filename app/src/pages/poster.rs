//! The printable A4 poster of one target group's link: title, a short intro, the QR code and
//! the short link written out. Public, so it can be printed from any computer. Never shows an
//! invitation code.

use crate::error::AppError;
use crate::i18n::{current_lang, tr, tr_with};
use crate::layout::Page;
use crate::paths;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PosterData {
    pub link_code: String,
    pub title: domain::LocalizedText,
    pub intro: domain::LocalizedText,
    pub group_name: domain::LocalizedText,
    pub lpo_name: String,
    pub site_url: String,
    pub closes_at: chrono::DateTime<chrono::Utc>,
}

/// The first sentence (or the first 200 characters) of an intro: a poster is read in passing.
pub fn short_intro(s: &str) -> String {
    let s = s.trim();
    let end = s
        .char_indices()
        .find(|(i, c)| matches!(c, '.' | '!' | '?') && *i > 20)
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(s.len());
    let first = &s[..end];
    if first.chars().count() > 200 {
        let cut: String = first.chars().take(197).collect();
        format!("{}…", cut.trim_end())
    } else {
        first.to_owned()
    }
}

#[server(endpoint = "public/poster", input = Json)]
pub async fn load_poster(code: String) -> Result<PosterData, AppError> {
    use crate::ssr::{internal, set_status, state};
    let st = state()?;
    let Some(s) = db::survey::load_by_link(&st.db, &code)
        .await
        .map_err(internal)?
    else {
        set_status(404);
        return Err(AppError::NotFound);
    };
    Ok(PosterData {
        link_code: s.link_code,
        title: s.title,
        intro: s.intro,
        group_name: s.group_name,
        lpo_name: s.lpo_name,
        site_url: st.site_url.clone(),
        closes_at: s.closes_at,
    })
}

#[component]
pub fn PosterPage() -> impl IntoView {
    let lang = current_lang();
    let code = use_params_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    view! {
        <Page>
            <Title text=tr(lang, "poster.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match load_poster(code).await {
                        Ok(p) => {
                            let path = paths::survey(&p.link_code);
                            let link = format!("{}{path}", p.site_url);
                            let shown = link
                                .trim_start_matches("https://")
                                .trim_start_matches("http://")
                                .to_owned();
                            let closes = domain::time::stockholm_day(p.closes_at - chrono::Duration::seconds(1))
                                .format("%Y-%m-%d")
                                .to_string();
                            view! {
                                <p class="no-print poster-hint">{tr(lang, "poster.print_hint")}</p>
                                <article class="poster" aria-labelledby="poster-title">
                                    <p class="poster-kicker">{format!("{} · {}", p.lpo_name, p.group_name.get(lang))}</p>
                                    <h1 id="poster-title">{p.title.get(lang).to_owned()}</h1>
                                    <p class="poster-intro">{short_intro(p.intro.get(lang))}</p>
                                    <img class="poster-qr" src=paths::qr(&p.link_code) width="320" height="320"
                                        alt=tr(lang, "poster.qr_alt") />
                                    <p class="poster-call">{tr(lang, "poster.scan")}</p>
                                    <p class="poster-link"><a href=path>{shown}</a></p>
                                    <p class="poster-meta">{tr_with(lang, "poster.open_until", &[("date", &closes)])}</p>
                                    <p class="poster-meta">{tr(lang, "poster.anonymous")}</p>
                                </article>
                            }
                            .into_any()
                        }
                        Err(e) => view! {
                            <h1>{tr(lang, "poster.title")}</h1>
                            <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </Page>
    }
}

#[cfg(test)]
mod tests {
    use super::short_intro;

    #[test]
    fn shortens_to_the_first_sentence() {
        assert_eq!(
            short_intro("Polisen vill veta vad du tycker. Svaren blir grunden."),
            "Polisen vill veta vad du tycker."
        );
        assert_eq!(short_intro("Kort"), "Kort");
    }
}
