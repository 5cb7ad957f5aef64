//! A data table that scrolls sideways on a phone: reachable from the keyboard and named by its
//! caption, with a heading per column.

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
