//! Kiosk tokens: staff issue one per tablet for a dialogue. A kiosk skips the
//! one-answer-per-browser rule and resets after each answer for the next person.
//! Only a SHA-256 of the token is stored; the token is shown once, when issued.

use crate::entity::kiosk;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A kiosk as staff see it (never the token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskRow {
    pub id: i64,
    pub dialogue_id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues a kiosk for `dialogue_id`; returns its id and the token (shown once).
pub async fn issue(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    label: &str,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, String), DbErr> {
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let id = kiosk::Entity::insert(kiosk::ActiveModel {
        dialogue_id: Set(dialogue_id),
        token_hash: Set(token_hash(&token)),
        label: Set(label.trim().to_owned()),
        created_by: Set(created_by),
        created_at: Set(now),
        revoked_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id;
    Ok((id, token))
}

/// Whether `token` is a live kiosk of `dialogue_id`.
pub async fn is_valid(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    token: &str,
) -> Result<bool, DbErr> {
    if token.is_empty() || token.len() > 128 {
        return Ok(false);
    }
    Ok(kiosk::Entity::find()
        .filter(kiosk::Column::TokenHash.eq(token_hash(token)))
        .filter(kiosk::Column::DialogueId.eq(dialogue_id))
        .filter(kiosk::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

pub async fn list(db: &impl ConnectionTrait, dialogue_id: i64) -> Result<Vec<KioskRow>, DbErr> {
    Ok(kiosk::Entity::find()
        .filter(kiosk::Column::DialogueId.eq(dialogue_id))
        .order_by_asc(kiosk::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|k| KioskRow {
            id: k.id,
            dialogue_id: k.dialogue_id,
            label: k.label,
            created_at: k.created_at,
            revoked: k.revoked_at.is_some(),
        })
        .collect())
}

/// Revokes a kiosk of `dialogue_id`. `Ok(false)` when there is no such kiosk.
pub async fn revoke(
    db: &impl ConnectionTrait,
    dialogue_id: i64,
    kiosk_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(k) = kiosk::Entity::find_by_id(kiosk_id)
        .filter(kiosk::Column::DialogueId.eq(dialogue_id))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    if k.revoked_at.is_none() {
        let mut am: kiosk::ActiveModel = k.into();
        am.revoked_at = Set(Some(now));
        am.update(db).await?;
    }
    Ok(true)
}
