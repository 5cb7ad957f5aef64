//! The hostile-input suite (issue #7, section 3): every page, server function and plain route,
//! enumerated from the code as the access matrix does, gets generated bad input from a seeded
//! PRNG. On every request: no 5xx and no panic; a refusal is a 4xx with a clear message (or a
//! redirect to the sign-in page) and leaves the stored data unchanged; at the end, every HTML
//! payload that was accepted is shown escaped on the pages, in the exports and in the feed.
//!
//! `HOSTILE_REQUESTS` (default 1,000 per backend) sets the count, `HOSTILE_SEED` replays a run
//! (the seed is printed at the start).

mod common;

use app::access::{self, Access};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::Role;
use http_body_util::BodyExt;
use sea_orm::{FromQueryResult, JsonValue, Statement};
use server::config::Config;
use server::routes::{PlainRoute, plain_routes};
use std::collections::BTreeMap;
use std::time::Instant;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3999";
/// The test body limit (`Config::for_tests`).
const LIMIT: usize = 16 * 1024;
/// The link of a dialogue that closed yesterday (inserted by the test).
const CLOSED_LINK: &str = "hostile-stangd";

/// splitmix64: small, seedable, good enough to pick inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Strings that are the wrong type for nearly every field.
const WRONG: &[&str] = &[
    "",
    "abc",
    "-1",
    "0",
    "1.5",
    "NaN",
    "1e309",
    "99999999999999999999999",
    "-9223372036854775809",
    "true",
    "null",
    "[]",
    "{}",
    "2027-13-45",
    "   ",
];
/// HTML and script payloads: every one holds a marker the escape check looks for.
const HTML: &[&str] = &[
    "<script>alert('hx')</script>",
    "\"><img src=x onerror=alert('hx')>",
    "<svg onload=alert('hx')>",
    "</title><script>alert('hx')</script>",
    "'><script>alert('hx')</script><!--",
];
const SQL: &[&str] = &[
    "' OR '1'='1",
    "1; DROP TABLE answer; --",
    "\" OR \"\"=\"",
    "1' UNION SELECT password_hash FROM staff_user --",
    "%_\\",
    "'); DELETE FROM response; --",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
];
const CONTROL: &[&str] = &[
    "\u{0}",
    "a\u{0}b",
    "\u{1}\u{2}\u{7}\u{8}",
    "\u{1b}[31mred",
    "line\r\nSet-Cookie: x=y",
    "\u{202e}txet",
    "\u{feff}",
    "\u{fffd}",
    "\t\u{b}\u{c}",
];
/// Path parameters that are wrong in every way (already percent-encoded where needed).
const BAD_PARAMS: &[&str] = &[
    "-1",
    "0",
    "abc",
    "99999999999999999999",
    "9223372036854775807",
    "%FF%FE",
    "%00",
    "%27%20OR%201%3D1--",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "..%2F..%2Fetc%2Fpasswd",
    "%E2%80%AE",
    "1.5",
    "%20",
];

struct Who {
    label: &'static str,
    role: Option<Role>,
    cookie: Option<String>,
}

