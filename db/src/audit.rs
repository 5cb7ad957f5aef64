//! The audit log: every state change by staff. Holds no respondent data.

use crate::entity::audit_log;
use chrono::{DateTime, Utc};
use domain::AuditLine;
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

/// The newest entries whose scope unit is among `units` (`None`: everything).
pub async fn recent(
    db: &impl ConnectionTrait,
    units: Option<Vec<i64>>,
    limit: u64,
) -> Result<Vec<AuditLine>, DbErr> {
    use crate::entity::staff_user;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut q = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit);
    if let Some(units) = units {
        q = q.filter(audit_log::Column::ScopeUnitId.is_in(units));
    }
    let rows = q.all(db).await?;
    let users: std::collections::HashMap<i64, String> = staff_user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| AuditLine {
            at: r.at,
            who: r
                .user_id
                .and_then(|id| users.get(&id).cloned())
                .unwrap_or_else(|| "–".to_owned()),
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            detail: r.detail,
        })
        .collect())
}
