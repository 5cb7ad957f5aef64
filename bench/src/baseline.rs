//! The baseline: the least a server must do to take the same answers. One axum handler, one
//! writer task, and through sqlx, batched: multi-row INSERTs (prepared and cached by sqlx per
//! connection) and counter upserts. It runs the same checks as the product (form token and
//! minimum time, honeypot, per-address rate limit, submission id, openness, the
//! questionnaire's validation, the per-browser hash) and writes the same rows (submission,
//! browser, response, answers, tallies, hourly counts) with the same PRAGMAs, on the
//! product's own schema and demo data. What it leaves out is the product's framework: the
//! Leptos/axum router and middleware, SeaORM, and a savepoint per answer.

use crate::target::SECRET;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use domain::{AnswerValue, Openness};
use sea_orm::sqlx::{self, Postgres, QueryBuilder, Sqlite};
use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most answers one commit carries (as the product's writer).
const MAX_BATCH: usize = db::survey::MAX_BATCH;

/// A checked answer on its way to the writer.
struct Job {
    sid: String,
    hash: String,
    area: String,
    hour: DateTime<Utc>,
    answers: Vec<(i64, AnswerValue)>,
    reply: oneshot::Sender<Outcome>,
}

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Stored,
    Retry,
    Duplicate,
    Failed,
}

struct Base {
    respondents: app::ssr::Respondents,
    survey: domain::Survey,
    salt: String,
    origin: String,
    jobs: mpsc::Sender<Job>,
}

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// `bench baseline DATABASE_URL PORT`: migrates and seeds the demo like the product, then
/// serves `GET /s/{link}` (a form's hidden fields and browser cookie), `POST /s/{link}` and
/// `GET /healthz` until killed.
pub async fn serve(url: &str, port: u16) -> Result<(), String> {
    let orm = db::connect(url).await.map_err(|e| e.to_string())?;
    db::demo::seed_if_empty(&orm)
        .await
        .map_err(|e| e.to_string())?;
    let loaded = db::survey::load(&orm, crate::target::LINK)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the demo survey link is missing")?;
    let survey = loaded.survey;
    drop(orm);
    let pool = open(url).await?;
    let salt = match &pool {
        Pool::Sqlite(p) => sqlx::query_scalar("SELECT dedup_salt FROM dialogue WHERE id = ?")
            .bind(survey.dialogue_id)
            .fetch_one(p)
            .await
            .map_err(|e| e.to_string())?,
        Pool::Postgres(p) => sqlx::query_scalar("SELECT dedup_salt FROM dialogue WHERE id = $1")
            .bind(survey.dialogue_id)
            .fetch_one(p)
            .await
            .map_err(|e| e.to_string())?,
    };
    let (tx, rx) = mpsc::channel(MAX_BATCH * 16);
    tokio::spawn(writer(
        pool,
        survey.dialogue_id,
        survey.dialogue_group_id,
        rx,
    ));
    let base = Arc::new(Base {
        respondents: app::ssr::Respondents::new(SECRET, 3, 100_000_000, Vec::new(), false),
        survey,
        salt,
        origin: format!("http://127.0.0.1:{port}"),
        jobs: tx,
    });
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/s/{link}", get(form).post(submit))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(base);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| e.to_string())?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .map_err(|e| e.to_string())
}

/// One writer connection, with the product's PRAGMAs on SQLite.
async fn open(url: &str) -> Result<Pool, String> {
    use sqlx::pool::PoolOptions;
    if url.starts_with("sqlite:") {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
        use std::str::FromStr;
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| e.to_string())?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10))
            .foreign_keys(true);
        let pool = PoolOptions::<Sqlite>::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Pool::Sqlite(pool))
    } else {
        let pool = PoolOptions::<Postgres>::new()
            .max_connections(1)
            .connect(url)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Pool::Postgres(pool))
    }
}

async fn form(State(b): State<Arc<Base>>, Path(link): Path<String>) -> Response {
    if link != b.survey.link_code {
        return StatusCode::NOT_FOUND.into_response();
    }
    let sid = uuid::Uuid::new_v4().to_string();
    let token = b.respondents.form_token(&sid, Utc::now());
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax",
        app::ssr::BROWSER_COOKIE,
        uuid::Uuid::new_v4().simple()
    );
    let html = format!(
        "<form method=\"post\"><input type=\"hidden\" name=\"submission_id\" value=\"{sid}\">\
         <input type=\"hidden\" name=\"t\" value=\"{token}\">\
         <input type=\"hidden\" name=\"lang\" value=\"sv\"></form>"
    );
    (
        [
            (header::SET_COOKIE, cookie),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        ],
        html,
    )
        .into_response()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

