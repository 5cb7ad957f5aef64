//! `make bench`'s load tools (issue #7). Subcommands, each printing a Markdown section to
//! stdout and progress to stderr:
//!
//! - `bench throughput sqlite|postgres`: the open-loop submit ladder against the product's
//!   release server and against the baseline, in the same run, and their ratio;
//! - `bench fanout sqlite|postgres`: live fan-out over many dashboard streams;
//! - `bench audit sqlite|postgres`: the audit log's search and export at 10,000 entries;
//! - `bench baseline DATABASE_URL PORT`: the baseline server itself (started by `throughput`).
//!
//! PostgreSQL comes from `TEST_DATABASE_URL` (`scripts/with-postgres.sh`). Settings:
//! `BENCH_RATES` (submits a second, comma-separated), `BENCH_STEP_SECONDS` (3),
//! `BENCH_SUBMIT_RUNS` (3), `BENCH_STREAMS` (1000), `BENCH_FANOUT_ANSWERS` (60),
//! `BENCH_FANOUT_RATE` (4 a second), `BENCH_FANOUT_RUNS` (3), `BENCH_SERVER_BIN`,
//! `BENCH_SITE_ROOT`, `BENCH_SEED`.

mod audit;
mod baseline;
mod fanout;
mod form;
mod http;
mod stats;
mod submit;
mod target;

