//! Answers stay unlinkable at the storage level, on SQLite and PostgreSQL: the anti-duplicate
//! records (`browser_seen`, `submission`) written beside each answer keep no order, time or
//! transaction in step with the answers, so whoever holds the database and a respondent's
//! cookie learns that the browser answered, and nothing about which answer is theirs.

mod common;

use common::TestDb;

use chrono::Utc;
use db::entity::dialogue;
use db::survey::{Gate, Receipt, SubmitError, SubmitRequest, Writer};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use sea_orm_migration::MigratorTrait;

const LINK: &str = "kh-invanare";

fn answer() -> Vec<(String, String)> {
    vec![
        ("q1".to_owned(), "Synas mer".to_owned()),
        ("q3".to_owned(), "4".to_owned()),
    ]
}

async fn seeded(t: TestDb) -> TestDb {
    db::demo::seed_if_empty(&t.db).await.expect("seed");
    t
}

/// The dialogue behind [`LINK`] and its salt, as an attacker holding the database reads them.
async fn dialogue_of(db: &db::Db) -> (i64, String) {
    let survey = db::survey::load_by_link(db, LINK)
        .await
        .expect("load")
        .expect("survey");
    let d = dialogue::Entity::find_by_id(survey.dialogue_id)
        .one(db)
        .await
        .expect("dialogue")
        .expect("exists");
    (d.id, d.dedup_salt)
}

/// A table's key column for one dialogue in the order the storage itself keeps the rows:
/// a plain scan of the table on SQLite (rowid order for a rowid table, the primary key for a
/// `WITHOUT ROWID` one; `NOT INDEXED` keeps the planner off secondary indexes), heap order
/// (`ctid`, what a plain scan and `pg_dump` give) on PostgreSQL.
async fn stored_order(db: &db::Db, table: &str, key: &str, dialogue_id: i64) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            format!("SELECT {key} AS k FROM {table} WHERE dialogue_id = $1 ORDER BY ctid")
        }
        _ => format!("SELECT {key} AS k FROM {table} NOT INDEXED WHERE dialogue_id = ?"),
    };
    db.query_all_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [dialogue_id.into()],
    ))
    .await
    .expect("scan")
    .iter()
    .map(|r| r.try_get::<String>("", "k").expect("key"))
    .collect()
}

/// On PostgreSQL: rows of `table` written by the same transaction as some response row.
async fn sharing_a_transaction(db: &db::Db, table: &str, dialogue_id: i64) -> i64 {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {table} c JOIN response r \
         ON c.xmin::text = r.xmin::text WHERE c.dialogue_id = $1"
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [dialogue_id.into()],
        ))
        .await
        .expect("join")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

/// The stored order of `table` holds exactly `keys`, in key order, and not in arrival order.
async fn assert_keyed_not_arrival(
    t: &common::TestDb,
    table: &str,
    key: &str,
    dialogue_id: i64,
    arrival: &[String],
) {
    let stored: Vec<String> = stored_order(&t.db, table, key, dialogue_id)
        .await
        .into_iter()
        .filter(|k| arrival.contains(k))
        .collect();
    let mut by_key = arrival.to_vec();
    by_key.sort();
    assert_eq!(
        stored.len(),
        arrival.len(),
        "{}: {table}: every row",
        t.label
    );
    // A keyed order fixed by the (random) hash or id alone: the k-th row says nothing about
    // the k-th answer. Arrival order would be a different permutation but for 1 in 40!.
    assert_eq!(
        stored, by_key,
        "{}: {table} is stored in key order, not arrival",
        t.label
    );
    assert_ne!(stored, arrival, "{}: {table}", t.label);
}