async fn submit(
    State(b): State<Arc<Base>>,
    Path(link): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if link != b.survey.link_code {
        return StatusCode::NOT_FOUND.into_response();
    }
    if headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) != Some(b.origin.as_str()) {
        return (StatusCode::FORBIDDEN, "cross-origin").into_response();
    }
    let Some(browser) = app::ssr::browser_token(&headers) else {
        return (StatusCode::BAD_REQUEST, "no browser cookie").into_response();
    };
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a form").into_response();
    };
    let now = Utc::now();
    let sid = field(&fields, "submission_id");
    if !domain::is_valid_submission_id(sid) {
        return (StatusCode::BAD_REQUEST, "bad submission id").into_response();
    }
    if !b.respondents.allow(&peer.ip().to_string()) {
        return (StatusCode::TOO_MANY_REQUESTS, "too many").into_response();
    }
    if !field(&fields, app::ssr::FIELD_HONEYPOT).is_empty() {
        return (StatusCode::BAD_REQUEST, "honeypot").into_response();
    }
    if b.respondents
        .check_token(field(&fields, app::ssr::FIELD_TOKEN), sid, now)
        .is_err()
    {
        return (StatusCode::BAD_REQUEST, "bad or early token").into_response();
    }
    if b.survey.openness(now) != Openness::Open {
        return (StatusCode::GONE, "closed").into_response();
    }
    let answers = match domain::validate(&b.survey.questionnaire, &fields) {
        Ok(a) => a,
        Err(_) => return (StatusCode::UNPROCESSABLE_ENTITY, "invalid").into_response(),
    };
    let area = db::survey::area_of(&answers);
    let (reply, rx) = oneshot::channel();
    let job = Job {
        sid: sid.to_owned(),
        hash: db::survey::browser_hash(&b.salt, b.survey.dialogue_id, &browser),
        area,
        hour: domain::time::truncate_to_hour(now),
        answers,
        reply,
    };
    if b.jobs.send(job).await.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match rx.await {
        Ok(Outcome::Stored | Outcome::Retry) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/s/{link}/tack"))],
        )
            .into_response(),
        Ok(Outcome::Duplicate) => (StatusCode::CONFLICT, "already answered").into_response(),
        _ => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// The one writer: whatever has queued up goes in one transaction.
async fn writer(pool: Pool, dialogue: i64, group: i64, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let result = match &pool {
            Pool::Sqlite(p) => write_sqlite(p, dialogue, group, &jobs).await,
            Pool::Postgres(p) => write_postgres(p, dialogue, group, &jobs).await,
        };
        let outcomes = result.unwrap_or_else(|e| {
            eprintln!("baseline: batch failed: {e}");
            vec![Outcome::Failed; jobs.len()]
        });
        for (job, outcome) in jobs.into_iter().zip(outcomes) {
            let _ = job.reply.send(outcome);
        }
    }
}

/// Bind parameters per statement stay far below both backends' limits.
const ROWS_PER_STATEMENT: usize = 2000;

