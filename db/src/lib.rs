//! Persistence for Medborgarlöften: SeaORM entities, migrations and the services that use them.
//!
//! This crate never compiles to WASM: `server` depends on it, and `app` only under `ssr`.

pub mod accounts;
pub mod audit;
pub mod bank;
pub mod builder;
pub mod clock;
pub mod compilation;
pub mod dashboard;
pub mod demo;
pub mod demo_answers;
pub mod dialogue;
pub mod entity;
mod history;
pub mod kiosk;
pub mod live;
pub mod migration;
pub mod moderation;
pub mod org;
pub mod password_links;
pub mod progress;
pub mod promise;
pub mod register;
pub mod retention;
pub mod sessions;
pub mod stats;
pub mod survey;
pub mod testing;
pub mod themes;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

pub use sea_orm::{DatabaseConnection as Db, DbErr};

/// Any advisory-lock key works as long as every instance uses the same one.
const MIGRATION_LOCK_KEY: i64 = 0x6d65_6462_6c6f;

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) and brings its schema
/// up to date. SQLite runs in WAL mode with `synchronous=NORMAL`: durable across a process
/// crash, never `OFF`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let pool_size = if is_in_memory(url) {
        1
    } else if is_sqlite(url) {
        8
    } else {
        32
    };
    let db = open(url, pool_size).await?;
    migrate(&db).await?;
    Ok(db)
}

/// A connection of its own for the answer writer ([`survey::Writer`]), beside the pool
/// [`connect`] opened on the same `url` (call that first: it migrates). A pool hands its
/// idle connections out in turn, so a writer drawing from it would start each commit on a
/// different connection, with a cold statement cache and, on SQLite, a page cache that the
/// previous commit through another connection invalidated. One connection stays warm.
/// An in-memory SQLite database lives in its one connection, so there `db` itself is used.
pub async fn connect_writer(
    url: &str,
    db: &DatabaseConnection,
) -> Result<DatabaseConnection, DbErr> {
    if is_in_memory(url) {
        return Ok(db.clone());
    }
    open(url, 1).await
}

fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

fn is_in_memory(url: &str) -> bool {
    is_sqlite(url) && (url.contains(":memory:") || url.contains("mode=memory"))
}

/// A pool of up to `size` connections, with the PRAGMAs above on SQLite.
async fn open(url: &str, size: u32) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(size)
        .min_connections(1);
    if is_sqlite(url) {
        ensure_sqlite_dir(url);
        opts.map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    }
    Database::connect(opts).await
}

/// Runs pending migrations. On PostgreSQL an advisory lock, held for the transaction, makes
/// instances that start at once take turns instead of racing.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_unprepared(&format!(
                "SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
            ))
            .await?;
            migration::Migrator::up(&txn, None).await?;
            txn.commit().await
        }
        _ => migration::Migrator::up(db, None).await,
    }
}

/// Whether the database answers (for `/healthz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

fn ensure_sqlite_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or("");
    if path.is_empty() || path.contains(":memory:") {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        tracing::warn!(error = %e, "could not create the SQLite directory");
    }
}
