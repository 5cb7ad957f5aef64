//! Mail that staff receive, read back from a real SMTP server on loopback: a forgotten
//! password's one-time link and a new account's invitation (issue #16).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use common::{SmtpSink, link_in};
use db::clock::ManualClock;
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use server::config::Config;
use std::sync::Arc;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3996";
const OFFICER: &str = "kommunpolis.kristinehamn@demo.polisen.se";

struct App {
    router: axum::Router,
    clock: ManualClock,
    db: sea_orm::DatabaseConnection,
    sink: SmtpSink,
}

async fn app_with(url: &str, per_minute: u32) -> App {
    let sink = SmtpSink::start();
    let mut config = Config::for_tests(url, SITE);
    config.smtp_url = Some(sink.url());
    config.login_per_account_per_minute = per_minute;
    config.login_per_address_per_minute = per_minute * 10;
    let clock = ManualClock::new(Utc::now());
    let built = common::built_with_clock(config, Arc::new(clock.clone())).await;
    App {
        router: built.router,
        clock,
        db: built.state.app.db.clone(),
        sink,
    }
}

impl App {
    async fn get(&self, uri: &str, cookie: Option<&str>) -> axum::response::Response {
        let mut b = Request::get(uri);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let req = b.body(Body::empty()).expect("request");
        self.router.clone().oneshot(req).await.expect("response")
    }

    async fn post(&self, uri: &str, body: &str, cookie: Option<&str>) -> axum::response::Response {
        let mut b = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, SITE);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let req = b.body(Body::from(body.to_owned())).expect("request");
        self.router.clone().oneshot(req).await.expect("response")
    }

    /// Signs in with `password`: the session cookie, or the refusal's status.
    async fn sign_in(&self, email: &str, password: &str) -> Result<String, StatusCode> {
        let body = format!("email={}&password={password}", email.replace('@', "%40"));
        let res = self.post("/logga-in", &body, None).await;
        if res.status() != StatusCode::SEE_OTHER {
            return Err(res.status());
        }
        Ok(res
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("cookie")
            .to_owned())
    }

    async fn forgot(&self, email: &str) -> (StatusCode, String) {
        let res = self
            .post(
                "/glomt-losenord",
                &format!("email={}&lang=sv", email.replace('@', "%40")),
                None,
            )
            .await;
        (res.status(), text(res).await)
    }

    async fn audited(&self, action: &str) -> usize {
        db::entity::audit_log::Entity::find()
            .filter(db::entity::audit_log::Column::Action.eq(action))
            .all(&self.db)
            .await
            .expect("audit")
            .len()
    }
}

async fn text(res: axum::response::Response) -> String {
    String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned()
}

/// A page without what differs from one response to the next by design (per-response nonces).
fn without_nonces(html: &str) -> String {
    html.split("nonce=\"")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_owned()
            } else {
                part.split_once('"')
                    .map(|(_, rest)| rest)
                    .unwrap_or(part)
                    .to_owned()
            }
        })
        .collect()
}

fn header_of<'a>(mail: &'a str, name: &str) -> &'a str {
    mail.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .unwrap_or("")
}

const NEW_PASSWORD: &str = "ett-nytt-hemligt-losen";

db::backend_test! {
    async fn a_forgotten_password_link_comes_by_mail_works_once_and_expires(url: String) {
        forgotten_password_on(app_with(&url, 50).await).await;
    }
}

