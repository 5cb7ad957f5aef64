//! The access matrix: every page, server function and plain route, called as anonymous, as each
//! role, and as roles of another LPO. The lists come from the code (the server-fn registry, the
//! Leptos route list and `PLAIN_ROUTES`), so an endpoint nobody classified fails this test.

mod common;

use app::access::{self, Access};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::Role;
use http_body_util::BodyExt;
use server::routes::plain_routes;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3999";

struct Who {
    label: &'static str,
    role: Option<Role>,
    cookie: Option<String>,
}

async fn router(url: &str) -> axum::Router {
    built(url).await.router
}

async fn built(url: &str) -> server::Built {
    common::built(url, SITE).await
}

async fn send(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: &str,
    ctype: &str,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::ORIGIN, SITE)
        .header(header::ACCEPT, "text/html");
    if !body.is_empty() || method == "POST" {
        b = b.header(header::CONTENT_TYPE, ctype);
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let res = app
        .clone()
        .oneshot(b.body(Body::from(body.to_owned())).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    // A live stream never ends by itself: its status is the answer.
    if res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"))
    {
        return (status, String::new());
    }
    let text = String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes())
        .into_owned();
    (status, text)
}

async fn sign_in(app: &axum::Router, email: &str) -> String {
    common::sign_in(app, SITE, email).await
}

async fn everyone(app: &axum::Router) -> Vec<Who> {
    let mut v = vec![Who {
        label: "anonymous",
        role: None,
        cookie: None,
    }];
    for (email, _, role, _, _) in db::demo::DEMO_USERS {
        v.push(Who {
            label: email,
            role: Some(role),
            cookie: Some(sign_in(app, email).await),
        });
    }
    v
}

/// Allowed by role but outside the caller's LPO (the concrete paths are Kristinehamn's):
/// refused by scope with 403.
fn out_of_scope(path: &str, w: &Who) -> bool {
    (path.contains("lofte/{promise}")
        || path == "/api/staff/promise"
        || [
            "papper",
            "paper_form",
            "oversikt",
            "dashboard",
            "kodning",
            "coding",
            "sammanstallning",
            "compilation",
        ]
        .iter()
        .any(|p| path.contains(p)))
        && matches!(w.role, Some(Role::Officer | Role::LpoManager))
        && !w.label.contains("kristinehamn")
}

fn concrete(path: &str) -> String {
    path.replace("{code}", "kh-invanare")
        .replace("{id}", "2")
        // The demo dialogue of Kristinehamn (open, so frozen) and its first question.
        .replace("{dialogue}", "1")
        .replace("{question}", "1")
        .replace("{item}", "1")
        .replace("{unit}", "1")
        .replace("{kiosk}", "999999")
        .replace("{answer}", "999999")
        .replace("{token}", db::demo::DEMO_DISPLAY_TOKEN)
        .replace("{format}", "csv")
        // No such theme: allowed callers in scope get 404, nothing changes.
        .replace("{theme}", "999999")
        .replace("{municipality}", "kristinehamn")
        // The demo's promise (Kristinehamn's); no such activity.
        .replace("{promise}", "1")
        .replace("{activity}", "999999")
        .replace("{entry}", "999999")
}

