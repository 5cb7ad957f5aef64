//! Staff forms of issue #16 through the router: a theme's merge and delete, and a dialogue's
//! early close and delete, are asked twice (`confirm=1`); without it they are a 422 and
//! nothing changes. A dialogue's settings keep what was typed when refused (422) and show
//! what is stored beside it on a conflict (409).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sea_orm::EntityTrait;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3995";
const OFFICER: &str = "kommunpolis.kristinehamn@demo.polisen.se";

async fn post(app: &axum::Router, path: &str, body: &str, cookie: &str) -> StatusCode {
    post_page(app, path, body, cookie).await.0
}

async fn post_page(
    app: &axum::Router,
    path: &str,
    body: &str,
    cookie: &str,
) -> (StatusCode, String) {
    let req = Request::post(path)
        .header(header::ORIGIN, SITE)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

db::backend_test! {
    async fn merging_and_deleting_a_theme_is_asked_twice(url: String) {
        let built = common::built(&url, SITE).await;
        let db = built.state.app.db.clone();
        let app = built.router;
        let cookie = common::sign_in(&app, SITE, OFFICER).await;
        let lpo = common::staff_scope(&db, OFFICER).await;
        let themes = db::themes::lpo_themes(&db, lpo).await.expect("themes");
        let (from, into) = (themes[0].id, themes[1].id);
        let path = format!("/personal/kodning/1/teman/{from}");
        let retired = |id: i64| {
            let db = db.clone();
            async move {
                db::entity::theme::Entity::find_by_id(id)
                    .one(&db)
                    .await
                    .expect("read")
                    .expect("theme")
                    .retired_at
                    .is_some()
            }
        };
        let unasked = format!("action=merge&into={into}");
        assert_eq!(post(&app, &path, &unasked, &cookie).await, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!retired(from).await, "nothing changed");
        assert_eq!(
            post(&app, &path, "action=delete", &cookie).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let asked = format!("action=merge&into={into}&confirm=1");
        assert_eq!(post(&app, &path, &asked, &cookie).await, StatusCode::SEE_OTHER);
        assert!(retired(from).await && !retired(into).await);
        assert_eq!(post(&app, &path, "action=restore", &cookie).await, StatusCode::SEE_OTHER);
        assert!(!retired(from).await);
    }
}

db::backend_test! {
    async fn a_dialogues_settings_and_its_close_through_the_forms(url: String) {
        let built = common::built(&url, SITE).await;
        let db = built.state.app.db.clone();
        let app = built.router;
        let cookie = common::sign_in(&app, SITE, OFFICER).await;
        let stored = || {
            let db = db.clone();
            async move {
                db::entity::dialogue::Entity::find_by_id(1)
                    .one(&db)
                    .await
                    .expect("read")
                    .expect("dialogue")
            }
        };
        let d = stored().await;
        let opens = db::dialogue::first_day(d.opens_at);
        let closes = db::dialogue::last_day(d.closes_at);
        let settings = |version: i32, title: &str| {
            format!(
                "version={version}&title_sv={title}&title_en=Dialogue&intro_sv=Hej&intro_en=Hi&opens_on={opens}&closes_on={closes}"
            )
        };
        let path = "/personal/dialoger/1/installningar";
        // Bad input: 422, the typed values kept, nothing stored.
        let (status, page) = post_page(&app, path, &settings(d.version, "").replace("intro_en=Hi", "intro_en=Skrivet"), &cookie).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("Skrivet"), "the typed introduction is kept");
        assert_eq!(stored().await.version, d.version);
        // Saved, then a save from the old version: 409, with the stored title beside the form.
        assert_eq!(post(&app, path, &settings(d.version, "Dialog+ett"), &cookie).await, StatusCode::SEE_OTHER);
        let (status, page) = post_page(&app, path, &settings(d.version, "Dialog+tv%C3%A5"), &cookie).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(page.contains("settings-stored") && page.contains("Dialog ett") && page.contains("Dialog två"));
        assert!(stored().await.title.contains("Dialog ett"));
        // Closing early is asked twice.
        let change = "/personal/dialoger/1/andra";
        assert_eq!(post(&app, change, "action=close", &cookie).await, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(stored().await.closes_at > chrono::Utc::now());
        assert_eq!(post(&app, change, "action=close&confirm=1", &cookie).await, StatusCode::SEE_OTHER);
        assert!(stored().await.closes_at <= chrono::Utc::now());
        // With answers it is never deleted; an unknown action is a 422.
        assert_eq!(post(&app, change, "action=delete&confirm=1", &cookie).await, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(post(&app, change, "action=explode", &cookie).await, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(post(&app, change, "action=archive", &cookie).await, StatusCode::SEE_OTHER);
        assert!(stored().await.archived_at.is_some());
    }
}