db::backend_test! {
    async fn lone_answers_leave_no_order_that_links_a_browser_to_its_answer(t: TestDb) {
        const N: usize = 40;
        let t = seeded(t).await;
        let writer = Writer::start(t.db.clone(), t.db.clone(), db::live::Bus::local());
        let (dialogue_id, salt) = dialogue_of(&t.db).await;
        let mut hashes = Vec::new();
        let mut ids = Vec::new();
        // N browsers with known cookies answer one at a time: each is a lone answer in its
        // own commit, the case where arrival order linked them exactly.
        for _ in 0..N {
            let browser = uuid::Uuid::new_v4().simple().to_string();
            let id = uuid::Uuid::new_v4().to_string();
            let f = answer();
            let res = writer
                .submit(SubmitRequest {
                    link_code: LINK,
                    submission_id: &id,
                    gate: Gate::Public {
                        browser: Some(&browser),
                        invite: None,
                        via_qr: false,
                    },
                    fields: &f,
                    now: Utc::now(),
                })
                .await;
            assert!(matches!(res, Ok(Receipt::Stored)), "{}: {res:?}", t.label);
            writer.settled().await;
            hashes.push(db::survey::browser_hash(&salt, dialogue_id, &browser));
            ids.push(id);
        }
        // The answers themselves keep arrival order (ids; the hour is all the time they
        // carry): that is what a linking order would be matched against.
        let responses: Vec<i64> = stored_order(&t.db, "response", "CAST(id AS TEXT)", dialogue_id)
            .await
            .iter()
            .map(|id| id.parse().expect("id"))
            .collect();
        assert_eq!(responses.len(), N, "{}", t.label);
        assert!(
            responses.is_sorted(),
            "{}: answers in arrival order",
            t.label
        );
        assert_keyed_not_arrival(&t, "browser_seen", "hash", dialogue_id, &hashes).await;
        assert_keyed_not_arrival(&t, "submission", "token", dialogue_id, &ids).await;
        if t.db.get_database_backend() == DbBackend::Postgres {
            // No record was left with the answer's transaction id.
            for table in ["browser_seen", "submission"] {
                assert_eq!(
                    sharing_a_transaction(&t.db, table, dialogue_id).await,
                    0,
                    "{}: {table} rows share a transaction with an answer",
                    t.label
                );
            }
        }
        // The records still do their work: a browser's second answer is refused, a retry
        // acknowledged.
        let f = answer();
        let again = db::survey::submit(
            &t.db,
            SubmitRequest {
                link_code: LINK,
                submission_id: &ids[0],
                gate: Gate::Public {
                    browser: None,
                    invite: None,
                    via_qr: false,
                },
                fields: &f,
                now: Utc::now(),
            },
        )
        .await;
        assert!(
            matches!(again, Ok(Receipt::AlreadyStored)),
            "{}: {again:?}",
            t.label
        );
    }
}

db::backend_test! {
    async fn the_migration_keeps_every_record_and_puts_them_in_key_order(t: TestDb) {
        let t = seeded(t).await;
        let (dialogue_id, salt) = dialogue_of(&t.db).await;
        // Back to the tables as they were (rowid tables on SQLite), filled one row at a time
        // with keys that arrive in descending order, as an old database holds them.
        // Undo migration 13 and every later one (they come back with it below).
        let steps = db::migration::Migrator::migrations()
            .iter()
            .rev()
            .position(|m| m.name() == "m20261202_000013_unlinkable")
            .expect("migration 13 is listed") as u32
            + 1;
        db::migration::Migrator::down(&t.db, Some(steps))
            .await
            .expect("down");
        let backend = t.db.get_database_backend();
        let insert = |table: &str, key: &str| {
            let p = if backend == DbBackend::Postgres {
                ("$1", "$2")
            } else {
                ("?", "?")
            };
            format!(
                "INSERT INTO {table} (dialogue_id, {key}) VALUES ({}, {})",
                p.0, p.1
            )
        };
        let mut browsers = Vec::new();
        let mut hashes = Vec::new();
        let mut ids = Vec::new();
        for i in 0..12u32 {
            let browser = format!("{:032x}", 1000 - i);
            let hash = db::survey::browser_hash(&salt, dialogue_id, &browser);
            let id = format!("{:08x}-0000-4000-8000-000000000000", 1000 - i);
            for (table, key, value) in [
                ("browser_seen", "hash", &hash),
                ("submission", "token", &id),
            ] {
                t.db.execute_raw(Statement::from_sql_and_values(
                    backend,
                    insert(table, key),
                    [dialogue_id.into(), value.clone().into()],
                ))
                .await
                .expect("insert");
            }
            browsers.push(browser);
            hashes.push(hash);
            ids.push(id);
        }
        db::migration::Migrator::up(&t.db, None).await.expect("up");
        assert_keyed_not_arrival(&t, "browser_seen", "hash", dialogue_id, &hashes).await;
        assert_keyed_not_arrival(&t, "submission", "token", dialogue_id, &ids).await;
        // The migrated records still refuse a second answer from those browsers.
        let f = answer();
        let id = uuid::Uuid::new_v4().to_string();
        let res = db::survey::submit(
            &t.db,
            SubmitRequest {
                link_code: LINK,
                submission_id: &id,
                gate: Gate::Public {
                    browser: Some(&browsers[3]),
                    invite: None,
                    via_qr: false,
                },
                fields: &f,
                now: Utc::now(),
            },
        )
        .await;
        assert!(
            matches!(res, Err(SubmitError::AlreadyAnswered)),
            "{}: {res:?}",
            t.label
        );
    }
}
