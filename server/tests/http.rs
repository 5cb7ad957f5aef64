//! The HTTP layer end to end, in process: the no-JS form path, CSRF, limits and headers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::config::Config;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3999";

async fn app() -> axum::Router {
    let path = std::env::temp_dir().join(format!("mbl-http-{}.db", uuid::Uuid::new_v4()));
    let mut config = Config::for_tests(&format!("sqlite://{}?mode=rwc", path.display()), SITE);
    config.login_per_address_per_minute = 30;
    let options = LeptosOptions::builder()
        .output_name("medborgarloften")
        .site_root("target/site")
        .build();
    server::build_with(config, options)
        .await
        .expect("server builds")
        .router
}

async fn body_text(res: axum::response::Response) -> String {
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

async fn get(app: &axum::Router, uri: &str) -> axum::response::Response {
    app.clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response")
}

fn form_post(uri: &str, body: &str, origin: Option<&str>) -> Request<Body> {
    let mut b =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::from(body.to_owned())).expect("request")
}

/// The count shown on the staff page for the residents' group (read as the Kristinehamn officer).
async fn residents_count(app: &axum::Router) -> i64 {
    let body = format!(
        "email=kommunpolis.kristinehamn%40demo.polisen.se&password={}",
        db::demo::DEMO_PASSWORD
    );
    let res = app
        .clone()
        .oneshot(form_post("/logga-in", &body, Some(SITE)))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "staff sign-in");
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();
    let res = app
        .clone()
        .oneshot(
            Request::get("/personal")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let html = body_text(res).await;
    let row = html
        .split(r#"data-group="invanare""#)
        .nth(1)
        .expect("residents row");
    let cell = row
        .split(r#"class="num count">"#)
        .nth(1)
        .expect("count cell");
    cell.split('<')
        .next()
        .expect("number")
        .trim()
        .parse()
        .expect("a number")
}

#[tokio::test]
async fn healthz_reports_the_database() {
    let app = app().await;
    let res = get(&app, "/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body_text(res).await.contains(r#""database":"reachable""#));
}

#[tokio::test]
async fn survey_page_renders_in_swedish_with_security_headers() {
    let app = app().await;
    let res = get(&app, "/s/kh-invanare").await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h.get("x-content-type-options").expect("nosniff"), "nosniff");
    assert_eq!(
        h.get("referrer-policy").expect("rp"),
        "strict-origin-when-cross-origin"
    );
    let csp = h
        .get("content-security-policy")
        .expect("csp")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"),
        "{csp}"
    );
    assert!(h.get("x-request-id").is_some());
    let html = body_text(res).await;
    assert!(html.contains(r#"<html lang="sv""#), "lang attribute");
    assert!(html.contains("Vad förväntar du dig av polisen?"));
    assert!(html.contains(r#"name="submission_id""#));
    let en = body_text(get(&app, "/s/kh-invanare?lang=en").await).await;
    assert!(en.contains(r#"<html lang="en""#) && en.contains("What do you expect of the police?"));
}

#[tokio::test]
async fn no_js_post_stores_once_and_answers_303() {
    let app = app().await;
    let before = residents_count(&app).await;
    let sid = uuid::Uuid::new_v4();
    let body = format!("submission_id={sid}&lang=sv&q1=Synas+mer&q2=&q3=4");
    for _ in 0..2 {
        let res = app
            .clone()
            .oneshot(form_post("/s/kh-invanare", &body, Some(SITE)))
            .await
            .expect("response");
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers().get(header::LOCATION).expect("location"),
            "/s/kh-invanare/tack"
        );
    }
    assert_eq!(
        residents_count(&app).await,
        before + 1,
        "a retry is not a second answer"
    );
}

#[tokio::test]
async fn no_js_missing_answer_gives_422_with_values_kept() {
    let app = app().await;
    let before = residents_count(&app).await;
    let sid = uuid::Uuid::new_v4();
    let body = format!("submission_id={sid}&lang=sv&q1=Mer+n%C3%A4rvaro+%3Cb%3E&q2=Trafiken");
    let res = app
        .clone()
        .oneshot(form_post("/s/kh-invanare", &body, Some(SITE)))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(res).await;
    assert!(
        html.contains("Mer närvaro &lt;b&gt;"),
        "typed value kept and escaped"
    );
    assert!(html.contains("Trafiken"));
    assert!(html.contains(r#"id="q3-error""#) && html.contains("Svara på frågan."));
    assert_eq!(residents_count(&app).await, before);
}

#[tokio::test]
async fn closed_or_unknown_survey_is_a_4xx() {
    let app = app().await;
    let sid = uuid::Uuid::new_v4();
    let res = app
        .clone()
        .oneshot(form_post(
            "/s/finns-inte",
            &format!("submission_id={sid}&q1=x&q3=1"),
            Some(SITE),
        ))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "/s/finns-inte").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/finns-inte").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let app = app().await;
    let before = residents_count(&app).await;
    let sid = uuid::Uuid::new_v4();
    let body = format!("submission_id={sid}&q1=x&q3=1");
    for origin in ["https://evil.example", "null"] {
        let res = app
            .clone()
            .oneshot(form_post("/s/kh-invanare", &body, Some(origin)))
            .await
            .expect("response");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    let res = app
        .clone()
        .oneshot(form_post(
            "/api/submit_survey",
            "{}",
            Some("https://evil.example"),
        ))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(residents_count(&app).await, before);
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = app().await;
    let big = format!(
        "submission_id={}&q1={}",
        uuid::Uuid::new_v4(),
        "a".repeat(64 * 1024)
    );
    let res = app
        .clone()
        .oneshot(form_post("/s/kh-invanare", &big, Some(SITE)))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn pages_are_compressed_when_asked() {
    let app = app().await;
    let res = app
        .clone()
        .oneshot(
            Request::get("/s/kh-invanare")
                .header(header::ACCEPT_ENCODING, "br, gzip")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(
        res.headers()
            .get(header::CONTENT_ENCODING)
            .expect("encoded"),
        "br"
    );
}
