//! The schema that the migrations build, on SQLite and PostgreSQL, is the one written down in
//! `tests/fixtures/schema.<backend>.txt`. A released migration must never change what it
//! builds (a database migrated by an older release would differ from a new one); this test
//! fails when one does. A new migration changes the dump on purpose: regenerate the files
//! with `SCHEMA_WRITE=1 bash scripts/with-postgres.sh cargo test -p db --test schema --
//! --include-ignored` and review the diff.

use db::migration::Migrator;
use db::testing::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::MigratorTrait;

/// One line per migration applied (its name is what an existing database remembers it by),
/// then one per table, column, index and constraint, in a stable order.
async fn dump(t: &TestDb) -> String {
    let applied = "SELECT 'migration ' || version AS line FROM seaql_migrations ORDER BY version";
    let queries: &[&str] = match t.db.get_database_backend() {
        DbBackend::Sqlite => &[
            applied,
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') AS line FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations' ORDER BY type, name",
        ],
        _ => &[
            applied,
            "SELECT table_name || '.' || column_name || ' ' || data_type || \
             COALESCE('(' || character_maximum_length || ')', '') || \
             CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END || \
             COALESCE(' default ' || column_default, '') AS line \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name <> 'seaql_migrations' ORDER BY table_name, column_name",
            "SELECT indexdef AS line FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename <> 'seaql_migrations' ORDER BY tablename, indexname",
            "SELECT conrelid::regclass::text || ' ' || conname || ': ' || \
             pg_get_constraintdef(oid) AS line FROM pg_constraint \
             WHERE connamespace = current_schema()::regnamespace \
             AND conrelid::regclass::text <> 'seaql_migrations' ORDER BY 1",
        ],
    };
    let mut out = String::new();
    for q in queries {
        let rows =
            t.db.query_all_raw(Statement::from_string(t.db.get_database_backend(), *q))
                .await
                .expect("schema query");
        for row in rows {
            let line: String = row.try_get("", "line").expect("line column");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

db::backend_test! {
    /// The migrated schema is exactly the recorded one.
    async fn migrations_build_the_recorded_schema(t: TestDb) {
        let got = dump(&t).await;
        let path = format!("{}/tests/fixtures/schema.{}.txt", env!("CARGO_MANIFEST_DIR"), t.label);
        if std::env::var("SCHEMA_WRITE").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &got).expect("write schema fixture");
        }
        let want = std::fs::read_to_string(&path).expect("schema fixture exists");
        assert!(got.lines().count() > 40, "{}: the dump lists the schema", t.label);
        assert_eq!(got, want, "{}: the migrated schema differs from {path}", t.label);
    }
}

db::backend_test! {
    /// Every migration's `down` undoes its `up`: all the way down leaves no table, and up
    /// again builds the recorded schema.
    async fn migrations_go_down_and_up_again(t: TestDb) {
        let before = dump(&t).await;
        Migrator::down(&t.db, None).await.expect("down");
        let empty = dump(&t).await;
        assert!(empty.is_empty(), "{}: left after down:\n{empty}", t.label);
        Migrator::up(&t.db, None).await.expect("up again");
        assert_eq!(dump(&t).await, before, "{}", t.label);
    }
}
