// Shared by several test crates, each of which uses a part of it.
#![allow(dead_code)]

//! Test databases. New tests use `db::backend_test!` (see `db::testing`), which runs a test on
//! SQLite and, as a separate test that is ignored unless asked for, on PostgreSQL. `all()` is
//! the older loop: it leaves PostgreSQL out silently when `TEST_DATABASE_URL` is not set.

use db::testing::Backend;
pub use db::testing::TestDb;

pub async fn sqlite() -> TestDb {
    TestDb::new(Backend::Sqlite).await
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

/// Every backend available to this run. Prefer `db::backend_test!`.
pub async fn all() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}

/// Form fields from `(name, value)` pairs.
pub fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A fresh submission id, as a form carries one.
pub fn sid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The demo staff account with `email` (seed the demo first).
pub async fn staff(db: &db::Db, email: &str) -> db::entity::staff_user::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    db::entity::staff_user::Entity::find()
        .filter(db::entity::staff_user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("query")
        .expect("demo user")
}