async fn forgotten_password_on(app: App) {
    // A session from before the reset: it must end when the password is set.
    let before = app
        .sign_in(OFFICER, db::demo::DEMO_PASSWORD)
        .await
        .expect("signs in");
    app.clock.advance(chrono::Duration::seconds(2));

    // The answer is the same, word for word, whether or not the address has an account.
    let (known_status, known) = app.forgot(OFFICER).await;
    let (unknown_status, unknown) = app.forgot("ingen.alls@demo.polisen.se").await;
    assert_eq!(known_status, StatusCode::OK);
    assert_eq!(unknown_status, StatusCode::OK);
    assert!(known.contains("Om adressen hör till ett konto"), "{known}");
    assert_eq!(without_nonces(&known), without_nonces(&unknown));

    // Exactly one mail, to the account, with a link to this site.
    let mails = app.sink.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let mails_after = app.sink.mails();
    assert_eq!(mails.len(), 1, "one mail for the known address");
    assert_eq!(mails_after.len(), 1, "none for the unknown one");
    let mail = &mails[0];
    assert!(header_of(mail, "To").contains(OFFICER), "{mail}");
    let link = link_in(mail, SITE);
    assert!(
        link.starts_with("/nytt-losenord/") && link.len() > 40,
        "{link}"
    );

    // The link opens a form; a too-short password is refused and the link still works.
    let page = text(app.get(&link, None).await).await;
    assert!(
        page.contains("Välj ett nytt lösenord") && page.contains(OFFICER),
        "{page}"
    );
    let res = app.post(&link, "password=kort&repeat=kort", None).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("Minst 12 tecken"));
    assert_eq!(app.get(&link, None).await.status(), StatusCode::OK);

    // The password is set once; the link is then used up.
    let body = format!("password={NEW_PASSWORD}&repeat={NEW_PASSWORD}");
    let res = app.post(&link, &body, None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get(header::LOCATION).expect("location"),
        "/logga-in?losenord=1"
    );
    assert_eq!(
        app.post(&link, &body, None).await.status(),
        StatusCode::GONE
    );
    let gone = app.get(&link, None).await;
    assert_eq!(gone.status(), StatusCode::GONE);
    assert!(text(gone).await.contains("Be om en ny länk"));
    assert_eq!(app.audited("reset_password_by_link").await, 1);

    // The new password signs in, the old one no longer, and the old session has ended.
    assert!(app.sign_in(OFFICER, NEW_PASSWORD).await.is_ok());
    assert_eq!(
        app.sign_in(OFFICER, db::demo::DEMO_PASSWORD).await,
        Err(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        app.get("/personal", Some(&before)).await.status(),
        StatusCode::FOUND,
        "the session from before the reset is sent to sign in"
    );

    // A link expires after an hour, and a newer link replaces an older one.
    app.forgot(OFFICER).await;
    let second = link_in(&app.sink.wait_for(2).await[1], SITE);
    app.forgot(OFFICER).await;
    let third = link_in(&app.sink.wait_for(3).await[2], SITE);
    assert_eq!(
        app.get(&second, None).await.status(),
        StatusCode::GONE,
        "replaced"
    );
    assert_eq!(app.get(&third, None).await.status(), StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        app.get(&third, None).await.status(),
        StatusCode::GONE,
        "expired"
    );
    assert_eq!(
        app.post(&third, &body, None).await.status(),
        StatusCode::GONE
    );

    // A made-up link gets the same 410 as a used one.
    let made_up = format!("/nytt-losenord/{}", "a".repeat(64));
    assert_eq!(app.get(&made_up, None).await.status(), StatusCode::GONE);
}

db::backend_test! {
    async fn asking_for_links_is_rate_limited_and_checks_the_address(url: String) {
        let app = app_with(&url, 2).await;
        assert_eq!(app.forgot(OFFICER).await.0, StatusCode::OK);
        assert_eq!(app.forgot(OFFICER).await.0, StatusCode::OK);
        let (status, page) = app.forgot(OFFICER).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(page.contains("Vänta en minut"), "{page}");
        let (status, page) = app.forgot("inte-en-adress").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("Ange en giltig e-postadress."));
        // Two mails went out: the refused requests sent none.
        app.sink.wait_for(2).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(app.sink.mails().len(), 2);
    }
}

db::backend_test! {
    async fn admins_invite_new_users_who_choose_their_own_password(url: String) {
        admin_flow_on(app_with(&url, 50).await).await;
    }
}

