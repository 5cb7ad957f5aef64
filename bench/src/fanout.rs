//! Live fan-out: many open dashboard streams on one dialogue while answers arrive at a steady
//! rate. Each stream timestamps every event as it arrives; the latency of an answer on a
//! stream runs from the moment it was posted to the first event there whose total includes
//! it. Answers are posted one at a time, so the k-th answer makes the total `start + k`.

use crate::http::{self, Client};
use crate::stats::{percentile, sorted};
use crate::submit::{Form, prepare};
use bytes::Bytes;
use http_body_util::BodyExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The demo manager who watches the dashboard.
const MANAGER: (&str, &str) = ("chef.kristinehamn@demo.polisen.se", "demo-losenord-2027");

pub struct Fanout {
    pub opened: usize,
    pub answers: usize,
    pub samples: usize,
    pub missed: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub rss_before_kib: u64,
    /// With the first half of the streams open.
    pub rss_half_kib: u64,
    pub rss_open_kib: u64,
    pub rss_end_kib: u64,
    /// How many streams the first half had.
    pub half: usize,
}

impl Fanout {
    /// Growth of the server's resident memory per open stream, from before the first stream
    /// to `rss_kib`, in KB (1,000 bytes). It includes one-time costs that do not grow with
    /// the streams (the view's first frame, the database connections' caches).
    pub fn kb_per_stream(&self, rss_kib: u64) -> f64 {
        kb_per(rss_kib.saturating_sub(self.rss_before_kib), self.opened)
    }

    /// What each stream past the first half added: the cost of one more open stream.
    pub fn kb_per_added_stream(&self) -> f64 {
        kb_per(
            self.rss_open_kib.saturating_sub(self.rss_half_kib),
            self.opened.saturating_sub(self.half),
        )
    }
}

fn kb_per(kib: u64, streams: usize) -> f64 {
    (kib as f64 * 1024.0) / (streams.max(1) as f64 * 1000.0)
}

/// Signs the manager in; the session cookie.
async fn sign_in(client: &Client, base: &str) -> Result<String, String> {
    let body = serde_urlencoded::to_string([("email", MANAGER.0), ("password", MANAGER.1)])
        .map_err(|e| e.to_string())?;
    let r = http::send(
        client,
        http::post_form(&format!("{base}/logga-in"), base, None, body)?,
        Duration::from_secs(30),
    )
    .await?;
    let cookies = r.cookies().join("; ");
    if r.status != 303 || cookies.is_empty() {
        return Err(format!("sign-in answered {} without a session", r.status));
    }
    Ok(cookies)
}

/// The totals in a chunk of an event stream (`"total":N` in each `state` event's data).
fn totals(buffer: &mut String, chunk: &Bytes) -> Vec<i64> {
    buffer.push_str(&String::from_utf8_lossy(chunk));
    let mut out = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let event: String = buffer.drain(..end + 2).collect();
        for line in event.lines().filter_map(|l| l.strip_prefix("data:")) {
            if let Some(at) = line.find("\"total\":") {
                let digits: String = line[at + 8..]
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(n) = digits.parse() {
                    out.push(n);
                }
            }
        }
    }
    out
}

type Seen = Arc<Mutex<Vec<(Instant, i64)>>>;

/// Opens one stream and records `(arrival, total)` of each event until `stop`.
async fn follow(
    client: Client,
    url: String,
    cookie: String,
    seen: Seen,
    stop: Instant,
) -> Result<(), String> {
    let req = http::get(&url, Some(&cookie), "text/event-stream")?;
    let res = tokio::time::timeout(Duration::from_secs(60), client.request(req))
        .await
        .map_err(|_| "the stream did not open in 60 s".to_owned())?
        .map_err(|e| e.to_string())?;
    if res.status() != 200 {
        return Err(format!("stream answered {}", res.status()));
    }
    let mut body = res.into_body();
    let mut buffer = String::new();
    loop {
        let frame = tokio::select! {
            f = body.frame() => f,
            _ = tokio::time::sleep_until(stop) => return Ok(()),
        };
        match frame {
            Some(Ok(f)) => {
                if let Some(data) = f.data_ref() {
                    let at = Instant::now();
                    let found = totals(&mut buffer, data);
                    if let Ok(mut s) = seen.lock() {
                        s.extend(found.into_iter().map(|n| (at, n)));
                    }
                }
            }
            Some(Err(e)) => return Err(e.to_string()),
            None => return Ok(()),
        }
    }
}

