//! Tokens staff issue for a dialogue, by purpose:
//! - a **kiosk** token per tablet: it skips the one-answer-per-browser rule and resets after
//!   each answer for the next person;
//! - a **display** link per wall screen: it shows the dialogue's suppressed aggregates,
//!   read-only, without a staff session, so it can run all day.
//!
//! Only a SHA-256 of the token is stored; the token is shown once, when issued. Both are
//! revocable.

use crate::entity::kiosk;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    Kiosk,
    Display,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Kiosk => "kiosk",
            Purpose::Display => "display",
        }
    }

    fn parse(code: &str) -> Purpose {
        if code == "display" {
            Purpose::Display
        } else {
            Purpose::Kiosk
        }
    }
}

/// A kiosk or display link as staff see it (never the token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskRow {
    pub id: i64,
    pub dialogue_id: i64,
    pub purpose: Purpose,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked: bool,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh secret for a link (244 random bits, hex): stored only as [`token_hash`].
pub(crate) fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Issues a token for `dialogue_id`; returns its id and the token (shown once).
pub async fn issue(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    dialogue_id: i64,
    label: &str,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(i64, String), DbErr> {
    let token = new_token();
    let id = kiosk::Entity::insert(kiosk::ActiveModel {
        dialogue_id: Set(dialogue_id),
        token_hash: Set(token_hash(&token)),
        label: Set(label.trim().to_owned()),
        created_by: Set(created_by),
        created_at: Set(now),
        revoked_at: Set(None),
        purpose: Set(purpose.code().to_owned()),
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
    Ok(lookup(db, Purpose::Kiosk, token).await? == Some(dialogue_id))
}

/// The dialogue a live display link shows, if `token` is one.
pub async fn display_dialogue(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<i64>, DbErr> {
    lookup(db, Purpose::Display, token).await
}

/// The dialogue of a live (unrevoked) token of `purpose`.
async fn lookup(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    token: &str,
) -> Result<Option<i64>, DbErr> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    Ok(kiosk::Entity::find()
        .filter(kiosk::Column::TokenHash.eq(token_hash(token)))
        .filter(kiosk::Column::Purpose.eq(purpose.code()))
        .filter(kiosk::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .map(|k| k.dialogue_id))
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
            purpose: Purpose::parse(&k.purpose),
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
