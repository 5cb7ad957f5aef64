//! The HTTP layer end to end, in process: the no-JS form path, CSRF, limits and headers.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::config::Config;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3999";

async fn app() -> axum::Router {
    app_with(|_| {}).await
}

/// [`app`] with settings changed by `set`.
async fn app_with(set: impl FnOnce(&mut Config)) -> axum::Router {
    let path = std::env::temp_dir().join(format!("mbl-http-{}.db", uuid::Uuid::new_v4()));
    let mut config = Config::for_tests(&format!("sqlite://{}?mode=rwc", path.display()), SITE);
    config.login_per_address_per_minute = 30;
    set(&mut config);
    common::built_with(config).await.router
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

/// A signed form token, rendered `age` seconds ago (as the page would have sent it).
fn token_aged(sid: &str, age: i64) -> String {
    let config = Config::for_tests("", SITE);
    let r = app::ssr::Respondents::new(&config.secret_key, 2, 60, Vec::new(), false);
    r.form_token(sid, chrono::Utc::now() - chrono::Duration::seconds(age))
}

fn token(sid: &str) -> String {
    token_aged(sid, 30)
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
    let body = format!(
        "submission_id={sid}&t={}&lang=sv&q1=Synas+mer&q2=&q3=4",
        token(&sid.to_string())
    );
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
    let body = format!(
        "submission_id={sid}&t={}&lang=sv&q1=Mer+n%C3%A4rvaro+%3Cb%3E&q2=Trafiken",
        token(&sid.to_string())
    );
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
            &format!(
                "submission_id={sid}&t={}&q1=x&q3=1",
                token(&sid.to_string())
            ),
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
    let body = format!(
        "submission_id={sid}&t={}&q1=x&q3=1",
        token(&sid.to_string())
    );
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

/// POSTs an answer as a browser with the given cookie; returns status and body.
async fn answer_as(
    app: &axum::Router,
    link: &str,
    cookie: Option<&str>,
    extra: &str,
    age: i64,
) -> (StatusCode, String) {
    let sid = uuid::Uuid::new_v4().to_string();
    let body = format!(
        "submission_id={sid}&t={}&lang=sv&q1=Synas+mer&q3=4{extra}",
        token_aged(&sid, age)
    );
    let mut req = form_post(&format!("/s/{link}"), &body, Some(SITE));
    if let Some(c) = cookie {
        req.headers_mut()
            .insert(header::COOKIE, c.parse().expect("cookie"));
    }
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    (status, body_text(res).await)
}

#[tokio::test]
async fn abuse_checks_refuse_with_a_message_and_store_nothing() {
    let app = app().await;
    let before = residents_count(&app).await;
    let cookie = "mbl_b=0123456789abcdef0123456789abcdef";
    // Sent sooner than a person can fill it in.
    let (status, html) = answer_as(&app, "kh-invanare", Some(cookie), "", 0).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("snabbare än någon hinner"),
        "too-fast message"
    );
    assert!(html.contains("Synas mer"), "typed values kept");
    // The honeypot filled in.
    let (status, html) = answer_as(
        &app,
        "kh-invanare",
        Some(cookie),
        "&hemsida=http%3A%2F%2Fspam",
        30,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("kunde inte tas emot"));
    // A forged token.
    let sid = uuid::Uuid::new_v4();
    let forged = format!("submission_id={sid}&t=1.abcd&q1=x&q3=1");
    let res = app
        .clone()
        .oneshot(form_post("/s/kh-invanare", &forged, Some(SITE)))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(residents_count(&app).await, before, "nothing stored");

    // One answer per browser: the second, with a new submission id, is refused with 409.
    let (status, _) = answer_as(&app, "kh-invanare", Some(cookie), "", 30).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, html) = answer_as(&app, "kh-invanare", Some(cookie), "", 30).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("redan svarat"));
    assert_eq!(residents_count(&app).await, before + 1);

    // A closed group without or with a wrong invitation code: 403, message at the field.
    let (status, html) = answer_as(&app, "kh-politiker", None, "&inbjudan=fel", 30).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains(r#"id="inbjudan""#) && html.contains("Inbjudningskoden stämmer inte"));
    let right = format!("&inbjudan={}", db::demo::DEMO_INVITE_CODE);
    let (status, _) = answer_as(&app, "kh-politiker", None, &right, 30).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A revoked or unknown kiosk link is refused on the page and on submit.
    assert_eq!(
        get(&app, "/s/kh-politiker?kiosk=finnsinte").await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = answer_as(&app, "kh-politiker", None, "&kiosk=finnsinte", 30).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_survey_page_sets_the_browser_cookie() {
    let app = app().await;
    let res = get(&app, "/s/kh-invanare").await;
    let cookie = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mbl_b="))
        .expect("a browser cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let html = body_text(res).await;
    assert!(html.contains(r#"name="t""#) && html.contains(r#"name="hemsida""#));
}

#[tokio::test]
async fn answers_per_address_are_rate_limited_in_memory() {
    let path = std::env::temp_dir().join(format!("mbl-http-{}.db", uuid::Uuid::new_v4()));
    let mut config = Config::for_tests(&format!("sqlite://{}?mode=rwc", path.display()), SITE);
    config.submit_per_address_per_minute = 3;
    let options = LeptosOptions::builder()
        .output_name("medborgarloften")
        .site_root("target/site")
        .build();
    let app = server::build_with(config, options)
        .await
        .expect("server builds")
        .router;
    for i in 0..3 {
        let cookie = format!("mbl_b={:032x}", i + 1);
        let (status, _) = answer_as(&app, "kh-invanare", Some(&cookie), "", 30).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "answer {i}");
    }
    let (status, html) = answer_as(
        &app,
        "kh-invanare",
        Some("mbl_b=ffffffffffffffffffffffffffffffff"),
        "",
        30,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Vänta en stund"));
}

/// The value of the hidden input named `name` in a rendered form.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!(r#"name="{name}""#))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let v = tag.split(r#"value=""#).nth(1)?;
    Some(v[..v.find('"')?].to_owned())
}

#[tokio::test]
async fn a_form_older_than_the_max_age_gets_a_fresh_form_with_the_values_kept() {
    const MAX_AGE: i64 = 600;
    let app = app_with(|c| {
        c.submit_min_seconds = 2;
        c.submit_max_form_age = MAX_AGE as u32;
    })
    .await;
    let before = residents_count(&app).await;
    let secret = Config::for_tests("", SITE).secret_key;
    let checker = app::ssr::Respondents::new(&secret, 2, 60, Vec::new(), false)
        .with_max_form_age(MAX_AGE as u32);
    let cookie = "mbl_b=00112233445566778899aabbccddeeff";
    let sid = uuid::Uuid::new_v4().to_string();
    let old = token_aged(&sid, MAX_AGE + 60);
    let post = |t: &str| {
        let body = format!("submission_id={sid}&t={t}&lang=sv&q1=Synas+mer&q2=Gatan+%3Ci%3E&q3=4");
        let mut req = form_post("/s/kh-invanare", &body, Some(SITE));
        req.headers_mut()
            .insert(header::COOKIE, cookie.parse().expect("cookie"));
        req
    };
    // Without JavaScript: 422, a clear message, the typed values, the same submission id
    // and a fresh token for it.
    let res = app.clone().oneshot(post(&old)).await.expect("response");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body_text(res).await;
    assert!(html.contains("varit öppet för länge"), "form-age message");
    assert!(html.contains("Gatan &lt;i&gt;"), "typed text kept, escaped");
    assert!(html.contains("Synas mer"), "typed choice kept");
    assert_eq!(
        hidden_value(&html, "submission_id").as_deref(),
        Some(sid.as_str())
    );
    let fresh = hidden_value(&html, "t").expect("token field");
    assert_ne!(fresh, old, "a fresh token");
    let later = chrono::Utc::now() + chrono::Duration::seconds(3);
    assert_eq!(checker.check_token(&fresh, &sid, later), Ok(()));
    assert_eq!(residents_count(&app).await, before, "nothing stored");
    // In English too.
    let body = format!("submission_id={sid}&t={old}&lang=en&q1=Synas+mer&q3=4");
    let res = app
        .clone()
        .oneshot(form_post("/s/kh-invanare", &body, Some(SITE)))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body_text(res)
            .await
            .contains("open too long to be accepted")
    );
    // The browser path (the island's server fn): 422 with the fresh token in the error.
    let entry = serde_json::json!({
        "code": "kh-invanare",
        "fields": [["submission_id", sid], ["t", old], ["q1", "Synas mer"], ["q3", "4"]],
        "lang": "Sv"
    });
    let res = app
        .clone()
        .oneshot(
            Request::post("/api/public/submit")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/json")
                .header(header::ORIGIN, SITE)
                .header(header::COOKIE, cookie)
                .body(Body::from(entry.to_string()))
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: serde_json::Value = serde_json::from_str(&body_text(res).await).expect("json");
    let island_token = err["FormExpired"].as_str().expect("fresh token").to_owned();
    assert_eq!(checker.check_token(&island_token, &sid, later), Ok(()));
    assert_eq!(residents_count(&app).await, before, "nothing stored");
    // The fresh form is taken once a person could have looked at it again.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let res = app.clone().oneshot(post(&fresh)).await.expect("response");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(residents_count(&app).await, before + 1);
    // A form inside the max age is taken as before.
    let (status, _) = answer_as(
        &app,
        "kh-invanare",
        Some("mbl_b=ffeeddccbbaa99887766554433221100"),
        "",
        MAX_AGE - 60,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(residents_count(&app).await, before + 2);
}
