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

/// The units of `kind` under `parent` that are offered in pickers (not retired).
pub async fn children(
    db: &impl ConnectionTrait,
    parent: i64,
    kind: &str,
) -> Result<Vec<org_unit::Model>, DbErr> {
    Ok(children_all(db, parent, kind)
        .await?
        .into_iter()
        .filter(|u| u.retired_at.is_none())
        .collect())
}

/// The units of `kind` under `parent`, retired ones too (scope: what a unit covers).
pub async fn children_all(
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

/// Units that can scope a role (not retired), labelled with their kind, for the user form.
pub async fn scopes(db: &impl ConnectionTrait) -> Result<Vec<org_unit::Model>, DbErr> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Kind.is_in(["region", "lpo", "municipality", "unit"]))
        .filter(org_unit::Column::RetiredAt.is_null())
        .order_by_asc(org_unit::Column::Kind)
        .order_by_asc(org_unit::Column::Name)
        .all(db)
        .await
}

pub use domain::child_kinds;

#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error("not found")]
    NotFound,
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

/// The units with history: a unit under them, or an account, dialogue, promise, agreement,
/// theme or retention setting that refers to them. Those are renamed, moved or retired,
/// never deleted.
pub async fn units_with_history(
    db: &impl ConnectionTrait,
) -> Result<std::collections::HashSet<i64>, DbErr> {
    use crate::entity::{
        agreement, dialogue, dialogue_municipality, lpo_retention, promise, promise_municipality,
        staff_user, theme,
    };
    let mut out = std::collections::HashSet::new();
    out.extend(
        org_unit::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|u| u.parent_id),
    );
    for u in staff_user::Entity::find().all(db).await? {
        out.extend([u.scope_unit_id, u.municipal_unit_id].into_iter().flatten());
    }
    out.extend(
        dialogue::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.lpo_id),
    );
    out.extend(
        dialogue_municipality::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.municipality_id),
    );
    out.extend(
        promise::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.lpo_id),
    );
    out.extend(
        promise_municipality::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.municipality_id),
    );
    for a in agreement::Entity::find().all(db).await? {
        out.extend([a.lpo_id, a.municipal_unit_id]);
    }
    out.extend(
        theme::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.lpo_id),
    );
    out.extend(
        lpo_retention::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.lpo_id),
    );
    Ok(out)
}

/// A change to unit `id` (admins): a new `name`, a move under `parent`, retire, restore or
/// delete, by the rule of change (`domain::org_change_refusal`): the new parent must be of a
/// kind that may hold the unit and not the unit itself or below it; deleting needs
/// `confirmed` (the form's second "yes"). Audited with the old and new value; a refused
/// change writes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn change_unit(
    db: &sea_orm::DatabaseConnection,
    actor: i64,
    id: i64,
    change: domain::OrgChange,
    name: &str,
    parent: Option<i64>,
    confirmed: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), OrgError> {
    use domain::OrgChange;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, TransactionTrait};
    let invalid =
        |field: &str, key: &str| OrgError::Invalid(vec![(field.to_owned(), key.to_owned())]);
    let unit = org_unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(OrgError::NotFound)?;
    let parent_now = match unit.parent_id {
        Some(p) => org_unit::Entity::find_by_id(p).one(db).await?,
        None => None,
    };
    let active_children = org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(id))
        .filter(org_unit::Column::RetiredAt.is_null())
        .one(db)
        .await?
        .is_some();
    let facts = domain::OrgFacts {
        root: unit.parent_id.is_none(),
        retired: unit.retired_at.is_some(),
        history: units_with_history(db).await?.contains(&id),
        active_children,
        parent_retired: parent_now.as_ref().is_some_and(|p| p.retired_at.is_some()),
    };
    if let Some((field, key)) = domain::org_change_refusal(change, facts) {
        return Err(invalid(field, key));
    }
    let mut am: org_unit::ActiveModel = unit.clone().into();
    let (action, detail) = match change {
        OrgChange::Rename => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(invalid("name", "form.required"));
            }
            if name == unit.name {
                return Ok(());
            }
            am.name = Set(name.to_owned());
            (
                "update",
                crate::audit::changes(&[("name", unit.name.clone(), name.to_owned())]),
            )
        }
        OrgChange::Move => {
            let to = match parent {
                Some(p) => org_unit::Entity::find_by_id(p).one(db).await?,
                None => None,
            }
            .ok_or_else(|| invalid("parent_id", "form.pick_one"))?;
            if !child_kinds(&to.kind).contains(&unit.kind.as_str()) {
                return Err(invalid("parent_id", "org.bad_kind"));
            }
            if is_within(db, to.id, id).await? {
                return Err(invalid("parent_id", "org.move_into_itself"));
            }
            if to.retired_at.is_some() {
                return Err(invalid("parent_id", "org.parent_retired"));
            }
            if Some(to.id) == unit.parent_id {
                return Ok(());
            }
            am.parent_id = Set(Some(to.id));
            let old = parent_now.map(|p| p.code).unwrap_or_default();
            ("move", crate::audit::changes(&[("parent", old, to.code)]))
        }
        OrgChange::Retire => {
            am.retired_at = Set(Some(now));
            ("retire", format!("code={}", unit.code))
        }
        OrgChange::Restore => {
            am.retired_at = Set(None);
            ("restore", format!("code={}", unit.code))
        }
        OrgChange::Delete => {
            if !confirmed {
                return Err(invalid("change", "dialogue.confirm_needed"));
            }
            ("delete", format!("code={} name={}", unit.code, unit.name))
        }
    };
    let txn = db.begin().await?;
    if change == OrgChange::Delete {
        org_unit::Entity::delete_by_id(id).exec(&txn).await?;
    } else {
        am.update(&txn).await?;
    }
    crate::audit::record(
        &txn,
        crate::audit::Entry {
            at: now,
            user_id: Some(actor),
            scope_unit_id: unit.parent_id.or(Some(id)),
            action,
            entity: "org_unit",
            entity_id: id.to_string(),
            detail,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