async fn admin_flow_on(app: App) {
    let admin = app
        .sign_in("admin@demo.polisen.se", db::demo::DEMO_PASSWORD)
        .await
        .expect("admin signs in");
    let page = text(app.get("/personal/anvandare", Some(&admin)).await).await;
    assert!(
        !page.contains("name=\"password\" type=\"password\" autocomplete=\"new-password\" />\n")
    );
    let lpo = page
        .split("\">LPO Kristinehamn (lpo)</option>")
        .next()
        .and_then(|s| s.rsplit("value=\"").next())
        .expect("lpo id")
        .to_owned();
    // A malformed e-mail is refused at the field, nothing stored and nothing sent.
    let bad = format!("email=inte-en-adress&name=Ny+Polis&role=officer&scope_unit_id={lpo}");
    let res = app.post("/personal/anvandare", &bad, Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(res).await.contains("Ange en giltig e-postadress."));
    let ok =
        format!("email=ny.polis%40demo.polisen.se&name=Ny+Polis&role=officer&scope_unit_id={lpo}");
    let res = app.post("/personal/anvandare", &ok, Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get(header::LOCATION).expect("location"),
        "/personal/anvandare?inbjudan=1"
    );
    assert_eq!(
        app.post("/personal/anvandare", &ok, Some(&admin))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate e-mail"
    );
    let mails = app.sink.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    assert!(header_of(&mails[0], "To").contains("ny.polis@demo.polisen.se"));
    let invitation = link_in(&mails[0], SITE);

    // The invitation opens the welcome form; the password chosen there signs in.
    let page = text(app.get(&invitation, None).await).await;
    assert!(page.contains("Välkommen"), "{page}");
    let body = format!("password={NEW_PASSWORD}&repeat=annat-hemligt-123");
    assert_eq!(
        app.post(&invitation, &body, None).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the two fields differ"
    );
    let body = format!("password={NEW_PASSWORD}&repeat={NEW_PASSWORD}");
    assert_eq!(
        app.post(&invitation, &body, None).await.status(),
        StatusCode::SEE_OTHER
    );
    let user = app
        .sign_in("ny.polis@demo.polisen.se", NEW_PASSWORD)
        .await
        .expect("the new user signs in");
    assert_eq!(
        app.get("/personal", Some(&user)).await.status(),
        StatusCode::OK
    );

    // An admin's reset makes the user change the password before anything else.
    let list = text(app.get("/personal/anvandare", Some(&admin)).await).await;
    let id = list
        .split("data-user=\"ny.polis@demo.polisen.se\"")
        .nth(1)
        .and_then(|s| s.split("/personal/anvandare/").nth(1))
        .map(|s| {
            s.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .filter(|id| !id.is_empty())
        .expect("user id");
    let res = app
        .post(
            &format!("/personal/anvandare/{id}/losenord"),
            "password=tillfalligt-123",
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let user = app
        .sign_in("ny.polis@demo.polisen.se", "tillfalligt-123")
        .await
        .expect("signs in with the admin's password");
    let res = app.get("/personal", Some(&user)).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        res.headers().get(header::LOCATION).expect("location"),
        "/byt-losenord"
    );
    let res = app
        .post(
            "/byt-losenord",
            "password=nytt-hemligt-123&repeat=annat-hemligt-123",
            Some(&user),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            "/byt-losenord",
            "password=nytt-hemligt-123&repeat=nytt-hemligt-123",
            Some(&user),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/personal", Some(&user)).await.status(),
        StatusCode::OK
    );

    // Sending the invitation again mails a fresh link; a deactivated account gets none.
    let again = format!("/personal/anvandare/{id}/inbjudan");
    assert_eq!(
        app.post(&again, "", Some(&admin)).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.sink.wait_for(2).await.len(), 2);

    // Deactivation ends the user's session at the next request.
    let res = app
        .post(
            &format!("/personal/anvandare/{id}/aktiv"),
            "active=false",
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/personal", Some(&user)).await.status(),
        StatusCode::FOUND
    );
    assert_eq!(
        app.post(&again, "", Some(&admin)).await.status(),
        StatusCode::CONFLICT
    );
    let fresh = link_in(&app.sink.mails()[1], SITE);
    assert_eq!(
        app.get(&fresh, None).await.status(),
        StatusCode::GONE,
        "deactivated"
    );

    // The LPO manager sees it all in the audit log.
    let manager = app
        .sign_in("chef.kristinehamn@demo.polisen.se", db::demo::DEMO_PASSWORD)
        .await
        .expect("manager signs in");
    let log = text(app.get("/personal/logg", Some(&manager)).await).await;
    for action in [
        "create staff_user",
        "accept_invitation staff_user",
        "reset_password staff_user",
        "change_password staff_user",
        "send_invitation staff_user",
        "deactivate staff_user",
    ] {
        assert!(log.contains(action), "{action} in {log}");
    }
}
