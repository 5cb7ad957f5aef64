//! The live dialogue dashboard: are we reaching everyone, and what are people telling us?
//!
//! Server-rendered; every figure comes from `db::dashboard`, where the n<5 rule and the
//! over-time rule are applied. Charts are SVG with a table beside them as their text
//! alternative. The live regions (`live-*`) are rendered by the same functions for the page
//! and for the stream's frames ([`live_frame`]), and swapped in place by a small script
//! (`live.js`) that follows one Server-Sent Events stream.
//!
//! Three views share the regions: the staff dashboard (with moderation for those who may),
//! the wall screen (a revocable display link, suppressed aggregates only, no free text) and
//! the regional comparison.

use crate::components::figures::{cell, distribution, hidden};
use crate::components::form::{
    Errs, PostedBuilderForm, posted_for, summary, text_input, typed_input,
};
use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{access_then, guarded};
use crate::paths;
use domain::dashboard::{Dashboard, FreeText, GroupCoverage, QuarantineLine, Regional};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// The live client: swaps regions in place, reconnects, shows "live / reconnecting".
const LIVE_JS: &str = include_str!("live.js");

/// Which rendering of the live regions a stream carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LiveView {
    /// Staff: exact response counts and the latest free text (with "hide" when `moderate`).
    Staff { moderate: bool },
    /// A wall screen: suppressed aggregates only, never free text.
    Wall,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DashboardData {
    pub dashboard: Dashboard,
    pub moderate: bool,
    pub quarantines: Vec<QuarantineLine>,
}

/// The dashboard of one dialogue, for staff whose scope holds its LPO.
#[server(endpoint = "staff/dashboard")]
pub async fn load_dashboard(dialogue_id: i64) -> Result<DashboardData, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::SeeAnswers).await?;
    let st = state()?;
    // Scope first: computing the dashboard may publish a new state, which a caller outside
    // the LPO must not cause.
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
    let d = db::dashboard::dashboard(
        &st.db,
        dialogue_id,
        domain::dashboard::Audience::Staff,
        st.clock.now(),
    )
    .await
    .map_err(internal)?
    .ok_or(AppError::NotFound)?;
    let moderate = p.may(domain::Permission::Moderate);
    let quarantines = if moderate {
        db::moderation::list(&st.db, dialogue_id)
            .await
            .map_err(internal)?
    } else {
        Vec::new()
    };
    Ok(DashboardData {
        dashboard: d,
        moderate,
        quarantines,
    })
}

/// A wall screen's dashboard, through its display link: suppressed aggregates, no free text.
#[server(endpoint = "public/display")]
pub async fn load_display(token: String) -> Result<Dashboard, AppError> {
    use crate::ssr::{internal, state};
    let st = state()?;
    let Some(id) = db::kiosk::display_dialogue(&st.db, &token)
        .await
        .map_err(internal)?
    else {
        crate::ssr::set_status(404);
        return Err(AppError::NotFound);
    };
    db::dashboard::dashboard(
        &st.db,
        id,
        domain::dashboard::Audience::Public,
        st.clock.now(),
    )
    .await
    .map_err(internal)?
    .ok_or(AppError::NotFound)
}

/// LPOs side by side, for regional managers (their region) and admins (all).
#[server(endpoint = "staff/regional")]
pub async fn load_regional() -> Result<Regional, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(domain::Permission::SeeRegion).await?;
    let st = state()?;
    let lpos = db::register::visible_lpos(&st.db, &p)
        .await
        .map_err(internal)?;
    db::dashboard::regional(&st.db, lpos.as_deref(), st.clock.now())
        .await
        .map_err(internal)
}

fn dialogue_param() -> i64 {
    use_params_map()
        .read_untracked()
        .get("dialogue")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0)
}

fn failure(lang: Lang, heading: &'static str, e: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    crate::ssr::set_status(e.status());
    view! {
        <h1>{tr(lang, heading)}</h1>
        <p class="form-error">{tr(lang, e.message_key().unwrap_or("survey.server_error"))}</p>
    }
    .into_any()
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = current_lang();
    let id = dialogue_param();
    let posted = use_context::<PostedBuilderForm>();
    view! {
        <Page>
            <Title text=tr(lang, "dash.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::SeeAnswers, || load_dashboard(id)).await;
                    guarded(lang, paths::STAFF, who, move |_| match data {
                        Ok(d) => staff_body(d, lang, posted).into_any(),
                        Err(e) => failure(lang, "dash.title", e),
                    })
                })}
            </Suspense>
        </Page>
    }
}

