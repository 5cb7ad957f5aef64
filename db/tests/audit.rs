//! Finding entries in the audit log, on SQLite and PostgreSQL: every filter narrows in the
//! database, the total counts all pages, pages do not overlap, the reader's scope bounds it
//! all, and the CSV export keeps the filter and neutralises formulas.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use db::audit::{Entry, record};
use db::testing::TestDb;
use domain::audit::{AuditQuery, PAGE_SIZE};

/// A scope unit no demo entry uses, so the counts are the test's own.
const SCOPE: i64 = 990_001;
const OTHER_SCOPE: i64 = 990_002;

async fn user_id(t: &TestDb, email: &str) -> i64 {
    common::staff(&t.db, email).await.id
}

fn day(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid")
}

/// 120 entries in [`SCOPE`]: by the chief (even) and the officer (odd), one hour apart from
/// 1 March 2026 10:00 UTC; every third an `updated activity`, the rest `created dialogue`;
/// entry 7's detail names "Storgatan 50%". One entry in [`OTHER_SCOPE`].
async fn seeded() -> (TestDb, i64, i64) {
    let t = TestDb::new(db::testing::Backend::Sqlite).await;
    seeded_on(t).await
}

async fn seeded_on(t: TestDb) -> (TestDb, i64, i64) {
    db::demo::seed_if_empty(&t.db).await.expect("seed");
    let chief = user_id(&t, "chef.kristinehamn@demo.polisen.se").await;
    let officer = user_id(&t, "kommunpolis.kristinehamn@demo.polisen.se").await;
    for i in 0..120i64 {
        let (action, entity) = if i % 3 == 0 {
            ("updated", "activity")
        } else {
            ("created", "dialogue")
        };
        record(
            &t.db,
            Entry {
                at: day(2026, 3, 1, 10) + Duration::hours(i),
                user_id: Some(if i % 2 == 0 { chief } else { officer }),
                scope_unit_id: Some(SCOPE),
                action,
                entity,
                entity_id: format!("e{i}"),
                detail: if i == 7 {
                    "=Storgatan 50%".to_owned()
                } else {
                    format!("entry {i}")
                },
            },
        )
        .await
        .expect("record");
    }
    record(
        &t.db,
        Entry {
            at: day(2026, 3, 2, 10),
            user_id: Some(chief),
            scope_unit_id: Some(OTHER_SCOPE),
            action: "updated",
            entity: "activity",
            entity_id: "outside".to_owned(),
            detail: "entry outside".to_owned(),
        },
    )
    .await
    .expect("record");
    (t, chief, officer)
}

fn q(pairs: &[(&str, &str)]) -> AuditQuery {
    AuditQuery::parse(pairs.iter().copied()).expect("valid query")
}

async fn find(t: &TestDb, query: &AuditQuery) -> domain::audit::AuditPage {
    db::audit::search(&t.db, Some(&[SCOPE]), query)
        .await
        .expect("search")
}

