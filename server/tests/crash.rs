//! The crash-under-load suite (issue #7, section 2), short version: the release server binary
//! on SQLite and then on PostgreSQL, under steady answers through the real public HTTP path
//! (load the survey page, wait as a person would, post the form). Clients retry with the same
//! submission id until they get the 303 acknowledgement. The server is killed with SIGKILL
//! at moments drawn from a logged seed and restarted. At the end: no acknowledged answer
//! missing, none stored twice, no partial answer, and every kept aggregate equal to a recount
//! from the rows.
//!
//! Parameters (environment): `CRASH_SECONDS` (load, default 10), `CRASH_KILLS` (default 1),
//! `CRASH_CLIENTS` (concurrent clients, default 32), `CRASH_BATCH` (forms a client fills in
//! before posting them, default 8), `CRASH_SEED` (replays a run).

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SECRET: &str = "crash-suite-secret-0123456789abcdef-0123456789";
/// The link every client answers through (the demo dialogue's residents).
const LINK: &str = "kh-invanare";
/// Seconds a form must be on screen (lowered from 3 for the test, never off).
const MIN_SECONDS: u64 = 1;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

struct Server {
    child: std::process::Child,
}

struct Setup {
    url: String,
    port: u16,
    log: std::path::PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Setup {
    async fn start(&self) -> Server {
        let site_root = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", &self.url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("SITE_URL", format!("http://127.0.0.1:{}", self.port))
            .env("LEPTOS_SITE_ROOT", site_root)
            .env("LEPTOS_OUTPUT_NAME", "medborgarloften")
            .env("SECRET_KEY", SECRET)
            .env("DEMO_DATA", "true")
            .env("DEMO_ANSWERS", "0")
            .env("SUBMIT_MIN_SECONDS", MIN_SECONDS.to_string())
            // Every client comes from 127.0.0.1: raised, not disabled.
            .env("SUBMIT_PER_ADDRESS_PER_MINUTE", "1000000")
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("the server starts");
        let mut server = Server { child };
        // Generous: the first start migrates and loads the demo on a slow, shared machine.
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(r) = request(self.port, "GET", "/healthz", None, "").await
                && r.status == 200
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited ({status}); log:\n{}", self.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "the server did not become healthy within 120 s; log:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        let s = std::fs::read_to_string(&self.log).unwrap_or_default();
        s.lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Server {
    /// `kill -9` (std's `Child::kill` sends SIGKILL): no shutdown, no flush.
    async fn kill(mut self) {
        let _ = self.child.kill();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the server did not die within 30 s of SIGKILL");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Never leave a server behind, whatever happened (a no-op once it has exited).
        let _ = self.child.kill();
        let _ = self.child.try_wait();
    }
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect()
    }
}

/// One HTTP/1.0 exchange (the server closes after the answer), bounded in time.
async fn request(
    port: u16,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> std::io::Result<Response> {
    let exchange = async {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
        let mut head =
            format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n");
        if method == "POST" {
            head.push_str(&format!(
                "Origin: http://127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        if let Some(c) = cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(body);
        s.write_all(head.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let (headers, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| std::io::Error::other("no header end"))?;
        let status = headers
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status"))?;
        Ok(Response {
            status,
            headers: headers.to_owned(),
            body: body.to_owned(),
        })
    };
    tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .map_err(|_| std::io::Error::other("timed out"))?
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.split("value=\"").nth(1)?;
    Some(v.split('"').next()?.to_owned())
}

#[derive(Default)]
struct Tally {
    /// Submission ids posted at least once.
    sent: HashSet<String>,
    /// Submission ids acknowledged with 303.
    acked: HashSet<String>,
    attempts: u64,
    retries: u64,
    server_errors: Vec<String>,
    refusals: Vec<String>,
}

/// A filled-in form, ready to post: its browser cookie, submission id and body.
struct Filled {
    cookie: Option<String>,
    sid: String,
    body: String,
}

/// Loads the survey page as a fresh browser and fills in the form.
async fn fill(port: u16, label: &str) -> Option<Filled> {
    let page = match request(port, "GET", &format!("/s/{LINK}"), None, "").await {
        Ok(r) if r.status == 200 => r,
        _ => return None,
    };
    let cookie = page
        .header("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("mbl_b="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let (Some(sid), Some(token)) = (hidden(&page.body, "submission_id"), hidden(&page.body, "t"))
    else {
        panic!("the survey page has no submission id or token");
    };
    let scale = 1 + label.len() % 5;
    let body = format!("submission_id={sid}&t={token}&lang=sv&q1=Svar+{label}&q3={scale}");
    Some(Filled { cookie, sid, body })
}

/// Posts until the 303 acknowledgement (retrying with the same submission id while the
/// server is down), or until `hard_end`.
async fn post_until_acked(port: u16, f: &Filled, hard_end: Instant, tally: &Mutex<Tally>) {
    if let Ok(mut t) = tally.lock() {
        t.sent.insert(f.sid.clone());
    }
    loop {
        let r = request(
            port,
            "POST",
            &format!("/s/{LINK}"),
            f.cookie.as_deref(),
            &f.body,
        )
        .await;
        let done = {
            let Ok(mut t) = tally.lock() else { return };
            t.attempts += 1;
            let done = match r {
                Ok(r) if r.status == 303 => {
                    t.acked.insert(f.sid.clone());
                    true
                }
                Ok(r) if r.status >= 500 => {
                    let snippet: String = r.body.chars().take(200).collect();
                    t.server_errors.push(format!("{} {snippet}", r.status));
                    false
                }
                Ok(r) => {
                    t.refusals.push(format!("{}: {}", f.sid, r.status));
                    true
                }
                // The server is down (killed): try again, as a browser would.
                Err(_) => false,
            };
            if !done {
                t.retries += 1;
            }
            done
        };
        if done || Instant::now() >= hard_end {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A few respondents at a time: load their pages, wait as a person would, post each until
/// acknowledged; again until the load ends.
async fn client(
    port: u16,
    batch: u64,
    load_end: Instant,
    hard_end: Instant,
    tally: Arc<Mutex<Tally>>,
    n: u64,
) {
    // Staggered starts, so that answers arrive all the time and some are in flight at a kill.
    let clients = env_u64("CRASH_CLIENTS", 32).max(1);
    tokio::time::sleep(Duration::from_millis(
        n * (MIN_SECONDS * 1000 + 500) / clients,
    ))
    .await;
    let mut round = 0u64;
    while Instant::now() < load_end {
        round += 1;
        let mut forms = Vec::new();
        let fetched = Instant::now();
        for j in 0..batch {
            if Instant::now() >= load_end {
                break;
            }
            match fill(port, &format!("{n}-{round}-{j}")).await {
                Some(f) => forms.push(f),
                // The server is down: wait a little.
                None => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let wait =
            Duration::from_millis(MIN_SECONDS * 1000 + 150).saturating_sub(fetched.elapsed());
        tokio::time::sleep(wait).await;
        for f in &forms {
            post_until_acked(port, f, hard_end, &tally).await;
        }
    }
}

/// The two backends' runs take turns: each loads the 2 cores with its own server and clients.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

db::backend_test! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn acknowledged_answers_survive_kill_9(url: String) {
        let _turn = ONE_AT_A_TIME.lock().await;
        let seed = env_u64(
            "CRASH_SEED",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(11),
        );
        let seconds = env_u64("CRASH_SECONDS", 10).max(2);
        let kills = env_u64("CRASH_KILLS", 1);
        let clients = env_u64("CRASH_CLIENTS", 32).max(1);
        eprintln!(
            "crash: seed {seed} (replay with CRASH_SEED={seed}), {seconds} s of load, {kills} kill(s), {clients} clients"
        );
        let backend = if url.starts_with("postgres") {
            "postgresql"
        } else {
            "sqlite"
        };
        let started = Instant::now();
        // Never hangs: the whole run per backend is bounded.
        let budget = Duration::from_secs(seconds * 3 + 240);
        tokio::time::timeout(budget, run(&url, backend, seed, seconds, kills, clients))
            .await
            .unwrap_or_else(|_| {
                panic!("crash suite on {backend} did not finish within {budget:?}")
            });
        eprintln!(
            "crash: {backend}: done in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
}

async fn run(url: &str, backend: &str, seed: u64, seconds: u64, kills: u64, clients: u64) {
    let batch = env_u64("CRASH_BATCH", 8).max(1);
    let setup = Setup {
        url: url.to_owned(),
        port: free_port(),
        log: std::env::temp_dir().join(format!("mbl-crash-{}.log", uuid::Uuid::new_v4())),
    };
    let mut server = setup.start().await;

    // The kill moments: between 20 % and 80 % of the load, from the seed.
    let mut state = seed ^ backend.len() as u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let span_ms = seconds * 1000;
    let mut moments: Vec<u64> = (0..kills)
        .map(|_| span_ms / 5 + next() % (span_ms * 3 / 5).max(1))
        .collect();
    moments.sort_unstable();
    eprintln!("crash: {backend}: kill -9 at {moments:?} ms into the load");

    let tally = Arc::new(Mutex::new(Tally::default()));
    let load_start = Instant::now();
    let load_end = load_start + Duration::from_secs(seconds);
    // Clients keep retrying their last answer well past the load (restarts are slow here).
    let hard_end = load_end + Duration::from_secs(150);
    let mut tasks = Vec::new();
    for n in 0..clients {
        tasks.push(tokio::spawn(client(
            setup.port,
            batch,
            load_end,
            hard_end,
            tally.clone(),
            n,
        )));
    }
    for at in &moments {
        tokio::time::sleep_until((load_start + Duration::from_millis(*at)).into()).await;
        let acked = tally.lock().map(|t| t.acked.len()).unwrap_or(0);
        server.kill().await;
        eprintln!(
            "crash: {backend}: killed at {} ms with {acked} acknowledged; restarting",
            load_start.elapsed().as_millis()
        );
        let t = Instant::now();
        server = setup.start().await;
        eprintln!(
            "crash: {backend}: healthy again after {} ms",
            t.elapsed().as_millis()
        );
    }
    for t in tasks {
        t.await.expect("client task");
    }
    server.kill().await;

    let tally = match Arc::try_unwrap(tally) {
        Ok(m) => m.into_inner().expect("tally"),
        Err(_) => panic!("clients still hold the tally"),
    };
    eprintln!(
        "crash: {backend}: {} answers sent, {} acknowledged, {} POSTs ({} retried)",
        tally.sent.len(),
        tally.acked.len(),
        tally.attempts,
        tally.retries
    );
    assert!(
        tally.refusals.is_empty(),
        "answers refused: {:?}\n{}",
        &tally.refusals[..tally.refusals.len().min(10)],
        setup.log_tail()
    );
    assert!(
        tally.server_errors.is_empty(),
        "server errors: {:?}\n{}",
        &tally.server_errors[..tally.server_errors.len().min(10)],
        setup.log_tail()
    );
    assert_eq!(
        tally.sent, tally.acked,
        "every answer sent is acknowledged in the end"
    );
    assert!(
        tally.acked.len() as u64 >= clients,
        "the load was too thin to mean anything: {} answers",
        tally.acked.len()
    );

    verify(url, backend, &tally).await;
    let _ = std::fs::remove_file(&setup.log);
}

async fn verify(url: &str, backend: &str, tally: &Tally) {
    use db::entity::{answer, dialogue_group, response, submission, tally_hour};
    let db = db::connect(url).await.expect("connects");
    let group = dialogue_group::Entity::find()
        .filter(dialogue_group::Column::LinkCode.eq(LINK))
        .one(&db)
        .await
        .expect("read")
        .expect("the group");
    let dialogue = group.dialogue_id;
    let stored: HashSet<String> = submission::Entity::find()
        .filter(submission::Column::DialogueId.eq(dialogue))
        .all(&db)
        .await
        .expect("submissions")
        .into_iter()
        .map(|s| s.token)
        .collect();
    let missing: Vec<_> = tally.acked.difference(&stored).take(10).collect();
    assert!(
        missing.is_empty(),
        "{backend}: acknowledged answers missing: {missing:?}"
    );
    let unknown: Vec<_> = stored.difference(&tally.sent).take(10).collect();
    assert!(
        unknown.is_empty(),
        "{backend}: stored ids nobody sent: {unknown:?}"
    );

    // One response per stored submission (no duplicate, none lost), two answers each (q1, q3).
    let responses = response::Entity::find()
        .filter(response::Column::DialogueId.eq(dialogue))
        .count(&db)
        .await
        .expect("count");
    assert_eq!(
        responses,
        stored.len() as u64,
        "{backend}: responses vs stored submission ids (duplicates or losses)"
    );
    let response_ids: Vec<i64> = response::Entity::find()
        .filter(response::Column::DialogueId.eq(dialogue))
        .all(&db)
        .await
        .expect("responses")
        .into_iter()
        .map(|r| r.id)
        .collect();
    let answers = answer::Entity::find()
        .filter(answer::Column::ResponseId.is_in(response_ids))
        .count(&db)
        .await
        .expect("count");
    assert_eq!(answers, 2 * responses, "{backend}: partial answers stored");

    // The kept aggregates against a recount from the rows.
    let kept = db::stats::tally_rows(&db, dialogue).await.expect("tallies");
    let hours = |rows: Vec<tally_hour::Model>| {
        let mut v: Vec<_> = rows
            .into_iter()
            .filter(|h| h.n != 0)
            .map(|h| (h.hour, h.dialogue_group_id, h.channel, h.n))
            .collect();
        v.sort();
        v
    };
    let kept_hours = hours(
        tally_hour::Entity::find()
            .filter(tally_hour::Column::DialogueId.eq(dialogue))
            .all(&db)
            .await
            .expect("hours"),
    );
    let total: i64 = kept
        .iter()
        .filter(|r| r.0 == 0 && r.1 == group.id)
        .map(|r| r.5)
        .sum();
    assert_eq!(
        total as u64, responses,
        "{backend}: the kept total differs from the rows"
    );
    db::stats::recount(&db, dialogue).await.expect("recount");
    assert_eq!(
        kept,
        db::stats::tally_rows(&db, dialogue).await.expect("tallies"),
        "{backend}: kept tallies differ from a recount"
    );
    assert_eq!(
        kept_hours,
        hours(
            tally_hour::Entity::find()
                .filter(tally_hour::Column::DialogueId.eq(dialogue))
                .all(&db)
                .await
                .expect("hours")
        ),
        "{backend}: kept hourly counts differ from a recount"
    );
    eprintln!(
        "crash: {backend}: 0 missing, 0 duplicates, {responses} responses, tallies equal a recount"
    );
}
