//! The Atom 1.0 feed of a municipality's promise updates (`/lofte/{municipality}/flode`), so
//! residents and the local paper can follow it. Entry ids are derived from the progress
//! entry's id, so they stay the same across requests.

use crate::ServerState;
use crate::route::PlainRoute;
use app::access::Access;
use app::i18n::{Lang, tr, tr_with};
use app::paths;
use atom_syndication::{Entry, Feed, Link, Person, Text};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{FixedOffset, TimeZone};

pub const ROUTES: &[PlainRoute] = &[PlainRoute::get(
    "promise_feed",
    paths::PROMISE_FEED,
    Access::Public,
    || get(feed),
)];

pub async fn feed(State(state): State<ServerState>, Path(code): Path<String>) -> Response {
    let now = state.app.clock.now();
    let p = match db::promise::public(&state.app.db, &code, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feed failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let site = state.config.site_url.trim_end_matches('/').to_owned();
    let page = format!("{site}{}", paths::promise(&code));
    let utc = |t: chrono::DateTime<chrono::Utc>| {
        FixedOffset::east_opt(0)
            .map(|z| z.from_utc_datetime(&t.naive_utc()))
            .unwrap_or_else(|| t.fixed_offset())
    };
    let author = Person {
        name: p.lpo_name.clone(),
        ..Default::default()
    };
    let entries: Vec<Entry> = p
        .updates
        .iter()
        .map(|u| Entry {
            id: format!("urn:medborgarloften:progress:{}", u.id),
            title: Text::plain(title(u)),
            // A replaced entry is updated when its correction is made, so readers see it again.
            updated: utc(u.superseded.as_ref().map_or(u.at, |s| s.at.max(u.at))),
            authors: vec![author.clone()],
            links: vec![Link {
                href: page.clone(),
                rel: "alternate".to_owned(),
                ..Default::default()
            }],
            summary: Some(Text::plain(summary(u))),
            ..Default::default()
        })
        .collect();
    let updated = p
        .updates
        .iter()
        .flat_map(|u| std::iter::once(u.at).chain(u.superseded.as_ref().map(|s| s.at)))
        .max()
        .unwrap_or_else(|| {
            p.period_from
                .and_hms_opt(0, 0, 0)
                .map(|d| d.and_utc())
                .unwrap_or(now)
        });
    let feed = Feed {
        id: format!("urn:medborgarloften:promise:{}", p.id),
        title: Text::plain(format!(
            "{} – {}",
            p.title.get(domain::Lang::Sv),
            p.municipality
        )),
        updated: utc(updated),
        authors: vec![author],
        links: vec![
            Link {
                href: page,
                rel: "alternate".to_owned(),
                ..Default::default()
            },
            Link {
                href: format!("{site}{}", paths::promise_feed(&code)),
                rel: "self".to_owned(),
                ..Default::default()
            },
        ],
        lang: Some("sv".to_owned()),
        entries,
        ..Default::default()
    };
    let mut res = feed.to_string().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    res
}

/// An entry's title; a correcting entry says so first (the feed is in Swedish).
fn title(u: &domain::promise::Update) -> String {
    let base = format!("{}: {}", u.activity, u.text);
    if u.corrects.is_some() {
        format!("{}: {base}", tr(Lang::Sv, "promise.correction"))
    } else {
        base
    }
}

/// The amount and day; a correction with the figure it replaces and its reason, a replaced
/// entry with a note that its figure no longer counts.
fn summary(u: &domain::promise::Update) -> String {
    let base = format!("+{} {} ({})", u.amount, u.unit, u.on);
    if let Some(c) = &u.corrects {
        let note = tr_with(
            Lang::Sv,
            "promise.corrected_note",
            &[
                ("day", &c.on.to_string()),
                ("old", &format!("{}", c.amount)),
                ("new", &format!("{}", u.amount)),
                ("unit", &u.unit),
                ("reason", &c.reason),
            ],
        );
        format!("{base}. {note}")
    } else if u.superseded.is_some() {
        format!("{base}. {}", tr(Lang::Sv, "promise.superseded"))
    } else {
        base
    }
}
