//! Test support: fresh databases on every backend. Used by the test suites of `db` and `server`;
//! harmless in production (it only creates databases when called).
//!
//! A test that should hold on both backends is written once with [`backend_test!`](crate::backend_test),
//! which makes it two tests, `name::sqlite` and `name::postgres`. The PostgreSQL one is
//! `#[ignore]`d, so a plain `cargo test` reports it as *ignored* (never as passed); `make test`
//! runs it with `-- --include-ignored` inside `scripts/with-postgres.sh`, and run that way
//! without `TEST_DATABASE_URL` it fails with [`NO_POSTGRES`].

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::future::Future;

/// Why a PostgreSQL test is ignored, and why it fails when it is run without a cluster.
pub const NO_POSTGRES: &str = "PostgreSQL: set TEST_DATABASE_URL (make test does)";

/// A fresh SQLite file URL.
pub fn sqlite_url() -> String {
    let path = std::env::temp_dir().join(format!("mbl-test-{}.db", uuid::Uuid::new_v4()));
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A fresh, empty PostgreSQL database inside the cluster named by `TEST_DATABASE_URL`, or `None`
/// when none is configured. With `CI=true` a missing PostgreSQL is a failure, not a skip.
///
/// Prefer [`backend_test!`](crate::backend_test): a `None` here lets a test pass without
/// having run on PostgreSQL.
pub async fn postgres_url() -> Option<String> {
    let base = match std::env::var("TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests cannot be skipped in CI"
            );
            eprintln!("TEST_DATABASE_URL not set: skipping PostgreSQL");
            return None;
        }
    };
    Some(create_postgres_database(&base).await)
}

async fn create_postgres_database(base: &str) -> String {
    let admin = Database::connect(base).await.expect("postgres connects");
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    admin.close().await.ok();
    let (prefix, _) = base.rsplit_once('/').expect("url has a path");
    format!("{prefix}/{name}")
}

/// One fresh database URL per backend available to this run.
///
/// Prefer [`backend_test!`](crate::backend_test): this silently leaves PostgreSQL out when
/// `TEST_DATABASE_URL` is not set.
pub async fn database_urls() -> Vec<String> {
    let mut v = vec![sqlite_url()];
    if let Some(pg) = postgres_url().await {
        v.push(pg);
    }
    v
}

/// The backend one variant of a [`backend_test!`](crate::backend_test) runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A fresh, empty database URL on this backend. On PostgreSQL without `TEST_DATABASE_URL`
    /// this panics with [`NO_POSTGRES`]: a test that asked for PostgreSQL must not pass without it.
    pub async fn fresh_url(self) -> String {
        match self {
            Backend::Sqlite => sqlite_url(),
            Backend::Postgres => match std::env::var("TEST_DATABASE_URL") {
                Ok(base) if !base.is_empty() => create_postgres_database(&base).await,
                _ => panic!("{NO_POSTGRES}; run `bash scripts/with-postgres.sh cargo test ...`"),
            },
        }
    }
}

/// A fresh, migrated database.
pub struct TestDb {
    /// `"sqlite"` or `"postgres"`, for assertion messages.
    pub label: &'static str,
    pub db: DatabaseConnection,
    pub url: String,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let url = backend.fresh_url().await;
        let db = crate::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{} connects and migrates: {e}", backend.label()));
        TestDb {
            label: backend.label(),
            db,
            url,
        }
    }
}

/// What a [`backend_test!`](crate::backend_test) hands its body: a migrated [`TestDb`], or a
/// `String` with the URL of a fresh, empty database (for tests that start a server on it).
pub trait Fresh: Sized {
    fn fresh(backend: Backend) -> impl Future<Output = Self>;
}

impl Fresh for TestDb {
    fn fresh(backend: Backend) -> impl Future<Output = Self> {
        TestDb::new(backend)
    }
}

impl Fresh for String {
    fn fresh(backend: Backend) -> impl Future<Output = Self> {
        backend.fresh_url()
    }
}

/// One async test body, run as two tests: `name::sqlite` and `name::postgres`.
///
/// ```text
/// db::backend_test! {
///     /// Doc comments are kept.
///     async fn refusals_store_nothing(t: TestDb) {
///         let before = counts(&t.db).await;
///         // ... assert!(..., "{}", t.label);
///     }
/// }
///
/// db::backend_test! {
///     #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
///     async fn survives_a_restart(url: String) {
///         let app = router(&url).await;
///         // ...
///     }
/// }
/// ```
///
/// Converting `#[tokio::test] async fn name() { for t in common::all().await { BODY } }`:
/// drop the `#[tokio::test]` and the loop and write `db::backend_test! { async fn name(t: TestDb)
/// { BODY } }` (`for url in database_urls()` becomes `(url: String)`). The parameter is a
/// [`TestDb`] (fresh and migrated; `use db::testing::TestDb;`) or a `String` (a fresh, empty
/// database's URL); see [`Fresh`].
/// The body is an `async fn` inside `mod name { use super::*; }`, so it sees the file's imports
/// and helpers; use `return` where the loop used `continue`. An optional
/// `#[tokio::test(...)]` first sets the runtime of both tests.
///
/// The PostgreSQL test is `#[ignore = NO_POSTGRES]`, so `cargo test` alone reports it as
/// ignored; `make test` passes `--include-ignored` and gives it a cluster. The two run in
/// parallel, like any two tests: a body must not rely on global state (environment variables,
/// fixed ports, fixed file names).
#[macro_export]
macro_rules! backend_test {
    (
        $(#[doc = $doc:literal])*
        $(#[tokio::test($($rt:tt)*)])?
        async fn $name:ident($arg:ident: $ty:ty) $body:block
    ) => {
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn test_body($arg: $ty) $body

            #[tokio::test$(($($rt)*))?]
            async fn sqlite() {
                test_body(
                    <$ty as $crate::testing::Fresh>::fresh($crate::testing::Backend::Sqlite).await,
                )
                .await
            }

            // Keep in step with `NO_POSTGRES` (an attribute takes only a literal).
            #[tokio::test$(($($rt)*))?]
            #[ignore = "PostgreSQL: set TEST_DATABASE_URL (make test does)"]
            async fn postgres() {
                test_body(
                    <$ty as $crate::testing::Fresh>::fresh($crate::testing::Backend::Postgres)
                        .await,
                )
                .await
            }
        }
    };
}
