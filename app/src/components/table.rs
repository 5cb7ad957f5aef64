//! A data table that scrolls sideways on a phone: reachable from the keyboard and named by its
//! caption, with a heading per column.

use crate::i18n::{Lang, tr};
use leptos::prelude::*;

/// `heads` are the column headings, `body` the rows (`<tr>`s).
pub(crate) fn scroll_table(
    label: String,
    heads: Vec<AnyView>,
    body: impl IntoView + 'static,
) -> AnyView {
    let heads = heads
        .into_iter()
        .map(|h| view! { <th scope="col">{h}</th> })
        .collect_view();
    let name = label.clone();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=name>
            <table>
                <caption class="visually-hidden">{label}</caption>
                <thead><tr>{heads}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Previous and next links of a paged list (`page` of `pages`, 1-based), named `label`;
/// `href` gives a page's URL. Plain links: paging works without JavaScript.
pub(crate) fn pager(
    lang: Lang,
    label: String,
    page: u64,
    pages: u64,
    href: impl Fn(u64) -> String,
) -> AnyView {
    let prev = (page > 1).then(|| {
        view! { <a rel="prev" href=href((page - 1).min(pages))>{tr(lang, "audit.prev")}</a> }
    });
    let next = (page < pages).then(|| {
        view! { <a rel="next" href=href(page + 1)>{tr(lang, "audit.next")}</a> }
    });
    view! { <nav class="pager" aria-label=label>{prev}" "{next}</nav> }.into_any()
}
