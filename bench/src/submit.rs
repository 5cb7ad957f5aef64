//! Submit throughput, open loop: respondents' forms are fetched first (each from a fresh
//! browser, so each has its own cookie), left on screen for the form's minimum time, then
//! posted at a fixed arrival rate whatever the server's pace. Each latency runs from the
//! moment the post was due to the moment its whole answer arrived, so a slow server cannot
//! hide its queue (no coordinated omission).

use crate::form::{self, Template};
use crate::http::{self, Client};
use crate::stats::{Rng, percentile, sorted};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The p99 a rate must hold to count.
pub const P99_TARGET_MS: f64 = 50.0;
/// A form must be on screen this long before it is accepted (the product's default).
const MIN_SECONDS: Duration = Duration::from_millis(3_300);
/// Forms fetched at once while preparing a step.
const FETCHERS: usize = 8;

/// A filled-in form: its browser's cookie and the body a browser posts.
pub struct Form {
    pub cookie: String,
    pub body: String,
}

/// One rate's outcome.
#[derive(Clone, Debug)]
pub struct Step {
    pub rate: u32,
    pub sent: usize,
    pub acked: usize,
    pub errors: Vec<String>,
    pub p50: f64,
    pub p99: f64,
    pub p999: f64,
    /// Answers acknowledged per second over the step (first due to last answer).
    pub achieved: f64,
    /// The server's CPU time per acknowledged answer, in microseconds.
    pub cpu_us: f64,
}

impl Step {
    pub fn holds(&self) -> bool {
        self.errors.is_empty() && self.acked == self.sent && self.p99 <= P99_TARGET_MS
    }
}

/// The survey's fields, read from the product's page.
pub async fn template(client: &Client, base: &str) -> Result<Template, String> {
    let url = format!("{base}/s/{}", crate::target::LINK);
    let page = http::send(
        client,
        http::get(&url, None, "text/html")?,
        Duration::from_secs(30),
    )
    .await?;
    if page.status != 200 {
        return Err(format!("GET {url}: {}", page.status));
    }
    let t = Template::parse(&page.text());
    if t.questions() == 0 {
        return Err("the survey page has no questions".to_owned());
    }
    Ok(t)
}

/// Fetches `n` forms from `base` as `n` fresh browsers and fills them in.
pub async fn prepare(
    client: &Client,
    base: &str,
    template: &Template,
    n: usize,
    seed: u64,
) -> Result<Vec<Form>, String> {
    let mut set = JoinSet::new();
    for w in 0..FETCHERS {
        let client = client.clone();
        let url = format!("{base}/s/{}", crate::target::LINK);
        let template = template.clone();
        let count = n / FETCHERS + usize::from(w < n % FETCHERS);
        set.spawn(async move {
            let mut rng = Rng::new(seed ^ ((w as u64 + 1) << 32));
            let mut forms = Vec::with_capacity(count);
            for _ in 0..count {
                let page = http::send(
                    &client,
                    http::get(&url, None, "text/html")?,
                    Duration::from_secs(60),
                )
                .await?;
                if page.status != 200 {
                    return Err(format!("GET {url}: {}", page.status));
                }
                let cookie = page
                    .cookies()
                    .into_iter()
                    .find(|c| c.starts_with(app::ssr::BROWSER_COOKIE))
                    .ok_or("no browser cookie on the survey page")?;
                let hidden = form::hidden(&page.text());
                forms.push(Form {
                    cookie,
                    body: template.fill(&hidden, &mut rng),
                });
            }
            Ok::<_, String>(forms)
        });
    }
    let mut all = Vec::with_capacity(n);
    while let Some(r) = set.join_next().await {
        all.extend(r.map_err(|e| e.to_string())??);
    }
    Ok(all)
}

