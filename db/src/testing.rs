//! Test support: fresh databases on every backend this run has. Used by the test suites of
//! `db` and `server`; harmless in production (it only creates databases when called).

use sea_orm::{ConnectionTrait, Database};

/// A fresh SQLite file URL.
pub fn sqlite_url() -> String {
    let path = std::env::temp_dir().join(format!("mbl-test-{}.db", uuid::Uuid::new_v4()));
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A fresh, empty PostgreSQL database inside the cluster named by `TEST_DATABASE_URL`, or `None`
/// when none is configured. With `CI=true` a missing PostgreSQL is a failure, not a skip.
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
    let admin = Database::connect(&base).await.expect("postgres connects");
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    admin.close().await.ok();
    let (prefix, _) = base.rsplit_once('/').expect("url has a path");
    Some(format!("{prefix}/{name}"))
}

/// One fresh database URL per backend available to this run.
pub async fn database_urls() -> Vec<String> {
    let mut v = vec![sqlite_url()];
    if let Some(pg) = postgres_url().await {
        v.push(pg);
    }
    v
}
