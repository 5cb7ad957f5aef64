//! The audit log: every state change by staff. Holds no respondent data.

use crate::entity::audit_log;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};

pub struct Entry<'a> {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub scope_unit_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub detail: String,
}

/// Records a change. Call it inside the transaction that makes the change.
pub async fn record(db: &impl ConnectionTrait, e: Entry<'_>) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        at: Set(e.at),
        user_id: Set(e.user_id),
        scope_unit_id: Set(e.scope_unit_id),
        action: Set(e.action.to_owned()),
        entity: Set(e.entity.to_owned()),
        entity_id: Set(e.entity_id),
        detail: Set(e.detail),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
