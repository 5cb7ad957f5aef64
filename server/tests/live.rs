//! Live dashboards over HTTP, on SQLite and PostgreSQL:
//! - a submission yields a stream event with the new counts;
//! - two instances against one PostgreSQL, started at once on an empty database: an answer
//!   submitted through A reaches B's stream (LISTEN/NOTIFY);
//! - a wall screen's display link works without a session and stops once revoked;
//! - the suppression property test: random small datasets through every endpoint that returns
//!   aggregates, enumerated from the code (`app::access::AGGREGATES` and the registries).

mod common;

use app::access::{self};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use db::survey::{Gate, SubmitRequest};
use domain::dashboard::{Dashboard, Distribution, Regional};
use domain::suppress::MIN_ANSWERS;
use http_body_util::BodyExt;
use std::time::Duration;
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3998";
/// Tests wait generously: a slow machine must not turn them flaky.
const WAIT: Duration = Duration::from_secs(10);

async fn built(url: &str) -> server::Built {
    common::built(url, SITE).await
}

async fn sign_in(app: &axum::Router, email: &str) -> String {
    common::sign_in(app, SITE, email).await
}

/// Kristinehamn's LPO manager (the demo dialogue is Kristinehamn's).
const MANAGER: &str = "chef.kristinehamn@demo.polisen.se";

/// An open event stream: frames are read as they arrive.
struct Stream {
    body: Body,
    buf: String,
}

#[derive(Debug, serde::Deserialize)]
struct Frame {
    total: Option<i64>,
    regions: std::collections::BTreeMap<String, String>,
}

impl Stream {
    async fn open(app: &axum::Router, uri: &str, cookie: Option<&str>) -> Stream {
        let mut b = Request::get(uri).header(header::ACCEPT, "text/event-stream");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        let res = app
            .clone()
            .oneshot(b.body(Body::empty()).expect("request"))
            .await
            .expect("response");
        assert_eq!(res.status(), StatusCode::OK, "GET {uri}");
        assert!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream")),
            "GET {uri} is an event stream"
        );
        Stream {
            body: res.into_body(),
            buf: String::new(),
        }
    }

    /// The next `state` frame, or `None` when the stream ends or `WAIT` passes.
    async fn next(&mut self) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = "";
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if event == "state" {
                    return Some(serde_json::from_str(&data.join("\n")).expect("frame is JSON"));
                }
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??
                .ok()?;
            if let Ok(bytes) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    /// Frames until one satisfies `want` (within `WAIT` each).
    async fn until(&mut self, want: impl Fn(&Frame) -> bool) -> Frame {
        loop {
            let f = self.next().await.expect("a frame within the wait");
            if want(&f) {
                return f;
            }
        }
    }
}

async fn submit(built: &server::Built, link: &str, fields: &[(String, String)]) {
    let id = uuid::Uuid::new_v4().to_string();
    built
        .state
        .app
        .writer
        .submit(SubmitRequest {
            link_code: link,
            submission_id: &id,
            gate: Gate::Kiosk {
                token: db::demo::DEMO_KIOSK_TOKEN,
            },
            fields,
            now: Utc::now(),
        })
        .await
        .expect("stored");
}

fn answer(q3: &str, age: &str) -> Vec<(String, String)> {
    vec![
        ("q1".to_owned(), "Synas mer i centrum".to_owned()),
        ("q3".to_owned(), q3.to_owned()),
        ("q9".to_owned(), age.to_owned()),
    ]
}

db::backend_test! {
    async fn a_submission_yields_a_stream_event_with_the_new_counts(url: String) {
        let b = built(&url).await;
        let cookie = sign_in(&b.router, MANAGER).await;
        let mut s = Stream::open(
            &b.router,
            "/personal/oversikt/1/live?lang=sv",
            Some(&cookie),
        )
        .await;
        let first = s.next().await.expect("the current state at once");
        let before = first.total.expect("staff see the exact total");
        assert!(
            first.regions.contains_key("live-texts"),
            "{url}: staff see free text"
        );
        submit(&b, "kh-foretagare", &answer("4", "30-49")).await;
        let f = s.until(|f| f.total == Some(before + 1)).await;
        let coverage = &f.regions["live-coverage"];
        assert!(
            coverage.contains("data-group=\"foretagare\" data-count=\"1\""),
            "{url}: the group's count moved: {coverage}"
        );
        assert_eq!(b.state.live.open_streams(), 1, "{url}");
        drop(s);
    }
}

