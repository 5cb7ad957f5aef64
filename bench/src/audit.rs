//! `bench audit sqlite|postgres`: the audit log's search at 10,000 entries (issue #16's target:
//! paging and filtering in at most 100 ms of server time on SQLite).
//!
//! A fresh database with the demo data gets `BENCH_AUDIT_ENTRIES` (10,000) entries by six staff
//! members over a year, then each query the log page makes (the page of entries, the total and
//! the filter's choices, all of `db::audit::search`) is timed `BENCH_AUDIT_RUNS` (21) times after
//! one unrecorded warm-up. The export is timed the same way. Prints a Markdown table.

use crate::env_or;
use crate::stats::median_range;
use crate::target::Backend;
use chrono::{Duration, TimeZone, Utc};
use db::audit::{Entry, record};
use db::entity::staff_user;
use domain::audit::AuditQuery;
use sea_orm::{EntityTrait, TransactionTrait};
use std::time::Instant;

const ACTIONS: [(&str, &str); 6] = [
    ("created", "dialogue"),
    ("updated", "activity"),
    ("logged", "progress_entry"),
    ("approved", "compilation"),
    ("signed", "promise"),
    ("deactivated", "staff_user"),
];

pub async fn run(backend: &str) -> Result<(), String> {
    let backend = Backend::from_arg(backend)?;
    let entries: i64 = env_or("BENCH_AUDIT_ENTRIES", 10_000);
    let runs: usize = env_or("BENCH_AUDIT_RUNS", 21);
    let url = backend.fresh("bench_audit").await?;
    let db = db::connect(&url).await.map_err(|e| e.to_string())?;
    db::demo::seed_if_empty(&db)
        .await
        .map_err(|e| e.to_string())?;
    let users: Vec<i64> = staff_user::Entity::find()
        .all(&db)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|u| u.id)
        .collect();
    let lpo = db::dashboard::lpo_of(&db, 1)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no demo dialogue")?;
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 7, 0, 0)
        .single()
        .ok_or("start")?;
    eprintln!("bench: audit on {}: {entries} entries", backend.name());
    let txn = db.begin().await.map_err(|e| e.to_string())?;
    for i in 0..entries {
        let (action, entity) = ACTIONS[(i % 6) as usize];
        record(
            &txn,
            Entry {
                at: start + Duration::minutes(i * 52),
                user_id: users.get((i as usize * 7) % users.len().max(1)).copied(),
                scope_unit_id: Some(lpo),
                action,
                entity,
                entity_id: format!("{}", 1000 + i),
                detail: format!("{{\"field\":\"title\",\"old\":\"Trygghetsvandring {i}\",\"new\":\"Trygghetsvandring {}\"}}", i + 1),
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    txn.commit().await.map_err(|e| e.to_string())?;
    let units = db::org::subtree(&db, lpo)
        .await
        .map_err(|e| e.to_string())?;
    let cases: [(&str, &[(&str, &str)]); 7] = [
        ("newest page (no filter)", &[]),
        ("page 100 of 200", &[("page", "100")]),
        (
            "oldest first, last page",
            &[("order", "oldest"), ("page", "200")],
        ),
        ("who: part of a name", &[("who", "kristinehamn")]),
        (
            "action and kind",
            &[("action", "updated"), ("object", "activity")],
        ),
        ("text in the detail", &[("text", "vandring 4711")]),
        ("one month", &[("from", "2026-03-01"), ("to", "2026-03-31")]),
    ];
    println!(
        "| Query ({}) | matching | ms, median (min–max) of {runs} |",
        backend.name()
    );
    println!("|---|---:|---|");
    for (label, pairs) in cases {
        let q = AuditQuery::parse(pairs.iter().copied()).map_err(|e| format!("{e:?}"))?;
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for i in 0..=runs {
            let t0 = Instant::now();
            let page = db::audit::search(&db, Some(&units), &q)
                .await
                .map_err(|e| e.to_string())?;
            if i > 0 {
                times.push(t0.elapsed().as_secs_f64() * 1000.0);
            }
            total = page.total;
        }
        println!("| {label} | {total} | {} |", median_range(&times, 1));
    }
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for i in 0..=runs {
        let t0 = Instant::now();
        let lines = db::audit::export(&db, Some(&units), &AuditQuery::default())
            .await
            .map_err(|e| e.to_string())?;
        let csv = db::audit::to_csv(&lines);
        if i > 0 {
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        rows = csv.lines().count().saturating_sub(1);
    }
    println!(
        "| CSV export, everything | {rows} | {} |",
        median_range(&times, 1)
    );
    Ok(())
}
