//! The theme list's forms through the router (issue #16): a merge and a delete are asked
//! twice (`confirm=1`); without it they are a 422 and nothing changes.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sea_orm::EntityTrait;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3995";
const OFFICER: &str = "kommunpolis.kristinehamn@demo.polisen.se";

async fn post(app: &axum::Router, path: &str, body: &str, cookie: &str) -> StatusCode {
    let req = Request::post(path)
        .header(header::ORIGIN, SITE)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_owned()))
        .expect("request");
    app.clone().oneshot(req).await.expect("response").status()
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
