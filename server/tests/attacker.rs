//! The differencing attacker (issue #14), on SQLite and PostgreSQL.
//!
//! Random small datasets go in through the answer writer (optional questions answered only
//! sometimes, the conditional one only by those it shows to), and after every batch an
//! attacker reads everything published for the dialogue: every aggregate endpoint of
//! `app::access::AGGREGATES`, the live streams in both languages. It writes down the linear
//! equations those figures give (totals, row and column sums, a group's count as the row
//! total of every distribution, the areas, those who did not answer, those who did not tick
//! an option, and the means and shares at 4–5 as weighted sums), and bounds every count it
//! was not shown by linear programming (min and max over non-negative reals, rounded inwards
//! to integers). It fails if any such count is pinned to 1–4 or bounded inside 1–4.
//!
//! Two readers: the public (wall screen, its stream, the promise page, the compilation and
//! its export) and staff, who see exact response counts by group and channel by design, and
//! everything else too. Replays by seed: `SUPPRESSION_SEED=… cargo test --release -p server
//! --features app/ssr --test attacker`; with `ATTACKER_DEBUG=1` a failure also prints every
//! figure it read, every equation and every bound.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use db::survey::{Gate, SubmitRequest};
use domain::compilation::Compilation;
use domain::dashboard::{Dashboard, Distribution, Regional};
use domain::suppress::MIN_ANSWERS;
use domain::{QuestionKind, Questionnaire};
use http_body_util::BodyExt;
use microlp::{ComparisonOp, OptimizationDirection, Problem};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};
use tower::ServiceExt;

const SITE: &str = "http://127.0.0.1:3997";
const WAIT: Duration = Duration::from_secs(10);
const MANAGER: &str = "chef.kristinehamn@demo.polisen.se";
const GROUPS: [&str; 3] = ["invanare", "foretagare", "unga"];
const AREAS: [&str; 4] = ["kh-centrum", "kh-stromsberg", "kh-ölme", "kh-björneborg"];
const AGES: [&str; 5] = ["u18", "18-29", "30-49", "50-64", "65+"];
const PROBLEMS: [&str; 3] = ["nedskrapning", "skadegorelse", "narkotika"];
/// The code of a distribution's "did not answer" column (`domain::dashboard::NO_ANSWER`;
/// spelled out so that this test also builds on the code before it).
const NO_ANSWER: &str = "-";

async fn built(url: &str) -> server::Built {
    common::built(url, SITE).await
}

async fn sign_in(app: &axum::Router, email: &str) -> String {
    common::sign_in(app, SITE, email).await
}

async fn call(app: &axum::Router, path: &str, body: &str, cookie: Option<&str>) -> String {
    common::post_ok(app, SITE, path, body, cookie).await
}

