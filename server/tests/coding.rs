//! Staff forms of issue #16 through the router: a theme's merge and delete, and a dialogue's
//! early close and delete, are asked twice (`confirm=1`); without it they are a 422 and
//! nothing changes. A dialogue's settings keep what was typed when refused (422) and show
//! what is stored beside it on a conflict (409). A long form posted after its session ended
//! comes back filled in once its author has signed in again.

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

/// A request on `app` from the site, with `cookie` if any: (status, Location, Set-Cookie, body).
async fn send(
    app: &axum::Router,
    method: &str,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> (StatusCode, String, Option<String>, String) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ORIGIN, SITE)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_owned())).expect("request"))
        .await
        .expect("response");
    let header_of = |name| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header_of(header::LOCATION).unwrap_or_default();
    let cookie = header_of(header::SET_COOKIE).and_then(|c| c.split(';').next().map(str::to_owned));
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22)
        .await
        .expect("body");
    (
        status,
        location,
        cookie,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

db::backend_test! {
    async fn a_form_posted_after_the_session_ended_comes_back_filled_in(url: String) {
        let built = common::built(&url, SITE).await;
        let db = built.state.app.db.clone();
        let app = built.router;
        let page = "/personal/dialoger/1";
        let typed = format!(
            "_draft=settings&_page={page}&version=1&title_sv=Utkastet+kvar&title_en=Kept&intro_sv=Hej&intro_en=Hi"
        );
        // Signed out (the session ended): kept in a fresh session, sent to sign in.
        let (status, to, cookie, _) = send(&app, "POST", "/personal/dialoger/1/installningar", &typed, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(to, format!("/logga-in?next={page}&utkast=1"));
        let cookie = cookie.expect("a session holds the draft");
        let login = format!(
            "email={}&password={}&next={page}",
            OFFICER.replace('@', "%40"),
            db::demo::DEMO_PASSWORD
        );
        let (status, to, signed, _) = send(&app, "POST", "/logga-in", &login, Some(&cookie)).await;
        assert_eq!((status, to.as_str()), (StatusCode::SEE_OTHER, page));
        let cookie = signed.unwrap_or(cookie);
        // Back on the page: the form filled in, with a word on why; once.
        let (status, _, _, html) = send(&app, "GET", page, "", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Utkastet kvar") && html.contains("Du loggades ut"), "the draft is shown");
        let (_, _, _, again) = send(&app, "GET", page, "", Some(&cookie)).await;
        assert!(!again.contains("Utkastet kvar"), "shown once");
        // Nothing was saved on the way.
        let d = db::entity::dialogue::Entity::find_by_id(1).one(&db).await.expect("read").expect("row");
        assert!(!d.title.contains("Utkastet kvar"));
        // A page that is not this site's staff page keeps nothing: refused as before.
        let foreign = typed.replace(&format!("_page={page}"), "_page=%2F%2Fevil.example%2Fpersonal");
        let (status, to, _, _) = send(&app, "POST", "/personal/dialoger/1/installningar", &foreign, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(!to.contains("utkast") && !to.contains("evil"), "{to}");
    }
}
