//! The public follow-up page and its Atom feed, on SQLite and PostgreSQL, with the demo's
//! promise: no login, the commitments with progress, "du sa – vi gjorde" under the n<5 rule,
//! and a feed that parses as Atom 1.0 with stable entry ids.

mod common;

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

db::backend_test! {
    async fn the_public_page_and_its_atom_feed(url: String) {
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
        // The demo's four updates and the correction of one of them (both stay).
        assert_eq!(
            feed.entries().len(),
            5,
            "{url}: four updates and a correction"
        );
        let correction = feed
            .entries()
            .iter()
            .find(|e| e.title().as_str().starts_with("Rättelse: "))
            .expect("the correction is an entry of its own");
        let summary = correction.summary().map(|s| s.as_str()).unwrap_or_default();
        assert!(
            summary.contains("14 → 12 pass") && summary.contains("Skäl: Två inställda pass"),
            "{url}: the corrected figure and the reason: {summary}"
        );
        let replaced = feed
            .entries()
            .iter()
            .find(|e| e.title().as_str().contains("Fjorton kvällspass"))
            .expect("the replaced entry stays in the feed");
        assert!(
            replaced
                .summary()
                .is_some_and(|s| s.as_str().contains("Ersatt av en rättelse")),
            "{url}: marked as replaced"
        );
        assert!(
            page.contains("Rättelse") && page.contains("Två inställda pass räknades av misstag"),
            "{url}: the public page shows the correction and its reason"
        );
        assert!(
            page.contains("12 av 40 pass"),
            "{url}: the corrected figure on the public page"
        );
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

db::backend_test! {
    /// Signed means signed, as served: while a revision of the demo's signed promise is drafted
    /// (new title, one commitment dropped, the other reweighted), the Atom feed is byte for byte
    /// what it was, and the public page shows the status in force, the revision line and the
    /// signed text. Once the last signatory signs, the revised version is served.
    async fn a_draft_revision_leaves_the_served_page_and_feed_alone(url: String) {
        use db::promise::{CommitmentText, PromiseText};
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

const SITE: &str = "http://127.0.0.1:3997";

async fn app_on(url: &str) -> axum::Router {
    let config = Config::for_tests(url, SITE);
    common::built_with(config).await.router
}

async fn post(app: &axum::Router, uri: &str, body: &str, cookie: &str) -> (StatusCode, String) {
    let res = app
        .clone()
        .oneshot(
            Request::post(uri)
                .header(header::ORIGIN, SITE)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie)
                .body(Body::from(body.to_owned()))
                .expect("request"),
        )
        .await
        .expect("response");
    let status = res.status();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn sign_in(app: &axum::Router, email: &str) -> String {
    common::sign_in(app, SITE, email).await
}

db::backend_test! {
    /// The staff forms of issue #14 through HTTP: "Rätta" on an entry (422 with a message and
    /// nothing stored for bad input, 403 for another LPO, 404 for another promise's entry), the
    /// activity's status with a required reason to cancel, and the weight set in the form.
    async fn staff_correct_entries_set_status_and_weights_through_the_forms(url: String) {
        use db::entity::{activity, progress_entry};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let app = app_on(&url).await;
        let db = db::connect(&url).await.expect("connects");
        let officer = sign_in(&app, "kommunpolis.kristinehamn@demo.polisen.se").await;
        let torsby = sign_in(&app, "kommunpolis.torsby@demo.polisen.se").await;
        let langning = activity::Entity::find()
            .filter(activity::Column::Title.eq("Riktade insatser mot langning"))
            .one(&db)
            .await
            .expect("read")
            .expect("demo activity");
        let entry = progress_entry::Entity::find()
            .filter(progress_entry::Column::ActivityId.eq(langning.id))
            .one(&db)
            .await
            .expect("read")
            .expect("demo entry");
        let page = "/personal/lofte/1";
        let (status, html) = app_page(&app, page, &officer).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(
            html.contains(&format!("/personal/lofte/1/framsteg/{}/ratta", entry.id)),
            "{url}: a Rätta form per entry"
        );
        let count = || async {
            progress_entry::Entity::find()
                .count(&db)
                .await
                .expect("count")
        };
        let before = count().await;
        let correct = format!("/personal/lofte/1/framsteg/{}/ratta", entry.id);
        for (body, what) in [
            ("amount=5&text=&reason=+", "an empty reason"),
            ("amount=-2&text=&reason=Fel", "a negative amount"),
            ("amount=NaN&text=&reason=Fel", "NaN"),
            ("amount=tre&text=&reason=Fel", "not a number"),
        ] {
            let (status, html) = post(&app, &correct, body, &officer).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {what}");
            assert!(html.contains(r#"role="alert""#), "{url}: {what}: a message");
        }
        let (status, _) = post(&app, &correct, "amount=5&reason=Fel", &torsby).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{url}: another LPO");
        let (status, _) = post(
            &app,
            "/personal/lofte/1/framsteg/999999/ratta",
            "amount=5&reason=Fel",
            &officer,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}: no such entry");
        assert_eq!(count().await, before, "{url}: refusals store nothing");
        let (status, html) = post(
            &app,
            &correct,
            "amount=5&text=&reason=Tv%C3%A5+saknades",
            &officer,
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{url}: {html}");
        assert_eq!(count().await, before + 1, "{url}: one correcting entry");
        let (_, public) = app_page(&app, "/lofte/kristinehamn", "").await;
        assert!(
            public.contains("5 av 10 insatser") && public.contains("Två saknades"),
            "{url}: the corrected figure and the reason in public"
        );

        // Status: cancelling needs a reason.
        let set = format!("/personal/lofte/1/aktivitet/{}/status", langning.id);
        let (status, html) = post(&app, &set, "status=cancelled&reason=", &officer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(html.contains("Skriv ett skäl."), "{url}: the message");
        let (status, _) = post(&app, &set, "status=kanske&reason=x", &officer).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: an unknown status"
        );
        let (status, _) = post(&app, &set, "status=cancelled&reason=Nej", &torsby).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{url}: another LPO");
        let stored = activity::Entity::find_by_id(langning.id)
            .one(&db)
            .await
            .expect("read")
            .expect("activity");
        assert_eq!(stored.status, "planned", "{url}: nothing stored");
        let (status, _) = post(
            &app,
            &set,
            "status=cancelled&reason=Ersatt+av+vandringar",
            &officer,
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{url}");
        let (_, public) = app_page(&app, "/lofte/kristinehamn", "").await;
        assert!(
            public.contains("Inställd") && public.contains("Ersatt av vandringar"),
            "{url}: the cancellation and its reason in public"
        );

        // The weight set in the form is stored and shown.
        let (status, html) = post(
            &app,
            "/personal/lofte/1/aktivitet",
            &format!(
                "commitment={}&title=Tung+aktivitet&owner=police_unit%3A{}&target=4&unit=st&due_on=2099-12-01&weight=2.5",
                langning.commitment_id,
                1
            ),
            &officer,
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{url}: {html}");
        let heavy = activity::Entity::find()
            .filter(activity::Column::Title.eq("Tung aktivitet"))
            .one(&db)
            .await
            .expect("read")
            .expect("added");
        assert_eq!(heavy.weight, 2.5, "{url}: the weight as set");
        let (_, html) = app_page(&app, page, &officer).await;
        assert!(html.contains("vikt 2.5"), "{url}: shown");
        let (status, _) = post(
            &app,
            "/personal/lofte/1/aktivitet",
            &format!(
                "commitment={}&title=Noll&owner=police_unit%3A1&target=4&unit=st&due_on=2099-12-01&weight=0",
                langning.commitment_id
            ),
            &officer,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: a weight of 0"
        );
    }
}

async fn app_page(app: &axum::Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let mut b = Request::get(uri);
    if !cookie.is_empty() {
        b = b.header(header::COOKIE, cookie);
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}