use stats::median_range;
use std::collections::BTreeMap;
use submit::Step;
use target::Backend;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn rates() -> Vec<u32> {
    std::env::var("BENCH_RATES")
        .unwrap_or_else(|_| {
            "500,1000,1500,2000,2500,3000,4000,5000,6000,8000,10000,12000,15000".into()
        })
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .filter(|r| *r > 0)
        .collect()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["throughput", backend] => throughput(backend).await,
        ["fanout", backend] => fanout(backend).await,
        ["audit", backend] => audit::run(backend).await,
        ["baseline", url, port] => match port.parse() {
            Ok(port) => baseline::serve(url, port).await,
            Err(_) => Err(format!("not a port: {port}")),
        },
        _ => Err("usage: bench throughput|fanout|audit sqlite|postgres".to_owned()),
    };
    if let Err(e) = result {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

/// Per rate, the steps of every ladder that reached it.
fn by_rate(ladders: &[Vec<Step>]) -> BTreeMap<u32, Vec<Step>> {
    let mut m: BTreeMap<u32, Vec<Step>> = BTreeMap::new();
    for s in ladders.iter().flatten() {
        m.entry(s.rate).or_default().push(s.clone());
    }
    m
}

fn cells(steps: Option<&Vec<Step>>) -> String {
    let Some(steps) = steps else {
        return "| – | – | – | – ".to_owned();
    };
    let pick = |f: fn(&Step) -> f64| steps.iter().map(f).collect::<Vec<_>>();
    let sent: usize = steps.iter().map(|s| s.sent).sum();
    let acked: usize = steps.iter().map(|s| s.acked).sum();
    let held = steps.iter().filter(|s| s.holds()).count();
    format!(
        "| {} | {} | {} | {acked}/{sent}, held {held}/{} ",
        median_range(&pick(|s| s.p50), 1),
        median_range(&pick(|s| s.p99), 1),
        median_range(&pick(|s| s.p999), 1),
        steps.len()
    )
}

async fn throughput(backend: &str) -> Result<(), String> {
    let backend = Backend::from_arg(backend)?;
    let rates = rates();
    let seconds: f64 = env_or("BENCH_STEP_SECONDS", 3.0);
    let runs: usize = env_or("BENCH_SUBMIT_RUNS", 3);
    let seed: u64 = env_or("BENCH_SEED", 0x6d62_6c5f_6265_6e63);
    eprintln!("bench: throughput on {} (seed {seed})", backend.name());
    let client = http::client();
    let mut product = target::product(&backend.fresh("bench_product").await?, 0)?;
    let mut base = target::baseline(&backend.fresh("bench_baseline").await?)?;
    product.ready(&client).await?;
    base.ready(&client).await?;
    let template = submit::template(&client, &product.base()).await?;
    // Warm both (connections, caches), unrecorded.
    for p in [&product, &base] {
        let forms = submit::prepare(&client, &p.base(), &template, 200, seed).await?;
        tokio::time::sleep(std::time::Duration::from_millis(3_300)).await;
        submit::run(&client, &p.base(), forms, 100).await;
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for r in 0..runs {
        let s = seed.wrapping_add(1000 * r as u64);
        ours.push(
            submit::ladder(&client, &product, "product", &template, &rates, seconds, s).await?,
        );
        theirs
            .push(submit::ladder(&client, &base, "baseline", &template, &rates, seconds, s).await?);
    }
    let best = |ls: &[Vec<Step>]| {
        ls.iter()
            .map(|l| f64::from(submit::best(l)))
            .collect::<Vec<_>>()
    };
    let (b_ours, b_theirs) = (best(&ours), best(&theirs));
    let med = |v: &[f64]| {
        let v = stats::sorted(v.to_vec());
        if v.is_empty() {
            0.0
        } else if v.len() % 2 == 1 {
            v[v.len() / 2]
        } else {
            (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
        }
    };
    let ratio = if med(&b_theirs) > 0.0 {
        med(&b_ours) / med(&b_theirs)
    } else {
        0.0
    };
    println!("### {} ({})", backend.name(), backend.durability());
    println!();
    println!(
        "Highest rate with p99 ≤ {} ms, median (min–max) of {runs} ladders: product **{}**/s, \
         baseline **{}**/s; **ratio {ratio:.2}** (gate ≥ 0.5).",
        submit::P99_TARGET_MS,
        median_range(&b_ours, 0),
        median_range(&b_theirs, 0),
    );
    println!();
    println!(
        "| rate /s | product p50 ms | p99 ms | p99.9 ms | acknowledged | baseline p50 ms | p99 ms | p99.9 ms | acknowledged |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let (a, b) = (by_rate(&ours), by_rate(&theirs));
    let mut all: Vec<u32> = a.keys().chain(b.keys()).copied().collect();
    all.sort_unstable();
    all.dedup();
    for rate in all {
        println!("| {rate} {}{}|", cells(a.get(&rate)), cells(b.get(&rate)));
    }
    println!();
    println!(
        "Each step posts {seconds} s of whole answers ({} questions, one fresh browser each) at a \
         fixed rate; latency from when each post was due. Settings that differ from production: {}.",
        template.questions(),
        target::PRODUCT_SETTINGS
    );
    Ok(())
}

async fn fanout(backend: &str) -> Result<(), String> {
    let backend = Backend::from_arg(backend)?;
    let streams: usize = env_or("BENCH_STREAMS", 1000);
    let answers: usize = env_or("BENCH_FANOUT_ANSWERS", 60);
    let rate: f64 = env_or("BENCH_FANOUT_RATE", 4.0);
    let runs: usize = env_or("BENCH_FANOUT_RUNS", 3);
    let demo_answers: u64 = env_or("BENCH_FANOUT_DEMO_ANSWERS", 10_000);
    eprintln!(
        "bench: fan-out on {}: {streams} streams, {answers} answers at {rate}/s",
        backend.name()
    );
    let client = http::client();
    let mut results = Vec::new();
    for r in 0..runs {
        // A fresh server each run: a server that has already held streams reuses the memory
        // they freed, and its growth per stream would read low.
        let url = backend.fresh(&format!("bench_fanout_{r}")).await?;
        let mut product = target::product(&url, demo_answers)?;
        product.ready(&client).await?;
        let rss = || product.rss_kib();
        let f = fanout::measure(&client, &product.base(), &rss, streams, answers, rate).await?;
        eprintln!(
            "bench: fan-out run {}: {} streams, {} answers, p50 {:.0} p99 {:.0} max {:.0} ms, {} missed, RSS {} → {} ({} streams) → {} → {} KiB",
            r + 1,
            f.opened,
            f.answers,
            f.p50,
            f.p99,
            f.max,
            f.missed,
            f.rss_before_kib,
            f.rss_half_kib,
            f.half,
            f.rss_open_kib,
            f.rss_end_kib
        );
        results.push(f);
    }
    let pick = |g: &dyn Fn(&fanout::Fanout) -> f64| results.iter().map(g).collect::<Vec<_>>();
    let samples: usize = results.iter().map(|f| f.samples).sum();
    let missed: usize = results.iter().map(|f| f.missed).sum();
    println!(
        "| {} | {streams} | {answers} at {rate}/s | {} | {} | {} | {samples} / {missed} | {} | {} | {} |",
        backend.name(),
        median_range(&pick(&|f| f.p50), 0),
        median_range(&pick(&|f| f.p99), 0),
        median_range(&pick(&|f| f.max), 0),
        median_range(&pick(&|f| f.kb_per_added_stream()), 1),
        median_range(&pick(&|f| f.kb_per_stream(f.rss_open_kib)), 1),
        median_range(&pick(&|f| f.kb_per_stream(f.rss_end_kib)), 1),
    );
    Ok(())
}
