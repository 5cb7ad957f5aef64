//! The organisation tree and scope checks over it.

use crate::entity::org_unit;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// Whether `unit` is `ancestor` or lies below it. The tree is shallow (at most seven levels).
pub async fn is_within(db: &impl ConnectionTrait, unit: i64, ancestor: i64) -> Result<bool, DbErr> {
    let mut current = Some(unit);
    for _ in 0..10 {
        match current {
            None => return Ok(false),
            Some(id) if id == ancestor => return Ok(true),
            Some(id) => {
                current = org_unit::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .and_then(|u| u.parent_id);
            }
        }
    }
    Ok(false)
}

/// The nearest unit of `kind` at or above `unit`.
pub async fn ancestor_of_kind(
    db: &impl ConnectionTrait,
    unit: i64,
    kind: &str,
) -> Result<Option<org_unit::Model>, DbErr> {
    let mut current = org_unit::Entity::find_by_id(unit).one(db).await?;
    for _ in 0..10 {
        match current {
            None => return Ok(None),
            Some(u) if u.kind == kind => return Ok(Some(u)),
            Some(u) => {
                current = match u.parent_id {
                    Some(p) => org_unit::Entity::find_by_id(p).one(db).await?,
                    None => None,
                }
            }
        }
    }
    Ok(None)
}

pub async fn children(
    db: &impl ConnectionTrait,
    parent: i64,
    kind: &str,
) -> Result<Vec<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(parent))
        .filter(org_unit::Column::Kind.eq(kind))
        .order_by_asc(org_unit::Column::Name)
        .all(db)
        .await
}

pub async fn by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .one(db)
        .await
}

/// Every unit at or below `root` (the root included).
pub async fn subtree(db: &impl ConnectionTrait, root: i64) -> Result<Vec<i64>, DbErr> {
    let all = org_unit::Entity::find().all(db).await?;
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|u| u.parent_id == Some(parent))
                .map(|u| u.id),
        );
        i += 1;
    }
    Ok(out)
}

/// Units that can scope a role, labelled with their kind, for the user form.
pub async fn scopes(db: &impl ConnectionTrait) -> Result<Vec<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Kind.is_in(["region", "lpo", "municipality", "unit"]))
        .order_by_asc(org_unit::Column::Kind)
        .order_by_asc(org_unit::Column::Name)
        .all(db)
        .await
}
