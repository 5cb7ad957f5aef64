//! The dialogue dashboard for staff: are we reaching everyone, and what are people telling us?
//! Server-rendered; every figure comes from `db::dashboard`, where the n<5 rule is applied.
//! Charts are SVG with a table beside them as their text alternative.

use crate::error::AppError;
use crate::i18n::{Lang, current_lang, tr, tr_with};
use crate::layout::Page;
use crate::pages::auth::{ANSWER_ROLES, access, guarded};
use domain::dashboard::{Dashboard, Distribution, GroupCoverage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub fn dashboard_href(dialogue_id: i64) -> String {
    format!("/personal/oversikt/{dialogue_id}")
}

/// The dashboard of one dialogue, for staff whose scope holds its LPO.
#[server(endpoint = "staff/dashboard")]
pub async fn load_dashboard(dialogue_id: i64) -> Result<Dashboard, AppError> {
    use crate::ssr::{internal, require, state};
    let p = require(ANSWER_ROLES).await?;
    let st = state()?;
    let d = db::dashboard::dashboard(
        &st.db,
        dialogue_id,
        domain::dashboard::Audience::Staff,
        st.clock.now(),
    )
    .await
    .map_err(internal)?
    .ok_or(AppError::NotFound)?;
    let lpos = db::register::visible_lpos(&st.db, &p)
        .await
        .map_err(internal)?;
    if lpos.is_some_and(|l| !l.contains(&d.lpo_id)) {
        crate::ssr::set_status(403);
        return Err(AppError::Forbidden);
    }
    Ok(d)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = current_lang();
    let id = use_params_map()
        .read_untracked()
        .get("dialogue")
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    view! {
        <Page>
            <Title text=tr(lang, "dash.title") />
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let who = access(ANSWER_ROLES).await;
                    let data = match &who {
                        Ok(_) => load_dashboard(id).await,
                        Err(e) => Err(e.clone()),
                    };
                    guarded(lang, "/personal", who, move |_| match data {
                        Ok(d) => dashboard_body(d, lang).into_any(),
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::ssr::set_status(e.status());
                            view! {
                                <h1>{tr(lang, "dash.title")}</h1>
                                <p class="form-error">
                                    {tr(lang, e.message_key().unwrap_or("survey.server_error"))}
                                </p>
                            }
                            .into_any()
                        }
                    })
                })}
            </Suspense>
        </Page>
    }
}

/// A count as shown: the number, or "< 5" when suppressed.
fn cell(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "< 5".to_owned())
}

fn dashboard_body(d: Dashboard, lang: Lang) -> impl IntoView {
    let title = d.title.get(lang).to_owned();
    let preliminary = d
        .preliminary
        .then(|| view! { <p class="badge prelim">{tr(lang, "dash.preliminary")}</p> });
    let period = tr_with(
        lang,
        "dash.period",
        &[
            ("from", &domain::time::format_stockholm(d.opens_at)),
            ("to", &domain::time::format_stockholm(d.closes_at)),
        ],
    );
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
    view! {
        <h1>{title}</h1>
        {preliminary}
        <p class="muted">{period}</p>
        <section class="card" aria-labelledby="total-h">
            <h2 id="total-h">{tr(lang, "dash.total")}</h2>
            <p class="big-number" data-total=d.total.unwrap_or(0)>{cell(d.total)}</p>
        </section>
        {coverage(&d.groups, lang).into_any()}
        <section class="card" aria-labelledby="time-h">
            <h2 id="time-h">{tr(lang, "dash.over_time")}</h2>
            {bar_series("hourly", &tr(lang, "dash.per_hour"), &hourly, lang).into_any()}
            {bar_series("daily", &tr(lang, "dash.per_day"), &daily, lang).into_any()}
        </section>
        <section aria-labelledby="dist-h">
            <h2 id="dist-h">{tr(lang, "dash.answers")}</h2>
            <p class="muted">
                {tr_with(lang, "dash.published_at", &[("n", &d.published_at_total.to_string())])}
            </p>
            {d.distributions.into_iter().map(|x| distribution(x, lang).into_any()).collect_view()}
        </section>
    }
}

