//! Figures as the dashboards, the compilation and the public promise show them: a suppressed
//! figure is labelled "hidden" (it may rest on fewer than five answers, or be hidden so that
//! another hidden figure cannot be worked out from the totals), and a chart has its table.

use crate::i18n::{Lang, tr, tr_with};
use domain::dashboard::Distribution;
use leptos::prelude::*;

/// The label of a suppressed figure.
pub fn hidden(lang: Lang) -> String {
    tr(lang, "figures.hidden")
}

/// A count as shown: the number, or [`hidden`] when suppressed.
pub fn cell(n: Option<i64>, lang: Lang) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| hidden(lang))
}

/// A question's distribution: a bar chart and, beside it, the same figures as a table
/// (overall, by target group and by area), hidden cells labelled as such.
pub fn distribution(d: &Distribution, lang: Lang) -> AnyView {
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
                <text class="bar-label" x="0" y=format!("{:.1}", y + 6.5)>{if v.code == domain::dashboard::NO_ANSWER { tr(lang, "dash.no_answer") } else { v.label.get(lang).to_owned() }}</text>
                <rect class="bar" x="28" y=format!("{:.1}", y + 1.5) width=format!("{width:.2}") height="6"></rect>
                <text class="bar-value" x=format!("{:.2}", 30.0 + width) y=format!("{:.1}", y + 6.5)>{cell(*n, lang)}</text>
            }
        })
        .collect_view();
    let height = d.values.len() as f64 * 10.0;
    let head = d
        .values
        .iter()
        .map(|v| {
            let label = if v.code == domain::dashboard::NO_ANSWER {
                tr(lang, "dash.no_answer")
            } else {
                v.label.get(lang).to_owned()
            };
            view! { <th scope="col" class="num">{label}</th> }
        })
        .collect_view();
    let rows = |lines: Vec<(String, &Vec<Option<i64>>)>| {
        lines
            .into_iter()
            .map(|(name, cells)| {
                view! {
                    <tr>
                        <th scope="row">{name}</th>
                        {cells.iter().map(|n| view! { <td class="num">{cell(*n, lang)}</td> }).collect_view()}
                    </tr>
                }
            })
            .collect_view()
    };
    let group_rows = rows(
        d.by_group
            .iter()
            .map(|(name, cells)| (name.get(lang).to_owned(), cells))
            .collect(),
    );
    let area_rows = rows(
        d.by_area
            .iter()
            .map(|(name, cells)| {
                // The row of those who gave no area (an empty name).
                let name = if name.is_empty() {
                    tr(lang, "dash.no_answer")
                } else {
                    name.clone()
                };
                (name, cells)
            })
            .collect(),
    );
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
    .into_any()
}
