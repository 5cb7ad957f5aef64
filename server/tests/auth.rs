//! Sign-in, sessions and scoped access, in process, with an injected clock.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use db::clock::ManualClock;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use server::config::Config;
use std::sync::Arc;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3999";
const PASSWORD: &str = db::demo::DEMO_PASSWORD;
const OFFICER_KH: &str = "kommunpolis.kristinehamn@demo.polisen.se";
const PARTNER_KH: &str = "socialtjansten@demo.kristinehamn.se";
const OFFICER_TORSBY: &str = "kommunpolis.torsby@demo.polisen.se";

struct App {
    router: axum::Router,
    clock: ManualClock,
}

async fn app_with_limits(url: &str, per_account: u32, per_address: u32) -> App {
    let mut config = Config::for_tests(url, SITE);
    config.login_per_account_per_minute = per_account;
    config.login_per_address_per_minute = per_address;
    let options = LeptosOptions::builder()
        .output_name("medborgarloften")
        .site_root("target/site")
        .build();
    let clock = ManualClock::new(Utc::now());
    let built = server::build_with_clock(config, options, Arc::new(clock.clone()))
        .await
        .expect("server builds");
    App {
        router: built.router,
        clock,
    }
}

async fn app(url: &str) -> App {
    app_with_limits(url, 50, 500).await
}

impl App {
    async fn send(&self, req: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(req).await.expect("response")
    }

    async fn get(&self, uri: &str, cookie: Option<&str>) -> axum::response::Response {
        let mut b = Request::get(uri);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).expect("request")).await
    }

    async fn post_form(
        &self,
        uri: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> axum::response::Response {
        let mut b = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, SITE);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body.to_owned())).expect("request"))
            .await
    }

    /// Signs in; returns the session cookie (`name=value`) and the full Set-Cookie header.
    async fn sign_in(&self, email: &str, cookie: Option<&str>) -> (String, String) {
        let body = format!(
            "email={}&password={PASSWORD}&next=/personal",
            urlencode(email)
        );
        let res = self.post_form("/logga-in", &body, cookie).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
        let set = session_set_cookie(&res).expect("a session cookie on sign-in");
        (set.split(';').next().expect("pair").to_owned(), set)
    }
}

fn urlencode(s: &str) -> String {
    s.replace('@', "%40")
}

fn session_set_cookie(res: &axum::response::Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mbl_session="))
        .map(str::to_owned)
}

async fn text(res: axum::response::Response) -> String {
    String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned()
}

db::backend_test! {
    async fn sign_in_sets_a_hardened_cookie_and_opens_staff_pages(url: String) {
        sign_in_sets_a_hardened_cookie_and_opens_staff_pages_on(app(&url).await).await;
    }
}

async fn sign_in_sets_a_hardened_cookie_and_opens_staff_pages_on(app: App) {
    let anon = app.get("/personal", None).await;
    assert_eq!(
        anon.status(),
        StatusCode::FOUND,
        "anonymous is sent to sign-in"
    );
    assert!(
        anon.headers()
            .get(header::LOCATION)
            .expect("location")
            .to_str()
            .expect("ascii")
            .starts_with("/logga-in")
    );
    let (cookie, set) = app.sign_in(OFFICER_KH, None).await;
    let lower = set.to_ascii_lowercase();
    assert!(lower.contains("httponly"), "{set}");
    assert!(lower.contains("samesite=lax"), "{set}");
    assert!(!lower.contains("secure"), "plain http in tests: {set}");
    let page = app.get("/personal", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(text(page).await.contains("Johan Berg"));
}

db::backend_test! {
    async fn session_id_rotates_on_sign_in_and_logout_invalidates_it(url: String) {
        session_id_rotates_on_sign_in_and_logout_invalidates_it_on(app(&url).await).await;
    }
}

async fn session_id_rotates_on_sign_in_and_logout_invalidates_it_on(app: App) {
    // A session that exists before sign-in (a kept draft) must not survive under the same id.
    let draft = app
        .post_form(
            "/personal/overenskommelser",
            "purpose=Utkast+som+ska+sparas&status=active",
            None,
        )
        .await;
    assert_eq!(draft.status(), StatusCode::SEE_OTHER);
    let before = session_set_cookie(&draft).expect("draft session");
    let before = before.split(';').next().expect("pair").to_owned();
    let (after, _) = app.sign_in(OFFICER_KH, Some(&before)).await;
    assert_ne!(before, after, "the session id changes on sign-in");
    // The draft came along to the new session.
    let page = text(app.get("/personal/overenskommelser", Some(&after)).await).await;
    assert!(
        page.contains("Utkast som ska sparas"),
        "the typed draft is restored after sign-in"
    );
    // The old id is worthless.
    assert_eq!(
        app.get("/personal", Some(&before)).await.status(),
        StatusCode::FOUND
    );
    // Sign-out invalidates the session on the server, not just in the browser.
    let out = app.post_form("/logga-ut", "", Some(&after)).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/personal", Some(&after)).await.status(),
        StatusCode::FOUND
    );
}

