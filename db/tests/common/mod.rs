//! Test databases: a fresh SQLite file always, and a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set (the test command starts a throwaway cluster). With `CI=true`
//! a missing PostgreSQL is a failure, not a skip.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub struct TestDb {
    pub label: &'static str,
    pub db: DatabaseConnection,
    pub url: String,
}

pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("mbl-test-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = db::connect(&url).await.expect("sqlite connects");
    TestDb {
        label: "sqlite",
        db,
        url,
    }
}

/// A fresh, empty PostgreSQL database URL, or `None` when none is configured (outside CI).
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

pub async fn postgres() -> Option<TestDb> {
    let url = postgres_url().await?;
    let db = db::connect(&url).await.expect("postgres migrates");
    Some(TestDb {
        label: "postgres",
        db,
        url,
    })
}

/// Every backend available to this run.
pub async fn all() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}