/// Posts `forms` to `base` at `rate` a second, open loop.
pub async fn run(client: &Client, base: &str, forms: Vec<Form>, rate: u32) -> Step {
    let url = format!("{base}/s/{}", crate::target::LINK);
    let sent = forms.len();
    let gap = 1.0 / f64::from(rate.max(1));
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut set = JoinSet::new();
    for (i, f) in forms.into_iter().enumerate() {
        let due = start + Duration::from_secs_f64(gap * i as f64);
        tokio::time::sleep_until(due).await;
        let client = client.clone();
        let url = url.clone();
        let origin = base.to_owned();
        set.spawn(async move {
            let result = match http::post_form(&url, &origin, Some(&f.cookie), f.body) {
                Ok(req) => http::send(&client, req, Duration::from_secs(30)).await,
                Err(e) => Err(e),
            };
            let done = tokio::time::Instant::now();
            let ms = done.duration_since(due).as_secs_f64() * 1000.0;
            match result {
                Ok(r) if r.status == 303 => Ok((ms, done)),
                Ok(r) => Err(format!(
                    "{} {}",
                    r.status,
                    r.text().chars().take(120).collect::<String>()
                )),
                Err(e) => Err(e),
            }
        });
    }
    let mut latencies = Vec::with_capacity(sent);
    let mut errors = Vec::new();
    let mut last = start;
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok((ms, done))) => {
                latencies.push(ms);
                last = last.max(done);
            }
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let acked = latencies.len();
    let v = sorted(latencies);
    let span = last.duration_since(start).as_secs_f64().max(1e-3);
    Step {
        rate,
        sent,
        acked,
        errors,
        p50: percentile(&v, 50.0),
        p99: percentile(&v, 99.0),
        p999: percentile(&v, 99.9),
        achieved: acked as f64 / span,
        cpu_us: 0.0,
    }
}

/// One ladder: each rate in turn until two in a row miss the p99 target (or one fails
/// badly). Progress goes to stderr.
pub async fn ladder(
    client: &Client,
    target: &crate::target::Proc,
    who: &str,
    template: &Template,
    rates: &[u32],
    seconds: f64,
    seed: u64,
) -> Result<Vec<Step>, String> {
    let base = &target.base();
    let mut steps = Vec::new();
    let mut misses = 0;
    for (k, &rate) in rates.iter().enumerate() {
        let n = ((f64::from(rate) * seconds).round() as usize).max(1);
        let fetched = Instant::now();
        let forms = prepare(client, base, template, n, seed.wrapping_add(k as u64)).await?;
        let on_screen = fetched.elapsed();
        // The newest form must have been on screen for the minimum time.
        tokio::time::sleep(MIN_SECONDS).await;
        eprintln!("bench: {who} {rate}/s: posting {n} answers");
        let cpu_before = target.cpu_seconds().unwrap_or(0.0);
        let mut step = run(client, base, forms, rate).await;
        let cpu = target.cpu_seconds().unwrap_or(0.0) - cpu_before;
        step.cpu_us = cpu * 1e6 / step.acked.max(1) as f64;
        eprintln!(
            "bench: {who} {rate}/s: {}/{} acknowledged, p50 {:.1} p99 {:.1} p99.9 {:.1} ms, {:.0}/s achieved, {:.0} µs server CPU per answer (forms fetched in {:.1} s){}",
            step.acked,
            step.sent,
            step.p50,
            step.p99,
            step.p999,
            step.achieved,
            step.cpu_us,
            on_screen.as_secs_f64(),
            step.errors
                .first()
                .map(|e| format!("; {} errors, first: {e}", step.errors.len()))
                .unwrap_or_default()
        );
        let bad = step.errors.len() * 100 > step.sent || step.p99 > 20.0 * P99_TARGET_MS;
        misses = if step.holds() { 0 } else { misses + 1 };
        steps.push(step);
        if misses >= 2 || bad {
            break;
        }
        // Let the server settle before the next rate.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(steps)
}

/// The highest rate of a ladder that held the target (0 if none).
pub fn best(steps: &[Step]) -> u32 {
    steps
        .iter()
        .filter(|s| s.holds())
        .map(|s| s.rate)
        .max()
        .unwrap_or(0)
}