async fn get(app: &axum::Router, path: &str, cookie: &str) -> Vec<u8> {
    let res = app
        .clone()
        .oneshot(
            Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

/// The first `state` frame of a live stream that shows `total` (a stream may open on a frame
/// up to one hub tick old, then catch up): its total and its regions' HTML.
async fn first_frame(
    app: &axum::Router,
    uri: &str,
    cookie: Option<&str>,
    total: Option<i64>,
    allowed: &BTreeSet<i64>,
) -> (Option<i64>, BTreeMap<String, String>) {
    #[derive(serde::Deserialize)]
    struct Frame {
        total: Option<i64>,
        regions: BTreeMap<String, String>,
    }
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
    let mut body = res.into_body();
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
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
                let f: Frame = serde_json::from_str(&data.join("\n")).expect("frame is JSON");
                // A frame computed a moment before the JSON was read may still show the
                // previous published state; the stream catches up within the wait.
                let consistent = f
                    .regions
                    .values()
                    .flat_map(|h| rendered_numbers(h))
                    .all(|n| allowed.contains(&n));
                if f.total == total && consistent {
                    return (f.total, f.regions);
                }
            }
        }
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .unwrap_or_else(|_| panic!("{uri}: no frame with the total {total:?} and only the JSON's figures within the wait"))
            .expect("stream open")
            .expect("frame");
        if let Ok(bytes) = frame.into_data() {
            buf.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
}

/// Every number a region renders in a count cell (`<td class="num…">N</td>`).
fn rendered_numbers(html: &str) -> Vec<i64> {
    html.split("<td class=\"num")
        .skip(1)
        .filter_map(|part| {
            let text = part.split_once('>')?.1.split('<').next()?.trim();
            text.parse().ok()
        })
        .collect()
}

async fn submit(built: &server::Built, group: &str, fields: &[(String, String)]) {
    let id = uuid::Uuid::new_v4().to_string();
    built
        .state
        .app
        .writer
        .submit(SubmitRequest {
            link_code: &format!("kh-{group}"),
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

/// A tiny deterministic generator (xorshift), seeded and logged, so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
    fn coin(&mut self) -> bool {
        self.below(2) == 0
    }
}

/// One random answer to the demo questionnaire: the required questions always, each optional
/// one only sometimes, the conditional one (q4, "what makes you feel unsafe") only when it
/// shows (1–2 on safety) and then only sometimes.
fn random_answer(rng: &mut Rng) -> Vec<(String, String)> {
    let f = |q: &str, v: &str| (q.to_owned(), v.to_owned());
    let safety = 1 + rng.below(5);
    let mut a = vec![f("q1", "Synas mer i centrum"), f("q3", &safety.to_string())];
    if safety <= 2 && rng.coin() {
        a.push(f("q4", "Mörka gångvägar"));
    }
    if rng.coin() {
        for p in PROBLEMS {
            if rng.coin() {
                a.push(f("q5", p));
            }
        }
    }
    for q in ["q6", "q7"] {
        if rng.coin() {
            let v = rng.below(6);
            let v = if v == 5 {
                domain::DONT_KNOW.to_owned()
            } else {
                (v + 1).to_string()
            };
            a.push(f(q, &v));
        }
    }
    // Areas skewed towards the first, so small cells and a few without an area are common.
    if rng.below(3) > 0 {
        let area = AREAS[(rng.below(6) as usize).saturating_sub(2).min(3)];
        a.push(f("q8", area));
    }
    if rng.coin() {
        a.push(f("q9", AGES[rng.below(AGES.len() as u64) as usize]));
    }
    a
}

// ---------------------------------------------------------------------------------------------
// The attacker's model: non-negative unknowns, linear constraints, published values.

/// One linear constraint: its terms (unknown, coefficient), the comparison, the bound.
type Row = (Vec<(usize, f64)>, ComparisonOp, f64);

#[derive(Default)]
struct Model {
    names: Vec<String>,
    fixed: Vec<Option<f64>>,
    rows: Vec<Row>,
    index: HashMap<String, usize>,
    /// Published figures that contradict each other (the views disagree).
    conflicts: Vec<String>,
    /// Published counts of 1–4 (shown outright).
    shown_small: Vec<String>,
    /// The view being read (for messages).
    source: &'static str,
}

impl Model {
    fn var(&mut self, name: &str) -> usize {
        if let Some(i) = self.index.get(name) {
            return *i;
        }
        self.names.push(name.to_owned());
        self.fixed.push(None);
        self.index.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }
    fn fix(&mut self, name: &str, n: i64) {
        let v = self.var(name);
        if (1..MIN_ANSWERS).contains(&n) {
            self.shown_small
                .push(format!("{name} = {n} ({})", self.source));
        }
        match self.fixed[v] {
            Some(old) if (old - n as f64).abs() > 1e-9 => self
                .conflicts
                .push(format!("{name}: {old} and {n} ({})", self.source)),
            _ => self.fixed[v] = Some(n as f64),
        }
    }
    /// `total = Σ parts`.
    fn sum(&mut self, total: &str, parts: &[String]) {
        let mut row = vec![(self.var(total), -1.0)];
        for p in parts {
            row.push((self.var(p), 1.0));
        }
        self.rows.push((row, ComparisonOp::Eq, 0.0));
    }
    fn le(&mut self, parts: &[String], bound: &str) {
        let mut row = vec![(self.var(bound), -1.0)];
        for p in parts {
            row.push((self.var(p), 1.0));
        }
        self.rows.push((row, ComparisonOp::Le, 0.0));
    }
    /// `Σ coeff·var = 0`, within a tolerance (for means and shares, published as floats).
    fn weighted_zero(&mut self, terms: &[(String, f64)]) {
        let row: Vec<(usize, f64)> = terms.iter().map(|(n, c)| (self.var(n), *c)).collect();
        self.rows.push((row.clone(), ComparisonOp::Le, 1e-6));
        self.rows.push((row, ComparisonOp::Ge, -1e-6));
    }

    /// Bounds every unknown: `(name, min, max)`, integers rounded inwards. Fixed values are
    /// substituted first and lone unknowns propagated, then each remaining one gets two LPs.
    fn solve(&self) -> Result<Vec<(String, i64, i64)>, String> {
        let mut value = self.fixed.clone();
        // Propagate: an equality with one unknown fixes it.
        loop {
            let mut changed = false;
            for (row, op, rhs) in &self.rows {
                if !matches!(op, ComparisonOp::Eq) {
                    continue;
                }
                let unknown: Vec<&(usize, f64)> =
                    row.iter().filter(|(v, _)| value[*v].is_none()).collect();
                if let [(v, c)] = unknown[..] {
                    let rest: f64 = row
                        .iter()
                        .filter_map(|(w, d)| value[*w].map(|x| x * d))
                        .sum();
                    value[*v] = Some((rhs - rest) / c);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let unknown: Vec<usize> = (0..self.names.len())
            .filter(|v| value[*v].is_none())
            .collect();
        let mut out: Vec<(String, i64, i64)> = (0..self.names.len())
            .filter(|v| self.fixed[*v].is_none())
            .filter_map(|v| {
                value[v].map(|x| (self.names[v].clone(), x.round() as i64, x.round() as i64))
            })
            .collect();
        if unknown.is_empty() {
            return Ok(out);
        }
        let build = |direction: OptimizationDirection, target: usize| {
            let mut p = Problem::new(direction);
            let vars: HashMap<usize, microlp::Variable> = unknown
                .iter()
                .map(|v| {
                    (
                        *v,
                        p.add_var(if *v == target { 1.0 } else { 0.0 }, (0.0, f64::INFINITY)),
                    )
                })
                .collect();
            for (row, op, rhs) in &self.rows {
                let mut terms = Vec::new();
                let mut rest = 0.0;
                for (v, c) in row {
                    match value[*v] {
                        Some(x) => rest += x * c,
                        None => terms.push((vars[v], *c)),
                    }
                }
                if !terms.is_empty() {
                    p.add_constraint(&terms[..], *op, rhs - rest);
                }
            }
            p
        };
        for &v in &unknown {
            let solve = |direction| -> Result<f64, String> {
                build(direction, v)
                    .solve()
                    .map_err(|e| format!("{}: {e}", self.names[v]))?
                    .solution()
                    .map(|s| s.objective())
                    .ok_or_else(|| format!("{}: no solution", self.names[v]))
            };
            let max = match solve(OptimizationDirection::Maximize) {
                Ok(m) => (m + 1e-6).floor() as i64,
                // Unbounded above: nothing to pin.
                Err(_) => i64::MAX,
            };
            let min = if max <= 2 * MIN_ANSWERS {
                (solve(OptimizationDirection::Minimize)? - 1e-6).ceil() as i64
            } else {
                0
            };
            out.push((self.names[v].clone(), min, max));
        }
        Ok(out)
    }
}

/// What the attacker knows about the questionnaire (it is public): each closed question's kind
/// and whether everyone must answer it.
struct Questions {
    kinds: HashMap<i64, (QuestionKind, bool)>,
    /// How many areas are listed (the rows by area, before the one for no area).
    areas: usize,
}

impl Questions {
    fn of(q: &Questionnaire) -> Self {
        Questions {
            kinds: q
                .questions
                .iter()
                .map(|q| (q.id, (q.kind.clone(), q.required && q.condition.is_none())))
                .collect(),
            areas: q.areas.len(),
        }
    }
}

/// The equations of one published distribution (of the population `pop`, "s" for the
/// snapshot the distributions were taken at).
fn distribution(m: &mut Model, qs: &Questions, d: &Distribution, groups: usize) {
    let q = d.question_id;
    let Some((kind, everyone)) = qs.kinds.get(&q) else {
        return;
    };
    let multi = matches!(kind, QuestionKind::Multi { .. });
    let area_q = matches!(kind, QuestionKind::Area);
    // The true value slots: the published values (less "did not answer"), and a "none" slot
    // for everything but multiple choice (whether published or not).
    let values: Vec<String> = d
        .values
        .iter()
        .map(|v| v.code.clone())
        .filter(|c| c != NO_ANSWER)
        .collect();
    let mut slots = values.clone();
    if !multi {
        slots.push(NO_ANSWER.to_owned());
    }
    let rows: Vec<String> = std::iter::once("all".to_owned())
        .chain((0..groups).map(|g| format!("g{g}")))
        .chain((0..qs.areas + 1).map(|a| format!("a{a}")))
        .collect();
    let cell = |row: &str, v: &str| format!("q{q}.{row}.{v}");
    let row_total = |row: &str| match row {
        "all" => "Ts".to_owned(),
        r if r.starts_with('g') => format!("Gs.{}", &r[1..]),
        r => format!("As.{}", &r[1..]),
    };
    // Published cells, by position.
    let published = |cells: &Vec<Option<i64>>| -> Vec<(String, i64)> {
        d.values
            .iter()
            .zip(cells)
            .filter_map(|(v, n)| n.map(|n| (v.code.clone(), n)))
            .collect()
    };
    let mut fixes: Vec<(String, String, i64)> = published(&d.overall)
        .into_iter()
        .map(|(v, n)| ("all".to_owned(), v, n))
        .collect();
    for (g, (_, cells)) in d.by_group.iter().enumerate() {
        fixes.extend(
            published(cells)
                .into_iter()
                .map(|(v, n)| (format!("g{g}"), v, n)),
        );
    }
    let mut listed = 0;
    for (name, cells) in &d.by_area {
        let a = if name.is_empty() {
            qs.areas
        } else {
            listed += 1;
            listed - 1
        };
        fixes.extend(
            published(cells)
                .into_iter()
                .map(|(v, n)| (format!("a{a}"), v, n)),
        );
    }
    for (row, v, n) in fixes {
        m.fix(&cell(&row, &v), n);
    }
    for row in &rows {
        if multi {
            // Per option: those who ticked it and those who did not make up the row.
            for v in &values {
                let nt = format!("q{q}.{row}.not-{v}");
                m.sum(&row_total(row), &[cell(row, v), nt]);
            }
        } else {
            let parts: Vec<String> = slots.iter().map(|v| cell(row, v)).collect();
            m.sum(&row_total(row), &parts);
        }
    }
    let columns: Vec<String> = if multi {
        values
            .iter()
            .flat_map(|v| [v.clone(), format!("not-{v}")])
            .collect()
    } else {
        slots.clone()
    };
    for v in &columns {
        let by_group: Vec<String> = (0..groups).map(|g| cell(&format!("g{g}"), v)).collect();
        m.sum(&cell("all", v), &by_group);
        let by_area: Vec<String> = (0..=qs.areas).map(|a| cell(&format!("a{a}"), v)).collect();
        m.sum(&cell("all", v), &by_area);
    }
    if *everyone && !multi {
        m.fix(&cell("all", NO_ANSWER), 0);
    }
    if area_q {
        // The area question's answers are the areas the responses are counted by.
        for (a, v) in values.iter().enumerate() {
            m.sum(&format!("As.{a}"), &[cell("all", v)]);
            for (b, w) in slots.iter().enumerate() {
                if a != b {
                    m.fix(&cell(&format!("a{a}"), w), 0);
                }
            }
        }
        m.sum(&format!("As.{}", qs.areas), &[cell("all", NO_ANSWER)]);
        for v in &values {
            m.fix(&cell(&format!("a{}", qs.areas), v), 0);
        }
    }
    if let Some(n) = d.answered {
        let parts: Vec<String> = values.iter().map(|v| cell("all", v)).collect();
        let name = format!("q{q}.answered");
        m.fix(&name, n);
        m.sum(&name, &parts);
    }
    // Mean and share at 4–5 over 1–5: Σ (i - mean)·n_i = 0 and Σ_{4,5} n_i - share·Σ n_i = 0.
    let rated: Vec<String> = (1..=5).map(|i| cell("all", &i.to_string())).collect();
    if let Some(mean) = d.mean {
        let terms: Vec<(String, f64)> = rated
            .iter()
            .zip(1..)
            .map(|(n, i)| (n.clone(), i as f64 - mean))
            .collect();
        m.weighted_zero(&terms);
    }
    if let Some(share) = d.share_high {
        let terms: Vec<(String, f64)> = rated
            .iter()
            .zip(1..)
            .map(|(n, i)| (n.clone(), if i >= 4 { 1.0 - share } else { -share }))
            .collect();
        m.weighted_zero(&terms);
    }
}

/// The equations of a dashboard's counts (now) and distributions (the snapshot).
fn dashboard(m: &mut Model, qs: &Questions, d: &Dashboard) {
    if let Some(t) = d.total {
        m.fix("T", t);
    }
    for (g, cov) in d.groups.iter().enumerate() {
        if let Some(n) = cov.count {
            m.fix(&format!("G.{g}"), n);
        }
        for (c, (_, n)) in cov.by_channel.iter().enumerate() {
            if let Some(n) = n {
                m.fix(&format!("GC.{g}.{c}"), *n);
            }
        }
    }
    for (day, n) in &d.daily {
        if let Some(n) = n {
            m.fix(&format!("D.{day}"), *n);
        }
    }
    for (hour, n) in &d.hourly {
        if let Some(n) = n {
            m.fix(&format!("H.{hour}"), *n);
        }
    }
    if d.published_at_total > 0 {
        m.fix("Ts", d.published_at_total);
    }
    for dist in &d.distributions {
        distribution(m, qs, dist, d.groups.len());
    }
}

/// The structure every reader knows: sums between the counts, and the snapshot's link to now.
fn structure(m: &mut Model, qs: &Questions, d: &Dashboard, fresh: bool) {
    let groups = d.groups.len();
    let g: Vec<String> = (0..groups).map(|g| format!("G.{g}")).collect();
    m.sum("T", &g);
    for (i, cov) in d.groups.iter().enumerate() {
        let cells: Vec<String> = (0..cov.by_channel.len())
            .map(|c| format!("GC.{i}.{c}"))
            .collect();
        m.sum(&format!("G.{i}"), &cells);
    }
    let days: Vec<String> = d.daily.iter().map(|(day, _)| format!("D.{day}")).collect();
    m.sum("T", &days);
    for (day, _) in &d.daily {
        let hours: Vec<String> = d
            .hourly
            .iter()
            .filter(|(h, _)| domain::time::stockholm_day(*h) == *day)
            .map(|(h, _)| format!("H.{h}"))
            .collect();
        if !hours.is_empty() {
            m.le(&hours, &format!("D.{day}"));
        }
    }
    let gs: Vec<String> = (0..groups).map(|g| format!("Gs.{g}")).collect();
    m.sum("Ts", &gs);
    let areas: Vec<String> = (0..=qs.areas).map(|a| format!("As.{a}")).collect();
    m.sum("Ts", &areas);
    if fresh {
        m.sum("Ts", &["T".to_owned()]);
        for i in 0..groups {
            m.sum(&format!("Gs.{i}"), &[format!("G.{i}")]);
        }
    }
}

fn compilation(m: &mut Model, qs: &Questions, c: &Compilation, groups: usize) {
    if let Some(t) = c.total {
        m.fix("T", t);
    }
    for (g, r) in c.reach.iter().enumerate() {
        if let Some(n) = r.count {
            m.fix(&format!("G.{g}"), n);
        }
    }
    for t in &c.themes {
        let cells: Vec<String> = (0..groups)
            .map(|g| format!("theme.{}.{g}", t.code))
            .collect();
        let total = format!("theme.{}", t.code);
        if let Some(n) = t.overall {
            m.fix(&total, n);
        }
        m.sum(&total, &cells);
        for (g, n) in t.by_group.iter().enumerate() {
            if let Some(n) = n {
                m.fix(&cells[g], *n);
            }
            m.le(&[cells[g].clone()], &format!("G.{g}"));
        }
    }
    for d in &c.distributions {
        distribution(m, qs, d, groups);
    }
}

#[derive(Default)]
struct Tally {
    tried: usize,
    pinned: usize,
    lp_seconds: f64,
}

/// Everything published for dialogue 1 now, read as `who`, solved: fails on any count of 1–4
/// a reader can pin or bound inside 1–4.
async fn attack(
    b: &server::Built,
    qs: &Questions,
    staff_reader: bool,
    what: &str,
    tally: &mut Tally,
) {
    let staff = sign_in(&b.router, MANAGER).await;
    let mut m = Model::default();
    let body = call(
        &b.router,
        "/api/public/display",
        &format!("token={}", db::demo::DEMO_DISPLAY_TOKEN),
        None,
    )
    .await;
    let public: Dashboard = serde_json::from_str(&body).expect("display dashboard");
    let fresh = public.published_at_total == 0 || public.total == Some(public.published_at_total);
    // The snapshot is this population unless newer answers came (the staff's exact figures
    // tell; the public may assume it whenever the published total matches).
    let staff_view: Dashboard = {
        let body = call(
            &b.router,
            "/api/staff/dashboard",
            "dialogue_id=1",
            Some(&staff),
        )
        .await;
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        serde_json::from_value(v["dashboard"].clone()).expect("dashboard")
    };
    let fresh = fresh && staff_view.published_at_total == staff_view.total.unwrap_or(-1);
    structure(&mut m, qs, &public, fresh);
    dashboard(&mut m, qs, &public);
    let groups = public.groups.len();
    // Every aggregate endpoint is read (an unread one fails here).
    for endpoint in server::routes::aggregating_endpoints() {
        m.source = endpoint;
        match endpoint {
            "/api/public/display" => {}
            "/api/staff/dashboard" => {
                if staff_reader {
                    dashboard(&mut m, qs, &staff_view);
                }
            }
            "/api/staff/dialogue_counts" => {
                if staff_reader {
                    let body = call(&b.router, endpoint, "", Some(&staff)).await;
                    let rows: Vec<domain::stats::DialogueCounts> =
                        serde_json::from_str(&body).expect("counts");
                    if let Some(r) = rows.iter().find(|r| r.dialogue_id == 1) {
                        m.fix("T", r.total);
                    }
                }
            }
            "/api/staff/regional" => {
                // Means and shares as the dashboards publish them: the same figures.
                let region = sign_in(&b.router, "region@demo.polisen.se").await;
                let body = call(&b.router, endpoint, "", Some(&region)).await;
                let r: Regional = serde_json::from_str(&body).expect("regional");
                let row = r.rows.iter().find(|r| r.dialogue_id == 1).expect("row");
                for fig in &row.items {
                    assert!(
                        fig.0.is_none()
                            || public
                                .distributions
                                .iter()
                                .any(|d| (d.mean, d.share_high) == *fig),
                        "{what}: regional publishes a mean the dashboard does not: {fig:?}"
                    );
                }
            }
            "/api/staff/compilation" => {
                let body = call(&b.router, endpoint, "dialogue_id=1&version=0", Some(&staff)).await;
                let v: serde_json::Value = serde_json::from_str(&body).expect("json");
                let c: Compilation =
                    serde_json::from_value(v["shown"].clone()).expect("compilation");
                compilation(&mut m, qs, &c, groups);
            }
            "/personal/sammanstallning/{dialogue}/export/{format}" => {
                let bytes = get(&b.router, "/personal/sammanstallning/1/export/json", &staff).await;
                let c: Compilation = serde_json::from_slice(&bytes).expect("compilation json");
                if c.total.is_some() && c.total == staff_view.total {
                    compilation(&mut m, qs, &c, groups);
                } else {
                    // An approved version: a snapshot of an earlier population, read apart.
                    let mut snap = Model {
                        source: endpoint,
                        ..Model::default()
                    };
                    compilation(&mut snap, qs, &c, groups);
                    judge(
                        &snap,
                        staff_reader,
                        &format!("{what}, approved version"),
                        tally,
                    );
                }
            }
            "/api/public/promise" => {
                let body = call(&b.router, endpoint, "municipality=kristinehamn", None).await;
                let p: domain::promise::PublicPromise =
                    serde_json::from_str(&body).expect("promise");
                // Before and after are the public dashboards' figures: nothing new if equal.
                if let Some(f) = &p.follow_up {
                    for item in &f.items {
                        for (title, fig) in [(&f.before, &item.before), (&f.after, &item.after)] {
                            if *title != public.title || fig.mean.is_none() {
                                continue;
                            }
                            let same = |d: &&Distribution| {
                                (d.answered, d.mean, d.share_high)
                                    == (fig.answered, fig.mean, fig.share_high)
                            };
                            assert!(
                                public.distributions.iter().any(|d| same(&d)),
                                "{what}: the promise page publishes {fig:?}, the dashboard not"
                            );
                        }
                    }
                }
            }
            "/personal/oversikt/{dialogue}/live" | "/visning/{token}/live" => {
                let staff_stream = endpoint.starts_with("/personal");
                if staff_stream && !staff_reader {
                    continue;
                }
                let reference = if staff_stream { &staff_view } else { &public };
                let mut allowed: BTreeSet<i64> = BTreeSet::new();
                allowed.extend(reference.total);
                for g in &reference.groups {
                    allowed.extend(g.count);
                    allowed.insert(g.target);
                    allowed.insert(g.expected_now);
                    allowed.extend(g.by_channel.iter().filter_map(|(_, n)| *n));
                }
                allowed.extend(reference.hourly.iter().filter_map(|(_, n)| *n));
                allowed.extend(reference.daily.iter().filter_map(|(_, n)| *n));
                for d in &reference.distributions {
                    allowed.extend(d.answered);
                    allowed.extend(d.overall.iter().flatten());
                    for (_, r) in &d.by_group {
                        allowed.extend(r.iter().flatten());
                    }
                    for (_, r) in &d.by_area {
                        allowed.extend(r.iter().flatten());
                    }
                }
                let mut seen: Vec<Vec<i64>> = Vec::new();
                for lang in ["sv", "en"] {
                    let uri = if staff_stream {
                        format!("/personal/oversikt/1/live?lang={lang}")
                    } else {
                        format!("/visning/{}/live?lang={lang}", db::demo::DEMO_DISPLAY_TOKEN)
                    };
                    let (total, regions) = first_frame(
                        &b.router,
                        &uri,
                        staff_stream.then_some(staff.as_str()),
                        reference.total,
                        &allowed,
                    )
                    .await;
                    assert_eq!(total, reference.total, "{what}: {uri} total");
                    let numbers: Vec<i64> =
                        regions.values().flat_map(|h| rendered_numbers(h)).collect();
                    for (region, html) in &regions {
                        for n in rendered_numbers(html) {
                            assert!(
                                allowed.contains(&n),
                                "{what}: {uri} renders {n} in {region}, a figure its JSON does not publish (JSON hourly {:?} daily {:?} at {})",
                                reference
                                    .hourly
                                    .iter()
                                    .filter_map(|(_, n)| *n)
                                    .collect::<Vec<_>>(),
                                reference.daily,
                                reference.published_at_total
                            );
                        }
                    }
                    seen.push(numbers);
                }
                assert_eq!(
                    seen[0], seen[1],
                    "{what}: sv and en streams publish the same figures"
                );
            }
            other => panic!("aggregate endpoint {other} has no reader in the attacker"),
        }
    }
    judge(&m, staff_reader, what, tally);
}

/// Fails on any view disagreement, any count of 1–4 shown, and any hidden count the model
/// pins or bounds inside 1–4.
fn judge(m: &Model, staff_reader: bool, what: &str, tally: &mut Tally) {
    let who = if staff_reader { "staff" } else { "public" };
    assert!(
        m.conflicts.is_empty(),
        "{what} ({who}): views disagree: {:?}",
        m.conflicts
    );
    if !staff_reader {
        assert!(
            m.shown_small.is_empty(),
            "{what} ({who}): counts of 1–4 shown outright: {:?}",
            m.shown_small
        );
    } else {
        // Staff see exact response counts (T, G, GC, series, the snapshot's total); never a
        // small count of what people answered.
        let answers: Vec<&String> = m
            .shown_small
            .iter()
            .filter(|s| s.starts_with('q') || s.starts_with("theme"))
            .collect();
        assert!(
            answers.is_empty(),
            "{what} ({who}): answer counts of 1–4 shown: {answers:?}"
        );
    }
    let started = Instant::now();
    let bounds = m
        .solve()
        .unwrap_or_else(|e| panic!("{what} ({who}): the LP failed: {e}"));
    tally.lp_seconds += started.elapsed().as_secs_f64();
    let exact_for_staff = |name: &str| {
        staff_reader
            && (name == "T"
                || name == "Ts"
                || name.starts_with("G.")
                || name.starts_with("GC.")
                || name.starts_with("Gs.")
                || name.starts_with("D.")
                || name.starts_with("H."))
    };
    let mut leaks = Vec::new();
    for (name, min, max) in &bounds {
        tally.tried += 1;
        if min == max {
            tally.pinned += 1;
        }
        if *min >= 1 && *max < MIN_ANSWERS && !exact_for_staff(name) {
            leaks.push(format!("{name} in [{min}, {max}]"));
        }
    }
    if !leaks.is_empty() && std::env::var("ATTACKER_DEBUG").is_ok() {
        for (i, n) in m.names.iter().enumerate() {
            if let Some(x) = m.fixed[i] {
                eprintln!("FIX {n} = {x}");
            }
        }
        for (row, op, rhs) in &m.rows {
            let t: Vec<String> = row
                .iter()
                .map(|(v, c)| format!("{c}*{}", m.names[*v]))
                .collect();
            eprintln!("ROW {} {op:?} {rhs}", t.join(" + "));
        }
        for (name, min, max) in &bounds {
            eprintln!("BOUND {name} [{min}, {max}]");
        }
    }
    assert!(
        leaks.is_empty(),
        "{what} ({who}): the published figures give away counts of 1–4: {leaks:?}"
    );
}

async fn questions(b: &server::Built) -> Questions {
    let q = db::survey::load_questionnaire(&b.state.app.db, 1)
        .await
        .expect("questionnaire");
    Questions::of(&q)
}

db::backend_test! {
    async fn an_attacker_solving_every_published_figure_pins_no_small_count(url: String) {
        let seed = std::env::var("SUPPRESSION_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| Utc::now().timestamp_micros() as u64 | 1);
        eprintln!("attacker: SUPPRESSION_SEED={seed}");
        let started = Instant::now();
        let b = built(&url).await;
        let qs = questions(&b).await;
        let mut rng = Rng(seed);
        let mut tally = Tally::default();
        let mut total = 0;
        for step in 0..8 {
            for _ in 0..=rng.below(6) {
                let g = GROUPS[rng.below(GROUPS.len() as u64) as usize];
                submit(&b, g, &random_answer(&mut rng)).await;
                total += 1;
            }
            let what = format!("{url} step {step} (total {total}, SUPPRESSION_SEED={seed})");
            for staff_reader in [false, true] {
                attack(&b, &qs, staff_reader, &what, &mut tally).await;
            }
        }
        eprintln!(
            "attacker on {}: {} unknown counts bounded, {} pinned exactly (none to 1–4), LP {:.1} s, {:.1} s in all",
            url.split(':').next().unwrap_or_default(),
            tally.tried,
            tally.pinned,
            tally.lp_seconds,
            started.elapsed().as_secs_f64()
        );
    }
}

db::backend_test! {
    /// Issue #14's regression: areas [5, 0, 0, 0] and 6 overall; 6 - 5 gave away the 1.
    async fn six_answers_five_in_one_area_do_not_reveal_the_one_without(url: String) {
        let b = built(&url).await;
        let qs = questions(&b).await;
        let f = |q: &str, v: &str| (q.to_owned(), v.to_owned());
        for i in 0..6 {
            let mut a = vec![f("q1", "Synas mer i centrum"), f("q3", "3")];
            if i < 5 {
                a.push(f("q8", AREAS[0]));
            }
            submit(&b, "invanare", &a).await;
        }
        let mut tally = Tally::default();
        for staff_reader in [false, true] {
            attack(&b, &qs, staff_reader, &format!("{url}: areas [5,0,0,0] of 6"), &mut tally).await;
        }
        eprintln!(
            "regression on {}: {} unknown counts bounded, {} pinned exactly",
            url.split(':').next().unwrap_or_default(),
            tally.tried,
            tally.pinned
        );
    }
}
