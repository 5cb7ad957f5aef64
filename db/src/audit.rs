//! The audit log: every state change by staff. Holds no respondent data.

use crate::entity::audit_log;
use chrono::{DateTime, Utc};
use domain::AuditLine;
use domain::audit::{AuditPage, AuditQuery, PAGE_SIZE, contains_pattern};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

pub struct Entry<'a> {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub scope_unit_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub detail: String,
}

/// The `detail` of an edit: each changed field's old and new value, as JSON
/// (`{"field": {"old": …, "new": …}}`).
pub fn changes(fields: &[(&str, String, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(f, old, new)| {
            (
                (*f).to_owned(),
                serde_json::json!({ "old": old, "new": new }),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
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
    let q = matching(units.as_deref(), &AuditQuery::default()).limit(limit);
    lines(db, q).await
}

/// One page of the entries in `units` (`None`: everything) that `query` asks for, with the
/// total that match and the actions and object kinds there are to filter by. Filtered,
/// counted and paged in the database.
pub async fn search(
    db: &impl ConnectionTrait,
    units: Option<&[i64]>,
    query: &AuditQuery,
) -> Result<AuditPage, DbErr> {
    let found = matching(units, query);
    let total = found.clone().count(db).await?;
    let page = found.offset(query.offset()).limit(PAGE_SIZE);
    let distinct = |col: audit_log::Column| {
        in_scope(audit_log::Entity::find(), units)
            .select_only()
            .column(col)
            .distinct()
            .order_by_asc(col)
            .into_tuple::<String>()
    };
    Ok(AuditPage {
        lines: lines(db, page).await?,
        total,
        query: query.clone(),
        actions: distinct(audit_log::Column::Action).all(db).await?,
        objects: distinct(audit_log::Column::Entity).all(db).await?,
    })
}

/// Every entry that `query` asks for, in its order, at most [`domain::audit::EXPORT_MAX`]
/// (for the CSV export; the page is ignored).
pub async fn export(
    db: &impl ConnectionTrait,
    units: Option<&[i64]>,
    query: &AuditQuery,
) -> Result<Vec<AuditLine>, DbErr> {
    lines(db, matching(units, query).limit(domain::audit::EXPORT_MAX)).await
}

fn in_scope(q: Select<audit_log::Entity>, units: Option<&[i64]>) -> Select<audit_log::Entity> {
    match units {
        Some(units) => q.filter(audit_log::Column::ScopeUnitId.is_in(units.iter().copied())),
        None => q,
    }
}

/// `col` lower-cased contains `needle` (compared lower-cased; `%` and `_` taken literally).
pub(crate) fn contains(
    col: impl sea_orm::sea_query::IntoColumnRef,
    needle: &str,
) -> sea_orm::sea_query::SimpleExpr {
    Expr::expr(Func::lower(Expr::col(col)))
        .like(LikeExpr::new(contains_pattern(needle)).escape('\\'))
}

/// The entries `query` filters to, in scope, in its order (unpaged).
fn matching(units: Option<&[i64]>, query: &AuditQuery) -> Select<audit_log::Entity> {
    use crate::entity::staff_user;
    let mut q = in_scope(audit_log::Entity::find(), units);
    if !query.who.is_empty() {
        q = q.filter(
            audit_log::Column::UserId.in_subquery(
                Query::select()
                    .column(staff_user::Column::Id)
                    .from(staff_user::Entity)
                    .cond_where(
                        Condition::any()
                            .add(contains(staff_user::Column::Name, &query.who))
                            .add(contains(staff_user::Column::Email, &query.who)),
                    )
                    .to_owned(),
            ),
        );
    }
    if !query.action.is_empty() {
        q = q.filter(audit_log::Column::Action.eq(query.action.as_str()));
    }
    if !query.object.is_empty() {
        q = q.filter(audit_log::Column::Entity.eq(query.object.as_str()));
    }
    if !query.text.is_empty() {
        q = q.filter(
            Condition::any()
                .add(contains(audit_log::Column::EntityId, &query.text))
                .add(contains(audit_log::Column::Detail, &query.text)),
        );
    }
    let (from, to) = query.range();
    if let Some(from) = from {
        q = q.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = to {
        q = q.filter(audit_log::Column::At.lt(to));
    }
    if query.oldest_first {
        q.order_by_asc(audit_log::Column::At)
            .order_by_asc(audit_log::Column::Id)
    } else {
        q.order_by_desc(audit_log::Column::At)
            .order_by_desc(audit_log::Column::Id)
    }
}

/// The entries `q` selects, with the acting staff member's name.
async fn lines(
    db: &impl ConnectionTrait,
    q: Select<audit_log::Entity>,
) -> Result<Vec<AuditLine>, DbErr> {
    use crate::entity::staff_user;
    let rows = q.all(db).await?;
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let users: std::collections::HashMap<i64, String> = staff_user::Entity::find()
        .filter(staff_user::Column::Id.is_in(ids))
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

/// The entries as CSV (semicolon-separated, as Swedish spreadsheets read it), times in
/// Stockholm time.
pub fn to_csv(lines: &[AuditLine]) -> String {
    use domain::compilation::csv_cell as cell;
    let mut out =
        String::from("\u{feff}\"at\";\"who\";\"action\";\"object\";\"id\";\"detail\"\r\n");
    for l in lines {
        let cells = [
            cell(&domain::time::format_stockholm(l.at)),
            cell(&l.who),
            cell(&l.action),
            cell(&l.entity),
            cell(&l.entity_id),
            cell(&l.detail),
        ];
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}