/// The wall screen: full screen, large type, no navigation, nothing to click.
#[component]
pub fn DisplayPage() -> impl IntoView {
    let lang = current_lang();
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    view! {
        <Title text=tr(lang, "wall.title") />
        <main id="main" class="wall">
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    match load_display(token.clone()).await {
                        Ok(d) => {
                            let stream = format!("{}?lang={}", paths::fill(paths::DISPLAY_STREAM, &[&token]), lang.code());
                            live_body(&d, lang, LiveView::Wall, stream).into_any()
                        }
                        Err(e) => failure(lang, "wall.title", e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
pub fn RegionalPage() -> impl IntoView {
    let lang = current_lang();
    view! {
        <Page>
            <Title text=tr(lang, "region.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let (who, data) = access_then(domain::Permission::SeeRegion, load_regional).await;
                    guarded(lang, paths::REGION, who, move |_| match data {
                        Ok(r) => regional_body(r, lang).into_any(),
                        Err(e) => failure(lang, "region.title", e),
                    })
                })}
            </Suspense>
        </Page>
    }
}

fn staff_body(data: DashboardData, lang: Lang, posted: Option<PostedBuilderForm>) -> AnyView {
    let d = data.dashboard;
    let view_kind = LiveView::Staff {
        moderate: data.moderate,
    };
    let stream = format!(
        "{}/live?lang={}",
        paths::dashboard(d.dialogue_id),
        lang.code()
    );
    let moderation = data.moderate.then(|| {
        view! {
            <p>
                <a class="button" href=paths::coding(d.dialogue_id)>{tr(lang, "coding.open")}</a>" "
                <a class="button" href=paths::compilation(d.dialogue_id)>{tr(lang, "compilation.open")}</a>
            </p>
            {moderation(&d, &data.quarantines, lang, &posted)}
        }
        .into_any()
    });
    view! {
        {live_body(&d, lang, view_kind, stream)}
        {moderation}
    }
    .into_any()
}

/// The heading, the live indicator and the live regions, with the client script.
fn live_body(d: &Dashboard, lang: Lang, view_kind: LiveView, stream: String) -> AnyView {
    let title = d.title.get(lang).to_owned();
    let period = tr_with(
        lang,
        "dash.period",
        &[
            ("from", &domain::time::format_stockholm(d.opens_at)),
            ("to", &domain::time::format_stockholm(d.closes_at)),
        ],
    );
    let preliminary = d
        .preliminary
        .then(|| view! { <p class="badge prelim">{tr(lang, "dash.preliminary")}</p> });
    let regions = regions(d, lang, view_kind)
        .into_iter()
        .map(|(id, v)| view! { <div id=id class="live-region">{v}</div> })
        .collect_view();
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    view! {
        <div class="live" data-live=stream>
            <div class="live-head">
                <h1>{title}</h1>
                <p
                    id="live-status"
                    class="live-status"
                    role="status"
                    data-state="connecting"
                    data-say-live=tr(lang, "live.on")
                    data-say-reconnecting=tr(lang, "live.reconnecting")
                >
                    {tr(lang, "live.connecting")}
                </p>
            </div>
            {preliminary}
            <p class="muted">{period}</p>
            {regions}
        </div>
        <script nonce=nonce inner_html=LIVE_JS></script>
    }
    .into_any()
}

/// The live regions of a view, by element id, in page order.
pub fn regions(d: &Dashboard, lang: Lang, view_kind: LiveView) -> Vec<(&'static str, AnyView)> {
    let hourly: Vec<(String, Option<i64>)> = d
        .hourly
        .iter()
        .map(|(h, n)| (domain::time::format_stockholm(*h), *n))
        .collect();
    let daily: Vec<(String, Option<i64>)> = d
        .daily
        .iter()
        .map(|(day, n)| (day.to_string(), *n))
        .collect();
    let total = view! {
        <section class="card" aria-labelledby="total-h">
            <h2 id="total-h">{tr(lang, "dash.total")}</h2>
            <p class="big-number" data-total=d.total.unwrap_or(0)>{cell(d.total, lang)}</p>
        </section>
    }
    .into_any();
    let time = view! {
        <section class="card" aria-labelledby="time-h">
            <h2 id="time-h">{tr(lang, "dash.over_time")}</h2>
            {bar_series("hourly", &tr(lang, "dash.per_hour"), &hourly, lang)}
            {bar_series("daily", &tr(lang, "dash.per_day"), &daily, lang)}
        </section>
    }
    .into_any();
    let dists = d
        .distributions
        .iter()
        .map(|x| distribution(x, lang))
        .collect_view();
    let answers = view! {
        <section aria-labelledby="dist-h" data-published=d.published_at_total>
            <h2 id="dist-h">{tr(lang, "dash.answers")}</h2>
            <p class="muted">
                {tr_with(lang, "dash.published_at", &[("n", &d.published_at_total.to_string())])}
            </p>
            {dists}
        </section>
    }
    .into_any();
    let mut out = vec![
        ("live-total", total),
        ("live-coverage", coverage(&d.groups, lang)),
        ("live-time", time),
        ("live-answers", answers),
    ];
    if let LiveView::Staff { moderate } = view_kind {
        out.push(("live-texts", texts(d, lang, moderate)));
    }
    out
}

/// One frame of the live stream: the total and every region as HTML, as JSON.
#[cfg(feature = "ssr")]
pub fn live_frame(d: &Dashboard, lang: Lang, view_kind: LiveView) -> String {
    let regions: serde_json::Map<String, serde_json::Value> = regions(d, lang, view_kind)
        .into_iter()
        .map(|(id, v)| (id.to_owned(), serde_json::Value::String(v.to_html())))
        .collect();
    serde_json::json!({ "total": d.total, "regions": regions }).to_string()
}

fn coverage(groups: &[GroupCoverage], lang: Lang) -> AnyView {
    let rows = groups
        .iter()
        .map(|g| {
            let count = g.count.unwrap_or(0);
            let pct = if g.target > 0 {
                (count * 100 / g.target).min(100)
            } else {
                0
            };
            let behind = g.behind.unwrap_or(0);
            let flag = (behind > 0).then(|| {
                view! {
                    <span class="behind">
                        {tr_with(lang, "dash.behind", &[("n", &behind.to_string())])}
                    </span>
                }
            });
            let channels = g
                .by_channel
                .iter()
                .filter(|(_, n)| n.is_none_or(|n| n > 0))
                .map(|(c, n)| format!("{} {}", tr(lang, &format!("channel.{c}")), cell(*n, lang)))
                .collect::<Vec<_>>()
                .join(" · ");
            let row_class = if behind > 0 { "is-behind" } else { "" };
            view! {
                <tr data-group=g.group_code.clone() data-count=g.count class=row_class>
                    <th scope="row">{g.group_name.get(lang).to_owned()}</th>
                    <td class="num count">{cell(g.count, lang)}</td>
                    <td class="num">{g.target}</td>
                    <td class="meter-cell">
                        <svg class="meter" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                            <rect class="meter-bg" x="0" y="0" width="100" height="8"></rect>
                            <rect class="meter-fg" x="0" y="0" width=pct height="8"></rect>
                        </svg>
                        {flag}
                    </td>
                    <td class="num">{g.expected_now}</td>
                    <td>{channels}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="cov-h">
            <h2 id="cov-h">{tr(lang, "dash.coverage")}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="cov-h">
                <table class="coverage">
                    <thead>
                        <tr>
                            <th scope="col">{tr(lang, "staff.group")}</th>
                            <th scope="col" class="num">{tr(lang, "staff.count")}</th>
                            <th scope="col" class="num">{tr(lang, "staff.target")}</th>
                            <th scope="col">{tr(lang, "dash.progress")}</th>
                            <th scope="col" class="num">{tr(lang, "dash.expected")}</th>
                            <th scope="col">{tr(lang, "dash.channels")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// A bar chart over a series, with a table as its text alternative.
fn bar_series(
    id: &'static str,
    caption: &str,
    series: &[(String, Option<i64>)],
    lang: Lang,
) -> AnyView {
    let max = series
        .iter()
        .filter_map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let w = 100.0 / series.len().max(1) as f64;
    let bars = series
        .iter()
        .enumerate()
        .map(|(i, (_, n))| {
            let h = n.unwrap_or(0) as f64 / max as f64 * 40.0;
            view! {
                <rect
                    class="bar"
                    x=format!("{:.2}", i as f64 * w + w * 0.1)
                    y=format!("{:.2}", 40.0 - h)
                    width=format!("{:.2}", w * 0.8)
                    height=format!("{h:.2}")
                ></rect>
            }
        })
        .collect_view();
    let rows = series
        .iter()
        .filter(|(_, n)| n.is_none_or(|n| n > 0))
        .map(|(label, n)| view! { <tr><th scope="row">{label.clone()}</th><td class="num">{cell(*n, lang)}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart" id=id>
            <figcaption>{caption.to_owned()}</figcaption>
            <svg viewBox="0 0 100 40" preserveAspectRatio="none" class="bars" aria-hidden="true">{bars}</svg>
            <details id=format!("{id}-table")>
                <summary>{tr(lang, "dash.as_table")}</summary>
                <table>
                    <thead><tr><th scope="col">{tr(lang, "dash.when")}</th><th scope="col" class="num">{tr(lang, "staff.count")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

/// The latest free-text answers (staff only), each with "hide" for those who moderate.
fn texts(d: &Dashboard, lang: Lang, moderate: bool) -> AnyView {
    let items = d
        .texts
        .iter()
        .map(|t: &FreeText| {
            let hide = moderate.then(|| {
                view! {
                    <form method="post" class="inline-form"
                        action=paths::fill(paths::HIDE_TEXT, &[&d.dialogue_id, &t.answer_id])>
                        <button type="submit" class="button small"
                            aria-label=tr_with(lang, "dash.hide_for", &[("n", &t.answer_id.to_string())])>
                            {tr(lang, "dash.hide")}
                        </button>
                    </form>
                }
            });
            view! {
                <li class="free-text" data-answer=t.answer_id>
                    <blockquote>{t.text.clone()}</blockquote>
                    <p class="muted small">{t.question.get(lang).to_owned()}</p>
                    {hide}
                </li>
            }
        })
        .collect_view();
    let empty = d.texts.is_empty();
    view! {
        <section class="card" aria-labelledby="texts-h">
            <h2 id="texts-h">{tr(lang, "dash.texts")}</h2>
            <p class="muted">{tr(lang, "dash.texts_lead")}</p>
            {empty.then(|| view! { <p>{tr(lang, "dash.texts_none")}</p> })}
            <ul class="free-texts">{items}</ul>
        </section>
    }
    .into_any()
}

/// Spam cleanup (quarantine by time window) and where the wall-screen links are made.
fn moderation(
    d: &Dashboard,
    quarantines: &[QuarantineLine],
    lang: Lang,
    posted: &Option<PostedBuilderForm>,
) -> AnyView {
    let form_post = posted_for(posted, "quarantine");
    let e = Errs::new("quarantine", &form_post, lang);
    let value = |field: &str, default: String| {
        form_post
            .as_ref()
            .and_then(|p| p.values.iter().find(|(k, _)| k == field))
            .map(|(_, v)| v.clone())
            .unwrap_or(default)
    };
    let this_hour = domain::time::truncate_to_hour(chrono::Utc::now());
    let from = value(
        "from",
        domain::time::stockholm_input(this_hour - chrono::Duration::hours(1)),
    );
    let to = value(
        "to",
        domain::time::stockholm_input(this_hour + chrono::Duration::hours(1)),
    );
    let lines = quarantines
        .iter()
        .map(|q| {
            let when = format!(
                "{} – {}",
                domain::time::format_stockholm(q.from_hour),
                domain::time::format_stockholm(q.to_hour)
            );
            let release = (!q.released).then(|| {
                view! {
                    <form method="post" class="inline-form" action=paths::fill(paths::RELEASE_QUARANTINE, &[&d.dialogue_id, &q.id])>
                        <button type="submit" class="button small"
                            aria-label=tr_with(lang, "quarantine.release_for", &[("when", &when)])>
                            {tr(lang, "quarantine.release")}
                        </button>
                    </form>
                }
            });
            view! {
                <tr data-quarantine=q.id>
                    <td>{when.clone()}</td>
                    <td>{q.reason.clone()}</td>
                    <td class="num">{q.responses}</td>
                    <td>{tr(lang, if q.released { "quarantine.released" } else { "quarantine.active" })}</td>
                    <td>{release}</td>
                </tr>
            }
        })
        .collect_view();
    let has_lines = !quarantines.is_empty();
    view! {
        <section class="card" aria-labelledby="quarantine-h" id="karantan">
            <h2 id="quarantine-h">{tr(lang, "quarantine.title")}</h2>
            <p>{tr(lang, "quarantine.lead")}</p>
            {has_lines.then(|| view! {
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="quarantine-h">
                    <table>
                        <thead><tr>
                            <th scope="col">{tr(lang, "quarantine.window")}</th>
                            <th scope="col">{tr(lang, "quarantine.reason")}</th>
                            <th scope="col" class="num">{tr(lang, "quarantine.responses")}</th>
                            <th scope="col">{tr(lang, "quarantine.status")}</th>
                            <th scope="col">{tr(lang, "builder.kiosk_actions")}</th>
                        </tr></thead>
                        <tbody>{lines}</tbody>
                    </table>
                </div>
            })}
            {summary(lang, &form_post)}
            <form method="post" action=paths::fill(paths::QUARANTINE, &[&d.dialogue_id]) class="filters" id="quarantine-form" novalidate=true>
                <div class="field">{typed_input(&e, "from", "datetime-local", tr(lang, "quarantine.from"), from)}</div>
                <div class="field">{typed_input(&e, "to", "datetime-local", tr(lang, "quarantine.to"), to)}</div>
                <div class="field">{text_input(&e, "reason", tr(lang, "quarantine.reason"), value("reason", String::new()))}</div>
                <button type="submit" class="button">{tr(lang, "quarantine.submit")}</button>
            </form>
            <p class="muted">
                {tr(lang, "wall.where")}" "
                <a href=format!("{}#kiosk-title", paths::dialogue(d.dialogue_id))>{tr(lang, "wall.manage")}</a>
            </p>
        </section>
    }
    .into_any()
}

fn regional_body(r: Regional, lang: Lang) -> AnyView {
    let head = r
        .items
        .iter()
        .map(|(_, text)| view! { <th scope="col">{text.get(lang).to_owned()}</th> })
        .collect_view();
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let pct = match (row.total, row.target) {
                (Some(t), target) if target > 0 => format!("{} %", (t * 100 / target).min(999)),
                _ => String::new(),
            };
            let items = row
                .items
                .iter()
                .map(|(mean, share)| {
                    let shown = match (mean, share) {
                        (Some(m), Some(s)) => format!("{m:.1} · {:.0} %", s * 100.0),
                        _ => hidden(lang),
                    };
                    view! { <td class="num">{shown}</td> }
                })
                .collect_view();
            let behind = (row.groups_behind > 0).then(|| {
                view! {
                    <span class="behind">
                        {tr_with(lang, "region.behind", &[("n", &row.groups_behind.to_string())])}
                    </span>
                }
            });
            view! {
                <tr data-dialogue=row.dialogue_id>
                    <th scope="row">
                        <a href=paths::dashboard(row.dialogue_id)>{row.title.get(lang).to_owned()}</a>
                        <br /><span class="muted">{row.lpo_name.clone()}</span>
                        {row.preliminary.then(|| view! { " " <span class="badge prelim">{tr(lang, "region.open")}</span> })}
                    </th>
                    <td class="num">{cell(row.total, lang)}</td>
                    <td class="num">{row.target}</td>
                    <td class="num">{pct}<br />{behind}</td>
                    {items}
                </tr>
            }
        })
        .collect_view();
    let empty = r.rows.is_empty();
    view! {
        <h1>{tr(lang, "region.title")}</h1>
        <p class="lead">{tr(lang, "region.lead")}</p>
        {empty.then(|| view! { <p>{tr(lang, "region.none")}</p> })}
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="region-caption">
            <table class="regional">
                <caption id="region-caption">{tr(lang, "region.caption")}</caption>
                <thead><tr>
                    <th scope="col">{tr(lang, "region.dialogue")}</th>
                    <th scope="col" class="num">{tr(lang, "staff.count")}</th>
                    <th scope="col" class="num">{tr(lang, "staff.target")}</th>
                    <th scope="col" class="num">{tr(lang, "region.reach")}</th>
                    {head}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="muted">{tr(lang, "region.items_note")}</p>
    }
    .into_any()
}