fn coverage(groups: &[GroupCoverage], lang: Lang) -> impl IntoView + use<> {
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
                .map(|(c, n)| format!("{} {}", tr(lang, &format!("channel.{c}")), cell(*n)))
                .collect::<Vec<_>>()
                .join(" · ");
            let row_class = if behind > 0 { "is-behind" } else { "" };
            view! {
                <tr data-group=g.group_code.clone() class=row_class>
                    <th scope="row">{g.group_name.get(lang).to_owned()}</th>
                    <td class="num count">{cell(g.count)}</td>
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
}

/// A bar chart over a series, with a table as its text alternative.
fn bar_series(
    id: &'static str,
    caption: &str,
    series: &[(String, Option<i64>)],
    lang: Lang,
) -> impl IntoView + use<> {
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
        .map(|(label, n)| view! { <tr><th scope="row">{label.clone()}</th><td class="num">{cell(*n)}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart" id=id>
            <figcaption>{caption.to_owned()}</figcaption>
            <svg viewBox="0 0 100 40" preserveAspectRatio="none" class="bars" aria-hidden="true">{bars}</svg>
            <details>
                <summary>{tr(lang, "dash.as_table")}</summary>
                <table>
                    <thead><tr><th scope="col">{tr(lang, "dash.when")}</th><th scope="col" class="num">{tr(lang, "staff.count")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}

fn distribution(d: Distribution, lang: Lang) -> impl IntoView {
    let max = d
        .overall
        .iter()
        .filter_map(|n| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = d
        .values
        .iter()
        .zip(&d.overall)
        .enumerate()
        .map(|(i, (v, n))| {
            let width = n.unwrap_or(0) as f64 / max as f64 * 70.0;
            let y = i as f64 * 10.0;
            view! {
                <text class="bar-label" x="0" y=format!("{:.1}", y + 6.5)>{v.label.get(lang).to_owned()}</text>
                <rect class="bar" x="28" y=format!("{:.1}", y + 1.5) width=format!("{width:.2}") height="6"></rect>
                <text class="bar-value" x=format!("{:.2}", 30.0 + width) y=format!("{:.1}", y + 6.5)>{cell(*n)}</text>
            }
        })
        .collect_view();
    let height = d.values.len() as f64 * 10.0;
    let head = d
        .values
        .iter()
        .map(|v| view! { <th scope="col" class="num">{v.label.get(lang).to_owned()}</th> })
        .collect_view();
    let group_rows = d
        .by_group
        .iter()
        .map(|(name, cells)| {
            view! {
                <tr>
                    <th scope="row">{name.get(lang).to_owned()}</th>
                    {cells.iter().map(|n| view! { <td class="num">{cell(*n)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    let area_rows = d
        .by_area
        .iter()
        .map(|(name, cells)| {
            view! {
                <tr>
                    <th scope="row">{name.clone()}</th>
                    {cells.iter().map(|n| view! { <td class="num">{cell(*n)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    let stats = d.mean.map(|mean| {
        let share = d
            .share_high
            .map(|s| format!("{:.0} %", s * 100.0))
            .unwrap_or_default();
        view! {
            <p class="stats">
                {tr_with(lang, "dash.mean", &[("mean", &format!("{mean:.1}")), ("share", &share)])}
            </p>
        }
    });
    let heading_id = format!("q{}-dist", d.question_id);
    let labelled_by = heading_id.clone();
    let text = d.text.get(lang).to_owned();
    view! {
        <section class="card dist" aria-labelledby=labelled_by data-question=d.question_id>
            <h3 id=heading_id>{text}</h3>
            {stats}
            <svg class="hbars" viewBox=format!("0 0 110 {height}") aria-hidden="true">{bars}</svg>
            <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "dash.by_group")>
                <table>
                    <caption>{tr(lang, "dash.by_group")}</caption>
                    <thead><tr><td></td>{head.clone()}</tr></thead>
                    <tbody>{group_rows}</tbody>
                </table>
            </div>
            <div class="table-scroll" tabindex="0" role="region" aria-label=tr(lang, "dash.by_area")>
                <table>
                    <caption>{tr(lang, "dash.by_area")}</caption>
                    <thead><tr><td></td>{head}</tr></thead>
                    <tbody>{area_rows}</tbody>
                </table>
            </div>
        </section>
    }
}
