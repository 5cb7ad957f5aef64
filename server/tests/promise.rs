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

/// Signed means signed, as served: while a revision of the demo's signed promise is drafted
/// (new title, one commitment dropped, the other reweighted), the Atom feed is byte for byte
/// what it was, and the public page shows the status in force, the revision line and the
/// signed text. Once the last signatory signs, the revised version is served.
#[tokio::test]
async fn a_draft_revision_leaves_the_served_page_and_feed_alone() {
    use db::promise::{CommitmentText, PromiseText};
    for url in db::testing::database_urls().await {
        let config = Config::for_tests(&url, "http://127.0.0.1:3997");
        let options = LeptosOptions::builder()
            .output_name("medborgarloften")
            .site_root("target/site")
            .build();
        let built = server::build_with(config, options).await.expect("builds");
        let (app, db) = (built.router, built.state.app.db.clone());
        let (_, _, feed_before) = get(&app, "/lofte/kristinehamn/flode").await;
        let (_, _, page) = get(&app, "/lofte/kristinehamn").await;
        assert!(!page.contains("En reviderad version förbereds"), "{url}");

        let staff = |email: &'static str| {
            let db = db.clone();
            async move {
                use db::entity::staff_user;
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                let u = staff_user::Entity::find()
                    .filter(staff_user::Column::Email.eq(email))
                    .one(&db)
                    .await
                    .expect("read")
                    .expect("demo user");
                db::accounts::principal(&u).expect("principal")
            }
        };
        let officer = staff("kommunpolis.kristinehamn@demo.polisen.se").await;
        let manager = staff("chef.kristinehamn@demo.polisen.se").await;
        let partner = staff("socialtjansten@demo.kristinehamn.se").await;
        let now = chrono::Utc::now();
        let shown = db::promise::public(&db, "kristinehamn", now)
            .await
            .expect("read")
            .expect("public");
        let v1 = db::promise::version_text(&db, shown.id, shown.version)
            .await
            .expect("read")
            .expect("version");
        let first = &v1.commitments[0];
        let revised = PromiseText {
            title: domain::LocalizedText::new("Reviderat löfte", "Revised promise"),
            body: v1.body.clone(),
            commitments: vec![CommitmentText {
                weight: 7.0,
                text: domain::LocalizedText::new("Ändrat åtagande", "Changed commitment"),
                ..first.clone()
            }],
        };
        db::promise::edit(&db, &officer, shown.id, revised, now)
            .await
            .expect("revision drafted");
        let (_, _, feed_during) = get(&app, "/lofte/kristinehamn/flode").await;
        assert_eq!(
            feed_during, feed_before,
            "{url}: the feed moved with a draft"
        );
        let (status, _, page) = get(&app, "/lofte/kristinehamn").await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(page.contains("En reviderad version förbereds"), "{url}");
        assert!(
            page.contains(r#"data-status="active""#),
            "{url}: the status in force"
        );
        assert!(!page.contains("Utkast"), "{url}");
        assert!(!page.contains("Reviderat löfte"), "{url}");
        assert!(
            page.contains("Synas mer på kvällar och på otrygga platser"),
            "{url}: the dropped commitment is still in force"
        );
        db::promise::sign(&db, &manager, shown.id, now)
            .await
            .expect("signed");
        db::promise::sign(&db, &partner, shown.id, now)
            .await
            .expect("signed");
        let (_, _, page) = get(&app, "/lofte/kristinehamn").await;
        assert!(page.contains("Reviderat löfte"), "{url}: the new version");
        assert!(!page.contains("En reviderad version förbereds"), "{url}");
        assert!(
            !page.contains("Synas mer på kvällar och på otrygga platser"),
            "{url}"
        );
        let (_, _, feed_after) = get(&app, "/lofte/kristinehamn/flode").await;
        assert!(feed_after.contains("Reviderat löfte"), "{url}");
    }
}