/// The batch writer, written once for both backends: sqlx's `QueryBuilder` places the
/// parameters in each one's syntax.
macro_rules! batch_writer {
    ($name:ident, $db:ty) => {
        async fn $name(
            pool: &sqlx::Pool<$db>,
            dialogue: i64,
            group: i64,
            jobs: &[Job],
        ) -> Result<Vec<Outcome>, sqlx::Error> {
            let mut out = vec![Outcome::Retry; jobs.len()];
            let mut txn = pool.begin().await?;
            // 1. Claim the submission ids: a retried id is acknowledged, not stored again.
            let mut seen = HashSet::new();
            let first: Vec<usize> = (0..jobs.len())
                .filter(|&i| seen.insert(jobs[i].sid.as_str()))
                .collect();
            let mut q = QueryBuilder::<$db>::new("INSERT INTO submission (dialogue_id, token) ");
            q.push_values(&first, |mut row, &i| {
                row.push_bind(dialogue).push_bind(jobs[i].sid.clone());
            });
            q.push(" ON CONFLICT DO NOTHING RETURNING token");
            let claimed: HashSet<String> = q
                .build_query_scalar::<String>()
                .fetch_all(&mut *txn)
                .await?
                .into_iter()
                .collect();
            let claimed: Vec<usize> = first
                .into_iter()
                .filter(|&i| claimed.contains(&jobs[i].sid))
                .collect();
            if claimed.is_empty() {
                txn.commit().await?;
                return Ok(out);
            }
            // 2. One answer per browser: a second one is refused, and its claim undone.
            let mut hashes = HashSet::new();
            let unique: Vec<usize> = claimed
                .iter()
                .copied()
                .filter(|&i| hashes.insert(jobs[i].hash.as_str()))
                .collect();
            let mut q = QueryBuilder::<$db>::new("INSERT INTO browser_seen (dialogue_id, hash) ");
            q.push_values(&unique, |mut row, &i| {
                row.push_bind(dialogue).push_bind(jobs[i].hash.clone());
            });
            q.push(" ON CONFLICT DO NOTHING RETURNING hash");
            let fresh: HashSet<String> = q
                .build_query_scalar::<String>()
                .fetch_all(&mut *txn)
                .await?
                .into_iter()
                .collect();
            let mut stored = Vec::new();
            let mut undo = Vec::new();
            let mut taken = HashSet::new();
            for &i in &claimed {
                if fresh.contains(&jobs[i].hash) && taken.insert(jobs[i].hash.as_str()) {
                    stored.push(i);
                } else {
                    undo.push(i);
                    out[i] = Outcome::Duplicate;
                }
            }
            if !undo.is_empty() {
                let mut q =
                    QueryBuilder::<$db>::new("DELETE FROM submission WHERE dialogue_id = ");
                q.push_bind(dialogue).push(" AND token IN (");
                let mut list = q.separated(", ");
                for &i in &undo {
                    list.push_bind(jobs[i].sid.clone());
                }
                list.push_unseparated(")");
                q.build().execute(&mut *txn).await?;
            }
            if stored.is_empty() {
                txn.commit().await?;
                return Ok(out);
            }
            // 3. The responses; their ids come back in insertion order.
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO response (dialogue_id, dialogue_group_id, channel, area, submitted_hour, quarantined) ",
            );
            q.push_values(&stored, |mut row, &i| {
                row.push_bind(dialogue)
                    .push_bind(group)
                    .push_bind("web")
                    .push_bind(jobs[i].area.clone())
                    .push_bind(jobs[i].hour)
                    .push_bind(false);
            });
            q.push(" RETURNING id");
            let mut ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *txn).await?;
            ids.sort_unstable();
            // 4. The answers, and what they add to the counters.
            let mut rows: Vec<(i64, i64, Option<i32>, Option<String>, Option<String>)> =
                Vec::new();
            let mut tallies: BTreeMap<(i64, String, String), i64> = BTreeMap::new();
            let mut hours: BTreeMap<DateTime<Utc>, i64> = BTreeMap::new();
            for (&i, &id) in stored.iter().zip(&ids) {
                let job = &jobs[i];
                *tallies
                    .entry((0, job.area.clone(), String::new()))
                    .or_default() += 1;
                *hours.entry(job.hour).or_default() += 1;
                for (question, value) in &job.answers {
                    match value {
                        AnswerValue::Scale(n) => rows.push((id, *question, Some(i32::from(*n)), None, None)),
                        AnswerValue::DontKnow => rows.push((id, *question, None, Some(domain::DONT_KNOW.to_owned()), None)),
                        AnswerValue::Choice(c) | AnswerValue::Area(c) => rows.push((id, *question, None, Some(c.clone()), None)),
                        AnswerValue::Choices(cs) => {
                            for c in cs {
                                rows.push((id, *question, None, Some(c.clone()), None));
                            }
                        }
                        AnswerValue::Text(t) => rows.push((id, *question, None, None, Some(t.clone()))),
                    }
                    for k in db::survey::tally_keys(value) {
                        *tallies.entry((*question, job.area.clone(), k)).or_default() += 1;
                    }
                }
            }
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::<$db>::new(
                    "INSERT INTO answer (response_id, question_id, value_num, value_code, value_text) ",
                );
                q.push_values(chunk, |mut row, r| {
                    row.push_bind(r.0)
                        .push_bind(r.1)
                        .push_bind(r.2)
                        .push_bind(r.3.clone())
                        .push_bind(r.4.clone());
                });
                q.build().execute(&mut *txn).await?;
            }
            // 5. The counters, upserted in key order.
            let tallies: Vec<_> = tallies.into_iter().collect();
            for chunk in tallies.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::<$db>::new(
                    "INSERT INTO tally (dialogue_id, question_id, dialogue_group_id, channel, area, value_key, n) ",
                );
                q.push_values(chunk, |mut row, ((question, area, key), n)| {
                    row.push_bind(dialogue)
                        .push_bind(*question)
                        .push_bind(group)
                        .push_bind("web")
                        .push_bind(area.clone())
                        .push_bind(key.clone())
                        .push_bind(*n);
                });
                q.push(
                    " ON CONFLICT (dialogue_id, question_id, dialogue_group_id, channel, area, value_key) \
                     DO UPDATE SET n = tally.n + excluded.n",
                );
                q.build().execute(&mut *txn).await?;
            }
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO tally_hour (dialogue_id, hour, dialogue_group_id, channel, n) ",
            );
            q.push_values(&hours, |mut row, (hour, n)| {
                row.push_bind(dialogue)
                    .push_bind(*hour)
                    .push_bind(group)
                    .push_bind("web")
                    .push_bind(*n);
            });
            q.push(
                " ON CONFLICT (dialogue_id, hour, dialogue_group_id, channel) \
                 DO UPDATE SET n = tally_hour.n + excluded.n",
            );
            q.build().execute(&mut *txn).await?;
            txn.commit().await?;
            for &i in &stored {
                out[i] = Outcome::Stored;
            }
            Ok(out)
        }
    };
}

batch_writer!(write_sqlite, Sqlite);
batch_writer!(write_postgres, Postgres);
