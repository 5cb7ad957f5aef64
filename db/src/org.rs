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

/// The kind a child of a `parent_kind` unit may have.
pub fn child_kinds(parent_kind: &str) -> &'static [&'static str] {
    match parent_kind {
        "nation" => &["region"],
        "region" => &["district"],
        "district" => &["lpo"],
        "lpo" => &["municipality"],
        "municipality" => &["area", "unit"],
        _ => &[],
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    /// Field → catalogue key.
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Adds a unit under `parent`, checking that the kind fits and the code is free.
pub async fn create_unit(
    db: &sea_orm::DatabaseConnection,
    actor: i64,
    parent: Option<i64>,
    kind: &str,
    name: &str,
    code: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64, OrgError> {
    use sea_orm::{ActiveValue::Set, TransactionTrait};
    let mut errors = Vec::new();
    let parent_unit = match parent {
        Some(id) => org_unit::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    match &parent_unit {
        Some(p) if child_kinds(&p.kind).contains(&kind) => {}
        Some(_) => errors.push(("kind".to_owned(), "org.bad_kind".to_owned())),
        None => errors.push(("parent_id".to_owned(), "form.pick_one".to_owned())),
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(("name".to_owned(), "form.required".to_owned()));
    }
    let code = code.trim().to_lowercase();
    let code_ok = !code.is_empty()
        && code.len() <= 80
        && code.chars().all(|c| c.is_alphanumeric() || c == '-');
    if !code_ok {
        errors.push(("code".to_owned(), "org.bad_code".to_owned()));
    } else if by_code(db, &code).await?.is_some() {
        errors.push(("code".to_owned(), "org.duplicate_code".to_owned()));
    }
    let Some(parent_unit) = parent_unit.filter(|_| errors.is_empty()) else {
        return Err(OrgError::Invalid(errors));
    };
    let txn = db.begin().await?;
    let id = org_unit::Entity::insert(org_unit::ActiveModel {
        parent_id: Set(Some(parent_unit.id)),
        kind: Set(kind.to_owned()),
        code: Set(code.clone()),
        name: Set(name.to_owned()),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    crate::audit::record(
        &txn,
        crate::audit::Entry {
            at: now,
            user_id: Some(actor),
            scope_unit_id: Some(parent_unit.id),
            action: "create",
            entity: "org_unit",
            entity_id: id.to_string(),
            detail: format!("kind={kind} code={code}"),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// The whole tree, depth-first, as (depth, unit).
pub async fn tree(db: &impl ConnectionTrait) -> Result<Vec<(usize, org_unit::Model)>, DbErr> {
    let all = org_unit::Entity::find()
        .order_by_asc(org_unit::Column::Name)
        .all(db)
        .await?;
    let mut out = Vec::new();
    let mut stack: Vec<(usize, &org_unit::Model)> = all
        .iter()
        .filter(|u| u.parent_id.is_none())
        .map(|u| (0, u))
        .collect();
    stack.reverse();
    while let Some((depth, u)) = stack.pop() {
        out.push((depth, u.clone()));
        let mut kids: Vec<_> = all
            .iter()
            .filter(|c| c.parent_id == Some(u.id))
            .map(|c| (depth + 1, c))
            .collect();
        kids.reverse();
        stack.extend(kids);
    }
    Ok(out)
}

/// The units whose records `p` may read (the audit log's entries): `None` for an admin
/// (everything), else the subtree of their scope (nothing without one).
pub async fn units_in_scope(
    db: &impl ConnectionTrait,
    p: &domain::Principal,
) -> Result<Option<Vec<i64>>, DbErr> {
    Ok(match (p.role, p.scope_unit_id) {
        (domain::Role::Admin, _) => None,
        (_, Some(scope)) => Some(subtree(db, scope).await?),
        _ => Some(Vec::new()),
    })
}