db::backend_test! {
    /// Each filter narrows to exactly the entries it names, counted over all pages.
    async fn each_filter_narrows_in_the_database(t: TestDb) {
        let (t, _, _) = seeded_on(t).await;
        let all = find(&t, &q(&[])).await;
        assert_eq!(all.total, 120, "{}", t.label);
        assert_eq!(all.lines.len() as u64, PAGE_SIZE, "{}: one page", t.label);
        assert_eq!(all.lines[0].entity_id, "e119", "{}: newest first", t.label);
        assert_eq!(all.actions, ["created", "updated"], "{}", t.label);
        assert_eq!(all.objects, ["activity", "dialogue"], "{}", t.label);

        let by_action = find(&t, &q(&[("action", "updated")])).await;
        assert_eq!(by_action.total, 40, "{}", t.label);
        assert!(by_action.lines.iter().all(|l| l.action == "updated"));

        let by_object = find(&t, &q(&[("object", "dialogue")])).await;
        assert_eq!(by_object.total, 80, "{}", t.label);

        // Part of a name, in any case; and part of an e-mail address.
        let chief = find(&t, &q(&[("who", "KARIN lind")])).await;
        assert_eq!(chief.total, 60, "{}", t.label);
        assert!(chief.lines.iter().all(|l| l.who == "Karin Lindqvist"), "{}", t.label);
        let officer = find(&t, &q(&[("who", "kommunpolis.kristinehamn@")])).await;
        assert_eq!(officer.total, 60, "{}", t.label);
        assert_eq!(find(&t, &q(&[("who", "nobody")])).await.total, 0, "{}", t.label);

        // The text matches ids and details, and `%` is a character, not a wildcard.
        let text = find(&t, &q(&[("text", "gatan 50%")])).await;
        assert_eq!(text.total, 1, "{}", t.label);
        assert_eq!(text.lines[0].entity_id, "e7", "{}", t.label);
        assert_eq!(find(&t, &q(&[("text", "e11")])).await.total, 11, "{}: e11, e110–e119", t.label);
        assert_eq!(find(&t, &q(&[("text", "%")])).await.total, 1, "{}", t.label);

        // 1 March 10:00 UTC is 11:00 in Stockholm; 24 entries a day from there.
        let march_2 = find(&t, &q(&[("from", "2026-03-02"), ("to", "2026-03-02")])).await;
        assert_eq!(march_2.total, 24, "{}: one Stockholm day", t.label);
        assert!(march_2.lines.iter().all(|l| domain::time::stockholm_day(l.at).to_string() == "2026-03-02"));

        let combined = find(&t, &q(&[("who", "chef"), ("action", "updated"), ("from", "2026-03-02")])).await;
        // Entries 0, 6, 12, …: both even and a multiple of three; from index 13 on (the 2nd).
        let want = (0..120).filter(|i| i % 6 == 0 && *i >= 13).count() as u64;
        assert_eq!(combined.total, want, "{}", t.label);
    }
}

db::backend_test! {
    /// Pages split the entries without overlap or gap, in either order; past the end is empty.
    async fn pages_cover_every_entry_once(t: TestDb) {
        let (t, _, _) = seeded_on(t).await;
        for order in ["newest", "oldest"] {
            let mut seen = Vec::new();
            let first = find(&t, &q(&[("order", order)])).await;
            assert_eq!(first.pages(), 3, "{}", t.label);
            for page in 1..=first.pages() {
                let p = find(&t, &q(&[("order", order), ("page", &page.to_string())])).await;
                seen.extend(p.lines.into_iter().map(|l| l.entity_id));
            }
            let mut want: Vec<String> = (0..120).map(|i| format!("e{i}")).collect();
            if order == "newest" {
                want.reverse();
            }
            assert_eq!(seen, want, "{}: {order}", t.label);
        }
        let past = find(&t, &q(&[("page", "9")])).await;
        assert!(past.lines.is_empty(), "{}", t.label);
        assert_eq!(past.total, 120, "{}", t.label);
    }
}

db::backend_test! {
    /// A reader sees only the units in scope, whatever the filter; an admin (None) sees all.
    async fn the_scope_bounds_every_search(t: TestDb) {
        let (t, _, _) = seeded_on(t).await;
        let outside = q(&[("text", "outside")]);
        assert_eq!(find(&t, &outside).await.total, 0, "{}", t.label);
        let admin = db::audit::search(&t.db, None, &outside).await.expect("search");
        assert_eq!(admin.total, 1, "{}", t.label);
        let none = db::audit::search(&t.db, Some(&[]), &q(&[])).await.expect("search");
        assert_eq!(none.total, 0, "{}: no scope, nothing", t.label);
        assert!(none.actions.is_empty(), "{}: choices come from the scope too", t.label);
    }
}

#[tokio::test]
async fn the_export_keeps_the_filter_and_neutralises_formulas() {
    let (t, _, _) = seeded().await;
    let lines = db::audit::export(
        &t.db,
        Some(&[SCOPE]),
        &q(&[("object", "activity"), ("order", "oldest"), ("page", "2")]),
    )
    .await
    .expect("export");
    assert_eq!(lines.len(), 40, "every page, not just the second");
    assert_eq!(lines[0].entity_id, "e0", "oldest first");
    let csv = db::audit::to_csv(&lines);
    assert!(csv.starts_with("\u{feff}\"at\";\"who\""), "{csv}");
    assert_eq!(csv.lines().count(), 41);
    let all = db::audit::export(&t.db, Some(&[SCOPE]), &q(&[("text", "Storgatan")]))
        .await
        .expect("export");
    let csv = db::audit::to_csv(&all);
    assert!(
        csv.contains("\"'=Storgatan 50%\""),
        "a formula start is neutralised: {csv}"
    );
}