db::backend_test! {
    async fn sessions_expire_after_30_idle_minutes_and_12_hours_absolute(url: String) {
        sessions_expire_after_30_idle_minutes_and_12_hours_absolute_on(app(&url).await).await;
    }
}

async fn sessions_expire_after_30_idle_minutes_and_12_hours_absolute_on(app: App) {
    let (cookie, _) = app.sign_in(OFFICER_KH, None).await;
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(
        app.get("/personal", Some(&cookie)).await.status(),
        StatusCode::OK,
        "29 min idle"
    );
    app.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(
        app.get("/personal", Some(&cookie)).await.status(),
        StatusCode::FOUND,
        "31 min idle"
    );

    // Active all along, but 12 hours after sign-in the session ends anyway.
    let (cookie, _) = app.sign_in(OFFICER_KH, None).await;
    for _ in 0..(12 * 60 / 20) {
        app.clock.advance(chrono::Duration::minutes(20));
        let _ = app.get("/healthz", Some(&cookie)).await;
        let _ = app.get("/personal/overenskommelser", Some(&cookie)).await;
    }
    app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(
        app.get("/personal", Some(&cookie)).await.status(),
        StatusCode::FOUND,
        "past 12 h"
    );
}

db::backend_test! {
    async fn wrong_password_and_unknown_email_get_the_same_answer(url: String) {
        wrong_password_and_unknown_email_get_the_same_answer_on(app(&url).await).await;
    }
}