/// A valid input per server function: access is judged on a well-formed call.
fn server_fn_sample(path: &str) -> Option<&'static str> {
    match path {
        "/api/public/open_dialogues"
        | "/api/staff/dialogue_counts"
        | "/api/staff/overdue"
        | "/api/admin/org"
        | "/api/admin/bank"
        | "/api/staff/regional" => Some(""),
        "/api/public/display" => Some("token=demovisning2027kristinehamn"),
        "/api/staff/audit" => Some(
            r#"{"query":{"who":"","action":"","object":"","text":"","from":null,"to":null,"oldest_first":false,"page":1}}"#,
        ),
        "/api/staff/dialogue" => Some(r#"{"id":1}"#),
        "/api/staff/dialogues" => {
            Some(r#"{"query":{"text":"","phase":null,"archived":false,"page":1}}"#)
        }
        "/api/admin/users" => {
            Some(r#"{"query":{"text":"","role":null,"active":null,"page":1},"one":null}"#)
        }
        "/api/public/poster" => Some(r#"{"code":"kh-invanare"}"#),
        "/api/public/survey" => Some(r#"{"code":"kh-invanare"}"#),
        "/api/staff/paper_form" => Some("code=kh-invanare"),
        "/api/staff/dashboard" => Some("dialogue_id=1"),
        "/api/staff/coding" => {
            Some(r#"{"dialogue_id":1,"filter":{"coded":false,"theme":null,"text":"","page":1}}"#)
        }
        "/api/staff/compilation" => Some("dialogue_id=1&version=0"),
        "/api/public/promise" => Some("municipality=kristinehamn"),
        "/api/staff/promises" => Some(""),
        "/api/staff/promise" => Some("id=1"),
        "/api/public/submit" => {
            Some(r#"{"code":"kh-invanare","submission_id":"bad","fields":[],"lang":"Sv"}"#)
        }
        "/api/staff/register" => Some(
            r#"{"filter":{"municipality_id":null,"special_area_id":null,"status":null,"due_only":false}}"#,
        ),
        _ => None,
    }
}

db::backend_test! {
    async fn every_endpoint_allows_and_denies_as_its_policy_says(url: String) {
        every_endpoint_allows_and_denies_as_its_policy_says_on(router(&url).await).await;
    }
}

async fn every_endpoint_allows_and_denies_as_its_policy_says_on(app: axum::Router) {
    let who = everyone(&app).await;
    let mut checked = Vec::new();

    // Pages: every Leptos route must have a policy.
    for listing in leptos_axum::generate_route_list(app::App) {
        let path = listing.path().to_owned();
        let policy = access::page_access(&path)
            .unwrap_or_else(|| panic!("page {path} has no entry in app::access::PAGES"));
        for w in &who {
            let (status, _) =
                send(&app, "GET", &concrete(&path), "", "", w.cookie.as_deref()).await;
            // Builders of another LPO do not see Kristinehamn's dialogue: not found.
            let hidden = path == "/personal/dialoger/{dialogue}"
                && w.role == Some(Role::Officer)
                && !w.label.contains("kristinehamn");
            // A made-up one-time link is gone, to everyone alike (public page).
            let made_up_link = path == "/nytt-losenord/{token}";
            let expected = if hidden {
                StatusCode::NOT_FOUND
            } else if made_up_link {
                StatusCode::GONE
            } else if policy.allows(w.role) && out_of_scope(&path, w) {
                StatusCode::FORBIDDEN
            } else if policy.allows(w.role) {
                StatusCode::OK
            } else if w.role.is_none() {
                StatusCode::FOUND
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "GET {path} as {}", w.label);
        }
        checked.push(format!("GET {path}"));
    }

    // Server functions: every registered one must have a policy and a sample input.
    let mut paths: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p)
        .collect();
    paths.sort();
    for path in &paths {
        let policy = access::server_fn_access(path)
            .unwrap_or_else(|| panic!("server fn {path} has no entry in app::access::SERVER_FNS"));
        let sample = server_fn_sample(path)
            .unwrap_or_else(|| panic!("server fn {path} needs a sample input in this test"));
        let ctype = if sample.starts_with('{') {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        for w in &who {
            let (status, body) = send(&app, "POST", path, sample, ctype, w.cookie.as_deref()).await;
            assert!(
                !status.is_server_error(),
                "POST {path} as {}: {status} {body}",
                w.label
            );
            if policy.allows(w.role) && out_of_scope(path, w) {
                assert_eq!(status, StatusCode::FORBIDDEN, "POST {path} as {}", w.label);
            } else if policy.allows(w.role) {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "POST {path} as {} should be allowed: {status}",
                    w.label
                );
            } else {
                let expected = if w.role.is_none() {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(status, expected, "POST {path} as {}", w.label);
            }
        }
        checked.push(format!("POST {path}"));
    }
    for (path, _) in access::SERVER_FNS {
        assert!(paths.contains(path), "stale policy entry {path}");
    }

    // Plain routes, from the same table that builds the router.
    let (kh_unit, kh_uid) = {
        let (_, page) = send(
            &app,
            "GET",
            "/personal/overenskommelser",
            "",
            "",
            who.iter()
                .find(|w| w.label.starts_with("kommunpolis.kristinehamn"))
                .and_then(|w| w.cookie.as_deref()),
        )
        .await;
        let unit = page
            .split("\">Kristinehamn kommun, socialtjänsten</option>")
            .next()
            .and_then(|s| s.rsplit("value=\"").next())
            .expect("unit id")
            .to_owned();
        let uid = page
            .split("data-agreement=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("an agreement of Kristinehamn")
            .to_owned();
        (unit, uid)
    };
    for r in plain_routes() {
        let (body, ctype) = match r.name {
            "healthz" => (String::new(), ""),
            // An empty paper form: allowed callers get 422, nothing is stored.
            "submit_paper" => ("submission_id=x".to_owned(), "application/x-www-form-urlencoded"),
            "submit_survey" => (
                "submission_id=x&q1=a".to_owned(),
                "application/x-www-form-urlencoded",
            ),
            "login" => (
                "email=x%40y.se&password=fel".to_owned(),
                "application/x-www-form-urlencoded",
            ),
            "logout" => (String::new(), "application/x-www-form-urlencoded"),
            // Allowed callers get 422 for these inputs: nothing changes the sessions in use.
            "create_user" => (
                "email=ny%40demo.polisen.se&name=Ny&role=officer&scope_unit_id=999999&password=langt-losenord-1".to_owned(),
                "application/x-www-form-urlencoded",
            ),
            "reset_password" | "change_password" => ("password=kort&repeat=kort".to_owned(), "application/x-www-form-urlencoded"),
            "set_agreement_status" => ("status=kanske".to_owned(), "application/x-www-form-urlencoded"),
            "assign_special_area" => ("officer_id=&special_area_id=".to_owned(), "application/x-www-form-urlencoded"),
            "create_special_area" => ("code=&name_sv=".to_owned(), "application/x-www-form-urlencoded"),
            "create_org_unit" => ("kind=region&name=&code=".to_owned(), "application/x-www-form-urlencoded"),
            "set_active" => ("active=kanske".to_owned(), "application/x-www-form-urlencoded"),
            // No mail goes out for a malformed address (422); a too-short password is refused
            // before the link is looked at (422); an invitation is a new link (303 or 404).
            "forgot_password" => ("email=inte-en-adress".to_owned(), "application/x-www-form-urlencoded"),
            "set_password" => ("password=kort&repeat=kort".to_owned(), "application/x-www-form-urlencoded"),
            "invite_user" => (String::new(), "application/x-www-form-urlencoded"),
            // A version that is no version: allowed callers get 400, nothing changes.
            "edit_user" => ("version=x&role=officer&name=Ny&email=ny%40demo.polisen.se".to_owned(), "application/x-www-form-urlencoded"),
            "audit_csv" => (String::new(), ""),
            // The demo dialogue is open: structural changes answer 409, bad input 422.
            "qr_svg" => (String::new(), ""),
            "create_dialogue" => ("title_sv=".to_owned(), "application/x-www-form-urlencoded"),
            "add_question" | "update_question" | "create_bank_item" | "update_bank_item" => (
                "text_sv=&kind=text&max_len=0".to_owned(),
                "application/x-www-form-urlencoded",
            ),
            "add_bank_questions" => ("bank_item=1".to_owned(), "application/x-www-form-urlencoded"),
            "move_question" => ("direction=up".to_owned(), "application/x-www-form-urlencoded"),
            "remove_question" | "revoke_kiosk" => (String::new(), "application/x-www-form-urlencoded"),
            "issue_kiosk" => ("label=".to_owned(), "application/x-www-form-urlencoded"),
            // Live dashboards: streams are judged by their status; bad or unknown input
            // answers 422 or 404 to allowed callers.
            "dashboard_stream" | "display_stream" => (String::new(), ""),
            "quarantine" => ("from=&to=&reason=".to_owned(), "application/x-www-form-urlencoded"),
            "release_quarantine" | "hide_text" => (String::new(), "application/x-www-form-urlencoded"),
            "code_answer" => ("theme=x".to_owned(), "application/x-www-form-urlencoded"),
            // Approving makes a version (allowed callers get 303); a bad quote 422; an
            // unknown quote 404; the export is a file.
            "approve_compilation" | "remove_quote" => (String::new(), "application/x-www-form-urlencoded"),
            "add_quote" => ("answer=x".to_owned(), "application/x-www-form-urlencoded"),
            "export_compilation" | "promise_feed" => (String::new(), ""),
            // The demo's promise is active: signing is not the next step (422); bad input 422;
            // an unknown commitment or activity 404.
            "create_promise" => ("title_sv=".to_owned(), "application/x-www-form-urlencoded"),
            "sign_promise" => (String::new(), "application/x-www-form-urlencoded"),
            "advance_promise" => ("to=kanske".to_owned(), "application/x-www-form-urlencoded"),
            "add_activity" => ("commitment=x".to_owned(), "application/x-www-form-urlencoded"),
            "log_progress" => ("on_day=&amount=".to_owned(), "application/x-www-form-urlencoded"),
            // No such entry or activity: allowed callers in scope get 404, nothing is stored.
            "correct_progress" => ("amount=1&reason=Fel".to_owned(), "application/x-www-form-urlencoded"),
            "set_activity_status" => ("status=cancelled&reason=Fel".to_owned(), "application/x-www-form-urlencoded"),
            "edit_activity" => ("title=&version=1".to_owned(), "application/x-www-form-urlencoded"),
            // Bad input (422) for allowed callers in scope; the file is harmless to fetch.
            "set_retention" => ("days=0".to_owned(), "application/x-www-form-urlencoded"),
            "raw_text_export" => (String::new(), ""),
            "save_theme" => ("theme=&name_sv=".to_owned(), "application/x-www-form-urlencoded"),
            "change_theme" => ("action=retire".to_owned(), "application/x-www-form-urlencoded"),
            // The demo dialogue is open and not archived: a restore is refused (422), as is a
            // save without a title; nothing changes.
            "change_dialogue" => ("action=restore".to_owned(), "application/x-www-form-urlencoded"),
            // Bank item 1 is not retired: a restore is refused (422).
            "change_bank_item" => ("action=restore".to_owned(), "application/x-www-form-urlencoded"),
            // The unit is not retired: a restore is refused (422), nothing changes.
            "change_org_unit" => ("action=restore".to_owned(), "application/x-www-form-urlencoded"),
            "save_dialogue_settings" => ("version=1&title_sv=".to_owned(), "application/x-www-form-urlencoded"),
            "edit_promise" => ("title_sv=".to_owned(), "application/x-www-form-urlencoded"),
            "link_agreements" => ("agreement=999999".to_owned(), "application/x-www-form-urlencoded"),
            "create_agreement" => (
                format!(
                    "municipal_unit_id={kh_unit}&special_area_id=1&officer_id=&purpose=Matris&starts_on=2027-01-01&review_on=2027-06-01&contact_person=X&status=active"
                ),
                "application/x-www-form-urlencoded",
            ),
            other => panic!("route {other}: give it a sample body here"),
        };
        for w in &who {
            if r.name == "logout" && w.cookie.is_some() {
                continue; // signing out here would end the session the other checks use
            }
            let (status, _) = send(
                &app,
                r.method,
                &concrete(r.path).replace("{uid}", &kh_uid),
                &body,
                ctype,
                w.cookie.as_deref(),
            )
            .await;
            assert!(
                !status.is_server_error(),
                "{} {} as {}: {status}",
                r.method,
                r.path,
                w.label
            );
            let denied = status == StatusCode::FORBIDDEN
                || (w.role.is_none()
                    && matches!(r.access, Access::Staff(_))
                    && status == StatusCode::SEE_OTHER);
            // Agreements: editors outside Kristinehamn's LPO are denied by scope.
            let in_scope = match (r.name, w.role) {
                ("create_agreement" | "set_agreement_status", Some(Role::Officer)) => {
                    w.label.contains("kristinehamn")
                }
                // Changes to Kristinehamn's dialogue: builders of another LPO are denied.
                (
                    "add_question"
                    | "add_bank_questions"
                    | "update_question"
                    | "move_question"
                    | "remove_question"
                    | "issue_kiosk"
                    | "revoke_kiosk"
                    | "save_dialogue_settings"
                    | "change_dialogue",
                    Some(Role::Officer),
                ) => w.label.contains("kristinehamn"),
                // The wall screen's stream needs no session: anyone with the link.
                ("display_stream", _) => true,
                _ if out_of_scope(r.path, w) => false,
                _ => true,
            };
            if r.access.allows(w.role) && in_scope {
                assert!(
                    !denied,
                    "{} {} as {} should be allowed: {status}",
                    r.method, r.path, w.label
                );
            } else {
                assert!(
                    denied,
                    "{} {} as {} should be denied: {status}",
                    r.method, r.path, w.label
                );
            }
        }
        checked.push(format!("{} {}", r.method, r.path));
    }
    eprintln!(
        "access matrix covered {} endpoints:\n  {}",
        checked.len(),
        checked.join("\n  ")
    );
}

db::backend_test! {
    async fn data_is_scoped_to_the_viewers_lpo(url: String) {
        data_is_scoped_to_the_viewers_lpo_on(router(&url).await).await;
    }
}

async fn data_is_scoped_to_the_viewers_lpo_on(app: axum::Router) {
    let torsby = sign_in(&app, "kommunpolis.torsby@demo.polisen.se").await;
    let kh = sign_in(&app, "kommunpolis.kristinehamn@demo.polisen.se").await;
    let region = sign_in(&app, "region@demo.polisen.se").await;
    let (_, t) = send(
        &app,
        "POST",
        "/api/staff/dialogue_counts",
        "",
        "application/x-www-form-urlencoded",
        Some(&torsby),
    )
    .await;
    let (_, k) = send(
        &app,
        "POST",
        "/api/staff/dialogue_counts",
        "",
        "application/x-www-form-urlencoded",
        Some(&kh),
    )
    .await;
    let (_, r) = send(
        &app,
        "POST",
        "/api/staff/dialogue_counts",
        "",
        "application/x-www-form-urlencoded",
        Some(&region),
    )
    .await;
    assert!(
        !t.contains("Kristinehamn 2027"),
        "Torsby does not see Kristinehamn's dialogue"
    );
    assert!(k.contains("Kristinehamn 2027") && r.contains("Kristinehamn 2027"));
    let body = r#"{"filter":{"municipality_id":null,"special_area_id":null,"status":null,"due_only":false}}"#;
    let (_, t) = send(
        &app,
        "POST",
        "/api/staff/register",
        body,
        "application/json",
        Some(&torsby),
    )
    .await;
    assert!(t.contains("Torsby") && !t.contains("Djäkneskolan"), "{t}");
}

db::backend_test! {
    /// The router enforces its own table: a route declared for administrators, whose handler
    /// checks nothing at all, answers administrators only.
    async fn the_router_refuses_what_its_table_forbids_when_the_handler_checks_nothing(url: String) {
        const PATH: &str = "/personal/utan-egen-kontroll";
        let b = built(&url).await;
        let unchecked = || async { "unchecked" };
        let app = server::routes::router_with(
            b.state.clone(),
            vec![(
                PATH,
                Access::Staff(domain::Permission::Administer),
                axum::routing::get(unchecked).post(unchecked),
            )],
        );
        let form = "application/x-www-form-urlencoded";
        let (status, body) = send(&app, "GET", PATH, "", "", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "anonymous GET: sign in first");
        assert_ne!(body, "unchecked");
        let (status, body) = send(&app, "POST", PATH, "x=1", form, None).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "anonymous POST: sign in first");
        assert_ne!(body, "unchecked");
        for (email, _, role, _, _) in db::demo::DEMO_USERS {
            let cookie = sign_in(&app, email).await;
            for method in ["GET", "POST"] {
                let (status, body) = send(&app, method, PATH, "x=1", form, Some(&cookie)).await;
                if role == Role::Admin {
                    assert_eq!((status, body.as_str()), (StatusCode::OK, "unchecked"), "{email}");
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{email} {method}");
                    assert_ne!(body, "unchecked", "{email} {method}");
                }
            }
        }
    }
}