/// Opens `streams` dashboard streams on the demo dialogue of the server at `base` (process
/// `rss` reads its memory), posts `answers` answers `per_second`, and measures.
pub async fn measure(
    client: &Client,
    base: &str,
    rss: &dyn Fn() -> Option<u64>,
    streams: usize,
    answers: usize,
    per_second: f64,
) -> Result<Fanout, String> {
    let template = crate::submit::template(client, base).await?;
    let forms: Vec<Form> = prepare(client, base, &template, answers, 0x5eed_fa17).await?;
    let cookie = sign_in(client, base).await?;
    let url = format!("{base}/personal/oversikt/1/live");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before_kib = rss().unwrap_or(0);
    let stop = Instant::now() + Duration::from_secs(600);
    let mut set = JoinSet::new();
    let mut seen: Vec<Seen> = Vec::with_capacity(streams);
    // Half the streams first, then the rest: the memory the second half adds is what each
    // further stream costs, apart from what the first streams paid once.
    let half = streams / 2;
    let mut rss_half_kib = 0;
    let mut start_total = 0;
    for n in [half, streams - half] {
        for _ in 0..n {
            let s: Seen = Arc::default();
            seen.push(s.clone());
            // Each stream has its own connection, as each screen does.
            let own = http::client();
            set.spawn(follow(own, url.clone(), cookie.clone(), s, stop));
        }
        start_total = first_frames(&seen, &set, streams).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        if seen.len() == half {
            rss_half_kib = rss().unwrap_or(0);
        }
    }
    let rss_open_kib = rss().unwrap_or(0);
    // Answers one at a time, at a steady rate.
    let mut posted = Vec::with_capacity(answers);
    let gap = Duration::from_secs_f64(1.0 / per_second.max(0.1));
    let t0 = Instant::now();
    for (k, f) in forms.into_iter().enumerate() {
        tokio::time::sleep_until(t0 + gap * k as u32).await;
        let at = Instant::now();
        let req = http::post_form(
            &format!("{base}/s/{}", crate::target::LINK),
            base,
            Some(&f.cookie),
            f.body,
        )?;
        let r = http::send(client, req, Duration::from_secs(30)).await?;
        if r.status != 303 {
            return Err(format!("answer {k} answered {}", r.status));
        }
        posted.push(at);
    }
    // The last events arrive (a frame at most every 500 ms).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_end_kib = rss().unwrap_or(0);
    set.abort_all();
    let mut latencies = Vec::new();
    let mut missed = 0;
    for s in &seen {
        let events = s.lock().map(|v| v.clone()).unwrap_or_default();
        for (k, at) in posted.iter().enumerate() {
            let want = start_total + k as i64 + 1;
            match events.iter().find(|(t, n)| *n >= want && t >= at) {
                Some((t, _)) => latencies.push(t.duration_since(*at).as_secs_f64() * 1000.0),
                None => missed += 1,
            }
        }
    }
    let v = sorted(latencies);
    Ok(Fanout {
        opened: seen.len(),
        answers: posted.len(),
        samples: v.len(),
        missed,
        p50: percentile(&v, 50.0),
        p99: percentile(&v, 99.0),
        max: v.last().copied().unwrap_or(0.0),
        rss_before_kib,
        rss_half_kib,
        rss_open_kib,
        rss_end_kib,
        half,
    })
}

/// Waits until every stream opened so far has its first frame; the total they agree on.
async fn first_frames(
    seen: &[Seen],
    set: &JoinSet<Result<(), String>>,
    streams: usize,
) -> Result<i64, String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let firsts: Vec<Option<i64>> = seen
            .iter()
            .map(|s| s.lock().ok().and_then(|v| v.first().map(|x| x.1)))
            .collect();
        if firsts.iter().all(Option::is_some) {
            let t: Vec<i64> = firsts.into_iter().flatten().collect();
            if t.iter().any(|x| *x != t[0]) {
                return Err("the streams disagree on the starting total".to_owned());
            }
            return Ok(t.first().copied().unwrap_or(0));
        }
        if Instant::now() > deadline || set.is_empty() {
            let open = firsts.iter().filter(|f| f.is_some()).count();
            return Err(format!(
                "only {open} of {streams} streams sent a first frame in 120 s"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_totals_across_chunks() {
        let mut buf = String::new();
        let a = totals(
            &mut buf,
            &Bytes::from_static(b"event: state\nid: 3\ndata: {\"total\":41,\"re"),
        );
        assert!(a.is_empty());
        let b = totals(
            &mut buf,
            &Bytes::from_static(
                b"gions\":{}}\n\n:keep-alive\n\nevent: state\ndata: {\"total\":42}\n\n",
            ),
        );
        assert_eq!(b, vec![41, 42]);
        assert!(buf.is_empty());
    }
}
