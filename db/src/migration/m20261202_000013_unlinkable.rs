//! The anti-duplicate records (`browser_seen`, `submission`) no longer sort with the answers.
//!
//! Both were written in the same transaction as the `response` row, and on SQLite they were
//! rowid tables: their rowid order was the answers' arrival order, so whoever held the
//! database and a respondent's cookie could count their way from the browser's hash to the
//! answer. Rebuilt here, rows kept:
//! - SQLite: `WITHOUT ROWID`, so the table is its primary key (dialogue, hash/token) and
//!   nothing in it follows arrival.
//! - PostgreSQL: no rowid, but the heap keeps insertion order (ctid, and so `pg_dump`) and
//!   each row's `xmin` names the transaction that wrote it, which is the answer's. The rows
//!   are rewritten here in key order; from now on the answer writer rewrites a dialogue's
//!   records in key order right after each commit ([`crate::survey::unlink_claims`]).
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(table, key column)` of each anti-duplicate record.
const TABLES: [(&str, &str); 2] = [("browser_seen", "hash"), ("submission", "token")];

async fn rebuild(m: &SchemaManager<'_>, without_rowid: bool) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = m.get_database_backend();
    for (table, key) in TABLES {
        let tmp = format!("{table}_rebuilt");
        let suffix = if without_rowid && backend == DbBackend::Sqlite {
            " WITHOUT ROWID"
        } else {
            ""
        };
        // One call, so every statement runs on the same connection of the pool, in order.
        // Copied in key order: on PostgreSQL the new heap then follows the key, not arrival.
        db.execute_unprepared(&format!(
            "CREATE TABLE {tmp} (dialogue_id bigint NOT NULL, {key} varchar(64) NOT NULL, \
             CONSTRAINT {tmp}_pkey PRIMARY KEY (dialogue_id, {key})){suffix}; \
             INSERT INTO {tmp} (dialogue_id, {key}) SELECT dialogue_id, {key} FROM {table} \
             ORDER BY dialogue_id, {key}; \
             DROP TABLE {table}; \
             ALTER TABLE {tmp} RENAME TO {table}"
        ))
        .await?;
        if backend == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} RENAME CONSTRAINT {tmp}_pkey TO {table}_pkey"
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend (SeaORM's default leaves SQLite without one): on one
    /// connection, so the rename sees the drop, and a crash half-way leaves the tables as they were.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        rebuild(m, true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        rebuild(m, false).await
    }
}
