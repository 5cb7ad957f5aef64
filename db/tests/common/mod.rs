// Shared by several test crates, each of which uses a part of it.
#![allow(dead_code)]

//! Test databases: a fresh SQLite file always, and a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set (the test command starts a throwaway cluster).

use sea_orm::DatabaseConnection;

pub struct TestDb {
    pub label: &'static str,
    pub db: DatabaseConnection,
    pub url: String,
}

pub async fn sqlite() -> TestDb {
    let url = db::testing::sqlite_url();
    let db = db::connect(&url).await.expect("sqlite connects");
    TestDb {
        label: "sqlite",
        db,
        url,
    }
}

pub async fn postgres_url() -> Option<String> {
    db::testing::postgres_url().await
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