/// PostgreSQL only: SQLite serves one instance.
#[tokio::test]
#[ignore = "PostgreSQL: set TEST_DATABASE_URL (make test does)"]
async fn two_instances_share_live_updates_through_postgres() {
    let url = db::testing::Backend::Postgres.fresh_url().await;
    // Both start at once against the empty database: migrations and demo data take turns.
    let (a, b) = tokio::join!(built(&url), built(&url));
    let cookie = sign_in(&b.router, MANAGER).await;
    let mut s = Stream::open(&b.router, "/personal/oversikt/1/live", Some(&cookie)).await;
    let before = s.next().await.expect("state").total.expect("total");
    let started = std::time::Instant::now();
    submit(&a, "kh-invanare", &answer("2", "18-29")).await;
    let f = s.until(|f| f.total == Some(before + 1)).await;
    eprintln!(
        "two instances: submit through A → event on B in {} ms",
        started.elapsed().as_millis()
    );
    assert_eq!(f.total, Some(before + 1));
}

db::backend_test! {
    async fn a_wall_screen_link_works_without_a_session_until_revoked(url: String) {
        let b = built(&url).await;
        let token = db::demo::DEMO_DISPLAY_TOKEN;
        let page = |uri: String| {
            let app = b.router.clone();
            async move {
                app.oneshot(Request::get(uri).body(Body::empty()).expect("request"))
                    .await
                    .expect("response")
                    .status()
            }
        };
        assert_eq!(
            page(format!("/visning/{token}")).await,
            StatusCode::OK,
            "{url}"
        );
        let mut s = Stream::open(&b.router, &format!("/visning/{token}/live"), None).await;
        let f = s.next().await.expect("state");
        assert!(
            !f.regions.contains_key("live-texts"),
            "{url}: never free text on a wall"
        );
        assert_eq!(
            f.total,
            Some(0),
            "{url}: no answers yet (0 shows; 1–4 never)"
        );
        // Revoke it (as the LPO would, through the builder page's kiosk list).
        let rows = db::kiosk::list(&b.state.app.db, 1).await.expect("list");
        let display = rows
            .iter()
            .find(|k| k.purpose == db::kiosk::Purpose::Display)
            .expect("the demo display link");
        assert!(
            db::kiosk::revoke(&b.state.app.db, 1, display.id, Utc::now())
                .await
                .expect("revoke")
        );
        assert_eq!(
            page(format!("/visning/{token}")).await,
            StatusCode::NOT_FOUND,
            "{url}"
        );
        assert_eq!(
            page(format!("/visning/{token}/live")).await,
            StatusCode::NOT_FOUND,
            "{url}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The suppression property test.

/// Checks one distribution against the n<5 rule and, with the true counts by group, against
/// differencing: in every row and column, the hidden cells hold 0 or at least 5 answers.
fn check_distribution(d: &Distribution, truth: Option<&[Vec<i64>]>, what: &str) {
    let shown = |n: &Option<i64>| n.is_none_or(|n| n == 0 || n >= MIN_ANSWERS);
    assert!(
        d.overall.iter().all(shown),
        "{what}: overall {:?}",
        d.overall
    );
    for (_, cells) in &d.by_group {
        assert!(cells.iter().all(shown), "{what}: by group {cells:?}");
    }
    for (_, cells) in &d.by_area {
        assert!(cells.iter().all(shown), "{what}: by area {cells:?}");
    }
    if let Some(a) = d.answered {
        assert!(a >= MIN_ANSWERS, "{what}: answered {a}");
    }
    if d.mean.is_some() || d.share_high.is_some() {
        let rated: i64 = d.overall.iter().take(5).map(|n| n.unwrap_or(0)).sum();
        let hidden = d.overall.iter().take(5).any(Option::is_none);
        assert!(
            rated >= MIN_ANSWERS || hidden,
            "{what}: a mean on {rated} answers"
        );
    }
    let Some(truth) = truth else { return };
    let rows: Vec<&Vec<Option<i64>>> = d.by_group.iter().map(|(_, c)| c).collect();
    assert_eq!(rows.len(), truth.len(), "{what}");
    // A line's total minus its visible cells must not reveal a small hidden count. A line
    // with nothing visible reveals nothing (its total alone says nothing about the values).
    let hidden_sum = |cells: Vec<(Option<i64>, i64)>| -> i64 {
        if cells.iter().all(|(s, _)| s.is_none()) {
            return 0;
        }
        cells
            .into_iter()
            .filter(|(s, _)| s.is_none())
            .map(|(_, t)| t)
            .sum()
    };
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Some(v) = cell {
                assert_eq!(
                    *v, truth[r][c],
                    "{what}: shown cell ({r},{c}) is the true count"
                );
            }
        }
        let h = hidden_sum(row.iter().copied().zip(truth[r].iter().copied()).collect());
        // All of a line's answers hidden (only zeros shown): its total less the visible
        // cells is the total itself, nothing new (server/tests/attacker.rs solves the rest).
        let whole: i64 = truth[r].iter().sum();
        assert!(
            h == 0 || h >= MIN_ANSWERS || h == whole,
            "{what}: row {r} hides {h}"
        );
    }
    for c in 0..truth.first().map(Vec::len).unwrap_or(0) {
        let col: Vec<(Option<i64>, i64)> = rows
            .iter()
            .zip(truth)
            .map(|(row, t)| (row[c], t[c]))
            .collect();
        let whole: i64 = col.iter().map(|(_, t)| t).sum();
        let h = hidden_sum(col);
        assert!(
            h == 0 || h >= MIN_ANSWERS || h == whole,
            "{what}: column {c} hides {h}"
        );
    }
}

/// Every `<td class="num">N</td>` of a rendered distribution region is 0 or at least 5.
fn check_rendered_cells(html: &str, what: &str) {
    for part in html.split("<td class=\"num\">").skip(1) {
        let text = part.split('<').next().unwrap_or_default().trim();
        if let Ok(n) = text.parse::<i64>() {
            assert!(
                n == 0 || n >= MIN_ANSWERS,
                "{what}: a rendered cell shows {n}"
            );
        }
    }
}

/// Every count a wall screen renders in its coverage table.
fn check_public_counts(html: &str, what: &str) {
    for part in html.split("<td class=\"num count\">").skip(1) {
        let text = part.split('<').next().unwrap_or_default().trim();
        if let Ok(n) = text.parse::<i64>() {
            assert!(
                n == 0 || n >= MIN_ANSWERS,
                "{what}: a public count shows {n}"
            );
        }
    }
}

fn check_public(d: &Dashboard, what: &str) {
    let ok = |n: &Option<i64>| n.is_none_or(|n| n == 0 || n >= MIN_ANSWERS);
    assert!(ok(&d.total), "{what}: total {:?}", d.total);
    for g in &d.groups {
        assert!(ok(&g.count), "{what}: group count {:?}", g.count);
        assert!(g.by_channel.iter().all(|(_, n)| ok(n)), "{what}: channels");
    }
    assert!(d.hourly.iter().all(|(_, n)| ok(n)), "{what}: hourly");
    assert!(d.daily.iter().all(|(_, n)| ok(n)), "{what}: daily");
    assert!(d.texts.is_empty(), "{what}: free text in public");
}

/// A compilation (page data or export): every count and theme cell under the n<5 rule.
fn check_compilation(c: &domain::compilation::Compilation, what: &str) {
    let ok = |n: &Option<i64>| n.is_none_or(|n| n == 0 || n >= MIN_ANSWERS);
    assert!(ok(&c.total), "{what}: compilation total {:?}", c.total);
    for r in &c.reach {
        assert!(ok(&r.count), "{what}: reach {:?}", r.count);
        assert_eq!(
            r.count.is_none(),
            r.percent.is_none(),
            "{what}: a percent of a hidden count"
        );
    }
    for t in &c.themes {
        assert!(ok(&t.overall), "{what}: theme {:?}", t.overall);
        assert!(
            t.by_group.iter().all(ok),
            "{what}: theme cells {:?}",
            t.by_group
        );
    }
    for d in &c.distributions {
        check_distribution(d, None, what);
    }
    if c.total.is_none_or(|n| n < MIN_ANSWERS) {
        assert!(c.quotes.is_empty(), "{what}: quotes under 5 answers");
    }
}

async fn call(app: &axum::Router, path: &str, body: &str, cookie: Option<&str>) -> String {
    common::post_ok(app, SITE, path, body, cookie).await
}

/// A tiny deterministic generator (xorshift), seeded and logged, so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const GROUPS: [&str; 3] = ["invanare", "foretagare", "unga"];
const AGES: [&str; 5] = ["u18", "18-29", "30-49", "50-64", "65+"];

db::backend_test! {
    async fn suppression_holds_on_every_aggregate_endpoint_for_random_small_datasets(url: String) {
        // Every server fn and plain route is classified: an unclassified one fails here.
        let fns: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(p, _)| p.to_owned())
            .collect();
        for p in &fns {
            assert!(
                access::aggregates(p).is_some(),
                "server fn {p}: classify it in app::access::AGGREGATES"
            );
        }
        // (Each plain route declares its class beside its handler.)
        let endpoints: Vec<&str> = server::routes::aggregating_endpoints();
        let seed = std::env::var("SUPPRESSION_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| Utc::now().timestamp_micros() as u64 | 1);
        eprintln!("suppression property test: SUPPRESSION_SEED={seed}");
        let b = built(&url).await;
        let staff = sign_in(&b.router, MANAGER).await;
        let region = sign_in(&b.router, "region@demo.polisen.se").await;
        let mut rng = Rng(seed);
        // truth[group][value index of q3 (1–5, vet ej)]
        let mut truth = vec![vec![0i64; 6]; 6];
        let group_index = |code: &str| {
            db::demo::TARGET_GROUPS
                .iter()
                .position(|(c, _, _)| *c == code)
                .expect("a demo group")
        };
        let mut last_published: Option<(i64, String)> = None;
        let mut total = 0i64;
        for step in 0..10 {
            // A small random batch: 1–6 answers, mostly in few cells.
            for _ in 0..=rng.below(6) {
                let g = GROUPS[rng.below(GROUPS.len() as u64) as usize];
                let v = 1 + rng.below(5);
                let age = AGES[rng.below(AGES.len() as u64) as usize];
                submit(&b, &format!("kh-{g}"), &answer(&v.to_string(), age)).await;
                truth[group_index(g)][v as usize - 1] += 1;
                total += 1;
            }
            let what = format!("{url} step {step} (total {total}, seed {seed})");
            for endpoint in &endpoints {
                match *endpoint {
                    "/api/staff/dashboard" => {
                        let body = call(&b.router, endpoint, "dialogue_id=1", Some(&staff)).await;
                        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
                        let d: Dashboard =
                            serde_json::from_value(v["dashboard"].clone()).expect("dashboard");
                        assert_eq!(d.total, Some(total), "{what}: staff see the exact total");
                        for dist in &d.distributions {
                            let t = (dist.question_id == 3 && d.published_at_total == total)
                                .then_some(truth.as_slice());
                            check_distribution(dist, t, &what);
                        }
                        if total < MIN_ANSWERS {
                            assert!(d.texts.is_empty(), "{what}: quotes under 5");
                        }
                        // The over-time rule: a new published state only after 5 new answers.
                        let state = serde_json::to_string(&d.distributions).expect("json");
                        if let Some((at, before)) = &last_published {
                            if total - at < MIN_ANSWERS {
                                assert_eq!(d.published_at_total, *at, "{what}: republished early");
                                assert_eq!(&state, before, "{what}: distributions moved early");
                            } else {
                                assert_eq!(d.published_at_total, total, "{what}: due");
                            }
                        }
                        last_published = Some((d.published_at_total, state));
                    }
                    "/api/public/display" => {
                        let body = call(
                            &b.router,
                            endpoint,
                            &format!("token={}", db::demo::DEMO_DISPLAY_TOKEN),
                            None,
                        )
                        .await;
                        let d: Dashboard = serde_json::from_str(&body).expect("dashboard");
                        check_public(&d, &what);
                        for dist in &d.distributions {
                            check_distribution(dist, None, &what);
                        }
                    }
                    "/api/staff/regional" => {
                        let body = call(&b.router, endpoint, "", Some(&region)).await;
                        let r: Regional = serde_json::from_str(&body).expect("regional");
                        let row = r.rows.iter().find(|r| r.dialogue_id == 1).expect("row");
                        for (mean, share) in &row.items {
                            assert_eq!(mean.is_some(), share.is_some(), "{what}");
                        }
                    }
                    "/api/staff/dialogue_counts" => {
                        // Staff see exact response counts (the coverage meter is useful
                        // from the first answer); nothing here says what people answered.
                        let body = call(&b.router, endpoint, "", Some(&staff)).await;
                        assert!(body.contains("\"total\""), "{what}");
                    }
                    "/personal/oversikt/{dialogue}/live" => {
                        let mut s =
                            Stream::open(&b.router, "/personal/oversikt/1/live", Some(&staff))
                                .await;
                        let f = s.until(|f| f.total == Some(total)).await;
                        check_rendered_cells(&f.regions["live-answers"], &what);
                    }
                    "/visning/{token}/live" => {
                        let path = format!("/visning/{}/live", db::demo::DEMO_DISPLAY_TOKEN);
                        let mut s = Stream::open(&b.router, &path, None).await;
                        let f = s.next().await.expect("state");
                        let ok = f.total.is_none_or(|n| n == 0 || n >= MIN_ANSWERS);
                        assert!(ok, "{what}: wall total {:?}", f.total);
                        check_rendered_cells(&f.regions["live-answers"], &what);
                        check_public_counts(&f.regions["live-coverage"], &what);
                        assert!(!f.regions.contains_key("live-texts"), "{what}");
                    }
                    "/api/staff/compilation" => {
                        let body =
                            call(&b.router, endpoint, "dialogue_id=1&version=0", Some(&staff))
                                .await;
                        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
                        let c: domain::compilation::Compilation =
                            serde_json::from_value(v["shown"].clone()).expect("compilation");
                        check_compilation(&c, &what);
                    }
                    "/personal/sammanstallning/{dialogue}/export/{format}" => {
                        let res = b
                            .router
                            .clone()
                            .oneshot(
                                Request::get("/personal/sammanstallning/1/export/json")
                                    .header(header::COOKIE, &staff)
                                    .body(Body::empty())
                                    .expect("request"),
                            )
                            .await
                            .expect("response");
                        assert_eq!(res.status(), StatusCode::OK, "{what}: export");
                        let bytes = res.into_body().collect().await.expect("body").to_bytes();
                        let c: domain::compilation::Compilation =
                            serde_json::from_slice(&bytes).expect("compilation json");
                        check_compilation(&c, &what);
                    }
                    "/api/public/promise" => {
                        // The demo's promise: how many people raised each theme, as the
                        // approved compilation published it.
                        let body =
                            call(&b.router, endpoint, "municipality=kristinehamn", None).await;
                        let p: domain::promise::PublicPromise =
                            serde_json::from_str(&body).expect("promise");
                        for c in &p.commitments {
                            for t in &c.themes {
                                let ok = t.people.is_none_or(|n| n == 0 || n >= MIN_ANSWERS);
                                assert!(ok, "{what}: {:?} people", t.people);
                            }
                        }
                    }
                    other => panic!("aggregate endpoint {other} has no check in this test"),
                }
            }
        }
    }
}