#[derive(Clone)]
enum Endpoint {
    Page(String, Access),
    Fn(String, Access),
    Plain(&'static PlainRoute),
}

impl Endpoint {
    fn access(&self) -> Access {
        match self {
            Endpoint::Page(_, a) | Endpoint::Fn(_, a) => *a,
            Endpoint::Plain(r) => r.access,
        }
    }
    fn template(&self) -> &str {
        match self {
            Endpoint::Page(p, _) | Endpoint::Fn(p, _) => p,
            Endpoint::Plain(r) => r.path,
        }
    }
    fn method(&self) -> &'static str {
        match self {
            Endpoint::Page(..) => "GET",
            Endpoint::Fn(..) => "POST",
            Endpoint::Plain(r) => r.method,
        }
    }
    fn label(&self) -> String {
        format!("{} {}", self.method(), self.template())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Attack {
    WrongType,
    Missing,
    Extra,
    Huge,
    HugeUnannounced,
    DeepNesting,
    BadUtf8,
    Control,
    Html,
    Sql,
    OtherLpo,
    CrossOrigin,
    BadPath,
    BadCookie,
    Replay,
    Closed,
    /// Every path parameter holds a NUL (PostgreSQL refuses NUL in text).
    NulPath,
    /// Every field holds a NUL (the submission id and token kept valid).
    NulBody,
}

const ATTACKS: &[Attack] = &[
    Attack::WrongType,
    Attack::Missing,
    Attack::Extra,
    Attack::Huge,
    Attack::HugeUnannounced,
    Attack::DeepNesting,
    Attack::BadUtf8,
    Attack::Control,
    Attack::Html,
    Attack::Sql,
    Attack::OtherLpo,
    Attack::CrossOrigin,
    Attack::BadPath,
    Attack::BadCookie,
];

struct Sent {
    status: StatusCode,
    location: String,
    body: Vec<u8>,
}

impl Sent {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn refused(&self) -> bool {
        self.status.is_client_error()
            || (self.status.is_redirection() && self.location.starts_with("/logga-in"))
    }
}

struct Req {
    method: &'static str,
    uri: String,
    body: Vec<u8>,
    ctype: &'static str,
    cookie: Option<String>,
    /// `None`: no Origin header at all.
    origin: Option<String>,
    extra: Vec<(&'static str, String)>,
    /// Announce the length (browsers do); off for the unannounced huge body.
    content_length: bool,
}

async fn send(app: &axum::Router, r: Req) -> Sent {
    let mut b = Request::builder()
        .method(r.method)
        .uri(&r.uri)
        .header(header::ACCEPT, "text/html");
    if let Some(o) = &r.origin {
        b = b.header(header::ORIGIN, o);
    }
    if !r.body.is_empty() || r.method == "POST" {
        b = b.header(header::CONTENT_TYPE, r.ctype);
    }
    if r.content_length {
        b = b.header(header::CONTENT_LENGTH, r.body.len());
    }
    if let Some(c) = &r.cookie {
        b = b.header(header::COOKIE, c);
    }
    for (k, v) in &r.extra {
        b = b.header(*k, v);
    }
    let body = if r.content_length {
        Body::from(r.body)
    } else {
        // A streamed body: its size is known only by reading it.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            r.body.chunks(4096).map(|c| Ok(c.to_vec())).collect();
        Body::from_stream(futures_util::stream::iter(chunks))
    };
    let req = b.body(body).expect("request");
    let res = tokio::time::timeout(std::time::Duration::from_secs(60), app.clone().oneshot(req))
        .await
        .expect("an answer within 60 s")
        .expect("response");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let ctype = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // A live stream never ends by itself: its status is the answer.
    if ctype.starts_with("text/event-stream") {
        return Sent {
            status,
            location,
            body: Vec::new(),
        };
    }
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Sent {
        status,
        location,
        body,
    }
}

fn form(pairs: &[(String, String)]) -> Vec<u8> {
    serde_urlencoded::to_string(pairs)
        .expect("encodes")
        .into_bytes()
}

fn pairs(s: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(s).expect("sample decodes")
}

async fn router(url: &str) -> axum::Router {
    let mut config = Config::for_tests(url, SITE);
    // Raised, not disabled: the suite sends far more than a person would.
    config.login_per_account_per_minute = 10_000;
    config.login_per_address_per_minute = 10_000;
    config.submit_per_address_per_minute = 1_000_000;
    common::built_with(config).await.router
}

async fn sign_in(app: &axum::Router, email: &str) -> String {
    common::sign_in(app, SITE, email).await
}

/// A form token as the survey page signs it, rendered a minute ago.
fn token(sid: &str) -> String {
    let config = Config::for_tests("", SITE);
    let r = app::ssr::Respondents::new(&config.secret_key, 2, 60, Vec::new(), false);
    r.form_token(sid, chrono::Utc::now() - chrono::Duration::seconds(60))
}

fn fresh_browser() -> String {
    format!("mbl_b={}", uuid::Uuid::new_v4().simple())
}

/// The stored data that refused requests must leave alone: every table but the sessions, the
/// audit log (a refused sign-in may be audited) and the published dashboard state (derived,
/// and written in the background by the live hub; checked on its own in
/// [`out_of_scope_views_publish_nothing`]), as sorted rows.
async fn fingerprint(db: &db::Db) -> BTreeMap<String, Vec<String>> {
    const TABLES: &[&str] = &[
        "activity",
        "agreement",
        "answer",
        "answer_theme",
        "bank_item",
        "browser_seen",
        "coded_answer",
        "commitment",
        "commitment_theme",
        "compilation",
        "compilation_quote",
        "dialogue",
        "dialogue_group",
        "dialogue_municipality",
        "kiosk",
        "officer_special_area",
        "org_unit",
        "progress_entry",
        "promise",
        "promise_municipality",
        "promise_sign_off",
        "promise_signatory",
        "promise_version",
        "promise_version_theme",
        "quarantine",
        "question",
        "question_meta",
        "question_revision",
        "response",
        "special_area",
        "staff_user",
        "submission",
        "tally",
        "tally_hour",
        "target_group",
        "theme",
    ];
    let backend = db.get_database_backend();
    let mut out = BTreeMap::new();
    for t in TABLES {
        let rows = JsonValue::find_by_statement(Statement::from_string(
            backend,
            format!("SELECT * FROM {t}"),
        ))
        .all(db)
        .await
        .unwrap_or_else(|e| panic!("read {t}: {e}"));
        let mut rows: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        rows.sort();
        out.insert((*t).to_owned(), rows);
    }
    out
}

fn diff(a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>) -> String {
    let mut s = String::new();
    for (t, rows) in a {
        let other = b.get(t).cloned().unwrap_or_default();
        if *rows != other {
            let gone: Vec<_> = rows.iter().filter(|r| !other.contains(r)).take(3).collect();
            let new: Vec<_> = other.iter().filter(|r| !rows.contains(r)).take(3).collect();
            s.push_str(&format!("{t}: gone {gone:?} new {new:?}\n"));
        }
    }
    s
}

/// A clear message: some words, and nothing of the internals. Returns the problem, if any.
fn unclear_message(what: &str, sent: &Sent) -> Option<String> {
    let text = sent.text();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 3 {
        return Some(format!("{what}: {} with no message: {text:?}", sent.status));
    }
    for leak in [
        "panicked",
        "DbErr",
        "sqlx",
        "SqliteError",
        "syntax error",
        "RUST_BACKTRACE",
        "stack backtrace",
    ] {
        if text.contains(leak) {
            return Some(format!(
                "{what}: {} leaks internals ({leak}): {}",
                sent.status,
                text.chars().take(300).collect::<String>()
            ));
        }
    }
    None
}

/// Concrete values for the path parameters: Kristinehamn's demo dialogue.
fn concrete(path: &str, kh_uid: &str) -> String {
    path.replace("{code}", "kh-invanare")
        .replace("{id}", "2")
        .replace("{dialogue}", "1")
        .replace("{question}", "1")
        .replace("{item}", "1")
        .replace("{unit}", "1")
        .replace("{kiosk}", "1")
        .replace("{answer}", "1")
        .replace("{token}", db::demo::DEMO_DISPLAY_TOKEN)
        .replace("{format}", "csv")
        // No such theme: allowed callers in scope get 404, nothing changes.
        .replace("{theme}", "999999")
        .replace("{municipality}", "kristinehamn")
        .replace("{uid}", kh_uid)
}

/// A well-formed body per server function (JSON or form).
fn fn_sample(path: &str) -> String {
    match path {
        "/api/public/display" => "token=demovisning2027kristinehamn".to_owned(),
        "/api/staff/dialogue" => r#"{"id":1}"#.to_owned(),
        "/api/staff/dialogues" => {
            r#"{"query":{"text":"","phase":null,"archived":false,"page":1}}"#.to_owned()
        }
        "/api/admin/users" => r#"{"query":{"text":"","role":null,"active":null,"page":1},"one":null}"#.to_owned(),
        "/api/public/poster" | "/api/public/survey" => r#"{"code":"kh-invanare"}"#.to_owned(),
        "/api/staff/paper_form" => "code=kh-invanare".to_owned(),
        "/api/staff/dashboard" => "dialogue_id=1".to_owned(),
        "/api/staff/coding" => r#"{"dialogue_id":1,"filter":{"coded":false,"theme":null,"text":"","page":1}}"#.to_owned(),
        "/api/staff/compilation" => "dialogue_id=1&version=0".to_owned(),
        "/api/public/promise" => "municipality=kristinehamn".to_owned(),
        "/api/public/submit" => {
            let sid = uuid::Uuid::new_v4().to_string();
            serde_json::json!({
                "code": "kh-invanare",
                "submission_id": sid,
                "fields": [["t", token(&sid)], ["q1", "Synas mer"], ["q3", "4"]],
                "lang": "Sv"
            })
            .to_string()
        }
        "/api/staff/register" => r#"{"filter":{"municipality_id":null,"special_area_id":null,"status":null,"due_only":false}}"#.to_owned(),
        _ => String::new(),
    }
}

/// A well-formed (often accepted) body per plain route.
fn plain_sample(h: &str, kh_unit: &str) -> String {
    let sid = uuid::Uuid::new_v4().to_string();
    match h {
        "healthz"
        | "qr_svg"
        | "dashboard_stream"
        | "display_stream"
        | "export_compilation"
        | "promise_feed"
        | "logout"
        | "remove_question"
        | "revoke_kiosk"
        | "release_quarantine"
        | "hide_text"
        | "approve_compilation"
        | "remove_quote" => String::new(),
        "submit_survey" => format!(
            "submission_id={sid}&t={}&lang=sv&q1=Synas+mer&q2=Trafiken&q3=4",
            token(&sid)
        ),
        "submit_paper" => format!("submission_id={sid}&lang=sv&q1=Papper&q3=3"),
        "login" => "email=x%40y.se&password=fel".to_owned(),
        "create_user" => "email=ny%40demo.polisen.se&name=Ny&role=officer&scope_unit_id=999999&password=langt-losenord-1".to_owned(),
        "reset_password" | "change_password" => "password=kort&repeat=kort".to_owned(),
        "set_agreement_status" => "status=paused".to_owned(),
        "assign_special_area" => "officer_id=&special_area_id=".to_owned(),
        "create_special_area" => "code=omrade&name_sv=Omr%C3%A5de&name_en=Area".to_owned(),
        "create_org_unit" => "kind=region&name=Region&code=region-x".to_owned(),
        "set_active" => "active=kanske".to_owned(),
        "forgot_password" => "email=x%40y.se&lang=sv".to_owned(),
        "set_password" => "password=kort&repeat=kort".to_owned(),
        "invite_user" => String::new(),
        "edit_user" => "version=1&name=Ny&email=ny%40demo.polisen.se&role=officer&scope_unit_id=999999".to_owned(),
        "audit_csv" => "who=x&from=2027-01-01".to_owned(),
        "create_dialogue" => "title_sv=Dialog&title_en=Dialogue".to_owned(),
        "add_question" | "update_question" | "create_bank_item" | "update_bank_item" => {
            "text_sv=Fr%C3%A5ga&text_en=Question&kind=text&max_len=200".to_owned()
        }
        "add_bank_questions" => "bank_item=1".to_owned(),
        "move_question" => "direction=up".to_owned(),
        "issue_kiosk" => "label=Surfplatta".to_owned(),
        "quarantine" => "from=2027-01-01T10&to=2027-01-01T12&reason=spam".to_owned(),
        "code_answer" => "theme=narkotika".to_owned(),
        "add_quote" => "answer=1".to_owned(),
        "create_agreement" => format!(
            "municipal_unit_id={kh_unit}&special_area_id=1&officer_id=&purpose=Hostil&starts_on=2027-01-01&review_on=2027-06-01&contact_person=X&status=active"
        ),
        "raw_text_export" | "sign_promise" => String::new(),
        "set_retention" => "days=400".to_owned(),
        "save_theme" => "theme=&name_sv=Nedskr%C3%A4pning&keywords=skr%C3%A4p".to_owned(),
        "change_theme" => "action=retire".to_owned(),
        "change_dialogue" | "change_bank_item" | "change_org_unit" => "action=restore".to_owned(),
        "save_dialogue_settings" => "version=1&title_sv=Dialog&title_en=Dialogue".to_owned(),
        "create_promise" => {
            "title_sv=L%C3%B6fte&from=2028-01-01&to=2028-12-31&c1_text=Fler+patruller&c1_theme=1"
                .to_owned()
        }
        "edit_promise" => "title_sv=L%C3%B6fte+2&c1_text=Fler+patruller&c1_theme=1".to_owned(),
        "advance_promise" => "to=followed_up".to_owned(),
        "add_activity" => {
            "commitment=1&title=Vandring&owner=police_unit%3A1&target=4&unit=st&due_on=2027-12-01"
                .to_owned()
        }
        "log_progress" => "on_day=2027-01-01&amount=1&text=Gjort".to_owned(),
        "correct_progress" => "amount=2&text=R%C3%A4ttad&reason=Fel+antal".to_owned(),
        "set_activity_status" => "status=cancelled&reason=Inst%C3%A4lld".to_owned(),
        "edit_activity" => "title=Vandring&owner=police_unit%3A1&target=4&unit=st&due_on=2027-12-01&weight=1&version=1".to_owned(),
        "link_agreements" => "agreement=1".to_owned(),
        other => panic!("route {other}: give it a sample body here"),
    }
}

/// Replaces values anywhere in a JSON document.
fn mutate_json(v: &mut serde_json::Value, rng: &mut Rng, attack: Attack) {
    use serde_json::Value;
    let pool: &[&str] = match attack {
        Attack::Html => HTML,
        Attack::Sql => SQL,
        Attack::Control => CONTROL,
        _ => WRONG,
    };
    match v {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            match attack {
                Attack::Missing if !keys.is_empty() => {
                    map.remove(rng.pick(&keys));
                }
                Attack::Extra => {
                    map.insert(
                        format!("extra_{}", rng.below(100)),
                        Value::String(rng.pick(WRONG).to_string()),
                    );
                }
                _ if !keys.is_empty() => {
                    let k = rng.pick(&keys).clone();
                    if let Some(inner) = map.get_mut(&k) {
                        if (inner.is_object() || inner.is_array()) && rng.chance(50) {
                            mutate_json(inner, rng, attack);
                        } else if attack == Attack::WrongType {
                            *inner = match rng.below(6) {
                                0 => Value::Null,
                                1 => Value::Bool(true),
                                2 => serde_json::json!(-1),
                                3 => serde_json::json!([1, "a"]),
                                4 => serde_json::json!({"a": 1}),
                                _ => serde_json::json!(1.5e300),
                            };
                        } else {
                            *inner = Value::String(rng.pick(pool).to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len());
            mutate_json(&mut items[i], rng, attack);
        }
        other => *other = Value::String(rng.pick(pool).to_string()),
    }
}

/// Puts a NUL into every string of a JSON document but the submission id and the token.
fn nul_json(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            for (k, inner) in map.iter_mut() {
                if k != "submission_id" {
                    nul_json(inner);
                }
            }
        }
        Value::Array(items) => {
            // A `[name, value]` pair of the survey's fields: the value only, never the token.
            if items.len() == 2
                && let Some(name) = items[0].as_str()
            {
                if name != "t" {
                    items[1] = Value::String("a\u{0}b".to_owned());
                }
                return;
            }
            for i in items.iter_mut() {
                nul_json(i);
            }
        }
        Value::String(s) => *s = "a\u{0}b".to_owned(),
        _ => {}
    }
}

fn mutate_form(fields: &mut Vec<(String, String)>, rng: &mut Rng, attack: Attack) {
    let pool: &[&str] = match attack {
        Attack::Html => HTML,
        Attack::Sql => SQL,
        Attack::Control => CONTROL,
        _ => WRONG,
    };
    match attack {
        Attack::Missing if !fields.is_empty() => {
            let i = rng.below(fields.len());
            fields.remove(i);
        }
        Attack::Extra => {
            let name = rng
                .pick(&[
                    "extra",
                    "q999",
                    "q1",
                    "role",
                    "id",
                    "submission_id",
                    "hemsida",
                    "kiosk",
                    "lpo_id",
                    "__proto__",
                ])
                .to_string();
            fields.push((name, rng.pick(WRONG).to_string()));
        }
        _ if !fields.is_empty() => {
            // Keep the submission id and token intact half the time, so the answer itself
            // is judged.
            let i = rng.below(fields.len());
            if matches!(fields[i].0.as_str(), "submission_id" | "t") && rng.chance(50) {
                fields.push(("q2".to_owned(), rng.pick(pool).to_string()));
            } else {
                fields[i].1 = rng.pick(pool).to_string();
            }
        }
        _ => fields.push(("x".to_owned(), rng.pick(pool).to_string())),
    }
}

struct Ctx {
    who: Vec<Who>,
    kh_uid: String,
    kh_unit: String,
}

impl Ctx {
    fn cookie_of(&self, prefix: &str) -> Option<String> {
        self.who
            .iter()
            .find(|w| w.label.starts_with(prefix))
            .and_then(|w| w.cookie.clone())
    }
}

/// What a request must come to, beyond "no 5xx".
#[derive(PartialEq, Eq)]
enum Expect {
    Anything,
    Status(StatusCode),
    Refused,
    /// Acknowledged, and nothing stored changes (a replayed submission id).
    AckUnchanged,
}

/// Builds one hostile request against `ep`.
fn build(ep: &Endpoint, attack: Attack, ctx: &Ctx, rng: &mut Rng) -> (Req, Expect) {
    let method = ep.method();
    let access = ep.access();
    // A caller the policy allows most of the time, so the input reaches the handler.
    let allowed: Vec<&Who> = ctx.who.iter().filter(|w| access.allows(w.role)).collect();
    let caller = if !allowed.is_empty() && rng.chance(80) {
        *rng.pick(&allowed)
    } else {
        rng.pick(&ctx.who)
    };
    let mut cookie = caller.cookie.clone();
    let mut uri = concrete(ep.template(), &ctx.kh_uid);
    let (mut body, json) = match ep {
        Endpoint::Page(..) => (String::new(), false),
        Endpoint::Fn(p, _) => {
            let s = fn_sample(p);
            let json = s.starts_with('{');
            (s, json)
        }
        Endpoint::Plain(r) => (plain_sample(r.name, &ctx.kh_unit), false),
    };
    // The survey needs a browser cookie of its own (one answer per browser).
    if matches!(ep, Endpoint::Plain(r) if r.name == "submit_survey")
        || ep.template() == "/api/public/submit"
    {
        let b = fresh_browser();
        cookie = Some(match cookie {
            Some(c) => format!("{c}; {b}"),
            None => b,
        });
    }
    // Signing out would end a session the rest of the run uses.
    if matches!(ep, Endpoint::Plain(r) if r.name == "logout") {
        cookie = None;
    }
    let mut expect = Expect::Anything;
    let mut origin = Some(SITE.to_owned());
    let mut extra = Vec::new();
    let mut content_length = true;
    let mut raw: Option<Vec<u8>> = None;
    let ctype = if json {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    match attack {
        Attack::WrongType
        | Attack::Missing
        | Attack::Extra
        | Attack::Control
        | Attack::Html
        | Attack::Sql => {
            if method == "GET" {
                let pool = match attack {
                    Attack::Html => HTML,
                    Attack::Sql => SQL,
                    Attack::Control => CONTROL,
                    _ => WRONG,
                };
                let key = rng.pick(&["lang", "next", "kiosk", "via", "q", "version", "sparat"]);
                let query =
                    serde_urlencoded::to_string([(*key, *rng.pick(pool))]).expect("encodes");
                uri = format!("{uri}?{query}");
            } else if json {
                let mut v: serde_json::Value = serde_json::from_str(&body).expect("sample");
                mutate_json(&mut v, rng, attack);
                body = v.to_string();
            } else {
                let mut f = pairs(&body);
                mutate_form(&mut f, rng, attack);
                body = String::from_utf8(form(&f)).expect("utf-8");
            }
        }
        Attack::Huge => {
            let n = LIMIT + 1 + rng.below(4 * LIMIT);
            body = if json {
                format!("{{\"code\":\"{}\"}}", "a".repeat(n))
            } else {
                format!("q1={}", "a".repeat(n))
            };
            if method == "POST" {
                expect = Expect::Status(StatusCode::PAYLOAD_TOO_LARGE);
            }
        }
        Attack::HugeUnannounced => {
            let n = LIMIT + 1 + rng.below(4 * LIMIT);
            body = format!("q1={}", "a".repeat(n));
            content_length = false;
        }
        Attack::DeepNesting => {
            let depth = 100 + rng.below(5000);
            body = if json || rng.chance(50) {
                format!("{{\"id\":{}1{}}}", "[".repeat(depth), "]".repeat(depth))
            } else {
                let key: String = (0..depth.min(1500)).map(|_| "[a]").collect();
                format!("q1{key}=x&submission_id[0][1][2]=y")
            };
        }
        Attack::BadUtf8 => {
            let mut b = body.clone().into_bytes();
            if !b.is_empty() {
                b.push(b'&');
            }
            let key = rng.pick(&[
                "q1", "email", "title_sv", "text_sv", "name", "code", "reason",
            ]);
            b.extend_from_slice(key.as_bytes());
            b.push(b'=');
            let junk: &[&[u8]] = &[
                b"\xff\xfe\xfd",
                b"\xc3\x28",
                b"\xe2\x82",
                b"\xf0\x28\x8c\xbc",
                b"%FF%FE%80",
                b"%C0%AF",
                b"\xed\xa0\x80",
            ];
            let j: &[u8] = junk[rng.below(junk.len())];
            b.extend_from_slice(j);
            raw = Some(b);
        }
        Attack::OtherLpo => {
            // Torsby's officer, with Kristinehamn's ids.
            cookie = ctx.cookie_of("kommunpolis.torsby");
            let scoped = [
                "{dialogue}",
                "{code}",
                "{question}",
                "{kiosk}",
                "{answer}",
                "{uid}",
            ]
            .iter()
            .any(|p| ep.template().contains(p))
                && matches!(access, Access::Staff(_));
            let scoped_fn = matches!(
                ep.template(),
                "/api/staff/dashboard"
                    | "/api/staff/dialogue"
                    | "/api/staff/paper_form"
                    | "/api/staff/coding"
                    | "/api/staff/compilation"
            );
            if scoped || scoped_fn {
                expect = Expect::Refused;
            }
        }
        Attack::CrossOrigin => {
            match rng.below(4) {
                0 => origin = Some("https://evil.example".to_owned()),
                1 => origin = Some("null".to_owned()),
                2 => {
                    origin = None;
                    extra.push(("sec-fetch-site", "cross-site".to_owned()));
                }
                _ => {
                    origin = None;
                    extra.push((
                        "referer",
                        "http://127.0.0.1:3999.evil.example/form".to_owned(),
                    ));
                }
            }
            if method == "POST" {
                expect = Expect::Status(StatusCode::FORBIDDEN);
            }
        }
        Attack::BadPath => {
            let params: Vec<&str> = ep
                .template()
                .split('/')
                .filter(|s| s.starts_with('{'))
                .collect();
            let mut path = ep.template().to_owned();
            if params.is_empty() {
                path.push_str(&format!("/{}", rng.pick(BAD_PARAMS)));
            }
            let chosen = if params.is_empty() {
                None
            } else {
                Some(*rng.pick(&params))
            };
            for p in params {
                let value = if Some(p) == chosen {
                    rng.pick(BAD_PARAMS).to_string()
                } else {
                    concrete(p, &ctx.kh_uid)
                };
                path = path.replace(p, &value);
            }
            uri = path;
        }
        Attack::BadCookie => {
            let c = rng.pick(&[
                "mbl_session=<script>alert('hx')</script>",
                "mbl_session=%FF%FE; mbl_b=../../etc",
                "mbl_session=' OR 1=1--",
                "mbl_b=",
                "mbl_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "=; ;;; mbl_session",
            ]);
            cookie = Some((*c).to_owned());
        }
        Attack::NulPath => {
            let mut path = ep.template().to_owned();
            for p in ep.template().split('/').filter(|s| s.starts_with('{')) {
                path = path.replace(p, "a%00b");
            }
            uri = if path.contains("%00") {
                path
            } else {
                format!("{uri}?lang=a%00b&next=a%00b&kiosk=a%00b")
            };
        }
        Attack::NulBody => {
            if method == "GET" {
                uri = format!("{uri}?lang=a%00b&next=a%00b&kiosk=a%00b&via=a%00b");
            } else if json {
                let mut v: serde_json::Value = serde_json::from_str(&body).expect("sample");
                nul_json(&mut v);
                body = v.to_string();
            } else {
                let mut f = pairs(&body);
                for (k, v) in f.iter_mut() {
                    if k != "submission_id" && k != "t" {
                        *v = "a\u{0}b".to_owned();
                    }
                }
                if f.is_empty() {
                    f.push(("x".to_owned(), "a\u{0}b".to_owned()));
                }
                body = String::from_utf8(form(&f)).expect("utf-8");
            }
        }
        Attack::Replay | Attack::Closed => {}
    }
    let body = raw.unwrap_or_else(|| body.into_bytes());
    // A NUL anywhere is refused before any handler runs.
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    if matches!(attack, Attack::NulPath | Attack::NulBody)
        && (uri.contains("%00") || has(b"%00") || has(b"\\u0000"))
    {
        expect = Expect::Status(StatusCode::BAD_REQUEST);
    }
    (
        Req {
            method,
            uri,
            body,
            ctype,
            cookie,
            origin,
            extra,
            content_length,
        },
        expect,
    )
}

db::backend_test! {
    async fn hostile_input_is_refused_cleanly_and_changes_nothing(url: String) {
        let seed = env_u64("HOSTILE_SEED").unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        });
        let requests = env_u64("HOSTILE_REQUESTS").unwrap_or(1000) as usize;
        eprintln!(
            "hostile: seed {seed} (replay with HOSTILE_SEED={seed}), {requests} requests per backend"
        );
        let backend = if url.starts_with("postgres") {
            "postgresql"
        } else {
            "sqlite"
        };
        let started = Instant::now();
        let n = run(&url, seed, requests).await;
        eprintln!(
            "hostile: {backend}: {n} requests in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
}

/// Inserts a dialogue of Kristinehamn's LPO that closed yesterday, with one group.
async fn add_closed_dialogue(db: &db::Db) {
    use db::entity::{dialogue, dialogue_group};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let first = dialogue::Entity::find_by_id(1)
        .one(db)
        .await
        .expect("read")
        .expect("the demo dialogue");
    let group = dialogue_group::Entity::find()
        .one(db)
        .await
        .expect("read")
        .expect("a group");
    let now = chrono::Utc::now();
    let id = dialogue::Entity::insert(dialogue::ActiveModel {
        lpo_id: Set(first.lpo_id),
        title: Set(first.title.clone()),
        intro: Set(first.intro.clone()),
        opens_at: Set(now - chrono::Duration::days(30)),
        closes_at: Set(now - chrono::Duration::days(1)),
        created_at: Set(now - chrono::Duration::days(31)),
        dedup_salt: Set("hostile".to_owned()),
        ..Default::default()
    })
    .exec(db)
    .await
    .expect("insert dialogue")
    .last_insert_id;
    dialogue_group::Entity::insert(dialogue_group::ActiveModel {
        dialogue_id: Set(id),
        target_group_id: Set(group.target_group_id),
        target_count: Set(10),
        link_code: Set(CLOSED_LINK.to_owned()),
        invite_code: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await
    .expect("insert group");
}

async fn run(url: &str, seed: u64, requests: usize) -> usize {
    let app = router(url).await;
    let db = db::connect(url).await.expect("connects");
    add_closed_dialogue(&db).await;
    let mut rng = Rng(seed);

    let mut who = vec![Who {
        label: "anonymous",
        role: None,
        cookie: None,
    }];
    for (email, _, role, _, _) in db::demo::DEMO_USERS {
        who.push(Who {
            label: email,
            role: Some(role),
            cookie: Some(sign_in(&app, email).await),
        });
    }
    let kh_officer = who
        .iter()
        .find(|w| w.label.starts_with("kommunpolis.kristinehamn"))
        .and_then(|w| w.cookie.clone());
    let page = send(
        &app,
        Req {
            method: "GET",
            uri: "/personal/overenskommelser".to_owned(),
            body: Vec::new(),
            ctype: "",
            cookie: kh_officer.clone(),
            origin: None,
            extra: Vec::new(),
            content_length: true,
        },
    )
    .await
    .text();
    let kh_unit = page
        .split("\">Kristinehamn kommun, socialtjänsten</option>")
        .next()
        .and_then(|s| s.rsplit("value=\"").next())
        .expect("unit id")
        .to_owned();
    let kh_uid = page
        .split("data-agreement=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("an agreement of Kristinehamn")
        .to_owned();
    let ctx = Ctx {
        who,
        kh_uid,
        kh_unit,
    };

    // Accepted payloads with HTML, so the escape check has something to find: a free-text
    // answer, a dialogue title, an agreement's purpose.
    let admin = ctx.cookie_of("admin@");
    let builder_page = send(
        &app,
        Req {
            method: "GET",
            uri: "/personal/dialoger".to_owned(),
            body: Vec::new(),
            ctype: "",
            cookie: admin.clone(),
            origin: None,
            extra: Vec::new(),
            content_length: true,
        },
    )
    .await
    .text();
    let kh_municipality = builder_page
        .split("\">Kristinehamn (LPO Kristinehamn)")
        .next()
        .and_then(|s| s.rsplit("create-m-").next())
        .expect("Kristinehamn's municipality")
        .to_owned();
    let sid = uuid::Uuid::new_v4().to_string();
    let payload = "<script>alert('hx')</script> \"><img src=x onerror=alert('hx')> =HYPERLINK(\"http://evil.example\")";
    let accepted = [
        (
            "/s/kh-invanare".to_owned(),
            form(&[
                ("submission_id".to_owned(), sid.clone()),
                ("t".to_owned(), token(&sid)),
                ("q1".to_owned(), payload.to_owned()),
                ("q2".to_owned(), "=1+1".to_owned()),
                ("q3".to_owned(), "4".to_owned()),
            ]),
            Some(fresh_browser()),
        ),
        (
            "/personal/dialoger".to_owned(),
            form(&[
                ("title_sv".to_owned(), payload.to_owned()),
                ("title_en".to_owned(), payload.to_owned()),
                ("intro_sv".to_owned(), payload.to_owned()),
                ("intro_en".to_owned(), payload.to_owned()),
                ("opens_on".to_owned(), "2027-01-01".to_owned()),
                ("closes_on".to_owned(), "2027-02-01".to_owned()),
                ("municipality".to_owned(), kh_municipality),
                ("group".to_owned(), "1".to_owned()),
                ("target_1".to_owned(), "100".to_owned()),
            ]),
            admin.clone(),
        ),
        (
            "/personal/overenskommelser".to_owned(),
            String::from_utf8(plain_sample("create_agreement", &ctx.kh_unit).into_bytes())
                .expect("utf-8")
                .replace(
                    "purpose=Hostil",
                    "purpose=%3Cscript%3Ealert('hx')%3C%2Fscript%3E",
                )
                .into_bytes(),
            kh_officer.clone(),
        ),
    ];
    for (uri, body, cookie) in accepted {
        let sent = send(
            &app,
            Req {
                method: "POST",
                uri: uri.clone(),
                body,
                ctype: "application/x-www-form-urlencoded",
                cookie,
                origin: Some(SITE.to_owned()),
                extra: Vec::new(),
                content_length: true,
            },
        )
        .await;
        assert!(
            sent.status.is_redirection() && !sent.location.starts_with("/logga-in"),
            "the payload is accepted at {uri}: {} {}",
            sent.status,
            sent.text()
                .split("error-summary")
                .skip(1)
                .collect::<String>()
                .chars()
                .take(1500)
                .collect::<String>()
        );
    }

    // The free-text payload as a quote of the compilation (its exports show quotes), and a
    // progress note on the public page and in the feed (logged through the service: staff have
    // no HTTP form for it yet).
    let payload_answer = {
        use db::entity::answer;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        answer::Entity::find()
            .filter(answer::Column::ValueText.like("%alert('hx')%"))
            .one(&db)
            .await
            .expect("read")
            .expect("the payload answer is stored")
            .id
    };
    let sent = send(
        &app,
        Req {
            method: "POST",
            uri: "/personal/sammanstallning/1/citat".to_owned(),
            body: format!("answer={payload_answer}").into_bytes(),
            ctype: "application/x-www-form-urlencoded",
            cookie: ctx.cookie_of("chef.kristinehamn"),
            origin: Some(SITE.to_owned()),
            extra: Vec::new(),
            content_length: true,
        },
    )
    .await;
    let quoted = sent.status == StatusCode::SEE_OTHER;
    eprintln!("hostile: quoting the payload answer: {}", sent.status);
    let logged = log_payload_progress(&db, payload).await;
    eprintln!("hostile: payload progress note logged: {logged}");

    out_of_scope_views_publish_nothing(&app, &db, &ctx).await;

    // Every endpoint, from the code.
    let mut endpoints = Vec::new();
    for listing in leptos_axum::generate_route_list(app::App) {
        let path = listing.path().to_owned();
        let a = access::page_access(&path).unwrap_or_else(|| panic!("page {path} has no policy"));
        endpoints.push(Endpoint::Page(path, a));
    }
    let mut fns: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_owned())
        .collect();
    fns.sort();
    for p in fns {
        let a =
            access::server_fn_access(&p).unwrap_or_else(|| panic!("server fn {p} has no policy"));
        endpoints.push(Endpoint::Fn(p, a));
    }
    for r in plain_routes() {
        endpoints.push(Endpoint::Plain(r));
    }

    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut attacks: BTreeMap<Attack, usize> = BTreeMap::new();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut current = fingerprint(&db).await;
    let mut stale = false;
    let mut failures: Vec<String> = Vec::new();
    let mut k = 0usize;
    for i in 0..requests {
        // Scripted scenarios, spread through the run.
        let (ep_label, req, expect, attack) = if i % 50 == 7 {
            // A replayed submission id carrying different content: acknowledged as the
            // original, nothing changes.
            let sid = uuid::Uuid::new_v4().to_string();
            let first = form(&[
                ("submission_id".to_owned(), sid.clone()),
                ("t".to_owned(), token(&sid)),
                ("q1".to_owned(), "Original".to_owned()),
                ("q3".to_owned(), "2".to_owned()),
            ]);
            let sent = send(
                &app,
                Req {
                    method: "POST",
                    uri: "/s/kh-invanare".to_owned(),
                    body: first,
                    ctype: "application/x-www-form-urlencoded",
                    cookie: Some(fresh_browser()),
                    origin: Some(SITE.to_owned()),
                    extra: Vec::new(),
                    content_length: true,
                },
            )
            .await;
            assert_eq!(sent.status, StatusCode::SEE_OTHER, "the original answer");
            stale = true;
            let replay = form(&[
                ("submission_id".to_owned(), sid.clone()),
                ("t".to_owned(), token(&sid)),
                ("q1".to_owned(), format!("Ändrat {}", rng.pick(HTML))),
                ("q2".to_owned(), rng.pick(SQL).to_string()),
                ("q3".to_owned(), "5".to_owned()),
            ]);
            (
                "POST /s/{code} (replay)".to_owned(),
                Req {
                    method: "POST",
                    uri: "/s/kh-invanare".to_owned(),
                    body: replay,
                    ctype: "application/x-www-form-urlencoded",
                    cookie: Some(fresh_browser()),
                    origin: Some(SITE.to_owned()),
                    extra: Vec::new(),
                    content_length: true,
                },
                Expect::AckUnchanged,
                Attack::Replay,
            )
        } else if i % 50 == 23 {
            let sid = uuid::Uuid::new_v4().to_string();
            (
                "POST /s/{code} (closed)".to_owned(),
                Req {
                    method: "POST",
                    uri: format!("/s/{CLOSED_LINK}"),
                    body: form(&[
                        ("submission_id".to_owned(), sid.clone()),
                        ("t".to_owned(), token(&sid)),
                        ("q1".to_owned(), "Sent".to_owned()),
                        ("q3".to_owned(), "3".to_owned()),
                    ]),
                    ctype: "application/x-www-form-urlencoded",
                    cookie: Some(fresh_browser()),
                    origin: Some(SITE.to_owned()),
                    extra: Vec::new(),
                    content_length: true,
                },
                Expect::Status(StatusCode::CONFLICT),
                Attack::Closed,
            )
        } else {
            // Two sweeps first (a NUL in every path parameter, then in every field), then
            // random attacks, each endpoint in turn.
            let ep = &endpoints[k % endpoints.len()];
            let attack = match k / endpoints.len() {
                0 => Attack::NulPath,
                1 => Attack::NulBody,
                _ => *rng.pick(ATTACKS),
            };
            k += 1;
            let (req, expect) = build(ep, attack, &ctx, &mut rng);
            (ep.label(), req, expect, attack)
        };
        if stale {
            current = fingerprint(&db).await;
            stale = false;
        }
        let what = format!(
            "request {i} ({ep_label}, {attack:?}, {} {}; seed {seed})",
            req.method,
            req.uri.chars().take(120).collect::<String>()
        );
        let sent = send(&app, req).await;
        *seen.entry(ep_label).or_default() += 1;
        *attacks.entry(attack).or_default() += 1;
        *statuses.entry(sent.status.as_u16()).or_default() += 1;

        if sent.status.is_server_error() {
            failures.push(format!(
                "{what}: {} {}",
                sent.status,
                sent.text().chars().take(300).collect::<String>()
            ));
        }
        let problem = match expect {
            Expect::Status(s) if sent.status != s => Some(format!(
                "{what}: expected {s}, got {}: {}",
                sent.status,
                sent.text().chars().take(300).collect::<String>()
            )),
            Expect::Refused if !sent.refused() => {
                Some(format!("{what} must be refused: {}", sent.status))
            }
            Expect::AckUnchanged if sent.status != StatusCode::SEE_OTHER => Some(format!(
                "{what}: a replay is acknowledged, got {}",
                sent.status
            )),
            _ => None,
        };
        failures.extend(problem);
        if sent.status.is_client_error() {
            failures.extend(unclear_message(&what, &sent));
        }
        if sent.refused() || expect == Expect::AckUnchanged {
            let after = fingerprint(&db).await;
            if after != current {
                failures.push(format!(
                    "{what}: refused with {} (to {:?}), but the stored data changed:\n{}",
                    sent.status,
                    sent.location,
                    diff(&current, &after).chars().take(400).collect::<String>()
                ));
                current = after;
            }
        } else {
            stale = true;
        }
    }
    for ep in &endpoints {
        assert!(
            seen.contains_key(&ep.label()),
            "{} got no hostile request",
            ep.label()
        );
    }
    eprintln!(
        "hostile: {} endpoints; attacks {attacks:?}; statuses {statuses:?}",
        endpoints.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {requests} hostile requests went wrong (seed {seed}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );

    check_escaped(&app, &ctx, quoted, logged).await;
    seen.values().sum()
}

/// Another LPO's officer opening Kristinehamn's dashboard is refused, and publishes no new
/// dashboard state even when one is due (a bug this suite found: the state was published
/// before the scope check).
async fn out_of_scope_views_publish_nothing(app: &axum::Router, db: &db::Db, ctx: &Ctx) {
    use db::entity::published_snapshot;
    use sea_orm::EntityTrait;
    let snapshot = || async {
        published_snapshot::Entity::find_by_id(1)
            .one(db)
            .await
            .expect("read")
            .map(|s| (s.total, s.at))
    };
    // Five new answers make a new state due; then let the live hub settle.
    for i in 0..5 {
        let sid = uuid::Uuid::new_v4().to_string();
        let sent = send(
            app,
            Req {
                method: "POST",
                uri: "/s/kh-invanare".to_owned(),
                body: form(&[
                    ("submission_id".to_owned(), sid.clone()),
                    ("t".to_owned(), token(&sid)),
                    ("q1".to_owned(), format!("Svar {i}")),
                    ("q3".to_owned(), "3".to_owned()),
                ]),
                ctype: "application/x-www-form-urlencoded",
                cookie: Some(fresh_browser()),
                origin: Some(SITE.to_owned()),
                extra: Vec::new(),
                content_length: true,
            },
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "answer {i}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let before = snapshot().await;
    let torsby = ctx.cookie_of("kommunpolis.torsby");
    for (method, uri, body) in [
        ("GET", "/personal/oversikt/1", ""),
        ("POST", "/api/staff/dashboard", "dialogue_id=1"),
    ] {
        let sent = send(
            app,
            Req {
                method,
                uri: uri.to_owned(),
                body: body.as_bytes().to_vec(),
                ctype: "application/x-www-form-urlencoded",
                cookie: torsby.clone(),
                origin: Some(SITE.to_owned()),
                extra: Vec::new(),
                content_length: true,
            },
        )
        .await;
        assert_eq!(
            sent.status,
            StatusCode::FORBIDDEN,
            "{method} {uri} as Torsby"
        );
        assert_eq!(
            snapshot().await,
            before,
            "{method} {uri} as Torsby published a dashboard state"
        );
    }
}

/// Logs progress with `note` on the demo promise's first activity, as its LPO manager.
/// `false` when the demo has no promise.
async fn log_payload_progress(db: &db::Db, note: &str) -> bool {
    use db::entity::{activity, staff_user};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(a) = activity::Entity::find().one(db).await.expect("read") else {
        return false;
    };
    let manager = staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq("chef.kristinehamn@demo.polisen.se"))
        .one(db)
        .await
        .expect("read")
        .and_then(|u| db::accounts::principal(&u))
        .expect("the LPO manager");
    let now = chrono::Utc::now();
    db::promise::log_progress(
        db,
        &manager,
        a.id,
        domain::time::stockholm_day(now) - chrono::Duration::days(1),
        note,
        1.0,
        now,
    )
    .await
    .is_ok()
}

/// Every accepted payload is shown escaped: no raw markup on any page, in the exports or the
/// feed, and at least one page shows the escaped payload (so the check saw it).
async fn check_escaped(app: &axum::Router, ctx: &Ctx, quoted: bool, logged: bool) {
    let raw_markers = ["<script>alert(", "<img src=x onerror", "<svg onload="];
    let mut escaped_seen = 0;
    let mut files_with_payload = std::collections::BTreeSet::new();
    let mut uris: Vec<String> = Vec::new();
    for listing in leptos_axum::generate_route_list(app::App) {
        uris.push(concrete(listing.path(), &ctx.kh_uid));
    }
    uris.extend([
        "/personal/dialoger/3".to_owned(),
        "/lofte/kristinehamn/flode".to_owned(),
        "/personal/sammanstallning/1/export/csv".to_owned(),
        "/personal/sammanstallning/1/export/xlsx".to_owned(),
    ]);
    for who in [
        "admin@",
        "chef.kristinehamn",
        "kommunpolis.kristinehamn",
        "anonymous",
    ] {
        let cookie = ctx.cookie_of(who);
        for uri in &uris {
            let sent = send(
                app,
                Req {
                    method: "GET",
                    uri: uri.clone(),
                    body: Vec::new(),
                    ctype: "",
                    cookie: cookie.clone(),
                    origin: None,
                    extra: Vec::new(),
                    content_length: true,
                },
            )
            .await;
            assert!(
                !sent.status.is_server_error(),
                "GET {uri} as {who}: {}",
                sent.status
            );
            let texts: Vec<String> = if uri.ends_with("xlsx") && sent.status.is_success() {
                let mut zip = zip::ZipArchive::new(std::io::Cursor::new(sent.body.clone()))
                    .expect("an xlsx is a zip");
                let mut out = Vec::new();
                for i in 0..zip.len() {
                    let mut f = zip.by_index(i).expect("entry");
                    let mut s = String::new();
                    use std::io::Read;
                    if f.read_to_string(&mut s).is_ok() {
                        assert!(
                            !(f.name().contains("worksheets") && s.contains("<f>")),
                            "the XLSX export holds a formula"
                        );
                        out.push(s);
                    }
                }
                out
            } else {
                vec![sent.text()]
            };
            for text in texts {
                // CSV is not markup (served as text/csv with nosniff): there the rule is no
                // formula cell, checked below.
                let markers: &[&str] = if uri.ends_with("csv") {
                    &[]
                } else {
                    &raw_markers
                };
                for m in markers {
                    assert!(
                        !text.contains(m),
                        "GET {uri} as {who} shows {m:?} unescaped: …{}…",
                        text.split(m)
                            .next()
                            .map(|s| &s[s.len().saturating_sub(200)..])
                            .unwrap_or("")
                    );
                }
                if text.contains("&lt;script&gt;alert(") {
                    escaped_seen += 1;
                }
                // The quote in the exports and the note in the feed: there, and escaped.
                let shown_in_file = sent.status.is_success() && uri.ends_with("flode") && logged;
                if shown_in_file && text.contains("alert(") {
                    files_with_payload.insert(uri.clone());
                }
                if uri.ends_with("csv") && sent.status.is_success() {
                    for cell in text.split([',', '\n']) {
                        let c = cell.trim_start_matches('"');
                        assert!(
                            !c.starts_with(['=', '+', '@']),
                            "the CSV export holds a formula cell: {cell}"
                        );
                    }
                }
            }
        }
    }
    assert!(
        escaped_seen > 0,
        "no page showed an accepted payload: the escape check saw nothing"
    );
    // The exports carry the approved versions (and quotes only from 5 answers), so a quote
    // picked now is not in them yet; they are still checked for raw markup and formulas.
    let _ = quoted;
    let mut expected = std::collections::BTreeSet::new();
    if logged {
        expected.insert("/lofte/kristinehamn/flode".to_owned());
    }
    assert_eq!(
        files_with_payload, expected,
        "the exports and the feed show the accepted payload (escaped)"
    );
}
