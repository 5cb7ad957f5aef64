//! The public follow-up page and its Atom feed, on SQLite and PostgreSQL, with the demo's
//! promise: no login, the commitments with progress, "du sa – vi gjorde" under the n<5 rule,
//! and a feed that parses as Atom 1.0 with stable entry ids.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::config::Config;
use tower::ServiceExt;

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String, String) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let ctype = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, ctype, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_public_page_and_its_atom_feed() {
    for url in db::testing::database_urls().await {
        let config = Config::for_tests(&url, "http://127.0.0.1:3997");
        let options = LeptosOptions::builder()
            .output_name("medborgarloften")
            .site_root("target/site")
            .build();
        let app = server::build_with(config, options)
            .await
            .expect("builds")
            .router;
        let (status, _, page) = get(&app, "/lofte/kristinehamn").await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(
            page.contains("Minska narkotikahandeln där unga rör sig"),
            "{url}"
        );
        assert!(page.contains("Du sa – vi gjorde"), "{url}");
        let link = page
            .split("<link")
            .find(|l| l.contains("application/atom+xml"))
            .unwrap_or_default();
        assert!(
            link.contains(r#"rel="alternate""#)
                && link.contains(r#"href="/lofte/kristinehamn/flode""#),
            "{url}: the feed is advertised: {link}"
        );
        assert!(page.contains("<progress"), "{url}: progress bars");
        let (status, _, _) = get(&app, "/lofte/ingenstans").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");

        let (status, ctype, first) = get(&app, "/lofte/kristinehamn/flode").await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(ctype.starts_with("application/atom+xml"), "{url}: {ctype}");
        let feed = atom_syndication::Feed::read_from(first.as_bytes()).expect("Atom 1.0");
        assert!(
            feed.id().starts_with("urn:medborgarloften:promise:"),
            "{url}"
        );
        assert!(!feed.title().as_str().is_empty(), "{url}");
        assert!(!feed.authors().is_empty(), "{url}: an author");
        assert_eq!(feed.entries().len(), 4, "{url}: the demo's four updates");
        for e in feed.entries() {
            assert!(e.id().starts_with("urn:medborgarloften:progress:"), "{url}");
            assert!(!e.title().as_str().is_empty(), "{url}");
            assert!(e.updated() <= &chrono::Utc::now().fixed_offset(), "{url}");
        }
        let (_, _, second) = get(&app, "/lofte/kristinehamn/flode").await;
        let again = atom_syndication::Feed::read_from(second.as_bytes()).expect("Atom 1.0");
        let ids = |f: &atom_syndication::Feed| {
            f.entries()
                .iter()
                .map(|e| e.id().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&feed), ids(&again), "{url}: entry ids are stable");
        assert_eq!(feed.updated(), again.updated(), "{url}");
    }
}
