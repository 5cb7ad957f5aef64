//! What the answer-writing test files (themes, compilation, retention, moderation) share: a staff member of an
//! LPO, and an answer with free text (and a rating) through the demo kiosk.

use chrono::{DateTime, Utc};
use db::survey::{Gate, SubmitRequest};
use domain::{Principal, Role};

/// A signed-in staff member with `role`, scoped to LPO `lpo`.
pub fn who(role: Role, lpo: i64) -> Principal {
    Principal {
        user_id: 1,
        name: "Chef Kristinehamn".to_owned(),
        email: "c@example.se".to_owned(),
        role,
        scope_unit_id: Some(lpo),
        municipal_unit_id: None,
        must_change_password: false,
    }
}

/// Stores one answer through link `link` at the demo kiosk, with form fields `f`, at `now`.
pub async fn submit_at(db: &db::Db, link: &str, f: &[(String, String)], now: DateTime<Utc>) {
    let id = uuid::Uuid::new_v4().to_string();
    db::survey::submit(
        db,
        SubmitRequest {
            link_code: link,
            submission_id: &id,
            gate: Gate::Kiosk {
                token: db::demo::DEMO_KIOSK_TOKEN,
            },
            fields: f,
            now,
        },
    )
    .await
    .expect("stored");
}

/// Stores one answer through link `link` at the demo kiosk: `text` as the free text (q1) and
/// `rating` for q3.
#[allow(dead_code)] // moderation writes its own fields
pub async fn answer_with(db: &db::Db, link: &str, text: &str, rating: &str) {
    let f = vec![
        ("q1".to_owned(), text.to_owned()),
        ("q3".to_owned(), rating.to_owned()),
    ];
    submit_at(db, link, &f, Utc::now()).await
}

/// Seeds the demo (if the database is empty) and returns the LPO of its first dialogue.
pub async fn demo_lpo(db: &db::Db) -> i64 {
    db::demo::seed_if_empty(db).await.expect("seed");
    db::dashboard::lpo_of(db, 1)
        .await
        .expect("query")
        .expect("demo dialogue")
}
