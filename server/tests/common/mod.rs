//! What the server's integration test files share: a server built for tests and a demo
//! account's sign-in (each file passes the site it stands for, so their origins stay apart).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::config::Config;
use tower::ServiceExt;

/// The server on database `url` for site `site`, with sign-in limits that the tests' many
/// sign-ins stay under (set, not switched off).
#[allow(dead_code)] // not every test file builds the server this way
pub async fn built(url: &str, site: &str) -> server::Built {
    let mut config = Config::for_tests(url, site);
    config.login_per_account_per_minute = 100;
    config.login_per_address_per_minute = 1000;
    built_with(config).await
}

/// The server with `config`, serving the release build's site files.
pub async fn built_with(config: Config) -> server::Built {
    let options = LeptosOptions::builder()
        .output_name("medborgarloften")
        .site_root("target/site")
        .build();
    server::build_with(config, options).await.expect("builds")
}

/// POSTs form `body` to `path` from `site` (with the session `cookie`, if any), expects 200
/// and returns the page.
#[allow(dead_code)] // not every test file posts forms this way
pub async fn post_ok(
    app: &axum::Router,
    site: &str,
    path: &str,
    body: &str,
    cookie: Option<&str>,
) -> String {
    let mut b = Request::post(path)
        .header(header::ORIGIN, site)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::from(body.to_owned())).expect("request"))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK, "POST {path}");
    String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned()
}

/// Signs demo account `email` in on `app` from `site`; returns its session cookie.
#[allow(dead_code)] // not every test file signs in this way
pub async fn sign_in(app: &axum::Router, site: &str, email: &str) -> String {
    let body = format!(
        "email={}&password={}",
        email.replace('@', "%40"),
        db::demo::DEMO_PASSWORD
    );
    let res = app
        .clone()
        .oneshot(
            Request::post("/logga-in")
                .header(header::ORIGIN, site)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in {email}");
    res.headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_owned()
}