async fn wrong_password_and_unknown_email_get_the_same_answer_on(app: App) {
    let wrong = app
        .post_form(
            "/logga-in",
            &format!("email={}&password=fel-losenord-123", urlencode(OFFICER_KH)),
            None,
        )
        .await;
    let unknown = app
        .post_form(
            "/logga-in",
            "email=ingen%40demo.polisen.se&password=fel-losenord-123",
            None,
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let (a, b) = (text(wrong).await, text(unknown).await);
    assert!(
        a.contains("Fel e-postadress eller lösenord.")
            && b.contains("Fel e-postadress eller lösenord.")
    );
    assert!(
        b.contains("ingen@demo.polisen.se"),
        "the e-mail is kept in the form"
    );
}

db::backend_test! {
    async fn sign_in_is_rate_limited_per_account(url: String) {
        sign_in_is_rate_limited_per_account_on(app_with_limits(&url, 3, 100).await).await;
    }
}

async fn sign_in_is_rate_limited_per_account_on(app: App) {
    let body = format!("email={}&password=fel-losenord-123", urlencode(OFFICER_KH));
    for _ in 0..3 {
        assert_eq!(
            app.post_form("/logga-in", &body, None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.post_form("/logga-in", &body, None).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    // Even the right password waits now.
    let right = format!("email={}&password={PASSWORD}", urlencode(OFFICER_KH));
    assert_eq!(
        app.post_form("/logga-in", &right, None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

db::backend_test! {
    async fn officers_add_agreements_in_their_lpo_only_and_partners_cannot_open_officer_pages(url: String) {
        officers_add_agreements_in_their_lpo_only_and_partners_cannot_open_officer_pages_on(
            app(&url).await,
        )
        .await;
    }
}

async fn officers_add_agreements_in_their_lpo_only_and_partners_cannot_open_officer_pages_on(
    app: App,
) {
    let (officer, _) = app.sign_in(OFFICER_KH, None).await;
    let page = text(app.get("/personal/overenskommelser", Some(&officer)).await).await;
    // The Kristinehamn social services unit is offered; Torsby's is not.
    assert!(page.contains("Kristinehamn kommun, socialtjänsten"));
    assert!(!page.contains("Torsby kommun, socialtjänsten"));
    let unit = page
        .split("\">Kristinehamn kommun, socialtjänsten</option>")
        .next()
        .and_then(|s| s.rsplit("value=\"").next())
        .and_then(|s| s.split('"').next())
        .expect("unit id")
        .to_owned();
    let ok = format!(
        "municipal_unit_id={unit}&special_area_id=1&officer_id=&purpose=Trygghetsvandring+vid+Djäkneskolan&starts_on=2027-01-10&review_on=2027-06-30&contact_person=Lena+Holm&status=active"
    );
    let res = app
        .post_form("/personal/overenskommelser", &ok, Some(&officer))
        .await;
    let status = res.status();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        if status == StatusCode::SEE_OTHER {
            String::new()
        } else {
            text(res).await
        }
    );
    let list = text(app.get("/personal/overenskommelser", Some(&officer)).await).await;
    assert!(list.contains("Trygghetsvandring vid Djäkneskolan"));

    // Bad input: 422, nothing stored, values kept, message at the field.
    let bad = ok
        .replace("review_on=2027-06-30", "review_on=2026-01-01")
        .replace("Trygghetsvandring", "Ny+promenad");
    let res = app
        .post_form("/personal/overenskommelser", &bad, Some(&officer))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(res).await;
    assert!(
        html.contains("Uppföljningen kan inte ligga före starten.") && html.contains("Ny promenad")
    );
    let list = text(app.get("/personal/overenskommelser", Some(&officer)).await).await;
    assert!(!list.contains("Ny promenad vid"), "nothing half-stored");

    // An officer of another LPO may not add an agreement for Kristinehamn's unit.
    let (torsby, _) = app.sign_in(OFFICER_TORSBY, None).await;
    let res = app
        .post_form("/personal/overenskommelser", &ok, Some(&torsby))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let list = text(app.get("/personal/overenskommelser", Some(&torsby)).await).await;
    assert!(
        !list.contains("Trygghetsvandring vid Djäkneskolan"),
        "Torsby does not see Kristinehamn's register"
    );

    // A municipal partner reads the register of their municipality but cannot add, nor see answers.
    let (partner, _) = app.sign_in(PARTNER_KH, None).await;
    assert_eq!(
        app.get("/personal", Some(&partner)).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_form("/personal/overenskommelser", &ok, Some(&partner))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let list = text(app.get("/personal/overenskommelser", Some(&partner)).await).await;
    assert!(list.contains("Trygghetsvandring vid Djäkneskolan"));
    assert!(!list.contains("agreement-form"), "no form for partners");
}

db::backend_test! {
    async fn admins_grow_the_organisation_tree_with_checked_kinds(url: String) {
        org_on(app(&url).await).await;
    }
}

async fn org_on(app: App) {
    let (admin, _) = app.sign_in("admin@demo.polisen.se", None).await;
    let page = text(app.get("/personal/organisation", Some(&admin)).await).await;
    let kh = page
        .split("\">– – – – Kristinehamn</option>")
        .next()
        .and_then(|s| s.rsplit("value=\"").next())
        .expect("Kristinehamn id")
        .to_owned();
    // A region cannot sit under a municipality; nothing is stored.
    let res = app
        .post_form(
            "/personal/organisation",
            &format!("parent_id={kh}&kind=region&name=Fel&code=fel-region"),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(res)
            .await
            .contains("Den typen kan inte ligga under den valda enheten.")
    );
    let res = app
        .post_form(
            "/personal/organisation",
            &format!("parent_id={kh}&kind=area&name=Vålberg&code=kh-valberg"),
            Some(&admin),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(app.get("/personal/organisation", Some(&admin)).await).await;
    assert!(page.contains("Vålberg") && !page.contains("fel-region"));
    // The new area is offered in Kristinehamn's surveys' area list from now on.
    let res = app
        .post_form(
            "/personal/organisation",
            &format!("parent_id={kh}&kind=area&name=Igen&code=kh-valberg"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate code"
    );
}

db::backend_test! {
    async fn special_areas_and_agreement_status_are_managed_in_scope(url: String) {
        register_admin_on(app(&url).await).await;
    }
}

async fn register_admin_on(app: App) {
    let (admin, _) = app.sign_in("admin@demo.polisen.se", None).await;
    let res = app
        .post_form("/personal/specialomraden", "code=brott-i-nara-relation&name_sv=V%C3%A5ld+i+n%C3%A4ra+relation&name_en=Domestic+violence", Some(&admin))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .post_form(
            "/personal/specialomraden",
            "code=brott-i-nara-relation&name_sv=Igen",
            Some(&admin),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "duplicate code"
    );

    let (officer, _) = app.sign_in(OFFICER_KH, None).await;
    let page = text(app.get("/personal/overenskommelser", Some(&officer)).await).await;
    let pick = |label: &str| {
        page.split(&format!("\">{label}</option>"))
            .next()
            .and_then(|s| s.rsplit("value=\"").next())
            .expect("option")
            .to_owned()
    };
    let (me, area) = (pick("Johan Berg"), pick("Våld i nära relation"));
    let res = app
        .post_form(
            "/personal/specialomraden/tilldela",
            &format!("officer_id={me}&special_area_id={area}"),
            Some(&officer),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(app.get("/personal/overenskommelser", Some(&officer)).await).await;
    assert!(
        page.contains("Skolor, Ungdomar, Våld i nära relation")
            || page.contains("Våld i nära relation, "),
        "assigned"
    );

    let uid = page
        .split("data-agreement=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("uid")
        .to_owned();
    let (torsby, _) = app.sign_in(OFFICER_TORSBY, None).await;
    let res = app
        .post_form(
            &format!("/personal/overenskommelser/{uid}/status"),
            "status=ended",
            Some(&torsby),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "another LPO's agreement"
    );
    let res = app
        .post_form(
            &format!("/personal/overenskommelser/{uid}/status"),
            "status=ended",
            Some(&officer),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = text(
        app.get("/personal/overenskommelser?status=ended", Some(&officer))
            .await,
    )
    .await;
    assert!(
        page.contains(&uid),
        "the ended agreement is listed under its new status"
    );
}
